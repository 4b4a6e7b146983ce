#!/usr/bin/env bats
# The whole pipeline end to end, with real HTTP backends:
#   lbdns-probe --watch | lbdns-zone gen --stream | lbdns-serve -z -
# Each stage is its own daemon joined by named pipes, so teardown stops
# every one of them by PID.

load helpers

setup() {
	_common_setup
	HELPERS="$LBDNS_ROOT/tests/helpers"
	T="$BATS_TEST_TMPDIR"
	INTERVAL=0.5
	FALL=2
	RISE=2
}

teardown() {
	_common_teardown
}

backend() {
	local name=$1; shift
	start_daemon "$name" python3 "$HELPERS/http_backend.py" "$@"
	wait_for grep -q listening "$T/$name.log"
}

# answers: the sorted A records served for www, on one line
answers() {
	dig +short +tries=1 +time=1 -p "$LB_PORT" @"$LB_IP" www.example.com A | sort | xargs
}

answers_are() {
	[ "$(answers)" = "$*" ]
}

start_pipeline() {
	mkfifo "$T/hosts.pipe" "$T/zone.pipe"
	start_daemon probe bash -c "exec lbdns-probe --watch $INTERVAL --fall $FALL --rise $RISE \
		-t 0.3 -f '$T/hosts' >'$T/hosts.pipe'"
	start_daemon zone bash -c "exec lbdns-zone gen --stream --origin example.com \
		--ns ns.example.net. <'$T/hosts.pipe' >'$T/zone.pipe'"
	start_daemon serve bash -c "exec lbdns-serve -z - -l '$LB_IP:$LB_PORT' <'$T/zone.pipe'"
}

@test "pipeline: a stopped backend leaves the answers within interval x fall + interval, returns after rise" {
	requires cmd:dig
	backend web1 "$LB_NET.11" 8080
	backend web2 "$LB_NET.12" 8080
	cat >"$T/hosts" <<-EOF
	www $LB_NET.11 check=http://www.example.com:8080/health
	www $LB_NET.12 check=http://www.example.com:8080/health
	EOF
	start_pipeline
	wait_for answers_are "$LB_NET.11 $LB_NET.12"

	kill "$web1_pid"
	local t0=$EPOCHREALTIME
	wait_for answers_are "$LB_NET.12"
	local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	echo "dropped after $ms ms" >&2
	# interval x fall + one interval = 1.5 s; slack for a busy machine
	[ "$ms" -lt 3000 ]

	backend web1 "$LB_NET.11" 8080
	t0=$EPOCHREALTIME
	wait_for answers_are "$LB_NET.11 $LB_NET.12"
	ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	echo "back after $ms ms" >&2
	[ "$ms" -lt 3000 ]
	# it took RISE successes: at least one interval after the first
	[ "$ms" -ge 400 ]
}

@test "pipeline: with every backend down, all are served (fail open)" {
	requires cmd:dig
	backend web1 "$LB_NET.11" 8080
	backend web2 "$LB_NET.12" 8080
	backend api "$LB_NET.13" 8080
	cat >"$T/hosts" <<-EOF
	www $LB_NET.11 check=http://www.example.com:8080/
	www $LB_NET.12 check=http://www.example.com:8080/
	api $LB_NET.13 check=tcp:8080
	EOF
	start_pipeline
	wait_for answers_are "$LB_NET.11 $LB_NET.12"
	kill "$web1_pid"
	wait_for answers_are "$LB_NET.12"
	local swaps; swaps=$(grep -c 'swapped in' "$T/serve.log")
	kill "$web2_pid"
	# both down: a new zone with both marked down is swapped in ...
	wait_for bash -c "[ \$(grep -c 'swapped in' '$T/serve.log') -gt $swaps ]"
	# ... and serve answers both
	run answers
	assert_output "$LB_NET.11 $LB_NET.12"
	# and an unrelated name is unaffected
	run dig +short +tries=1 +time=1 -p "$LB_PORT" @"$LB_IP" api.example.com A
	assert_output "$LB_NET.13"
}
