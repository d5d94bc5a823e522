/* A minimal rtnetlink layer over libmnl (wireguard-tools' netlink.h and
 * iproute2's libnetlink model): one socket, requests acked one by one,
 * the kernel's extended-ACK text carried into berth_err. */
#ifndef BERTH_NL_NL_H
#define BERTH_NL_NL_H

#include "berth.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

typedef struct nl_sock nl_sock;
typedef int (*nl_dump_cb)(const struct nlmsghdr *nlh, void *data);

int nl_open(nl_sock **out, berth_err *err);
/* For reading nf_tables objects (writing goes through libnftables); with
 * `groups` (a bind mask: group n is bit n - 1) it hears those too. */
int nl_open_netfilter(unsigned groups, nl_sock **out, berth_err *err);
void nl_close(nl_sock *nl);
/* A socket that talks to the namespace of `netns_fd` (a netlink socket
 * belongs to the namespace it was made in). */
int nl_open_in_netns(int netns_fd, nl_sock **out, berth_err *err);
/* The same for nf_tables (a netfilter socket, as nl_open_netfilter's). */
int nl_open_netfilter_in_netns(int netns_fd, nl_sock **out, berth_err *err);

/* Another socket in the namespace of `nl`; with `groups` (RTMGRP_LINK,
 * ...) it hears those notifications too. */
int nl_open_beside(nl_sock *nl, unsigned groups, nl_sock **out, berth_err *err);
enum { NL_WATCH_NONE = 0, NL_WATCH_FOUND = 1, NL_WATCH_EXTRA = 2, NL_WATCH_TIMEOUT = 3 };
/* Waits up to `timeout_ms` for what the watch socket hears, or for
 * `extra_fd` (-1: none) to be readable, and gives each notification read
 * to cb until it returns MNL_CB_STOP. NL_WATCH_FOUND when cb stopped,
 * NL_WATCH_EXTRA when extra_fd is readable, NL_WATCH_NONE when what came
 * did not match (call again until your deadline), NL_WATCH_TIMEOUT when
 * nothing came, or -errno (-ENOBUFS: notifications were lost; look the
 * state up instead). */
int nl_watch_wait(nl_sock *watch, int extra_fd, int timeout_ms, nl_dump_cb cb, void *data);

/* Work a caller hands off and must not be overtaken: a link deleted by a
 * detached process (nl_link_del_deferred). Every later request on `nl`
 * first waits for it; nl_settle waits for all of it and reports what
 * failed since the last nl_settle; nl_close waits and drops the
 * failures. An operation that defers settles before it returns. */
typedef int (*nl_settle_fn)(nl_sock *nl, void *state, berth_err *err);
void nl_defer(nl_sock *nl, nl_settle_fn settle, void *state);
int nl_settle(nl_sock *nl, berth_err *err);

/* A request buffer with a header already set up; flags get NLM_F_REQUEST
 * and NLM_F_ACK added. */
struct nlmsghdr *nl_msg_start(nl_sock *nl, void *buf, int type, int flags);

/* An RTM_*LINK message's ifinfomsg (family AF_UNSPEC, zeroed). */
struct ifinfomsg *nl_put_ifinfo(struct nlmsghdr *nlh);

/* Sends and waits for the ack. The error message is the kernel's cause
 * only (ext-ack text or strerror): callers wrap it with the object. */
int nl_request(nl_sock *nl, struct nlmsghdr *nlh, berth_err *err) __attribute__((warn_unused_result));

/* Sends `len` bytes of several requests at once (a netfilter batch,
 * which the kernel commits as one transaction) and waits for the answers
 * to the `n_answers` of them flagged NLM_F_ACK, numbered 1 to n_answers
 * (an answer to anything else on the socket is not one of them); -ETIMEDOUT
 * when none comes within 5 s. */
int nl_request_batch(nl_sock *nl, const void *buf, size_t len, unsigned n_answers, berth_err *err)
	__attribute__((warn_unused_result));

/* A request answered by one message (RTM_GETLINK of one link), given to cb. */
int nl_get(nl_sock *nl, struct nlmsghdr *nlh, nl_dump_cb cb, void *data, berth_err *err)
	__attribute__((warn_unused_result));
/* Runs a dump; retries when the kernel says it was interrupted. */
int nl_dump(nl_sock *nl, struct nlmsghdr *nlh, nl_dump_cb cb, void *data, berth_err *err)
	__attribute__((warn_unused_result));

/* mnl_nlmsg_ok, refusing a length past `left` that libmnl 1.0.4 takes
 * (it compares as an int, so 2 GiB and more pass): what walks a read. */
bool nl_msg_ok(const struct nlmsghdr *nlh, int left);

/* The fixed header of a reply (ifinfomsg, ifaddrmsg, ...), NULL when the
 * message is too short to hold one. */
const void *nl_msg_header(const struct nlmsghdr *nlh, size_t size);

/* An NLMSG_ERROR answer read elsewhere (`len` bytes): 0 for an ack,
 * else the kernel's error as nl_request gives it. */
int nl_answer_error(const void *buf, size_t len, berth_err *err);
/* The socket's descriptor, for a process that sends on it alone. */
int nl_sock_fd(const nl_sock *nl);

#define NL_BUFSIZE 8192

#endif
