#!/bin/sh
# make.sh: regenerate the signed zones of tests/data/dnssec/ from src/.
#
# The output is committed so tests never depend on the signing time;
# signatures are valid from 2025-01-01 to 2037-12-01 (before 2038: some
# validators compare RRSIG times as signed 32-bit numbers).
#
# Server addresses appear only in glue (below a zone cut, so never
# signed) and in the root hints, all in 127.0.53.0/24: a test rewrites
# "127.0.53." into its own loopback network without breaking a
# signature. Addresses inside the signed data are 192.0.2.x and are never
# queried: lbdns-trace follows glue only.
#
#   root .          Ed25519 (15), NSEC; trust anchor in root.key
#   test.           Ed25519 (15), NSEC; DS for sec, n3, bogus, nokey
#   sec.test.       ECDSA P-256 (13), NSEC
#   n3.test.        RSA/SHA-256 (8), NSEC3 with opt-out, 2 iterations,
#                   signed by Knot's kzonesign (ldns-signzone -p still
#                   makes NSEC3s for insecure delegations; Knot omits
#                   them); DS with SHA-256 and SHA-384; valid to 2036-10
#   insec.test.     unsigned (test. proves there is no DS); ins.n3.test.
#                   too (opt-out: no NSEC3 at the delegation)
#   bogus.test.     Ed25519, one byte of the RRSIG of www A flipped
#   nokey.test.     Ed25519, but test. holds the DS of another key
#
# Needs ldns-keygen and ldns-signzone (ldnsutils), kzonesign and keymgr
# (knot-dnssecutils). Run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
GLUE=127.0.53
INC=20250101000000
EXP=20371201000000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# keys ZONE ALG: a KSK and a ZSK; prints the two base names.
keys() {
	k=$(ldns-keygen -a "$2" -k "$1")
	z=$(ldns-keygen -a "$2" "$1")
	echo "$k $z"
}

# sign ZONE FILE ALG [signzone options]: sign FILE into ZONE.signed,
# append the KSK's DS (SHA-256) to ds.ZONE.
sign() {
	zone=$1 file=$2 alg=$3; shift 3
	# shellcheck disable=SC2046
	ldns-signzone -i "$INC" -e "$EXP" -f "$zone.signed" "$@" "$file" \
		$(keys "$zone" "$alg")
	# ldns-keygen writes a SHA-256 DS for the KSK only.
	grep -h "IN[[:space:]]*DS" "K${zone%.}".+*.ds >"ds.$zone"
}

for f in "$here"/src/*.zone; do
	sed "s/@GLUE@/$GLUE/g" "$f" >"$(basename "$f")"
done

sign sec.test sec.test.zone ECDSAP256SHA256
# knot_sign ZONE FILE: sign with Knot as of 2025-01-01, NSEC3 opt-out.
knot_sign() {
	mkdir -p knot/db knot/out
	cat >knot/knot.conf <<-EOC
	database:
	    storage: $work/knot/db
	policy:
	  - id: p
	    algorithm: rsasha256
	    ksk-size: 2048
	    zsk-size: 1024
	    nsec3: on
	    nsec3-opt-out: on
	    nsec3-iterations: 2
	    nsec3-salt-length: 4
	    rrsig-lifetime: 4300d
	    ksk-lifetime: 0
	    zsk-lifetime: 0
	zone:
	  - domain: $1
	    storage: $work
	    file: $2
	    dnssec-signing: on
	    dnssec-policy: p
	EOC
	# It reports "no keys are available" before it makes them: show
	# its messages only when it fails.
	kzonesign -c knot/knot.conf -t "$(date -u -d 2025-01-01 +%s)" \
		-o "$work/knot/out" "$1" >knot/log 2>&1 || { cat knot/log >&2; exit 1; }
	cp "knot/out/$2" "$1.signed"
	keymgr -c knot/knot.conf "$1" ds >"ds.$1"
}

knot_sign n3.test n3.test.zone
sign bogus.test bogus.test.zone ED25519
sign nokey.test nokey.test.zone ED25519
# nokey.test: the parent gets the DS of a key the child does not use.
mkdir other && (cd other && ldns-keygen -a ED25519 -k nokey.test >/dev/null &&
	grep -h 'IN[[:space:]]*DS' Knokey.test.+*.ds) >ds.nokey.test
cat ds.sec.test ds.n3.test ds.bogus.test ds.nokey.test >>test.zone
sign test test.zone ED25519
cat ds.test >>root.zone
sign . root.zone ED25519

# bogus.test: flip one byte of the signature over www.bogus.test. A.
awk '$1 == "www.bogus.test." && $4 == "RRSIG" && $5 == "A" && !done {
	s = $NF; c = substr(s, 1, 1); r = (c == "A") ? "B" : "A"
	$NF = r substr(s, 2); done = 1 } { print }' bogus.test.signed >bogus.tmp
mv bogus.tmp bogus.test.signed

for z in root test sec.test n3.test bogus.test nokey.test; do
	f=$z.signed
	[ "$z" = root ] && f=..signed
	cp "$f" "$here/$z.zone.signed"
done
cp insec.test.zone ins.n3.test.zone "$here/"
# The trust anchor: the root KSK (flags 257) as a DNSKEY and its DS.
grep -h 'DNSKEY[[:space:]]*257' K.+*.key >"$here/root.key"
cat ds.. >>"$here/root.key"
echo "signed zones written to $here"
