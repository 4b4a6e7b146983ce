#!/usr/bin/env python3
"""http_backend.py: a small HTTP(S) backend for lbdns-probe tests.

usage: http_backend.py ADDR PORT [--status N] [--body TEXT] [--delay SECS]
                       [--hang] [--control FILE] [--tls CERT KEY]

--hang accepts connections and never answers. --control FILE is read on
every request; when it exists its first word overrides the behaviour:
a status code ("503"), "hang", or "delay:SECS". Each request is logged
to stdout as "METHOD PATH HOST".
"""
import argparse
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--body", default="OK\n")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--hang", action="store_true")
    ap.add_argument("--control")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    return ap.parse_args()


ARGS = parse_args()


def behaviour():
    """(status, delay, hang) for this request."""
    status, delay, hang = ARGS.status, ARGS.delay, ARGS.hang
    if ARGS.control and os.path.exists(ARGS.control):
        with open(ARGS.control) as f:
            word = (f.read().split() or [""])[0]
        if word == "hang":
            hang = True
        elif word.startswith("delay:"):
            delay = float(word[6:])
        elif word.isdigit():
            status = int(word)
    return status, delay, hang


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        status, delay, hang = behaviour()
        print("GET", self.path, self.headers.get("Host", "-"), flush=True)
        if hang:
            time.sleep(3600)
            return
        if delay:
            time.sleep(delay)
        body = ARGS.body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, addr, handler):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, handler)


def main():
    srv = Server((ARGS.addr, ARGS.port), Handler)
    if ARGS.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.tls[0], ARGS.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    if ARGS.hang and not ARGS.control:
        # accept and hold every connection, never read or answer
        held = []
        srv.socket.settimeout(None)
        print("listening", flush=True)
        while True:
            conn, _ = srv.socket.accept()
            held.append(conn)
    print("listening", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
