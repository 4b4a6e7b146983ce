#!/usr/bin/env bats
# lbdns-probe --watch: frames on change only, rise/fall, initial states,
# stagger, SIGHUP reload, SIGPIPE.

load helpers

setup() {
	_common_setup
	HELPERS="$LBDNS_ROOT/tests/helpers"
	T="$BATS_TEST_TMPDIR"
}

teardown() {
	_common_teardown
}

backend() {
	local name=$1 script=$2; shift 2
	start_daemon "$name" python3 "$HELPERS/$script" "$@"
	wait_for grep -q listening "$T/$name.log"
}

# frames: how many complete frames the probe has written so far
frames() {
	grep -c '^\.$' "$T/probe.log" || true
}

# last_frame: the hosts of the last complete frame
last_frame() {
	awk '/^\.$/ { out = buf; buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", out }' \
		"$T/probe.log"
}

last_frame_downs() {
	[ "$(last_frame | grep -c 'state=down')" -eq "$1" ]
}

frames_at_least() {
	[ "$(frames)" -ge "$1" ]
}

last_frame_has() {
	last_frame | grep -q -- "$1"
}

@test "probe --watch: down after --fall failures, up after --rise successes, frames on change only" {
	backend web http_backend.py "$LB_NET.10" 8080
	backend other http_backend.py "$LB_NET.11" 8080
	cat >"$T/hosts" <<-EOF
	www $LB_NET.10 weight=2 check=http://$LB_NET.10:8080/
	www $LB_NET.11 check=tcp:8080
	EOF
	start_daemon probe lbdns-probe --watch 0.2 -t 0.15 --rise 3 --fall 2 -f "$T/hosts"
	wait_for frames_at_least 1
	run last_frame
	assert_line --index 0 --regexp "^www	$LB_NET\.10	weight=2 check=http://$LB_NET\.10:8080/ state=up rtt="
	assert_line --index 1 --partial 'state=up'
	# steady: no new frame while nothing changes
	sleep 1
	assert_equal "$(frames)" 1

	kill "$web_pid"
	local t0=$EPOCHREALTIME
	wait_for frames_at_least 2
	local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	echo "down after $ms ms" >&2
	# interval x fall + one interval, plus slack for a loaded machine
	[ "$ms" -lt 1500 ]
	run last_frame
	assert_line --index 0 --partial 'state=down error=refused'
	assert_line --index 1 --partial 'state=up'
	sleep 1
	assert_equal "$(frames)" 2

	backend web http_backend.py "$LB_NET.10" 8080
	wait_for frames_at_least 3
	run last_frame
	assert_line --index 0 --partial 'state=up rtt='
	# three successes needed: at least two intervals after the restart
	run grep -c '^GET' "$T/web.log"
	[ "$output" -ge 3 ]
	sleep 0.6
	assert_equal "$(frames)" 3
}

@test "probe --watch: a failure shorter than --fall does not flap" {
	backend web http_backend.py "$LB_NET.10" 8080 --control "$T/ctl"
	printf 'www %s.10 check=http://%s.10:8080/\n' "$LB_NET" "$LB_NET" >"$T/hosts"
	start_daemon probe lbdns-probe --watch 0.3 -t 0.2 --fall 3 -f "$T/hosts"
	wait_for frames_at_least 1
	echo 503 >"$T/ctl"
	wait_for grep -q 'GET' "$T/web.log"
	local n; n=$(grep -c GET "$T/web.log")
	# fail exactly once or twice, then recover
	wait_for bash -c "[ \$(grep -c GET '$T/web.log') -ge $((n + 1)) ]"
	rm "$T/ctl"
	sleep 1.2
	assert_equal "$(frames)" 1
	run last_frame
	assert_output --partial 'state=up'
}

@test "probe --watch --initial down: a frame at once, up only after --rise" {
	backend web http_backend.py "$LB_NET.10" 8080
	printf 'www %s.10 check=tcp:8080\n' "$LB_NET" >"$T/hosts"
	start_daemon probe lbdns-probe --watch 0.3 --initial down --rise 2 -f "$T/hosts"
	wait_for frames_at_least 1
	run last_frame
	# no check done yet: no rtt, the error says why
	assert_output "www	$LB_NET.10	check=tcp:8080 state=down error=initial"
	wait_for frames_at_least 2
	run last_frame
	assert_output --partial 'state=up rtt='
}

@test "probe --watch --initial up: nothing listens, down only after --fall" {
	printf 'www %s.10 check=tcp:8080\n' "$LB_NET" >"$T/hosts"
	local t0=$EPOCHREALTIME
	start_daemon probe lbdns-probe --watch 0.2 --initial up --fall 3 -f "$T/hosts"
	wait_for frames_at_least 1
	run last_frame
	assert_output --partial 'state=up'
	wait_for frames_at_least 2
	local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	# checks at 0, 0.2, 0.4: the third failure, not the first, flips it
	[ "$ms" -ge 350 ]
	run last_frame
	assert_output --partial 'state=down error=refused'
}

@test "probe --watch: the first round decides at once by default" {
	backend web http_backend.py "$LB_NET.10" 8080
	printf 'a %s.10 check=tcp:8080\nb %s.11 check=tcp:8080\n' "$LB_NET" "$LB_NET" >"$T/hosts"
	start_daemon probe lbdns-probe --watch 5 --rise 3 --fall 3 -f "$T/hosts"
	wait_for -t 3 frames_at_least 1
	run last_frame
	assert_line --index 0 --partial 'state=up'
	assert_line --index 1 --partial 'state=down'
}

@test "probe --watch: later rounds are staggered across the interval" {
	printf '#!/bin/bash\necho "$EPOCHREALTIME" >>%s/t\n' "$T" >"$T/stamp"
	chmod +x "$T/stamp"
	for i in $(seq 10); do
		printf 'h%s %s.%s check=exec:%s/stamp\n' "$i" "$LB_NET" "$i" "$T"
	done >"$T/hosts"
	start_daemon probe lbdns-probe --watch 1 -f "$T/hosts"
	wait_for -t 5 bash -c "[ \$(wc -l <'$T/t') -ge 20 ]"
	run python3 -c '
import sys
t = [float(l) for l in open(sys.argv[1])]
first, second = t[:10], t[10:20]
print("first %.3f second %.3f" % (max(first) - min(first), max(second) - min(second)))
assert max(first) - min(first) < 0.3, "first round all at once"
assert max(second) - min(second) > 0.6, "second round spread over the interval"' "$T/t"
	echo "$output" >&2
	assert_success
}

@test "probe --watch: SIGHUP rereads -f FILE and keeps known states" {
	backend web http_backend.py "$LB_NET.10" 8080
	printf 'www %s.10 check=tcp:8080\n' "$LB_NET" >"$T/hosts"
	start_daemon probe lbdns-probe --watch 0.3 --rise 5 -f "$T/hosts"
	wait_for frames_at_least 1
	printf 'www %s.10 check=tcp:8080\napi %s.10 check=tcp:8080 weight=4\n' \
		"$LB_NET" "$LB_NET" >"$T/hosts"
	kill -HUP "$probe_pid"
	wait_for frames_at_least 2
	run last_frame
	assert_line --index 0 --partial 'state=up'
	assert_line --index 1 --partial 'weight=4 state=up'
	# a broken file is reported and the old list keeps running
	printf 'www %s.10 check=tcp:0\n' "$LB_NET" >"$T/hosts"
	kill -HUP "$probe_pid"
	wait_for grep -q "$T/hosts:1: tcp check: bad port" "$T/probe.log"
	kill -0 "$probe_pid"
	assert_equal "$(frames)" 2
}

@test "probe --watch --json: one object per check" {
	printf 'www %s.10 check=tcp:8080\n' "$LB_NET" >"$T/hosts"
	start_daemon probe lbdns-probe --watch 0.2 --json --fall 2 -f "$T/hosts"
	wait_for bash -c "[ \$(grep -c '^{' '$T/probe.log') -ge 3 ]"
	run python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
assert all(r["name"] == "www" and r["result"] == "down" and r["error"] == "refused" for r in rows)
print(rows[0]["state"])' "$T/probe.log"
	assert_success
	assert_output down
	run grep -c '^\.$' "$T/probe.log"
	assert_output 0
}

@test "probe --watch: a closed stdout ends the probe cleanly" {
	backend web http_backend.py "$LB_NET.10" 8080
	printf 'www %s.10 check=tcp:8080\n' "$LB_NET" >"$T/hosts"
	local t0=$EPOCHREALTIME
	run bash -c "set -o pipefail; lbdns-probe --watch 0.1 --initial down -f '$T/hosts' | head -n 1"
	local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	assert_success
	assert_output --partial 'state=down'
	[ "$ms" -lt 3000 ]
}

@test "probe --watch: a closed stdout ends the probe even when nothing changes" {
	printf 'www %s.10 check=tcp:8080\n' "$LB_NET" >"$T/hosts"
	local t0=$EPOCHREALTIME
	run bash -c "set -o pipefail; lbdns-probe --watch 0.5 -f '$T/hosts' | head -n 1"
	local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	assert_success
	assert_output --partial 'state=down error=refused'
	[ "$ms" -lt 2000 ]
}

@test "probe --watch: changes close together go out in one frame" {
	backend web http_backend.py "$LB_NET.10" 8080
	for i in $(seq 20); do printf 'h%s %s.10 check=tcp:8080\n' "$i" "$LB_NET"; done >"$T/hosts"
	start_daemon probe lbdns-probe --watch 1 -t 0.5 --fall 1 -f "$T/hosts"
	wait_for frames_at_least 1
	kill "$web_pid"
	# staggered checks see the backend die one host at a time over one
	# interval; frames are a quarter interval apart at least
	wait_for -t 5 last_frame_downs 20
	local n; n=$(frames)
	echo "$n frames" >&2
	[ "$n" -ge 2 ] && [ "$n" -le 7 ]
}

@test "probe --watch: SIGTERM ends the probe and kills running exec checks" {
	printf 'www %s.10 check="exec:echo \\$\\$ >%s/pid; exec sleep 300"\n' "$LB_NET" "$T" >"$T/hosts"
	start_daemon probe lbdns-probe --watch 60 -t 50 -f "$T/hosts"
	wait_for test -s "$T/pid"
	local child; child=$(cat "$T/pid")
	kill -0 "$child"
	kill -TERM "$probe_pid"
	wait_for bash -c "! kill -0 $probe_pid"
	wait_for -t 2 bash -c "st=\$(ps -o stat= -p $child) || exit 0; [[ \$st == Z* ]]"
}
