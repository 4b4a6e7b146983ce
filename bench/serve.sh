#!/usr/bin/env bash
# bench/serve.sh: queries per second, latency and server CPU per query of
# lbdns-serve beside NSD and Knot serving the same zone, plus a bare
# responder (no lookup at all) as the ceiling of the machine's network
# stack.
#
# The zone (bench.test., 10,000 names): 1,000 balanced pools of 4 A
# records (`; lbdns: weight=N region=eu|us`), 6,000 single A hosts,
# 1,000 AAAA, 1,000 CNAMEs to hosts, 1,000 names with two A records.
# Query kinds (KINDS=...):
#   plain     A of the single-address hosts, UDP
#   balanced  A of the pools, UDP
#   ecs       the pools with an EDNS Client Subnet option 10.1.2.0/24
#             (lbdns-serve maps it to region eu with --regions; NSD and
#             Knot without a geo module ignore the option)
#   nxdomain  names that do not exist, UDP
#   tcp       plain names over TCP, dnsperf -m tcp with 10 connections
#   deep      plain names with DEEP_WINDOW (1,000) queries outstanding
#   latency   plain names at a fixed LAT_QPS (10,000) queries per second
#   dnsperf   plain names over UDP from dnsperf instead of blast
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
KINDS=${KINDS:-plain balanced ecs nxdomain tcp deep latency dnsperf}
DEEP_WINDOW=${DEEP_WINDOW:-1000}
LAT_QPS=${LAT_QPS:-10000}
SERVERS=${SERVERS:-lbdns nsd knot bare}
BASE=${BASE_PORT:-5310}
need_build
d=$OUT/serve
origin=bench.test.

serve_zone "$d"
zone=$d/zone
raw=$OUT/serve-raw.txt
: >"$raw"

# start everything once; ports BASE+0.. for lbdns, nsd, knot, bare
declare -A PORT PID
PORT[lbdns]=$BASE PORT[nsd]=$((BASE + 1)) PORT[knot]=$((BASE + 2)) PORT[bare]=$((BASE + 3))
# lbdns-serve runs from a copy: a rebuild during the run (make in the same
# tree) would otherwise leave perf without the symbols of the binary it
# sampled.
cp "$BIN/lbdns-serve" "$TMP/lbdns-serve"
for s in $SERVERS; do
	case $s in
	lbdns) start_bg lbdns "$SERVER_CORE" "$TMP/lbdns-serve" -t 1 -l "127.0.0.1:${PORT[lbdns]}" \
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
	deep)
		# many more queries in flight: what a burst does to socket buffers
		line=$(taskset -c "$CLIENT_CORE" "$OUT/blast" -s 127.0.0.1 -p "$port" -d "$d/plain.q" \
			-l "$DUR" -q "$DEEP_WINDOW" | tail -1) ;;
	latency)
		# a fixed, moderate rate: the latency of one query, not of a queue
		line=$(taskset -c "$CLIENT_CORE" "$OUT/blast" -s 127.0.0.1 -p "$port" -d "$d/plain.q" \
			-l "$DUR" -q "$WINDOW" -Q "$LAT_QPS" | tail -1) ;;
	ecs)
		# family 1, source /24, scope 0, 10.1.2
		line=$(taskset -c "$CLIENT_CORE" "$OUT/blast" -s 127.0.0.1 -p "$port" -d "$d/balanced.q" \
			-l "$DUR" -q "$WINDOW" -E 8:000118000a0102 | tail -1) ;;
	dnsperf)
		# the same as plain, from the usual tool, as a cross-check of blast
		line=$(taskset -c "$CLIENT_CORE" dnsperf -s 127.0.0.1 -p "$port" -d "$d/plain.q" \
			-l "$DUR" -q "$WINDOW" 2>&1 | awk '
			/Queries completed:/ { a = $3 } /Queries lost:/ { l = $3 }
			/Queries per second:/ { q = $4 }
			/Average Latency/ { m = $4 * 1e6 }
			END { printf "answered=%s lost=%s qps=%s mean_us=%.1f p99_us=-\n", a, l, q, m }') ;;
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
			case $s:$k in bare:plain | bare:deep | bare:latency | bare:dnsperf) ;; bare:*) continue ;; esac
			one "$s" "$k"
		done
	done
done

# memory of each server after the runs: RSS of the largest process, PSS of all
mem_line=""
for s in $SERVERS; do
	big=0 pss=0
	for p in $(descendants "${PID[$s]}"); do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
		[ "${v:-0}" -gt "$big" ] && big=${v:-0}
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		pss=$((pss + ${v:-0}))
	done
	mem_line="$mem_line$s $(awk -v r="$big" -v p="$pss" 'BEGIN { printf "%.1f / %.1f", r / 1024, p / 1024 }') MiB; "
done

# profile: one extra plain run of lbdns-serve under perf (not counted)
profile() {
	local port=${PORT[lbdns]} bl
	taskset -c "$CLIENT_CORE" "$OUT/blast" -s 127.0.0.1 -p "$port" -d "$d/plain.q" \
		-l "$DUR" -q "$WINDOW" >/dev/null &
	bl=$!
	BENCH_PIDS+=("$bl")
	sleep 0.5
	perf record -q -o "$TMP/perf.data" -p "${PID[lbdns]}" -- sleep "$(awk -v d="$DUR" 'BEGIN { print (d > 2 ? d - 1 : 1) }')" \
		>/dev/null 2>&1 || true
	wait "$bl" || true
	[ -s "$TMP/perf.data" ] || return 0
	perf report -i "$TMP/perf.data" --no-children --sort dso --stdio 2>/dev/null |
		awk '/%/ && $2 != "" { printf "%s %s; ", $1, $2 }' >"$TMP/prof.dso"
	perf report -i "$TMP/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null |
		awk '/%/ && n < 12 { n++; printf "| %s | %s |\n", $1, $3 }' >"$TMP/prof.sym"
}
if [ "${PROFILE:-1}" = 1 ] && command -v perf >/dev/null && [[ " $SERVERS " == *" lbdns "* ]]; then
	profile
fi

# --- report -------------------------------------------------------------
# col SERVER KIND FIELD: the values of FIELD over the runs
col() {
	awk -v s="$1" -v k="$2" -v f="$3" '$1 == s && $2 == k {
		for (i = 3; i <= NF; i++) { split($i, kvp, "="); if (kvp[1] == f) print kvp[2] } }' "$raw"
}
med() { median_range $(col "$1" "$2" "$3") | cut -d' ' -f1; }
# wrong SERVER KIND: answers with another rcode than expected, all runs
wrong() {
	local want=noerror
	[ "$2" = nxdomain ] && want=nxdomain
	awk -v s="$1" -v k="$2" -v want="$want" '$1 == s && $2 == k { delete v
		for (i = 3; i <= NF; i++) { split($i, kvp, "="); v[kvp[1]] = kvp[2] }
		if (!(want in v)) { na = 1; next }
		bad += v["answered"] - v[want] } END { print (na ? "-" : bad + 0) }' "$raw"
}

echo "## serve"
echo
echo "\`DUR=$DUR RUNS=$RUNS bench/serve.sh\`: one worker per server on core $SERVER_CORE, load"
echo "generator on core $CLIENT_CORE; UDP load from \`build/bench/blast\` (bench/blast.c,"
echo "$WINDOW queries outstanding, sendmmsg/recvmmsg); TCP load from"
echo "\`dnsperf -m tcp -c 10 -q $WINDOW\`; the \`dnsperf\` rows are plain names over UDP"
echo "from \`dnsperf -q $WINDOW\`, a cross-check of blast. Zone: 10,000 names, 14,003"
echo "records (\`build/bench/serve/zone\`, made by \`zone_text\` in bench/lib.sh)."
echo "Each cell: median (min–max) of $RUNS runs of $DUR s. CPU µs/query: the"
echo "server's utime+stime (/proc/PID/stat, all threads and child processes)"
echo "divided by the queries answered. Latency is at full load (queueing"
echo "included): mean and 99th percentile in µs (p99 not available from dnsperf);"
echo "the \`deep\` rows keep $DEEP_WINDOW queries outstanding instead of $WINDOW (a burst: lost"
echo "queries there are datagrams dropped when the server's socket buffer overflowed);"
echo "the \`latency\` row sends plain names at a fixed $LAT_QPS qps instead, so its"
echo "latency is that of one query. Server busy: CPU time / wall time of the run;"
echo "below ~95% the server was not the bottleneck (the load generator or the"
echo "machine was)."
echo
echo "| kind | server | qps | mean µs | p99 µs | CPU µs/query | server busy % | lost | wrong rcode |"
echo "|---|---|---|---|---|---|---|---|---|"
for k in $KINDS; do
	for s in $SERVERS; do
		[ -n "$(col "$s" "$k" qps)" ] || continue
		echo "| $k | $s | $(fmt_mr %.0f $(col "$s" "$k" qps)) | $(fmt_mr %.0f $(col "$s" "$k" mean_us)) |" \
			"$(case $k in tcp | dnsperf) echo - ;; *) fmt_mr %.0f $(col "$s" "$k" p99_us) ;; esac) |" \
			"$(fmt_mr %.2f $(col "$s" "$k" cpu_us)) | $(med "$s" "$k" busy) | $(med "$s" "$k" lost) | $(wrong "$s" "$k") |"
	done
done
echo
echo "Memory after the runs, RSS of the largest process / PSS of all processes:"
echo "${mem_line%; }."
echo
if [ -s "$TMP/prof.sym" ]; then
	echo "Profile of lbdns-serve on plain names (\`perf record -p PID\` during an extra"
	echo "$DUR s run, not counted above). Time by object: $(cat "$TMP/prof.dso")top symbols:"
	echo
	echo "| share | symbol |"
	echo "|---|---|"
	cat "$TMP/prof.sym"
	echo
fi
echo "Ratios of medians (lbdns-serve / peer; qps: higher is better for lbdns, CPU: lower is):"
echo
echo "| kind | qps / NSD | qps / Knot | qps / best peer | CPU / best peer | qps / bare | bare CPU / lbdns CPU |"
echo "|---|---|---|---|---|---|---|"
for k in $KINDS; do
	[ "$k" = latency ] && continue
	l=$(med lbdns "$k" qps); n=$(med nsd "$k" qps); kn=$(med knot "$k" qps)
	lc=$(med lbdns "$k" cpu_us); nc=$(med nsd "$k" cpu_us); kc=$(med knot "$k" cpu_us)
	best=$(awk -v a="${n:-0}" -v b="${kn:-0}" 'BEGIN { print (a > b ? a : b) }')
	bestc=$(awk -v a="${nc:-0}" -v b="${kc:-0}" 'BEGIN { if (a == 0) print b; else if (b == 0) print a; else print (a < b ? a : b) }')
	b=$(med bare "$k" qps)
	[ -n "$b" ] || b=$(med bare plain qps)
	bc=$(med bare "$k" cpu_us)
	[ -n "$bc" ] || bc=$(med bare plain cpu_us)
	echo "| $k | $(ratio "${l:-0}" "${n:-0}") | $(ratio "${l:-0}" "${kn:-0}") | $(ratio "${l:-0}" "$best") |" \
		"$(ratio "${lc:-0}" "$bestc") | $(if [ "$k" = tcp ]; then echo "- | -"; else echo "$(ratio "${l:-0}" "${b:-0}") | $(ratio "${bc:-0}" "${lc:-0}")"; fi) |"
done
echo
