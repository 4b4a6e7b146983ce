#!/bin/sh
# examples/run.sh BUILD_DIR: what `make run` shows. Generate a zone from
# examples/hosts.txt with lbdns-zone gen, check it, and serve it on
# 127.0.0.1:5353 with lbdns-serve, asking a few balanced questions with
# dig; on a terminal it then keeps serving until Ctrl-C. When lbdns-serve
# cannot serve (yet), print the zone instead.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
case $build in /*) ;; *) build="$root/$build" ;; esac
addr=127.0.0.1 port=5353
tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

zone="$tmp/example.com.zone"
echo "== lbdns-zone gen --origin example.com --ns ns.example.net. examples/hosts.txt"
"$build/lbdns-zone" gen --origin example.com --ns ns.example.net. \
	--rname hostmaster@example.com -o "$zone" "$here/hosts.txt"
"$build/lbdns-zone" check "$zone"

if [ ! -x "$build/lbdns-serve" ] || ! "$build/lbdns-serve" -n -z "$zone" >/dev/null 2>&1 ||
   ! command -v dig >/dev/null; then
	echo "== lbdns-serve cannot serve it here yet; the zone:"
	cat "$zone"
	exit 0
fi

echo "== lbdns-serve -z example.com.zone -l $addr:$port"
"$build/lbdns-serve" -z "$zone" -l "$addr:$port" 2>"$tmp/serve.log" &
pid=$!
tries=0
until dig +tries=1 +time=1 -p "$port" @"$addr" example.com SOA >/dev/null 2>&1; do
	tries=$((tries + 1))
	if [ "$tries" -gt 50 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "lbdns-serve did not come up:" >&2
		cat "$tmp/serve.log" >&2
		exit 1
	fi
	sleep 0.1
done

ask() {
	echo "\$ dig @$addr -p $port $1 $2 +short    # $3"
	dig +tries=1 +time=2 -p "$port" @"$addr" "$1" "$2" +short | sed 's/^/    /'
}
cat "$zone"
for i in 1 2 3; do
	ask www.example.com A "weights 3:1, draw $i"
done
ask api.example.com A "priority 1 first, priority 2 is the backup"
ask mail.example.com A "a plain record"
echo "== first address of www over 40 queries (weight 3 vs 1):"
for i in $(seq 40); do
	dig +tries=1 +time=2 -p "$port" @"$addr" www.example.com A +short | head -1
done | sort | uniq -c | sed 's/^/    /'

# On a terminal, keep serving so the newcomer can ask for themselves.
if [ -t 0 ] && [ -t 1 ]; then
	echo "== serving example.com on $addr:$port; try:"
	echo "     dig @$addr -p $port www.example.com A"
	echo "   Ctrl-C stops it."
	wait "$pid" || true
fi
