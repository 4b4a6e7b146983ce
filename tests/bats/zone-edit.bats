#!/usr/bin/env bats
# lbdns-zone add, del, set, serial: command-line edits, serial bumps,
# in-place edits that are atomic and refused when the zone would break.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	_common_setup
	T="$BATS_TEST_TMPDIR"
	lbdns-zone gen --origin example.com --serial 10 "$DATA/hosts/basic.hosts" >"$T/z"
}
teardown() { _common_teardown; }

serial_of() { awk '$4 == "SOA" { print $7 }' "$1"; }

@test "add: a record to stdout, serial bumped, file unchanged" {
	cp "$T/z" "$T/orig"
	run --separate-stderr lbdns-zone add "$T/z" 'www 300 IN A 192.0.2.9'
	assert_success
	assert_line --regexp '^www +300 +IN A +192\.0\.2\.9$'
	# RFC 2181 §5.2: the RRset takes the new TTL, annotations stay
	assert_line --regexp '^www +300 +IN A +192\.0\.2\.10 ; lbdns: weight=3'
	assert_line --regexp 'IN SOA .* 11 3600'
	cmp "$T/orig" "$T/z"
	echo "$output" >"$T/new"
	named-checkzone -i local example.com "$T/new"
	kzonecheck -o example.com "$T/new"
}

@test "add -i: in place, a new name at the end, TTL taken from the SOA when omitted" {
	lbdns-zone add -i "$T/z" 'fresh A 192.0.2.77 ; lbdns: weight=4' 'fresh AAAA 2001:db8::77'
	run grep -E '^fresh ' "$T/z"
	assert_line --regexp '^fresh +3600 +IN A +192\.0\.2\.77 ; lbdns: weight=4$'
	assert_line --regexp '^fresh +3600 +IN AAAA +2001:db8::77$'
	[ "$(serial_of "$T/z")" = 11 ]
	# a record without TTL joins its RRset's TTL
	lbdns-zone add -i --no-serial "$T/z" 'www A 192.0.2.12'
	grep -Eq '^www +30 +IN A +192\.0\.2\.12$' "$T/z"
	[ "$(serial_of "$T/z")" = 11 ]
	# adding what is there changes nothing, not even the serial
	lbdns-zone add -i "$T/z" 'www A 192.0.2.12'
	[ "$(serial_of "$T/z")" = 11 ]
}

@test "del: a record, an RRset, a name" {
	run --separate-stderr lbdns-zone del "$T/z" 'www A 192.0.2.10'
	assert_success
	refute_line --partial '192.0.2.10'
	assert_line --partial '192.0.2.11'
	run --separate-stderr lbdns-zone del "$T/z" 'www A'
	refute_line --regexp '^www .* IN A '
	assert_line --regexp '^www .* IN AAAA '
	run --separate-stderr lbdns-zone del "$T/z" 'www' 'api.example.com.'
	refute_line --regexp '^(www|api) '
	assert_line --regexp 'IN SOA .* 11 3600'
}

@test "del: nothing to delete is exit 1; deleting the SOA or every apex NS is refused" {
	cp "$T/z" "$T/orig"
	run --separate-stderr lbdns-zone del -i "$T/z" 'nothere A'
	assert_failure 1
	[[ $stderr == *"no such record"* ]]
	run --separate-stderr lbdns-zone del -i "$T/z" '@ SOA'
	assert_failure 2
	run --separate-stderr lbdns-zone del -i "$T/z" '@ NS'
	assert_failure 2
	[[ $stderr == *"would not load"* ]]
	run --separate-stderr lbdns-zone del -i "$T/z" 'www BOGUSTYPE'
	assert_failure 2
	[[ $stderr == *"unknown type"* ]]
	cmp "$T/orig" "$T/z"
}

@test "set: replaces an RRset, keeps its TTL when none is given" {
	run --separate-stderr lbdns-zone set "$T/z" 'www A 192.0.2.200' 'www A 192.0.2.201 ; lbdns: weight=2'
	assert_success
	refute_line --partial '192.0.2.10 '
	refute_line --partial '192.0.2.11 '
	assert_line --regexp '^www +30 +IN A +192\.0\.2\.200$'
	assert_line --regexp '^www +30 +IN A +192\.0\.2\.201 ; lbdns: weight=2$'
	assert_line --regexp '^www +30 +IN AAAA +2001:db8::10'
	run --separate-stderr lbdns-zone set "$T/z" 'mail 60 MX 10 mx.example.net.'
	assert_line --regexp '^mail +60 +IN MX +10 mx\.example\.net\.$'
	assert_line --regexp '^mail +600 +IN A '
}

@test "serial: bump by policy, never backwards" {
	run --separate-stderr lbdns-zone serial "$T/z"
	assert_line --regexp 'IN SOA .* 11 3600'
	run --separate-stderr lbdns-zone serial --serial 5000 "$T/z"
	assert_line --regexp 'IN SOA .* 5000 3600'
	run --separate-stderr lbdns-zone serial --serial 3 "$T/z"
	assert_line --regexp 'IN SOA .* 11 3600'
	run --separate-stderr lbdns-zone serial --serial date "$T/z"
	assert_line --regexp "IN SOA .* $(date -u +%Y%m%d)00 3600"
	lbdns-zone serial -i "$T/z"
	lbdns-zone serial -i "$T/z"
	[ "$(serial_of "$T/z")" = 12 ]
	run --separate-stderr lbdns-zone serial "$T/z" extra
	assert_failure 2
}

@test "edits: bad records are refused with exit 2 and the file untouched" {
	cp "$T/z" "$T/orig"
	for rr in 'www A 192.0.2.300' 'www 60 IN BOGUS 1' 'www CNAME other' 'x.example.org. A 192.0.2.1' \
		'@ SOA ns hm 1 2 3 4 5' 'bad..name A 192.0.2.1' 'www A 192.0.2.1
www A 192.0.2.2'; do
		run --separate-stderr lbdns-zone add -i "$T/z" "$rr"
		[ "$status" -eq 2 ] || { echo "status $status for '$rr'"; return 1; }
		[ -n "$stderr" ] || { echo "no message for '$rr'"; return 1; }
		cmp "$T/orig" "$T/z"
	done
	[ "$(ls "$T" | grep -c '\.tmp\.')" -eq 0 ]
}

@test "edits: the zone can come from standard input; -i needs a file" {
	run --separate-stderr lbdns-zone add - 'new A 192.0.2.5' <"$T/z"
	assert_success
	assert_line --regexp '^new +3600 +IN A +192\.0\.2\.5$'
	run --separate-stderr lbdns-zone add -i - 'new A 192.0.2.5' <"$T/z"
	assert_failure 2
	run --separate-stderr lbdns-zone add "$T/z"
	assert_failure 2
	printf 'garbage here\n' >"$T/broken"
	run --separate-stderr lbdns-zone add "$T/broken" 'new A 192.0.2.5'
	assert_failure 2
	[[ $stderr == *"broken:1:"* ]]
}
