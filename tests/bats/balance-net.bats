#!/usr/bin/env bats
# shellcheck disable=SC2154 # $a_pid, $b_pid: set by start_daemon
# Balancing through a running lbdns-serve, as an operator checks it: the
# shares of 20,000 answers against the weights (chi-square), failover and
# the all-down policies, regions by ECS and by source address over IPv4
# and IPv6 with the reply's ECS scope, sticky answers across a zone swap,
# count=N, round-robin of plain RRsets, TTLs, and bad versions on a zone
# stream. Bulk queries go through tests/data/balance/dnsbatch.py (one UDP
# socket, many queries in flight); single checks through dig.
#
# Measured figures are printed as TAP comments ("# ..."), so
# `bats --tap` shows them. Servers run with one thread and --seed where a
# chi-square test checks them, so those results are reproducible; only the
# random-seed test of the weights can fail by chance (p = 0.001 for each
# of its two statistics).

load helpers

setup() {
	_common_setup
	BAL="$DATA/balance"
	ZONE="$BAL/bal.test.zone"
	MAP="$BAL/regions.txt"
	# A port of this test's own for the server on ::1, which every file
	# shares: 127.A.B -> unique per file (A) and test (B).
	local a b
	IFS=. read -r _ a b <<<"$LB_NET"
	LB_PORT6=$((1024 + (a - 20) * 251 + b))
	export LB_PORT6
}

teardown() {
	_common_teardown
}

# serve NAME ADDR ARGS...: lbdns-serve on ADDR:$LB_PORT (and whatever
# ARGS add), through start_daemon; waits until it answers.
serve() {
	local name=$1 addr=$2; shift 2
	start_daemon "$name" lbdns-serve -l "$addr:$LB_PORT" "$@"
	wait_for_dns "$addr" "$LB_PORT"
}

# batch ADDR NAME TYPE ARGS...: dnsbatch.py query against ADDR:$LB_PORT.
batch() {
	local addr=$1; shift
	python3 "$BAL/dnsbatch.py" query "$addr" "$LB_PORT" "$@"
}

# chisq ARGS... < LINES: the chi-square check; its report goes to the
# TAP output (fd 3) and, on failure, to stderr.
chisq() {
	local out rc=0
	out=$(python3 "$BAL/dnsbatch.py" chisq "$@") || rc=$?
	sed 's/^/# /' <<<"$out" >&3
	echo "$out" >&2
	return "$rc"
}

# serial ADDR: the SOA serial ADDR serves for bal.test (or the zone $2).
serial() {
	dig +short +tries=1 +time=1 -p "$LB_PORT" @"$1" "${2:-bal.test}" SOA | awk '{ print $3 }'
}

# serial_is ADDR ZONE N: for wait_for.
serial_is() {
	[ "$(serial "$1" "$2")" = "$3" ]
}

W="192.0.2.1=5 192.0.2.2=3 192.0.2.3=1 192.0.2.4=1"

@test "20,000 answers: the leading and second records follow the weights (chi-square, --seed 42)" {
	serve a "$LB_NET.1" -t 1 --seed 42 -z "$ZONE"
	serve b "$LB_NET.2" -t 1 --seed 42 -z "$ZONE"
	batch "$LB_NET.1" w.bal.test A -n 20000 >"$BATS_TEST_TMPDIR/a"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/a")" -eq 20000 ]
	# Every answer: the four up records, never the down one (weight 50).
	[ "$(awk '$2 == "NOERROR" && $4 == 20 && split($5, r, ",") == 4' "$BATS_TEST_TMPDIR/a" | wc -l)" -eq 20000 ]
	run grep -c 192.0.2.5 "$BATS_TEST_TMPDIR/a"
	[ "$output" = 0 ]
	# shellcheck disable=SC2086
	chisq $W <"$BATS_TEST_TMPDIR/a"
	# shellcheck disable=SC2086
	chisq --pos 2 $W <"$BATS_TEST_TMPDIR/a"
	# The same seed on another server: the same draws (one thread, so one
	# generator; the order of arrival does not change the multiset).
	batch "$LB_NET.2" w.bal.test A -n 20000 >"$BATS_TEST_TMPDIR/b"
	cmp <(sort "$BATS_TEST_TMPDIR/a") <(sort "$BATS_TEST_TMPDIR/b")
}

@test "20,000 answers with a random seed and two threads pass the chi-square test" {
	serve a "$LB_NET.1" -t 2 -z "$ZONE"
	batch "$LB_IP" w.bal.test A -n 20000 >"$BATS_TEST_TMPDIR/a"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/a")" -eq 20000 ]
	run grep -c 192.0.2.5 "$BATS_TEST_TMPDIR/a"
	[ "$output" = 0 ]
	# shellcheck disable=SC2086
	chisq $W <"$BATS_TEST_TMPDIR/a"
	# shellcheck disable=SC2086
	chisq --pos 2 $W <"$BATS_TEST_TMPDIR/a"
}

@test "failover and the all-down policies over the network" {
	serve a "$LB_IP" -t 1 --seed 3 -z "$ZONE"
	# Priority 1 down: 1,000 answers, all of group 2 only, weights 1:2.
	batch "$LB_IP" fo.bal.test A -n 1000 >"$BATS_TEST_TMPDIR/fo"
	run grep -cvE ' (192\.0\.2\.21,192\.0\.2\.22|192\.0\.2\.22,192\.0\.2\.21)$' "$BATS_TEST_TMPDIR/fo"
	[ "$output" = 0 ]
	chisq 192.0.2.21=1 192.0.2.22=2 <"$BATS_TEST_TMPDIR/fo"
	# Group 1 up: group 1 alone.
	run lbdig fu.bal.test A +short
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "192.0.2.11 192.0.2.12 " ]
	# closed: NODATA (NOERROR, no answer, the SOA for negative caching).
	run lbdig closed.bal.test A +norec
	assert_output --partial "status: NOERROR"
	assert_output --partial "flags: qr aa;"
	assert_output --partial "ANSWER: 0, AUTHORITY: 1"
	assert_output --regexp "bal\.test\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SOA"
	# fallback address, A and AAAA; not used while a record is up.
	run lbdig fb.bal.test A +short
	[ "$output" = 192.0.2.250 ]
	run lbdig fb6.bal.test AAAA +short
	[ "$output" = 2001:db8::250 ]
	run lbdig fbup.bal.test A +short
	[ "$output" = 192.0.2.72 ]
	# open, the default: as if all were up, so the priority 1 record.
	run lbdig open.bal.test A +short
	[ "$output" = 192.0.2.41 ]
}

# dig_region ADDR PORT NAME TYPE WANT SCOPE DIG-ARGS...: one region check;
# SCOPE "-" = no ECS option in the reply.
dig_region() {
	local addr=$1 port=$2 name=$3 type=$4 want=$5 scope=$6; shift 6
	local out got
	out=$(dig +tries=1 +time=2 -p "$port" @"$addr" "$name" "$type" "$@")
	got=$(awk '/^;; ANSWER SECTION/ { a = 1; next } /^$/ { a = 0 } a { print $5 }' <<<"$out")
	if [ "$got" != "$want" ]; then
		echo "$name $* via $addr: want $want alone, got $(tr "\n" " " <<<"$got")"
		return 1
	fi
	if [ "$scope" = - ]; then
		if grep -q CLIENT-SUBNET <<<"$out"; then
			echo "$name $*: ECS in a reply to a query without it"
			return 1
		fi
	elif ! grep -qF "; CLIENT-SUBNET: $scope" <<<"$out"; then
		echo "$name $*: want ECS $scope, got $(grep CLIENT-SUBNET <<<"$out")"
		return 1
	fi
}

@test "regions by ECS (dig +subnet), IPv4 and IPv6, scope in the reply, over UDP/IPv4 and IPv6" {
	serve a "$LB_IP" -l "[::1]:$LB_PORT6" -t 2 --regions "$MAP" -z "$ZONE"
	wait_for_dns ::1 "$LB_PORT6"
	local bad=0 srv
	for srv in "$LB_IP $LB_PORT" "::1 $LB_PORT6"; do
		# shellcheck disable=SC2086
		set -- $srv
		dig_region "$1" "$2" geo.bal.test A 203.0.113.1 10.9.0.0/16/13 +subnet=10.9.0.0/16 >&2 || bad=1
		dig_region "$1" "$2" geo.bal.test A 203.0.113.3 10.1.9.0/24/21 +subnet=10.1.9.0/24 >&2 || bad=1
		dig_region "$1" "$2" geo.bal.test A 203.0.113.2 10.1.2.0/24/24 +subnet=10.1.2.0/24 >&2 || bad=1
		dig_region "$1" "$2" geo.bal.test A 203.0.113.3 10.1.0.0/16/17 +subnet=10.1.0.0/16 >&2 || bad=1
		dig_region "$1" "$2" geo.bal.test A 203.0.113.2 192.0.2.128/25/24 +subnet=192.0.2.128/25 >&2 || bad=1
		dig_region "$1" "$2" geo6.bal.test AAAA 2001:db8:e::3 2001:db8:1::/48/48 +subnet=2001:db8:1::/48 >&2 || bad=1
		dig_region "$1" "$2" geo6.bal.test AAAA 2001:db8:e::2 2001:db8:2:5::/64/48 +subnet=2001:db8:2:5::/64 >&2 || bad=1
		dig_region "$1" "$2" geo6.bal.test AAAA 2001:db8:e::1 2001:db8:9::/48/45 +subnet=2001:db8:9::/48 >&2 || bad=1
		# An IPv4 subnet for an AAAA question and the reverse.
		dig_region "$1" "$2" geo6.bal.test AAAA 2001:db8:e::2 10.1.2.0/24/24 +subnet=10.1.2.0/24 >&2 || bad=1
		dig_region "$1" "$2" geo.bal.test A 203.0.113.3 2001:db8:1::/48/48 +subnet=2001:db8:1::/48 >&2 || bad=1
		# Over TCP the same.
		dig_region "$1" "$2" geo.bal.test A 203.0.113.3 10.1.9.0/24/21 +subnet=10.1.9.0/24 +tcp >&2 || bad=1
		dig_region "$1" "$2" geo6.bal.test AAAA 2001:db8:e::2 2001:db8:2:5::/64/48 +subnet=2001:db8:2:5::/64 +tcp >&2 || bad=1
	done
	# Source prefix 0 and a region with no record: every record, scope 0 / 12.
	run lbdig geo.bal.test A +subnet=0.0.0.0/0
	[ "$(grep -c $'IN\tA\t203.0.113.' <<<"$output")" -eq 5 ]
	assert_output --partial "CLIENT-SUBNET: 0.0.0.0/0/0"
	run lbdig geo.bal.test A +subnet=172.16.5.0/24
	[ "$(grep -c $'IN\tA\t203.0.113.' <<<"$output")" -eq 5 ]
	assert_output --partial "CLIENT-SUBNET: 172.16.5.0/24/12"
	# One region only: the answer does not depend on the client, scope 0.
	run lbdig same.bal.test A +subnet=10.1.2.0/24
	assert_output --partial "CLIENT-SUBNET: 10.1.2.0/24/0"
	[ "$bad" -eq 0 ]
}

@test "regions by source address: 127.N.M.x over IPv4, ::1 over IPv6, ECS wins over the source" {
	{ cat "$MAP"; echo "$LB_NET.2/32 ap"; echo "$LB_NET.3 us"; } >"$BATS_TEST_TMPDIR/map"
	serve a "$LB_IP" -l "[::1]:$LB_PORT6" -t 2 --regions "$BATS_TEST_TMPDIR/map" -z "$ZONE"
	wait_for_dns ::1 "$LB_PORT6"
	local bad=0
	dig_region "$LB_IP" "$LB_PORT" geo.bal.test A 203.0.113.4 - -b "$LB_NET.2" >&2 || bad=1
	dig_region "$LB_IP" "$LB_PORT" geo.bal.test A 203.0.113.2 - -b "$LB_NET.3" >&2 || bad=1
	dig_region "$LB_IP" "$LB_PORT" geo6.bal.test AAAA 2001:db8:e::4 - -b "$LB_NET.2" >&2 || bad=1
	dig_region ::1 "$LB_PORT6" geo.bal.test A 203.0.113.5 - -b ::1 >&2 || bad=1
	dig_region ::1 "$LB_PORT6" geo6.bal.test AAAA 2001:db8:e::5 - -b ::1 >&2 || bad=1
	# The ECS option, when present, is the client, not the packet source.
	dig_region "$LB_IP" "$LB_PORT" geo.bal.test A 203.0.113.2 10.1.2.0/24/24 \
		-b "$LB_NET.2" +subnet=10.1.2.0/24 >&2 || bad=1
	dig_region ::1 "$LB_PORT6" geo.bal.test A 203.0.113.3 10.1.9.0/24/21 \
		-b ::1 +subnet=10.1.9.0/24 >&2 || bad=1
	# An address the map does not hold: every record.
	run dig +tries=1 +time=2 -p "$LB_PORT" @"$LB_IP" -b "$LB_NET.4" geo.bal.test A +short
	[ "$(wc -l <<<"$output")" -eq 5 ]
	[ "$bad" -eq 0 ]
}

# subnets N SEED: N distinct random IPv4 /24 prefixes, one a line.
subnets() {
	python3 -c '
import random, sys
r = random.Random(int(sys.argv[2]))
s = set()
while len(s) < int(sys.argv[1]):
    s.add("%d.%d.%d.0/24" % (r.randrange(1, 224), r.randrange(256), r.randrange(256)))
print("\n".join(sorted(s)))' "$1" "$2"
}

@test "sticky: one of 5 backends down moves only its ~1/5 of 2,000 subnets (SIGHUP swap)" {
	cp "$ZONE" "$BATS_TEST_TMPDIR/z"
	subnets 2000 7 >"$BATS_TEST_TMPDIR/nets"
	serve a "$LB_IP" -t 2 --sticky-key "$BAL/sticky.key" -z "$BATS_TEST_TMPDIR/z"
	batch "$LB_IP" app.bal.test A --ecs-file "$BATS_TEST_TMPDIR/nets" >"$BATS_TEST_TMPDIR/before"
	# One answer each (count=1), scope /24 (the sticky length), and the
	# subnets spread evenly over the 5 backends.
	[ "$(awk '$2 == "NOERROR" && $3 == 24 && $5 !~ /,/' "$BATS_TEST_TMPDIR/before" | wc -l)" -eq 2000 ]
	chisq 198.51.100.1=1 198.51.100.2=1 198.51.100.3=1 198.51.100.4=1 198.51.100.5=1 \
		<"$BATS_TEST_TMPDIR/before"
	# Asked again: every subnet keeps its answer.
	batch "$LB_IP" app.bal.test A --ecs-file "$BATS_TEST_TMPDIR/nets" >"$BATS_TEST_TMPDIR/again"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/again"

	# 198.51.100.3 goes down in serial 2.
	sed -e 's/^\(@.*SOA.*hostmaster\.bal\.test\.\) 1 /\1 2 /' \
		-e 's/^\(app.*198\.51\.100\.3\)$/\1 ; lbdns: state=down/' "$ZONE" >"$BATS_TEST_TMPDIR/z"
	grep -q '198.51.100.3 ; lbdns: state=down' "$BATS_TEST_TMPDIR/z"
	kill -HUP "$a_pid"
	wait_for serial_is "$LB_IP" bal.test 2
	batch "$LB_IP" app.bal.test A --ecs-file "$BATS_TEST_TMPDIR/nets" >"$BATS_TEST_TMPDIR/after"

	local had moved wrong stayed frac
	had=$(grep -c ' 198\.51\.100\.3$' "$BATS_TEST_TMPDIR/before")
	moved=$(paste -d' ' "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" | awk '$5 != $10' | wc -l)
	# Moved: exactly the clients of the removed backend ...
	wrong=$(paste -d' ' "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" |
		awk '$5 != $10 && $5 != "198.51.100.3"' | wc -l)
	stayed=$(grep -c ' 198\.51\.100\.3$' "$BATS_TEST_TMPDIR/after" || true)
	frac=$(awk -v m="$moved" 'BEGIN { printf "%.4f", m / 2000 }')
	echo "# sticky: $had of 2000 subnets on 198.51.100.3, $moved moved (fraction $frac, expected 0.2000), $wrong of other backends moved" >&3
	echo "had=$had moved=$moved wrong=$wrong stayed=$stayed frac=$frac" >&2
	[ "$wrong" -eq 0 ]
	[ "$stayed" -eq 0 ]
	[ "$moved" -eq "$had" ]
	# ... which are about 1/5 (binomial sd 18: 0.2 +- 0.04 is > 4 sd).
	awk -v f="$frac" 'BEGIN { exit !(f >= 0.16 && f <= 0.24) }'
	# and spread over the four that are left, none taking them all.
	paste -d' ' "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" |
		awk '$5 != $10 { print $10 }' | sort | uniq -c >&2
	[ "$(paste -d' ' "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" |
		awk '$5 != $10 { print $10 }' | sort -u | wc -l)" -eq 4 ]

	# Back up in serial 3: every subnet returns to its first answer.
	sed -e 's/^\(@.*SOA.*hostmaster\.bal\.test\.\) 1 /\1 3 /' "$ZONE" >"$BATS_TEST_TMPDIR/z"
	kill -HUP "$a_pid"
	wait_for serial_is "$LB_IP" bal.test 3
	batch "$LB_IP" app.bal.test A --ecs-file "$BATS_TEST_TMPDIR/nets" >"$BATS_TEST_TMPDIR/back"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/back"
}

@test "sticky over IPv6 by /48: every /64 of a /48 gets the /48's answer, scope 48" {
	serve a "$LB_IP" -t 2 --sticky-key "$BAL/sticky.key" -z "$ZONE"
	python3 -c '
import random
r = random.Random(3)
for _ in range(300):
    p = "2001:db8:%x" % r.randrange(65536)
    print("%s::/48" % p)
    print("%s:%x::/64" % (p, r.randrange(1, 65536)))' >"$BATS_TEST_TMPDIR/nets"
	batch "$LB_IP" app6.bal.test AAAA --ecs-file "$BATS_TEST_TMPDIR/nets" >"$BATS_TEST_TMPDIR/out"
	[ "$(awk '$2 == "NOERROR" && $3 == 48 && $5 !~ /,/' "$BATS_TEST_TMPDIR/out" | wc -l)" -eq 600 ]
	# Pairs of lines: the /48 and a /64 inside it answer alike.
	[ "$(awk 'NR % 2 { a = $5; next } $5 != a' "$BATS_TEST_TMPDIR/out" | wc -l)" -eq 0 ]
	awk 'NR % 2' "$BATS_TEST_TMPDIR/out" |
		chisq 2001:db8:a::1=1 2001:db8:a::2=1 2001:db8:a::3=1 2001:db8:a::4=1
}

@test "sticky: weights hold (3:1), instances sharing a key agree, source address and short prefixes" {
	subnets 2000 11 >"$BATS_TEST_TMPDIR/nets"
	printf '%s\n' ffeeddccbbaa99887766554433221100 >"$BATS_TEST_TMPDIR/key2"
	serve a "$LB_NET.1" -t 2 --sticky-key "$BAL/sticky.key" -z "$ZONE"
	serve b "$LB_NET.2" -t 1 --sticky-key "$BAL/sticky.key" -z "$ZONE"
	serve c "$LB_NET.3" -t 1 --sticky-key "$BATS_TEST_TMPDIR/key2" -z "$ZONE"
	batch "$LB_NET.1" appw.bal.test A --ecs-file "$BATS_TEST_TMPDIR/nets" >"$BATS_TEST_TMPDIR/a"
	chisq 198.51.100.11=3 198.51.100.12=1 <"$BATS_TEST_TMPDIR/a"
	# Two instances with one key (anycast, DESIGN.md section 5): the
	# same answer for every subnet.
	batch "$LB_NET.2" appw.bal.test A --ecs-file "$BATS_TEST_TMPDIR/nets" >"$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	# Another key: another mapping (about 3/8 of subnets differ), same shares.
	batch "$LB_NET.3" appw.bal.test A --ecs-file "$BATS_TEST_TMPDIR/nets" >"$BATS_TEST_TMPDIR/c"
	local differ
	differ=$(paste -d' ' "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/c" | awk '$5 != $10' | wc -l)
	echo "# sticky: another key changes $differ of 2000 answers (expected about 750)" >&3
	[ "$differ" -gt 500 ] && [ "$differ" -lt 1000 ]
	chisq 198.51.100.11=3 198.51.100.12=1 <"$BATS_TEST_TMPDIR/c"
	# Without ECS the packet source counts, cut to /24: two sources of one
	# /24 get one answer, and no ECS option comes back.
	local x y i
	for i in 1 2 3; do
		x=$(dig +tries=1 +time=2 -p "$LB_PORT" @"$LB_NET.1" -b "$LB_NET.7" app.bal.test A +short)
		y=$(dig +tries=1 +time=2 -p "$LB_PORT" @"$LB_NET.1" -b "$LB_NET.200" app.bal.test A +short)
		[ -n "$x" ] && [ "$x" = "$y" ]
	done
	run lbdig app.bal.test A
	refute_output --partial CLIENT-SUBNET
	# A source prefix shorter than the sticky length: the answer of the
	# first /24 of it, and scope 24 (RFC 7871 7.2.1).
	run lbdig app.bal.test A +subnet=10.20.0.0/16
	assert_output --partial "CLIENT-SUBNET: 10.20.0.0/16/24"
	x=$(lbdig app.bal.test A +subnet=10.20.0.0/16 +short)
	y=$(lbdig app.bal.test A +subnet=10.20.0.0/24 +short)
	[ "$x" = "$y" ]
}

@test "the example of lbdns-zone(5): 2 in 3 to the first eu server, then us, then the backup" {
	serve a "$LB_IP" -t 1 --seed 3 --regions "$MAP" -z "$ZONE"
	local i
	for i in $(seq 3000); do echo 10.9.0.0/16; done >"$BATS_TEST_TMPDIR/eu"
	batch "$LB_IP" mex.bal.test A --ecs-file "$BATS_TEST_TMPDIR/eu" >"$BATS_TEST_TMPDIR/mex"
	# count=2: both eu servers, the backup never (it is priority 2).
	[ "$(grep -cE ' 13 60 (192\.0\.2\.10,192\.0\.2\.11|192\.0\.2\.11,192\.0\.2\.10)$' "$BATS_TEST_TMPDIR/mex")" -eq 3000 ]
	chisq 192.0.2.10=2 192.0.2.11=1 <"$BATS_TEST_TMPDIR/mex"
	run lbdig mexd.bal.test A +subnet=10.9.0.0/16 +short
	[ "$output" = 198.51.100.5 ]
	run lbdig mexp.bal.test A +subnet=10.9.0.0/16 +short
	[ "$output" = 203.0.113.9 ]
	# A us client gets the us server alone (count=2, one record left).
	run lbdig mex.bal.test A +subnet=192.0.2.0/24 +short
	[ "$output" = 198.51.100.5 ]
}

@test "count=N limits the answer over the network, each record leads about equally" {
	serve a "$LB_IP" -t 1 --seed 3 -z "$ZONE"
	batch "$LB_IP" two.bal.test A -n 2000 >"$BATS_TEST_TMPDIR/two"
	# Exactly two distinct records per answer.
	[ "$(awk 'split($5, r, ",") == 2 && r[1] != r[2]' "$BATS_TEST_TMPDIR/two" | wc -l)" -eq 2000 ]
	chisq 192.0.2.81=1 192.0.2.82=1 192.0.2.83=1 192.0.2.84=1 192.0.2.85=1 <"$BATS_TEST_TMPDIR/two"
	chisq --pos 2 192.0.2.81=1 192.0.2.82=1 192.0.2.83=1 192.0.2.84=1 192.0.2.85=1 <"$BATS_TEST_TMPDIR/two"
	run lbdig one.bal.test A +short
	[ "$(wc -l <<<"$output")" -eq 1 ]
}

RR4="192.0.2.101 192.0.2.102 192.0.2.103 192.0.2.104"
# not_rotations < LINES: how many answers are not a rotation of the zone
# order (101 102 103 104).
not_rotations() {
	awk '{
		o = $5 ","; if (o != "192.0.2.101,192.0.2.102,192.0.2.103,192.0.2.104," &&
		    o != "192.0.2.102,192.0.2.103,192.0.2.104,192.0.2.101," &&
		    o != "192.0.2.103,192.0.2.104,192.0.2.101,192.0.2.102," &&
		    o != "192.0.2.104,192.0.2.101,192.0.2.102,192.0.2.103,") n++
	} END { print n + 0 }'
}

@test "plain RRset rotates round-robin: successive answers differ, each record leads equally" {
	serve a "$LB_IP" -t 1 -z "$ZONE"
	# One query at a time, so "successive" is well defined.
	batch "$LB_IP" rr.bal.test A -n 1000 --window 1 >"$BATS_TEST_TMPDIR/rr"
	[ "$(not_rotations <"$BATS_TEST_TMPDIR/rr")" -eq 0 ]
	[ "$(awk '$5 == prev { n++ } { prev = $5 } END { print n + 0 }' "$BATS_TEST_TMPDIR/rr")" -eq 0 ]
	# shellcheck disable=SC2046,SC2086
	chisq $(printf '%s=1 ' $RR4) <"$BATS_TEST_TMPDIR/rr"
	# Several threads: still rotations, still even.
	serve b "$LB_NET.2" -t 2 -z "$ZONE"
	batch "$LB_NET.2" rr.bal.test A -n 2000 >"$BATS_TEST_TMPDIR/rr2"
	[ "$(not_rotations <"$BATS_TEST_TMPDIR/rr2")" -eq 0 ]
	# shellcheck disable=SC2046,SC2086
	chisq $(printf '%s=1 ' $RR4) <"$BATS_TEST_TMPDIR/rr2"
}

@test "plain RRsets: a dual-stack client asking A then AAAA still sees the A answer rotate" {
	serve a "$LB_IP" -t 1 -z "$ZONE"
	local i
	for i in $(seq 10); do
		echo "dual.bal.test A"
		echo "dual.bal.test AAAA"
	done >"$BATS_TEST_TMPDIR/batch"
	dig +tries=1 +time=2 -p "$LB_PORT" @"$LB_IP" +noall +answer -f "$BATS_TEST_TMPDIR/batch" |
		awk '$4 == "A" && ++n % 2 == 1 { print $5 }' >"$BATS_TEST_TMPDIR/leads"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/leads")" -eq 10 ]
	[ "$(sort -u "$BATS_TEST_TMPDIR/leads" | wc -l)" -eq 2 ]
}

@test "balanced answers carry the record's own TTL" {
	serve a "$LB_IP" -t 2 -z "$ZONE"
	run lbdig short.bal.test A +noall +answer
	[ "$(grep -cE $'^short\\.bal\\.test\\.[[:space:]]+7[[:space:]]+IN[[:space:]]+A' <<<"$output")" -eq 2 ]
	run lbdig long.bal.test A +noall +answer
	assert_output --regexp "long\.bal\.test\.[[:space:]]+300[[:space:]]+IN"
	# The fallback address takes the RRset's TTL, not the zone default.
	run lbdig fb.bal.test A +noall +answer
	assert_output --regexp "fb\.bal\.test\.[[:space:]]+20[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.250"
	# A zone from lbdns-zone gen: its short balanced TTL is served.
	printf 'ns 192.0.2.53\nweb 192.0.2.1 weight=2\nweb 192.0.2.2\n' >"$BATS_TEST_TMPDIR/hosts"
	lbdns-zone gen --origin gen.test --ns ns.gen.test. --balanced-ttl 13 \
		-o "$BATS_TEST_TMPDIR/gen.zone" "$BATS_TEST_TMPDIR/hosts"
	serve b "$LB_NET.2" -t 1 -z "$BATS_TEST_TMPDIR/gen.zone"
	run dig +tries=1 +time=2 -p "$LB_PORT" @"$LB_NET.2" web.gen.test A +noall +answer
	[ "$(grep -cE $'^web\\.gen\\.test\\.[[:space:]]+13[[:space:]]+IN[[:space:]]+A' <<<"$output")" -eq 2 ]
}

# swaps LOG: how many zone versions the server has swapped in.
swaps() {
	grep -c 'swapped in' "$1"
}

# swaps_are LOG N: for wait_for.
swaps_are() {
	[ "$(swaps "$1")" -ge "$2" ]
}

@test "no query is lost or answered wrongly while zones are swapped in (SIGHUP during 20,000 queries)" {
	cp "$ZONE" "$BATS_TEST_TMPDIR/z"
	serve a "$LB_IP" -t 2 -z "$BATS_TEST_TMPDIR/z"
	batch "$LB_IP" w.bal.test A -n 20000 --stats >"$BATS_TEST_TMPDIR/w" 2>"$BATS_TEST_TMPDIR/stats" &
	local bpid=$! i
	for i in 2 3 4 5 6; do
		kill -HUP "$a_pid"
		wait_for swaps_are "$BATS_TEST_TMPDIR/a.log" "$i"
	done
	# The swaps happened while the batch ran.
	kill -0 "$bpid"
	wait "$bpid"
	cat "$BATS_TEST_TMPDIR/stats" >&2
	echo "# swaps during the batch: $(swaps "$BATS_TEST_TMPDIR/a.log") versions swapped in; $(cat "$BATS_TEST_TMPDIR/stats")" >&3
	grep -qx 'sent=20000 resent=0' "$BATS_TEST_TMPDIR/stats"
	# Every answer whole: the four up records, the down one never.
	[ "$(awk '$2 == "NOERROR" && split($5, r, ",") == 4' "$BATS_TEST_TMPDIR/w" | wc -l)" -eq 20000 ]
	run grep -c 192.0.2.5 "$BATS_TEST_TMPDIR/w"
	[ "$output" = 0 ]
}

# version SERIAL ANNOTATION: one version of st.test in AXFR framing (the
# SOA again at the end completes it at once); ANNOTATION is the second
# record's. Lines 6 and 7 of each version hold the two w records.
version() {
	cat <<-EOF
	\$ORIGIN st.test.
	\$TTL 300
	@ SOA ns.example.net. h.st.test. $1 3600 600 86400 60
	@ NS ns.example.net.
	w 20 A 192.0.2.1 ; lbdns: weight=1
	w 20 A 192.0.2.2 ; lbdns: $2
	@ SOA ns.example.net. h.st.test. $1 3600 600 86400 60
	EOF
}

@test "a bad version on a zone stream is refused with stream:line, the old one keeps serving" {
	local fifo=$BATS_TEST_TMPDIR/stream
	mkfifo "$fifo"
	serve a "$LB_IP" -t 2 -z "$fifo"
	exec 7<>"$fifo"
	version 1 weight=1 >&7
	wait_for serial_is "$LB_IP" st.test 1
	run lbdig w.st.test A +short
	[ "$(wc -l <<<"$output")" -eq 2 ]
	# Version 2 (lines 8-14): weight=-1 on line 13. Version 3 (15-21):
	# state=maybe on line 20. Then version 4, valid, .2 down.
	version 2 weight=-1 >&7
	version 3 state=maybe >&7
	version 4 state=down >&7
	wait_for serial_is "$LB_IP" st.test 4
	run lbdig w.st.test A +short
	[ "$output" = 192.0.2.1 ]
	exec 7>&-
	run cat "$BATS_TEST_TMPDIR/a.log"
	assert_output --partial "$fifo:13: invalid lbdns annotation: weight: \"-1\""
	assert_output --partial "$fifo:20: invalid lbdns annotation: state: \"maybe\""
	[ "$(grep -c 'refused' <<<"$output")" -ge 2 ]
	refute_output --partial "serial 2: swapped in"
	refute_output --partial "serial 3: swapped in"
}

@test "a refused version changes nothing: the old answers keep coming, also after a bad SIGHUP reload" {
	local fifo=$BATS_TEST_TMPDIR/stream
	mkfifo "$fifo"
	serve a "$LB_IP" -t 2 -z "$fifo"
	exec 7<>"$fifo"
	version 1 state=down >&7
	wait_for serial_is "$LB_IP" st.test 1
	version 2 weight=-1 >&7
	# Serial 2 is refused: wait for the report, then check the old one
	# (serial 1, .2 down) answers.
	wait_for grep -q "$fifo:13: invalid lbdns annotation" "$BATS_TEST_TMPDIR/a.log"
	[ "$(serial "$LB_IP" st.test)" = 1 ]
	batch "$LB_IP" w.st.test A -n 200 >"$BATS_TEST_TMPDIR/out"
	[ "$(grep -c ' 192\.0\.2\.1$' "$BATS_TEST_TMPDIR/out")" -eq 200 ]
	# The same through SIGHUP on a file: a bad file keeps the old zone.
	cp "$ZONE" "$BATS_TEST_TMPDIR/z"
	serve b "$LB_NET.2" -t 1 --seed 9 -z "$BATS_TEST_TMPDIR/z"
	sed -e 's/^\(@.*SOA.*hostmaster\.bal\.test\.\) 1 /\1 2 /' \
		-e 's/weight=5$/weight=heavy/' "$ZONE" >"$BATS_TEST_TMPDIR/z"
	kill -HUP "$b_pid"
	wait_for grep -q "invalid lbdns annotation: weight: \"heavy\"" "$BATS_TEST_TMPDIR/b.log"
	run grep "weight: \"heavy\"" "$BATS_TEST_TMPDIR/b.log"
	assert_output --partial "$BATS_TEST_TMPDIR/z:9:"
	[ "$(serial "$LB_NET.2")" = 1 ]
	batch "$LB_NET.2" w.bal.test A -n 2000 >"$BATS_TEST_TMPDIR/w"
	# shellcheck disable=SC2086
	chisq $W <"$BATS_TEST_TMPDIR/w"
	exec 7>&-
}

# A signed balanced RRset asked for with DO: every record goes out (the
# chosen ones first) so that its RRSIG still validates; without DO the
# balancer trims as usual.
@test "signed balanced RRset: with DO every record, chosen first; without DO count=1 trims" {
	requires cmd:ldns-signzone cmd:ldns-keygen cmd:kdig
	local w="$BATS_TEST_TMPDIR" k z i out first
	cat >"$w/sig.test.zone" <<-'EOZ'
	$ORIGIN sig.test.
	$TTL 300
	@ SOA ns hostmaster 1 3600 600 86400 300
	@ NS ns
	ns A 192.0.2.53
	www A 192.0.2.1
	www A 192.0.2.2
	www A 192.0.2.3
	EOZ
	(
		cd "$w" || exit 1
		k=$(ldns-keygen -a ED25519 -k sig.test.) && z=$(ldns-keygen -a ED25519 sig.test.) &&
			ldns-signzone -i 20250101000000 -e 20371201000000 -o sig.test. \
				-f "$w/signed" "$w/sig.test.zone" "$k" "$z"
	) || fail "cannot sign"
	# The annotations go back on after signing (ldns drops comments):
	# one record per answer, 192.0.2.3 down.
	sed -E -e 's/(192\.0\.2\.1)$/\1 ; lbdns: count=1 weight=5/' \
		-e 's/(192\.0\.2\.2)$/\1 ; lbdns: weight=1/' \
		-e 's/(192\.0\.2\.3)$/\1 ; lbdns: state=down/' "$w/signed" >"$w/z"
	grep -q 'lbdns: count=1' "$w/z" || fail "annotation not placed"
	serve sig "$LB_IP" -z "$w/z" -t 1
	# Without DO: one record, never the down one, no RRSIG.
	for i in 1 2 3 4 5 6; do
		out=$(dig +short +norec -p "$LB_PORT" @"$LB_IP" www.sig.test A)
		[ "$(wc -l <<<"$out")" -eq 1 ] || fail "without DO: want 1 record, got: $out"
		[ "$out" != 192.0.2.3 ] || fail "without DO: the down record was answered"
	done
	# With DO: all three A records and the RRSIG, a chosen (up) one first.
	for i in 1 2 3 4 5 6; do
		out=$(kdig +dnssec +norec +noall +answer -p "$LB_PORT" @"$LB_IP" www.sig.test A)
		[ "$(awk '$4 == "A"' <<<"$out" | sort -u | wc -l)" -eq 3 ] ||
			fail "with DO: want the 3 A records, got: $out"
		grep -q 'RRSIG[[:space:]]*A ' <<<"$out" || fail "with DO: no RRSIG over A: $out"
		first=$(awk '$4 == "A" { print $5; exit }' <<<"$out")
		case $first in
		192.0.2.1 | 192.0.2.2) ;;
		*) fail "with DO: first record $first is not a chosen one" ;;
		esac
	done
}
