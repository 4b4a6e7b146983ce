#!/usr/bin/env bats
# lbdns-serve as a primary: AXFR/IXFR out with an allow list, NOTIFY out,
# and real secondaries (knotd, nsd) replicating from it.

load helpers

setup() {
	_common_setup
	# helpers.bash derives 127.20-219.x from the file name and two files
	# can collide (serve-stream.bats and pipeline.bats both get 127.22);
	# this file takes a second octet outside that range for itself.
	LB_NET="127.233.$((BATS_TEST_NUMBER % 250 + 1))"
	LB_IP="$LB_NET.1"
	export LB_NET LB_IP
	LOG="$BATS_TEST_TMPDIR/lbdns-serve.log"
	ZONE="$BATS_TEST_TMPDIR/example.com.zone"
	zone_version 1 192.0.2.1 >"$ZONE"
}

teardown() {
	exec 7>&- 2>/dev/null || true
	_common_teardown
}

# zone_version SERIAL ADDR: example.com with www at ADDR, AXFR framing.
zone_version() {
	cat <<-EOF
	example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. $1 3600 600 86400 300
	example.com. 300 IN NS ns1.example.com.
	ns1.example.com. 300 IN A 192.0.2.53
	www.example.com. 60 IN A $2
	mail.example.com. 300 IN MX 10 www.example.com.
	txt.example.com. 300 IN TXT "v=$1" "second string"
	example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. $1 3600 600 86400 300
	EOF
}

serve() {
	start_daemon lbdns-serve lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" -t 2 "$@"
	wait_for_dns "$LB_IP" "$LB_PORT"
}

# serve_stream ARGS...: zones from a FIFO the test writes on fd 7.
serve_stream() {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	start_daemon lbdns-serve sh -c 'exec lbdns-serve -z - "$@" <"$0"' \
		"$BATS_TEST_TMPDIR/fifo" -l "$LB_IP:$LB_PORT" -t 2 "$@"
	exec 7>"$BATS_TEST_TMPDIR/fifo"
	zone_version 1 192.0.2.1 >&7
	wait_for_dns "$LB_IP" "$LB_PORT"
	wait_for grep -q 'serial 1: swapped in' "$LOG"
}

# axfr_check SRC [QTYPE]: a python AXFR client from address SRC; prints
# "messages N records R first=TYPE last=TYPE maxlen L rcode C".
axfr_check() {
	python3 - "$LB_IP" "$LB_PORT" "$1" "${2:-252}" <<-'EOF'
	import socket, struct, sys
	ip, port, src, qtype = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
	def skip_name(m, p):
	    while True:
	        l = m[p]
	        if l >= 0xc0: return p + 2
	        if l == 0: return p + 1
	        p += 1 + l
	qn = b'\x07example\x03com\x00'
	q = struct.pack('>HHHHHH', 4242, 0, 1, 0, 0, 0) + qn + struct.pack('>HH', qtype, 1)
	s = socket.socket(); s.bind((src, 0)); s.settimeout(5); s.connect((ip, port))
	s.sendall(struct.pack('>H', len(q)) + q)
	def recvn(n):
	    b = b''
	    while len(b) < n:
	        d = s.recv(n - len(b))
	        if not d: raise EOFError
	        b += d
	    return b
	types, nmsg, maxlen, rcode, soas = [], 0, 0, 0, 0
	try:
	    while soas < 2:
	        n = struct.unpack('>H', recvn(2))[0]; m = recvn(n)
	        nmsg += 1; maxlen = max(maxlen, n)
	        mid, fl, qd, an = struct.unpack('>HHHH', m[:8])
	        assert mid == 4242 and fl & 0x8000
	        rcode = fl & 15
	        if rcode: break
	        p = 12
	        for _ in range(qd): p = skip_name(m, p) + 4
	        for _ in range(an):
	            p = skip_name(m, p)
	            t, c, ttl, rl = struct.unpack('>HHIH', m[p:p + 10]); p += 10 + rl
	            types.append(t); soas += t == 6
	except (EOFError, socket.timeout):
	    pass
	print('messages %d records %d first=%s last=%s maxlen %d rcode %d' % (nmsg, len(types),
	      types[0] if types else '-', types[-1] if types else '-', maxlen, rcode))
	EOF
}

@test "AXFR to an allowed client: SOA first and last, every record (dig and kdig)" {
	serve --allow-transfer "$LB_NET.0/28"
	run dig -b "$LB_NET.2" -p "$LB_PORT" @"$LB_IP" example.com AXFR +nocmd +nostats
	assert_success
	run grep -c 'IN' <<<"$output"
	assert_output 7
	run dig -b "$LB_NET.2" -p "$LB_PORT" @"$LB_IP" example.com AXFR +short
	assert_line --index 0 --partial 'ns1.example.com. hostmaster.example.com. 1 3600'
	assert_line --index 6 --partial 'ns1.example.com. hostmaster.example.com. 1 3600'
	assert_line '"v=1" "second string"'
	run kdig -b "$LB_NET.3" -p "$LB_PORT" @"$LB_IP" example.com AXFR
	assert_success
	assert_output --partial 'www.example.com.    	60	IN	A	192.0.2.1'
	run axfr_check "$LB_NET.4"
	assert_output 'messages 1 records 7 first=6 last=6 maxlen 221 rcode 0'
}

@test "AXFR refused by default, outside the allow list, and NOTAUTH for other zones" {
	serve
	run axfr_check "$LB_NET.2"
	assert_output --partial 'rcode 5'
	run dig -b "$LB_NET.2" -p "$LB_PORT" @"$LB_IP" example.com AXFR
	assert_output --partial 'Transfer failed'
	stop_daemons
	serve --allow-transfer "$LB_NET.8/29"
	run axfr_check "$LB_NET.7"
	assert_output --partial 'rcode 5'
	run axfr_check "$LB_NET.8"
	assert_output --partial 'records 7 first=6 last=6'
	run kdig -b "$LB_NET.8" -p "$LB_PORT" @"$LB_IP" example.org AXFR
	assert_output --partial "NOTAUTH"
	# The server still answers plain queries.
	run lbdig +short www.example.com A
	assert_output '192.0.2.1'
}

@test "IXFR is answered with a full AXFR" {
	serve --allow-transfer "$LB_NET.0/24"
	run axfr_check "$LB_NET.2" 251
	assert_output 'messages 1 records 7 first=6 last=6 maxlen 221 rcode 0'
	run dig -b "$LB_NET.2" -p "$LB_PORT" @"$LB_IP" example.com IXFR=0 +short
	assert_line '192.0.2.1'
	assert_line '10 www.example.com.'
}

@test "a large zone goes out in several messages of about 16 KB" {
	{
		zone_version 1 192.0.2.1 | sed '$d'
		for i in $(seq 3000); do
			echo "host$i.example.com. 300 IN A 10.0.$((i / 256)).$((i % 256))"
		done
	} >"$ZONE"
	serve --allow-transfer "$LB_NET.0/24"
	run axfr_check "$LB_NET.2"
	assert_output --regexp '^messages ([4-9]|[1-9][0-9]) records 3007 first=6 last=6 maxlen (1[0-6][0-9]{3}) rcode 0$'
	run dig -b "$LB_NET.2" -p "$LB_PORT" @"$LB_IP" example.com AXFR +short
	assert_line '10.0.11.184'
}

@test "NOTIFY is sent on each swap and resent until answered" {
	python3 - "$LB_NET.5" "$LB_PORT" "$BATS_TEST_TMPDIR/notify.log" <<-'EOF' &
	import socket, struct, sys
	u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	u.bind((sys.argv[1], int(sys.argv[2])))
	u.settimeout(30)
	seen = 0
	with open(sys.argv[3], 'w', buffering=1) as log:
	    while True:
	        try:
	            m, peer = u.recvfrom(512)
	        except socket.timeout:
	            break
	        mid, fl = struct.unpack('>HH', m[:4])
	        p, labels = 12, []
	        while m[p]:
	            labels.append(m[p + 1:p + 1 + m[p]].decode()); p += 1 + m[p]
	        qtype = struct.unpack('>H', m[p + 1:p + 3])[0]
	        seen += 1
	        log.write('notify from %s opcode %d aa %d %s type %d\n' % (peer[0],
	                  (fl >> 11) & 15, (fl >> 10) & 1, '.'.join(labels), qtype))
	        if seen == 1:
	            continue        # the first one goes unanswered: it must come again
	        r = struct.pack('>HH', mid, 0x8000 | (fl & 0x7800) | 0x0400) + m[4:]
	        u.sendto(r, peer)
	EOF
	echo "$!" >>"$LB_PIDFILE"
	wait_for test -f "$BATS_TEST_TMPDIR/notify.log"
	serve_stream --notify "$LB_NET.5:$LB_PORT"
	wait_for -t 5 grep -q . "$BATS_TEST_TMPDIR/notify.log"
	run head -1 "$BATS_TEST_TMPDIR/notify.log"
	assert_output "notify from $LB_IP opcode 4 aa 1 example.com type 6"
	# Unanswered: resent about a second later; then answered: no more.
	wait_for -t 5 bash -c "[ \$(wc -l <'$BATS_TEST_TMPDIR/notify.log') -ge 2 ]"
	zone_version 2 192.0.2.2 >&7
	wait_for -t 5 bash -c "[ \$(wc -l <'$BATS_TEST_TMPDIR/notify.log') -ge 3 ]"
	sleep 2.5
	run wc -l <"$BATS_TEST_TMPDIR/notify.log"
	assert_output 3
	kill -USR1 "$lbdns_serve_pid"
	wait_for grep -q 'notify sent 3, acked 2' "$LOG"
}

# knot_server_conf DIR: the server part of a knotd secondary's config on
# $LB_NET.2:$LB_PORT, everything in DIR; callers append remotes and zones.
knot_server_conf() {
	local d=$1
	cat <<-EOF
	server:
	    rundir: "$d"
	    listen: $LB_NET.2@$LB_PORT
	log:
	  - target: stderr
	    any: info
	database:
	    storage: "$d"
	EOF
}

# start_knot [NOTIFY_SECRET]: knotd as a secondary of lbdns-serve, on
# $LB_NET.2. With NOTIFY_SECRET it transfers with xfr.example. and
# accepts NOTIFY only signed with notify.example., whose secret (as
# knotd has it) is NOTIFY_SECRET.
start_knot() {
	local d="$BATS_TEST_TMPDIR/knot" xfr_key= notify_key=
	mkdir -p "$d"
	knot_server_conf "$d" >"$d/knot.conf"
	if [ $# -gt 0 ]; then
		cat >>"$d/knot.conf" <<-EOF
		key:
		  - id: xfr.example.
		    algorithm: hmac-sha256
		    secret: $XKEY
		  - id: notify.example.
		    algorithm: hmac-sha256
		    secret: $1
		EOF
		xfr_key="    key: xfr.example."
		notify_key="    key: notify.example."
	fi
	cat >>"$d/knot.conf" <<-EOF
	remote:
	  - id: primary
	    address: $LB_IP@$LB_PORT
	    via: $LB_NET.2
	$xfr_key
	acl:
	  - id: from_primary
	    address: $LB_IP
	$notify_key
	    action: notify
	template:
	  - id: default
	    storage: "$d"
	zone:
	  - domain: example.com
	    master: primary
	    acl: from_primary
	EOF
	start_daemon knotd knotd -c "$d/knot.conf"
}

@test "a knotd secondary transfers the zone and follows NOTIFY" {
	requires cmd:knotd
	serve_stream --allow-transfer "$LB_NET.0/24" --notify "$LB_NET.2:$LB_PORT"
	start_knot
	wait_for -t 20 bash -c "dig +short +tries=1 +time=1 -p $LB_PORT @$LB_NET.2 www.example.com A | grep -qx 192.0.2.1"
	run dig +short -p "$LB_PORT" @"$LB_NET.2" txt.example.com TXT
	assert_output '"v=1" "second string"'
	run dig +short -p "$LB_PORT" @"$LB_NET.2" mail.example.com MX
	assert_output '10 www.example.com.'
	# A new version on the stream reaches knotd by NOTIFY, not by refresh
	# (3600 s).
	zone_version 2 192.0.2.2 >&7
	wait_for -t 20 bash -c "dig +short +tries=1 +time=1 -p $LB_PORT @$LB_NET.2 www.example.com A | grep -qx 192.0.2.2"
	run dig +short -p "$LB_PORT" @"$LB_NET.2" example.com SOA
	assert_output --partial ' 2 3600 600 86400 300'
}

XKEY=c2VjcmV0LWtleS1mb3ItbGJkbnMtdGVzdHMtMDEyMzQ1Njc4OQ==
NKEY=bm90aWZ5LWtleS1mb3ItbGJkbnMtdGVzdHMtMDEyMzQ1Njc4OQ==
NWRONG=d3JvbmcgLWtleS1mb3ItbGJkbnMtdGVzdHMtMDEyMzQ1Njc4OQ==

# tsig_keys: xfr.example. for transfers, notify.example. for NOTIFY, as
# lbdns-serve knows them; prints the file name.
tsig_keys() {
	local f="$BATS_TEST_TMPDIR/tsig.keys"
	cat >"$f" <<-EOF
	key "xfr.example." { algorithm hmac-sha256; secret "$XKEY"; };
	key "notify.example." { algorithm hmac-sha256; secret "$NKEY"; };
	EOF
	chmod 600 "$f"
	echo "$f"
}

knot_www() {
	dig +short +tries=1 +time=1 -p "$LB_PORT" @"$LB_NET.2" www.example.com A | grep -qx "$1"
}

# signed_knot_secondary NOTIFY_SECRET: lbdns-serve sending NOTIFY signed
# with notify.example. and transferring with xfr.example. to a knotd
# secondary (start_knot NOTIFY_SECRET) that has version 1 of the zone.
signed_knot_secondary() {
	keys=$(tsig_keys)
	serve_stream --tsig-key "$keys" --allow-transfer "$LB_NET.0/24,key=xfr.example." \
		--notify "$LB_NET.2:$LB_PORT,key=notify.example."
	start_knot "$1"
	wait_for -t 20 knot_www 192.0.2.1 || { cat "$BATS_TEST_TMPDIR"/*.log >&2; false; }
}

@test "TSIG-signed NOTIFY: knotd with the key accepts it and transfers" {
	requires cmd:knotd
	signed_knot_secondary "$NKEY"
	# Version 2 reaches knotd by the signed NOTIFY (refresh is 3600 s).
	zone_version 2 192.0.2.2 >&7
	wait_for -t 20 knot_www 192.0.2.2 || { cat "$BATS_TEST_TMPDIR"/*.log >&2; false; }
	kill -USR1 "$lbdns_serve_pid"
	wait_for grep -q 'notify sent' "$LOG"
	run cat "$LOG"
	assert_output --regexp 'notify sent [1-9][0-9]*, acked [1-9][0-9]*, failed 0'
	refute_output --partial "TSIG"
	run cat "$BATS_TEST_TMPDIR/knotd.log"
	assert_output --regexp "notify, incoming, remote $LB_IP@[0-9]+"
	refute_output --partial "denied"
}

@test "TSIG-signed NOTIFY: with a wrong key knotd refuses it and nothing is transferred" {
	requires cmd:knotd
	signed_knot_secondary "$NWRONG"
	zone_version 2 192.0.2.2 >&7
	wait_for -t 10 grep -q "NOTIFY for example.com. to $LB_NET.2:$LB_PORT: refused (NOTAUTH, TSIG BADSIG)" "$LOG" ||
		{ cat "$BATS_TEST_TMPDIR"/*.log >&2; false; }
	sleep 1
	run dig +short -p "$LB_PORT" @"$LB_NET.2" www.example.com A
	assert_output 192.0.2.1
	# knotd answered the NOTIFY NOTAUTH/BADSIG (logged above) and did
	# not act on it.
	run cat "$BATS_TEST_TMPDIR/knotd.log"
	refute_output --partial "notify, incoming"
	refute_output --partial "serial 1 -> 2"
	kill -USR1 "$lbdns_serve_pid"
	wait_for grep -q 'notify sent' "$LOG"
	run cat "$LOG"
	assert_output --regexp 'acked 0, failed [1-9]'
}

@test "TSIG-signed NOTIFY: an nsd secondary with the key accepts it and transfers" {
	requires cmd:nsd
	keys=$(tsig_keys)
	serve_stream --tsig-key "$keys" --allow-transfer "$LB_NET.0/24,key=xfr.example." \
		--notify "$LB_NET.3:$LB_PORT,key=notify.example."
	local d="$BATS_TEST_TMPDIR/nsd"
	mkdir -p "$d"
	nsd_server_conf "$d" "xfr.example.=$XKEY" "notify.example.=$NKEY" >"$d/nsd.conf"
	cat >>"$d/nsd.conf" <<-EOF
	zone:
	    name: example.com
	    zonefile: "example.com.zone"
	    request-xfr: AXFR $LB_IP@$LB_PORT xfr.example.
	    allow-notify: $LB_IP notify.example.
	    outgoing-interface: $LB_NET.3
	EOF
	start_daemon nsd nsd -d -c "$d/nsd.conf"
	wait_for -t 20 bash -c "dig +short +tries=1 +time=1 -p $LB_PORT @$LB_NET.3 www.example.com A | grep -qx 192.0.2.1" ||
		{ cat "$BATS_TEST_TMPDIR"/*.log >&2; false; }
	zone_version 2 192.0.2.2 >&7
	wait_for -t 20 bash -c "dig +short +tries=1 +time=1 -p $LB_PORT @$LB_NET.3 www.example.com A | grep -qx 192.0.2.2" ||
		{ cat "$BATS_TEST_TMPDIR"/*.log >&2; false; }
	kill -USR1 "$lbdns_serve_pid"
	wait_for grep -q 'notify sent' "$LOG"
	run cat "$LOG"
	assert_output --regexp 'acked [1-9][0-9]*, failed 0'
	refute_output --partial "TSIG"
}

@test "TSIG-signed NOTIFY: the request carries the key; an unsigned NOERROR answer is not taken as an ack" {
	python3 - "$LB_NET.5" "$LB_PORT" "$BATS_TEST_TMPDIR/notify.log" <<-'EOF' &
	import socket, struct, sys
	u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	u.bind((sys.argv[1], int(sys.argv[2])))
	u.settimeout(30)
	with open(sys.argv[3], 'w', buffering=1) as log:
	    while True:
	        try:
	            m, peer = u.recvfrom(512)
	        except socket.timeout:
	            break
	        mid, fl, qd, an, ns, ar = struct.unpack('>6H', m[:12])
	        p = 12
	        while m[p]:
	            p += 1 + m[p]
	        p += 5                               # root label, type, class
	        labels = []
	        while m[p]:
	            labels.append(m[p + 1:p + 1 + m[p]].decode()); p += 1 + m[p]
	        rtype = struct.unpack('>H', m[p + 1:p + 3])[0]
	        log.write('notify ar %d rr type %d key %s\n' % (ar, rtype, '.'.join(labels)))
	        # NOERROR, no TSIG RR: the sender must not count it as the ack.
	        r = struct.pack('>6H', mid, 0x8000 | (fl & 0x7800) | 0x0400, 1, 0, 0, 0)
	        u.sendto(r + m[12:12 + (m.index(b'\0', 12) - 12) + 5], peer)
	EOF
	echo "$!" >>"$LB_PIDFILE"
	wait_for test -f "$BATS_TEST_TMPDIR/notify.log"
	keys=$(tsig_keys)
	serve_stream --tsig-key "$keys" --notify "$LB_NET.5:$LB_PORT,key=notify.example."
	wait_for -t 5 grep -q . "$BATS_TEST_TMPDIR/notify.log"
	run head -1 "$BATS_TEST_TMPDIR/notify.log"
	assert_output "notify ar 1 rr type 250 key notify.example"
	wait_for -t 5 grep -q "NOTIFY for example.com. to $LB_NET.5:$LB_PORT: answer ignored (NOERROR, TSIG missing or malformed)" "$LOG"
	# Ignored, so resent a second later.
	wait_for -t 5 bash -c "[ \$(wc -l <'$BATS_TEST_TMPDIR/notify.log') -ge 2 ]"
	kill -USR1 "$lbdns_serve_pid"
	wait_for grep -q 'notify sent' "$LOG"
	run grep -c "answer ignored" "$LOG"
	assert_output 1
	assert grep -q 'acked 0, failed 0' "$LOG"
}

@test "--notify ADDR,key=NAME needs the key in --tsig-key" {
	run lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" --notify "$LB_NET.2,key=nokey."
	assert_failure 2
	assert_output --partial "--notify ...,key=nokey.: no such key (no --tsig-key given)"
	run lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" --notify "$LB_NET.2,key="
	assert_failure 2
	assert_output --partial "want ADDR[:PORT] or ADDR[:PORT],key=NAME"
}

@test "an nsd secondary transfers the zone and serves the same records" {
	requires cmd:nsd
	serve_stream --allow-transfer "$LB_NET.0/24" --notify "$LB_NET.3:$LB_PORT"
	local d="$BATS_TEST_TMPDIR/nsd"
	mkdir -p "$d"
	nsd_server_conf "$d" >"$d/nsd.conf"
	cat >>"$d/nsd.conf" <<-EOF
	zone:
	    name: example.com
	    zonefile: "example.com.zone"
	    request-xfr: AXFR $LB_IP@$LB_PORT NOKEY
	    allow-notify: $LB_IP NOKEY
	    outgoing-interface: $LB_NET.3
	EOF
	start_daemon nsd nsd -d -c "$d/nsd.conf"
	wait_for -t 20 bash -c "dig +short +tries=1 +time=1 -p $LB_PORT @$LB_NET.3 www.example.com A | grep -qx 192.0.2.1"  || { cat "$BATS_TEST_TMPDIR"/*.log >&2; false; }
	run dig +short -p "$LB_PORT" @"$LB_NET.3" txt.example.com TXT
	assert_output '"v=1" "second string"'
	zone_version 2 192.0.2.2 >&7
	wait_for -t 20 bash -c "dig +short +tries=1 +time=1 -p $LB_PORT @$LB_NET.3 www.example.com A | grep -qx 192.0.2.2"
}
