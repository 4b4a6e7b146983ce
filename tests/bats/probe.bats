#!/usr/bin/env bats
# lbdns-probe one-shot mode: every check kind against real listeners on
# this file's loopback network, output format, exit codes, bad input.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	_common_setup
	HELPERS="$LBDNS_ROOT/tests/helpers"
	T="$BATS_TEST_TMPDIR"
}

teardown() {
	_common_teardown
}

# backend NAME SCRIPT ADDR PORT ARGS...: start a helper and wait until it listens
backend() {
	local name=$1 script=$2; shift 2
	start_daemon "$name" python3 "$HELPERS/$script" "$@"
	wait_for grep -q listening "$T/$name.log"
}

# gone PID: no such process, or only a zombie left
gone() {
	local st
	st=$(ps -o stat= -p "$1") || return 0
	[[ $st == Z* ]]
}

# elapsed_ms START: milliseconds since START (an $EPOCHREALTIME value)
elapsed_ms() {
	echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 ))
}

@test "probe: --version, --help and -h" {
	run_tool lbdns-probe --version
	assert_success
	assert_output --regexp '^lbdns-probe [0-9]+\.[0-9]+'
	run_tool lbdns-probe -h
	assert_success
	assert_line --index 0 --partial 'usage: lbdns-probe'
	run_tool lbdns-probe --help
	assert_success
	assert_output --partial '--watch'
}

@test "probe: bad options are usage errors (exit 2)" {
	run_tool lbdns-probe --bogus </dev/null
	assert_failure 2
	run_tool lbdns-probe -t 0 </dev/null
	assert_failure 2
	assert_output --partial 'bad timeout'
	run_tool lbdns-probe -t abc </dev/null
	assert_failure 2
	run_tool lbdns-probe -j 0 </dev/null
	assert_failure 2
	run_tool lbdns-probe --check 'smtp:25' </dev/null
	assert_failure 2
	assert_output --partial 'unknown check'
	run_tool lbdns-probe --expect '200-1000' </dev/null
	assert_failure 2
	run_tool lbdns-probe --watch 1 --initial maybe </dev/null
	assert_failure 2
	run_tool lbdns-probe "$T/does-not-exist"
	assert_failure 2
}

@test "probe: a bad check names file:line, prints nothing, exits 2" {
	cat >"$T/hosts" <<-EOF
	www $LB_NET.10 check=tcp:80
	# a comment
	www $LB_NET.11 check=tcp:99999
	EOF
	run --separate-stderr lbdns-probe -f "$T/hosts"
	assert_failure 2
	assert_output ''
	[[ $stderr == *"$T/hosts:3: tcp check: bad port '99999'"* ]]

	printf 'www %s.10 expect=20x check=http://x/\n' "$LB_NET" >"$T/hosts"
	run lbdns-probe "$T/hosts"
	assert_failure 2
	assert_output --partial "$T/hosts:1: bad expect"
}

@test "probe: a malformed list names file:line, prints nothing, exits 2" {
	printf 'www %s.10 check=tcp:80\nwww 999.1.1.1 check=tcp:80\n' "$LB_NET" >"$T/hosts"
	run --separate-stderr lbdns-probe -f "$T/hosts"
	assert_failure 2
	assert_output ''
	[[ $stderr =~ ^lbdns-probe:\ $T/hosts:2(:[0-9]+)?:\  ]]
}

@test "probe: --max-hosts: a longer list names file:line and the limit, exits 2" {
	printf 'a %s.10 check=none\nb %s.11 check=none\n%s.12 c d\n' "$LB_NET" "$LB_NET" "$LB_NET" >"$T/hosts"
	run --separate-stderr lbdns-probe --max-hosts 4 -f "$T/hosts"
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	# the /etc/hosts line brings c and d: four hosts, one past 3
	run --separate-stderr lbdns-probe --max-hosts 3 -f "$T/hosts"
	assert_failure 2
	assert_output ''
	[[ $stderr == *"$T/hosts:3: too many hosts: more than 3 in one list (--max-hosts)"* ]]
	run --separate-stderr lbdns-probe --max-hosts 0 -f "$T/hosts"
	assert_failure 2
	[[ $stderr == *"bad --max-hosts '0'"* ]]
}

@test "probe: tcp up and down, attributes and order untouched, exit 1" {
	backend web http_backend.py "$LB_NET.10" 8080
	cat >"$T/hosts" <<-EOF
	# pool
	www   $LB_NET.10  weight=3 region=eu check=tcp:8080 x-custom=keep   # main
	www   $LB_NET.11  check=tcp:8080 weight=1 state=up rtt=9.9
	api   $LB_NET.10  priority=2 check=tcp:8081 error=old
	mail  $LB_NET.12
	EOF
	run_tool lbdns-probe -t 1 <"$T/hosts"
	assert_failure 1
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 --regexp "^www	$LB_NET\.10	weight=3 region=eu check=tcp:8080 x-custom=keep state=up rtt=[0-9]+\.[0-9]	# main$"
	# connection refused: down at once, stale rtt dropped, error set
	assert_line --index 1 "www	$LB_NET.11	check=tcp:8080 weight=1 state=down error=refused"
	assert_line --index 2 "api	$LB_NET.10	priority=2 check=tcp:8081 error=refused state=down"
	# no check: passed through unchanged
	assert_line --index 3 "mail	$LB_NET.12"
}

@test "probe: all up exits 0; --check gives the default check" {
	backend web http_backend.py "$LB_NET.10" 8080
	backend web2 http_backend.py "$LB_NET.11" 8080
	printf 'www %s.10\nwww %s.11 weight=2\n' "$LB_NET" "$LB_NET" >"$T/hosts"
	run_tool lbdns-probe --check tcp:8080 "$T/hosts"
	assert_success
	assert_line --index 0 --regexp "^www	$LB_NET\.10	state=up rtt="
	assert_line --index 1 --regexp "^www	$LB_NET\.11	weight=2 state=up rtt="
	# an explicit check=none opts a host out
	printf 'www %s.10 check=none\n' "$LB_NET" >"$T/hosts"
	run_tool lbdns-probe --check tcp:1 "$T/hosts"
	assert_success
	assert_output "www	$LB_NET.10	check=none"
}

@test "probe: http status rules: default 200-399, --expect, per-host expect=" {
	backend ok http_backend.py "$LB_NET.10" 8080
	backend err http_backend.py "$LB_NET.11" 8080 --status 503
	backend moved http_backend.py "$LB_NET.12" 8080 --status 302
	cat >"$T/hosts" <<-EOF
	a $LB_NET.10 check=http://$LB_NET.10:8080/health
	b $LB_NET.11 check=http://$LB_NET.11:8080/health
	c $LB_NET.12 check=http://$LB_NET.12:8080/health
	d $LB_NET.11 check=http://$LB_NET.11:8080/health expect=500-599
	e $LB_NET.10 check=http://$LB_NET.10:8080/health expect=201,204
	EOF
	run_tool lbdns-probe -t 2 "$T/hosts"
	assert_failure 1
	assert_line --index 0 --partial 'state=up rtt='
	assert_line --index 1 --partial 'state=down error=http-503'
	assert_line --index 2 --partial 'state=up rtt='
	assert_line --index 3 --partial 'expect=500-599 state=up'
	assert_line --index 4 --partial 'state=down error=http-200'

	run_tool lbdns-probe -t 2 --expect 503 "$T/hosts"
	assert_line --index 0 --partial 'state=down error=http-200'
	assert_line --index 1 --partial 'state=up'
	assert_line --index 2 --partial 'state=down error=http-302'
}

@test "probe: http body substring rule" {
	backend web http_backend.py "$LB_NET.10" 8080 --body 'status: all good'
	cat >"$T/hosts" <<-EOF
	a $LB_NET.10 check=http://$LB_NET.10:8080/ body=good
	b $LB_NET.10 check=http://$LB_NET.10:8080/ body="all good"
	c $LB_NET.10 check=http://$LB_NET.10:8080/ body=bad
	EOF
	run_tool lbdns-probe "$T/hosts"
	assert_failure 1
	assert_line --index 0 --partial 'body=good state=up'
	assert_line --index 1 --partial 'body="all good" state=up'
	assert_line --index 2 --partial 'body=bad state=down error=body-mismatch'
}

@test "probe: http connects to the host's address, Host header from the URL" {
	backend web http_backend.py "$LB_NET.10" 8080
	backend web2 http_backend.py "$LB_NET.11" 8080 --status 500
	# the URL names a host nobody resolves: the probe must not look it up
	printf 'www %s.10\nwww %s.11\n' "$LB_NET" "$LB_NET" >"$T/hosts"
	run_tool lbdns-probe --check "http://www.example.test:8080/ping" "$T/hosts"
	assert_failure 1
	assert_line --index 0 --partial 'state=up'
	assert_line --index 1 --partial 'error=http-500'
	run grep -c "GET /ping www.example.test:8080" "$T/web.log"
	assert_output 1
	run grep -c "GET /ping www.example.test:8080" "$T/web2.log"
	assert_output 1
}

@test "probe: a backend that accepts but never answers is down after one timeout" {
	backend hang http_backend.py "$LB_NET.10" 8080 --hang
	backend ok http_backend.py "$LB_NET.11" 8080
	for i in $(seq 20); do
		printf 'h%s %s.10 check=http://%s.10:8080/\n' "$i" "$LB_NET" "$LB_NET"
	done >"$T/hosts"
	printf 'ok %s.11 check=http://%s.11:8080/\n' "$LB_NET" "$LB_NET" >>"$T/hosts"
	local t0=$EPOCHREALTIME
	run_tool lbdns-probe -t 1 "$T/hosts"
	local ms; ms=$(elapsed_ms "$t0")
	echo "took $ms ms" >&2
	assert_failure 1
	[ "$(grep -c 'state=down error=timeout' <<<"$output")" -eq 20 ]
	assert_line --index 20 --partial 'state=up'
	# all twenty at once: about one timeout, not twenty
	[ "$ms" -ge 950 ] && [ "$ms" -lt 2500 ]
}

@test "probe: https verifies certificates unless --insecure" {
	requires cmd:openssl
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
		-days 1 -subj /CN=www.example.test 2>/dev/null
	backend tls http_backend.py "$LB_NET.10" 8443 --tls "$T/cert.pem" "$T/key.pem"
	printf 'www %s.10 check=https://www.example.test:8443/\n' "$LB_NET" >"$T/hosts"
	run_tool lbdns-probe "$T/hosts"
	assert_failure 1
	assert_output --regexp 'state=down error=tls'
	run_tool lbdns-probe --insecure "$T/hosts"
	assert_success
	assert_output --partial 'state=up'
}

@test "probe: exec exit status, environment" {
	cat >"$T/hosts" <<-EOF
	www $LB_NET.10 weight=3 x-pool=blue check="exec:env >$T/env.\$LBDNS_ATTR_WEIGHT"
	bad $LB_NET.11 check="exec:exit 3"
	EOF
	run_tool lbdns-probe "$T/hosts"
	assert_failure 1
	assert_line --index 0 --partial 'state=up rtt='
	assert_line --index 1 --partial 'state=down error=exit-3'
	run cat "$T/env.3"
	assert_line LBDNS_NAME=www
	assert_line "LBDNS_ADDRESS=$LB_NET.10"
	assert_line LBDNS_ATTR_X_POOL=blue
	assert_line LBDNS_ATTR_WEIGHT=3
}

@test "probe: a hanging exec check is killed with its process group at the timeout" {
	cat >"$T/hosts" <<-EOF
	www $LB_NET.10 check="exec:sleep 300 & echo \$! >$T/child; echo \$\$ >$T/shell; wait"
	EOF
	local t0=$EPOCHREALTIME
	run_tool lbdns-probe -t 0.5 "$T/hosts"
	local ms; ms=$(elapsed_ms "$t0")
	assert_failure 1
	assert_output --partial 'state=down error=timeout'
	[ "$ms" -lt 2500 ]
	local child shell
	child=$(cat "$T/child")
	shell=$(cat "$T/shell")
	# both the shell and the background sleep it started are gone
	# killed processes may linger as zombies until init reaps them
	wait_for -t 2 gone "$shell"
	wait_for -t 2 gone "$child"
}

@test "probe: dns check: answer, refused, nodata, silence" {
	backend ok dns_backend.py "$LB_NET.10" 5300
	backend refused dns_backend.py "$LB_NET.11" 5300 --mode refused
	backend silent dns_backend.py "$LB_NET.12" 5300 --mode silent
	cat >"$T/hosts" <<-EOF
	a $LB_NET.10 check=dns:www.example.test:A:5300
	b $LB_NET.11 check=dns:www.example.test:A:5300
	c $LB_NET.10 check=dns:www.example.test:AAAA:5300
	d $LB_NET.12 check=dns:www.example.test:A:5300
	e $LB_NET.10 check=dns:www.example.test:BOGUS:5300
	EOF
	run_tool lbdns-probe -t 0.5 "$T/hosts"
	assert_failure 2
	assert_output --partial "$T/hosts:5: dns check: unknown type 'BOGUS'"
	sed -i '$d' "$T/hosts"
	run_tool lbdns-probe -t 0.5 "$T/hosts"
	assert_failure 1
	assert_line --index 0 --partial 'state=up rtt='
	assert_line --index 1 --partial 'state=down error=rcode-5'
	assert_line --index 2 --partial 'state=down error=nodata'
	assert_line --index 3 --partial 'state=down error=timeout'
	# non-recursive, fully qualified
	run grep -c '^www.example.test. 1 0$' "$T/ok.log"
	assert_output 1
}

@test "probe: --json writes one object per host" {
	backend web http_backend.py "$LB_NET.10" 8080
	printf 'www %s.10 check=tcp:8080\nwww %s.11 check=tcp:8080\nn %s.12\n' \
		"$LB_NET" "$LB_NET" "$LB_NET" >"$T/hosts"
	run_tool lbdns-probe --json "$T/hosts"
	assert_failure 1
	assert_equal "${#lines[@]}" 3
	run python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert rows[0]["state"] == "up" and rows[0]["rtt_ms"] >= 0 and rows[0]["error"] is None, rows[0]
assert rows[1]["state"] == "down" and rows[1]["error"] == "refused" and rows[1]["rtt_ms"] is None
assert rows[1]["name"] == "www" and rows[1]["check"] == "tcp:8080"
assert rows[2]["check"] is None
print(rows[1]["address"])' <<<"$output"
	assert_success
	assert_output "$LB_NET.11"
}

@test "probe: -j limits concurrency; a timeout per check, not per run" {
	backend hang http_backend.py "$LB_NET.10" 8080 --hang
	for i in 1 2 3 4; do
		printf 'h%s %s.10 check=http://%s.10:8080/\n' "$i" "$LB_NET" "$LB_NET"
	done >"$T/hosts"
	local t0=$EPOCHREALTIME
	run_tool lbdns-probe -j 2 -t 0.5 "$T/hosts"
	local ms; ms=$(elapsed_ms "$t0")
	assert_failure 1
	[ "$(grep -c 'error=timeout' <<<"$output")" -eq 4 ]
	# two slots, four checks: two timeouts in a row (one slot: four)
	[ "$ms" -ge 980 ] && [ "$ms" -lt 1900 ]
}

@test "probe: IPv6 hosts" {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null ||
		skip "no ::1"
	backend web http_backend.py ::1 18080
	backend dns dns_backend.py ::1 18053
	printf 'www ::1 check=tcp:18080\nwww ::1 check=http://[::1]:18080/\nns ::1 check=dns:a.test:A:18053\n' \
		>"$T/hosts"
	run_tool lbdns-probe "$T/hosts"
	assert_success
	assert_line --index 0 --partial 'state=up'
	assert_line --index 1 --partial 'state=up'
	assert_line --index 2 --partial 'state=up'
}

@test "probe: a tcp connect that gets no answer is down at the timeout" {
	backend hole blackhole.py "$LB_NET.10" 7000
	for i in $(seq 50); do
		printf 'h%s %s.10 check=tcp:7000\n' "$i" "$LB_NET"
	done >"$T/hosts"
	local t0=$EPOCHREALTIME
	run_tool lbdns-probe -t 0.5 "$T/hosts"
	local ms; ms=$(elapsed_ms "$t0")
	assert_failure 1
	[ "$(grep -c 'state=down error=timeout' <<<"$output")" -eq 50 ]
	[ "$ms" -ge 450 ] && [ "$ms" -lt 1500 ]
}

@test "probe: 2000 hosts, refused and blackholed, finish in about one timeout" {
	backend hole blackhole.py "$LB_NET.250" 7000
	for i in $(seq 2000); do
		if [ $((i % 10)) -eq 0 ]; then
			printf 'h%s %s.250 check=tcp:7000\n' "$i" "$LB_NET"
		else
			printf 'h%s %s.%s check=tcp:7001\n' "$i" "$LB_NET" $((i % 200 + 1))
		fi
	done >"$T/hosts"
	local t0=$EPOCHREALTIME
	run lbdns-probe -t 1 "$T/hosts"
	local ms; ms=$(elapsed_ms "$t0")
	echo "took $ms ms" >&2
	assert_failure 1
	[ "$(grep -c 'error=timeout' <<<"$output")" -eq 200 ]
	[ "$(grep -c 'error=refused' <<<"$output")" -eq 1800 ]
	[ "$ms" -lt 2500 ]
}

@test "probe: an empty list is fine; /etc/hosts lines are checked too" {
	run_tool lbdns-probe </dev/null
	assert_success
	assert_output ''
	printf '# nothing\n\n' | lbdns-probe
	backend web http_backend.py "$LB_NET.10" 8080
	printf '%s.10 www web\n' "$LB_NET" >"$T/hosts"
	run_tool lbdns-probe -c tcp:8080 "$T/hosts"
	assert_success
	assert_line --index 0 --regexp "^www	$LB_NET\.10	state=up rtt="
	assert_line --index 1 --regexp "^web	$LB_NET\.10	state=up rtt="
}

@test "probe: a failed write of the output is an error (exit 1)" {
	[ -w /dev/full ] || skip "no /dev/full"
	printf 'www %s.10 check=tcp:8080\n' "$LB_NET" >"$T/hosts"
	run bash -c "lbdns-probe '$T/hosts' >/dev/full"
	assert_failure 1
	assert_output --partial 'write error on standard output'
}
