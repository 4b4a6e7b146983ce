/* fuzz_packet.c: the packet decoders on arbitrary bytes — the server's
 * query parser and the full message parser with its printer. */
#include <stdint.h>
#include <stdio.h>

#include "common/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct dns_query q;
	struct dns_msg m;

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	(void)dns_query_parse(data, size, &q);
	if (dns_msg_parse(data, size, DNS_MSG_TRAILING, &m) == 0) {
		if (devnull)
			dns_msg_print(devnull, &m);
		dns_msg_free(&m);
	}
	return 0;
}
