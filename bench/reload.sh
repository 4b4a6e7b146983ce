#!/usr/bin/env bash
# bench/reload.sh: queries per second and lost queries while the zone is
# replaced once a second, beside the same load without reloads.
#
# Zone: bench.test. of bench/serve.sh (10,000 names, 14,003 records); each
# new version has the next SOA serial and a changed address.  Modes:
#   lbdns-stream  lbdns-serve -z - reading a FIFO; every second a complete
#                 version (SOA ... SOA, AXFR framing) is written into it
#   lbdns-hup     the zone file is replaced (rename) and SIGHUP sent
#   nsd           the zone file is replaced and `nsd-control reload` run
#   knot          the zone file is replaced and `knotc zone-reload` run
# Load: bench/blast.c, the mixed query file (every kind of name of the
# zone), 100 outstanding, a query unanswered after 1 s counts as lost.
# Each server has one worker on core 1, the load and the reloads core 0.
# DUR seconds (default 10) per measurement, RUNS rounds (default 3), each
# round: a baseline without reloads, then the run with reloads.
# At the end of each run the served serial is checked, so that a reload
# that silently did nothing does not pass for a fast one.
#
# Prints a Markdown section on stdout; raw lines in build/bench/reload-raw.txt.
set -eu
. "$(dirname "$0")/lib.sh"
DUR=${DUR:-10}
MODES=${MODES:-lbdns-stream lbdns-hup nsd knot}
need_build
d=$OUT/serve
serve_zone "$d"
raw=$OUT/reload-raw.txt
: >"$raw"
port=5330
serial=1

# new_file SERIAL: the zone file $TMP/zone replaced atomically by a new version
new_file() {
	zone_text "$1" >"$TMP/zone.new"
	mv "$TMP/zone.new" "$TMP/zone"
}

# version SERIAL: one version in AXFR framing (closing SOA), for the stream
version() {
	zone_text "$1"
	printf '@ IN SOA ns1 hostmaster %d 3600 600 86400 300\n' "$1"
}

# reload MODE SERIAL: put version SERIAL in place for server MODE
reload() {
	case $1 in
	lbdns-stream) version "$2" >&3 ;;
	lbdns-hup) new_file "$2"; kill -HUP "$SPID" ;;
	nsd) new_file "$2"; nsd-control -c "$TMP/nsd/nsd.conf" reload bench.test. >/dev/null ;;
	knot) new_file "$2"; knotc -s "$TMP/knot/knot.sock" zone-reload bench.test. >/dev/null ;;
	esac
}

# start MODE: the server for MODE on $port, serial 1; sets SPID
start() {
	serial=1
	new_file 1
	case $1 in
	lbdns-stream)
		rm -f "$TMP/fifo"
		mkfifo "$TMP/fifo"
		taskset -c "$SERVER_CORE" "$BIN/lbdns-serve" -t 1 -l "127.0.0.1:$port" -z - \
			<"$TMP/fifo" >"$TMP/lbdns.log" 2>&1 &
		SPID=$!
		BENCH_PIDS+=("$SPID")
		exec 3>"$TMP/fifo"
		version 1 >&3 ;;
	lbdns-hup)
		start_bg lbdns "$SERVER_CORE" "$BIN/lbdns-serve" -t 1 -l "127.0.0.1:$port" -z "$TMP/zone"
		SPID=$BG_PID ;;
	nsd) nsd_start nsd "$port" bench.test. "$TMP/zone"; SPID=$BG_PID ;;
	knot) knot_start knot "$port" bench.test. "$TMP/zone"; SPID=$BG_PID ;;
	esac
	wait_dns 127.0.0.1 "$port" host2.bench.test A
}

stop() {
	[ "$1" = lbdns-stream ] && exec 3>&-
	forget_pid "$SPID"
	port=$((port + 1))
}

served_serial() {
	dig +short +tries=1 +time=1 -p "$port" @127.0.0.1 bench.test SOA | awk '{ print $3 }'
}

# measure MODE KIND: DUR seconds of load; KIND "swap" reloads every second
measure() {
	local mode=$1 kind=$2 line i want got blast_pid
	taskset -c "$CLIENT_CORE" "$OUT/blast" -s 127.0.0.1 -p "$port" -d "$d/mixed.q" \
		-l "$DUR" -q 100 -t 1000 >"$TMP/blast.out" &
	blast_pid=$!
	BENCH_PIDS+=("$blast_pid")
	if [ "$kind" = swap ]; then
		for i in $(seq $((DUR - 1))); do
			sleep 1
			serial=$((serial + 1))
			reload "$mode" "$serial"
		done
	fi
	wait "$blast_pid" || true
	line=$(tail -1 "$TMP/blast.out")
	sleep 0.5
	got=$(served_serial)
	want=$serial
	echo "$mode $kind $line serial_want=$want serial_got=${got:-none}" >>"$raw"
	echo "reload.sh: $mode $kind qps=$(kv qps "$line") lost=$(kv lost "$line") serial $want/${got:-none}" >&2
}

for mode in $MODES; do
	start "$mode"
	for r in $(seq "$RUNS"); do
		measure "$mode" base
		measure "$mode" swap
	done
	stop "$mode"
done

col() {
	awk -v s="$1" -v k="$2" -v f="$3" '$1 == s && $2 == k {
		for (i = 3; i <= NF; i++) { split($i, kvp, "="); if (kvp[1] == f) print kvp[2] } }' "$raw"
}
med() { median_range $(col "$1" "$2" "$3") | cut -d' ' -f1; }
sum() { col "$1" "$2" "$3" | awk '{ s += $1 } END { print s + 0 }'; }

echo "## reload"
echo
echo "\`DUR=$DUR RUNS=$RUNS bench/reload.sh\`: zone bench.test. (14,003 records) replaced"
echo "once a second during $DUR s of load from \`build/bench/blast\` (mixed names, 100"
echo "outstanding, lost = no answer within 1 s); baseline: the same load without"
echo "reloads. Median (min–max) of $RUNS runs; lost and SERVFAIL/REFUSED summed over"
echo "the runs; latency at full load (100 outstanding), median over the runs of each"
echo "run's p99 and maximum. \"serial ok\": the server answered the last serial written after every run."
echo
echo "| server, reload by | qps without reloads | qps with reloads | ratio | p99 / max µs without | p99 / max µs with | lost | SERVFAIL+REFUSED | reloads | serial ok |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for mode in $MODES; do
	case $mode in
	lbdns-stream) how="lbdns-serve, version written to \`-z -\` FIFO" ;;
	lbdns-hup) how="lbdns-serve, file + SIGHUP" ;;
	nsd) how="NSD, file + \`nsd-control reload\`" ;;
	knot) how="Knot, file + \`knotc zone-reload\`" ;;
	esac
	ok=$(awk -v s="$mode" '$1 == s && $2 == "swap" { n++; for (i = 3; i <= NF; i++) { split($i, kv, "=")
		v[kv[1]] = kv[2] } if (v["serial_want"] == v["serial_got"]) g++ } END { printf "%d/%d", g, n }' "$raw")
	echo "| $how | $(fmt_mr %.0f $(col "$mode" base qps)) | $(fmt_mr %.0f $(col "$mode" swap qps)) |" \
		"$(ratio "$(med "$mode" swap qps)" "$(med "$mode" base qps)") |" \
		"$(med "$mode" base p99_us) / $(med "$mode" base max_us) | $(med "$mode" swap p99_us) / $(med "$mode" swap max_us) |" \
		"$(sum "$mode" swap lost) |" \
		"$(($(sum "$mode" swap servfail) + $(sum "$mode" swap refused))) | $((RUNS * (DUR - 1))) | $ok |"
done
echo
