/* The transport protocols a port can be published on, by name: as -p
 * spells them, as berth prints them and as nftables' inet_proto reads
 * them. */
#ifndef BERTH_UTIL_PROTO_H
#define BERTH_UTIL_PROTO_H

/* "tcp", "udp", "sctp"; NULL for any other protocol */
const char *port_proto_name(int proto);
/* IPPROTO_* for a name (any case), or -1 */
int port_proto_from_name(const char *name);

#endif
