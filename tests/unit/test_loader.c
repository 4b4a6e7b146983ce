/* test_loader.c: AXFR framing of zone streams (cmd/lbdns-serve/loader.c)
 * and the published zone set, without sockets or threads. */
#include "cmd/lbdns-serve/loader.h"
#include "cmd/lbdns-serve/server.h"
#include "common/dname.h"
#include "common/util.h"
#include "common/zone.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <string.h>

#define SOA(o, n) o " 300 IN SOA ns1." o " h." o " " #n " 3600 600 86400 300\n"
#define BODY(o, a) o " 300 IN NS ns1." o "\nns1." o " 300 IN A 192.0.2.53\nwww." o " 60 IN A " a "\n"

static struct loader_result feed(const char *text)
{
	struct loader_result res = { 0, 0 };
	FILE *fp = fmemopen((void *)text, strlen(text), "r");

	loader_read(fp, "-", NULL, &res);
	fclose(fp);
	return res;
}

/* Serial of the zone ORIGIN being served, or 0. */
static unsigned long serving(const char *origin)
{
	uint8_t name[DNAME_MAXLEN];
	const struct zone *z;

	if (dname_from_text(name, origin, strlen(origin), NULL) < 0)
		return 0;
	z = zoneset_find_exact(server_current(), name);
	return z ? (unsigned long)zone_serial(z) : 0;
}

int main(void)
{
	struct server_config cfg;
	struct loader_result r;

	server_config_init(&cfg);
	cfg.threads = 1;
	/* No listen address: server_bind only sets up the published set. */
	ok(server_bind(&cfg) == 0, "server_bind without sockets");
	is_int(serving("example.com."), 0, "nothing served at first");

	/* dig axfr output: SOA ... SOA, twice. */
	r = feed(SOA("example.com.", 1) BODY("example.com.", "192.0.2.1") SOA("example.com.", 1)
	         SOA("example.com.", 2) BODY("example.com.", "192.0.2.2") SOA("example.com.", 2));
	is_int(r.good, 2, "two AXFR versions swapped in");
	is_int(r.bad, 0, "none refused");
	is_int(serving("example.com."), 2, "the last one serves");

	/* Concatenated zone files: the closing SOA opens the next version. */
	r = feed(SOA("example.com.", 3) BODY("example.com.", "192.0.2.3")
	         SOA("example.com.", 4) BODY("example.com.", "192.0.2.4"));
	is_int(r.good, 2, "concatenated versions both swapped in");
	is_int(serving("example.com."), 4, "serial 4 serves");

	/* A bad version in the middle is refused, the next one goes in. */
	r = feed(SOA("example.com.", 5) BODY("example.com.", "192.0.2.5") SOA("example.com.", 5)
	         SOA("example.com.", 6) BODY("example.com.", "192.0.2.600") SOA("example.com.", 6)
	         SOA("example.com.", 7) BODY("example.com.", "192.0.2.7") SOA("example.com.", 7));
	is_int(r.good, 2, "good versions around a bad one");
	is_int(r.bad, 1, "the bad one refused");
	is_int(serving("example.com."), 7, "serial 7 serves");

	r = feed(SOA("example.com.", 8) BODY("example.com.", "192.0.2.8")
	         "www.example.com. 60 IN A 192.0.2.900\n");
	is_int(r.bad, 1, "a bad last version (ended by EOF) is refused");
	is_int(serving("example.com."), 7, "the previous version keeps serving");

	/* Several zones on one stream; a SOA of another zone ends a version. */
	r = feed(SOA("example.org.", 1) BODY("example.org.", "192.0.2.11")
	         SOA("example.net.", 9) BODY("example.net.", "192.0.2.12"));
	is_int(r.good, 2, "two zones from one stream");
	is_int(serving("example.org."), 1, "example.org served");
	is_int(serving("example.net."), 9, "example.net served");
	is_int(serving("example.com."), 7, "example.com untouched");

	/* Records before any SOA are refused and skipped. */
	r = feed("www.example.com. 60 IN A 192.0.2.1\n"
	         SOA("example.com.", 10) BODY("example.com.", "192.0.2.10"));
	is_int(r.bad, 1, "records before the SOA counted as one refusal");
	is_int(r.good, 1, "the version after them goes in");
	is_int(serving("example.com."), 10, "serial 10 serves");

	r = feed("");
	is_int(r.good + r.bad, 0, "an empty stream changes nothing");
	is_int(zoneset_count(server_current()), 3, "three zones served");

	server_stop();
	return done_testing();
}
