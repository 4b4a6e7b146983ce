#!/usr/bin/env bats
# Balancing decisions offline (lbdns-serve --query, no sockets): priority
# failover, the all-down policies, regions by ECS and by client address
# with the ECS scope, count=N, --explain, TTLs, and bad annotations.
# The same zone is served over the network in balance-net.bats.

load helpers

setup() {
	_common_setup
	BAL="$DATA/balance"
	ZONE="$BAL/bal.test.zone"
	MAP="$BAL/regions.txt"
}

teardown() {
	_common_teardown
}

# q NAME TYPE [ARGS...]: the answer addresses of an offline query, one a
# line, in answer order (the ANSWER section of dig-style output).
q() {
	local name=$1 type=$2; shift 2
	lbdns-serve -z "$ZONE" --regions "$MAP" --query "$name" "$type" "$@" |
		awk '/^;; ANSWER SECTION/ { a = 1; next } /^$/ { a = 0 } a && $4 ~ /^(A|AAAA)$/ { print $5 }'
}

# qfull NAME TYPE [ARGS...]: the whole offline answer, into $output.
qfull() {
	local name=$1 type=$2; shift 2
	run_tool lbdns-serve -z "$ZONE" --regions "$MAP" --query "$name" "$type" "$@"
	assert_success
}

@test "priority 1 all down: only priority 2 answers, by weight" {
	local s out seen=
	for s in 1 2 3 4 5 6 7 8; do
		out=$(q fo.bal.test A --seed "$s")
		# Both priority 2 records, nothing of group 1 (down) or 3.
		[ "$(sort <<<"$out" | tr '\n' ' ')" = "192.0.2.21 192.0.2.22 " ] ||
			fail "seed $s: got $(tr "\n" " " <<<"$out")"
		seen="$seen$(head -1 <<<"$out") "
	done
	# Either group 2 record may lead (weights 1:2).
	[[ $seen == *192.0.2.21* ]]
	[[ $seen == *192.0.2.22* ]]
	# With group 1 up, group 1 alone answers.
	for s in 1 2 3; do
		out=$(q fu.bal.test A --seed "$s")
		[ "$(sort <<<"$out" | tr '\n' ' ')" = "192.0.2.11 192.0.2.12 " ]
	done
}

@test "everything down: alldown open answers as if all were up" {
	qfull open.bal.test A --seed 3
	assert_output --partial "status: NOERROR"
	# open = every record treated as up, so priority still applies:
	# the priority 1 record, not the priority 2 one (lbdns-zone(5)).
	assert_output --regexp "open\.bal\.test\.[[:space:]]+20[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.41"
	refute_output --partial "192.0.2.42"
	# Equal priorities and the default policy: all records of the RRset.
	run_tool lbdns-serve -z "$BAL/alldown-open.zone" --query w.open.test A --seed 1
	assert_success
	[ "$(grep -cE $'IN\tA\t192\\.0\\.2\\.(1|2|3)$' <<<"$output")" -eq 3 ]
}

@test "everything down: alldown=closed is NODATA with the SOA" {
	qfull closed.bal.test A
	assert_output --partial "status: NOERROR"
	assert_output --partial "ANSWER: 0, AUTHORITY: 1"
	assert_output --regexp "bal\.test\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns\.example\.net\."
	refute_output --partial "192.0.2.5"
}

@test "everything down: alldown=ADDRESS answers that address alone (A and AAAA)" {
	qfull fb.bal.test A
	assert_output --partial "ANSWER: 1,"
	assert_output --regexp "fb\.bal\.test\.[[:space:]]+20[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.250"
	refute_output --partial "192.0.2.61"
	refute_output --partial "192.0.2.62"
	qfull fb6.bal.test AAAA
	assert_output --partial "ANSWER: 1,"
	assert_output --regexp "fb6\.bal\.test\.[[:space:]]+20[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+2001:db8::250"
	# The fallback is for an RRset that is all down, not for one that has
	# an up record, nor for another type at the name.
	[ "$(q fbup.bal.test A)" = 192.0.2.72 ]
	qfull fb.bal.test AAAA
	assert_output --partial "ANSWER: 0"
	refute_output --partial "192.0.2.250"
}

# Region cases: "ARGS | expected first address | expected ECS line or -".
REGION_CASES=(
	# 10.8.0.0/13 is the largest block around 10.9/16 that holds no
	# more specific entry than 10.0.0.0/8: scope 13, below the source 16.
	"--ecs 10.9.0.0/16|203.0.113.1|CLIENT-SUBNET: 10.9.0.0/16/13"
	# fra (10.1/16) around the us island 10.1.2/24: 10.1.8.0/21.
	"--ecs 10.1.9.0/24|203.0.113.3|CLIENT-SUBNET: 10.1.9.0/24/21"
	"--ecs 10.1.2.0/24|203.0.113.2|CLIENT-SUBNET: 10.1.2.0/24/24"
	# Fewer bits than the map needs: scope one longer (RFC 7871 7.2.1).
	"--ecs 10.1.0.0/16|203.0.113.3|CLIENT-SUBNET: 10.1.0.0/16/17"
	"--ecs 192.0.2.128/25|203.0.113.2|CLIENT-SUBNET: 192.0.2.128/25/24"
	"--client 10.1.2.3|203.0.113.2|-"
	"--client 10.200.1.1|203.0.113.1|-"
	"--client ::ffff:10.1.2.3|203.0.113.2|-"
	"--client ::1|203.0.113.5|-"
	"--client 10.1.2.3 --ecs 10.9.9.0/24|203.0.113.1|CLIENT-SUBNET: 10.9.9.0/24/13"
)
REGION6_CASES=(
	"--ecs 2001:db8:1::/48|2001:db8:e::3|CLIENT-SUBNET: 2001:db8:1::/48/48"
	"--ecs 2001:db8:2:5::/64|2001:db8:e::2|CLIENT-SUBNET: 2001:db8:2:5::/64/48"
	"--ecs 2001:db8:9::/48|2001:db8:e::1|CLIENT-SUBNET: 2001:db8:9::/48/45"
	"--client 2001:db8:2::1|2001:db8:e::2|-"
	"--client ::1|2001:db8:e::5|-"
	"--client 10.1.2.3|2001:db8:e::2|-"
)

# check_region NAME TYPE CASE: one REGION_CASES entry.
check_region() {
	local name=$1 type=$2 args want ecs
	IFS='|' read -r args want ecs <<<"$3"
	# shellcheck disable=SC2086
	run lbdns-serve -z "$ZONE" --regions "$MAP" --query "$name" "$type" $args --seed 5
	[ "$status" -eq 0 ] || { echo "$args: exit $status: $output"; return 1; }
	local got
	got=$(awk '/^;; ANSWER SECTION/ { a = 1; next } /^$/ { a = 0 } a { print $5 }' <<<"$output")
	[ "$got" = "$want" ] || { echo "$name $args: want $want alone, got $(tr "\n" " " <<<"$got")"; return 1; }
	if [ "$ecs" = - ]; then
		[[ $output != *CLIENT-SUBNET* ]] || { echo "$args: unexpected ECS in reply"; return 1; }
	else
		[[ $output == *"; $ecs"$'\n'* ]] || {
			echo "$args: want '$ecs', got '$(grep CLIENT-SUBNET <<<"$output")'"; return 1; }
	fi
}

@test "regions by ECS and by client address, IPv4, with the ECS scope" {
	local c bad=0
	for c in "${REGION_CASES[@]}"; do
		check_region geo.bal.test A "$c" >&2 || bad=1
	done
	[ "$bad" -eq 0 ]
}

@test "regions by ECS and by client address, IPv6, with the ECS scope" {
	local c bad=0
	for c in "${REGION6_CASES[@]}"; do
		check_region geo6.bal.test AAAA "$c" >&2 || bad=1
	done
	[ "$bad" -eq 0 ]
}

@test "regions: no match, no record in the region, one region only, ECS /0" {
	# 172.16/12 maps to mars: no record there, every record competes,
	# and the answer still depended on the address (scope /12).
	qfull geo.bal.test A --ecs 172.16.5.0/24
	[ "$(grep -c $'\tIN\tA\t203.0.113.' <<<"$output")" -eq 5 ]
	assert_output --partial "CLIENT-SUBNET: 172.16.5.0/24/12"
	# All records in one region: no region decision, scope 0.
	qfull same.bal.test A --ecs 10.1.2.0/24
	[ "$(grep -c $'\tIN\tA\t203.0.113.' <<<"$output")" -eq 2 ]
	assert_output --partial "CLIENT-SUBNET: 10.1.2.0/24/0"
	# Source prefix 0: nothing known about the client, scope 0 (RFC 7871).
	qfull geo.bal.test A --ecs 0.0.0.0/0
	[ "$(grep -c $'\tIN\tA\t203.0.113.' <<<"$output")" -eq 5 ]
	assert_output --partial "CLIENT-SUBNET: 0.0.0.0/0/0"
	# Without a region map every record competes.
	run_tool lbdns-serve -z "$ZONE" --query geo.bal.test A --ecs 10.1.2.0/24
	assert_success
	[ "$(grep -c $'\tIN\tA\t203.0.113.' <<<"$output")" -eq 5 ]
}

@test "weight 0 is a standby: served only when every weighted record is down" {
	local s out
	for s in 1 2 3 4 5 6; do
		out=$(q sb.bal.test A --seed "$s")
		[ "$(sort <<<"$out" | tr '\n' ' ')" = "192.0.2.121 192.0.2.122 " ] || fail "seed $s: $(tr "\n" " " <<<"$out")"
	done
	# The weighted ones down: every standby, none of the down ones.
	out=$(q sbd.bal.test A --seed 1)
	[ "$(sort <<<"$out" | tr '\n' ' ')" = "192.0.2.123 192.0.2.124 " ]
}

@test "a CNAME to a balanced name: the target is balanced for the client, scope kept" {
	qfull alias.bal.test A --ecs 10.1.2.0/24
	assert_output --regexp "alias\.bal\.test\.[[:space:]]+20[[:space:]]+IN[[:space:]]+CNAME[[:space:]]+geo\.bal\.test\."
	assert_output --regexp "geo\.bal\.test\.[[:space:]]+20[[:space:]]+IN[[:space:]]+A[[:space:]]+203\.0\.113\.2"
	[ "$(grep -c $'IN\tA\t' <<<"$output")" -eq 1 ]
	assert_output --partial "CLIENT-SUBNET: 10.1.2.0/24/24"
	qfull alias.bal.test A --client 2001:db8:1::9
	assert_output --regexp "geo\.bal\.test\.[[:space:]]+20[[:space:]]+IN[[:space:]]+A[[:space:]]+203\.0\.113\.3"
}

@test "annotations: marker, keys and regions in any case; wildcards balanced; other comments ignored" {
	[ "$(q geoc.bal.test A --ecs 10.9.0.0/16)" = 203.0.113.21 ]
	[ "$(q geoc.bal.test A --ecs 10.1.2.0/24)" = 203.0.113.22 ]
	# "; see lbdns: weight=9" is a comment, not an annotation: a plain
	# RRset, no balancing steps, both records.
	qfull note.bal.test A --explain
	refute_output --partial ";; balance note.bal.test."
	[ "$(grep -c $'\tIN\tA\t192.0.2.13[12]$' <<<"$output")" -eq 2 ]
	# A wildcard's annotations hold for every name it synthesizes.
	local s out
	for s in 1 2 3 4 5 6; do
		out=$(q "x$s.wl.bal.test" A --seed "$s")
		case $out in 192.0.2.142 | 192.0.2.143) ;; *) fail "seed $s: $out" ;; esac
	done
}

@test "count=N limits the answer, count on one record applies to the RRset" {
	local s out firsts=
	for s in 1 2 3 4 5 6 7 8 9 10; do
		out=$(q two.bal.test A --seed "$s")
		[ "$(wc -l <<<"$out")" -eq 2 ] || fail "seed $s: $(tr "\n" " " <<<"$out")"
		[ "$(sort -u <<<"$out" | wc -l)" -eq 2 ]
		firsts="$firsts$(head -1 <<<"$out")"$'\n'
		[ "$(q one.bal.test A --seed "$s" | wc -l)" -eq 1 ]
	done
	# Ten draws of 1 in 5: more than one record leads.
	[ "$(sort -u <<<"${firsts%$'\n'}" | wc -l)" -ge 2 ]
}

@test "--seed makes answers reproducible, other seeds differ" {
	local a b s orders=
	a=$(q w.bal.test A --seed 11)
	b=$(q w.bal.test A --seed 11)
	[ "$a" = "$b" ]
	[ "$(wc -l <<<"$a")" -eq 4 ]
	refute [ "$(grep -c 192.0.2.5 <<<"$a")" -ne 0 ]
	for s in 1 2 3 4 5 6 7 8; do
		orders="$orders$(q w.bal.test A --seed "$s" | tr '\n' ' ')"$'\n'
	done
	[ "$(sort -u <<<"${orders%$'\n'}" | wc -l)" -ge 3 ]
}

@test "plain RRset: order is a rotation of the zone order" {
	local s out firsts=
	for s in 1 2 3 4 5 6 7 8; do
		out=$(q rr.bal.test A --seed "$s" | tr '\n' ' ')
		case $out in
		"192.0.2.101 192.0.2.102 192.0.2.103 192.0.2.104 " | \
		"192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.101 " | \
		"192.0.2.103 192.0.2.104 192.0.2.101 192.0.2.102 " | \
		"192.0.2.104 192.0.2.101 192.0.2.102 192.0.2.103 ") ;;
		*) fail "seed $s: not a rotation: $out" ;;
		esac
		firsts="$firsts${out%% *}"$'\n'
	done
	[ "$(sort -u <<<"${firsts%$'\n'}" | wc -l)" -ge 2 ]
}

@test "--explain names every step: down, region and map line, priority, weights, draw, scope" {
	qfull ex.bal.test A --client 10.9.9.9 --seed 2 --explain
	assert_output --partial ";; balance ex.bal.test. A: 5 records, 2 chosen, ttl 20, scope /13"
	assert_output --partial "rrset: 5 records, count=0 (all), alldown=open, sticky=0/0"
	assert_output --partial "#2 (192.0.2.203) weight=1 priority=1 state=down region=eu"
	assert_output --partial "dropped #2 (192.0.2.203): state=down"
	assert_output --regexp "region: client 10\.9\.9\.9/32 matches [^ ]*/balance/regions\.txt line 2 \(/8\): eu; uniform over /13"
	assert_output --partial "dropped #4 (192.0.2.205): other region"
	assert_output --partial "region: kept 3 record(s) in region eu"
	assert_output --partial "dropped #3 (192.0.2.204): lower priority group kept"
	assert_output --partial "priority: kept priority 1 (2 record(s))"
	assert_output --partial "weights: #0 (192.0.2.201)=4 #1 (192.0.2.202)=2"
	assert_output --regexp "draw 1: [0-5] of total weight 6 -> #[01] \(192\.0\.2\.20[12]\)"
	assert_output --regexp "order: #[01] \(192\.0\.2\.20[12]\) #[01] \(192\.0\.2\.20[12]\)"
	assert_output --partial "ecs scope: /13"
	# The answer matches the order the explanation gives.
	local first
	first=$(grep -oE '^order: #[01] \(192\.0\.2\.20[12]\)' <<<"$output" | grep -oE '192[.0-9]+')
	[ "$(awk '/^;; ANSWER SECTION/ { getline; print $5 }' <<<"$output")" = "$first" ]
	# A fallback line of the map: fra has no record, eu takes over.
	qfull ex.bal.test A --ecs 10.1.9.0/24 --explain
	assert_output --regexp "matches [^ ]*regions\.txt line 3 \(/16\): fra eu"
	assert_output --partial "region: kept 3 record(s) in region eu"
	# The all-down policies, sticky hashing and count.
	qfull closed.bal.test A --explain
	assert_output --partial "all down: alldown=closed, answer NODATA"
	qfull fb.bal.test A --explain
	assert_output --partial "all down: answer the fallback address 192.0.2.250"
	qfull app.bal.test A --ecs 10.1.2.0/24 --explain --sticky-key "$BAL/sticky.key"
	assert_output --partial "sticky: rendezvous hash of 10.1.2.0/24 (client prefix /24)"
	assert_output --partial "count: 1 of 5 returned"
	assert_output --partial "ecs scope: /24"
	# No region map entry: said so.
	qfull ex.bal.test A --ecs 10.0.0.0/7 --explain
	assert_output --partial "region: client 10.0.0.0/7 matches no map entry"
	assert_output --partial "region: no record in the client's region, all kept"
}

@test "--explain draws add up: each draw below the total, the total drops by the weight drawn" {
	local s
	for s in 1 2 3 4 5 6; do
		run lbdns-serve -z "$ZONE" --query w.bal.test A --seed "$s" --explain
		[ "$status" -eq 0 ]
		python3 - "$output" <<-'EOF' >&2
		import re, sys
		text = sys.argv[1]
		w = {int(i): int(v) for i, v in re.findall(r"#(\d+) \([^)]*\)=(\d+)", re.search(r"^weights: .*$", text, re.M).group(0))}
		draws = re.findall(r"draw (\d+): (\d+) of total weight (\d+) -> #(\d+)", text)
		order = [int(i) for i in re.findall(r"#(\d+)", re.search(r"^order: .*$", text, re.M).group(0))]
		answer = re.findall(r"\tIN\tA\t(\S+)", text)
		labels = dict((int(i), a) for i, a in re.findall(r"^  #(\d+) \((\S+)\)", text, re.M))
		assert w == {0: 5, 1: 3, 2: 1, 3: 1}, w
		assert len(draws) == 3, draws            # the last one needs no draw
		total = sum(w.values())
		for k, (n, r, t, i) in enumerate(draws):
		    assert int(n) == k + 1 and int(t) == total and int(r) < total, (draws, total)
		    assert order[k] == int(i), (order, draws)
		    total -= w[int(i)]
		assert sorted(order) == [0, 1, 2, 3], order
		assert answer == [labels[i] for i in order], (answer, order)
		print("seed ok:", order)
		EOF
	done
}

@test "--explain shows the TTL served" {
	qfull short.bal.test A --explain
	assert_output --regexp "ttl:? 7"
}

@test "balanced records keep their own TTL, also from lbdns-zone gen" {
	qfull short.bal.test A --seed 1
	[ "$(grep -cE $'^short\\.bal\\.test\\.\t7\tIN\tA\t' <<<"$output")" -eq 2 ]
	qfull long.bal.test A
	assert_output --regexp $'long\\.bal\\.test\\.\t300\tIN\tA\t192\\.0\\.2\\.213'
	# The pipeline: a host list through lbdns-zone gen with a short
	# balanced TTL and one host of its own ttl.
	printf 'ns 192.0.2.53\nweb 192.0.2.1 weight=2\nweb 192.0.2.2 weight=1\nold 192.0.2.9 ttl=45 weight=1\nold 192.0.2.10\n' \
		>"$BATS_TEST_TMPDIR/hosts"
	run_tool lbdns-zone gen --origin gen.test --ns ns.gen.test. --ttl 3600 --balanced-ttl 17 \
		-o "$BATS_TEST_TMPDIR/gen.zone" "$BATS_TEST_TMPDIR/hosts"
	assert_success
	run_tool lbdns-serve -z "$BATS_TEST_TMPDIR/gen.zone" --query web.gen.test A --seed 4
	assert_success
	[ "$(grep -cE $'^web\\.gen\\.test\\.\t17\tIN\tA\t192\\.0\\.2\\.[12]$' <<<"$output")" -eq 2 ]
	run_tool lbdns-serve -z "$BATS_TEST_TMPDIR/gen.zone" --query ns.gen.test A
	assert_success
	assert_output --regexp $'ns\\.gen\\.test\\.\t3600\tIN\tA'
}

@test "records of one balanced RRset with different TTLs: one TTL in the answer" {
	printf '$ORIGIN t.test.\n@ 60 SOA ns.example.net. h.t.test. 1 3600 600 86400 60\n@ 60 NS ns.example.net.\nw 20 A 192.0.2.1 ; lbdns: weight=1\nw 40 A 192.0.2.2\n' \
		>"$BATS_TEST_TMPDIR/t.zone"
	run_tool lbdns-serve -n -z "$BATS_TEST_TMPDIR/t.zone"
	assert_output --partial "t.zone:5:"
	run_tool lbdns-serve -z "$BATS_TEST_TMPDIR/t.zone" --query w.t.test A
	[ "$(grep -E $'\tIN\tA\t' <<<"$output" | cut -f2 | sort -u | wc -l)" -eq 1 ]
}

@test "bad annotations: lbdns-serve -n fails with file:line and the key" {
	local f
	declare -A want=(
		[bad-weight]="bad-weight.zone:6: invalid lbdns annotation: weight: \"-1\""
		[bad-weight-range]="bad-weight-range.zone:5: invalid lbdns annotation: weight: \"1000001\""
		[bad-state]="bad-state.zone:6: invalid lbdns annotation: state: \"maybe\""
		[bad-count]="bad-count.zone:7: conflicting count: 2 here, 1 on another record"
		[bad-dupkey]="bad-dupkey.zone:5: invalid lbdns annotation: duplicate key weight"
		[bad-region]="bad-region.zone:5: invalid lbdns annotation: region: \"eu/west\""
		[bad-fallback]="bad-fallback.zone:5: alldown: a fallback IPv4 address needs an A RRset"
	)
	for f in "${!want[@]}"; do
		run lbdns-serve -n -z "$BAL/$f.zone"
		echo "$f: status $status: $output" >&2
		[ "$status" -ne 0 ]
		[[ $output == *"lbdns-serve: $BAL/${want[$f]}"* ]]
		[[ $output == *"zone refused"* ]]
		refute_output --partial ": OK"
	done
	# The good zone passes.
	run_tool lbdns-serve -n -z "$ZONE"
	assert_success
	assert_output --partial "0 warning(s): OK"
	# --query on a bad zone: usage/input error, nothing answered.
	run_tool lbdns-serve -z "$BAL/bad-state.zone" --query w.bad.test A
	assert_failure 2
	assert_output --partial "bad-state.zone:6:"
	refute_output --partial "HEADER"
}
