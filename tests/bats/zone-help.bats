#!/usr/bin/env bats
# lbdns-zone: help, version, usage that matches the man page SYNOPSIS.

load helpers
bats_require_minimum_version 1.5.0

setup() { _common_setup; }
teardown() { _common_teardown; }

VERBS="gen check fmt add del set serial diff patch"

# The SYNOPSIS of lbdns-zone(1) as man renders it, one line.
synopsis() {
	MANWIDTH=200 man -l "$LBDNS_ROOT/man/lbdns-zone.1" 2>/dev/null | col -b |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | tr -s ' \n' ' '
}

@test "--version prints the version" {
	run --separate-stderr lbdns-zone --version
	assert_success
	assert_output --regexp '^lbdns-zone [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "-h lists every verb's usage, --help also what they do" {
	run --separate-stderr lbdns-zone -h
	assert_success
	for v in $VERBS; do assert_line --regexp "^ *(usage: )?lbdns-zone $v "; done
	run --separate-stderr lbdns-zone --help
	assert_success
	assert_output --partial 'Exit status: 0 ok'
	for v in $VERBS; do assert_line --regexp "^  $v +[a-z]"; done
}

@test "every verb has -h, --help and 'help VERB'" {
	for v in $VERBS; do
		run --separate-stderr lbdns-zone "$v" -h
		[ "$status" -eq 0 ] || { echo "$v -h: $status"; return 1; }
		[[ ${lines[0]} == "usage: lbdns-zone $v "* ]] || { echo "$v: ${lines[0]}"; return 1; }
		run --separate-stderr lbdns-zone "$v" --help
		[ "$status" -eq 0 ] && [[ $output == *"--origin NAME"* ]] || { echo "$v --help"; return 1; }
		run --separate-stderr lbdns-zone help "$v"
		[ "$status" -eq 0 ] || return 1
	done
}

@test "usage options match the man page SYNOPSIS" {
	syn=$(synopsis)
	[ -n "$syn" ] || skip "man cannot render"
	for v in $VERBS; do
		[[ $syn == *"lbdns-zone $v "* ]] || { echo "no $v in SYNOPSIS"; return 1; }
		for opt in $(lbdns-zone "$v" -h | grep -o -- '-[-a-z0-9]*' | sort -u); do
			[ "$opt" = "-" ] && continue
			[[ $syn == *"$opt"* ]] || { echo "$v: $opt not in SYNOPSIS"; return 1; }
		done
	done
	# and the other way round: the SYNOPSIS has no option usage lacks
	all=$(lbdns-zone -h)
	for opt in $(grep -o -- ' -[-a-z0-9]*' <<<"$syn" | sort -u); do
		[[ $all == *"$opt"* ]] || { echo "$opt only in the man page"; return 1; }
	done
}

@test "unknown verbs and options, missing arguments: exit 2 with usage" {
	run --separate-stderr lbdns-zone frobnicate
	assert_failure 2
	[[ $stderr == *"unknown verb 'frobnicate'"* ]]
	run --separate-stderr lbdns-zone
	assert_failure 2
	[[ $stderr == *"usage:"* ]]
	for v in $VERBS; do
		run --separate-stderr lbdns-zone "$v" --no-such-option x y
		[ "$status" -eq 2 ] || { echo "$v: $status"; return 1; }
		[[ $stderr == *"lbdns-zone $v: unrecognized option"* ]] || { echo "$v: $stderr"; return 1; }
	done
}
