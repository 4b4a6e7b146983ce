#!/usr/bin/env bats
# lbdns-zone fmt: canonical output, same record set, annotations kept.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	_common_setup
	T="$BATS_TEST_TMPDIR"
}
teardown() { _common_teardown; }

# The record set as BIND loads it, normalized and sorted.
records() {
	named-compilezone -k ignore -i local -q -o - "$1" "$2" | sort
}

# Zones of the conformance corpus that BIND accepts and lbdns parses.
CORPUS="
bind9-checkzone/zones/good1.db example
bind9-checkzone/zones/good-generate-modifier.db example
bind9-checkzone/zones/good-nsap.db example
bind9-checkzone/zones/good-svcb.db example
bind9-checkzone/zones/good-occulted-ns-by-dname.db example
bind9-checkzone/zones/good-cds.db example
bind9-checkzone/zones/good-cdnskey.db example
bind9-checkzone/zones/good-gc-msdcs.db example
bind9-checkzone/zones/good-spf-exception.db example
bind9-checkzone/zones/generate-overflow.db example.com
bind9-checkzone/zones/delegating-ns-address-below-dname.db example.com
bind9-checkzone/zones/zone1.db zone1.com
bind9-checkzone/zones/test1.db test
bind9-checkzone/zones/test2.db test
bind9-checkzone/zones/spf.db example
bind9-master/testdata/master/master1.data test
nsd-tpkg/bug058_qn_246.zone miek.nl
nsd-tpkg/bug090_000_txt.zone text-test.nl
nsd-tpkg/bug144_loc_defaults.zone example.com
nsd-tpkg/bug236_rrs_before_soa.zone bug236_rrs_before_soa.net
nsd-tpkg/bug088_ff_ip4.zone miek.nl
nsd-tpkg/parsezone/parsezone.zone example.com
"

@test "fmt: corpus zones keep exactly their record set (named-compilezone)" {
	[ -d "$CONFORMANCE" ] || skip "no conformance corpus"
	n=0
	while read -r f origin; do
		[ -n "$f" ] || continue
		dir=$(dirname "$CONFORMANCE/$f")
		(cd "$dir" && lbdns-zone fmt --origin "$origin" "$(basename "$f")") >"$T/out" ||
			{ echo "fmt failed on $f"; return 1; }
		named-checkzone -k ignore -i local -q "$origin" "$T/out" || { echo "BIND refuses fmt of $f"; return 1; }
		(cd "$dir" && records "$origin" "$(basename "$f")") >"$T/want"
		records "$origin" "$T/out" >"$T/got"
		diff -u "$T/want" "$T/got" || { echo "record set differs for $f"; return 1; }
		n=$((n + 1))
	done <<<"$CORPUS"
	[ "$n" -ge 20 ]
}

@test "fmt: the same set by ldns-read-zone too, absolute and sorted" {
	f="$CONFORMANCE/bind9-checkzone/zones/good1.db"
	[ -f "$f" ] || skip "no conformance corpus"
	lbdns-zone fmt --absolute --sort --origin example "$f" >"$T/out"
	ldns-read-zone -c -o example. "$f" | grep -v '^;' | sort >"$T/want"
	ldns-read-zone -c -o example. "$T/out" | grep -v '^;' | sort >"$T/got"
	diff -u "$T/want" "$T/got"
	# absolute: no $ORIGIN, every owner ends in a dot
	run grep -c '^\$ORIGIN' "$T/out"
	assert_output 0
	run awk '$1 !~ /\.$/' "$T/out"
	assert_output ''
}

@test "fmt: one record a line, aligned, relative names; annotations kept, --plain drops them" {
	cat >"$T/in.zone" <<-'EOF2'
	$ORIGIN example.com.
	$TTL 300
	@ IN SOA ns hostmaster ( 5 ; serial
	    3600 900 1209600 300 )
	  IN NS ns
	ns A 192.0.2.1
	www 30 A 192.0.2.10 ; lbdns: weight=3 region=eu
	www.example.com. 30 IN A 192.0.2.11 ;lbdns: weight=1
	EOF2
	run --separate-stderr lbdns-zone fmt "$T/in.zone"
	assert_success
	assert_output "\$ORIGIN example.com.
@   300     IN SOA    ns.example.com. hostmaster.example.com. 5 3600 900 1209600 300
@   300     IN NS     ns.example.com.
ns  300     IN A      192.0.2.1
www 30      IN A      192.0.2.10 ; lbdns: weight=3 region=eu
www 30      IN A      192.0.2.11 ; lbdns: weight=1"
	run --separate-stderr lbdns-zone fmt --plain "$T/in.zone"
	refute_output --partial 'lbdns:'
	echo "$output" >"$T/plain"
	named-checkzone -i local example.com "$T/plain"
	kzonecheck -o example.com "$T/plain"
}

@test "fmt --sort: DNSSEC canonical order, SOA first" {
	printf '$ORIGIN example.com.\nz 60 IN A 192.0.2.3\nB 60 IN A 192.0.2.2\n@ 60 IN NS ns\n@ 60 IN SOA ns hm 1 2 3 4 5\na.b 60 IN A 192.0.2.9\nb 60 IN A 192.0.2.1\nns 60 IN A 192.0.2.4\n' >"$T/in.zone"
	run --separate-stderr lbdns-zone fmt --sort "$T/in.zone"
	assert_success
	run awk '!/^\$/ { print $1, $4, $5 }' <<<"$output"
	assert_output "@ SOA ns.example.com.
@ NS ns.example.com.
b A 192.0.2.1
B A 192.0.2.2
a.b A 192.0.2.9
ns A 192.0.2.4
z A 192.0.2.3"
}

@test "fmt -i rewrites in place; bad input: file:line:col, exit 2, file untouched" {
	lbdns-zone gen --origin example.com "$DATA/hosts/basic.hosts" >"$T/z"
	lbdns-zone fmt -i "$T/z"
	named-checkzone -i local example.com "$T/z"
	printf '$ORIGIN example.com.\n@ 60 IN SOA ns hm 1 2 3 4 5\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\nwww 60 IN BOGUS x\nbad 60 IN A 192.0.2.300\n' >"$T/bad.zone"
	cp "$T/bad.zone" "$T/before"
	run --separate-stderr lbdns-zone fmt -i "$T/bad.zone"
	assert_failure 2
	[[ $stderr == *"bad.zone:5:"*"BOGUS"* ]]
	[[ $stderr == *"bad.zone:6:"* ]]
	cmp "$T/before" "$T/bad.zone"
	run --separate-stderr lbdns-zone fmt "$T/nonexistent"
	assert_failure 2
	head -c 3000 /dev/urandom >"$T/garbage"
	run --separate-stderr lbdns-zone fmt --origin example.com "$T/garbage"
	assert_failure 2
	assert_output ''
}

@test "fmt: a zone from standard input" {
	lbdns-zone gen --origin example.com "$DATA/hosts/basic.hosts" >"$T/z"
	run --separate-stderr lbdns-zone fmt --absolute <"$T/z"
	assert_success
	assert_line --regexp '^www\.example\.com\. +30 +IN A +192\.0\.2\.10 ; lbdns: weight=3'
}
