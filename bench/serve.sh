#!/usr/bin/env bash
# bench/serve.sh: queries per second, latency and server CPU per query of
# lbdns-serve beside NSD and Knot serving the same zone, plus a bare
# responder (no lookup at all) as the ceiling of the machine's network
# stack.
#
# The zone (bench.test., 10,000 names): 1,000 balanced pools of 4 A
# records (`; lbdns: weight=N region=eu|us`), 6,000 single A hosts,
# 1,000 AAAA, 1,000 CNAMEs to hosts, 1,000 names with two A records.
# Query kinds:
#   plain     A of the single-address hosts, UDP
#   balanced  A of the pools, UDP
#   ecs       the pools with an EDNS Client Subnet option 10.1.2.0/24
#             (lbdns-serve maps it to region eu with --regions; NSD and
#             Knot without a geo module ignore the option)
#   nxdomain  names that do not exist, UDP
#   tcp       plain names over TCP, dnsperf -m tcp with 10 connections
# Every server has one worker and runs on core 1; the load generator
# (bench/blast.c for UDP, dnsperf for TCP) on core 0.  Each measurement
# lasts DUR seconds (default 10); RUNS rounds (default 3), each round
# goes through every kind and server in turn so that noise from the
# machine spreads over all of them.
#
# Usage: bench/serve.sh            (DUR=5 RUNS=3 bench/serve.sh)
# Prints a Markdown section on stdout; raw lines in build/bench/serve-raw.txt.
set -eu
. "$(dirname "$0")/lib.sh"
DUR=${DUR:-10}
WINDOW=${WINDOW:-100}
KINDS=${KINDS:-plain balanced ecs nxdomain tcp latency}
LAT_QPS=${LAT_QPS:-10000}
SERVERS=${SERVERS:-lbdns nsd knot bare}
BASE=${BASE_PORT:-5310}
need_build
d=$OUT/serve
mkdir -p "$d"
origin=bench.test.

# the zone and the query files, generated once (deterministic)
if [ ! -s "$d/zone" ]; then
	awk -v o="$origin" 'BEGIN {
		printf "$ORIGIN %s\n$TTL 300\n", o
		print "@ IN SOA ns1 hostmaster 1 3600 600 86400 300"
		print "@ IN NS ns1"
		print "ns1 IN A 192.0.2.53"
		for (i = 0; i < 10000; i++) {
			k = i % 10
			a = sprintf("%d.%d", int(i / 256) % 256, i % 256)
			if (k == 0)
				for (j = 1; j <= 4; j++)
					printf "pool%d 30 IN A 10.%d.%s ; lbdns: weight=%d region=%s\n",
						i, j, a, j, j <= 2 ? "eu" : "us"
			else if (k <= 6)
				printf "host%d IN A 172.16.%s\n", i, a
			else if (k == 7)
				printf "v6-%d IN AAAA 2001:db8::%x\n", i, i + 1
			else if (k == 8)
				printf "alias%d IN CNAME host%d\n", i, i - 7
			else
				printf "rr%d IN A 172.17.%s\nrr%d IN A 172.18.%s\n", i, a, i, a
		}
	}' >"$d/zone"
	# query files: shuffled with a fixed seed
	q() { awk -v seed="$1" 'BEGIN { srand(seed) } { printf "%.8f %s\n", rand(), $0 }' | sort | cut -d' ' -f2-; }
	seq 0 9999 | awk '$1 % 10 >= 1 && $1 % 10 <= 6 { print "host" $1 ".bench.test A" }' | q 1 >"$d/plain.q"
	seq 0 9999 | awk '$1 % 10 == 0 { print "pool" $1 ".bench.test A" }' | q 2 >"$d/balanced.q"
	seq 0 9999 | awk '{ print "nothere" $1 ".bench.test A" }' | q 3 >"$d/nxdomain.q"
	printf '10.0.0.0/8 eu\n192.168.0.0/16 us\n' >"$d/regions"
fi
zone=$d/zone
raw=$OUT/serve-raw.txt
: >"$raw"

# start everything once; ports BASE+0.. for lbdns, nsd, knot, bare
declare -A PORT PID
PORT[lbdns]=$BASE PORT[nsd]=$((BASE + 1)) PORT[knot]=$((BASE + 2)) PORT[bare]=$((BASE + 3))
for s in $SERVERS; do
	case $s in
	lbdns) start_bg lbdns "$SERVER_CORE" "$BIN/lbdns-serve" -t 1 -l "127.0.0.1:${PORT[lbdns]}" \
		--regions "$d/regions" -z "$zone" ;;
	nsd) nsd_start nsd "${PORT[nsd]}" "$origin" "$zone" ;;
	knot) knot_start knot "${PORT[knot]}" "$origin" "$zone" ;;
	bare) start_bg bare "$SERVER_CORE" "$OUT/bare-responder" 127.0.0.1 "${PORT[bare]}" ;;
	esac
	PID[$s]=$BG_PID
done
for s in $SERVERS; do
	wait_dns 127.0.0.1 "${PORT[$s]}" host1.bench.test A
done

# one SERVER KIND: run one measurement, append a raw line
one() {
	local s=$1 k=$2 port=${PORT[$1]} t0 t1 line qps cpu busy
	t0=$(cpu_ticks "${PID[$s]}")
	case $k in
	plain | balanced | nxdomain)
		line=$(taskset -c "$CLIENT_CORE" "$OUT/blast" -s 127.0.0.1 -p "$port" -d "$d/$k.q" \
			-l "$DUR" -q "$WINDOW" | tail -1) ;;
	latency)
		# a fixed, moderate rate: the latency of one query, not of a queue
		line=$(taskset -c "$CLIENT_CORE" "$OUT/blast" -s 127.0.0.1 -p "$port" -d "$d/plain.q" \
			-l "$DUR" -q "$WINDOW" -Q "$LAT_QPS" | tail -1) ;;
	ecs)
		# family 1, source /24, scope 0, 10.1.2
		line=$(taskset -c "$CLIENT_CORE" "$OUT/blast" -s 127.0.0.1 -p "$port" -d "$d/balanced.q" \
			-l "$DUR" -q "$WINDOW" -E 8:000118000a0102 | tail -1) ;;
	tcp)
		line=$(taskset -c "$CLIENT_CORE" dnsperf -m tcp -s 127.0.0.1 -p "$port" -d "$d/plain.q" \
			-l "$DUR" -c 10 -q "$WINDOW" 2>&1 | awk '
			/Queries completed:/ { a = $3 } /Queries lost:/ { l = $3 }
			/Queries per second:/ { q = $4 }
			/Average Latency/ { m = $4 * 1e6 }
			END { printf "answered=%s lost=%s qps=%s mean_us=%.1f p99_us=-\n", a, l, q, m }') ;;
	esac
	t1=$(cpu_ticks "${PID[$s]}")
	qps=$(kv qps "$line")
	cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v n="$(kv answered "$line")" \
		'BEGIN { printf "%.2f", (n > 0 ? (b - a) / hz * 1e6 / n : 0) }')
	busy=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v d="$DUR" 'BEGIN { printf "%.0f", (b - a) / hz / d * 100 }')
	echo "$s $k $line cpu_us=$cpu busy=$busy" >>"$raw"
	echo "serve.sh: $s $k qps=$qps cpu_us/q=$cpu busy=$busy% p99=$(kv p99_us "$line")" >&2
}

for r in $(seq "$RUNS"); do
	for k in $KINDS; do
		for s in $SERVERS; do
			# the bare responder answers UDP only, and the same for any name
			case $s:$k in bare:plain | bare:latency) ;; bare:*) continue ;; esac
			one "$s" "$k"
		done
	done
done

# --- report -------------------------------------------------------------
# col SERVER KIND FIELD: the values of FIELD over the runs
col() {
	awk -v s="$1" -v k="$2" -v f="$3" '$1 == s && $2 == k {
		for (i = 3; i <= NF; i++) { split($i, kvp, "="); if (kvp[1] == f) print kvp[2] } }' "$raw"
}
med() { median_range $(col "$1" "$2" "$3") | cut -d' ' -f1; }

echo "## serve"
echo
echo "\`DUR=$DUR RUNS=$RUNS bench/serve.sh\`: one worker per server on core $SERVER_CORE, load"
echo "generator on core $CLIENT_CORE; UDP load from \`build/bench/blast\` (bench/blast.c,"
echo "$WINDOW queries outstanding, sendmmsg/recvmmsg); TCP load from"
echo "\`dnsperf -m tcp -c 10 -q $WINDOW\`. Zone: 10,000 names (\`build/bench/serve/zone\`)."
echo "Each cell: median (min–max) of $RUNS runs of $DUR s. CPU µs/query: the"
echo "server's utime+stime (/proc/PID/stat, all threads and child processes)"
echo "divided by the queries answered. Latency is at full load (queueing"
echo "included): mean and 99th percentile in µs (p99 not available from dnsperf);"
echo "the \`latency\` row sends plain names at a fixed $LAT_QPS qps instead, so its"
echo "latency is that of one query. Server busy: CPU time / wall time of the run;"
echo "below ~95% the server was not the bottleneck (the load generator or the"
echo "machine was)."
echo
echo "| kind | server | qps | mean µs | p99 µs | CPU µs/query | server busy % | lost |"
echo "|---|---|---|---|---|---|---|---|"
for k in $KINDS; do
	for s in $SERVERS; do
		[ -n "$(col "$s" "$k" qps)" ] || continue
		echo "| $k | $s | $(fmt_mr %.0f $(col "$s" "$k" qps)) | $(fmt_mr %.0f $(col "$s" "$k" mean_us)) |" \
			"$(if [ "$k" = tcp ]; then echo -; else fmt_mr %.0f $(col "$s" "$k" p99_us); fi) |" \
			"$(fmt_mr %.2f $(col "$s" "$k" cpu_us)) | $(med "$s" "$k" busy) | $(med "$s" "$k" lost) |"
	done
done
echo
echo "Ratios of medians (lbdns-serve / peer; qps: higher is better for lbdns, CPU: lower is):"
echo
echo "| kind | qps / NSD | qps / Knot | qps / best peer | CPU / best peer | qps / bare |"
echo "|---|---|---|---|---|---|"
for k in $KINDS; do
	[ "$k" = latency ] && continue
	l=$(med lbdns "$k" qps); n=$(med nsd "$k" qps); kn=$(med knot "$k" qps)
	lc=$(med lbdns "$k" cpu_us); nc=$(med nsd "$k" cpu_us); kc=$(med knot "$k" cpu_us)
	best=$(awk -v a="${n:-0}" -v b="${kn:-0}" 'BEGIN { print (a > b ? a : b) }')
	bestc=$(awk -v a="${nc:-0}" -v b="${kc:-0}" 'BEGIN { if (a == 0) print b; else if (b == 0) print a; else print (a < b ? a : b) }')
	b=$(med bare plain qps)
	echo "| $k | $(ratio "${l:-0}" "${n:-0}") | $(ratio "${l:-0}" "${kn:-0}") | $(ratio "${l:-0}" "$best") |" \
		"$(ratio "${lc:-0}" "$bestc") | $(if [ "$k" = tcp ]; then echo -; else ratio "${l:-0}" "${b:-0}"; fi) |"
done
echo
