#!/usr/bin/env bats
# DNSSEC: lbdns-serve answering from pre-signed zones (RRSIGs, NSEC and
# NSEC3 proofs with DO=1), compared with Knot DNS and NSD serving the same
# files, and lbdns-trace --dnssec validating a fake signed hierarchy of
# lbdns-serve instances. The zones come from tests/data/dnssec/make.sh;
# their glue (never signed) is in 127.0.53.0/24 and is rewritten here into
# this file's network.

load helpers

# The signed hierarchy for lbdns-trace on the file network: root on .1,
# test. on .2, then sec, n3, insec, bogus and nokey.test. on .3 to .7.
setup_file() {
	load helpers
	_file_setup
	local net=$LB_FILE_NET d="$LBDNS_ROOT/tests/data/dnssec" ip=1 z
	export VZONES="$BATS_FILE_TMPDIR/zones"
	mkdir -p "$VZONES"
	for z in root.zone.signed test.zone.signed sec.test.zone.signed \
		n3.test.zone.signed insec.test.zone bogus.test.zone.signed \
		nokey.test.zone.signed; do
		sed "s/127\.0\.53\./$net./g" "$d/$z" >"$VZONES/$z"
		if [ "$z" = insec.test.zone ]; then
			# .5 also serves the unsigned child of n3.test. (opt-out)
			start_file_daemon "ns$ip" lbdns-serve -t 1 -l "$net.$ip:5300" \
				-z "$VZONES/$z" -z "$d/ins.n3.test.zone"
		else
			start_file_daemon "ns$ip" lbdns-serve -t 1 -l "$net.$ip:5300" -z "$VZONES/$z"
		fi
		ip=$((ip + 1))
	done
	for ip in 1 2 3 4 5 6 7; do
		wait_for_dns "$net.$ip" 5300 || return 1
	done
	printf '. 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A %s.1\n' \
		"$net" >"$BATS_FILE_TMPDIR/hints"
	export HINTS="$BATS_FILE_TMPDIR/hints"
}

teardown_file() {
	load helpers
	_file_teardown
}

setup() {
	_common_setup
	SIGNED="$DATA/dnssec"
}

teardown() {
	_common_teardown
}

ZONES=(root.zone.signed test.zone.signed sec.test.zone.signed n3.test.zone.signed)

# lbq NAME TYPE [ARGS...]: lbdns-serve --query on the signed zones,
# DO=1 unless ARGS say --nodo.
lbq() {
	local args=() z name=$1 type=$2 do=--dnssec
	shift 2
	for z in "${ZONES[@]}"; do args+=(-z "$SIGNED/$z"); done
	[ "${1:-}" = --nodo ] && { do=; shift; }
	lbdns-serve "${args[@]}" --query "$name" "$type" $do "$@" | dig_norm --do
}

# digq ADDR NAME TYPE [DIG ARGS...]: a real server's answer, DO=1 by default.
digq() {
	local addr=$1 name=$2 type=$3
	shift 3
	dig +dnssec +norec +tries=1 +time=2 -p "$LB_PORT" @"$addr" "$name" "$type" "$@" | dig_norm --do
}

start_knot() {
	local dir=$BATS_TEST_TMPDIR/knot
	mkdir -p "$dir/db"
	cat >"$dir/knot.conf" <<-EOF
	server:
	    listen: $LB_NET.2@$LB_PORT
	    rundir: $dir
	database:
	    storage: $dir/db
	log:
	  - target: stderr
	    any: error
	template:
	  - id: default
	    storage: $SIGNED
	    journal-content: none
	    zonefile-load: whole
	    zonefile-sync: -1
	zone:
	  - domain: .
	    file: root.zone.signed
	  - domain: test
	    file: test.zone.signed
	  - domain: sec.test
	    file: sec.test.zone.signed
	  - domain: n3.test
	    file: n3.test.zone.signed
	EOF
	start_daemon knotd knotd -c "$dir/knot.conf"
	wait_for_dns "$LB_NET.2" "$LB_PORT"
}

start_nsd() {
	local dir=$BATS_TEST_TMPDIR/nsd z
	mkdir -p "$dir"
	{
		cat <<-EOF
		server:
		    ip-address: $LB_NET.3@$LB_PORT
		    zonesdir: "$SIGNED"
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
		EOF
		for z in . test sec.test n3.test; do
			printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$z" \
				"$SIGNED/$([ "$z" = . ] && echo root || echo "$z").zone.signed"
		done
	} >"$dir/nsd.conf"
	start_daemon nsd nsd -d -c "$dir/nsd.conf"
	wait_for_dns "$LB_NET.3" "$LB_PORT"
}

# Every kind of answer, for the NSEC zone and the NSEC3 zone alike.
leaf_queries() {
	local z
	for z in sec.test n3.test; do
		cat <<-EOF
		www.$z A
		WwW.$z AAAA
		www.$z TXT
		nope.$z A
		a.b.nope.$z A
		$z SOA
		$z NS
		$z DNSKEY
		$z MX
		$z NSEC3PARAM
		alias.$z A
		alias.$z CNAME
		ent.$z A
		c.ent.$z TXT
		x.c.ent.$z A
		x.wild.$z TXT
		x.wild.$z A
		x.wild.$z MX
		y.x.wild.$z A
		wild.$z A
		deleg.$z A
		x.deleg.$z A
		deleg.$z DS
		secdeleg.$z A
		secdeleg.$z DS
		ns.deleg.$z A
		mail.$z A
		zzz.$z A
		x.cw.$z A
		x.cw.$z TXT
		www.dn.$z A
		a.b.dn.$z TXT
		nx.$z A
		$z ANY
		x.wild.$z ANY
		www.$z RRSIG
		www.$z NSEC
		EOF
	done
	cat <<-EOF
	sec.test A
	sec.test DS
	www.insec.test A
	insec.test DS
	n3.test DS
	www.ins.n3.test A
	ins.n3.test DS
	nope.test A
	test DNSKEY
	www.test A
	. DNSKEY
	. SOA
	nope. A
	test DS
	EOF
}

@test "signed zones load and pass ldns-verify-zone (bogus.test is meant to fail)" {
	requires cmd:ldns-verify-zone
	local z
	for z in root test sec.test n3.test nokey.test; do
		run_tool ldns-verify-zone "$SIGNED/$z.zone.signed"
		assert_success
		run_tool lbdns-serve -n -z "$SIGNED/$z.zone.signed"
		assert_success
	done
	run_tool ldns-verify-zone "$SIGNED/bogus.test.zone.signed"
	assert_failure
}

@test "DO=1: RRSIGs, NSEC and NSEC3 proofs as the RFCs ask" {
	run_tool lbdns-serve -z "$SIGNED/sec.test.zone.signed" --query www.sec.test A --dnssec
	assert_success
	assert_output --regexp "www\.sec\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+RRSIG[[:space:]]+A 13 3 300"
	run_tool lbdns-serve -z "$SIGNED/sec.test.zone.signed" --query www.sec.test A
	assert_success
	refute_output --partial "RRSIG"
	# NXDOMAIN: the NSEC covering the name and the one proving no wildcard.
	run_tool lbdns-serve -z "$SIGNED/sec.test.zone.signed" --query nope.sec.test A --dnssec
	assert_output --partial "status: NXDOMAIN"
	assert_output --regexp "mail\.sec\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+NSEC[[:space:]]+ns\.sec\.test\."
	assert_output --regexp "sec\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+NSEC[[:space:]]+alias\.sec\.test\."
	# The SOA (TTL 3600, minimum 300) and its RRSIG get the negative TTL.
	assert_output --regexp "sec\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+RRSIG[[:space:]]+SOA 13 2 3600 "
	# NSEC3 NXDOMAIN: closest encloser, next closer, wildcard (here one
	# NSEC3 covers both the next closer name and the wildcard), each once.
	run_tool lbdns-serve -z "$SIGNED/n3.test.zone.signed" --query nope.n3.test A --dnssec
	assert_output --partial "status: NXDOMAIN"
	[ "$(grep -c $'\tNSEC3\t' <<<"$output")" -ge 2 ]
	[ "$(grep -c $'\tNSEC3\t' <<<"$output")" -eq "$(grep -c $'\tRRSIG\tNSEC3 8 3' <<<"$output")" ]
	[ "$(grep $'\tNSEC3\t' <<<"$output" | sort | uniq -d | wc -l)" -eq 0 ]
	# Referrals: DS with its RRSIG, or the NSEC proving there is none.
	run_tool lbdns-serve -z "$SIGNED/test.zone.signed" --query www.sec.test A --dnssec
	assert_output --regexp "sec\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+DS[[:space:]]"
	assert_output --regexp "RRSIG[[:space:]]+DS 15 2"
	run_tool lbdns-serve -z "$SIGNED/test.zone.signed" --query www.insec.test A --dnssec
	assert_output --regexp "insec\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+NSEC[[:space:]]+.*NS RRSIG NSEC"
	refute_output --regexp "IN[[:space:]]+DS[[:space:]]"
}

@test "DO=1 answers from signed zones match Knot DNS" {
	requires cmd:knotd cmd:dig
	start_knot
	local name type bad=0 n=0
	while read -r name type; do
		n=$((n + 1))
		if ! diff <(digq "$LB_NET.2" "$name" "$type") <(lbq "$name" "$type") \
			>"$BATS_TEST_TMPDIR/d"; then
			echo "differs from Knot: $name $type" >&2
			cat "$BATS_TEST_TMPDIR/d" >&2
			bad=$((bad + 1))
		fi
	done < <(leaf_queries)
	# DO=0: no RRSIG, NSEC or NSEC3 unless asked for by type.
	while read -r name type; do
		n=$((n + 1))
		if ! diff <(digq "$LB_NET.2" "$name" "$type" +nodnssec) \
			<(lbq "$name" "$type" --nodo) >"$BATS_TEST_TMPDIR/d"; then
			echo "differs from Knot (DO=0): $name $type" >&2
			cat "$BATS_TEST_TMPDIR/d" >&2
			bad=$((bad + 1))
		fi
	done < <(leaf_queries)
	# DO=1 with room for part of the answer only (RSA-signed proofs do
	# not fit 512 octets): the records that fit, in Knot's order (a
	# section's RRSIGs after its RRsets), TC=1; the whole answer, as
	# Knot keeps it.
	local size
	for size in 512 700 900; do
		while read -r name type; do
			n=$((n + 1))
			if ! diff <(digq "$LB_NET.2" "$name" "$type" +bufsize="$size" +ignore) \
				<(lbq "$name" "$type" --edns "$size") >"$BATS_TEST_TMPDIR/d"; then
				echo "differs from Knot ($size octets): $name $type" >&2
				cat "$BATS_TEST_TMPDIR/d" >&2
				bad=$((bad + 1))
			fi
		done < <(leaf_queries | grep 'n3\.test\|nx\.sec\|dn\.sec\|cw\.sec')
	done
	echo "$n queries compared, $bad differ" >&2
	[ "$n" -gt 250 ]
	[ "$bad" -eq 0 ]
}

@test "DO=1, 512 octets: a cut negative answer keeps what fits, in Knot's order" {
	# NXDOMAIN in the NSEC3 zone: the SOA and the three NSEC3 RRsets,
	# then the RRSIGs as far as they go (the SOA's; not the NSEC3s').
	run_tool lbq nope.n3.test A --edns 512
	assert_success
	assert_line '=status NXDOMAIN aa tc do'
	[ "$(grep -c '^NS [^ ]* [0-9]* IN NSEC3 ' <<<"$output")" -eq 3 ]
	assert_line --regexp '^NS n3\.test\. 300 IN SOA '
	assert_line --regexp '^NS n3\.test\. 300 IN RRSIG soa8'
	refute_line --regexp '^NS .* RRSIG nsec38'
	# A wildcard CNAME: the chain and its RRSIGs fit, the NSEC3 proving
	# the expansion too, its RRSIG not.
	run_tool lbq x.cw.n3.test A --edns 512
	assert_line '=status NOERROR aa tc do'
	[ "$(grep -c '^AN ' <<<"$output")" -eq 5 ]
	[ "$(grep -c '^NS ' <<<"$output")" -eq 1 ]
	assert_line --regexp '^NS [a-v0-9]+\.n3\.test\. 300 IN NSEC3 '
	# A referral: NS, the opt-out proof, one RRSIG; no room for glue.
	run_tool lbq deleg.n3.test A --edns 512
	assert_line '=status NOERROR tc do'
	assert_line --regexp '^NS deleg\.n3\.test\. 300 IN NS '
	[ "$(grep -c '^NS .* IN NSEC3 ' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^NS .* IN RRSIG ' <<<"$output")" -eq 1 ]
	refute_line --regexp '^AR '
	# A CNAME to a name that does not exist (ECDSA, NSEC): the answer
	# whole, the SOA, both NSECs, two of the three RRSIGs.
	run_tool lbq nx.sec.test A --edns 512
	assert_line '=status NXDOMAIN aa tc do'
	[ "$(grep -c '^AN ' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^NS ' <<<"$output")" -eq 5 ]
	# Without DO the same sizes fit everything.
	run_tool lbq nope.n3.test A --nodo --edns 512
	assert_line '=status NXDOMAIN aa'
}

@test "DO=1 at wildcards: RRSIG queries get the proof, NSEC queries do not repeat it" {
	# An RRSIG query at a name a wildcard makes: the signatures (one
	# covered type, as Knot) and the proof that the name does not exist.
	run_tool lbq x.wild.sec.test RRSIG
	assert_success
	assert_line --regexp '^AN x\.wild\.sec\.test\. 300 IN RRSIG a13'
	assert_line --regexp '^NS \*\.wild\.sec\.test\. 300 IN NSEC '
	assert_line --regexp '^NS \*\.wild\.sec\.test\. 300 IN RRSIG nsec13'
	run_tool lbq x.wild.n3.test RRSIG
	assert_line --regexp '^NS [a-v0-9]+\.n3\.test\. 300 IN NSEC3 '
	# An NSEC query there: the wildcard's NSEC is the answer, and the
	# same RRset is not sent again as the proof.
	run_tool lbq x.wild.sec.test NSEC
	assert_line --regexp '^AN x\.wild\.sec\.test\. 300 IN NSEC www\.sec\.test\.a'
	refute_line --regexp '^NS '
}

@test "DO=1 answers and denial proofs match NSD" {
	requires cmd:nsd cmd:dig
	start_nsd
	local name type bad=0 n=0 want got
	while read -r name type; do
		n=$((n + 1))
		want=$(digq "$LB_NET.3" "$name" "$type")
		got=$(lbq "$name" "$type")
		# NSD differs from Knot on purpose: ANY gets the SOA, RRSIG all
		# the signatures at the name (lbdns does what Knot does).
		case $type in ANY|RRSIG) continue ;; esac
		# NSD adds the apex NS (and its RRSIG) to the authority section
		# of positive answers, which lbdns leaves out as Knot does.
		if grep -q '^AN ' <<<"$want"; then
			want=$(grep -E '^(=status|AN )' <<<"$want")
			got=$(grep -E '^(=status|AN )' <<<"$got")
		fi
		if [ "$want" != "$got" ]; then
			echo "differs from NSD: $name $type" >&2
			diff <(echo "$want") <(echo "$got") >&2 || true
			bad=$((bad + 1))
		fi
	done < <(leaf_queries)
	echo "$n queries compared, $bad differ" >&2
	[ "$n" -gt 60 ]
	[ "$bad" -eq 0 ]
}

# ------------------------------------------------------------ lbdns-trace

# vtrace ARGS...: lbdns-trace --dnssec through the signed hierarchy.
vtrace() {
	run_tool lbdns-trace --hints "$HINTS" --port 5300 --timeout 1000 --dnssec \
		--trust-anchor "$SIGNED/root.key" "$@"
}

@test "rewriting the glue into the test network breaks no signature" {
	requires cmd:ldns-verify-zone
	grep -q "A	$LB_FILE_NET\.2\$" "$VZONES/root.zone.signed"
	grep -q "A	$LB_FILE_NET\.3\$" "$VZONES/test.zone.signed"
	run_tool ldns-verify-zone "$VZONES/root.zone.signed"
	assert_success
	run_tool ldns-verify-zone "$VZONES/test.zone.signed"
	assert_success
}

@test "trace --dnssec: secure chain root -> test. -> sec.test. (Ed25519, ECDSA)" {
	vtrace www.sec.test A
	assert_success
	assert_line --regexp '^;; dnssec zone \.: secure \(DS [0-9]+ -> KSK [0-9]+ ED25519, 2 zone keys\)$'
	assert_line --regexp '^;; dnssec zone test\.: secure \(DS [0-9]+ -> KSK [0-9]+ ED25519'
	assert_line --regexp '^;; dnssec zone sec\.test\.: secure \(DS [0-9]+ -> KSK [0-9]+ ECDSAP256SHA256'
	assert_line ";; dnssec answer sec.test.: secure (every RRset signed by a zone key)"
	assert_line --partial ";; answer from zone sec.test. (6 queries, 0 problems"
	# CNAME inside the zone, wildcard answer, NXDOMAIN, NODATA, empty
	# non-terminal, wildcard NODATA: all proven with NSEC.
	vtrace alias.sec.test A
	assert_success
	assert_line ";; dnssec answer sec.test.: secure (every RRset signed by a zone key)"
	vtrace x.wild.sec.test TXT
	assert_success
	assert_line ";; dnssec answer sec.test.: secure (every RRset signed by a zone key)"
	vtrace nope.sec.test A
	assert_success
	assert_line ";; dnssec answer sec.test.: secure (NXDOMAIN proven by signed NSEC)"
	vtrace www.sec.test TXT
	assert_success
	assert_line ";; dnssec answer sec.test.: secure (NODATA proven by signed NSEC)"
	vtrace ent.sec.test A
	assert_success
	assert_line ";; dnssec answer sec.test.: secure (NODATA proven by signed NSEC)"
	vtrace x.wild.sec.test MX
	assert_success
	assert_line ";; dnssec answer sec.test.: secure (NODATA proven by signed NSEC)"
}

@test "trace --dnssec: NSEC3 zone signed with RSA/SHA-256" {
	vtrace www.n3.test AAAA
	assert_success
	assert_line --regexp '^;; dnssec zone n3\.test\.: secure \(DS [0-9]+,[0-9]+ -> KSK [0-9]+ RSASHA256'
	assert_line ";; dnssec answer n3.test.: secure (every RRset signed by a zone key)"
	vtrace a.b.nope.n3.test A
	assert_success
	assert_line ";; dnssec answer n3.test.: secure (NXDOMAIN proven by signed NSEC3)"
	vtrace www.n3.test TXT
	assert_success
	assert_line ";; dnssec answer n3.test.: secure (NODATA proven by signed NSEC3)"
	vtrace x.wild.n3.test MX
	assert_success
	assert_line ";; dnssec answer n3.test.: secure (NODATA proven by signed NSEC3)"
	vtrace y.x.wild.n3.test A
	assert_success
	assert_line ";; dnssec answer n3.test.: secure (every RRset signed by a zone key)"
}

@test "trace --dnssec: wildcard CNAME, DNAME and CNAME to nowhere" {
	local q
	for q in "x.cw.sec.test A" "x.cw.n3.test A" "www.dn.sec.test A" "www.dn.n3.test A"; do
		# shellcheck disable=SC2086
		vtrace $q
		assert_success
		assert_line --regexp '^;; dnssec answer (sec|n3)\.test\.: secure \(every RRset signed by a zone key\)$'
	done
	vtrace nx.sec.test A
	assert_success
	assert_line ";; dnssec answer sec.test.: secure (NXDOMAIN proven by signed NSEC)"
	vtrace nx.n3.test A
	assert_success
	assert_line ";; dnssec answer n3.test.: secure (NXDOMAIN proven by signed NSEC3)"
}

@test "trace --dnssec: an unsigned delegation is insecure, exit 0" {
	vtrace www.insec.test A
	assert_success
	assert_line ";; dnssec zone insec.test.: insecure (NSEC proves there is no DS)"
	assert_line --partial ";; dnssec answer insec.test.: insecure"
	assert_line --partial "192.0.2.7"
	refute_output --partial "bogus"
	# Below an NSEC3 opt-out span: no NSEC3 at the delegation at all.
	vtrace www.ins.n3.test A
	assert_success
	assert_line ";; dnssec zone ins.n3.test.: insecure (NSEC3 opt-out covers the delegation)"
	assert_line --partial "192.0.2.9"
}

@test "trace --dnssec: a flipped signature byte is bogus, exit 1" {
	vtrace www.bogus.test A
	assert_failure 1
	assert_line --regexp '^;; dnssec zone bogus\.test\.: secure'
	assert_line --regexp '^;; dnssec answer bogus\.test\.: bogus \(www\.bogus\.test\. A: bad signature \(key [0-9]+, ED25519\)\)$'
	assert_line --regexp '^!! dnssec-bogus: answer bogus\.test\.: www\.bogus\.test\. A: bad signature'
	assert_line --partial "1 problem"
	# The SOA of the same zone is signed correctly: NXDOMAIN is secure.
	vtrace nope.bogus.test A
	assert_success
	assert_line ";; dnssec answer bogus.test.: secure (NXDOMAIN proven by signed NSEC)"
}

@test "trace --dnssec: a DS matching no DNSKEY is bogus, and so is what is below" {
	vtrace www.nokey.test A
	assert_failure 1
	assert_line --regexp '^;; dnssec zone nokey\.test\.: bogus \(no DNSKEY matches the DS [0-9]+\)$'
	assert_line ";; dnssec answer nokey.test.: bogus (from a bogus zone)"
	[ "$(grep -c '^!! dnssec-bogus' <<<"$output")" -eq 1 ]
}

@test "trace --dnssec: a wrong trust anchor makes the root bogus" {
	printf '. IN DS 12345 15 2 %s\n' "$(printf '%064d' 0)" >"$BATS_TEST_TMPDIR/ta"
	run_tool lbdns-trace --hints "$HINTS" --port 5300 --timeout 1000 --dnssec \
		--trust-anchor "$BATS_TEST_TMPDIR/ta" www.sec.test A
	assert_failure 1
	assert_line ";; dnssec zone .: bogus (no DNSKEY matches the DS 12345)"
	assert_line ";; dnssec zone sec.test.: bogus (below a bogus delegation)"
	# The anchor as a DNSKEY (the first line of root.key) works as well.
	head -1 "$SIGNED/root.key" >"$BATS_TEST_TMPDIR/ta"
	run_tool lbdns-trace --hints "$HINTS" --port 5300 --timeout 1000 --dnssec \
		--trust-anchor "$BATS_TEST_TMPDIR/ta" www.sec.test A
	assert_success
	assert_line --regexp '^;; dnssec zone \.: secure \(trust anchor DNSKEY -> KSK [0-9]+ ED25519'
}

@test "trace --dnssec --json: one dnssec object per zone and for the answer" {
	vtrace --json www.bogus.test A
	assert_failure 1
	assert_line --regexp '^\{"type":"dnssec","what":"zone","zone":"\.","status":"secure","detail":"DS [0-9]+ -> KSK'
	assert_line --regexp '^\{"type":"dnssec","what":"zone","zone":"bogus\.test\.","status":"secure"'
	assert_line --regexp '^\{"type":"dnssec","what":"answer","zone":"bogus\.test\.","status":"bogus","detail":"www\.bogus\.test\. A: bad signature'
	assert_line --regexp '^\{"type":"problem","kind":"dnssec-bogus"'
	assert_line --regexp '"type":"summary","outcome":"answer","zone":"bogus\.test\.","queries":6,"problems":1'
	vtrace --json www.insec.test A
	assert_success
	assert_line '{"type":"dnssec","what":"zone","zone":"insec.test.","status":"insecure","detail":"NSEC proves there is no DS"}'
}

@test "trace --dnssec: a missing RRSIG or NSEC is bogus" {
	# A second hierarchy on port 5301 whose sec.test. lost the RRSIG over
	# www A and the NSEC of mail (with its RRSIG) that covers nope; the
	# records stay, the zone's other signatures too.
	local d=$BATS_TEST_TMPDIR ip=1 z
	awk '!($1 == "www.sec.test." && $4 == "RRSIG" && $5 == "A") &&
		!($1 == "mail.sec.test." && ($4 == "NSEC" || $5 == "NSEC"))' \
		"$SIGNED/sec.test.zone.signed" >"$d/stripped.zone"
	for z in root.zone.signed test.zone.signed; do
		start_daemon "v$ip" lbdns-serve -t 1 -l "$LB_FILE_NET.$ip:5301" -z "$VZONES/$z"
		ip=$((ip + 1))
	done
	start_daemon v3 lbdns-serve -t 1 -l "$LB_FILE_NET.3:5301" -z "$d/stripped.zone"
	for ip in 1 2 3; do wait_for_dns "$LB_FILE_NET.$ip" 5301; done
	run_tool lbdns-trace --hints "$HINTS" --port 5301 --timeout 1000 --dnssec \
		--trust-anchor "$SIGNED/root.key" www.sec.test A
	assert_failure 1
	assert_line ";; dnssec answer sec.test.: bogus (www.sec.test. A: missing RRSIG over A)"
	run_tool lbdns-trace --hints "$HINTS" --port 5301 --timeout 1000 --dnssec \
		--trust-anchor "$SIGNED/root.key" nope.sec.test A
	assert_failure 1
	assert_line ";; dnssec answer sec.test.: bogus (NXDOMAIN: no NSEC covers the name)"
	run_tool lbdns-trace --hints "$HINTS" --port 5301 --timeout 1000 --dnssec \
		--trust-anchor "$SIGNED/root.key" www.sec.test AAAA
	assert_success
	assert_line ";; dnssec answer sec.test.: secure (every RRset signed by a zone key)"
}

@test "trace --dnssec @SERVER: the root server validates, a leaf server is indeterminate" {
	vtrace "@$LB_FILE_NET.1" www.sec.test A
	assert_success
	assert_line --regexp '^;; dnssec zone \.: secure'
	assert_line ";; dnssec answer sec.test.: secure (every RRset signed by a zone key)"
	vtrace "@$LB_FILE_NET.3" www.sec.test A
	assert_success
	assert_line ";; dnssec zone .: indeterminate (@SERVER does not serve the trust anchor's zone)"
	assert_line --partial ";; dnssec answer .: indeterminate"
}

@test "trace without --dnssec: no DO bit, no validation lines" {
	run_tool lbdns-trace --hints "$HINTS" --port 5300 --timeout 1000 www.bogus.test A
	assert_success
	refute_output --partial "dnssec"
	refute_output --partial "RRSIG"
}

@test "trace --dnssec: bad trust anchors and options exit 2" {
	run_tool lbdns-trace --hints "$HINTS" --dnssec --trust-anchor /nonexistent.key www.sec.test
	assert_failure 2
	assert_output --partial "/nonexistent.key"
	printf '. IN DS 12345 15 2 zz\n' >"$BATS_TEST_TMPDIR/bad.key"
	run_tool lbdns-trace --hints "$HINTS" --dnssec --trust-anchor "$BATS_TEST_TMPDIR/bad.key" www.sec.test
	assert_failure 2
	assert_output --regexp "bad\.key:1:[0-9]+: "
	printf '. IN A 192.0.2.1\n' >"$BATS_TEST_TMPDIR/none.key"
	run_tool lbdns-trace --hints "$HINTS" --dnssec --trust-anchor "$BATS_TEST_TMPDIR/none.key" www.sec.test
	assert_failure 2
	assert_output --partial "no DS or DNSKEY record"
	run_tool lbdns-trace --hints "$HINTS" --trust-anchor "$SIGNED/root.key" www.sec.test
	assert_failure 2
	assert_output --partial "--trust-anchor needs --dnssec"
}
