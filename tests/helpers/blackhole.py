#!/usr/bin/env python3
"""blackhole.py: a TCP listener that never accepts, for connect timeouts.

usage: blackhole.py ADDR PORT

The listen backlog is tiny and nothing is ever accepted, so once it is
full the kernel drops further SYNs and connects hang until the client
gives up: the only way to get a TCP timeout on loopback without
firewall rules.
"""
import socket
import sys
import time

fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(0)
# fill the backlog ourselves so that no prober's connect ever completes
fillers = []
for _ in range(4):
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.setblocking(False)
    c.connect_ex((sys.argv[1], int(sys.argv[2])))
    fillers.append(c)
time.sleep(0.2)
print("listening", flush=True)
while True:
    time.sleep(3600)
