#!/usr/bin/env bats
# lbdns-zone gen: host lists to zones that BIND and Knot accept, with
# exactly the records the list implies; every bad input is refused with
# file:line:col and nothing is written.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	_common_setup
	H="$DATA/hosts"
	T="$BATS_TEST_TMPDIR"
}
teardown() { _common_teardown; }

# records ORIGIN FILE: the zone's records as BIND loads them, one
# "owner type rdata" a line, lowercased, sorted (TTL and class dropped).
records() {
	named-compilezone -k ignore -i local -q -o - "$1" "$2" |
		awk '{ printf "%s %s", tolower($1), $4; for (i = 5; i <= NF; i++) printf " %s", $i; print "" }' |
		sort
}

# accepted ORIGIN FILE: both reference checkers take the zone.
accepted() {
	named-checkzone -i local -k ignore "$1" "$2" >&2 || return 1
	kzonecheck -o "$1" "$2" >&2 || return 1
}

@test "gen: the example list becomes a zone BIND and Knot accept" {
	run --separate-stderr lbdns-zone gen --origin example.com "$H/basic.hosts"
	assert_success
	echo "$output" >"$T/z"
	accepted example.com "$T/z"
	assert_line --regexp '^www +30 +IN A +192\.0\.2\.10 ; lbdns: weight=3 region=eu check=http://192\.0\.2\.10/health$'
	assert_line --regexp '^www +30 +IN AAAA +2001:db8::10 ; lbdns: weight=1$'
	assert_line --regexp '^mail +600 +IN A +192\.0\.2\.25$'
	assert_line --regexp '^static +120 +IN A +192\.0\.2\.81 ; lbdns: future-key=kept note="two words"$'
	assert_line --regexp '^@ +3600 +IN NS +ns\.example\.com\.$'
	assert_line --regexp '^@ +3600 +IN SOA +ns\.example\.com\. hostmaster\.example\.com\. [0-9]{10} 3600 900 1209600 300$'
	# exactly the records the list implies: 9 hosts + SOA + NS
	[ "$(records example.com "$T/z" | wc -l)" -eq 11 ]
}

@test "gen: thousands of IPv4 and IPv6 hosts give exactly their records" {
	awk 'BEGIN {
		print "ns 192.0.2.1"
		for (i = 0; i < 3000; i++)
			printf "h%d 10.%d.%d.%d weight=%d\n", i % 1700, int(i / 65536), int(i / 256) % 256, i % 256, i % 7 + 1
		for (i = 0; i < 1500; i++)
			printf "v6-%d 2001:db8::%x:%x\n", i % 900, int(i / 65536) + 1, i % 65536 + 1
	}' >"$T/big.hosts"
	run --separate-stderr lbdns-zone gen --origin big.test "$T/big.hosts"
	assert_success
	echo "$output" >"$T/z"
	accepted big.test "$T/z"
	awk '{ n = ($1 ~ /^v6-/) ? "AAAA" : "A"; print tolower($1) ".big.test. " n " " $2 }' "$T/big.hosts" |
		sort >"$T/want"
	records big.test "$T/z" | grep -v -e ' SOA ' -e ' NS ' >"$T/got"
	diff -u "$T/want" "$T/got"
	[ "$(wc -l <"$T/got")" -eq 4501 ]
}

@test "gen: /etc/hosts lines give every name and alias the address" {
	run --separate-stderr lbdns-zone gen --origin example.com "$H/etc-hosts"
	assert_success
	echo "$output" >"$T/z"
	accepted example.com "$T/z"
	records example.com "$T/z" | grep -v -e ' SOA ' -e ' NS ' >"$T/got"
	cat >"$T/want" <<-'EOF'
	files.example.com. A 192.0.2.21
	files.example.com. AAAA 2001:db8::21
	ip6-localhost.example.com. AAAA ::1
	ip6-loopback.example.com. AAAA ::1
	localhost.example.com. A 127.0.0.1
	lp.example.com. A 192.0.2.20
	nas.example.com. A 192.0.2.21
	ns.example.com. A 127.0.1.1
	printer.example.com. A 192.0.2.20
	EOF
	diff -u "$T/want" "$T/got"
}

@test "gen: names that need escapes come out escaped and load the same" {
	run --separate-stderr lbdns-zone gen --origin example.com "$H/escapes.hosts"
	assert_success
	echo "$output" >"$T/z"
	accepted example.com "$T/z"
	assert_line --regexp '^with\\032space +3600 +IN A +192\.0\.2\.2$'
	assert_line --regexp '^dot\\\.inside +3600'
	assert_line --regexp '^semi\\;colon +3600'
	assert_line --regexp '^\\195\\169t\\195\\169 +3600'
	assert_line --regexp '^raw\\,comma +3600 +IN A +192\.0\.2\.9$'
	assert_line --regexp '^raw\\\(paren\\\)\\\$ +3600 +IN A +192\.0\.2\.10$'
	records example.com "$T/z" | grep -c ' A ' | grep -qx 10
	records example.com "$T/z" | grep -qF 'with\032space.example.com. A 192.0.2.2'
}

@test "gen: records come out in canonical order, the same every time" {
	sort -r "$H/basic.hosts" | grep -v '^#' >"$T/shuffled"
	lbdns-zone gen --origin example.com --serial 7 "$H/basic.hosts" >"$T/a"
	lbdns-zone gen --origin example.com --serial 7 "$T/shuffled" >"$T/b"
	diff -u "$T/a" "$T/b"
	# apex first, then api, mail, ns, static, www
	run awk '!/^[;$]/ { print $1 }' "$T/a"
	assert_output "$(printf '@\n@\n@\napi\napi\nmail\nns\nstatic\nwww\nwww\nwww')"
}

@test "gen: TTLs: --ttl for plain records, --balanced-ttl for annotated, ttl= wins, RRset gets the smallest" {
	printf 'ns 192.0.2.1\nplain 192.0.2.2\nbal 192.0.2.3 weight=2\nfix 192.0.2.4 ttl=77 weight=2\nmix 192.0.2.5 ttl=500\nmix 192.0.2.6 ttl=90\n' >"$T/h"
	run --separate-stderr lbdns-zone gen --origin example.com --ttl 1800 --balanced-ttl 20 "$T/h"
	assert_success
	assert_line --regexp '^plain +1800 +IN A'
	assert_line --regexp '^bal +20 +IN A +192\.0\.2\.3 ; lbdns: weight=2$'
	assert_line --regexp '^fix +77 +IN A +192\.0\.2\.4 ; lbdns: weight=2$'
	assert_line --regexp '^mix +90 +IN A +192\.0\.2\.5$'
	assert_line --regexp '^mix +90 +IN A +192\.0\.2\.6$'
	assert_line '$TTL 1800'
}

@test "gen: SOA and NS options; --rname takes user@domain" {
	printf 'www 192.0.2.2\n' >"$T/h"
	run --separate-stderr lbdns-zone gen --origin example.com --ns a.ns.example.net. \
		--ns b.ns.example.org. --rname dns.admin@example.net --refresh 100 --retry 50 \
		--expire 99999 --minimum 60 --serial 42 "$T/h"
	assert_success
	assert_line --regexp '^@ +3600 +IN SOA +a\.ns\.example\.net\. dns\\\.admin\.example\.net\. 42 100 50 99999 60$'
	assert_line --regexp '^@ +3600 +IN NS +a\.ns\.example\.net\.$'
	assert_line --regexp '^@ +3600 +IN NS +b\.ns\.example\.org\.$'
	echo "$output" >"$T/z"
	accepted example.com "$T/z"
}

@test "gen: the default name server ns.ORIGIN must have an address in the list" {
	printf 'www 192.0.2.2\n' >"$T/h"
	run --separate-stderr lbdns-zone gen --origin example.com "$T/h"
	assert_failure 2
	assert_output ''
	[[ $stderr == *"name server ns.example.com. is inside the zone but the host list gives it no address"* ]]
}

@test "gen: serial policies date, unixtime, increment, and --previous keeps it rising" {
	today=$(date -u +%Y%m%d)
	run --separate-stderr lbdns-zone gen --origin example.com "$H/basic.hosts"
	assert_line --regexp "IN SOA .* ${today}00 3600"
	echo "$output" >"$T/prev"
	# date policy with a previous serial already at today's: +1
	run --separate-stderr lbdns-zone gen --origin example.com --previous "$T/prev" "$H/basic.hosts"
	assert_line --regexp "IN SOA .* ${today}01 3600"
	lbdns-zone gen --origin example.com --serial 9999999999 "$H/basic.hosts" 2>"$T/err" && false
	lbdns-zone gen --origin example.com --serial 4000000000 "$H/basic.hosts" >"$T/high"
	run --separate-stderr lbdns-zone gen --origin example.com --previous "$T/high" "$H/basic.hosts"
	assert_line --regexp "IN SOA .* 4000000001 3600"
	run --separate-stderr lbdns-zone gen --origin example.com --serial increment --previous "$T/prev" "$H/basic.hosts"
	assert_line --regexp "IN SOA .* ${today}01 3600"
	run --separate-stderr lbdns-zone gen --origin example.com --serial increment --previous "$T/none" "$H/basic.hosts"
	assert_line --regexp "IN SOA +[^ ]+ [^ ]+ 1 3600"
	before=$(date +%s)
	run --separate-stderr lbdns-zone gen --origin example.com --serial unixtime "$H/basic.hosts"
	s=$(echo "$output" | awk '$4 == "SOA" { print $7 }')
	[ "$s" -ge "$before" ] && [ "$s" -le $((before + 5)) ]
}

@test "gen: bad inputs are refused with file:line:col naming the field, exit 2, no output" {
	check_bad() {   # FILE EXPECTED-STDERR
		run --separate-stderr lbdns-zone gen --origin example.com "$1"
		[ "$status" -eq 2 ] || { echo "status $status for $1"; return 1; }
		[ -z "$output" ] || { echo "output for $1: $output"; return 1; }
		[[ $stderr == *"$2"* ]] || { echo "stderr for $1: $stderr"; return 1; }
	}
	check_bad "$H/bad-address.hosts" "bad-address.hosts:3:5: bad address '192.0.2.300'"
	check_bad "$H/bad-weight.hosts" "bad-weight.hosts:2:22: bad weight '-1'"
	check_bad "$H/empty-key.hosts" "empty-key.hosts:2:15: empty attribute key"
	check_bad "$H/dup-key.hosts" "dup-key.hosts:2:24: duplicate attribute 'weight'"
	check_bad "$H/bad-escape.hosts" "bad-escape.hosts:2:1: bad name 'bad\\1name'"
	check_bad "$H/binary.hosts" "binary.hosts:2:2: binary data (octet 0x00)"
	head -c 5000 /dev/urandom >"$T/garbage"
	run --separate-stderr lbdns-zone gen --origin example.com "$T/garbage"
	assert_failure 2
	assert_output ''
	[[ $stderr == *"garbage:1:"* ]]
	{ echo "ns 192.0.2.1"; printf 'www 192.0.2.2 note=%05000d\n' 0; } >"$T/long"
	check_bad "$T/long" "long:2:4097: line too long (more than 4096 octets)"
	printf 'ns 192.0.2.1\nwww 192.0.2.1 state=sideways\n' >"$T/state"
	check_bad "$T/state" "state:2:21: bad state 'sideways'"
	printf 'ns 192.0.2.1\nx.example.org. 192.0.2.1\n' >"$T/outside"
	check_bad "$T/outside" "outside:2: name 'x.example.org.' is outside the zone example.com."
	printf 'ns 192.0.2.1\nwww 192.0.2.1 weight=1\nwww 192.0.2.1 weight=2\n' >"$T/conflict"
	check_bad "$T/conflict" "conflict:3: www.example.com. 192.0.2.1 is also at"
	check_bad "$T/missing" "missing"
}

@test "gen: attributes lbdns-serve would refuse are refused at their line" {
	printf 'ns 192.0.2.1\nwww 192.0.2.1 region=eu/west\nx 192.0.2.1 count=1\nx 192.0.2.2 count=2\ny 192.0.2.3 alldown=2001:db8::1\n' >"$T/pol"
	run --separate-stderr lbdns-zone gen --origin example.com "$T/pol"
	assert_failure 2
	assert_output ''
	[[ $stderr == *"pol:2: region:"* ]]
	[[ $stderr == *"pol:4: conflicting count"* ]]
	[[ $stderr == *"pol:5: alldown:"* ]]
	# the RRset keys themselves pass through
	printf 'ns 192.0.2.1\nx 192.0.2.1 count=1 sticky=24\nx 192.0.2.2 count=1 alldown=closed\n' >"$T/ok"
	run --separate-stderr lbdns-zone gen --origin example.com "$T/ok"
	assert_success
	assert_line --regexp '^x +30 +IN A +192\.0\.2\.1 ; lbdns: count=1 sticky=24$'
}

@test "gen: --max-hosts: a longer list is refused at the line past the limit, no output" {
	printf 'ns 192.0.2.1\nwww 192.0.2.2\n# c\n192.0.2.3 a b\n' >"$T/four"
	run --separate-stderr lbdns-zone gen --origin example.com --max-hosts 4 "$T/four"
	assert_success
	assert_line --regexp '^b +3600 +IN A +192\.0\.2\.3$'
	# an /etc/hosts line counts one host per name: b is the fifth
	run --separate-stderr lbdns-zone gen --origin example.com --max-hosts 3 -o "$T/out" "$T/four"
	assert_failure 2
	assert_output ''
	[ ! -e "$T/out" ]
	[[ $stderr == *"four:4: too many hosts: more than 3 in one list (--max-hosts)"* ]]
	# the limit is per list: two lists of two pass with a limit of 2
	printf 'ns 192.0.2.1\nwww 192.0.2.2\n' >"$T/a"
	printf 'x 192.0.2.3\ny 192.0.2.4\n' >"$T/b"
	run --separate-stderr lbdns-zone gen --origin example.com --max-hosts 2 "$T/a" "$T/b"
	assert_success
	run --separate-stderr lbdns-zone gen --origin example.com --max-hosts 0 "$T/a"
	assert_failure 2
	run --separate-stderr lbdns-zone gen --origin example.com --max-hosts lots "$T/a"
	assert_failure 2
	[[ $stderr == *"--max-hosts"* ]]
}

@test "gen --stream --max-hosts: a frame past the limit is skipped, the next one served" {
	printf 'ns 192.0.2.1\nwww 192.0.2.2\n.\nns 192.0.2.1\na 192.0.2.3\nb 192.0.2.4\n.\nns 192.0.2.1\nwww 192.0.2.9\n.\n' >"$T/frames"
	run --separate-stderr lbdns-zone gen --stream --origin example.com --serial 100 \
		--max-hosts 2 "$T/frames"
	assert_failure 1
	[[ $stderr == *"frames:6: too many hosts: more than 2 in one frame (--max-hosts) (frame skipped)"* ]]
	echo "$output" | awk '$4 == "SOA" { print $7 }' | tr '\n' ' ' | grep -qx '100 100 101 101 '
	assert_line --regexp '^www\.example\.com\.	3600	IN	A	192\.0\.2\.9$'
	refute_line --partial '192.0.2.3'
}

@test "gen: -o writes the file atomically; a failed run leaves it untouched" {
	lbdns-zone gen --origin example.com -o "$T/out.zone" "$H/basic.hosts"
	named-checkzone -i local example.com "$T/out.zone"
	cp "$T/out.zone" "$T/before"
	run --separate-stderr lbdns-zone gen --origin example.com -o "$T/out.zone" "$H/bad-weight.hosts"
	assert_failure 2
	cmp "$T/before" "$T/out.zone"
	# no temporary file left behind
	[ "$(ls "$T" | grep -c 'out.zone.tmp')" -eq 0 ]
}

@test "gen: several lists and standard input" {
	printf 'extra 192.0.2.99\n' >"$T/more"
	run --separate-stderr lbdns-zone gen --origin example.com "$H/basic.hosts" "$T/more"
	assert_success
	assert_line --regexp '^extra +3600 +IN A +192\.0\.2\.99$'
	run --separate-stderr lbdns-zone gen --origin example.com <"$H/basic.hosts"
	assert_success
	assert_line --regexp '^www +30 +IN A +192\.0\.2\.11'
	run --separate-stderr lbdns-zone gen --origin example.com <"$H/bad-address.hosts"
	assert_failure 2
	[[ $stderr == *"(stdin):3:5: bad address"* ]]
}

@test "gen --reverse: PTR zones per /24 and /64 that BIND and Knot accept" {
	run --separate-stderr lbdns-zone gen --origin example.com --reverse "$T/rev" "$H/basic.hosts"
	assert_success
	[ -f "$T/rev/2.0.192.in-addr.arpa.zone" ]
	[ -f "$T/rev/100.51.198.in-addr.arpa.zone" ]
	[ -f "$T/rev/0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.zone" ]
	for f in "$T"/rev/*.zone; do
		z=$(basename "$f" .zone)
		accepted "$z" "$f"
	done
	run records 2.0.192.in-addr.arpa "$T/rev/2.0.192.in-addr.arpa.zone"
	assert_line '10.2.0.192.in-addr.arpa. PTR www.example.com.'
	assert_line '80.2.0.192.in-addr.arpa. PTR example.com.'
	run records 0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa "$T/rev/0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.zone"
	assert_line '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR www.example.com.'
	# the SOA serial is the forward zone's
	s=$(lbdns-zone gen --origin example.com --serial 77 --reverse "$T/rev2" "$H/basic.hosts" |
		awk '$4 == "SOA" { print $7 }')
	grep -q "SOA .* 77 " "$T/rev2/2.0.192.in-addr.arpa.zone"
	[ "$s" = 77 ]
}

@test "gen --reverse: the first name of an address wins; prefixes are configurable" {
	run --separate-stderr lbdns-zone gen --origin example.com --reverse "$T/rev" \
		--reverse-prefix4 16 --reverse-prefix6 32 "$H/etc-hosts"
	assert_success
	run records 0.192.in-addr.arpa "$T/rev/0.192.in-addr.arpa.zone"
	assert_line '20.2.0.192.in-addr.arpa. PTR printer.example.com.'
	assert_line '21.2.0.192.in-addr.arpa. PTR files.example.com.'
	refute_line --partial 'PTR lp.'
	[ -f "$T/rev/8.b.d.0.1.0.0.2.ip6.arpa.zone" ]
	run --separate-stderr lbdns-zone gen --origin example.com --reverse "$T/rev" --reverse-prefix4 20 "$H/etc-hosts"
	assert_failure 2
}

@test "gen --stream: one AXFR-framed version per frame, serial rising, bad frame skipped" {
	run --separate-stderr lbdns-zone gen --stream --origin example.com --ns ns.example.net. \
		--serial 100 "$H/stream.hosts"
	assert_failure 1
	[[ $stderr == *"stream.hosts:7:5: bad address '192.0.2.311' (frame skipped)"* ]]
	# two versions: SOA, records, SOA each, absolute names
	[ "$(echo "$output" | grep -c 'IN	SOA')" -eq 4 ]
	echo "$output" | awk '$4 == "SOA" { print $7 }' | tr '\n' ' ' | grep -qx '100 100 101 101 '
	assert_line "www.example.com.	30	IN	A	192.0.2.11 ; lbdns: weight=1 state=down"
	# each version alone (without its closing SOA) is a valid zone
	echo "$output" | sed -n '1,4p' >"$T/v1"
	accepted example.com "$T/v1"
	[ "$(sed -n 5p <<<"$output")" = "$(sed -n 1p <<<"$output")" ]
}

@test "gen --stream: versions are flushed as frames arrive" {
	mkfifo "$T/in"
	start_daemon gen lbdns-zone gen --stream --origin example.com --ns ns.example.net. "$T/in"
	# fd 5: bats itself uses 3; the writer stays open, so only the
	# flush after each frame can make the versions appear
	exec 5>"$T/in"
	printf 'www 192.0.2.1\n.\n' >&5
	soa_lines() { [ "$(grep -c SOA "$T/gen.log")" -eq "$1" ]; }
	wait_for soa_lines 2
	printf 'www 192.0.2.2\n.\n' >&5
	wait_for soa_lines 4
	exec 5>&-
	grep -q '192.0.2.2' "$T/gen.log"
}

@test "gen: usage errors exit 2" {
	run --separate-stderr lbdns-zone gen "$H/basic.hosts"
	assert_failure 2
	[[ $stderr == *"--origin is required"* ]]
	run --separate-stderr lbdns-zone gen --origin example.com --ttl -5 "$H/basic.hosts"
	assert_failure 2
	run --separate-stderr lbdns-zone gen --origin example.com --serial sometimes "$H/basic.hosts"
	assert_failure 2
	run --separate-stderr lbdns-zone gen --origin example.com --serial increment "$H/basic.hosts"
	assert_failure 2
	[[ $stderr == *"--serial increment needs --previous FILE"* ]]
	run --separate-stderr lbdns-zone gen --origin example.com --stream -o x "$H/basic.hosts"
	assert_failure 2
	run --separate-stderr lbdns-zone gen --origin 'bad..name' "$H/basic.hosts"
	assert_failure 2
	run --separate-stderr lbdns-zone gen --bogus
	assert_failure 2
}

@test "gen: the files in examples/ make valid zones" {
	for f in hosts.txt etc-hosts; do
		run --separate-stderr lbdns-zone gen --origin example.com --ns ns.example.net. "$LBDNS_ROOT/examples/$f"
		assert_success
		echo "$output" >"$T/z"
		accepted example.com "$T/z"
	done
	assert_line --regexp '^www +3600 +IN A +192\.0\.2\.11$'
	assert_line --regexp '^smtp +3600 +IN A +192\.0\.2\.25$'
}
