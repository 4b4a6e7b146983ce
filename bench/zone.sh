#!/usr/bin/env bash
# bench/zone.sh [N]: loading a zone of N records (default 1,000,000).
#
#   load+check  `lbdns-serve -n -z FILE` (parse, build, check, exit)
#               beside nsd-checkzone and kzonecheck, which do the same
#               for NSD and Knot: wall time, CPU time, peak RSS
#               (/usr/bin/time -v);
#   first answer  each server started on the zone (one worker, core 1),
#               polled with dig every 20 ms until it answers a name of
#               the zone authoritatively: the time a user waits after a
#               (re)start;
#   serving     memory of each server once it answers: RSS of its
#               largest process and the PSS summed over all its processes
#               (NSD forks a server and xfrd that share the zone pages).
#
# The zone is the one bench/zone-parse.sh uses: bench/gen-zone.py N
# (A with annotations, AAAA, MX, TXT, CNAME, delegations with glue), in
# build/bench/zone-N.db.  `lbdns-zone gen/check/fmt` at this size are
# bench/zone-gen.sh's job.  RUNS runs each (default 3): median (range).
# Prints a Markdown section on stdout; raw lines in build/bench/zone-raw.txt.
set -eu
. "$(dirname "$0")/lib.sh"
n=${1:-1000000}
origin=bench.example.
zone=$OUT/zone-$n.db
raw=$OUT/zone-raw.txt
need_build
[ -s "$zone" ] || python3 bench/gen-zone.py "$n" "$origin" >"$zone"
records=$("$BIN/lbdns-serve" -n -z "$zone" | grep -o '[0-9]* records' | head -1 || true)
: >"$raw"

# timed NAME CMD...: one run under /usr/bin/time -v, raw line appended
timed() {
	local name=$1 log=$TMP/time.log
	shift
	if ! taskset -c "$SERVER_CORE" /usr/bin/time -v "$@" >/dev/null 2>"$log"; then
		echo "zone.sh: $name failed:" >&2
		tail -5 "$log" >&2
		return 1
	fi
	awk -F': ' -v name="$name" '
		/Elapsed \(wall clock\)/ { k = split($2, a, ":"); w = 0; for (j = 1; j <= k; j++) w = w * 60 + a[j] }
		/(User|System) time \(seconds\)/ { c += $2 }
		/Maximum resident set size/ { m = $2 }
		END { printf "%s|load|wall=%.3f cpu=%.3f maxrss_kib=%d\n", name, w, c, m }' "$log" >>"$raw"
}

# first_answer NAME: start server NAME on the zone, time until it answers
# ns1.bench.example. A with AA, then record its memory and stop it
first_answer() {
	local name=$1 port=$((5390 + RANDOM % 50)) t0 t1 pid i pss=0 rss=0 p v big=0
	t0=$(date +%s.%N)
	case $name in
	lbdns-serve) start_bg lbdns "$SERVER_CORE" "$BIN/lbdns-serve" -t 1 -l "127.0.0.1:$port" -z "$zone" ;;
	nsd) nsd_start nsd "$port" "$origin" "$zone" ;;
	knotd) knot_start knot "$port" "$origin" "$zone" ;;
	esac
	pid=$BG_PID
	for i in $(seq 3000); do
		if dig +tries=1 +time=1 +norec -p "$port" @127.0.0.1 ns1.$origin A 2>/dev/null |
			grep -q 'flags:.* aa.*ANSWER: 1'; then
			break
		fi
		kill -0 "$pid" 2>/dev/null || { echo "zone.sh: $name exited" >&2; tail -5 "$TMP"/*.log >&2; return 1; }
		sleep 0.02
	done
	t1=$(date +%s.%N)
	sleep 1		# let background work (Knot's zone events) settle
	for p in $(descendants "$pid"); do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		pss=$((pss + ${v:-0}))
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
		[ "${v:-0}" -gt "$big" ] && big=${v:-0}
	done
	rss=$big
	forget_pid "$pid"
	awk -v name="$name" -v a="$t0" -v b="$t1" -v r="$rss" -v p="$pss" \
		'BEGIN { printf "%s|serve|first=%.3f rss_kib=%d pss_kib=%d\n", name, b - a, r, p }' >>"$raw"
}

for r in $(seq "$RUNS"); do
	timed "lbdns-serve -n" "$BIN/lbdns-serve" -n -z "$zone"
	timed nsd-checkzone nsd-checkzone "$origin" "$zone"
	timed kzonecheck kzonecheck -o "$origin" "$zone"
	first_answer lbdns-serve
	first_answer nsd
	first_answer knotd
	echo "zone.sh: run $r done" >&2
done

# profile: one extra `lbdns-serve -n` under perf record (not counted)
if [ "${PROFILE:-1}" = 1 ] && command -v perf >/dev/null; then
	if taskset -c "$SERVER_CORE" perf record -q -o "$TMP/perf.data" "$BIN/lbdns-serve" -n -z "$zone" \
		>/dev/null 2>&1; then
		perf report -i "$TMP/perf.data" --no-children --sort dso --stdio 2>/dev/null |
			awk '/%/ && $2 != "" { printf "%s %s; ", $1, $2 }' >"$TMP/prof.dso"
		perf report -i "$TMP/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null |
			awk '/%/ && n < 15 { n++; printf "| %s | %s |\n", $1, $3 }' >"$TMP/prof.sym"
	fi
fi

# col NAME KIND FIELD: values over the runs
col() {
	awk -F'|' -v s="$1" -v k="$2" -v f="$3" '$1 == s && $2 == k {
		n = split($3, w, " "); for (i = 1; i <= n; i++) { split(w[i], kvp, "="); if (kvp[1] == f) print kvp[2] } }' "$raw"
}
med() { median_range $(col "$1" "$2" "$3") | cut -d' ' -f1; }

echo "## zone load"
echo
echo "\`RUNS=$RUNS bench/zone.sh $n\`: zone \`$zone\` ($records, $(du -h "$zone" | cut -f1)),"
echo "made by \`bench/gen-zone.py $n $origin\`. Every program pinned to core $SERVER_CORE."
echo "Median (min–max) of $RUNS runs."
echo
echo "Load and check, then exit (\`/usr/bin/time -v\`):"
echo
echo "| program | command | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---|---|---|"
for p in "lbdns-serve -n|lbdns-serve -n -z ZONE" "nsd-checkzone|nsd-checkzone $origin ZONE" \
	"kzonecheck|kzonecheck -o $origin ZONE"; do
	name=${p%%|*}
	echo "| $name | \`${p#*|}\` | $(fmt_mr %.2f $(col "$name" load wall)) | $(fmt_mr %.2f $(col "$name" load cpu)) |" \
		"$(fmt_mr %.0f $(col "$name" load maxrss_kib | awk '{ print $1 / 1024 }')) |"
done
echo
echo "Start to first authoritative answer (server started on the zone, dig polled"
echo "every 20 ms), and memory once it answers:"
echo
echo "| server | first answer s | RSS MiB (largest process) | PSS MiB (all processes) |"
echo "|---|---|---|---|"
for name in lbdns-serve nsd knotd; do
	echo "| $name | $(fmt_mr %.2f $(col "$name" serve first)) |" \
		"$(fmt_mr %.0f $(col "$name" serve rss_kib | awk '{ print $1 / 1024 }')) |" \
		"$(fmt_mr %.0f $(col "$name" serve pss_kib | awk '{ print $1 / 1024 }')) |"
done
echo
if [ -s "$TMP/prof.sym" ]; then
	echo "Profile of \`lbdns-serve -n\` on this zone (\`perf record\`, an extra run). Time by"
	echo "object: $(cat "$TMP/prof.dso")top symbols:"
	echo
	echo "| share | symbol |"
	echo "|---|---|"
	cat "$TMP/prof.sym"
	echo
fi
l=$(med "lbdns-serve -n" load wall); a=$(med nsd-checkzone load wall); b=$(med kzonecheck load wall)
best=$(awk -v a="$a" -v b="$b" 'BEGIN { print (a < b ? a : b) }')
lc=$(med "lbdns-serve -n" load cpu); ac=$(med nsd-checkzone load cpu); bc=$(med kzonecheck load cpu)
bestc=$(awk -v a="$ac" -v b="$bc" 'BEGIN { print (a < b ? a : b) }')
lf=$(med lbdns-serve serve first); nf=$(med nsd serve first); kf=$(med knotd serve first)
lr=$(med lbdns-serve serve rss_kib); nr=$(med nsd serve pss_kib); kr=$(med knotd serve rss_kib)
echo "Ratios of medians: load+check wall, faster peer / lbdns-serve: $(ratio "$best" "$l")x"
echo "(CPU: $(ratio "$bestc" "$lc")x; vs nsd-checkzone $(ratio "$a" "$l")x, vs kzonecheck $(ratio "$b" "$l")x);"
echo "first answer, NSD / lbdns-serve $(ratio "$nf" "$lf")x, Knot / lbdns-serve $(ratio "$kf" "$lf")x;"
echo "memory serving, lbdns-serve RSS / NSD PSS $(ratio "$lr" "$nr"), / Knot RSS $(ratio "$lr" "$kr")."
echo
