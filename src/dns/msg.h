/* DNS messages, read and written with glibc's resolver library
 * (ns_initparse and ns_parserr read a message, dn_comp writes names): the
 * question of a query, and the replies the resolver makes itself (its own
 * names, refusals, failures). Forwarded answers are never rebuilt: they go
 * back to the asker as the upstream server sent them.
 *
 * Not ldns, which issue 14 suggested: it links OpenSSL, and loading
 * libssl and libcrypto made every berth command start 5 ms slower
 * (13.4 against 8.2 ms for `berth --version` here), resolver or not. */
#ifndef BERTH_DNS_MSG_H
#define BERTH_DNS_MSG_H

#include "berth.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/nameser.h>

#define DNS_NAME_MAX 255
/* What an asker without EDNS takes over UDP (RFC 1035). */
#define DNS_UDP_MIN 512
/* The most a reply of the resolver's own over UDP is made (DNS flag day
 * 2020: no fragments). */
#define DNS_UDP_MAX 1232

typedef struct dns_query {
	uint16_t id;
	uint8_t opcode;
	bool rd, cd;
	char name[DNS_NAME_MAX + 1]; /* lower case, no final dot; "" for the root */
	/* as asked, escapes and case kept: what the reply repeats */
	char asked[NS_MAXDNAME];
	uint16_t type, klass;
	/* not 0: answer with this code at once (FORMERR, NOTIMP, BADVERS) */
	int rcode;
	bool edns; /* the query had an OPT record */
	/* the largest reply the asker takes over UDP: 512, or its EDNS size
	 * (at most DNS_UDP_MAX) */
	size_t udp_size;
} dns_query;

/* Reads a query. -EINVAL when it is not one worth a reply (too short, or
 * itself a reply): the resolver drops it. */
int dns_query_parse(const uint8_t *buf, size_t len, dns_query *q);

typedef struct dns_reply {
	int rcode;          /* ns_r_* */
	bool authoritative; /* a name of berth's */
	const berth_addr *addrs; /* A or AAAA records, as the question asks */
	size_t n_addrs;
	const char *ptr; /* a PTR record's target, NULL for none */
} dns_reply;

/* The reply to q with r in it, at most `max` bytes: when the answer does
 * not fit, none of it is sent and TC is set (the asker retries over
 * TCP). *out is the caller's to free. */
int dns_reply_build(const dns_query *q, const dns_reply *r, size_t max, uint8_t **out, size_t *len);

/* The same query under another ID, or a reply given back its asker's:
 * the first two bytes. */
void dns_set_id(uint8_t *buf, size_t len, uint16_t id);

/* "4.3.2.1.in-addr.arpa" or the ip6.arpa nibbles to the address; false
 * when the name is neither (or not a whole address). */
bool dns_reverse_name(const char *name, berth_addr *out);

#endif
