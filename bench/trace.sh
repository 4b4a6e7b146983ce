#!/usr/bin/env bash
# bench/trace.sh: queries sent and wall time of lbdns-trace beside
# `dig +trace` and `drill -T`, on a fake hierarchy of lbdns-serve
# instances on loopback (the zones of tests/data/trace/):
#
#   .            127.199.1.1     test.        127.199.1.2
#   plain.test.  127.199.1.7     sub.plain.test. 127.199.1.8
#   other.       127.199.1.6 and 127.199.1.10
#
# all on port 5300, each with --log-queries: the queries a tracer sends
# are counted from the servers' logs (one line per query), not from what
# the tracer says about itself.  Names traced:
#   www.plain.test A          three levels
#   deep.sub.plain.test TXT   four levels
#   alias.plain.test A        a CNAME into other., followed from the root
#                             by lbdns-trace (dig and drill stop at the CNAME)
# RUNS runs each (default 3); wall time median (range); queries of the
# first run (they do not vary).
# Prints a Markdown section on stdout; raw lines in build/bench/trace-raw.txt.
set -eu
. "$(dirname "$0")/lib.sh"
need_build
net=127.199.1
port=5300
raw=$OUT/trace-raw.txt
: >"$raw"
z=$TMP/zones
mkdir -p "$z"
for f in tests/data/trace/*; do
	sed "s/@NET@/$net/g" "$f" >"$z/$(basename "$f")"
done
serve() {
	local ip=$1
	shift
	start_bg "ns$ip" "$SERVER_CORE" "$BIN/lbdns-serve" -t 1 --log-queries -l "$net.$ip:$port" "$@"
}
serve 1 -z "$z/root.zone"
serve 2 -z "$z/test.zone"
serve 6 -z "$z/other.zone"
serve 7 -z "$z/plain.zone"
serve 8 -z "$z/sub.zone"
serve 10 -z "$z/other.zone"
for ip in 1 2 6 7 8 10; do wait_dns "$net.$ip" "$port"; done

# dig +trace looks up the address of every name server through the
# system resolver (getaddrinfo), not from the glue of the referral.  So
# that nothing leaves the machine, every tool runs in a private mount
# namespace where /etc/hosts names the lab's servers and /etc/resolv.conf
# points at 127.0.0.1 (port 53, where nothing answers).
printf '%s\n' "$net.1 a.root" "$net.2 ns.test" "$net.7 ns.plain.test" \
	"$net.8 ns.sub.plain.test" "$net.10 ns.other" >"$TMP/hosts"
echo "nameserver 127.0.0.1" >"$TMP/resolv.conf"
isolated() {
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
		"$TMP/hosts" "$TMP/resolv.conf" "$@"
}
if ! isolated true 2>/dev/null; then
	echo "trace.sh: needs root for unshare -m (private /etc/hosts for dig +trace)" >&2
	exit 2
fi

# queries: query lines logged by all servers so far
queries() {
	cat "$TMP"/ns*.log | grep -c ' query ' || true
}

# one TOOL NAME TYPE: run a trace, append "tool name type wall queries ok"
one() {
	local tool=$1 name=$2 type=$3 q0 q1 t0 t1 ok=no out=$TMP/trace.out
	q0=$(queries)
	t0=$(date +%s.%N)
	case $tool in
	lbdns-trace) isolated "$BIN/lbdns-trace" --hints "$z/hints" --port "$port" --timeout 1000 "$name" "$type" ;;
	dig) isolated dig -4 +trace +tries=1 +time=1 -p "$port" @"$net.1" "$name" "$type" ;;
	drill) isolated drill -4 -T -p "$port" -r "$z/hints" "$name" @"$net.1" "$type" ;;
	esac >"$out" 2>&1 || true
	t1=$(date +%s.%N)
	sleep 0.2	# let the servers write their last log lines
	q1=$(queries)
	# reached: the answer's data is in the output
	case $name in
	www.plain.test) grep -q '192\.0\.2\.1' "$out" && ok=yes ;;
	deep.sub.plain.test) grep -q '"deep"' "$out" && ok=yes ;;
	alias.plain.test) grep -q '192\.0\.2\.99' "$out" && ok=yes
		[ $ok = no ] && grep -q 'CNAME' "$out" && ok=cname ;;
	esac
	awk -v a="$t0" -v b="$t1" -v t="$tool" -v n="$name" -v ty="$type" -v q=$((q1 - q0)) -v ok=$ok \
		'BEGIN { printf "%s %s %s wall_ms=%.1f queries=%d reached=%s\n", t, n, ty, (b - a) * 1000, q, ok }' >>"$raw"
}

cases=("www.plain.test A" "deep.sub.plain.test TXT" "alias.plain.test A")
for r in $(seq "$RUNS"); do
	for c in "${cases[@]}"; do
		for tool in lbdns-trace dig drill; do
			# shellcheck disable=SC2086
			one $tool $c
		done
	done
done

col() {
	awk -v t="$1" -v n="$2" -v f="$3" '$1 == t && $2 == n {
		for (i = 4; i <= NF; i++) { split($i, kvp, "="); if (kvp[1] == f) print kvp[2] } }' "$raw"
}

echo "## trace"
echo
echo "\`RUNS=$RUNS bench/trace.sh\`: a fake hierarchy of lbdns-serve instances on"
echo "$net.x port $port (zones of tests/data/trace/); queries counted from the"
echo "servers' \`--log-queries\` lines. Commands:"
echo
echo "- \`lbdns-trace --hints HINTS --port $port --timeout 1000 NAME TYPE\`"
echo "- \`dig -4 +trace +tries=1 +time=1 -p $port @$net.1 NAME TYPE\`"
echo "- \`drill -4 -T -p $port -r HINTS NAME @$net.1 TYPE\`"
echo
echo "Every tool runs under \`unshare -m\` with a private /etc/hosts naming the lab's"
echo "servers and /etc/resolv.conf pointing at 127.0.0.1: dig +trace resolves each"
echo "name server's address through the system resolver instead of using the glue"
echo "(those lookups are answered from /etc/hosts here and are not counted; on a"
echo "real network they would be extra queries to the recursive resolver)."
echo
echo "Wall time median (min–max) of $RUNS runs; \"reached\": the final answer's"
echo "data is in the output (\"cname\": stopped at the CNAME)."
echo
echo "| name | tool | queries | wall ms | reached |"
echo "|---|---|---|---|---|"
for c in "${cases[@]}"; do
	set -- $c
	for tool in lbdns-trace dig drill; do
		echo "| $1 $2 | $tool | $(col $tool "$1" queries | head -1) | $(fmt_mr %.0f $(col $tool "$1" wall_ms)) |" \
			"$(col $tool "$1" reached | head -1) |"
	done
done
echo
