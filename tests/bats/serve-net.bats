#!/usr/bin/env bats
# lbdns-serve on the network: options, UDP/TCP (RFC 7766), IPv6, limits,
# malformed input, statistics, signals, privileges.

load helpers

setup() {
	_common_setup
	# helpers.bash derives 127.20-219.x from the file name and two files
	# can collide (serve-stream.bats and pipeline.bats both get 127.22);
	# this file takes a second octet outside that range for itself.
	LB_NET="127.231.$((BATS_TEST_NUMBER % 250 + 1))"
	LB_IP="$LB_NET.1"
	export LB_NET LB_IP
	ZONE="$BATS_TEST_TMPDIR/example.com.zone"
	cat >"$ZONE" <<-'EOF'
	$ORIGIN example.com.
	$TTL 300
	@	IN SOA ns1 hostmaster 2024010101 3600 600 86400 300
	@	IN NS ns1
	ns1	IN A 192.0.2.53
	www	IN A 192.0.2.10
	v6	IN AAAA 2001:db8::10
	EOF
	# A port of this file and test for the shared ::1.
	local n=${LB_NET#127.}
	V6PORT=$((10000 + ${n%.*} * 100 + ${n#*.}))
}

teardown() {
	_common_teardown
}

# serve ARGS...: start lbdns-serve on $LB_IP:$LB_PORT with $ZONE and wait.
serve() {
	start_daemon lbdns-serve lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" -t 2 "$@"
	wait_for_dns "$LB_IP" "$LB_PORT"
}

@test "--version, --help and -h; -h matches the man page SYNOPSIS" {
	run_tool lbdns-serve --version
	assert_success
	assert_output --regexp '^lbdns-serve [0-9]+\.[0-9]+'
	run_tool lbdns-serve -h
	assert_success
	assert_line --partial 'usage: lbdns-serve [-n] [-l addr[:port]]...'
	# Every option of the usage appears in the man page's SYNOPSIS.
	for opt in $(lbdns-serve -h | grep -o -- '--[a-z-]*' | sort -u); do
		grep -q -- "Fl Fl ${opt#--}" "$LBDNS_ROOT/man/lbdns-serve.8" || fail "$opt not in man page"
	done
	run_tool lbdns-serve --help
	assert_success
	assert_output --partial '--allow-transfer CIDR'
}

@test "usage errors exit 2 and say what is wrong" {
	run_tool lbdns-serve -l 127.0.0.1
	assert_failure 2
	assert_output --partial 'no zone given'
	run_tool lbdns-serve -z "$ZONE" -l 'example.com:53'
	assert_failure 2
	assert_output --partial '-l example.com:53: not ADDR'
	run_tool lbdns-serve -z "$ZONE" -l '[::1]:0'
	assert_failure 2
	run_tool lbdns-serve -z "$ZONE" --allow-transfer 10.1.2.3/8
	assert_failure 2
	run_tool lbdns-serve -z "$ZONE" -t 0
	assert_failure 2
	run_tool lbdns-serve -z "$ZONE" --bogus
	assert_failure 2
}

@test "-n checks the zones and exits: 0 when good, 1 with file:line:col when not" {
	run_tool lbdns-serve -n -z "$ZONE"
	assert_success
	assert_output --partial 'OK'
	printf 'www.example.com. 300 IN A 192.0.2.300\n' >>"$ZONE"
	run_tool lbdns-serve -n -z "$ZONE"
	assert_failure 1
	assert_output --regexp "example.com.zone:8:[0-9]+: .*"
	run_tool lbdns-serve -n -z "$BATS_TEST_TMPDIR/missing.zone"
	assert_failure 2
}

@test "a bad zone file at startup: exit 1, file:line:col, nothing listens" {
	printf 'www.example.com. 300 IN A 192.0.2.300\n' >>"$ZONE"
	run_tool lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" -t 1
	assert_failure 1
	assert_output --regexp "example.com.zone:8:[0-9]+: "
	run dig +tries=1 +time=1 -p "$LB_PORT" @"$LB_IP" www.example.com A
	assert_output --partial 'no servers could be reached'
}

@test "answers over UDP and TCP; REFUSED outside its zones" {
	serve
	run lbdig +short www.example.com A
	assert_output '192.0.2.10'
	run lbdig +tcp +short www.example.com A
	assert_output '192.0.2.10'
	run lbdig www.example.org A
	assert_output --partial 'status: REFUSED'
	run lbdig +tcp nope.example.com A
	assert_output --partial 'status: NXDOMAIN'
}

@test "IPv6 on ::1, with the address in brackets" {
	serve -l "[::1]:$V6PORT"
	wait_for_dns ::1 "$V6PORT"
	run dig +short +tries=1 +time=2 -p "$V6PORT" @::1 v6.example.com AAAA
	assert_output '2001:db8::10'
	run dig +short +tcp +tries=1 +time=2 -p "$V6PORT" @::1 www.example.com A
	assert_output '192.0.2.10'
}

@test "only the addresses asked for listen" {
	serve
	run dig +tries=1 +time=1 -p "$LB_PORT" @"$LB_NET.2" www.example.com A
	assert_output --partial 'no servers could be reached'
}

@test "TCP: pipelined queries on one connection are all answered" {
	serve
	run python3 - "$LB_IP" "$LB_PORT" <<-'EOF'
	import socket, struct, sys
	def q(i, name):
	    qn = b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\0'
	    m = struct.pack('>HHHHHH', i, 0, 1, 0, 0, 0) + qn + struct.pack('>HH', 1, 1)
	    return struct.pack('>H', len(m)) + m
	s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
	ids = list(range(100, 110))
	s.sendall(b''.join(q(i, 'www.example.com' if i % 2 else 'nope.example.com') for i in ids))
	buf, got = b'', {}
	while len(got) < len(ids):
	    d = s.recv(65535)
	    if not d: break
	    buf += d
	    while len(buf) >= 2 and len(buf) >= 2 + struct.unpack('>H', buf[:2])[0]:
	        n = struct.unpack('>H', buf[:2])[0]
	        m, buf = buf[2:2 + n], buf[2 + n:]
	        got[struct.unpack('>H', m[:2])[0]] = m[3] & 15
	print(' '.join('%d:%d' % (i, got.get(i, -1)) for i in ids))
	EOF
	assert_success
	assert_output '100:3 101:0 102:3 103:0 104:3 105:0 106:3 107:0 108:3 109:0'
}

@test "TCP: idle connections are closed after --tcp-timeout" {
	serve --tcp-timeout 1
	run python3 - "$LB_IP" "$LB_PORT" <<-'EOF'
	import socket, sys, time
	s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=6)
	t = time.time()
	d = s.recv(10)
	print('closed' if d == b'' else 'data', round(time.time() - t))
	EOF
	assert_success
	assert_output --regexp '^closed [12]$'
}

@test "TCP: a client stalled mid length prefix does not block others and is closed" {
	serve --tcp-timeout 2 -t 1
	run python3 - "$LB_IP" "$LB_PORT" "$LB_NET.9" <<-'EOF'
	import socket, subprocess, sys, time
	ip, port = sys.argv[1], int(sys.argv[2])
	stalled = socket.create_connection((ip, port), timeout=8)
	stalled.sendall(b'\x00')          # half a length prefix, then nothing
	half = socket.create_connection((ip, port), timeout=8)
	half.sendall(b'\x00\x40\x12\x34')  # a length and 2 of its 64 octets
	t = time.time()
	out = subprocess.run(['dig', '+tcp', '+short', '+tries=1', '+time=2', '-b', sys.argv[3],
	                      '-p', str(port), '@' + ip, 'www.example.com', 'A'],
	                     capture_output=True, text=True).stdout.strip()
	quick = time.time() - t < 1
	closed = stalled.recv(10) == b'' and half.recv(10) == b''
	print(out, quick, closed)
	EOF
	assert_success
	assert_output '192.0.2.10 True True'
}

@test "1000 TCP connections at once do not wedge the server" {
	serve --tcp-max 600 --tcp-max-per-client 50
	run python3 - "$LB_IP" "$LB_PORT" "$LB_NET" <<-'EOF'
	import socket, subprocess, sys, time
	ip, port, net = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	conns = []
	t = time.time()
	for i in range(1000):
	    s = socket.socket()
	    s.bind(('%s.%d' % (net, 10 + i % 10), 0))   # 10 clients, 100 each
	    s.settimeout(2)
	    try:
	        s.connect((ip, port))
	    except OSError:
	        pass
	    conns.append(s)
	opened = time.time() - t
	out = subprocess.run(['dig', '+tcp', '+short', '+tries=1', '+time=2', '-b', net + '.99',
	                      '-p', str(port), '@' + ip, 'www.example.com', 'A'],
	                     capture_output=True, text=True).stdout.strip()
	closed = 0
	for s in conns:
	    s.settimeout(0.2)
	    try:
	        if s.recv(1) == b'':
	            closed += 1
	    except OSError:
	        pass
	print(out, opened < 10, closed >= 450)
	EOF
	assert_success
	assert_output '192.0.2.10 True True'
	run lbdig +short www.example.com A
	assert_output '192.0.2.10'
}

@test "random and malformed packets never crash it" {
	serve
	run python3 - "$LB_IP" "$LB_PORT" <<-'EOF'
	import random, socket, struct, sys
	ip, port = sys.argv[1], int(sys.argv[2])
	r = random.Random(7)
	u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	hdr = struct.pack('>HHHHHH', 1, 0, 1, 0, 0, 1)
	for i in range(3000):
	    n = r.choice([0, 1, 11, 12, 13, 17, 40, 300, 512, 1500])
	    body = bytes(r.getrandbits(8) for _ in range(n))
	    if i % 3 == 0:                      # a real header, garbage after it
	        body = hdr + body
	    u.sendto(body, (ip, port))
	for i in range(50):                     # garbage over TCP too
	    s = socket.create_connection((ip, port), timeout=2)
	    s.sendall(bytes(r.getrandbits(8) for _ in range(r.randrange(1, 600))))
	    s.close()
	s = socket.create_connection((ip, port), timeout=2)
	s.sendall(b'\xff\xff' + b'x' * 100)     # longer than any query: closed
	print('closed' if s.recv(10) == b'' else 'open')
	EOF
	assert_success
	assert_output 'closed'
	run lbdig +short www.example.com A
	assert_output '192.0.2.10'
	kill -0 "$lbdns_serve_pid"
}

@test "SIGUSR1 prints statistics by type, rcode, protocol and zone" {
	serve
	lbdig www.example.com A >/dev/null
	lbdig +tcp v6.example.com AAAA >/dev/null
	lbdig www.example.org A >/dev/null
	kill -USR1 "$lbdns_serve_pid"
	wait_for grep -q 'swaps 1' "$BATS_TEST_TMPDIR/lbdns-serve.log"
	run cat "$BATS_TEST_TMPDIR/lbdns-serve.log"
	assert_output --regexp 'queries [0-9]+ \(udp [0-9]+, tcp [1-9]'
	assert_line '  type AAAA 1'
	assert_line --regexp '^  rcode REFUSED [1-9]'
	assert_line '  zone example.com. 2'
	assert_line --regexp '^  zone \(none\) [1-9]'
	assert_output --regexp 'tcp connections [1-9][0-9]* accepted'
}

@test "--metrics serves Prometheus text on GET /metrics, 404 elsewhere" {
	serve --metrics "$LB_NET.1:9153"
	lbdig www.example.com A >/dev/null
	lbdig www.example.com A >/dev/null
	lbdig +tcp www.example.com MX >/dev/null
	run curl -sS "http://$LB_NET.1:9153/metrics"
	assert_success
	assert_line --regexp '^lbdns_queries_total\{proto="udp"\} [2-9]$'
	assert_line 'lbdns_queries_total{proto="tcp"} 1'
	assert_line 'lbdns_queries_by_type_total{type="MX"} 1'
	assert_line 'lbdns_zone_queries_total{zone="example.com."} 3'
	assert_line 'lbdns_zone_serial{zone="example.com."} 2024010101'
	assert_line 'lbdns_zone_swaps_total 1'
	assert_line '# TYPE lbdns_tcp_connections_open gauge'
	run curl -s -o /dev/null -w '%{http_code}' "http://$LB_NET.1:9153/"
	assert_output 404
}

@test "--log-queries writes one line per query" {
	serve --log-queries
	lbdig -b "$LB_NET.7" www.example.com A >/dev/null
	wait_for grep -q 'query' "$BATS_TEST_TMPDIR/lbdns-serve.log"
	run grep ' query ' "$BATS_TEST_TMPDIR/lbdns-serve.log"
	assert_output --regexp "query $LB_NET.7:[0-9]+ udp www.example.com. A NOERROR [0-9]+"
}

@test "CHAOS version.bind is refused by default, answered with --version-bind; NSID" {
	serve --version-bind "lbdns test" --nsid node-1
	run lbdig +short CH TXT version.bind
	assert_output '"lbdns test"'
	run lbdig +nsid www.example.com A
	assert_output --partial 'NSID: 6e 6f 64 65 2d 31 ("node-1")'
	stop_daemons
	serve
	run lbdig CH TXT version.bind
	assert_output --partial 'status: REFUSED'
}

@test "SIGTERM stops it cleanly with status 0" {
	serve
	kill -TERM "$lbdns_serve_pid"
	wait "$lbdns_serve_pid"
	grep -q 'shutting down' "$BATS_TEST_TMPDIR/lbdns-serve.log"
}

@test "-u drops to the user after binding (and --chroot)" {
	requires root
	# LeakSanitizer cannot read /proc once the process is chrooted.
	export ASAN_OPTIONS=detect_leaks=0
	mkdir -p "$BATS_TEST_TMPDIR/jail"
	serve -u nobody --chroot "$BATS_TEST_TMPDIR/jail"
	run lbdig +short www.example.com A
	assert_output '192.0.2.10'
	nobody=$(id -u nobody)
	run grep -E '^(Uid|Gid|Groups):' "/proc/$lbdns_serve_pid/status"
	assert_line --regexp "^Uid:\s+$nobody\s+$nobody\s+$nobody\s+$nobody$"
	assert_line --regexp "^Groups:\s+$(id -g nobody)\s*$"
	[ "$(readlink "/proc/$lbdns_serve_pid/root")" = "$(realpath "$BATS_TEST_TMPDIR/jail")" ]
	run lbdns-serve -z "$ZONE" -l "$LB_NET.2:$LB_PORT" -u no-such-user-here
	assert_failure 1
	assert_output --partial 'no-such-user-here: no such user'
}

@test "without -l it listens on 127.0.0.1 port 53 only (in a private network namespace)" {
	requires netns
	run unshare -n sh -c '
		ip link set lo up
		lbdns-serve -z "$1" -t 1 2>"$2/ns.log" &
		pid=$!
		i=0
		until dig +tries=1 +time=1 @127.0.0.1 . SOA >/dev/null 2>&1; do
			i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05
		done
		dig +short +tries=1 +time=1 @127.0.0.1 www.example.com A
		dig +short +tcp +tries=1 +time=1 @127.0.0.1 www.example.com A
		dig +tries=1 +time=1 @127.0.0.2 www.example.com A | grep -c "no servers could be reached"
		dig +tries=1 +time=1 @::1 www.example.com A | grep -c "no servers could be reached"
		kill -TERM $pid; wait $pid; echo "exit $?"
	' sh "$ZONE" "$BATS_TEST_TMPDIR"
	assert_output "192.0.2.10
192.0.2.10
1
1
exit 0"
}

@test "on a wildcard address replies leave from the address queried (in a namespace)" {
	requires netns
	run unshare -n sh -c '
		ip link set lo up
		lbdns-serve -z "$1" -t 2 -l 0.0.0.0 -l "[::]" 2>"$2/ns.log" &
		pid=$!
		i=0
		until dig +tries=1 +time=1 @127.0.0.1 . SOA >/dev/null 2>&1; do
			i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05
		done
		dig +tries=1 +time=1 @127.0.0.5 www.example.com A | grep -E "^www|SERVER"
		dig +tries=1 +time=1 @::1 www.example.com A | grep -E "^www|SERVER"
		kill -TERM $pid; wait $pid; echo "exit $?"
	' sh "$ZONE" "$BATS_TEST_TMPDIR"
	assert_line --regexp '^www.example.com.\s+300\s+IN\s+A\s+192.0.2.10$'
	assert_line --partial 'SERVER: 127.0.0.5#53(127.0.0.5) (UDP)'
	assert_line --partial 'SERVER: ::1#53(::1) (UDP)'
	assert_line 'exit 0'
	refute_output --partial 'unexpected source'
}

@test "--regions: the client's region decides, by source address or ECS; a bad map exits 2" {
	cat >"$ZONE" <<-'EOF'
	$ORIGIN example.com.
	$TTL 300
	@	IN SOA ns1 hostmaster 1 3600 600 86400 300
	@	IN NS ns1
	ns1	IN A 192.0.2.53
	www	IN A 192.0.2.10 ; lbdns: region=eu
	www	IN A 192.0.2.20 ; lbdns: region=us
	EOF
	printf '%s.0/28 eu\n%s.16/28 us\n' "$LB_NET" "$LB_NET" >"$BATS_TEST_TMPDIR/regions"
	serve --regions "$BATS_TEST_TMPDIR/regions"
	run lbdig +short -b "$LB_NET.5" www.example.com A
	assert_output '192.0.2.10'
	run lbdig +short -b "$LB_NET.20" www.example.com A
	assert_output '192.0.2.20'
	run lbdig +short -b "$LB_NET.5" +subnet="$LB_NET.16/28" www.example.com A
	assert_output '192.0.2.20'
	printf '%s.0/28 eu\nnot-an-address us\n' "$LB_NET" >"$BATS_TEST_TMPDIR/bad-regions"
	run_tool lbdns-serve -z "$ZONE" -l "$LB_NET.2:$LB_PORT" --regions "$BATS_TEST_TMPDIR/bad-regions"
	assert_failure 2
	assert_output --partial 'bad-regions:2:1: '
	run_tool lbdns-serve -z "$ZONE" --regions "$BATS_TEST_TMPDIR/regions" --mmdb x.mmdb
	assert_failure 2
}

@test "--origin names zone files that have no \$ORIGIN, as NSD and Knot take it from their configuration" {
	printf '$TTL 300\n@ SOA ns1 hostmaster 7 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\nwww A 192.0.2.77\n' \
		>"$BATS_TEST_TMPDIR/relative.zone"
	start_daemon lbdns-serve lbdns-serve -l "$LB_IP:$LB_PORT" -t 1 \
		--origin example.org -z "$BATS_TEST_TMPDIR/relative.zone" --origin example.net. -z "$ZONE"
	wait_for_dns "$LB_IP" "$LB_PORT"
	run lbdig +short www.example.org A
	assert_output '192.0.2.77'
	# The second --origin does not override the $ORIGIN inside the file.
	run lbdig +short www.example.com A
	assert_output '192.0.2.10'
	run_tool lbdns-serve --origin example.org -z "$BATS_TEST_TMPDIR/relative.zone" --query www.example.org A
	assert_success
	assert_output --regexp $'www\\.example\\.org\\.\t300\tIN\tA\t192\\.0\\.2\\.77'
	run_tool lbdns-serve --origin 'bad..name' -z "$ZONE" -n
	assert_failure 2
	assert_output --partial '--origin bad..name: not a domain name'
}

@test "a zone file with records before its SOA is one zone, as in BIND and NSD" {
	printf '$ORIGIN example.org.\n$TTL 300\nwww A 192.0.2.88\n@ NS ns1\nns1 A 192.0.2.53\n@ SOA ns1 hostmaster 3 3600 600 86400 300\n' \
		>"$BATS_TEST_TMPDIR/late-soa.zone"
	start_daemon lbdns-serve lbdns-serve -l "$LB_IP:$LB_PORT" -t 1 -z "$BATS_TEST_TMPDIR/late-soa.zone"
	wait_for_dns "$LB_IP" "$LB_PORT"
	run lbdig +short www.example.org A
	assert_output '192.0.2.88'
	run lbdig +short example.org SOA
	assert_output --partial ' 3 3600 600 86400 300'
}
