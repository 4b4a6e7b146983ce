/* offline.h: `lbdns-serve --query`, the answer engine without sockets
 * (as djbdns's tinydns-get): load zones, build one query, answer it with
 * answer_query() and print the response as dig does. */
#ifndef LBDNS_SERVE_OFFLINE_H
#define LBDNS_SERVE_OFFLINE_H

/* main() calls this when "--query" is among the arguments and hands over
 * the whole command line:
 *
 *   lbdns-serve -z ZONEFILE [-z ...] --query NAME [TYPE [CLASS]]
 *               [--client ADDR] [--ecs PREFIX] [--tcp] [--seed N]
 *               [--rd] [--edns SIZE | --noedns] [--request-nsid] [--dnssec]
 *               [--regions FILE | --mmdb FILE] [--sticky-key FILE]
 *               [--nsid STRING] [--id-server STRING] [--version-bind STRING]
 *               [--explain] [--raw]
 *
 * The server-side options (--nsid, --id-server, --version-bind,
 * --regions, --mmdb, --sticky-key, --seed) mean what they mean for the
 * server; the others describe the query: --client is the packet's source
 * (default 127.0.0.1), --ecs adds a Client Subnet option, --edns sets the
 * advertised UDP size (default 1232), --tcp answers as over TCP,
 * --request-nsid asks for the NSID, --explain prints each balancing
 * decision's steps before the response, --raw the response in hex.
 *
 * Returns the exit status: 0 answered, 1 the engine dropped the query,
 * 2 usage or zone error (messages on stderr as lbdns-serve: file:line). */
int offline_query_main(int argc, char **argv);

#endif
