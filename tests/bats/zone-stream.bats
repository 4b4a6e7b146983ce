#!/usr/bin/env bats
# The pipeline of DESIGN.md §2: host-list frames -> lbdns-zone gen --stream
# -> lbdns-serve -z -, each new frame swapped in, a bad frame skipped while
# the last good version keeps serving.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	_common_setup
	T="$BATS_TEST_TMPDIR"
	requires cmd:dig
	[ -x "$LBDNS_BUILD/lbdns-serve" ] || skip "no lbdns-serve"
}
teardown() {
	exec 5>&- 2>/dev/null || true
	_common_teardown
}

serial() { lbdig +short example.com SOA | awk '{ print $3 }'; }
serial_is() { [ "$(serial)" = "$1" ]; }

# start_pipeline [GEN_OPTION...]: lbdns-zone gen --stream (with the
# options) feeding lbdns-serve -z - through FIFOs; host-list frames are
# written to fd 5.
start_pipeline() {
	mkfifo "$T/hosts" "$T/zone"
	start_daemon serve sh -c 'exec lbdns-serve -z - -l "$1:$2" <"$0"' "$T/zone" "$LB_IP" "$LB_PORT"
	start_daemon gen sh -c 'in=$0 out=$1; shift; exec lbdns-zone gen --stream "$@" --origin example.com --ns ns.example.net. --serial 100 <"$in" >"$out"' "$T/hosts" "$T/zone" "$@"
	exec 5>"$T/hosts"
}

@test "stream: every frame becomes the served zone; a bad frame changes nothing" {
	start_pipeline
	printf 'www 192.0.2.1 weight=3\nwww 192.0.2.2\n.\n' >&5
	wait_for serial_is 100
	run lbdig +short www.example.com A
	assert_line 192.0.2.1
	assert_line 192.0.2.2
	# a broken frame: reported by gen, nothing reaches the server
	printf 'www 192.0.2.1\nwww 192.0.2.999\n.\n' >&5
	wait_for grep -q 'bad address' "$T/gen.log"
	# then a good one: 192.0.2.2 is down now
	printf 'www 192.0.2.1 weight=3\nwww 192.0.2.2 state=down\n.\n' >&5
	wait_for serial_is 101
	run lbdig +short www.example.com A
	assert_output 192.0.2.1
	grep -qF "(stdin):5:5: bad address '192.0.2.999' (frame skipped)" "$T/gen.log"
}

@test "stream: a frame past --max-hosts is skipped; the last good version keeps serving" {
	start_pipeline --max-hosts 3
	printf 'www 192.0.2.1\nwww 192.0.2.2\n.\n' >&5
	wait_for serial_is 100
	# four hosts: one too many, the frame never reaches the server
	printf 'www 192.0.2.1\nwww 192.0.2.2\nwww 192.0.2.3\nwww 192.0.2.4\n.\n' >&5
	wait_for grep -q 'too many hosts' "$T/gen.log"
	grep -qF "(stdin):7: too many hosts: more than 3 in one frame (--max-hosts) (frame skipped)" "$T/gen.log"
	run lbdig +short www.example.com A
	refute_line 192.0.2.3
	serial_is 100
	# a frame within the limit is served again
	printf 'www 192.0.2.5\n.\n' >&5
	wait_for serial_is 101
	run lbdig +short www.example.com A
	assert_output 192.0.2.5
}
