#!/usr/bin/env bash
# bench/zone-gen.sh [N]: time and peak memory of lbdns-zone on big inputs.
#
#   gen    a host list of N hosts (default 1,000,000: 60% plain IPv4,
#          20% balanced IPv4 with weight/region/check, 20% IPv6 with a
#          priority) into a zone;
#   check  that zone of N+2 records with `lbdns-zone check` (the server's
#          loader and checks), beside kzonecheck and named-checkzone -i
#          local, which also load, build and check the whole zone;
#   fmt    the same zone rewritten in canonical form.
#
# Needs build/lbdns-zone (run `make` first). Inputs go to build/bench/;
# each program runs RUNS times (default 3), the best wall time counts.
# Prints a Markdown table for bench/RESULTS.md.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${1:-1000000}
runs=${RUNS:-3}
origin=bench.example
out=build/bench
hosts=$out/hosts-$n.txt
zone=$out/gen-$n.zone
Z=build/lbdns-zone

[ -x "$Z" ] || { echo "zone-gen.sh: $Z missing: run make" >&2; exit 2; }
mkdir -p "$out"
[ -s "$hosts" ] || awk -v n="$n" 'BEGIN {
	print "ns 192.0.2.1"
	for (i = 0; i < n; i++) {
		k = i % 10
		if (k < 6)
			printf "host%d 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
		else if (k < 8)
			printf "www%d 10.%d.%d.%d weight=%d region=r%d check=tcp:443\n", int(i / 4),
				100 + int(i / 65536) % 100, int(i / 256) % 256, i % 256, i % 5 + 1, i % 3
		else
			printf "v6-%d 2001:db8::%x:%x priority=%d\n", i, int(i / 65535) + 1, i % 65535 + 1, i % 2 + 1
	}
}' >"$hosts"
"$Z" gen --origin "$origin" --serial 1 -o "$zone" "$hosts"
records=$(grep -c '	IN\| IN ' "$zone")

# run NAME CMD...: best wall seconds, its CPU seconds (user + system) and
# peak RSS (KiB) over $runs runs. On a busy machine CPU time is the steadier
# figure.
run() {
	local name=$1 best="" rss="" cpu="" i t m c log
	shift
	log=$(mktemp)
	for i in $(seq "$runs"); do
		if ! /usr/bin/time -v "$@" >/dev/null 2>"$log"; then
			echo "zone-gen.sh: $name failed:" >&2; tail -5 "$log" >&2; rm -f "$log"; exit 1
		fi
		t=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0;
			for (j = 1; j <= n; j++) s = s * 60 + a[j]; print s }' "$log")
		m=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
		c=$(awk -F': ' '/(User|System) time/ { s += $2 } END { print s }' "$log")
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t rss=$m cpu=$c
		fi
	done
	rm -f "$log"
	echo "$name $best $cpu $rss"
}

gen=$(run "lbdns-zone gen" "$Z" gen --origin "$origin" --serial 1 -o "$out/gen-tmp.zone" "$hosts")
checks=$(
	run "lbdns-zone check" "$Z" check "$zone"
	run kzonecheck kzonecheck -o "$origin" "$zone"
	run named-checkzone named-checkzone -i local "$origin" "$zone"
	run "lbdns-zone fmt" "$Z" fmt "$zone"
)
rm -f "$out/gen-tmp.zone"
echo "host list: $hosts ($n hosts), zone: $zone ($records records, $(du -h "$zone" | cut -f1));"
echo "best of $runs runs, $(nproc) CPUs"
echo
echo "| job | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---|---|"
{ echo "$gen"; echo "$checks"; } | awk '{ m = $NF; c = $(NF - 1); t = $(NF - 2);
	$NF = ""; $(NF - 1) = ""; $(NF - 2) = ""; sub(/ +$/, "");
	printf "| %s | %.2f | %.2f | %.1f |\n", $0, t, c, m / 1024 }'
