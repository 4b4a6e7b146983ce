#!/usr/bin/env bats
# lbdns-serve zone input: streams in AXFR framing, atomic swaps while
# queries run, bad versions refused with their line, SIGHUP reloads.

load helpers

setup() {
	_common_setup
	# helpers.bash derives 127.20-219.x from the file name and two files
	# can collide (serve-stream.bats and pipeline.bats both get 127.22);
	# this file takes a second octet outside that range for itself.
	LB_NET="127.232.$((BATS_TEST_NUMBER % 250 + 1))"
	LB_IP="$LB_NET.1"
	export LB_NET LB_IP
	FIFO="$BATS_TEST_TMPDIR/zones.fifo"
	LOG="$BATS_TEST_TMPDIR/lbdns-serve.log"
}

teardown() {
	exec 7>&- 2>/dev/null || true
	_common_teardown
}

# version SERIAL ADDR [ORIGIN]: one complete version in AXFR framing
# (SOA ... SOA), www.ORIGIN pointing at ADDR.
version() {
	local o=${3:-example.com.}
	cat <<-EOF
	$o 300 IN SOA ns1.$o hostmaster.$o $1 3600 600 86400 300
	$o 300 IN NS ns1.$o
	ns1.$o 300 IN A 192.0.2.53
	www.$o 60 IN A $2
	$o 300 IN SOA ns1.$o hostmaster.$o $1 3600 600 86400 300
	EOF
}

# A version whose 4th line (www) has a bad address.
bad_version() {
	version "$1" 192.0.2.999
}

# serve_fifo ARGS...: lbdns-serve reading zones from $FIFO as stdin; the
# test writes to fd 7.
serve_fifo() {
	mkfifo "$FIFO"
	start_daemon lbdns-serve sh -c 'exec lbdns-serve -z - "$@" <"$0"' "$FIFO" \
		-l "$LB_IP:$LB_PORT" -t 2 "$@"
	exec 7>"$FIFO"
}

www() {
	lbdig +short www.example.com A
}

swapped() {   # swapped SERIAL: the log says that serial was swapped in
	grep -q "serial $1: swapped in" "$LOG"
}

@test "a stream on stdin: each complete version is served at once, EOF keeps the last" {
	serve_fifo
	version 1 192.0.2.1 >&7
	wait_for_dns "$LB_IP" "$LB_PORT"
	wait_for swapped 1
	run www
	assert_output '192.0.2.1'
	version 2 192.0.2.2 >&7
	wait_for swapped 2
	run www
	assert_output '192.0.2.2'
	exec 7>&-
	wait_for grep -q 'end of stream' "$LOG"
	run www
	assert_output '192.0.2.2'
}

@test "a bad version in the middle is refused with its line; the next good one is swapped in" {
	serve_fifo
	version 1 192.0.2.1 >&7
	wait_for_dns "$LB_IP" "$LB_PORT"
	wait_for swapped 1
	bad_version 2 >&7
	wait_for grep -q 'zone version refused' "$LOG"
	# Lines 6-10 of the stream are version 2; its www record is line 9.
	run grep -- '-:9:' "$LOG"
	assert_output --regexp '^lbdns-serve: -:9:[0-9]+: .*192\.0\.2\.999'
	grep -q -- '-:6: zone version refused' "$LOG"
	run www
	assert_output '192.0.2.1'
	version 3 192.0.2.3 >&7
	wait_for swapped 3
	run www
	assert_output '192.0.2.3'
}

@test "swaps while queries run: no query fails or sees a half-loaded zone" {
	serve_fifo
	version 1 192.0.2.1 >&7
	wait_for_dns "$LB_IP" "$LB_PORT"
	wait_for swapped 1
	# A querier running through every swap; each answer must be exactly
	# one address of a good version, never empty, never two.
	(
		for _ in $(seq 150); do
			out=$(lbdig +short www.example.com A 2>&1)
			case $out in
			192.0.2.[1-9]|192.0.2.1[0-9]|192.0.2.20) ;;
			*) echo "bad answer: [$out]" ;;
			esac
			out=$(lbdig +tcp +short ns1.example.com A 2>&1)
			[ "$out" = 192.0.2.53 ] || echo "bad tcp answer: [$out]"
		done >"$BATS_TEST_TMPDIR/failures"
		echo done >>"$BATS_TEST_TMPDIR/failures"
	) &
	for s in $(seq 2 20); do
		if [ $((s % 4)) -eq 0 ]; then
			bad_version "$s" >&7
		else
			version "$s" "192.0.2.$s" >&7
		fi
		sleep 0.1
	done
	wait_for -t 60 grep -q '^done$' "$BATS_TEST_TMPDIR/failures"
	run cat "$BATS_TEST_TMPDIR/failures"
	assert_output 'done'
	wait_for swapped 19
	run www
	assert_output '192.0.2.19'
	[ "$(grep -c 'zone version refused' "$LOG")" -eq 5 ]
	[ "$(grep -c 'swapped in' "$LOG")" -eq 15 ]
}

@test "dig axfr output piped in is served the same" {
	cat >"$BATS_TEST_TMPDIR/primary.zone" <<-'EOF'
	$ORIGIN example.net.
	@	300 IN SOA ns1 hostmaster 7 3600 600 86400 300
	@	300 IN NS ns1
	ns1	300 IN A 192.0.2.53
	www	300 IN A 192.0.2.80
	mail	300 IN MX 10 mx
	mx	300 IN AAAA 2001:db8::25
	EOF
	start_daemon primary lbdns-serve -z "$BATS_TEST_TMPDIR/primary.zone" \
		-l "$LB_NET.2:$LB_PORT" -t 1 --allow-transfer "$LB_NET.0/24"
	wait_for_dns "$LB_NET.2" "$LB_PORT"
	dig -b "$LB_NET.3" -p "$LB_PORT" @"$LB_NET.2" example.net AXFR >"$BATS_TEST_TMPDIR/axfr.txt"
	# (a background job's stdin is /dev/null unless its own command redirects it)
	start_daemon lbdns-serve sh -c 'exec lbdns-serve -z - -l "$1" -t 1 <"$0"' \
		"$BATS_TEST_TMPDIR/axfr.txt" "$LB_IP:$LB_PORT"
	wait_for_dns "$LB_IP" "$LB_PORT"
	wait_for swapped 7
	run lbdig +short mail.example.net MX
	assert_output '10 mx.example.net.'
	run lbdig +short mx.example.net AAAA
	assert_output '2001:db8::25'
	run lbdig example.net SOA
	assert_output --partial 'flags: qr aa'
}

@test "concatenated zone files and several zones in one file" {
	{
		version 1 192.0.2.1 | sed '$d'          # no closing SOA
		version 2 192.0.2.2 | sed '$d'
		version 5 198.51.100.5 example.org.
	} >"$BATS_TEST_TMPDIR/all.zones"
	start_daemon lbdns-serve lbdns-serve -z "$BATS_TEST_TMPDIR/all.zones" -l "$LB_IP:$LB_PORT" -t 1
	wait_for_dns "$LB_IP" "$LB_PORT" || { cat "$LOG" >&2; false; }
	run www
	assert_output '192.0.2.2'
	run lbdig +short www.example.org A
	assert_output '198.51.100.5'
	run grep -c 'swapped in' "$LOG"
	assert_output 3
}

@test "a FIFO given with -z is read as a stream" {
	mkfifo "$FIFO"
	start_daemon lbdns-serve lbdns-serve -z "$FIFO" -l "$LB_IP:$LB_PORT" -t 1
	exec 7>"$FIFO"
	version 4 192.0.2.4 >&7
	wait_for_dns "$LB_IP" "$LB_PORT"
	wait_for swapped 4
	run www
	assert_output '192.0.2.4'
}

@test "records before the first SOA are reported with their line and skipped" {
	serve_fifo
	printf 'www.example.com. 60 IN A 192.0.2.9\n' >&7
	version 1 192.0.2.1 >&7
	wait_for_dns "$LB_IP" "$LB_PORT"
	wait_for swapped 1
	grep -q -- '-:1: record before the SOA' "$LOG"
	run www
	assert_output '192.0.2.1'
}

@test "SIGHUP re-reads the files; a bad file keeps the old answers" {
	local zf="$BATS_TEST_TMPDIR/example.com.zone"
	version 1 192.0.2.1 >"$zf"
	start_daemon lbdns-serve lbdns-serve -z "$zf" -l "$LB_IP:$LB_PORT" -t 2
	wait_for_dns "$LB_IP" "$LB_PORT"
	run www
	assert_output '192.0.2.1'
	version 2 192.0.2.2 >"$zf"
	kill -HUP "$lbdns_serve_pid"
	wait_for swapped 2
	run www
	assert_output '192.0.2.2'
	bad_version 3 >"$zf"
	kill -HUP "$lbdns_serve_pid"
	wait_for grep -q 'reload: 1 version(s) refused' "$LOG"
	run grep 'example.com.zone:4:' "$LOG"
	assert_output --partial '192.0.2.999'
	run www
	assert_output '192.0.2.2'
	rm "$zf"
	kill -HUP "$lbdns_serve_pid"
	wait_for grep -q 'example.com.zone: No such file' "$LOG"
	run www
	assert_output '192.0.2.2'
	kill -0 "$lbdns_serve_pid"
}

@test "a version that fails the zone checks (CNAME and other data) is refused" {
	serve_fifo
	version 1 192.0.2.1 >&7
	wait_for_dns "$LB_IP" "$LB_PORT"
	wait_for swapped 1
	cat >&7 <<-'EOF'
	example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2 3600 600 86400 300
	example.com. 300 IN NS ns1.example.com.
	ns1.example.com. 300 IN A 192.0.2.53
	www.example.com. 60 IN A 192.0.2.2
	www.example.com. 60 IN CNAME ns1.example.com.
	example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2 3600 600 86400 300
	EOF
	wait_for grep -q 'zone version refused' "$LOG"
	run grep -E -- '-:(9|10):' "$LOG"
	assert_success
	run www
	assert_output '192.0.2.1'
}
