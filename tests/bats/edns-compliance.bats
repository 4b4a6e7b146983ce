#!/usr/bin/env bats
# EDNS compliance as the DNS Flag Day tests measure it: ISC's EDNS
# compliance tester (genreport, ednscomp.isc.org) is not packaged, so
# its test list is redone twice here:
#   - as the dig commands ISC publishes for each check (one @test per
#     check, asserting rcode, flags, OPT and the answer);
#   - as tests/data/edns/ednscomp.py, which sends genreport's exact
#     queries (EDNS, FULL and COMM groups) and applies its verdicts, plus
#     the malformed packets dig cannot build.
# Every check runs against lbdns-serve and, as a cross-check of the
# expectations, against knotd and nsd serving the same zone on loopback.

load helpers

ZONE_NAME=example
SIGNED_NAME=sec.test

setup_file() {
	_file_setup
	# helpers.bash derives 127.20-219.x from the file's place in the
	# suite and serve-net/-stream/-xfr took 127.231-233; this file
	# takes 127.241 for itself.
	LB_FILE_NET=127.241.250
	export LB_FILE_NET
	local d=$BATS_FILE_TMPDIR zone=$BATS_TEST_DIRNAME/../data/edns/example.zone
	local signed=$BATS_TEST_DIRNAME/../data/dnssec/sec.test.zone.signed
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
	start_file_daemon lbdns lbdns-serve -z "$zone" -l "$LB_FILE_NET.1:5300" \
		-t 1 --nsid lbdns-edns
	start_file_daemon lbdns-signed lbdns-serve -z "$signed" \
		-l "$LB_FILE_NET.11:5300" -t 1
	if command -v knotd >/dev/null; then
		knot_conf "$d/knot" "$LB_FILE_NET.2" "$zone" "$ZONE_NAME"
		knot_conf "$d/knot-signed" "$LB_FILE_NET.12" "$signed" "$SIGNED_NAME"
		start_file_daemon knot knotd -c "$d/knot/knot.conf"
		start_file_daemon knot-signed knotd -c "$d/knot-signed/knot.conf"
	fi
	if command -v nsd >/dev/null; then
		nsd_conf "$d/nsd" "$LB_FILE_NET.3" "$zone" "$ZONE_NAME"
		nsd_conf "$d/nsd-signed" "$LB_FILE_NET.13" "$signed" "$SIGNED_NAME"
		start_file_daemon nsd nsd -d -c "$d/nsd/nsd.conf"
		start_file_daemon nsd-signed nsd -d -c "$d/nsd-signed/nsd.conf"
	fi
	local a
	for a in 1 11 2 12 3 13; do
		case $a in
		2 | 12) command -v knotd >/dev/null || continue ;;
		3 | 13) command -v nsd >/dev/null || continue ;;
		esac
		wait_for_dns "$LB_FILE_NET.$a" 5300
	done
}

teardown_file() {
	_file_teardown
}

setup() {
	_common_setup
	LB_PORT=5300
	EDNSCOMP="$DATA/edns/ednscomp.py"
}

teardown() {
	_common_teardown
}

# knot_conf DIR ADDR ZONEFILE ORIGIN: a knotd serving one zone there.
knot_conf() {
	mkdir -p "$1"
	cat >"$1/knot.conf" <<-EOF
	server:
	    listen: $2@5300
	    rundir: $1
	    nsid: knot-edns
	database:
	    storage: $1/db
	log:
	  - target: stderr
	    any: error
	template:
	  - id: default
	    storage: $(dirname "$3")
	    journal-content: none
	    zonefile-load: whole
	    zonefile-sync: -1
	zone:
	  - domain: $4
	    file: $(basename "$3")
	EOF
}

# nsd_conf DIR ADDR ZONEFILE ORIGIN: an nsd serving one zone there.
nsd_conf() {
	mkdir -p "$1"
	cat >"$1/nsd.conf" <<-EOF
	server:
	    ip-address: $2@5300
	    zonelistfile: "$1/zone.list"
	    pidfile: "$1/nsd.pid"
	    xfrdfile: "$1/xfrd.state"
	    database: ""
	    username: ""
	    chroot: ""
	    rrl-ratelimit: 0
	    verbosity: 0
	    nsid: "ascii_nsd-edns"
	remote-control:
	    control-enable: no
	zone:
	    name: "$4"
	    zonefile: "$3"
	EOF
}

# servers [signed]: "name=address" of every server running the zone.
servers() {
	local off=${1:+1}
	echo "lbdns=$LB_FILE_NET.${off}1"
	command -v knotd >/dev/null && echo "knot=$LB_FILE_NET.${off}2"
	command -v nsd >/dev/null && echo "nsd=$LB_FILE_NET.${off}3"
	return 0
}

# summarize: dig's output as words, one per fact:
#   status=RCODE  flag:F (header flags, flag:z for the Z bit)  qd=N
#   edns=none|VERSION  eflag:do  eflag:mbz (unknown EDNS flags)
#   udp=N  udpok (N >= 512)  opt:NAME (each option, opt:OPT=100...)
#   an=TYPE,TYPE|-  ns=...  size=N  fits512 (reply <= 512 octets)
summarize() {
	awk '
	function add(s, t) { return s == "-" ? t : s "," t }
	BEGIN { st = "none"; ed = "none"; an = ns = ar = "-" }
	/->>HEADER<<-/ { match($0, /status: [A-Z0-9]+/); st = substr($0, RSTART + 8, RLENGTH - 8) }
	/^;; flags:/ {
		f = $0; sub(/^;; flags: */, "", f); z = (f ~ /MBZ/)
		sub(/;.*/, "", f); n = split(f, a, " ")
		for (i = 1; i <= n; i++) w = w " flag:" a[i]
		if (z) w = w " flag:z"
		match($0, /QUERY: [0-9]+/); qd = substr($0, RSTART + 7, RLENGTH - 7)
	}
	/^; EDNS:/ {
		match($0, /version: [0-9]+/); ed = substr($0, RSTART + 9, RLENGTH - 9)
		if ($0 ~ /flags:[^;]*do/) w = w " eflag:do"
		if ($0 ~ /MBZ/) w = w " eflag:mbz"
		match($0, /udp: [0-9]+/); u = substr($0, RSTART + 5, RLENGTH - 5)
		w = w " udp=" u (u + 0 >= 512 ? " udpok" : "")
	}
	/^;; [A-Z]+ SECTION:/ { sec = $2; next }
	/^;; OPT PSEUDOSECTION:/ { sec = "OPT"; next }
	/^$/ { sec = "" }
	sec == "OPT" && /^; [A-Z0-9=-]+:/ && !/^; EDNS:/ {
		o = $2; sub(/:$/, "", o); w = w " opt:" o
	}
	sec == "ANSWER" && !/^;/ { an = add(an, $4) }
	sec == "AUTHORITY" && !/^;/ { ns = add(ns, $4) }
	/MSG SIZE *rcvd:/ { sz = $NF }
	END {
		printf "status=%s qd=%s edns=%s%s an=%s ns=%s size=%s%s\n", st, qd,
			ed, w, an, ns, sz, (sz + 0 <= 512 ? " fits512" : "")
	}'
}

# check ADDR DIGARGS... -- WORD...: dig there, then every WORD must be in
# the summary, every !WORD must not.
check() {
	local addr=$1 args=() w bad=0
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	local sum
	sum=" $(dig +tries=2 +time=2 -p "$LB_PORT" @"$addr" "${args[@]}" | summarize) "
	for w in "$@"; do
		if [ "${w#!}" != "$w" ]; then
			[[ $sum != *" ${w#!} "* ]] || { echo "unexpected ${w#!}"; bad=1; }
		else
			[[ $sum == *" $w "* ]] || { echo "missing $w"; bad=1; }
		fi
	done
	[ "$bad" -eq 0 ] || { echo "dig ${args[*]} @$addr:$sum"; return 1; }
}

# on_all [signed] DIGARGS... -- WORD...: check on every server.
on_all() {
	local signed=
	if [ "$1" = signed ]; then signed=1; shift; fi
	local s fail=0
	for s in $(servers $signed); do
		check "${s#*=}" "$@" || { echo "  ^ ${s%%=*}"; fail=1; }
	done
	[ "$fail" -eq 0 ]
}

# ---- ISC's dig commands, one check each, on all three servers ----

@test "dns: plain DNS, no EDNS: NOERROR, AA, SOA, no OPT" {
	run on_all +noedns +noad +norec SOA example -- \
		status=NOERROR flag:qr flag:aa edns=none an=SOA '!flag:ra' '!flag:tc'
	assert_success
}

@test "aa: AA in the query is ignored, AA set for zone data" {
	run on_all +noedns +noad +norec +aaflag SOA example -- \
		status=NOERROR flag:aa edns=none an=SOA
	assert_success
}

@test "ad, cd: AD not echoed without DO; CD allowed back" {
	run on_all +noedns +ad +norec SOA example -- \
		status=NOERROR flag:aa an=SOA '!flag:ad'
	assert_success
	run on_all +noedns +noad +norec +cd SOA example -- \
		status=NOERROR flag:aa an=SOA '!flag:ad'
	assert_success
}

@test "rd: recursion not offered: RD echoed, RA clear, still authoritative" {
	run on_all +noedns +noad +rec SOA example -- \
		status=NOERROR flag:qr flag:aa flag:rd '!flag:ra' an=SOA
	assert_success
}

@test "zflag: the Z bit is answered and not echoed" {
	run on_all +noedns +noad +norec +zflag SOA example -- \
		status=NOERROR flag:aa '!flag:z' an=SOA
	assert_success
}

@test "opcode: unknown opcode 15: NOTIMP, empty sections, no AA/RD/RA" {
	run on_all +noedns +noad +norec +header-only +opcode=15 -- \
		status=NOTIMP qd=0 an=- ns=- edns=none '!flag:aa' '!flag:ra' '!flag:rd'
	assert_success
	# RD and CD mean something for QUERY only: not echoed here (genreport
	# "opcodeflg"; Knot echoes RD, NSD drops the query).
	run check "$LB_FILE_NET.1" +noedns +rec +cd +header-only +opcode=15 -- \
		status=NOTIMP '!flag:rd' '!flag:cd' '!flag:aa'
	assert_success
}

@test "type666: unknown type: NODATA with SOA in AUTHORITY" {
	run on_all +noedns +noad +norec TYPE666 example -- \
		status=NOERROR flag:aa an=- ns=SOA
	assert_success
	run on_all +edns=0 +nocookie +noad +norec TYPE666 example -- \
		status=NOERROR flag:aa edns=0 an=- ns=SOA
	assert_success
}

@test "tcp: plain DNS over TCP" {
	run on_all +noedns +noad +norec +tcp SOA example -- \
		status=NOERROR flag:aa edns=none an=SOA
	assert_success
}

@test "edns: EDNS0: OPT version 0 with the server's own size, SOA" {
	run on_all +edns=0 +nocookie +noad +norec SOA example -- \
		status=NOERROR flag:aa edns=0 udpok an=SOA '!eflag:do'
	assert_success
}

@test "edns1: EDNS version 1: BADVERS, OPT version 0, no answer" {
	run on_all +edns=1 +noednsneg +nocookie +noad +norec SOA example -- \
		status=BADVERS edns=0 udpok an=- '!flag:aa'
	assert_success
}

@test "edns@512: DO, 512-octet buffer: reply fits, advertises its size, DO echoed" {
	run on_all +edns=0 +nocookie +noad +norec +dnssec +ignore +bufsize=512 \
		DNSKEY example -- status=NOERROR edns=0 eflag:do udpok fits512
	assert_success
	# Too big for 512: TC with the OPT still there (RFC 6891 §7).
	run on_all +edns=0 +nocookie +norec +ignore +bufsize=512 TXT big.example -- \
		status=NOERROR flag:tc edns=0 udpok fits512
	assert_success
	# A buffer under 512 counts as 512 (RFC 6891 §6.2.5).
	run on_all +edns=0 +nocookie +norec +ignore +bufsize=100 TXT big.example -- \
		status=NOERROR flag:tc edns=0 udpok fits512
	assert_success
	run on_all +edns=0 +nocookie +norec +ignore +bufsize=0 SOA example -- \
		status=NOERROR '!flag:tc' edns=0 an=SOA
	assert_success
	run on_all signed +edns=0 +nocookie +noad +norec +dnssec +ignore \
		+bufsize=512 DNSKEY sec.test -- status=NOERROR edns=0 eflag:do fits512 \
		an=DNSKEY,DNSKEY,RRSIG
	assert_success
}

@test "ednsopt: unknown option 100 is ignored, not echoed" {
	run on_all +edns=0 +nocookie +noad +norec +ednsopt=100 SOA example -- \
		status=NOERROR flag:aa edns=0 an=SOA '!opt:OPT=100'
	assert_success
}

@test "edns1opt: version 1 with option 100: BADVERS, option not echoed" {
	run on_all +edns=1 +noednsneg +nocookie +noad +norec +ednsopt=100 SOA example -- \
		status=BADVERS edns=0 an=- '!opt:OPT=100'
	assert_success
}

@test "do: the DO bit is echoed" {
	run on_all +edns=0 +nocookie +noad +norec +dnssec SOA example -- \
		status=NOERROR flag:aa edns=0 eflag:do an=SOA '!flag:ad'
	assert_success
}

@test "ednsflags: an unknown EDNS flag is cleared in the reply" {
	run on_all +edns=0 +nocookie +noad +norec +ednsflags=0x0080 SOA example -- \
		status=NOERROR flag:aa edns=0 '!eflag:mbz' '!eflag:do' an=SOA
	assert_success
}

@test "optlist: NSID, ECS, EXPIRE, COOKIE together: NOERROR, NSID answered" {
	run on_all +edns=0 +noad +norec +nsid +subnet=0.0.0.0/0 +expire \
		+cookie=0102030405060708 SOA example -- \
		status=NOERROR flag:aa edns=0 opt:NSID an=SOA
	assert_success
	# lbdns-serve: its NSID, the ECS echoed with scope 0 (RFC 7871
	# §7.2.1), no EXPIRE (a primary may leave it out, RFC 7314 §4), no
	# COOKIE without a configured secret.
	run dig +tries=2 +time=2 -p 5300 @"$LB_FILE_NET.1" +norec +nsid \
		+subnet=0.0.0.0/0 +expire +cookie=0102030405060708 SOA example
	assert_output --partial '("lbdns-edns")'
	assert_output --partial 'CLIENT-SUBNET: 0.0.0.0/0/0'
	refute_output --partial 'EXPIRE:'
}

@test "signed: DO on a signed zone gets RRSIGs, without DO none" {
	run on_all signed +edns=0 +nocookie +noad +norec +dnssec SOA sec.test -- \
		status=NOERROR flag:aa eflag:do an=SOA,RRSIG '!flag:ad'
	assert_success
	run on_all signed +edns=0 +nocookie +noad +norec SOA sec.test -- \
		status=NOERROR flag:aa an=SOA '!eflag:do'
	assert_success
}

@test "ednstcp: EDNS over TCP: OPT, DO echoed, the whole answer" {
	run on_all +edns=0 +nocookie +noad +norec +dnssec +bufsize=512 +tcp \
		DNSKEY example -- status=NOERROR edns=0 eflag:do ns=SOA
	assert_success
	run on_all +edns=0 +nocookie +norec +bufsize=512 +tcp TXT big.example -- \
		status=NOERROR edns=0 '!flag:tc' an=TXT,TXT,TXT,TXT,TXT,TXT
	assert_success
	run on_all signed +edns=0 +nocookie +noad +norec +dnssec +bufsize=512 +tcp \
		DNSKEY sec.test -- status=NOERROR eflag:do an=DNSKEY,DNSKEY,RRSIG
	assert_success
}

@test "NXDOMAIN: plain, EDNS, DO, flags, option, version 1" {
	local n=nx-ednscomp.example
	run on_all +noedns +norec SOA $n -- status=NXDOMAIN flag:aa edns=none an=- ns=SOA
	assert_success
	run on_all +edns=0 +nocookie +norec SOA $n -- status=NXDOMAIN flag:aa edns=0 ns=SOA
	assert_success
	run on_all +edns=0 +nocookie +norec +dnssec SOA $n -- status=NXDOMAIN eflag:do ns=SOA
	assert_success
	run on_all +edns=0 +nocookie +norec +ednsflags=0x80 +ednsopt=100 SOA $n -- \
		status=NXDOMAIN '!eflag:mbz' '!opt:OPT=100' ns=SOA
	assert_success
	run on_all +edns=1 +noednsneg +nocookie +norec SOA $n -- status=BADVERS edns=0 an=-
	assert_success
	run on_all +noedns +norec +tcp SOA $n -- status=NXDOMAIN flag:aa ns=SOA
	assert_success
}

@test "NODATA: an unknown type at a name that exists" {
	run on_all +edns=0 +nocookie +norec +dnssec TYPE666 www.example -- \
		status=NOERROR flag:aa eflag:do an=- ns=SOA
	assert_success
	run on_all +edns=1 +noednsneg +nocookie +norec TYPE666 www.example -- \
		status=BADVERS edns=0 an=- ns=-
	assert_success
	run on_all +edns=0 +nocookie +norec +ednsflags=0x80 +ednsopt=100 TYPE666 www.example -- \
		status=NOERROR '!eflag:mbz' '!opt:OPT=100' ns=SOA
	assert_success
}

# ---- genreport's own queries and verdicts (tests/data/edns/ednscomp.py) ----

# ednscomp ADDR ZONE [ARGS...]: run the checker, output on stderr too.
ednscomp() {
	run_tool python3 "$EDNSCOMP" -p 5300 "$@"
}

@test "genreport EDNS group (the Flag Day run): lbdns-serve all ok" {
	local mode
	for mode in apex nxdomain nodata; do
		ednscomp -m $mode "$LB_FILE_NET.1" example \
			dns edns edns1 edns@512 ednsopt edns1opt do ednsflags optlist ednstcp
		assert_success
		assert_equal "$(grep -c '=ok' <<<"$output")" 10
	done
	assert_line 'optlist=ok+nsid,subnet'
}

@test "genreport FULL and COMM groups: lbdns-serve all ok" {
	local mode
	for mode in apex nxdomain nodata; do
		ednscomp -m $mode "$LB_FILE_NET.1" example
		assert_success
		assert_equal "$(grep -vc '=ok' <<<"$output")" 0
		assert_equal "$(wc -l <<<"$output")" 33
	done
}

@test "genreport on a signed zone: lbdns-serve all ok" {
	ednscomp "$LB_FILE_NET.11" sec.test
	assert_success
	assert_equal "$(grep -vc '=ok' <<<"$output")" 0
}

@test "cross-check: knotd and nsd pass the Flag Day (EDNS) group too" {
	requires cmd:knotd cmd:nsd
	local a mode
	for a in 2 3; do
		for mode in apex nxdomain nodata; do
			ednscomp -m $mode "$LB_FILE_NET.$a" example dns edns edns1 \
				edns@512 ednsopt edns1opt do ednsflags optlist ednstcp
			assert_success
		done
		ednscomp "$LB_FILE_NET.1$a" sec.test dns edns edns1 edns@512 \
			ednsopt edns1opt do ednsflags optlist ednstcp
		assert_success
	done
}

@test "cross-check: where knotd and nsd miss FULL-group verdicts, lbdns does not" {
	requires cmd:knotd cmd:nsd
	# Knot echoes RD under an unknown opcode; NSD drops a query with
	# opcode 15 and every flag set, and leaves DO out of BADVERS. Both
	# pass everything else; lbdns-serve passes all (tests above).
	ednscomp "$LB_FILE_NET.2" example
	assert_failure 1
	assert_equal "$(grep -v '=ok' <<<"$output")" 'opcodeflg=rd'
	ednscomp "$LB_FILE_NET.3" example
	assert_failure 1
	assert_equal "$(grep -v '=ok' <<<"$output" | tr '\n' ' ')" 'opcodeflg=timeout edns1do=nodo '
}

# ---- packets dig cannot build ----

# probe KIND ADDR: one malformed query, the reply summarized.
probe() {
	python3 "$EDNSCOMP" -p 5300 -t 1 --probe "$1" "$2" example
}

@test "OPT owned by a name other than the root: FORMERR" {
	run probe optowner "$LB_FILE_NET.1"
	assert_output --regexp '^rcode=FORMERR qr=1 id=ok .* an=0 '
	# NSD agrees; Knot ignores the owner and answers.
	if command -v nsd >/dev/null; then
		run probe optowner "$LB_FILE_NET.3"
		assert_output --partial 'rcode=FORMERR'
	fi
}

@test "two OPT RRs: FORMERR (RFC 6891 §6.1.1)" {
	local s
	for s in $(servers); do
		run probe opt2 "${s#*=}"
		assert_output --regexp '^rcode=FORMERR qr=1 id=ok .* an=0 '
	done
}

@test "no question, two questions: FORMERR" {
	local s
	for s in $(servers); do
		run probe qd0 "${s#*=}"
		assert_output --regexp '^rcode=FORMERR qr=1 id=ok qd=0 an=0 '
	done
	run probe qd0edns "$LB_FILE_NET.1"
	assert_output 'rcode=FORMERR qr=1 id=ok qd=0 an=0 opt=0 aa=0'
	# Knot drops two questions; lbdns and NSD say FORMERR.
	run probe qd2 "$LB_FILE_NET.1"
	assert_output --regexp '^rcode=FORMERR qr=1 id=ok .* an=0 '
	if command -v nsd >/dev/null; then
		run probe qd2 "$LB_FILE_NET.3"
		assert_output --partial 'rcode=FORMERR'
	fi
}

@test "unknown opcode with a question: NOTIMP, question echoed as Knot does" {
	run probe opcodeq "$LB_FILE_NET.1"
	assert_output 'rcode=NOTIMP qr=1 id=ok qd=1 an=0 opt=none aa=0'
	if command -v knotd >/dev/null; then
		run probe opcodeq "$LB_FILE_NET.2"
		assert_output 'rcode=NOTIMP qr=1 id=ok qd=1 an=0 opt=none aa=0'
	fi
}

@test "truncated or inconsistent OPT, OPT outside ADDITIONAL: FORMERR" {
	local s k
	for s in $(servers); do
		for k in opttrunc optoptlen optshort optauth; do
			run probe $k "${s#*=}"
			assert_output --regexp '^rcode=FORMERR qr=1 id=ok .* an=0 '
		done
	done
}

@test "EDNS version 1 with an unknown option: BADVERS with OPT version 0" {
	local s
	for s in $(servers); do
		run probe edns1opt "${s#*=}"
		assert_output 'rcode=BADVERS qr=1 id=ok qd=1 an=0 opt=0 aa=0'
	done
}

@test "ednscomp.py itself: usage errors and unknown tests exit 2" {
	run python3 "$EDNSCOMP" 127.0.0.1
	assert_failure 2
	run python3 "$EDNSCOMP" -p 5300 "$LB_FILE_NET.1" example nosuchtest
	assert_failure 2
	assert_output --partial 'unknown test nosuchtest'
	run python3 "$EDNSCOMP" --list
	assert_success
	assert_line 'edns1 EDNS'
	assert_equal "${#lines[@]}" 33
	# A server that does not answer is a failure, not a pass.
	run python3 "$EDNSCOMP" -p 5300 -t 0.2 "$LB_NET.99" example dns
	assert_failure 1
	assert_output 'dns=timeout'
}
