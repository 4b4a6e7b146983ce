#!/usr/bin/env python3
"""Write the malformed (and a few sound) DNS packets of this directory.

Each NAME.hex starts with one comment line:
    # what the packet is; query=VERDICT[:ERR] msg=ok|error[:ERR]
VERDICT is what dns_query_parse() must say (ok, drop, formerr), ERR the
LB_E* reason without the LB_E prefix; msg= is dns_msg_parse() without
flags. The rest is hex, any spacing, '#' starts a comment. tests/unit
read them; the fuzz targets use them as a seed corpus.
Run from this directory: ./mkpackets.py
"""
import struct


def name(text):
    out = b''
    for label in text.rstrip('.').split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def hdr(id_=0x1234, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack('>6H', id_, flags, qd, an, ns, ar)


def q(qname='www.example.com', qtype=1, qclass=1):
    return name(qname) + struct.pack('>HH', qtype, qclass)


def rr(owner, rtype, rdata, rclass=1, ttl=300):
    if isinstance(owner, str):
        owner = name(owner)
    return owner + struct.pack('>HHIH', rtype, rclass, ttl, len(rdata)) + rdata


def opt(options=b'', udp=1232, flags=0, version=0, owner=b'\0', ext=0):
    ttl = (ext << 24) | (version << 16) | flags
    return owner + struct.pack('>HHIH', 41, udp, ttl, len(options)) + options


def option(code, data):
    return struct.pack('>HH', code, len(data)) + data


def ecs(family, source, scope, addr):
    return option(8, struct.pack('>HBB', family, source, scope) + addr)


QUERY = hdr() + q()
CASES = {}


def case(fname, what, expect, pkt):
    CASES[fname] = (what, expect, pkt)


# --- header
case('short-header', 'only 11 octets, shorter than a header',
     'query=drop msg=error:TRUNC', hdr()[:11])
case('empty', 'no octets at all', 'query=drop msg=error:TRUNC', b'')
case('qr-set', 'a response (QR=1) sent to the server',
     'query=drop msg=ok', hdr(flags=0x8400) + q())
case('qdcount-2', 'two questions', 'query=formerr:MALF msg=ok',
     hdr(qd=2) + q() + q('example.org', 28))
case('qdcount-0-cookie', 'no question, only a client COOKIE (RFC 7873 §5.4)',
     'query=ok msg=ok',
     hdr(qd=0, ar=1) + opt(option(10, bytes(range(1, 9)))))
# --- names
case('label-64', 'label length octet 64 (0x40, not a label type)',
     'query=formerr:MALF msg=error:MALF',
     hdr() + b'\x40' + b'a' * 64 + b'\0' + b'\0\1\0\1')
case('label-0x80', 'label type 10 (0x80), reserved',
     'query=formerr:MALF msg=error:MALF',
     hdr() + b'\x81a\0\0\1\0\1')
case('name-too-long', 'question name of 321 octets (5 labels of 63)',
     'query=formerr:NAMELEN msg=error:NAMELEN',
     hdr() + (b'\x3f' + b'a' * 63) * 5 + b'\0' + b'\0\1\0\1')
case('name-unterminated', 'question name runs off the end',
     'query=formerr:TRUNC msg=error:TRUNC', hdr() + b'\x03www\x07exam')
case('ptr-in-question', 'question name is a pointer to the header',
     'query=formerr:PTR msg=error:PTR', hdr() + b'\xc0\x04\0\1\0\1')
case('ptr-forward', 'answer owner points forward, past itself',
     'query=drop msg=error:PTR',
     hdr(flags=0x8400, an=1) + q() + rr(b'\xc0\x40', 1, b'\xc0\0\2\1'))
case('ptr-loop', 'answer owner points at itself',
     'query=drop msg=error:PTR',
     hdr(flags=0x8400, an=1) + q() + rr(b'\xc0\x21', 1, b'\xc0\0\2\1'))
case('ptr-loop-notify', 'NOTIFY whose SOA owner points at itself',
     'query=formerr:PTR msg=error:PTR',
     hdr(flags=0x2000, an=1, qd=1) + q('example.com', 6) +
     rr(b'\xc0\x1d', 6, b''))
case('ptr-into-header', 'answer owner points into the header (offset 2)',
     'query=drop msg=error:PTR',
     hdr(flags=0x8400, an=1) + q() + rr(b'\xc0\x02', 1, b'\xc0\0\2\1'))
case('ptr-past-end', 'answer owner is a pointer cut after one octet',
     'query=drop msg=error:TRUNC', hdr(flags=0x8400, an=1) + q() + b'\xc0')
case('ptr-beyond-end', 'NOTIFY whose SOA owner points past the message',
     'query=formerr:PTR msg=error:PTR',
     hdr(flags=0x2000, an=1, qd=1) + q('example.com', 6) +
     rr(b'\xc0\xff', 6, b''))
case('ptr-mutual', 'two names pointing at each other',
     'query=formerr:PTR msg=error:PTR',
     hdr(an=1) + q() +
     b'\x01a\xc0\x25' + b'\x01b\xc0\x21' + b'\0\1\0\1\0\0\0\0\0\0')
# --- records
case('truncated-question', 'question without QCLASS',
     'query=formerr:TRUNC msg=error:TRUNC', hdr() + q()[:-2])
case('truncated-rr', 'answer RR cut in its fixed part',
     'query=drop msg=error:TRUNC',
     hdr(flags=0x8400, an=1) + q() + rr('www.example.com', 1, b'\1\2\3\4')[:20])
case('counts-too-large', 'ARCOUNT 5 with one record',
     'query=formerr:TRUNC msg=error:TRUNC', hdr(ar=5) + q() + opt())
case('ancount-huge', 'ANCOUNT 65535 and nothing after the question',
     'query=formerr:TRUNC msg=error:TRUNC', hdr(an=65535) + q())
case('rdlength-past-end', 'RDLENGTH 200 with 4 octets left',
     'query=drop msg=error:TRUNC',
     hdr(flags=0x8400, an=1) + q() +
     name('www.example.com') + struct.pack('>HHIH', 1, 1, 300, 200) + b'\1\2\3\4')
case('rdata-a-short', 'A record with 3 octets of RDATA',
     'query=drop msg=error',
     hdr(flags=0x8400, an=1) + q() + rr(b'\xc0\x0c', 1, b'\1\2\3'))
case('trailing-garbage', 'three octets after the last record',
     'query=ok msg=error:MALF', QUERY + b'\xde\xad\xbe')
# --- OPT
case('opt-twice', 'two OPT RRs', 'query=formerr:MALF msg=error:MALF',
     hdr(ar=2) + q() + opt() + opt())
case('opt-not-root', 'OPT owned by "a."', 'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(owner=b'\x01a\0'))
case('opt-in-answer', 'OPT in the answer section',
     'query=formerr:MALF msg=error:MALF', hdr(an=1) + q() + opt())
case('opt-option-overrun', 'option length runs past the OPT RDATA',
     'query=formerr:TRUNC msg=error:TRUNC',
     hdr(ar=1) + q() + opt(struct.pack('>HH', 3, 10) + b'ab'))
case('opt-option-cut', 'option header of 3 octets',
     'query=formerr:TRUNC msg=error:TRUNC', hdr(ar=1) + q() + opt(b'\0\3\0'))
case('opt-version-1', 'EDNS version 1 with a broken ECS: BADVERS, not FORMERR',
     'query=ok msg=ok',
     hdr(ar=1) + q() + opt(ecs(3, 0, 0, b''), version=1))
case('opt-unknown-option', 'an unknown option code 65001 is ignored',
     'query=ok msg=ok', hdr(ar=1) + q() + opt(option(65001, b'xyz')))
# --- ECS (RFC 7871 §7.1.2)
case('ecs-prefix-too-long', 'ECS IPv4 SOURCE 33',
     'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(ecs(1, 33, 0, b'\xc0\0\2\1\0')))
case('ecs-v6-prefix-too-long', 'ECS IPv6 SOURCE 129',
     'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(ecs(2, 129, 0, bytes(17))))
case('ecs-trailing-bits', 'ECS 192.0.2.1/23: bits beyond SOURCE set',
     'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(ecs(1, 23, 0, b'\xc0\x00\x03')))
case('ecs-family-3', 'ECS FAMILY 3', 'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(ecs(3, 8, 0, b'\x0a')))
case('ecs-addr-too-long', 'ECS /24 with 4 address octets',
     'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(ecs(1, 24, 0, b'\xc0\0\2\0')))
case('ecs-addr-too-short', 'ECS /24 with 2 address octets',
     'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(ecs(1, 24, 0, b'\xc0\0')))
case('ecs-short', 'ECS option of 3 octets', 'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(option(8, b'\0\1\0')))
case('ecs-twice', 'two ECS options', 'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(ecs(1, 24, 0, b'\xc0\0\2') + ecs(1, 24, 0, b'\xc0\0\2')))
# --- COOKIE (RFC 7873 §5.2.2)
case('cookie-7', 'COOKIE of 7 octets', 'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(option(10, bytes(7))))
case('cookie-12', 'COOKIE of 12 octets (server part of 4)',
     'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(option(10, bytes(12))))
case('cookie-41', 'COOKIE of 41 octets (server part of 33)',
     'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(option(10, bytes(41))))
case('cookie-twice', 'two COOKIE options', 'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(option(10, bytes(8)) + option(10, bytes(8))))
case('keepalive-timeout', 'query keepalive with a TIMEOUT (RFC 7828 §3.2.1)',
     'query=formerr:MALF msg=error:MALF',
     hdr(ar=1) + q() + opt(option(11, b'\0\x64')))
# --- TSIG
TSIG_RDATA = name('hmac-sha256') + bytes(6) + b'\0\x01' + b'\0\0' + b'\x12\x34' + b'\0\0' + b'\0\0'
case('tsig-not-last', 'TSIG followed by an OPT', 'query=formerr:MALF msg=error:MALF',
     hdr(ar=2) + q() + rr('key.', 250, TSIG_RDATA, rclass=255, ttl=0) + opt())
# --- sound packets, seeds for the fuzzers
case('update-delete-rrset', 'sound UPDATE: zone example.com, delete www A (class ANY, no RDATA)',
     'query=ok msg=ok',
     hdr(flags=0x2800, qd=1, ns=2) + q('example.com', 6) +
     rr('www.example.com', 1, b'', rclass=255, ttl=0) +
     rr('www.example.com', 1, b'\xc0\x00\x02\x63', rclass=1, ttl=60))
case('query-edns-full', 'sound query: OPT with DO, ECS /24, COOKIE, NSID, padding',
     'query=ok msg=ok',
     hdr(ar=1) + q('WwW.ExAmple.COM') +
     opt(ecs(1, 24, 0, b'\xc0\0\2') + option(10, bytes(range(1, 17))) +
         option(3, b'') + option(11, b'') + option(12, bytes(5)), flags=0x8000))
case('query-ecs-v6', 'sound query: ECS 2001:db8::/56',
     'query=ok msg=ok',
     hdr(ar=1) + q(qtype=28) + opt(ecs(2, 56, 0, b'\x20\x01\x0d\xb8\0\0\0')))
case('query-ecs-0', 'sound query: ECS 0.0.0.0/0 (client opts out)',
     'query=ok msg=ok', hdr(ar=1) + q() + opt(ecs(1, 0, 0, b'')))
case('query-tsig', 'sound query: OPT then TSIG last',
     'query=ok msg=ok',
     hdr(ar=2) + q() + opt() + rr('key.', 250, TSIG_RDATA, rclass=255, ttl=0))
case('response-compressed', 'sound response: CNAME chain with compression',
     'query=drop msg=ok',
     hdr(flags=0x8580, an=2, ns=1, ar=2) + q() +
     rr(b'\xc0\x0c', 5, b'\x02lb\xc0\x10') +
     rr(b'\xc0\x2d', 1, b'\xc0\x00\x02\x0a') +
     rr(b'\xc0\x10', 2, b'\x03ns1\xc0\x10') +
     rr(b'\xc0\x4e', 1, b'\xc0\x00\x02\x35') +
     opt(option(3, b'lb1'), flags=0x8000))

for fname, (what, expect, pkt) in CASES.items():
    with open(fname + '.hex', 'w') as f:
        f.write('# %s; %s\n' % (what, expect))
        for i in range(0, len(pkt), 16):
            f.write(' '.join('%02x' % b for b in pkt[i:i + 16]) + '\n')
print(len(CASES), 'packets')
