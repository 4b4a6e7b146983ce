#!/usr/bin/env bats
# lbdns-trace against a fake hierarchy of lbdns-serve instances:
# root, test., other., and leaf zones for each case, on 127.N.250.x:5300.

setup_file() {
	load helpers
	_file_setup
	local d="$BATS_FILE_TMPDIR/zones" net=$LB_FILE_NET
	mkdir -p "$d"
	for f in "$LBDNS_ROOT"/tests/data/trace/*; do
		sed "s/@NET@/$net/g" "$f" >"$d/$(basename "$f")"
	done
	serve() { local ip=$1; shift; start_file_daemon "ns$ip" lbdns-serve -t 1 -l "$net.$ip:5300" "$@"; }
	serve 1 -z "$d/root.zone"
	serve 2 -z "$d/test.zone"
	serve 4 -z "$d/unrelated.zone"          # lame for lame.test: REFUSED
	serve 6 -z "$d/other.zone"
	serve 7 -z "$d/plain.zone"
	serve 8 -z "$d/sub.zone"
	serve 9 -z "$d/lame.zone"
	serve 10 -z "$d/glueless.zone" -z "$d/other.zone"
	serve 11 -z "$d/mismatch.zone"
	serve 12 -z "$d/serial1.zone"
	serve 13 -z "$d/serial2.zone"
	# nothing listens on .5: the dead server of lame.test
	for ip in 1 2 4 6 7 8 9 10 11 12 13; do
		wait_for_dns "$net.$ip" 5300 || return 1
	done
	export HINTS="$d/hints"
}

teardown_file() {
	load helpers
	_file_teardown
}

setup() {
	load helpers
	_common_setup
}

trace() {
	run_tool lbdns-trace --hints "$HINTS" --port 5300 --timeout 500 "$@"
}

@test "plain name: three hops to the answer, exit 0" {
	trace www.plain.test A
	assert_success
	assert_line --partial ";; hop 1: www.plain.test. A at . (1 server)"
	assert_line --partial ";; hop 2: www.plain.test. A at test."
	assert_line --partial ";; hop 3: www.plain.test. A at plain.test."
	assert_line --regexp '^www\.plain\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.1$'
	assert_line --partial ";; answer from zone plain.test. (3 queries, 0 problems"
}

@test "plain name sends no more queries than dig +trace would (one per hop)" {
	trace --json www.plain.test A
	assert_success
	[ "$(grep -c '"type":"query"' <<<"$output")" -eq 3 ]
	assert_line --regexp '"type":"summary","outcome":"answer","zone":"plain.test.","queries":3,"problems":0'
}

@test "sub-delegation: a deep chain reaches the leaf zone" {
	trace deep.sub.plain.test TXT
	assert_success
	assert_line --partial "at sub.plain.test."
	assert_line --partial '"deep"'
	assert_line --partial ";; answer from zone sub.plain.test. (4 queries"
}

@test "glueless delegation: the NS name is traced from the root" {
	trace www.glueless.test A
	assert_success
	assert_line --partial ";; resolved glueless ns.other.: 1 address"
	assert_line --partial "NS ns.other. (resolved) $LB_FILE_NET.10"
	assert_line --regexp 'www\.glueless\.test\..*192\.0\.2\.4'
}

@test "lame and dead servers beside a working one: answer found, problems reported, exit 1" {
	trace --all www.lame.test A
	assert_failure 1
	assert_line --regexp '^!! lame: ns2\.lame\.test\. \('"$LB_FILE_NET"'\.4\) is not authoritative for lame\.test\. \(REFUSED'
	assert_line --regexp '^!! unresponsive: ns3\.lame\.test\. \('"$LB_FILE_NET"'\.5\) for lame\.test\.: no reply'
	assert_line --regexp 'www\.lame\.test\..*192\.0\.2\.3'
	assert_line --partial ";; answer from zone lame.test."
}

@test "without --all the tracer stops at the first working server" {
	trace www.lame.test A
	assert_success
	refute_line --partial "ns2.lame.test. $LB_FILE_NET.4"
}

@test "parent/child NS mismatch is reported with --all" {
	trace --all www.mismatch.test A
	assert_failure 1
	assert_line --regexp '^!! ns-mismatch: mismatch\.test\. at .* lists NS \{ns\.mismatch\.test\. ns9\.mismatch\.test\.\}'
}

@test "differing SOA serials among a zone's servers are reported with --all" {
	trace --all www.serial.test A
	assert_failure 1
	assert_line --partial "SOA serial 1 at $LB_FILE_NET.12"
	assert_line --partial "SOA serial 2 at $LB_FILE_NET.13"
	assert_line --partial "!! serial-mismatch: the servers of serial.test. give different SOA serials"
}

@test "CNAME into another zone is followed from the root" {
	trace alias.plain.test A
	assert_success
	assert_line --regexp 'alias\.plain\.test\..*CNAME.*www\.other\.'
	assert_line --partial ";; following CNAME to www.other. from the root"
	assert_line --regexp 'www\.other\..*192\.0\.2\.99'
	assert_line --partial ";; answer from zone other."
}

@test "NXDOMAIN ends at the zone's SOA" {
	trace nothere.plain.test A
	assert_success
	assert_line --partial "aa nxdomain"
	assert_line --regexp 'plain\.test\..*SOA.*ns\.plain\.test\.'
	assert_line --partial ";; nxdomain from zone plain.test."
}

@test "NODATA ends at the zone's SOA" {
	trace www.plain.test AAAA
	assert_success
	assert_line --partial "aa nodata"
	assert_line --partial ";; nodata from zone plain.test."
}

@test "a name under a dead delegation fails with exit 1 and never hangs" {
	run_tool timeout 20 "$LBDNS_BUILD/lbdns-trace" --hints "$HINTS" --port 5300 --timeout 300 @"$LB_FILE_NET.5" www.plain.test
	assert_failure 1
	assert_line --partial "!! unresponsive"
	assert_line --partial ";; FAILED"
}

@test "@SERVER starts below the root" {
	trace @"$LB_FILE_NET.2" www.plain.test
	assert_success
	assert_line --partial ";; hop 2: www.plain.test. A at plain.test."
}

@test "--json gives one object a line" {
	trace --json www.plain.test
	assert_success
	while read -r line; do
		python3 -c 'import json,sys; json.loads(sys.argv[1])' "$line"
	done <<<"$output"
	assert_line --regexp '^\{"type":"hop","hop":1,"zone":"\.",'
}

@test "usage errors exit 2" {
	run_tool lbdns-trace
	assert_failure 2
	assert_output --partial "usage: lbdns-trace"
	run_tool lbdns-trace --port 0 www.example.
	assert_failure 2
	run_tool lbdns-trace www.example. NOSUCHTYPE
	assert_failure 2
	assert_output --partial "'NOSUCHTYPE' is not a record type"
	run_tool lbdns-trace --hints /nonexistent www.example.
	assert_failure 2
}

@test "--help and --version" {
	run_tool lbdns-trace --help
	assert_success
	assert_line --index 0 --partial "usage: lbdns-trace [-46] [--all]"
	run_tool lbdns-trace --version
	assert_output --regexp '^lbdns-trace [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a truncated UDP reply is asked again over TCP" {
	trace big.plain.test TXT
	assert_success
	assert_line --regexp 'ns\.plain\.test\. .* aa tc->tcp answer$'
	[ "$(grep -c 'IN[[:space:]]TXT' <<<"$output")" -eq 12 ]
}
