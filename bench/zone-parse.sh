#!/usr/bin/env bash
# bench/zone-parse.sh [N]: time and peak memory of parsing one zone of N
# records (default 1,000,000) with lbdns's zparse (bench/zparse-bench.c,
# parse only; "zparse-pipe" reads the zone from a pipe, the way
# lbdns-serve -z - does), kzonecheck and named-checkzone -i local.
# Both of those also build the zone in memory and check it, which is
# part of what a user waits for when loading a zone.
#
# Needs build/libcommon.a (run `make` first). The zone is generated once
# into build/bench/ by bench/gen-zone.py; each program runs RUNS times
# (default 3) and the best wall time counts. Prints a Markdown table
# ready for bench/RESULTS.md.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${1:-1000000}
runs=${RUNS:-3}
origin=bench.example.
out=build/bench
zone=$out/zone-$n.db
drv=$out/zparse-bench

[ -f build/libcommon.a ] || { echo "zone-parse.sh: build/libcommon.a missing: run make" >&2; exit 2; }
mkdir -p "$out"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -I. -o "$drv" bench/zparse-bench.c build/libcommon.a
[ -s "$zone" ] || python3 bench/gen-zone.py "$n" "$origin" > "$zone"
records=$("$drv" "$origin" "$zone" | cut -d' ' -f1)

# run NAME CMD...: "NAME wall cpu rss" of the run with the least CPU time
# (user + system) out of $runs; CPU time suffers less than wall time when
# the machine is shared.
run() {
	local name=$1 best="" wall="" rss="" i t c m log
	shift
	log=$(mktemp)
	for i in $(seq "$runs"); do
		if ! /usr/bin/time -v "$@" >/dev/null 2>"$log"; then
			echo "zone-parse.sh: $name failed:" >&2; tail -5 "$log" >&2; rm -f "$log"; exit 1
		fi
		t=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0;
			for (j = 1; j <= n; j++) s = s * 60 + a[j]; print s }' "$log")
		c=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$log")
		m=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
		if [ -z "$best" ] || awk -v a="$c" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$c wall=$t rss=$m
		fi
	done
	rm -f "$log"
	echo "$name $wall $best $rss"
}

results=$(
	run zparse "$drv" "$origin" "$zone"
	run zparse-pipe sh -c 'cat "$2" | "$0" "$1" -' "$drv" "$origin" "$zone"
	run kzonecheck kzonecheck -o "$origin" "$zone"
	run named-checkzone named-checkzone -i local "$origin" "$zone"
)
echo "zone: $zone ($records records, $(du -h "$zone" | cut -f1)), best of $runs runs," \
	"$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| program | wall s | CPU s | peak RSS MiB | CPU vs zparse | RSS vs zparse |"
echo "|---|---|---|---|---|---|"
echo "$results" | awk 'NR == 1 { c0 = $3; m0 = $4 }
	{ printf "| %s | %.2f | %.2f | %.1f | %.1fx | %.0fx |\n", $1, $2, $3, $4 / 1024,
	  (c0 > 0 ? $3 / c0 : 0), (m0 > 0 ? $4 / m0 : 0) }'
