#!/usr/bin/env bats
# Differential tests: lbdns-serve, NSD and Knot DNS serve the same zones
# and are asked the same generated queries (tests/tools/genqueries.py);
# tests/tools/dnsdiff.py compares rcode, flags and every section as a
# multiset of records. Where NSD and Knot agree lbdns-serve must answer
# the same; where they differ it must answer as one of them does.

load helpers

setup() {
	_common_setup
	requires cmd:nsd cmd:knotd cmd:named-compilezone cmd:python3
	# A second octet of its own (see serve-net.bats for why).
	LB_NET="127.234.$((BATS_TEST_NUMBER % 250 + 1))"
	LB_IP="$LB_NET.1"
	export LB_NET LB_IP
	TOOLS="$LBDNS_ROOT/tests/tools"
	DIFFZ="$DATA/diff"
	# One NSID, identity and version for all three servers, so that
	# NSID requests and CHAOS questions compare too.
	DIFF_NSID=lbdns-diff DIFF_ID=diff-id DIFF_VERSION=diff-version
	LBDIFF_OPTS=(--nsid "$DIFF_NSID" --id-server "$DIFF_ID"
		--version-bind "$DIFF_VERSION")
}

teardown() {
	_common_teardown
}

# canon DIR ORIGIN FILE: the zone in canonical text (absolute names, one
# record a line) as DIR/ORIGIN.zone: what genqueries.py reads and, unless
# RAW=1, the one file all three servers load, so that only the answers
# differ, not the parsers.
canon() {
	named-compilezone -i local -k ignore -q -F text -o "$1/$2.zone" "$2" "$3" ||
		fail "named-compilezone rejects $3"
}

# nsd_conf DIR PORT ORIGIN...: an NSD config serving DIR/z/ORIGIN.zone.
nsd_conf() {
	local dir=$1 port=$2 o
	shift 2
	cat <<-EOF
	server:
	  ip-address: $LB_NET.2@$port
	  port: $port
	  rrl-ratelimit: 0
	  zonesdir: "$dir/z"
	  database: ""
	  username: ""
	  chroot: ""
	  pidfile: "$dir/nsd.pid"
	  xfrdfile: "$dir/xfrd.state"
	  zonelistfile: "$dir/zone.list"
	  xfrdir: "$dir"
	  server-count: 1
	  verbosity: 0
	  nsid: "ascii_$DIFF_NSID"
	  identity: "$DIFF_ID"
	  version: "$DIFF_VERSION"
	remote-control:
	  control-enable: no
	EOF
	for o in "$@"; do
		printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$o" "$o"
	done
}

# knot_conf DIR PORT ORIGIN...: the same for knotd (absolute paths).
knot_conf() {
	local dir=$1 port=$2 o
	shift 2
	cat <<-EOF
	server:
	  listen: $LB_NET.3@$port
	  rundir: "$dir"
	  udp-workers: 1
	  tcp-workers: 1
	  background-workers: 1
	  nsid: "$DIFF_NSID"
	  identity: "$DIFF_ID"
	  version: "$DIFF_VERSION"
	log:
	  - target: stderr
	    any: warning
	database:
	  storage: "$dir"
	template:
	  - id: default
	    storage: "$dir"
	    zonefile-sync: -1
	    zonefile-load: whole
	    journal-content: none
	zone:
	EOF
	for o in "$@"; do
		printf '  - domain: "%s"\n    file: "%s/z/%s.zone"\n' "$o" "$dir" "$o"
	done
}

# serve3 NAME PORT ORIGIN=FILE...: lbdns-serve on .1, NSD on .2, Knot on
# .3, all on PORT with the same zones, ready to answer. Sets $W; the
# canonical zones are in $W/c, for genqueries.py. With RAW=1 each server
# reads the files as written (their parsers are compared too), else the
# canonical ones.
serve3() {
	local name=$1 port=$2 spec o f ip
	shift 2
	W="$BATS_TEST_TMPDIR/$name"
	mkdir -p "$W/z" "$W/c"
	local origins=() zargs=()
	for spec in "$@"; do
		o=${spec%%=*}
		f=${spec#*=}
		canon "$W/c" "$o" "$f"
		if [ -n "${RAW:-}" ]; then
			cp "$f" "$W/z/$o.zone"
		else
			cp "$W/c/$o.zone" "$W/z/$o.zone"
		fi
		origins+=("$o")
		zargs+=(-z "$W/z/$o.zone")
	done
	nsd_conf "$W" "$port" "${origins[@]}" >"$W/nsd.conf"
	knot_conf "$W" "$port" "${origins[@]}" >"$W/knot.conf"
	start_daemon "lbdns-$name" lbdns-serve "${zargs[@]}" -l "$LB_NET.1:$port" -t 1 \
		"${LBDIFF_OPTS[@]}"
	start_daemon "nsd-$name" nsd -d -c "$W/nsd.conf"
	start_daemon "knot-$name" knotd -c "$W/knot.conf"
	for ip in "$LB_NET.1" "$LB_NET.2" "$LB_NET.3"; do
		wait_for_dns "$ip" "$port"
	done
	# A server answers REFUSED before its zones are in: wait for them.
	for o in "${origins[@]}"; do
		for ip in "$LB_NET.1" "$LB_NET.2" "$LB_NET.3"; do
			wait_for zone_served "$ip" "$port" "$o"
		done
	done
}

zone_served() {
	dig +tries=1 +time=1 +norec -p "$2" @"$1" "$3" SOA | grep -q 'status: NOERROR'
}

# compare3 PORT: generated queries for every zone in $W/c, compared.
compare3() {
	python3 "$TOOLS/genqueries.py" "$W"/c/*.zone >"$W/queries"
	run_tool python3 "$TOOLS/dnsdiff.py" -q "$W/queries" --show 40 --tc-superset \
		"lbdns=$LB_NET.1:$1" "nsd=$LB_NET.2:$1" "knot=$LB_NET.3:$1"
	assert_success
	assert_output --regexp 'dnsdiff: [0-9]+ queries, 3 servers: .* 0 differ$'
}

@test "genqueries.py and dnsdiff.py: help, usage errors, bad input" {
	run_tool python3 "$TOOLS/genqueries.py" --help
	assert_success
	assert_output --partial 'Usage: genqueries.py'
	run_tool python3 "$TOOLS/genqueries.py"
	assert_failure 2
	run_tool python3 "$TOOLS/genqueries.py" "$BATS_TEST_TMPDIR/missing.zone"
	assert_failure 2
	assert_output --partial 'missing.zone: No such file'
	echo 'a.example. 300 IN A 192.0.2.1' >"$BATS_TEST_TMPDIR/nosoa.zone"
	run_tool python3 "$TOOLS/genqueries.py" "$BATS_TEST_TMPDIR/nosoa.zone"
	assert_failure 2
	assert_output --partial 'nosoa.zone: no SOA record'
	run_tool python3 "$TOOLS/dnsdiff.py" --help
	assert_success
	assert_output --partial 'Usage: dnsdiff.py'
	run_tool python3 "$TOOLS/dnsdiff.py" "a=127.0.0.1:53"
	assert_failure 2
	echo 'www.example. BOGUSTYPE' >"$BATS_TEST_TMPDIR/q"
	run_tool python3 "$TOOLS/dnsdiff.py" -q "$BATS_TEST_TMPDIR/q" \
		"a=127.0.0.1:53" "b=127.0.0.1:53"
	assert_failure 2
	assert_output --partial 'unknown type BOGUSTYPE'
}

@test "genqueries.py covers the rules: referrals, wildcards, DNAME, ENTs, EDNS sizes" {
	canon "$BATS_TEST_TMPDIR" wild.test "$DIFFZ/wild.test.zone"
	run_tool python3 "$TOOLS/genqueries.py" "$BATS_TEST_TMPDIR/wild.test.zone"
	assert_success
	assert_line 'host1.wild.test. NAPTR'                 # a type it lacks
	assert_line 'wq.wild.test. TXT'                      # wildcard match
	assert_line 'under.*.wild.test. A'                   # RFC 4592 §2.2.1
	assert_line 'host.subdel.wild.test. A'               # referral
	assert_line '_tcp.host1.wild.test. TXT'              # empty non-terminal
	assert_line 'host1.wild.test. A noedns'
	assert_line 'host1.wild.test. A edns=512'
	assert_line 'host1.wild.test. A tcp'
	assert_line 'zz-unrelated-lbdns.invalid. A'          # REFUSED
	assert_line 'wild.test. IXFR'                        # over UDP
	assert_line 'wild.test. SOA opcode=5'                # UPDATE
	assert_line 'wild.test. SOA qr'                      # dropped
	assert_line 'wild.test. SOA cd'
	assert_line 'wild.test. SOA class=HS'
	assert_line 'version.bind. TXT class=CH'
	assert_line 'wild.test. SOA ednsver=1'
	assert_line --regexp '^[a-zA-Z0-9.]*[A-Z][a-zA-Z0-9.]* ' # mixed case
}

@test "genqueries.py --zone: the same seed gives the same legal zone" {
	python3 "$TOOLS/genqueries.py" --zone r.test --seed 7 >"$BATS_TEST_TMPDIR/a.zone"
	python3 "$TOOLS/genqueries.py" --zone r.test --seed 7 >"$BATS_TEST_TMPDIR/b.zone"
	python3 "$TOOLS/genqueries.py" --zone r.test --seed 8 >"$BATS_TEST_TMPDIR/c.zone"
	cmp "$BATS_TEST_TMPDIR/a.zone" "$BATS_TEST_TMPDIR/b.zone"
	! cmp -s "$BATS_TEST_TMPDIR/a.zone" "$BATS_TEST_TMPDIR/c.zone"
	run_tool lbdns-serve -n -z "$BATS_TEST_TMPDIR/a.zone"
	assert_success
	assert_output --partial 'OK'
	run_tool named-checkzone -i local r.test "$BATS_TEST_TMPDIR/a.zone"
	assert_success
	grep -q ' DNAME \| NS .*\.\| CNAME ' "$BATS_TEST_TMPDIR/a.zone"
}

@test "dnsdiff.py finds a difference and names the section" {
	cat >"$BATS_TEST_TMPDIR/one.zone" <<-'EOF'
	$ORIGIN one.test.
	@	300 IN SOA ns hostmaster 1 3600 600 86400 60
	@	300 IN NS ns
	ns	300 IN A 192.0.2.1
	www	300 IN A 192.0.2.80
	EOF
	sed 's/192.0.2.80/192.0.2.81/' "$BATS_TEST_TMPDIR/one.zone" >"$BATS_TEST_TMPDIR/two.zone"
	W="$BATS_TEST_TMPDIR/d"
	mkdir -p "$W/z"
	canon "$W/z" one.test "$BATS_TEST_TMPDIR/two.zone"
	nsd_conf "$W" 5301 one.test >"$W/nsd.conf"
	knot_conf "$W" 5301 one.test >"$W/knot.conf"
	start_daemon lbdns lbdns-serve -z "$BATS_TEST_TMPDIR/one.zone" -l "$LB_NET.1:5301" -t 1 \
		"${LBDIFF_OPTS[@]}"
	start_daemon nsd nsd -d -c "$W/nsd.conf"
	start_daemon knot knotd -c "$W/knot.conf"
	for ip in "$LB_NET.1" "$LB_NET.2" "$LB_NET.3"; do
		wait_for zone_served "$ip" 5301 one.test
	done
	printf 'www.one.test. A\nns.one.test. A tcp\nnx.one.test. A noedns\n' >"$W/q"
	run_tool python3 "$TOOLS/dnsdiff.py" -q "$W/q" \
		"lbdns=$LB_NET.1:5301" "nsd=$LB_NET.2:5301" "knot=$LB_NET.3:5301"
	assert_failure 1
	assert_line 'FAIL: www.one.test. A edns=1232'
	assert_output --regexp 'answer +lbdns=1 nsd=1 knot=1'
	assert_output --regexp '1 +- +- +www.one.test. 300 IN A 192.0.2.80'
		# The NS query: NSD adds the apex NS to the authority section, Knot
	# does not; lbdns-serve answers as Knot.
	assert_line --partial '3 queries, 3 servers: 1 match, 1 match one reference where the references differ, 1 differ'
	# A server that does not answer is a difference too, not a hang.
	run_tool python3 "$TOOLS/dnsdiff.py" -q "$W/q" -t 0.3 \
		"lbdns=$LB_NET.1:5301" "nsd=$LB_NET.9:5301"
	assert_failure 1
	assert_output --partial '(no response)'
}

@test "stress zones: wildcards, CNAME/DNAME chains, delegations, truncation" {
	serve3 stress 5300 \
		"wild.test=$DIFFZ/wild.test.zone" \
		"cname.test=$DIFFZ/cname.test.zone" \
		"deleg.test=$DIFFZ/deleg.test.zone" \
		"dname.test=$DIFFZ/dname.test.zone" \
		"big.test=$DIFFZ/big.test.zone" \
		"misc.test=$DIFFZ/misc.test.zone" \
		"apexdname.test=$DIFFZ/apexdname.test.zone" \
		"trunc.test=$DIFFZ/trunc.test.zone" \
		"edge.test=$DATA/zones/edge.test.zone" \
		"example.com=$DATA/zones/example.com.zone"
	compare3 5300
}

@test "stress zones as written: every server parses the files itself" {
	RAW=1 serve3 raw 5304 \
		"wild.test=$DIFFZ/wild.test.zone" \
		"cname.test=$DIFFZ/cname.test.zone" \
		"deleg.test=$DIFFZ/deleg.test.zone" \
		"dname.test=$DIFFZ/dname.test.zone" \
		"big.test=$DIFFZ/big.test.zone" \
		"misc.test=$DIFFZ/misc.test.zone" \
		"apexdname.test=$DIFFZ/apexdname.test.zone" \
		"trunc.test=$DIFFZ/trunc.test.zone"
	compare3 5304
}

@test "signed zones (NSEC, NSEC3), DO off and on at every size: hashed owners are not names" {
	serve3 signed 5302 \
		"sec.test=$DATA/dnssec/sec.test.zone.signed" \
		"n3.test=$DATA/dnssec/n3.test.zone.signed"
	compare3 5302
	grep -q ' do,edns=512$' "$W/queries"
	# The NSEC3 owners gave NXDOMAIN everywhere.
	run dig +norec +tries=1 -p 5302 @"$LB_IP" \
		"$(awk '$4 == "NSEC3" { print $1; exit }' "$W/c/n3.test.zone")" NSEC3
	assert_output --partial 'status: NXDOMAIN'
}

@test "random zones: genqueries.py --zone, fixed seeds (LBDNS_DIFF_SEEDS for more)" {
	local specs=() seed
	for seed in ${LBDNS_DIFF_SEEDS:-1 2 3 4 5 6 7 8}; do
		python3 "$TOOLS/genqueries.py" --zone "r$seed.test" --seed "$seed" \
			>"$BATS_TEST_TMPDIR/r$seed.zone"
		specs+=("r$seed.test=$BATS_TEST_TMPDIR/r$seed.zone")
	done
	RAW=1 serve3 random 5303 "${specs[@]}"
	compare3 5303
}

# sign ORIGIN FILE OUT ALG [ldns-signzone options]: FILE signed into OUT
# with fresh keys (validity as tests/data/dnssec/make.sh gives it).
sign() {
	local origin=$1 file=$2 out=$3 alg=$4 k z
	shift 4
	(
		cd "$BATS_TEST_TMPDIR" || exit 1
		k=$(ldns-keygen -a "$alg" -k "$origin") && z=$(ldns-keygen -a "$alg" "$origin") &&
			ldns-signzone -i 20250101000000 -e 20371201000000 -o "$origin" \
				-f "$out" "$@" "$file" "$k" "$z"
	) || fail "cannot sign $file"
}

@test "random signed zones (NSEC and NSEC3, RSA and ECDSA): DO at every size (LBDNS_DIFF_SIGNED_SEEDS)" {
	requires cmd:ldns-signzone cmd:ldns-keygen
	local specs=() seed n=0 f
	for seed in ${LBDNS_DIFF_SIGNED_SEEDS:-101 102 103 104}; do
		f="$BATS_TEST_TMPDIR/s$seed.zone"
		python3 "$TOOLS/genqueries.py" --zone "s$seed.test" --seed "$seed" >"$f"
		canon "$BATS_TEST_TMPDIR" "s$seed.test" "$f"
		# Alternately NSEC with RSA (large RRSIGs: cut at 512 octets)
		# and NSEC3 (opt-out) with ECDSA.
		if [ $((n % 2)) -eq 0 ]; then
			sign "s$seed.test" "$BATS_TEST_TMPDIR/s$seed.test.zone" "$f.signed" RSASHA256
		else
			sign "s$seed.test" "$BATS_TEST_TMPDIR/s$seed.test.zone" "$f.signed" \
				ECDSAP256SHA256 -n -p -t 1 -s beef
		fi
		specs+=("s$seed.test=$f.signed")
		n=$((n + 1))
	done
	serve3 rsigned 5305 "${specs[@]}"
	compare3 5305
}

# conformance_specs: ORIGIN=FILE of every conformance zone that both
# named-checkzone and kzonecheck accept.
conformance_specs() {
	awk -F'\t' 'NR > 1 && $5 ~ /^accept/ && $6 ~ /^accept/ {
		print $3 "=" dir "/" $1 "/" $2 }' dir="$CONFORMANCE" \
		"$CONFORMANCE/MANIFEST.tsv"
}

# group_specs SPEC...: the specs in groups, one a line, so that no two
# zones of a group have the same or nested origins.
group_specs() {
	printf '%s\n' "$@" | python3 -c '
import sys
groups = []
def nested(a, b):
	a, b = a.lower().rstrip(".") + ".", b.lower().rstrip(".") + "."
	return a == b or a.endswith("." + b) or b.endswith("." + a)
for spec in sys.stdin.read().split():
	o = spec.split("=", 1)[0]
	for g in groups:
		if not any(nested(o, s.split("=", 1)[0]) for s in g):
			g.append(spec)
			break
	else:
		groups.append([spec])
for g in groups:
	print(" ".join(g))
'
}

@test "conformance zones: every zone both named-checkzone and kzonecheck accept" {
	[ -f "$CONFORMANCE/MANIFEST.tsv" ] || skip "no conformance corpus"
	local specs=() refused=() spec n=0 line
	mkdir -p "$BATS_TEST_TMPDIR/pre"
	# lbdns-serve refuses a DS away from a delegation (zone_check.c,
	# ds-not-cut), which NSD and Knot serve; that zone is left out, and
	# any other refusal fails the test.
	while read -r spec; do
		canon "$BATS_TEST_TMPDIR/pre" "${spec%%=*}" "${spec#*=}"
		if lbdns-serve -n -z "$BATS_TEST_TMPDIR/pre/${spec%%=*}.zone" >/dev/null 2>&1; then
			specs+=("$spec")
		else
			refused+=("${spec##*/}")
		fi
	done < <(conformance_specs)
	[ "${#specs[@]}" -gt 10 ] || fail "only ${#specs[@]} conformance zones"
	[ "${refused[*]}" = "bad-ds-2.db" ] || fail "lbdns-serve refuses: ${refused[*]}"
	while read -r line; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		serve3 "g$n" $((5310 + n)) $line
		compare3 $((5310 + n))
		stop_daemons
	done < <(group_specs "${specs[@]}")
	[ "$n" -gt 0 ]
}
