#!/usr/bin/env bash
# bench/run-all.sh: run every benchmark of bench/ and write bench/RESULTS.md.
#
#   bench/run-all.sh                 DUR=10 s per load measurement, RUNS=3
#   DUR=5 bench/run-all.sh           shorter (about 10 minutes in all)
#   ONLY="serve zone" bench/run-all.sh   a subset
#
# Checks the tools it needs and installs the missing ones with apt-get
# (once; nothing when all are there), builds the release binaries with
# make -j2, then runs serve.sh, reload.sh, zone.sh, trace.sh and the
# scripts other parts of lbdns brought (zone-gen.sh, zone-parse.sh,
# probe.sh).  Sections of RESULTS.md written by hand for other scripts
# are kept; the sections this script owns (listed in OWN below) are
# replaced by the new run's.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DUR=${DUR:-10} RUNS=${RUNS:-3}
ONLY=${ONLY:-serve reload zone trace zone-gen zone-parse probe}
results=bench/RESULTS.md
OWN="Benchmark run|Goals|serve|reload|zone load|trace|zone gen (run-all)|zone parse (run-all)|probe (run-all)"
[ -z "${NORUN:-}" ] || OWN="Benchmark run|Goals"

# tool -> Debian package
deps() {
	local missing=() t p
	for t in nsd:nsd nsd-checkzone:nsd nsd-control:nsd knotd:knot knotc:knot kzonecheck:knot \
		dnsperf:dnsperf dig:bind9-dnsutils named-checkzone:bind9-utils drill:ldnsutils \
		taskset:util-linux unshare:util-linux /usr/bin/time:time python3:python3 cc:gcc \
		make:make perf:linux-perf; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "run-all.sh: installing ${missing[*]}" >&2
	apt-get install -y "${missing[@]}" >&2 || {
		apt-get update >&2 && apt-get install -y "${missing[@]}" >&2
	}
}
deps
make -j2 >&2 || echo "run-all.sh: make failed; using the binaries already in build/" >&2

sec=$(mktemp -d)
trap 'rm -rf "$sec"' EXIT
. bench/lib.sh >/dev/null	# for versions and machine (its own trap is replaced below)
trap 'rm -rf "$sec" "$TMP"' EXIT
taskset -pc "0-$(($(nproc --all) - 1))" $$ >/dev/null	# lib.sh pinned us; the scripts pin themselves
start=$(date -u '+%Y-%m-%d %H:%M UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# wrap NAME TITLE CMD...: a section from a script that prints a bare table
wrap() {
	local name=$1 title=$2
	shift 2
	{
		echo "## $title"
		echo
		echo "\`$*\` (RUNS=$RUNS), this run; see the hand-written section above for"
		echo "the explanation."
		echo
		"$@"
		echo
	} >"$sec/$name.md"
}

for b in $ONLY; do
	[ -n "${NORUN:-}" ] && break	# report from the raw files of the last run only
	echo "run-all.sh: $b ($(date -u +%H:%M:%S))" >&2
	case $b in
	serve | reload | trace) bench/$b.sh >"$sec/$b.md" ;;
	zone) bench/zone.sh 1000000 >"$sec/$b.md" ;;
	zone-gen) [ -x bench/zone-gen.sh ] && wrap "$b" "zone gen (run-all)" bench/zone-gen.sh 1000000 ;;
	zone-parse) [ -x bench/zone-parse.sh ] && wrap "$b" "zone parse (run-all)" bench/zone-parse.sh 1000000 ;;
	probe) [ -x bench/probe.sh ] && wrap "$b" "probe (run-all)" bench/probe.sh build 10000 ;;
	esac || echo "run-all.sh: $b failed" >&2
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# goals of the benchmark issue, checked from the raw lines of this run
# rawmed FILE SERVER KIND FIELD: median of FIELD over the runs
rawmed() {
	[ -s "$1" ] || return 0
	median_range $(awk -v s="$2" -v k="$3" -v f="$4" '$1 == s && $2 == k {
		for (i = 3; i <= NF; i++) { split($i, kvp, "="); if (kvp[1] == f) print kvp[2] } }' "$1") | cut -d' ' -f1
}
# zmed FIELD NAME KIND: the same for zone-raw.txt (NAME|KIND|k=v ...)
zmed() {
	[ -s "$OUT/zone-raw.txt" ] || return 0
	median_range $(awk -F'|' -v s="$2" -v k="$3" -v f="$1" '$1 == s && $2 == k {
		n = split($3, w, " "); for (i = 1; i <= n; i++) { split(w[i], kvp, "="); if (kvp[1] == f) print kvp[2] } }' \
		"$OUT/zone-raw.txt") | cut -d' ' -f1
}
# goal TEXT VALUE OP TARGET: a table row, "met" when VALUE OP TARGET
goal() {
	local verdict="not measured"
	if [ -n "$2" ] && [ "$2" != - ]; then
		verdict=$(awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN {
			ok = (op == ">=") ? v >= t : v <= t; print ok ? "**met**" : "missed" }')
	fi
	echo "| $1 | $2 | $3 $4 | $verdict |"
}
if [[ " $ONLY " == *" serve "* || " $ONLY " == *" zone "* || " $ONLY " == *" reload "* ]]; then
	sr=$OUT/serve-raw.txt
	best() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a > b ? a : b) }'; }
	least() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a < b ? a : b) }'; }
	pl=$(rawmed "$sr" lbdns plain qps); pb=$(best "$(rawmed "$sr" nsd plain qps)" "$(rawmed "$sr" knot plain qps)")
	bl=$(rawmed "$sr" lbdns balanced qps); bb=$(best "$(rawmed "$sr" nsd balanced qps)" "$(rawmed "$sr" knot balanced qps)")
	bare=$(rawmed "$sr" bare plain qps)
	cl=$(rawmed "$sr" lbdns plain cpu_us); cb=$(rawmed "$sr" bare plain cpu_us)
	zl=$(zmed wall "lbdns-serve -n" load); zp=$(least "$(zmed wall nsd-checkzone load)" "$(zmed wall kzonecheck load)")
	zcl=$(zmed cpu "lbdns-serve -n" load); zcp=$(least "$(zmed cpu nsd-checkzone load)" "$(zmed cpu kzonecheck load)")
	rss=$(zmed rss_kib lbdns-serve serve)
	lost=$(awk '$2 == "swap" && $1 ~ /^lbdns/ { for (i = 3; i <= NF; i++) { split($i, kv, "=")
		if (kv[1] == "lost" || kv[1] == "servfail" || kv[1] == "refused") s += kv[2] } n++ }
		END { if (n) print s + 0 }' "$OUT/reload-raw.txt" 2>/dev/null)
	{
		echo "## Goals"
		echo
		echo "The targets of the benchmark issue, from the medians of this run (sections"
		echo "below). The machine is a shared 2-vCPU VM: compare ratios, not absolute figures."
		echo
		echo "| goal | lbdns-serve | target | verdict |"
		echo "|---|---|---|---|"
		goal "UDP plain names: qps / best of NSD, Knot" "$(ratio "$pl" "$pb")" ">=" 1.10
		goal "UDP balanced names: qps / best of NSD, Knot" "$(ratio "$bl" "$bb")" ">=" 1.05
		goal "UDP plain names: qps / bare responder" "$(ratio "$pl" "$bare")" ">=" 0.90
		goal "UDP plain names: bare CPU per query / lbdns-serve's" "$(ratio "$cb" "$cl")" ">=" 0.90
		goal "1M-record zone load+check: faster peer's wall / lbdns-serve -n's" "$(ratio "$zp" "$zl")" ">=" 2.0
		goal "1M-record zone load+check: faster peer's CPU / lbdns-serve -n's" "$(ratio "$zcp" "$zcl")" ">=" 2.0
		goal "RSS serving the 1M-record zone, MiB" "$(awk -v r="${rss:-}" 'BEGIN { if (r != "") printf "%.0f", r / 1024 }')" "<=" 96
		goal "queries lost or failed during reloads (lbdns-serve, all runs)" "$lost" "<=" 0
		echo
	} >"$sec/01-goals.md"
fi

{
	echo "## Benchmark run"
	echo
	if [ -n "${NORUN:-}" ]; then
		echo "Rewritten at $start from the raw files of the last run (\`NORUN=1\`)."
	else
		echo "\`DUR=$DUR RUNS=$RUNS bench/run-all.sh\` ($ONLY), started $start."
	fi
	echo
	echo "- machine: $(machine); load average before/after: $load0 / $load1"
	versions
	echo
	echo "Servers run pinned to core $SERVER_CORE (\`taskset -c $SERVER_CORE\`), load generators"
	echo "and the scripts themselves to core $CLIENT_CORE; only loopback addresses. Figures"
	echo "are the median and (min–max) of $RUNS runs unless a section says otherwise."
	echo
} >"$sec/00-run.md"

# keep every section that is not ours, then append the new ones
tmp=$(mktemp)
awk -v own="$OWN" 'BEGIN { n = split(own, o, "|"); for (i = 1; i <= n; i++) mine["## " o[i]] = 1; n = 0 }
	/^## / { skip = ($0 in mine) }
	!skip { line[++n] = $0 }
	END { while (n > 0 && line[n] == "") n--; for (i = 1; i <= n; i++) print line[i] }' "$results" >"$tmp" 2>/dev/null || true
[ -s "$tmp" ] || printf '# lbdns benchmark results\n\nOne section per tool; each section names the script that produced it.\n' >"$tmp"
{
	cat "$tmp"
	echo
	for f in "$sec/00-run.md" "$sec/01-goals.md" "$sec/serve.md" "$sec/reload.md" "$sec/zone.md" "$sec/trace.md" \
		"$sec/zone-gen.md" "$sec/zone-parse.md" "$sec/probe.md"; do
		[ -s "$f" ] && cat "$f"
	done
} >"$results"
rm -f "$tmp"
echo "run-all.sh: wrote $results" >&2
