# bench/lib.sh: helpers shared by the benchmark scripts in bench/.
# Source it from bash after `set -eu`:  . "$(dirname "$0")/lib.sh"
#
# Conventions: every server runs pinned to core $SERVER_CORE (1), every
# load generator to core $CLIENT_CORE (0); only loopback addresses; every
# process started here is remembered by PID and stopped at exit, on error
# and on Ctrl-C (bench_cleanup).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
BIN=$root/$BUILD
OUT=$root/$BUILD/bench		# generated inputs and helper binaries
SERVER_CORE=${SERVER_CORE:-1}
CLIENT_CORE=${CLIENT_CORE:-0}
RUNS=${RUNS:-3}
mkdir -p "$OUT"
# the script itself, dig, reload commands: on the load generator's core
taskset -pc "$CLIENT_CORE" $$ >/dev/null
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lbdns-bench.XXXXXX")
BENCH_PIDS=()

# bench_cleanup: stop every process we started, remove the scratch dir
bench_cleanup() {
	local p
	for p in "${BENCH_PIDS[@]}"; do stop_pid "$p"; done
	rm -rf "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# stop_pid PID: TERM, then KILL after 3 s; reaps it if it is our child
stop_pid() {
	local p=$1 i
	kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p" 2>/dev/null || true
	for i in $(seq 30); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

# forget_pid PID: stop it now and drop it from the list
forget_pid() {
	local p=$1 q keep=()
	stop_pid "$p"
	for q in "${BENCH_PIDS[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
	BENCH_PIDS=("${keep[@]}")
}

# start_bg NAME CORE CMD...: run CMD pinned to CORE in the background,
# output in $TMP/NAME.log; sets BG_PID
start_bg() {
	local name=$1 core=$2
	shift 2
	taskset -c "$core" "$@" >"$TMP/$name.log" 2>&1 &
	BG_PID=$!
	BENCH_PIDS+=("$BG_PID")
}

# wait_dns ADDR PORT [NAME [TYPE]]: poll with dig until the server answers
# there (any rcode), at most 60 s; fails otherwise
wait_dns() {
	local a=$1 p=$2 n=${3:-.} t=${4:-SOA} i
	for i in $(seq 600); do
		dig +tries=1 +time=1 -p "$p" @"$a" "$n" "$t" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "bench: no DNS answer from $a port $p" >&2
	return 1
}

# descendants PID: PID and all its descendants (NSD forks its workers)
descendants() {
	local p=$1 c
	echo "$p"
	for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do descendants "$c"; done
}

# cpu_ticks PID: user+system clock ticks of PID and its descendants,
# all threads (from /proc/PID/stat fields 14 and 15)
cpu_ticks() {
	local p sum=0 f
	for p in $(descendants "$1"); do
		f=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		f=${f##*) }
		set -- $f
		sum=$((sum + ${12} + ${13}))
	done
	echo "$sum"
}
CLK_TCK=$(getconf CLK_TCK)

# rss_kib PID: resident set size of PID and its descendants in KiB
rss_kib() {
	local p sum=0 v
	for p in $(descendants "$1"); do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# median_range V1 V2 ...: "median min max" (any count of numbers)
median_range() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}

# fmt_mr FORMAT V1 V2 ...: "median (min–max)" with printf FORMAT
fmt_mr() {
	local f=$1
	shift
	median_range "$@" | awk -v f="$f" '{ printf f " (" f "–" f ")\n", $1, $2, $3 }'
}

# ratio A B [DIGITS]: A/B
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b + 0 == 0 || a + 0 == 0) print "-"; else printf "%.*f\n", d, a / b }'
}

# kv KEY LINE: the value of KEY=value in a blast summary line
kv() {
	tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'
}

# need_build: lbdns binaries and the C helpers of bench/
need_build() {
	local t
	for t in lbdns-serve lbdns-zone lbdns-trace; do
		[ -x "$BIN/$t" ] || { echo "bench: $BIN/$t missing: run make" >&2; exit 2; }
	done
	for t in blast bare-responder; do
		if [ ! -x "$OUT/$t" ] || [ "bench/$t.c" -nt "$OUT/$t" ]; then
			${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -o "$OUT/$t" "bench/$t.c"
		fi
	done
}

# nsd_start NAME PORT ORIGIN ZONEFILE: NSD with one server process on
# 127.0.0.1@PORT; sets BG_PID.  RRL off (its default 200 q/s per /24
# would turn a loopback benchmark into TC slips).
nsd_start() {
	local name=$1 port=$2 origin=$3 zone=$4 d=$TMP/$1
	mkdir -p "$d"
	cat >"$d/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$port
	server-count: 1
	do-ip6: no
	rrl-ratelimit: 0
	zonesdir: "$d"
	pidfile: "$d/nsd.pid"
	xfrdfile: "$d/xfrd.state"
	zonelistfile: "$d/zone.list"
	username: ""
	database: ""
	logfile: "$d/nsd.log"
	verbosity: 0
	tcp-count: 1000
remote-control:
	control-enable: yes
	control-interface: $d/nsd.sock
zone:
	name: "$origin"
	zonefile: "$zone"
EOF
	start_bg "$name" "$SERVER_CORE" nsd -d -c "$d/nsd.conf"
}

# knot_start NAME PORT ORIGIN ZONEFILE: knotd with one UDP, one TCP and
# one background worker on 127.0.0.1@PORT; sets BG_PID.  Control socket
# $TMP/NAME/knot.sock.
knot_start() {
	local name=$1 port=$2 origin=$3 zone=$4 d=$TMP/$1
	mkdir -p "$d/db"
	cat >"$d/knot.conf" <<EOF
server:
    rundir: "$d"
    listen: 127.0.0.1@$port
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$d/db"
control:
    listen: "$d/knot.sock"
log:
  - target: "$d/knot.log"
    any: warning
zone:
  - domain: "$origin"
    file: "$zone"
    journal-content: none
    zonefile-sync: -1
    zonefile-load: whole
    semantic-checks: off
EOF
	start_bg "$name" "$SERVER_CORE" knotd -c "$d/knot.conf"
}

# versions: one line per program, for RESULTS.md
versions() {
	echo "- lbdns-serve: $("$BIN/lbdns-serve" --version 2>&1 | head -1) (release build, $BUILD/)"
	echo "- NSD: $(nsd -v 2>&1 | head -1)"
	echo "- Knot: $(knotd -V 2>&1 | head -1)"
	echo "- dnsperf: $(dnsperf -h 2>&1 | awk '/^Version/ { print $2 }')"
	echo "- dig: $(dig -v 2>&1 | head -1); drill: $(drill -v 2>&1 | head -1)"
	echo "- kernel: $(uname -sr); cc: $(${CC:-cc} --version | head -1)"
}

# machine: CPU model, core count, memory
machine() {
	echo "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc --all) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
}

# zone_text SERIAL: the benchmark zone bench.test. (10,000 names) with
# that SOA serial; host1's address changes with the serial, so that
# versions differ.  1,000 pools of 4 A records with weights and regions,
# 6,000 single A, 1,000 AAAA, 1,000 CNAME to a host, 1,000 two-A RRsets.
zone_text() {
	awk -v serial="$1" 'BEGIN {
		print "$ORIGIN bench.test.\n$TTL 300"
		printf "@ IN SOA ns1 hostmaster %d 3600 600 86400 300\n", serial
		print "@ IN NS ns1"
		print "ns1 IN A 192.0.2.53"
		for (i = 0; i < 10000; i++) {
			k = i % 10
			a = sprintf("%d.%d", int(i / 256) % 256, i % 256)
			if (i == 1)
				a = sprintf("1.%d", serial % 256)
			if (k == 0)
				for (j = 1; j <= 4; j++)
					printf "pool%d 30 IN A 10.%d.%s ; lbdns: weight=%d region=%s\n",
						i, j, a, j, (j <= 2 ? "eu" : "us")
			else if (k <= 6)
				printf "host%d IN A 172.16.%s\n", i, a
			else if (k == 7)
				printf "v6-%d IN AAAA 2001:db8::%x\n", i, i + 1
			else if (k == 8)
				printf "alias%d IN CNAME host%d\n", i, i - 7
			else
				printf "rr%d IN A 172.17.%s\nrr%d IN A 172.18.%s\n", i, a, i, a
		}
	}'
}

# serve_zone DIR: DIR/zone (serial 1), the query files DIR/*.q (shuffled
# with fixed seeds) and the region map DIR/regions, made once
serve_zone() {
	local d=$1
	mkdir -p "$d"
	[ -s "$d/mixed.q" ] && return 0
	zone_text 1 >"$d/zone"
	seq 0 9999 | awk '$1 % 10 >= 1 && $1 % 10 <= 6 { print "host" $1 ".bench.test A" }' | shuffle 1 >"$d/plain.q"
	seq 0 9999 | awk '$1 % 10 == 0 { print "pool" $1 ".bench.test A" }' | shuffle 2 >"$d/balanced.q"
	seq 0 9999 | awk '{ print "nothere" $1 ".bench.test A" }' | shuffle 3 >"$d/nxdomain.q"
	seq 0 9999 | awk '{ k = $1 % 10
		if (k == 0) print "pool" $1 ".bench.test A"
		else if (k <= 6) print "host" $1 ".bench.test A"
		else if (k == 7) print "v6-" $1 ".bench.test AAAA"
		else if (k == 8) print "alias" $1 ".bench.test A"
		else print "rr" $1 ".bench.test A" }' | shuffle 4 >"$d/mixed.q"
	printf '10.0.0.0/8 eu\n192.168.0.0/16 us\n' >"$d/regions"
}

# shuffle SEED: lines of stdin in a fixed pseudo-random order
shuffle() {
	awk -v seed="$1" 'BEGIN { srand(seed) } { printf "%.8f %s\n", rand(), $0 }' | sort | cut -d' ' -f2-
}
