/* lbdns-probe: not written yet; says so plainly instead of pretending. */
#include "common/util.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	lb_progname = "lbdns-probe";
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("lbdns-probe %s\n", LBDNS_VERSION);
		return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: lbdns-probe ...\n(not implemented yet)\n");
		return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
	}
	lb_diex(LB_EXIT_USAGE, "not implemented yet");
}
