/* fuzz_answer.c: the answer engine, query bytes in, response out, over a
 * zone with every kind of node (delegation, wildcard, CNAME, DNAME,
 * balanced RRsets). Every response it produces must parse back. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/lbdns-serve/answer.h"
#include "common/wire.h"
#include "common/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zone_text[] =
	"$ORIGIN example.com.\n$TTL 300\n"
	"@ SOA ns1 hostmaster 1 3600 600 86400 300\n"
	"@ NS ns1\n@ NS ns2\nns1 A 192.0.2.53\nns2 AAAA 2001:db8::53\n"
	"@ MX 10 mail\nmail A 192.0.2.25\n"
	"www 30 A 192.0.2.10 ; lbdns: weight=3 region=eu\n"
	"www 30 A 192.0.2.11 ; lbdns: weight=1 region=us\n"
	"www 30 A 192.0.2.12 ; lbdns: priority=2 state=down\n"
	"api A 198.51.100.5 ; lbdns: sticky=24 count=1\n"
	"api A 198.51.100.6\n"
	"rr A 192.0.2.1\nrr A 192.0.2.2\nrr A 192.0.2.3\n"
	"alias CNAME www\nloop1 CNAME loop2\nloop2 CNAME loop1\n"
	"*.wild TXT \"wildcard\"\n*.wild A 192.0.2.99\n"
	"sub NS ns.sub\nns.sub A 192.0.2.100\n"
	"old DNAME new.example.net.\n"
	"big TXT \"" "0123456789012345678901234567890123456789012345678901234567890123456789" "\"\n"
	"a.b.c.d.e TXT empty-non-terminals-above\n";

static struct zoneset *zs;
static struct answer_ctx *ctx;

static void setup(void)
{
	struct zone *z = NULL;
	static struct answer_config cfg;    /* the context keeps a pointer to it */

	if (zone_load_string(zone_text, sizeof zone_text - 1, "fuzz", NULL, &z,
	                     NULL, NULL, NULL) != 0)
		abort();
	struct zoneset *empty = zoneset_new();
	zs = zoneset_with(empty, z);
	zoneset_free(empty);
	answer_config_init(&cfg);
	ctx = answer_ctx_new(&cfg, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65535];
	struct client_info client;
	struct sockaddr_in *sin = (struct sockaddr_in *)&client.addr;
	struct dns_msg m;

	if (zs == NULL)
		setup();
	memset(&client, 0, sizeof client);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xc0000201);
	for (int tcp = 0; tcp < 2; tcp++) {
		client.tcp = tcp;
		size_t n = answer_query(ctx, zs, data, size, &client, out, sizeof out);
		if (n == 0)
			continue;
		if (dns_msg_parse(out, n, 0, &m) != 0)
			abort();    /* the server wrote something it cannot read */
		dns_msg_free(&m);
	}
	return 0;
}
