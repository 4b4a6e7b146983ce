/* fuzz_hostlist.c: the host-list parser on arbitrary text, and the
 * writer on what it accepts. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/hostlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct hostlist list;
	struct hostlist_error err;

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	memset(&list, 0, sizeof list);
	/* A small host limit, so inputs reach the limit's error path too. */
	if (hostlist_parse_string((const char *)data, size, "fuzz", 64, &list, &err) == 0 &&
	    devnull)
		for (size_t i = 0; i < list.nhosts; i++)
			host_write(devnull, &list.hosts[i]);
	hostlist_free(&list);
	return 0;
}
