/* test_util.c: number parsing and error strings. */
#include "common/util.h"
#include "tests/unit/tap.h"

#include <string.h>

int main(void)
{
	unsigned long long v = 0;

	ok(lb_parse_uint("42", 0, 100, &v) == 0 && v == 42, "parses 42");
	is_int(lb_parse_uint("101", 0, 100, &v), LB_ERANGE, "101 is out of 0..100");
	is_int(lb_parse_uint("-1", 0, 100, &v), LB_EINVAL, "-1 is refused");
	is_int(lb_parse_uint("4x", 0, 100, &v), LB_EINVAL, "trailing junk is refused");
	is_int(lb_parse_uint("", 0, 100, &v), LB_EINVAL, "empty string is refused");
	is_int(lb_parse_uint("99999999999999999999999", 0, ~0ULL, &v), LB_ERANGE,
	       "overflow is refused");
	is_str(lb_strerror(LB_ELABEL), "label longer than 63 octets", "error text");
	return done_testing();
}
