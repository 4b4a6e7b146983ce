#!/usr/bin/env python3
"""gen-zone.py N [ORIGIN]: write a valid zone of about N records to stdout.

The mix is that of a large hosting zone: A and AAAA hosts, MX, TXT,
CNAME aliases and NS delegations with glue, relative and absolute names,
a few multi-line records and comments. The output is deterministic, so
benchmark runs compare like with like. named-checkzone and kzonecheck
accept it."""
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    origin = sys.argv[2] if len(sys.argv) > 2 else "bench.example."
    out = sys.stdout
    w = out.write
    w("$ORIGIN %s\n$TTL 3600\n" % origin)
    w("@\tIN\tSOA\tns1 hostmaster (\n\t\t2024010101 ; serial\n"
      "\t\t7200 3600 1209600 300 )\n")
    w("@\tNS\tns1\n@\tNS\tns2\nns1\tA\t192.0.2.1\nns2\tA\t192.0.2.2\n")
    w("@\tMX\t10 ns1\n")
    count = 6
    i = 0
    lines = []
    while count < n:
        k = i % 20
        if k < 8:
            lines.append("host%d\t300\tIN\tA\t10.%d.%d.%d ; lbdns: weight=%d\n"
                         % (i, (i >> 16) & 255, (i >> 8) & 255, i & 255, i % 5 + 1))
            count += 1
        elif k < 12:
            lines.append("host%d\tIN\tAAAA\t2001:db8:%x:%x::%x\n"
                         % (i - 4, (i >> 16) & 0xffff, (i >> 8) & 0xff, i & 0xffff))
            count += 1
        elif k < 14:
            lines.append("mail%d\t3600\tMX\t%d host%d.%s\n"
                         % (i, 10 * (k - 11), i - 12, origin))
            count += 1
        elif k < 16:
            lines.append('txt%d\tTXT\t"v=spf1 ip4:10.%d.%d.0/24 -all" "id=%d"\n'
                         % (i, (i >> 8) & 255, i & 255, i))
            count += 1
        elif k < 18:
            lines.append("alias%d\tCNAME\thost%d\n" % (i, i - k))
            count += 1
        else:
            lines.append("sub%d\t86400\tNS\tns1.sub%d\n\t86400\tNS\tns2.sub%d\n"
                         "ns1.sub%d\t86400\tA\t198.51.%d.%d\n"
                         "ns2.sub%d\t86400\tAAAA\t2001:db8:ffff::%x\n"
                         % (i, i, i, i, (i >> 8) & 255, i & 255, i, i & 0xffff))
            count += 4
        i += 1
        if len(lines) >= 4096:
            w("".join(lines))
            lines = []
    w("".join(lines))


if __name__ == "__main__":
    main()
