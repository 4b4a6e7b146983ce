#!/usr/bin/env bats
# conformance.bats: lbdns reads zone files as BIND and ldns do.
#
# Every file of the corpus (../shared/conformance/zones, MANIFEST.tsv) and
# of tests/data/conformance/ is read three ways:
#   BIND  named-compilezone -i none ... -o OUT ORIGIN FILE (run in the
#         file's directory, as BIND's own tests do, for relative $INCLUDE)
#   ldns  ldns-read-zone (origin given as $ORIGIN, it has no option)
#   lbdns tests/tools/zdump.c: zparse_file() and nothing else, each record
#         printed as RFC 3597 generic wire hex straight from the parser
# and tests/tools/zcanon.py turns each into a set of canonical records
# (owner decoded and lowercased; RDATA as wire octets in DNSSEC canonical
# form, so no printer's choices count). BIND's and ldns's text goes
# through `ldns-read-zone -c -U TYPE0` to get the generic form; the few
# records ldns cannot read back go through lbdns instead (zconform.py
# says how many). tests/tools/zconform.py does the work, one line a case:
#   equal         BIND accepts, lbdns's record set is BIND's
#   both-reject   BIND rejects, lbdns too, naming the same lines, with
#                 file:line:col
#   zone-reject   BIND rejects for a zone rule (CNAME and other data...),
#                 lbdns's parser reads it and `lbdns-zone check` rejects
# and anything else is a difference (differ, lbdns-rejects, lbdns-accepts,
# reject-lines-differ, zone-accepts, noline, tool-error, crash). Where
# BIND and ldns disagree we follow BIND (ldns only informs).
#
# Knot's scanner tests (record lists with an OK and a KO part) are also
# read as OK part alone (#ok) and as OK part plus each KO record (#koN);
# an SOA and NS are appended where BIND wants them to load a zone.
#
# A difference that is a choice stays in EXPECTED below with its reason;
# every other must be fixed. The test also fails when an expected
# difference goes away, so the list stays true.

load helpers

setup_file() {
	local root build san=""
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	build=${LBDNS_BUILD:-$root/build}
	case "$build" in
	*/san) san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" ;;
	esac
	export CONF_DIR="$BATS_FILE_TMPDIR"
	# shellcheck disable=SC2086
	cc -std=c11 -D_GNU_SOURCE -I"$root" -O1 -g $san -Wall -Wextra -Werror \
	    -o "$CONF_DIR/zdump" "$root/tests/tools/zdump.c" "$build/libcommon.a" \
	    2>"$CONF_DIR/zdump.log"
	expected >"$CONF_DIR/expected.tsv"
	known_lines >"$CONF_DIR/known.txt"
	mkdir -p "$CONF_DIR/work"
	local cases=() f
	for f in "$root"/tests/data/conformance/*.zone; do
		cases+=("$root/tests/data/conformance:$(basename "$f"):example")
	done
	python3 "$root/tests/tools/zconform.py" --zdump "$CONF_DIR/zdump" \
	    --zone-tool "$build/lbdns-zone" --known "$CONF_DIR/known.txt" \
	    --tmp "$CONF_DIR/work" \
	    --manifest "$root/../shared/conformance/zones/MANIFEST.tsv" \
	    "${cases[@]}" >"$CONF_DIR/results.tsv" 2>"$CONF_DIR/zconform.log"
}

setup() { _common_setup; }
teardown() { _common_teardown; }

# ID <TAB> VERDICT <TAB> why lbdns differs from BIND 9.18 there.
expected() {
	local eui="BIND 9.18 reads EUI-48/64 octets with sscanf (1 hex digit, trailing garbage); RFC 7043 §3.2/4.2 wants 2 digits each and BIND's own bad-eui* tests and later versions refuse these"
	local zone="zone rule, not syntax: lbdns's parser reads the records; lbdns-zone check does not apply this BIND check (zone_check.c)"
	cat <<EOF
bind9-checkzone/zones/good-svcb.db	differ	alpn="h1\\\\\\\\,h2,h3": BIND 9.18 and ldns unescape once and split at every comma (h1\\ h2 h3); lbdns follows RFC 9460 Appendix A (\\\\, is a comma inside an item: h1,h2 h3), whose test vectors BIND 9.18 fails
bind9-checkzone/zones/bad-eui48-no-leading-zero.db	lbdns-rejects	$eui
bind9-checkzone/zones/bad-eui48-trailing-garbage.db	lbdns-rejects	$eui
bind9-checkzone/zones/bad-eui64-no-leading-zero.db	lbdns-rejects	$eui
bind9-checkzone/zones/bad-eui64-trailing-garbage.db	lbdns-rejects	$eui
knot-zscanner/43_EUI48.in#ko5	lbdns-rejects	$eui
knot-zscanner/43_EUI48.in#ko6	lbdns-rejects	$eui
knot-zscanner/44_EUI64.in#ko5	lbdns-rejects	$eui
knot-zscanner/44_EUI64.in#ko6	lbdns-rejects	$eui
bind9-master/testdata/master/master16.data	lbdns-accepts	TXT of 65512 octets, the most that fits a message: BIND's master-file unit test loads it (parse-ok), named-compilezone's loader runs out of buffer
knot-zscanner/30_KEY.in#ok	lbdns-accepts	KEY 65535 ... AA==: BIND's KEY parser stops after flags with both no-key bits and calls the key extra input; lbdns reads the key (obsolete KEY type, SIG(0) only)
knot-zscanner/30_KEY.in#ko10	lbdns-accepts	same KEY record as 30_KEY.in#ok
knot-zscanner/00-0_general.in#ok	zone-accepts	$zone (SOA below the apex)
knot-zscanner/40_NSEC3PARAM.in#ok	zone-accepts	$zone (NSEC3PARAM hash algorithm and iterations)
knot-zscanner/49_CDS.in#ok	zone-accepts	$zone (CDS/CDNSKEY consistency)
knot-zscanner/50_CDNSKEY.in#ok	zone-accepts	$zone (CDS/CDNSKEY consistency)
knot-zscanner/50_CDNSKEY.in#ko10	zone-accepts	$zone (CDS/CDNSKEY consistency)
nsd-tpkg/parsezone/possible-stack-buffer-overflow	reject-lines-differ	fuzzer garbage that both refuse; after an error BIND skips to the next record differently
knot-zscanner/57_SVCB.in#ko57	reject-lines-differ	both refuse the record (mandatory lists key123 twice); BIND names the record's first line, lbdns the token's, two lines on
EOF
}

# FILE:LINE of records where BIND and lbdns are known to differ inside a
# file both reject (zconform.py leaves these lines out of the comparison).
known_lines() {
	cat <<'EOF'
30_KEY.in:6	KEY with the no-key flags and a key (see 30_KEY.in#ok)
43_EUI48.in:18	EUI-48 sscanf leniency (see bad-eui48-*)
43_EUI48.in:19	EUI-48 sscanf leniency
44_EUI64.in:18	EUI-64 sscanf leniency
44_EUI64.in:19	EUI-64 sscanf leniency
57_SVCB.in:25	ohttp (RFC 9540, key 8): BIND 9.18 does not know it
example:265	ohttp, as 57_SVCB.in:25
57_SVCB.in:52	alpn=a\\b, a\\\b, a\\092,b (#ko20-22): BIND takes a backslash in an alpn item literally; lbdns follows RFC 9460 Appendix A, where only \, and \\ are escapes there
57_SVCB.in:72	same alpn escapes in the whole file
57_SVCB.in:73	same alpn escapes in the whole file
57_SVCB.in:74	same alpn escapes in the whole file
57_SVCB.in:113	both refuse the record; BIND names its first line, lbdns the token's
57_SVCB.in:114	same record as 57_SVCB.in:113
badttl.db:3	both refuse the zone ($TTL without value); after that error BIND also loses line 2's owner
EOF
}

# Lines of results.tsv whose verdict is not a match, minus EXPECTED.
unexpected() {
	awk -F'\t' -v pat="$1" '
		NR == FNR { want[$1 "\t" $2] = 1; next }
		$1 ~ pat && $2 != "equal" && $2 != "both-reject" && $2 != "zone-reject" &&
		    !(($1 "\t" $2) in want) { print }
	' "$CONF_DIR/expected.tsv" "$CONF_DIR/results.tsv"
}

@test "zdump builds against libcommon and prints the parser's records" {
	[ -x "$CONF_DIR/zdump" ] || { cat "$CONF_DIR/zdump.log"; false; }
	printf '$ORIGIN example.\n@ 300 IN MX 10 Mail\n' >"$BATS_TEST_TMPDIR/a.zone"
	run "$CONF_DIR/zdump" example "$BATS_TEST_TMPDIR/a.zone"
	assert_success
	assert_output "$(printf 'example.\t300\tCLASS1\tTYPE15\t\\# 16 000a044d61696c076578616d706c6500')"
	printf '$ORIGIN example.\n@ 300 IN A 1.2.3\n' >"$BATS_TEST_TMPDIR/b.zone"
	run "$CONF_DIR/zdump" example "$BATS_TEST_TMPDIR/b.zone"
	assert_failure 1
	assert_output --regexp "b\.zone:2:[0-9]+: bad IPv4 address"
}

@test "zcanon: owner escapes and case, RRset TTLs, RRSIG sets per type covered" {
	run python3 "$LBDNS_ROOT/tests/tools/zcanon.py" --rrset-ttl <<'EOF'
A\066c.example.	300	IN	TYPE1	\# 4 01020304
abc.example.	600	IN	TYPE1	\# 4 01020305
x.example.	60	CLASS3	TYPE46	\# 2 0001
x.example.	70	CLASS3	TYPE46	\# 2 0002
x\.y.example.	1	IN	TYPE65535	\# 0
EOF
	assert_success
	assert_output "$(printf '%s\n' 'abc.example. 300 CLASS1 TYPE1 01020304' \
	    'abc.example. 300 CLASS1 TYPE1 01020305' \
	    'x.example. 60 CLASS3 TYPE46 0001' 'x.example. 70 CLASS3 TYPE46 0002' \
	    'x\046y.example. 1 CLASS1 TYPE65535 ')"
	run python3 "$LBDNS_ROOT/tests/tools/zcanon.py" <<<'a. 1 IN TYPE1 \# 4 0102'
	assert_failure
	assert_output --partial "length mismatch"
}

@test "the comparison ran over the whole corpus" {
	[ -s "$CONF_DIR/results.tsv" ] || { cat "$CONF_DIR/zconform.log"; false; }
	local files
	files=$(($(wc -l <"$CONFORMANCE/MANIFEST.tsv") - 1))
	# One line per manifest file (plus Knot's #ok/#koN cases) and per own file.
	run awk -F'\t' '$1 !~ /#/' "$CONF_DIR/results.tsv"
	[ "${#lines[@]}" -ge "$files" ]
	run grep -c '^conformance/' "$CONF_DIR/results.tsv"
	[ "$output" -ge 10 ]
	# Per-source counts, for the record.
	awk -F'\t' '{ split($1, p, "/"); n[p[1]]++; v[p[1] " " $2]++ }
	    END { for (k in v) print k, v[k] }' "$CONF_DIR/results.tsv" | sort >&3
}

@test "BIND-accepted corpus files: lbdns gives BIND's record set" {
	run unexpected '^(bind9|knot|nsd|dnspython|simdzone)'
	run awk -F'\t' '$2 == "differ" || $2 == "lbdns-rejects" || $2 == "tool-error" || $2 == "crash"' <<<"$output"
	assert_output ""
}

@test "BIND-rejected corpus files: lbdns rejects them, at the same lines" {
	run unexpected '^(bind9|knot|nsd|dnspython|simdzone)'
	assert_output ""
}

@test "own edge cases (tests/data/conformance) read as BIND reads them" {
	run unexpected '^conformance/'
	assert_output ""
	# The valid ones compare equal, the bad-* ones are refused by both.
	run awk -F'\t' '$1 ~ /conformance\/bad-/ && $2 != "both-reject"' "$CONF_DIR/results.tsv"
	assert_output ""
	run grep -c -P '^conformance/[^\t]*\tequal\t' "$CONF_DIR/results.tsv"
	[ "$output" -ge 8 ]
}

@test "every expected difference still happens (the list stays true)" {
	run awk -F'\t' 'NR == FNR { got[$1 "\t" $2] = 1; next }
	    !(($1 "\t" $2) in got) { print "no longer happens: " $1 " " $2 }' \
	    "$CONF_DIR/results.tsv" "$CONF_DIR/expected.tsv"
	assert_output ""
}

@test "lbdns's refusals carry file:line:col and no crash" {
	run awk -F'\t' '$2 == "noline" || $2 == "crash"' "$CONF_DIR/results.tsv"
	assert_output ""
	run lbdns-zone check --origin example. "$DATA/conformance/bad-uri-bare.zone"
	assert_failure 1
	assert_output --regexp "bad-uri-bare\.zone:7:12: error: URI target must be quoted"
}
