#!/usr/bin/env bash
# bench/probe.sh [BUILD_DIR] [N]: how fast lbdns-probe checks N hosts (10000).
#
# Everything runs on loopback, each scenario on its own 127.x addresses:
#   refused  N tcp checks, nothing listens: refused at once
#   blackhole N tcp checks against a listener whose backlog is full: every
#            connect hangs until the timeout (1 s), -j N so all run at once
#   mixed    N tcp checks, 10% blackholed, default -j 1000
#   http     N http checks against a backend that accepts and never answers
#   http-ok  N/10 http checks against a working python backend
#   dns      N/10 dns checks against the python responder
#   exec     N/10 exec:true checks
# Prints one markdown table row per scenario: wall time, hosts/s, up/down.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
n=${2:-10000}
probe="$root/$build/lbdns-probe"
helpers="$root/tests/helpers"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
[ -x "$probe" ] || { echo "no $probe: run make first" >&2; exit 2; }

# start NAME CMD...: background helper, wait for its "listening"
start() {
	local name=$1; shift
	"$@" >"$tmp/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		grep -q listening "$tmp/$name.log" && return 0
		sleep 0.05
	done
	echo "$name did not start" >&2
	exit 1
}

# addr I BASE: a distinct loopback address for host I under 127.BASE.0.0/16
addr() {
	echo "127.$2.$(($1 / 250)).$(($1 % 250 + 1))"
}

# run NAME LIST ARGS...: time one probe run, print a table row
run() {
	local name=$1 list=$2; shift 2
	local hosts t0 t1 up down
	hosts=$(wc -l <"$list")
	t0=$(date +%s.%N)
	"$probe" "$@" "$list" >"$tmp/out" 2>"$tmp/err" || true
	t1=$(date +%s.%N)
	up=$(grep -c 'state=up' "$tmp/out" || true)
	down=$(grep -c 'state=down' "$tmp/out" || true)
	awk -v n="$name" -v h="$hosts" -v a="$t0" -v b="$t1" -v u="$up" -v d="$down" \
	    -v args="$*" 'BEGIN { s = b - a; printf "| %s | %s | %s | %.2f | %.0f | %d/%d |\n",
	    n, h, args, s, h / s, u, d }'
	if [ -s "$tmp/err" ]; then sed 's/^/    stderr: /' "$tmp/err" | head -3 >&2; fi
}

start blackhole python3 "$helpers/blackhole.py" 127.91.0.1 7000
start hang python3 "$helpers/http_backend.py" 127.92.0.1 8080 --hang
start web python3 "$helpers/http_backend.py" 127.93.0.1 8080
start dns python3 "$helpers/dns_backend.py" 127.94.0.1 5300

for i in $(seq 0 $((n - 1))); do
	echo "h$i $(addr "$i" 90) check=tcp:7000"
done >"$tmp/refused"
for i in $(seq 0 $((n - 1))); do echo "h$i 127.91.0.1 check=tcp:7000"; done >"$tmp/blackhole"
for i in $(seq 0 $((n - 1))); do
	if [ $((i % 10)) -eq 0 ]; then echo "h$i 127.91.0.1 check=tcp:7000"
	else echo "h$i $(addr "$i" 90) check=tcp:7000"; fi
done >"$tmp/mixed"
for i in $(seq 0 $((n - 1))); do echo "h$i 127.92.0.1 check=http://www.example.test:8080/"; done >"$tmp/http"
for i in $(seq 0 $((n / 10 - 1))); do echo "h$i 127.93.0.1 check=http://www.example.test:8080/"; done >"$tmp/http-ok"
for i in $(seq 0 $((n / 10 - 1))); do echo "h$i 127.94.0.1 check=dns:www.example.test:A:5300"; done >"$tmp/dns"
for i in $(seq 0 $((n / 10 - 1))); do echo "h$i 127.95.0.1 check=exec:true"; done >"$tmp/exec"

echo "| scenario | hosts | options | seconds | hosts/s | up/down |"
echo "|---|---|---|---|---|---|"
run refused "$tmp/refused" -t 1
run blackhole "$tmp/blackhole" -t 1 -j "$n"
run mixed "$tmp/mixed" -t 1
run http-hang "$tmp/http" -t 1 -j "$n"
run http-ok "$tmp/http-ok" -t 5
run dns "$tmp/dns" -t 5
run exec "$tmp/exec" -t 5
