/* Forwarding the names that are not berth's, with c-ares: one channel per
 * set of upstream servers and transport, driven by the resolver's epoll
 * loop. The query goes out as the asker sent it (under c-ares' ID) and
 * the answer comes back as the server sent it: EDNS, DNSSEC records and
 * TC pass through unchanged. An answer with TC over UDP goes back as it
 * is, and the asker retries over TCP, which is forwarded over TCP. A
 * server that fails (no answer, SERVFAIL, REFUSED) is skipped for the
 * next; when every one failed the asker gets SERVFAIL. */
#ifndef BERTH_DNS_FORWARD_H
#define BERTH_DNS_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct forwarder forwarder;

/* answer NULL: every server failed. */
typedef void (*forward_done)(void *arg, const uint8_t *answer, size_t len);

/* Its sockets are added to epfd, with a pointer to a dns_watch
 * (dns/watch.h) as their data. */
forwarder *forwarder_new(int epfd);
void forwarder_free(forwarder *f);
/* servers: addresses ("192.0.2.1", "2001:db8::1"). Unusable servers are
 * left out; with none left, done is called at once with NULL. */
void forwarder_send(forwarder *f, char *const *servers, size_t n, bool tcp, const uint8_t *query, size_t len,
		    forward_done done, void *arg);
/* Milliseconds until the earliest retry or timeout (at most max_ms). */
int forwarder_timeout_ms(forwarder *f, int max_ms);
/* Handles retries and timeouts due now; called after each round of
 * events. */
void forwarder_expire(forwarder *f);

#endif
