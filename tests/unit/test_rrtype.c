/* test_rrtype.c: type and class mnemonics both ways. */
#include "common/rrtype.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <string.h>

static int type_of(const char *s)
{
	uint16_t t = 0;
	int r = rrtype_from_text(s, strlen(s), &t);

	return r < 0 ? r : t;
}

static int class_of(const char *s)
{
	uint16_t c = 0;
	int r = rrclass_from_text(s, strlen(s), &c);

	return r < 0 ? r : c;
}

int main(void)
{
	char buf[16];
	bool all = true;

	is_int(type_of("A"), RR_A, "A");
	is_int(type_of("aaaa"), RR_AAAA, "aaaa, any case");
	is_int(type_of("NSEC3PARAM"), RR_NSEC3PARAM, "NSEC3PARAM");
	is_int(type_of("NSAP-PTR"), RR_NSAP_PTR, "NSAP-PTR");
	is_int(type_of("Https"), RR_HTTPS, "Https");
	is_int(type_of("DLV"), RR_DLV, "DLV");
	is_int(type_of("TYPE65534"), 65534, "TYPE65534");
	is_int(type_of("type1"), 1, "type1 = A");
	is_int(type_of("TYPE65536"), LB_EINVAL, "TYPE65536 refused");
	is_int(type_of("TYPE"), LB_EINVAL, "TYPE without number refused");
	is_int(type_of("TYPE1x"), LB_EINVAL, "TYPE1x refused");
	is_int(type_of("AA"), LB_EINVAL, "AA refused");
	is_int(type_of("AAAAA"), LB_EINVAL, "AAAAA refused");
	is_int(type_of(""), LB_EINVAL, "empty refused");
	{
		uint16_t t = 0;
		is_int(rrtype_from_text("MXZ", 2, &t), 0, "length respected");
		is_int(t, RR_MX, "MX from MXZ/2");
	}
	is_str(rrtype_to_text(RR_SVCB, buf), "SVCB", "SVCB to text");
	is_str(rrtype_to_text(RR_NSAP_PTR, buf), "NSAP-PTR", "NSAP-PTR to text");
	is_str(rrtype_to_text(65280, buf), "TYPE65280", "TYPE65280 to text");
	is_str(rrtype_to_text(0, buf), "TYPE0", "TYPE0 to text");
	/* Every mnemonic maps back to itself: proves the table is sorted. */
	for (unsigned v = 0; v <= 65535; v++) {
		const char *s = rrtype_to_text((uint16_t)v, buf);
		uint16_t t;
		if (rrtype_from_text(s, strlen(s), &t) != 0 || t != v) {
			diag("type %u (%s) does not round trip", v, s);
			all = false;
		}
	}
	ok(all, "every type number round trips through text");

	is_int(class_of("IN"), RC_IN, "IN");
	is_int(class_of("ch"), RC_CH, "ch");
	is_int(class_of("HS"), RC_HS, "HS");
	is_int(class_of("NONE"), RC_NONE, "NONE");
	is_int(class_of("ANY"), RC_ANY, "ANY");
	is_int(class_of("CLASS42"), 42, "CLASS42");
	is_int(class_of("CLASS70000"), LB_EINVAL, "CLASS70000 refused");
	is_int(class_of("INX"), LB_EINVAL, "INX refused");
	is_str(rrclass_to_text(RC_IN, buf), "IN", "IN to text");
	is_str(rrclass_to_text(2, buf), "CLASS2", "CLASS2 to text");
	all = true;
	for (unsigned v = 0; v <= 65535; v++) {
		const char *s = rrclass_to_text((uint16_t)v, buf);
		uint16_t c;
		if (rrclass_from_text(s, strlen(s), &c) != 0 || c != v)
			all = false;
	}
	ok(all, "every class number round trips through text");
	return done_testing();
}
