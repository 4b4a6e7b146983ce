#!/usr/bin/env bats
# lbdns-zone check: the server's own loader, findings as file:line.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	_common_setup
	T="$BATS_TEST_TMPDIR"
	cat >"$T/bad.zone" <<-'EOF2'
	$ORIGIN example.com.
	@    3600 IN SOA ns hostmaster 1 3600 900 1209600 300
	@    3600 IN NS  ns
	ns   3600 IN A   192.0.2.1
	www  3600 IN CNAME other
	www  3600 IN A   192.0.2.2
	foo  3600 IN A   192.0.2.999
	bar  3600 IN BOGUS 1
	EOF2
}
teardown() { _common_teardown; }

@test "check: a generated zone is clean, exit 0" {
	lbdns-zone gen --origin example.com "$DATA/hosts/basic.hosts" >"$T/ok.zone"
	run --separate-stderr lbdns-zone check "$T/ok.zone"
	assert_success
	assert_output --regexp '^.*ok\.zone: ok, serial [0-9]+, 11 records, 0 warnings$'
	run --separate-stderr lbdns-zone check -q "$T/ok.zone"
	assert_success
	assert_output ''
}

@test "check: every error is reported with file:line, exit 1" {
	run --separate-stderr lbdns-zone check "$T/bad.zone"
	assert_failure 1
	assert_line --partial "bad.zone:6: error:"
	assert_line --partial "CNAME and other data"
	assert_line --regexp "bad\.zone:7:[0-9]+: error: .*1\.2?9?2?.*|bad\.zone:7:[0-9]+: error: .*IPv4"
	assert_line --regexp "bad\.zone:8:[0-9]+: error: .*BOGUS"
	assert_line --partial "bad.zone: 3 errors"
}

@test "check --json: one object a line" {
	run --separate-stderr lbdns-zone check --json "$T/bad.zone"
	assert_failure 1
	assert_line --regexp '^\{"file":"[^"]*bad\.zone","line":6,"col":0,"severity":"error","check":"[a-z-]+","message":".*"\}$'
	assert_line --regexp '"summary":true,"ok":false,"errors":3'
	while IFS= read -r line; do
		python3 -c 'import json,sys; json.loads(sys.argv[1])' "$line"
	done <<<"$output"
}

@test "check --origin: a zone without \$ORIGIN" {
	printf '@ 3600 IN SOA ns hm 1 2 3 4 5\n@ 3600 IN NS ns\nns 3600 IN A 192.0.2.1\n' >"$T/rel.zone"
	run --separate-stderr lbdns-zone check --origin example.org "$T/rel.zone"
	assert_success
	printf 'example.com. 3600 IN SOA ns hm 1 2 3 4 5\n' >"$T/other.zone"
	run --separate-stderr lbdns-zone check --origin example.org "$T/other.zone"
	assert_failure
}

@test "check: several files, the worst status wins; unreadable is 2" {
	lbdns-zone gen --origin example.com "$DATA/hosts/basic.hosts" >"$T/ok.zone"
	run --separate-stderr lbdns-zone check "$T/ok.zone" "$T/bad.zone"
	assert_failure 1
	run --separate-stderr lbdns-zone check "$T/ok.zone" "$T/missing.zone"
	assert_failure 2
	run --separate-stderr lbdns-zone check
	assert_failure 2
}

@test "check: a TTL over 2^31-1 is a warning at its line and reads as 0 (RFC 2181, as BIND)" {
	printf '$ORIGIN t.\n@ 300 SOA ns h 1 2 3 4 5\n@ 300 NS ns\nns 4294967295 A 192.0.2.1\n' >"$T/bigttl.zone"
	run --separate-stderr lbdns-zone check "$T/bigttl.zone"
	assert_success
	assert_output --partial "bigttl.zone:4:4: warning: TTL 4294967295 over the maximum 2147483647 (RFC 2181): 0 used"
	run --separate-stderr lbdns-zone fmt --absolute "$T/bigttl.zone"
	assert_output --regexp 'ns\.t\.[[:space:]]+0[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.1'
}

@test "check: a signed balanced RRset is a warning (with DO it is answered whole); unsigned or plain is not" {
	local head='$ORIGIN s.test.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n'
	local sig='RRSIG A 15 3 300 20371201000000 20250101000000 1 s.test. AAAA\n'
	printf "${head}www A 192.0.2.2 ; lbdns: weight=2\nwww A 192.0.2.3\nwww $sig" >"$T/sb.zone"
	run --separate-stderr lbdns-zone check "$T/sb.zone"
	assert_success
	assert_output --partial "sb.zone:6: warning: balanced A RRset is signed: answers with DO carry all its records, balancing only orders them"
	assert_output --partial "1 warning"
	# The same balanced RRset unsigned, and a signed plain RRset: no warning.
	printf "${head}www A 192.0.2.2 ; lbdns: weight=2\nwww A 192.0.2.3\n" >"$T/bu.zone"
	run --separate-stderr lbdns-zone check "$T/bu.zone"
	assert_output --partial "0 warnings"
	printf "${head}www A 192.0.2.2\nwww $sig" >"$T/ps.zone"
	run --separate-stderr lbdns-zone check "$T/ps.zone"
	assert_output --partial "0 warnings"
}
