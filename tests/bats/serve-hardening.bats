#!/usr/bin/env bats
# lbdns-serve abuse protection: DNS Cookies (RFC 7873/9018), response
# rate limiting on UDP, TSIG-signed zone transfers (RFC 8945).

load helpers

KEY256=c2VjcmV0LWtleS1mb3ItbGJkbnMtdGVzdHMtMDEyMzQ1Njc4OQ==
WRONG=d3JvbmcgLWtleS1mb3ItbGJkbnMtdGVzdHMtMDEyMzQ1Njc4OQ==

setup() {
	_common_setup
	ZONE="$BATS_TEST_TMPDIR/example.com.zone"
	cat >"$ZONE" <<-'EOF'
	$ORIGIN example.com.
	$TTL 300
	@	SOA	ns1 hostmaster 2026112501 3600 600 86400 300
	@	NS	ns1
	ns1	A	192.0.2.53
	www	A	192.0.2.10
	EOF
	for i in 1 2 3 4; do
		printf 'big TXT "%s%0190d"\n' "$i" 0 >>"$ZONE"
	done
	KEYS="$BATS_TEST_TMPDIR/tsig.keys"
	cat >"$KEYS" <<-EOF
	# transfer key
	key "xfr.example." {
		algorithm hmac-sha256;
		secret "$KEY256";
	};
	EOF
	chmod 600 "$KEYS"
}

teardown() {
	_common_teardown
}

serve() {
	start_daemon lbdns-serve lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" -t 2 "$@"
	wait_for_dns "$LB_IP" "$LB_PORT"
}

log() {
	cat "$BATS_TEST_TMPDIR/lbdns-serve.log"
}

# The COOKIE option dig shows: client cookie and server cookie, in hex.
cookie_of() {
	sed -n 's/^; COOKIE: \([0-9a-f]*\).*/\1/p'
}

@test "cookies: a client cookie gets a server cookie, which is accepted back" {
	serve --cookies
	run lbdig +cookie=0102030405060708 www.example.com A
	assert_success
	assert_output --partial "status: NOERROR"
	cookie=$(echo "$output" | cookie_of)
	[ "${#cookie}" -eq 48 ]                 # 8 + 16 octets, RFC 9018 size
	[ "${cookie:0:16}" = 0102030405060708 ]
	[ "${cookie:16:8}" = 01000000 ]         # version 1, reserved zero
	run lbdig +cookie="$cookie" www.example.com A
	assert_success
	assert_output --partial "status: NOERROR"
	assert_output --partial "192.0.2.10"
	assert_output --regexp "; COOKIE: 0102030405060708[0-9a-f]{32} \(good\)"
}

@test "cookies: off by default, COOKIE ignored" {
	serve
	run lbdig +cookie=0102030405060708 www.example.com A
	assert_success
	assert_output --partial "192.0.2.10"
	refute_output --partial "; COOKIE:"
}

@test "cookies: a bad server cookie is answered as client-only, BADCOOKIE only without a question" {
	serve --cookies
	run lbdig +cookie=0102030405060708010000006b07452e0011223344556677 www.example.com A
	assert_success
	assert_output --partial "status: NOERROR"
	assert_output --partial "192.0.2.10"
	# RFC 7873 5.4: a query without a question fetches a cookie.
	run python3 - "$LB_IP" "$LB_PORT" <<-'EOF'
	import socket, struct, sys
	def ask(opt):
	    rd = struct.pack(">HH", 10, len(opt)) + opt
	    q = struct.pack(">HHHHHH", 0x4242, 0, 0, 0, 0, 1) + b"\0" + \
	        struct.pack(">HHIH", 41, 1232, 0, len(rd)) + rd
	    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	    s.settimeout(2)
	    s.sendto(q, (sys.argv[1], int(sys.argv[2])))
	    r = s.recv(4096)
	    ext = r[12 + 1 + 4]                 # OPT right after the header
	    return (ext << 4) | (r[3] & 15), r[-24:]
	rc, ck = ask(bytes(range(1, 9)))
	print("client-only", rc, len(ck))
	rc2, _ = ask(ck)
	print("valid", rc2)
	rc3, _ = ask(ck[:-1] + bytes([ck[-1] ^ 1]))
	print("bad", rc3)
	EOF
	assert_success
	assert_line "client-only 0 24"
	assert_line "valid 0"
	assert_line "bad 23"
}

@test "cookies: --cookie-required-size truncates large UDP answers without a valid cookie" {
	serve --cookies --cookie-required-size 512
	run lbdig +ignore +bufsize=1232 +nocookie big.example.com TXT
	assert_success
	assert_output --regexp "flags: qr aa tc[ ;]"
	run lbdig +ignore +bufsize=1232 +cookie=0102030405060708 big.example.com TXT
	assert_output --regexp "flags: qr aa tc[ ;]"
	cookie=$(echo "$output" | cookie_of)
	run lbdig +ignore +bufsize=1232 +cookie="$cookie" big.example.com TXT
	assert_success
	refute_output --regexp "flags: [a-z ]*tc"
	assert_output --partial "ANSWER: 4"
	# Over TCP nobody needs a cookie.
	run lbdig +tcp +nocookie big.example.com TXT
	assert_output --partial "ANSWER: 4"
}

@test "cookies: a shared secret file lets another server accept the cookie" {
	printf '# anycast\ne5e973e5a6b2a43f48e7dc849e37bfcf\n' >"$BATS_TEST_TMPDIR/secret"
	chmod 600 "$BATS_TEST_TMPDIR/secret"
	serve --cookie-secret "$BATS_TEST_TMPDIR/secret" --cookie-required-size 512
	start_daemon other lbdns-serve -z "$ZONE" -l "$LB_NET.2:$LB_PORT" -t 1 \
		--cookie-secret "$BATS_TEST_TMPDIR/secret" --cookie-required-size 512
	wait_for_dns "$LB_NET.2" "$LB_PORT"
	run lbdig -b "$LB_NET.9" +cookie=1112131415161718 www.example.com A
	cookie=$(echo "$output" | cookie_of)
	run dig +tries=1 +time=2 -p "$LB_PORT" @"$LB_NET.2" -b "$LB_NET.9" +ignore \
		+cookie="$cookie" big.example.com TXT
	assert_success
	assert_output --partial "ANSWER: 4"
	refute_output --regexp "flags: [a-z ]*tc"
}

@test "cookies: a bad secret file is refused with file:line:col" {
	printf '# comment\nnot-hex\n' >"$BATS_TEST_TMPDIR/secret"
	run lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" --cookie-secret "$BATS_TEST_TMPDIR/secret"
	assert_failure 2
	assert_output --partial "secret:2:1: want 32 hex digits"
	run lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" --cookie-required-size 12
	assert_failure 2
	assert_output --partial "not a number in 128..65535"
}

# flood SRC COUNT: COUNT queries from SRC, one every 0.5 ms (fast enough
# to be limited, slow enough that no socket buffer overflows); prints
# "full N tc M secs S" (answers with records, truncated slips, time).
flood() {
	python3 - "$LB_IP" "$LB_PORT" "$1" "$2" <<-'EOF'
	import socket, struct, sys, time
	ip, port, src, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind((src, 0))
	q = b"\3www\7example\3com\0" + struct.pack(">HH", 1, 1)
	t0 = time.monotonic()
	for i in range(n):
	    s.sendto(struct.pack(">HHHHHH", i, 0, 1, 0, 0, 0) + q, (ip, port))
	    time.sleep(0.0005)
	secs = time.monotonic() - t0
	full = tc = 0
	s.settimeout(0.5)
	try:
	    while True:
	        r = s.recv(512)
	        if r[2] & 2:
	            tc += 1
	        elif struct.unpack(">H", r[6:8])[0] > 0:
	            full += 1
	except socket.timeout:
	    pass
	print("full", full, "tc", tc, "secs", round(secs, 2))
	EOF
}

@test "rrl: a flood from one address is cut to the rate, another address is unaffected" {
	serve --rrl 20 --rrl-slip 2
	run flood "$LB_NET.10" 400
	assert_success
	read -r _ full _ tc _ secs <<<"$output"
	echo "# flood: $output" >&3
	# A burst of 20, then 20 a second while the flood lasts.
	max=$(python3 -c "import math; print(20 + math.ceil($secs * 20) + 1)")
	[ "$full" -ge 20 ]
	[ "$full" -le "$max" ]
	# Every second limited response slips (one table slot: exact, give or
	# take the odd one out).
	[ "$tc" -ge $(( (400 - full) / 2 - 1 )) ]
	[ "$tc" -le $(( (400 - full) / 2 + 1 )) ]
	# Another client is not limited.
	run dig +tries=1 +time=2 -p "$LB_PORT" @"$LB_IP" -b "127.99.1.1" +short www.example.com A
	assert_output "192.0.2.10"
	run flood "127.99.2.1" 10
	assert_output --regexp "^full 10 tc 0 "
	# TCP is never limited.
	run lbdig +tcp -b "$LB_NET.10" +short www.example.com A
	assert_output "192.0.2.10"
}

@test "rrl: a client showing a valid server cookie is not limited" {
	serve --rrl 10 --cookies
	run python3 - "$LB_IP" "$LB_PORT" "$LB_NET.13" <<-'EOF'
	import socket, struct, sys, time
	ip, port, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind((src, 0))
	s.settimeout(2)
	def query(qid, cookie):
	    opt = struct.pack(">HH", 10, len(cookie)) + cookie
	    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1) + \
	        b"\3www\7example\3com\0" + struct.pack(">HH", 1, 1) + \
	        b"\0" + struct.pack(">HHIH", 41, 1232, 0, len(opt)) + opt
	s.sendto(query(1, bytes(range(1, 9))), (ip, port))
	r = s.recv(512)
	cookie = r[-24:]                      # client + server cookie
	def flood(c):
	    for i in range(100):
	        s.sendto(query(i, c), (ip, port))
	        time.sleep(0.0005)
	    full = 0
	    s.settimeout(0.5)
	    try:
	        while True:
	            r = s.recv(512)
	            full += not (r[2] & 2) and struct.unpack(">H", r[6:8])[0] > 0
	    except socket.timeout:
	        pass
	    return full
	print("with-cookie", flood(cookie))
	print("client-cookie-only", flood(bytes(range(1, 9))))
	EOF
	assert_success
	assert_line "with-cookie 100"
	assert_line --regexp "^client-cookie-only ([0-9]|1[0-9])$"
}

@test "rrl: slip 0 drops everything above the rate; --rrl-slip needs --rrl" {
	serve --rrl 10 --rrl-slip 0
	run flood "$LB_NET.12" 200
	read -r _ full _ tc _ secs <<<"$output"
	max=$(python3 -c "import math; print(10 + math.ceil($secs * 10) + 1)")
	[ "$full" -ge 10 ]
	[ "$full" -le "$max" ]
	[ "$tc" -eq 0 ]
	run lbdns-serve -z "$ZONE" --rrl-slip 3
	assert_failure 2
	assert_output --partial "--rrl-slip needs --rrl"
}

@test "tsig: AXFR with the right key transfers the zone, signed" {
	serve --tsig-key "$KEYS" --allow-transfer "127.0.0.0/8,key=xfr.example."
	run kdig -y "hmac-sha256:xfr.example.:$KEY256" -p "$LB_PORT" @"$LB_IP" example.com AXFR
	assert_success
	refute_output --partial "WARNING"
	assert_output --partial "big.example.com."
	assert_output --regexp "TSIG[[:space:]]+hmac-sha256\\. [0-9]+ 300 32 "
	run dig -y "hmac-sha256:xfr.example:$KEY256" -p "$LB_PORT" @"$LB_IP" example.com AXFR
	assert_success
	refute_output --partial "Couldn't verify"
	assert_output --partial "ns1.example.com."
	refute_output --partial "; Transfer failed"
}

@test "tsig: a multi-message AXFR carries a valid running MAC" {
	for i in $(seq 1 3000); do
		echo "h$i A 198.51.$((i / 250)).$((i % 250 + 1))"
	done >>"$ZONE"
	serve --tsig-key "$KEYS" --allow-transfer "127.0.0.0/8,key=xfr.example."
	run kdig -y "hmac-sha256:xfr.example.:$KEY256" -p "$LB_PORT" @"$LB_IP" example.com AXFR
	assert_success
	refute_output --partial "WARNING"
	assert_output --regexp ";; Received [0-9]+ B \(([2-9]|[1-9][0-9]+) messages, 3009 records\)"
}

@test "tsig: an nsd secondary transfers a multi-message zone with the key" {
	requires cmd:nsd
	for i in $(seq 1 2000); do
		echo "h$i A 198.51.$((i / 250)).$((i % 250 + 1))"
	done >>"$ZONE"
	serve --tsig-key "$KEYS" --allow-transfer "$LB_NET.0/24,key=xfr.example."
	local d="$BATS_TEST_TMPDIR/nsd"
	mkdir -p "$d"
	nsd_server_conf "$d" "xfr.example.=$KEY256" >"$d/nsd.conf"
	cat >>"$d/nsd.conf" <<-EOF
	zone:
	    name: example.com
	    zonefile: "example.com.zone"
	    request-xfr: AXFR $LB_IP@$LB_PORT xfr.example.
	    outgoing-interface: $LB_NET.3
	EOF
	start_daemon nsd nsd -d -c "$d/nsd.conf"
	wait_for -t 20 bash -c "dig +short +tries=1 +time=1 -p $LB_PORT @$LB_NET.3 h2000.example.com A | grep -qx 198.51.8.1" ||
		{ cat "$BATS_TEST_TMPDIR"/*.log >&2; false; }
	run dig +short -p "$LB_PORT" @"$LB_NET.3" www.example.com A
	assert_output "192.0.2.10"
}

@test "tsig: wrong key BADSIG, unknown key BADKEY, no key REFUSED" {
	serve --tsig-key "$KEYS" --allow-transfer "127.0.0.0/8,key=xfr.example."
	# kdig names the TSIG error in place of the header's NOTAUTH.
	run kdig -y "hmac-sha256:xfr.example.:$WRONG" -p "$LB_PORT" @"$LB_IP" example.com AXFR
	assert_failure
	assert_output --partial "error 'BADSIG'"
	run kdig -y "hmac-sha256:nobody.example.:$KEY256" -p "$LB_PORT" @"$LB_IP" example.com AXFR
	assert_failure
	assert_output --partial "error 'BADKEY'"
	run kdig -p "$LB_PORT" @"$LB_IP" example.com AXFR
	assert_output --partial "REFUSED"
	refute_output --partial "big.example.com."
	run dig -y "hmac-sha256:xfr.example:$WRONG" -p "$LB_PORT" @"$LB_IP" example.com AXFR
	refute_output --partial "big.example.com."
}

@test "tsig: signed queries are answered signed; a wrong key gets NOTAUTH/BADSIG" {
	serve --tsig-key "$KEYS"
	run lbdig -y "hmac-sha256:xfr.example:$KEY256" example.com SOA
	assert_success
	assert_output --partial "status: NOERROR"
	assert_output --regexp "TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 32 .* NOERROR 0"
	refute_output --partial "Couldn't verify"
	run kdig +tcp -y "hmac-sha256:xfr.example.:$KEY256" -p "$LB_PORT" @"$LB_IP" www.example.com A
	assert_success
	refute_output --partial "WARNING"
	assert_output --partial "192.0.2.10"
	run lbdig -y "hmac-sha256:xfr.example:$WRONG" example.com SOA
	assert_output --partial "status: NOTAUTH"
	assert_output --regexp "TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADSIG"
	# Unsigned queries are unaffected.
	run lbdig +short www.example.com A
	assert_output "192.0.2.10"
}

# tsig_query SKEW SECRET_B64: a SOA query for example.com signed with
# xfr.example. (hmac-sha256) SKEW seconds off our clock, sent over UDP;
# prints "rcode R error E other O skew S mac M", where O is the length
# of Other Data, S the server time there minus ours, M "valid" when the
# answer's MAC verifies against the request MAC and the key.
tsig_query() {
	python3 - "$LB_IP" "$LB_PORT" "$1" "$2" <<-'EOF'
	import base64, hashlib, hmac, socket, struct, sys, time
	ip, port, skew, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), base64.b64decode(sys.argv[4])
	def name(s):
	    return b"".join(bytes([len(l)]) + l.encode() for l in s.split(".") if l) + b"\0"
	kname, alg = name("xfr.example."), name("hmac-sha256.")
	now = int(time.time())
	signed = now + skew
	msg = struct.pack(">6H", 0x1234, 0, 1, 0, 0, 0) + name("example.com.") + struct.pack(">HH", 6, 1)
	tvars = kname + struct.pack(">HI", 255, 0) + alg + struct.pack(">HIHHH", signed >> 32, signed & 0xffffffff, 300, 0, 0)
	mac = hmac.new(key, msg + tvars, hashlib.sha256).digest()
	rd = alg + struct.pack(">HIHH", signed >> 32, signed & 0xffffffff, 300, len(mac)) + mac + struct.pack(">HHH", 0x1234, 0, 0)
	q = msg[:10] + struct.pack(">H", 1) + msg[12:] + kname + struct.pack(">HHIH", 250, 255, 0, len(rd)) + rd
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(3)
	s.sendto(q, (ip, port))
	r = s.recv(4096)
	# The TSIG RR is the last record: parse the answer from the top.
	def skip(m, p):
	    while m[p]:
	        if m[p] >= 0xc0:
	            return p + 2
	        p += 1 + m[p]
	    return p + 1
	qd, an, ns, ar = struct.unpack(">4H", r[4:12])
	p = 12
	for _ in range(qd):
	    p = skip(r, p) + 4
	for _ in range(an + ns + ar - 1):
	    p = skip(r, p) + 8
	    p += 2 + struct.unpack(">H", r[p:p + 2])[0]
	tsig_at = p
	p = skip(r, p) + 8 + 2
	ralg_at = p
	p = skip(r, p)
	ralg = r[ralg_at:p]
	hi, lo, fudge, mlen = struct.unpack(">HIHH", r[p:p + 10]); p += 10
	rmac = r[p:p + mlen]; p += mlen
	oid, err, olen = struct.unpack(">3H", r[p:p + 6]); p += 6
	other = r[p:p + olen]
	stime = int.from_bytes(other, "big") if olen == 6 else 0
	verdict = "none"
	if mlen:
	    unsigned = r[:10] + struct.pack(">H", ar - 1) + r[12:tsig_at]
	    v = struct.pack(">H", len(mac)) + mac + unsigned + kname + struct.pack(">HI", 255, 0) + \
	        ralg + struct.pack(">HIHHH", hi, lo, fudge, err, olen) + other
	    verdict = "valid" if hmac.compare_digest(hmac.new(key, v, hashlib.sha256).digest(), rmac) else "bad"
	print("rcode", r[3] & 15, "error", err, "other", olen,
	      "skew", (stime - now) if olen == 6 else "-", "signed", (hi << 32 | lo) - signed, "mac", verdict)
	EOF
}

@test "tsig: BADTIME for a request signed 20 minutes off, signed, with our time in Other Data" {
	serve --tsig-key "$KEYS"
	run tsig_query 0 "$KEY256"
	assert_success
	assert_output "rcode 0 error 0 other 0 skew - signed 0 mac valid"
	for skew in -1200 1200; do
		run tsig_query "$skew" "$KEY256"
		assert_success
		# NOTAUTH, BADTIME; Time Signed echoes the request's; Other
		# Data holds the server's clock (within a second of ours).
		assert_output --regexp "^rcode 9 error 18 other 6 skew (-1|0|1) signed 0 mac valid$"
	done
	# Within the fudge (300 s) the request is fine.
	run tsig_query -250 "$KEY256"
	assert_output --regexp "^rcode 0 error 0 other 0 skew - signed -?[0-9]+ mac valid$"
	# The wrong secret: BADSIG, unsigned (no MAC), whatever the time.
	run tsig_query -1200 "$WRONG"
	assert_output --regexp "^rcode 9 error 16 other 0 skew - signed -?[0-9]+ mac none$"
}

@test "cookies: a secret file readable by others warns" {
	printf 'e5e973e5a6b2a43f48e7dc849e37bfcf\n' >"$BATS_TEST_TMPDIR/secret"
	chmod 640 "$BATS_TEST_TMPDIR/secret"
	serve --cookie-secret "$BATS_TEST_TMPDIR/secret"
	run log
	assert_output --partial "secret: readable by group or others, or owned by another user: keep the cookie secret private"
	chmod 600 "$BATS_TEST_TMPDIR/secret"
	start_daemon other lbdns-serve -z "$ZONE" -l "$LB_NET.2:$LB_PORT" -t 1 \
		--cookie-secret "$BATS_TEST_TMPDIR/secret"
	wait_for_dns "$LB_NET.2" "$LB_PORT"
	run cat "$BATS_TEST_TMPDIR/other.log"
	refute_output --partial "readable by group or others"
}

@test "cookies: rotation: the previous secret on the second line is still accepted, then dropped" {
	old=e5e973e5a6b2a43f48e7dc849e37bfcf
	new=0f1e2d3c4b5a69788796a5b4c3d2e1f0
	printf '%s\n' "$old" >"$BATS_TEST_TMPDIR/s1"
	printf '# rolled\n%s\n%s\n' "$new" "$old" >"$BATS_TEST_TMPDIR/s2"
	printf '%s\n' "$new" >"$BATS_TEST_TMPDIR/s3"
	chmod 600 "$BATS_TEST_TMPDIR"/s[123]
	serve --cookie-secret "$BATS_TEST_TMPDIR/s1" --cookie-required-size 512
	run lbdig -b "$LB_NET.9" +cookie=1112131415161718 www.example.com A
	oldcookie=$(echo "$output" | cookie_of)
	stop_daemons
	# Mid-rotation: the new secret signs, the old one still verifies.
	serve --cookie-secret "$BATS_TEST_TMPDIR/s2" --cookie-required-size 512
	run lbdig -b "$LB_NET.9" +ignore +bufsize=1232 +cookie="$oldcookie" big.example.com TXT
	assert_output --partial "ANSWER: 4"
	refute_output --regexp "flags: [a-z ]*tc"
	newcookie=$(echo "$output" | cookie_of)
	[ "${newcookie:0:16}" = 1112131415161718 ]
	stop_daemons
	# Rotation done: the old cookie is refused, the new one accepted.
	serve --cookie-secret "$BATS_TEST_TMPDIR/s3" --cookie-required-size 512
	run lbdig -b "$LB_NET.9" +ignore +bufsize=1232 +cookie="$oldcookie" big.example.com TXT
	assert_output --regexp "flags: qr aa tc[ ;]"
	run lbdig -b "$LB_NET.9" +ignore +bufsize=1232 +cookie="$newcookie" big.example.com TXT
	assert_output --partial "ANSWER: 4"
	refute_output --regexp "flags: [a-z ]*tc"
}

# big_ok DIG-ARGS...: big.example.com TXT in full over UDP (a valid cookie
# lifts --cookie-required-size); big_tc: held down to TC=1.
big_ok() {
	run dig +tries=1 +time=2 -p "$LB_PORT" -b "$LB_NET.9" +ignore +bufsize=1232 "$@" big.example.com TXT
	assert_output --partial "ANSWER: 4"
	refute_output --regexp "flags: [a-z ]*tc"
}
big_tc() {
	run dig +tries=1 +time=2 -p "$LB_PORT" -b "$LB_NET.9" +ignore +bufsize=1232 "$@" big.example.com TXT
	assert_output --regexp "flags: qr aa tc[ ;]"
}

@test "cookies: SIGHUP re-reads the secret file: new signs, old accepted then dropped; a bad file keeps them" {
	A=e5e973e5a6b2a43f48e7dc849e37bfcf
	B=0f1e2d3c4b5a69788796a5b4c3d2e1f0
	secret="$BATS_TEST_TMPDIR/secret"
	# put LINES...: replace the secret file as an operator would (rename)
	put() { printf '%s\n' "$@" >"$secret.tmp"; chmod 600 "$secret.tmp"; mv "$secret.tmp" "$secret"; }
	reloads() { [ "$(grep -c "$1" "$BATS_TEST_TMPDIR/lbdns-serve.log")" -eq "$2" ]; }
	put "$A"
	serve --cookie-secret "$secret" --cookie-required-size 512
	# a verifier that knows B only: it accepts exactly the cookies B made
	printf '%s\n' "$B" >"$BATS_TEST_TMPDIR/b-only"
	chmod 600 "$BATS_TEST_TMPDIR/b-only"
	start_daemon other lbdns-serve -z "$ZONE" -l "$LB_NET.2:$LB_PORT" -t 1 \
		--cookie-secret "$BATS_TEST_TMPDIR/b-only" --cookie-required-size 512
	wait_for_dns "$LB_NET.2" "$LB_PORT"
	run lbdig -b "$LB_NET.9" +cookie=1112131415161718 www.example.com A
	acookie=$(echo "$output" | cookie_of)
	[ "${#acookie}" -eq 48 ]
	big_ok @"$LB_IP" +cookie="$acookie"
	big_tc @"$LB_NET.2" +cookie="$acookie"          # not a B cookie

	# "B, A": B signs from now on, A's cookies are still good
	put "$B" "$A"
	kill -HUP "$lbdns_serve_pid"
	wait_for reloads "cookie secrets reloaded" 1
	big_ok @"$LB_IP" +cookie="$acookie"
	bcookie=$(echo "$output" | cookie_of)
	[ "${bcookie:0:16}" = 1112131415161718 ] && [ "$bcookie" != "$acookie" ]
	big_ok @"$LB_NET.2" +cookie="$bcookie"          # made with B

	# "B" alone: A's cookies are refused (held to TC=1), B's still good
	put "$B"
	kill -HUP "$lbdns_serve_pid"
	wait_for reloads "cookie secrets reloaded" 2
	big_tc @"$LB_IP" +cookie="$acookie"
	big_ok @"$LB_IP" +cookie="$bcookie"

	# garbage: reported with file:line, B stays in force
	printf 'not a secret\n' >"$secret"
	kill -HUP "$lbdns_serve_pid"
	wait_for reloads "the cookie secrets in use are kept" 1
	grep -qF "secret:1:1: want 32 hex digits (a second line: the previous secret): SIGHUP: the cookie secrets in use are kept" \
		"$BATS_TEST_TMPDIR/lbdns-serve.log"
	big_ok @"$LB_IP" +cookie="$bcookie"
	big_tc @"$LB_IP" +cookie="$acookie"
	# a missing file too; the server still answers
	rm "$secret"
	kill -HUP "$lbdns_serve_pid"
	wait_for reloads "the cookie secrets in use are kept" 2
	grep -qF "secret: No such file or directory: SIGHUP" "$BATS_TEST_TMPDIR/lbdns-serve.log"
	big_ok @"$LB_IP" +cookie="$bcookie"
	kill -0 "$lbdns_serve_pid"
}

@test "tsig: a 0600 key file owned by another user than root warns too" {
	requires root
	chown 65534 "$KEYS"
	serve --tsig-key "$KEYS"
	wait_for grep -q "tsig.keys: readable by group or others, or owned by another user" \
		"$BATS_TEST_TMPDIR/lbdns-serve.log"
	chown 0 "$KEYS"
	start_daemon other lbdns-serve -z "$ZONE" -l "$LB_NET.2:$LB_PORT" -t 1 --tsig-key "$KEYS"
	wait_for_dns "$LB_NET.2" "$LB_PORT"
	run cat "$BATS_TEST_TMPDIR/other.log"
	refute_output --partial "readable by"
}

@test "tsig: a key file readable by others warns; a broken one stops with file:line:col" {
	chmod 644 "$KEYS"
	serve --tsig-key "$KEYS" --allow-transfer "127.0.0.0/8,key=xfr.example."
	wait_for grep -q "readable by group or others" "$BATS_TEST_TMPDIR/lbdns-serve.log"
	printf 'key "k." {\n\talgorithm hmac-md5;\n};\n' >"$BATS_TEST_TMPDIR/bad.keys"
	run lbdns-serve -z "$ZONE" -l "$LB_NET.3:$LB_PORT" --tsig-key "$BATS_TEST_TMPDIR/bad.keys"
	assert_failure 2
	assert_output --partial "bad.keys:2:12: unsupported algorithm 'hmac-md5'"
	run lbdns-serve -z "$ZONE" -l "$LB_NET.3:$LB_PORT" --allow-transfer "$LB_NET.0/24,key=nokey."
	assert_failure 2
	assert_output --partial "no such key"
}

# metric NAME: the value of one sample of --metrics $LB_NET.1:9153.
metric() {
	curl -sS --max-time 5 "http://$LB_NET.1:9153/metrics" |
		awk -v m="$1" '$1 == m { print $2; found = 1 } END { exit !found }'
}

@test "counters: RRL verdicts and cookie kinds in --metrics and the SIGUSR1 report" {
	serve --rrl 20 --rrl-slip 2 --cookies --cookie-required-size 512 \
		--metrics "$LB_NET.1:9153"
	for k in valid bad client_only none; do
		eval "c0_$k=\$(metric 'lbdns_cookie_queries_total{cookie=\"$k\"}')"
	done
	t0=$(metric lbdns_cookie_truncated_total)
	[ "$(metric 'lbdns_rrl_responses_total{verdict="drop"}')" = 0 ]
	[ "$(metric 'lbdns_rrl_responses_total{verdict="slip"}')" = 0 ]
	# One query of each cookie kind, and one large answer held to 512
	# octets for want of a valid cookie.
	run lbdig +cookie=0102030405060708 www.example.com A
	cookie=$(echo "$output" | cookie_of)
	run lbdig +cookie="$cookie" www.example.com A
	assert_output --partial "(good)"
	lbdig +cookie=0102030405060708010000006b07452e0011223344556677 www.example.com A >/dev/null
	lbdig +nocookie www.example.com A >/dev/null
	run lbdig +ignore +bufsize=1232 +nocookie big.example.com TXT
	assert_output --regexp "flags: qr aa tc[ ;]"
	[ "$(metric 'lbdns_cookie_queries_total{cookie="client_only"}')" -eq $((c0_client_only + 1)) ]
	[ "$(metric 'lbdns_cookie_queries_total{cookie="valid"}')" -eq $((c0_valid + 1)) ]
	[ "$(metric 'lbdns_cookie_queries_total{cookie="bad"}')" -eq $((c0_bad + 1)) ]
	[ "$(metric 'lbdns_cookie_queries_total{cookie="none"}')" -eq $((c0_none + 2)) ]
	[ "$(metric lbdns_cookie_truncated_total)" -eq $((t0 + 1)) ]
	# A flood from one address: what it did not get was dropped or slipped.
	run flood "$LB_NET.10" 400
	read -r _ full _ tc _ secs <<<"$output"
	echo "# flood: $output" >&3
	drop=$(metric 'lbdns_rrl_responses_total{verdict="drop"}')
	slip=$(metric 'lbdns_rrl_responses_total{verdict="slip"}')
	[ "$slip" -eq "$tc" ]
	[ "$drop" -eq $((400 - full - tc)) ]
	[ "$drop" -gt 100 ]
	kill -USR1 "$lbdns_serve_pid"
	wait_for grep -q '^  cookies valid' "$BATS_TEST_TMPDIR/lbdns-serve.log"
	run log
	assert_line --regexp "^  rrl checked [0-9]+, passed [0-9]+, dropped $drop, slipped $slip$"
	assert_line --regexp "^  cookies valid [1-9][0-9]*, bad 1, client-only [1-9][0-9]*, none [1-9][0-9]*; truncated for want of one 1, BADCOOKIE 0$"
}

@test "counters: no RRL or cookie metrics when neither is on" {
	serve --metrics "$LB_NET.1:9153"
	run curl -sS --max-time 5 "http://$LB_NET.1:9153/metrics"
	assert_success
	assert_output --partial "lbdns_queries_total"
	refute_output --partial "lbdns_rrl_"
	refute_output --partial "lbdns_cookie_"
}

@test "limits: --max-zone-records refuses a larger zone at start and on reload, the old version serves" {
	# The zone of setup() has 8 records.
	run lbdns-serve -z "$ZONE" -l "$LB_IP:$LB_PORT" --no-sandbox --max-zone-records 7
	assert_failure 1
	assert_output --partial "zone has more than 7 records"
	assert_output --partial "example.com.zone: no valid zone version"
	serve --max-zone-records 8
	run lbdig +short www.example.com A
	assert_output "192.0.2.10"
	sed -i 's/^www\tA\t192.0.2.10/www\tA\t192.0.2.11\nextra\tA\t192.0.2.12/; s/2026112501/2026112502/' "$ZONE"
	grep -q extra "$ZONE"
	kill -HUP "$lbdns_serve_pid"
	wait_for grep -q "too many records" "$BATS_TEST_TMPDIR/lbdns-serve.log"
	run lbdig +short www.example.com A
	assert_output "192.0.2.10"
	run lbdns-serve -z "$ZONE" --max-zone-records 0
	assert_failure 2
	assert_output --partial "not a number in 1..1000000000"
}
