#!/usr/bin/env bats
# lbdns-serve --query: the answer engine offline (as tinydns-get), checked
# on its own and against Knot DNS and NSD serving the same zone on
# loopback (rcode, AA/TC and the sorted sections of `dig +norec`).

load helpers

setup() {
	_common_setup
	ZONE="$DATA/zones/example.com.zone"
	LBZONE="$DATA/zones/lb.test.zone"
	EDGE="$DATA/zones/edge.test.zone"
}

teardown() {
	_common_teardown
}

# lbq NAME TYPE [ARGS...]: lbdns-serve --query on the test zone, normalized.
lbq() {
	local name=$1 type=$2; shift 2
	lbdns-serve -z "$ZONE" --query "$name" "$type" "$@" | dig_norm
}

# digq ADDR NAME TYPE [ARGS...]: a real server's answer, normalized.
digq() {
	local addr=$1 name=$2 type=$3; shift 3
	dig +norec +tries=1 +time=2 -p "$LB_PORT" @"$addr" "$name" "$type" "$@" | dig_norm
}

start_knot() {
	local dir=$BATS_TEST_TMPDIR/knot
	mkdir -p "$dir/db"
	cp "$ZONE" "$dir/example.com.zone"
	cp "$EDGE" "$dir/edge.test.zone"
	cat >"$dir/knot.conf" <<-EOF
	server:
	    listen: $LB_NET.2@$LB_PORT
	    rundir: $dir
	database:
	    storage: $dir/db
	log:
	  - target: stderr
	    any: error
	zone:
	  - domain: example.com
	    storage: $dir
	    file: example.com.zone
	    journal-content: none
	    zonefile-load: whole
	  - domain: edge.test
	    storage: $dir
	    file: edge.test.zone
	    journal-content: none
	    zonefile-load: whole
	EOF
	start_daemon knotd knotd -c "$dir/knot.conf"
	wait_for_dns "$LB_NET.2" "$LB_PORT"
}

start_nsd() {
	local dir=$BATS_TEST_TMPDIR/nsd
	mkdir -p "$dir"
	cp "$ZONE" "$dir/example.com.zone"
	cat >"$dir/nsd.conf" <<-EOF
	server:
	    ip-address: $LB_NET.3@$LB_PORT
	    zonesdir: "$dir"
	    zonelistfile: "$dir/zone.list"
	    pidfile: "$dir/nsd.pid"
	    xfrdfile: "$dir/xfrd.state"
	    database: ""
	    username: ""
	    chroot: ""
	    rrl-ratelimit: 0
	    verbosity: 0
	remote-control:
	    control-enable: no
	zone:
	    name: example.com
	    zonefile: "$dir/example.com.zone"
	EOF
	start_daemon nsd nsd -d -c "$dir/nsd.conf"
	wait_for_dns "$LB_NET.3" "$LB_PORT"
}

# Every lookup rule, as "NAME TYPE [dig args]".
QUERIES=(
	"www.example.com A"
	"WwW.ExAmPlE.CoM A"
	"www.example.com TXT"
	"nope.example.com A"
	"example.com SOA"
	"example.com NS"
	"example.com MX"
	"example.com ANY"
	"ent.example.com A"
	"c.ent.example.com TXT"
	"x.c.ent.example.com A"
	"chain1.example.com A"
	"chain1.example.com CNAME"
	"dangling.example.com A"
	"loop1.example.com A"
	"outside.example.com A"
	"tocut.example.com A"
	"x.y.wild.example.com TXT"
	"x.y.wild.example.com A"
	"x.wild.example.com MX"
	"deep.wild.example.com A"
	"x.deep.wild.example.com A"
	"ent.deep.wild.example.com A"
	"a.cwild.example.com A"
	"host.sub.example.com A"
	"sub.example.com NS"
	"sub.example.com DS"
	"ns.sub.example.com A"
	"deep.host.sub.example.com DS"
	"host.old.example.com A"
	"x.old.example.com A"
	"old.example.com DNAME"
	"srv.example.com SRV"
	"_sip._udp.example.com SRV"
	"bigtxt.example.com TXT"
	"www.example.org A"
)

@test "offline query answers from the zone like dig shows it" {
	run_tool lbdns-serve -z "$ZONE" --query www.example.com A
	assert_success
	assert_output --partial "status: NOERROR"
	assert_output --partial "flags: qr aa;"
	assert_output --regexp "www\.example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.80"
	[ "$(grep -c $'\tIN\tA\t192.0.2.8' <<<"$output")" -eq 3 ]
}

@test "offline query: NXDOMAIN, referral, REFUSED" {
	run_tool lbdns-serve -z "$ZONE" --query nope.example.com A
	assert_success
	assert_output --partial "status: NXDOMAIN"
	assert_output --regexp "example\.com\.[[:space:]]+300[[:space:]]+IN[[:space:]]+SOA"
	run_tool lbdns-serve -z "$ZONE" --query host.sub.example.com A
	assert_success
	assert_output --partial "flags: qr;"
	assert_output --partial ";; AUTHORITY SECTION:"
	assert_output --regexp "ns\.sub\.example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.153"
	run_tool lbdns-serve -z "$ZONE" --query www.example.org A
	assert_success
	assert_output --partial "status: REFUSED"
}

@test "offline query: EDNS size, TCP, NSID, ECS and CHAOS options" {
	run_tool lbdns-serve -z "$ZONE" --query bigtxt.example.com TXT --noedns
	assert_success
	assert_output --partial "flags: qr aa tc;"
	run_tool lbdns-serve -z "$ZONE" --query bigtxt.example.com TXT --noedns --tcp
	assert_success
	assert_output --partial "ANSWER: 4"
	run_tool lbdns-serve -z "$ZONE" --query www.example.com A --nsid lbtest --request-nsid --ecs 192.0.2.0/24
	assert_success
	assert_output --partial 'NSID: 6c 62 74 65 73 74 ("lbtest")'
	assert_output --partial "CLIENT-SUBNET: 192.0.2.0/24/0"
	run_tool lbdns-serve -z "$ZONE" --query version.bind TXT CH --version-bind "lbdns 1"
	assert_success
	assert_output --partial '"lbdns 1"'
	run_tool lbdns-serve -z "$ZONE" --query version.bind TXT CH
	assert_success
	assert_output --partial "status: REFUSED"
}

@test "offline query: bad zone is reported with file:line, exit 2" {
	printf '$ORIGIN bad.test.\n@ SOA ns h 1 1 1 1 1\n@ NS ns.example.net.\nw CNAME x\nw A 192.0.2.1\n' \
		>"$BATS_TEST_TMPDIR/bad.zone"
	run_tool lbdns-serve -z "$BATS_TEST_TMPDIR/bad.zone" --query w.bad.test A
	assert_failure 2
	assert_output --partial "bad.zone:5: A record beside the CNAME"
	refute_output --partial "HEADER"
}

@test "offline query: usage errors exit 2" {
	run_tool lbdns-serve -z "$ZONE" --query www.example.com NOSUCHTYPE
	assert_failure 2
	assert_output --partial "unknown type: NOSUCHTYPE"
	run_tool lbdns-serve -z "$ZONE" --query www.example.com A --client not-an-ip
	assert_failure 2
	assert_output --partial "--client: bad address"
	run_tool lbdns-serve -z "$ZONE" --query www.example.com A --ecs 10.1.2.3/8
	assert_failure 2
	run_tool lbdns-serve -z /nonexistent.zone --query www.example.com A
	assert_failure 2
	assert_output --partial "/nonexistent.zone"
}

@test "offline query: balanced RRsets, --seed reproducible, --explain" {
	run_tool lbdns-serve -z "$LBZONE" --query www.lb.test A --seed 7
	assert_success
	local first=$output
	run_tool lbdns-serve -z "$LBZONE" --query www.lb.test A --seed 7
	assert_success
	[ "$output" = "$first" ]
	# weight 0 is a standby, state=down is skipped: only .1 and .2 appear.
	refute_output --partial "192.0.2.3"
	refute_output --partial "192.0.2.4"
	run_tool lbdns-serve -z "$LBZONE" --query api.lb.test A --seed 7 --explain
	assert_success
	assert_output --partial ";; balance api.lb.test. A"
	assert_output --partial "dropped #1 (198.51.100.6)"
	assert_output --regexp "api\.lb\.test\.[[:space:]]+30[[:space:]]+IN[[:space:]]+A[[:space:]]+198\.51\.100\.5"
	refute_output --regexp "IN[[:space:]]+A[[:space:]]+198\.51\.100\.6"
	run_tool lbdns-serve -z "$LBZONE" --query down.lb.test A
	assert_success
	assert_output --partial "ANSWER: 0"
	assert_output --partial "status: NOERROR"
}

@test "offline query: region map picks the client's region, ECS scope set" {
	printf '192.0.2.0/24 eu\n198.51.100.0/24 us\n' >"$BATS_TEST_TMPDIR/regions"
	run_tool lbdns-serve -z "$LBZONE" --regions "$BATS_TEST_TMPDIR/regions" \
		--query geo.lb.test A --client 192.0.2.77
	assert_success
	assert_output --partial "203.0.113.1"
	refute_output --partial "203.0.113.2"
	run_tool lbdns-serve -z "$LBZONE" --regions "$BATS_TEST_TMPDIR/regions" \
		--query geo.lb.test A --ecs 198.51.100.0/24
	assert_success
	assert_output --partial "203.0.113.2"
	refute_output --partial "203.0.113.1"
	assert_output --partial "CLIENT-SUBNET: 198.51.100.0/24/24"
}

@test "answers match Knot DNS for every lookup rule" {
	requires cmd:knotd cmd:dig
	start_knot
	local q bad=0
	for q in "${QUERIES[@]}"; do
		# shellcheck disable=SC2086
		if ! diff <(digq "$LB_NET.2" $q) <(lbq $q) >"$BATS_TEST_TMPDIR/d"; then
			echo "differs from Knot: $q" >&2
			cat "$BATS_TEST_TMPDIR/d" >&2
			bad=1
		fi
	done
	# A 512-octet limit: both truncate the same way.
	if ! diff <(digq "$LB_NET.2" bigtxt.example.com TXT +noedns +ignore) \
		<(lbq bigtxt.example.com TXT --noedns); then
		echo "TC differs from Knot" >&2
		bad=1
	fi
	[ "$bad" -eq 0 ]
}

@test "rcode, AA/TC and answers match NSD" {
	requires cmd:nsd cmd:dig
	start_nsd
	local q bad=0
	for q in "${QUERIES[@]}"; do
		# NSD differs from Knot on purpose in two places: it adds the
		# apex NS to positive answers and answers ANY with the SOA.
		case $q in *" ANY") continue ;; esac
		# shellcheck disable=SC2086
		if ! diff <(digq "$LB_NET.3" $q | grep -E '^(=status|AN )') \
			<(lbq $q | grep -E '^(=status|AN )') >"$BATS_TEST_TMPDIR/d"; then
			echo "differs from NSD: $q" >&2
			cat "$BATS_TEST_TMPDIR/d" >&2
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "every name of a corner-case zone answers as Knot DNS does" {
	requires cmd:knotd cmd:dig cmd:named-compilezone
	start_knot
	local owners owner name type bad=0 n=0
	owners=$(named-compilezone -i local -q -o - edge.test "$EDGE" | awk '{print $1}' | sort -u)
	[ -n "$owners" ]
	for owner in $owners; do
		for name in "$owner" "zz.$owner"; do
			for type in A AAAA TXT MX NS CNAME SRV ANY; do
				[ "$name" = "zz.$owner" ] && [ "$type" != A ] && [ "$type" != MX ] && continue
				n=$((n + 1))
				if ! diff <(digq "$LB_NET.2" "$name" "$type") \
					<(lbdns-serve -z "$EDGE" --query "$name" "$type" | dig_norm) \
					>"$BATS_TEST_TMPDIR/d"; then
					echo "differs from Knot: $name $type" >&2
					cat "$BATS_TEST_TMPDIR/d" >&2
					bad=$((bad + 1))
				fi
			done
		done
	done
	echo "$n queries compared, $bad differ" >&2
	[ "$n" -gt 100 ]
	[ "$bad" -eq 0 ]
}

@test "offline query: a cut response keeps what fits (serve-diff's trunc.test, as Knot)" {
	local tz="$DATA/diff/trunc.test.zone"
	# A CNAME chain to an RRset too large for 512 octets: the CNAMEs
	# stay, TC=1 (an empty answer loses the chain for nothing).
	run_tool lbdns-serve -z "$tz" --query c2.trunc.test TXT --edns 512
	assert_success
	assert_output --partial "flags: qr aa tc;"
	assert_output --partial "ANSWER: 2, AUTHORITY: 0"
	assert_output --regexp "c1\.trunc\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+CNAME[[:space:]]+big\.trunc\.test\."
	# A long chain to a name that does not exist: no room left for the
	# SOA, which goes, without TC (Knot; NSD sets TC).
	run_tool lbdns-serve -z "$tz" --query long1.trunc.test A --edns 512
	assert_output --partial "status: NXDOMAIN"
	assert_output --partial "flags: qr aa;"
	assert_output --partial "ANSWER: 5, AUTHORITY: 0"
	run_tool lbdns-serve -z "$tz" --query long1.trunc.test A
	assert_output --partial "ANSWER: 5, AUTHORITY: 1"
	# A referral: the glue below the cut before the other addresses, so
	# it is what fits; the in-zone host with 14 AAAA does not.
	run_tool lbdns-serve -z "$tz" --query deleg.trunc.test A --edns 512
	assert_output --partial "flags: qr;"
	[ "$(grep -A1 'ADDITIONAL SECTION' <<<"$output" | tail -1 | cut -f1)" = ns.deleg.trunc.test. ]
	refute_output --partial "a.host.trunc.test.	300	IN	AAAA"
	assert_output --partial "b.host.trunc.test.	300	IN	A"
	# An HTTPS target's own HTTPS goes along with its addresses.
	run_tool lbdns-serve -z "$tz" --query svc.trunc.test HTTPS
	assert_output --regexp "tgt\.trunc\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+HTTPS[[:space:]]+1 \. alpn=\"h3\""
}

@test "offline query: ANY answers the lowest type, RRSIG included (Knot)" {
	# Only HTTPS is signed at h: the RRSIG RRset is the lowest type.
	cat >"$BATS_TEST_TMPDIR/any.zone" <<-'EOF2'
	$ORIGIN any.test.
	@	300 IN SOA ns hostmaster 1 3600 600 86400 300
	@	300 IN NS ns
	ns	300 IN A 192.0.2.1
	h	300 IN HTTPS 1 . alpn=h2
	h	300 IN RRSIG HTTPS 13 3 300 20371201000000 20250101000000 1 any.test. AAAA
	EOF2
	run_tool lbdns-serve -z "$BATS_TEST_TMPDIR/any.zone" --query h.any.test ANY
	assert_success
	assert_output --partial "ANSWER: 1,"
	assert_output --regexp "h\.any\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+RRSIG[[:space:]]+HTTPS 13 3 300"
	run_tool lbdns-serve -z "$BATS_TEST_TMPDIR/any.zone" --query ns.any.test ANY
	assert_output --regexp "ns\.any\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.1"
}
