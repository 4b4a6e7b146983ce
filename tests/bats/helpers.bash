# helpers.bash: shared setup for the bats suites.
#
# Every test file gets its own loopback network 127.N.M.0/24 (N from the
# file's place in the suite, M from the test number), so files and tests never collide on
# an address and can use fixed ports. Daemons started with start_daemon
# are remembered by PID and stopped in teardown, also when a test fails.

# The second octet of this file's loopback network: 20 plus the file's
# place among the suite's files, so no two files ever share a network.
_file_octet() {
	local i=0 f
	for f in "$BATS_TEST_DIRNAME"/*.bats; do
		[ "$f" -ef "$BATS_TEST_FILENAME" ] && break
		i=$((i + 1))
	done
	echo $((20 + i))
}

_common_setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
	: "${LBDNS_ROOT:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
	: "${LBDNS_BUILD:=$LBDNS_ROOT/build}"
	export LBDNS_ROOT LBDNS_BUILD
	PATH="$LBDNS_BUILD:$PATH"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
	LB_NET="127.$(_file_octet).$((BATS_TEST_NUMBER % 250 + 1))"
	LB_IP="$LB_NET.1"          # the address of the server under test
	LB_PORT=5300
	LB_PIDFILE="$BATS_TEST_TMPDIR/pids"
	DATA="$LBDNS_ROOT/tests/data"
	CONFORMANCE="$LBDNS_ROOT/../shared/conformance/zones"
	export LB_NET LB_IP LB_PORT LB_PIDFILE DATA CONFORMANCE
	: >"$LB_PIDFILE"
}

_common_teardown() {
	stop_daemons
}

# start_daemon NAME CMD...: run CMD in the background, output in
# $BATS_TEST_TMPDIR/NAME.log, PID remembered (and in $NAME_pid).
start_daemon() {
	local name=$1; shift
	"$@" >"$BATS_TEST_TMPDIR/$name.log" 2>&1 &
	local pid=$!
	echo "$pid" >>"$LB_PIDFILE"
	printf -v "${name//-/_}_pid" '%s' "$pid"
}

# stop_daemons: TERM every remembered process, KILL what is left after 2 s.
stop_daemons() {
	[ -f "${LB_PIDFILE:-}" ] || return 0
	local pid
	while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done <"$LB_PIDFILE"
	for _ in $(seq 20); do
		local alive=0
		while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$LB_PIDFILE"
		[ "$alive" -eq 0 ] && break
		sleep 0.1
	done
	while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$LB_PIDFILE"
	: >"$LB_PIDFILE"
}

# wait_for [-t SECONDS] CMD...: retry CMD every 0.05 s until it succeeds.
wait_for() {
	local limit=10
	if [ "$1" = -t ]; then limit=$2; shift 2; fi
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || { echo "wait_for timed out: $*" >&2; return 1; }
		sleep 0.05
	done
}

# wait_for_dns ADDR PORT: until a server answers there (any rcode).
wait_for_dns() {
	wait_for dig +tries=1 +time=1 -p "$2" @"$1" . SOA
}

# lbdig ARGS...: dig against the server under test, short output.
lbdig() {
	dig +tries=1 +time=2 -p "$LB_PORT" @"$LB_IP" "$@"
}

# requires WHAT...: skip when a capability is missing; unknown names fail.
requires() {
	local r
	for r in "$@"; do
		case $r in
		root) [ "$(id -u)" -eq 0 ] || skip "needs root" ;;
		netns) unshare -n true 2>/dev/null || skip "needs network namespaces" ;;
		cmd:*) command -v "${r#cmd:}" >/dev/null || skip "needs ${r#cmd:}" ;;
		*) fail "BUG: unknown requirement $r" ;;
		esac
	done
}

# run_tool TOOL ARGS...: bats `run`, then show the command and its result
# on stderr so a failing test explains itself.
run_tool() {
	run "$@"
	echo "$* (status=$status):" >&2
	echo "$output" >&2
}

# For files that share costly daemons across their tests: call from
# setup_file/teardown_file. The file's network is 127.N.250.0/24.
_file_setup() {
	LB_FILE_NET="127.$(_file_octet).250"
	: "${LBDNS_ROOT:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
	: "${LBDNS_BUILD:=$LBDNS_ROOT/build}"
	export LB_FILE_NET LBDNS_ROOT LBDNS_BUILD
	PATH="$LBDNS_BUILD:$PATH"
	LB_FILE_PIDS="$BATS_FILE_TMPDIR/pids"
	export LB_FILE_PIDS
	: >"$LB_FILE_PIDS"
}

# start_file_daemon NAME CMD...: like start_daemon, for the whole file.
start_file_daemon() {
	local name=$1; shift
	"$@" >"$BATS_FILE_TMPDIR/$name.log" 2>&1 &
	echo "$!" >>"$LB_FILE_PIDS"
}

_file_teardown() {
	LB_PIDFILE=$LB_FILE_PIDS stop_daemons
}

# dig_norm [--do]: dig-like text on stdin -> "=status RCODE [aa] [tc]
# [do]" and sorted "SEC owner ttl class type rdata" lines, RDATA without
# blanks (printers split long hex differently), lowercased; --do also
# keeps the DO flag of the reply's OPT.
dig_norm() {
	awk -v want_do="$([ "${1:-}" = --do ] && echo 1)" '
	/status:/ { match($0, /status: [A-Z0-9]+/); st = substr($0, RSTART + 8, RLENGTH - 8) }
	/^;; flags:/ {
		f = $0; sub(/^;; flags:/, "", f); sub(/;.*/, "", f)
		fl = ""; n = split(f, a, " ")
		for (i = 1; i <= n; i++) if (a[i] == "aa" || a[i] == "tc") fl = fl " " a[i]
	}
	/^; EDNS:/ { if (want_do && $0 ~ /flags: do/) fl = fl " do" }
	/^;; ANSWER SECTION/ { sec = "AN"; next }
	/^;; AUTHORITY SECTION/ { sec = "NS"; next }
	/^;; ADDITIONAL SECTION/ { sec = "AR"; next }
	/^$/ { sec = ""; next }
	/^;/ { next }
	sec != "" {
		rd = ""; for (i = 5; i <= NF; i++) rd = rd $i
		print sec, tolower($1), $2, $3, $4, tolower(rd)
	}
	END { print "=status", st fl }' | sort
}

# nsd_server_conf DIR [NAME=SECRET...]: the server part of an NSD
# secondary's config on $LB_NET.3:$LB_PORT, everything in DIR, with an
# hmac-sha256 TSIG key per NAME=SECRET; tests append the zone
# (serve-xfr.bats, serve-hardening.bats).
nsd_server_conf() {
	local d=$1 k
	shift
	for k in "$@"; do
		cat <<-EOF
		key:
		    name: ${k%%=*}
		    algorithm: hmac-sha256
		    secret: "${k#*=}"
		EOF
	done
	cat <<-EOF
	server:
	    ip-address: $LB_NET.3@$LB_PORT
	    zonesdir: "$d"
	    database: ""
	    pidfile: "$d/nsd.pid"
	    xfrdfile: "$d/xfrd.state"
	    zonelistfile: "$d/zone.list"
	    xfrdir: "$d"
	    username: ""
	    chroot: ""
	    server-count: 1
	    verbosity: 2
	remote-control:
	    control-enable: no
	EOF
}
