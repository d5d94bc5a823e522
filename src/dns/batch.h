/* UDP datagrams a batch at a time: queries read with one recvmmsg(2),
 * their replies sent with one sendmmsg(2). Under load this is most of
 * the resolver's work saved (two system calls per query became two per
 * batch), and the store is asked whether it changed once per batch. */
#ifndef BERTH_DNS_BATCH_H
#define BERTH_DNS_BATCH_H

#include "dns/msg.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNS_BATCH 32

/* Up to DNS_BATCH datagrams, each with its peer: who sent a query
 * read, or whom a reply goes to. */
typedef struct dns_datagrams {
	size_t n;
	struct mmsghdr msgs[DNS_BATCH];
	struct iovec iov[DNS_BATCH];
	struct sockaddr_in peer[DNS_BATCH];
	uint8_t buf[DNS_BATCH][DNS_UDP_MAX];
} dns_datagrams;

typedef dns_datagrams dns_inbox;
typedef dns_datagrams dns_outbox;

/* Reads what fd has queued, up to DNS_BATCH datagrams; returns how many
 * (0: none). A datagram longer than DNS_UDP_MAX is no query of anyone's:
 * its length is set to 0. */
size_t dns_inbox_read(dns_inbox *in, int fd);
const uint8_t *dns_inbox_msg(const dns_inbox *in, size_t i, size_t *len);

/* Keeps a copy of msg for `to`; false when it is full or msg is too long
 * (the caller sends that one itself). */
bool dns_outbox_add(dns_outbox *out, const struct sockaddr_in *to, const uint8_t *msg, size_t len);
/* Sends what it holds on fd and empties itself. A reply the socket
 * cannot take now is dropped, as the network may drop any: the asker
 * asks again. */
void dns_outbox_flush(dns_outbox *out, int fd);

#endif
