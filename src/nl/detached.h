/* One netlink request sent by a process of its own, which nobody waits
 * for: RTM_DELLINK is answered only after the kernel's slow part (15-50
 * ms of unregistering), which the caller need not sit through, and a
 * netfilter commit that unhooks a chain waits for an RCU grace period. */
#ifndef BERTH_NL_DETACHED_H
#define BERTH_NL_DETACHED_H

#include "nl/nl.h"

/* Sends `request` (`len` bytes: one message, or a netfilter batch whose
 * first answer tells) on `own` (a socket of its own, which the caller may
 * close once this returns) from a detached process and returns at once.
 * That process writes the kernel's first answer to `report` (a pipe's
 * write end) when it is an error, and closes its copy of `report` as soon
 * as it has the answer, so the read end sees the error or EOF. Without the
 * caller's memory copied (it shares it, as a thread would, but outlives
 * the caller) starting it costs no more than a thread. */
int nl_send_detached(nl_sock *own, const void *request, size_t len, int report, berth_err *err);

/* Hands this process's netfilter netlink sockets to a detached process
 * that closes them: after an nf_tables commit, the last close of such a
 * socket waits for the kernel to finish the transaction (an RCU grace
 * period, 10-20 ms), which that process then waits out, not the caller,
 * whose own closes are no longer the last. It holds them until the
 * caller closes *token (-1: nothing handed off), which the caller does
 * once it has closed its own copies. */
int nl_hand_off_netfilter(int *token, berth_err *err);

/* Closes the netfilter sockets socks[0..n) (n <= NL_HAND_OFF_MAX; NULL
 * entries skipped) after commits of theirs, the last close left to a
 * detached process, as above. */
#define NL_HAND_OFF_MAX 31
void nl_close_detached(nl_sock *const *socks, size_t n);

/* Reaps those detached processes that have ended: each is reaped when
 * the next starts, so a long-lived caller calls this now and then, or the
 * last one stays a zombie of its own. */
void nl_detached_reap(void);

/* What the detached process wrote to the read end `fd`: 0 after EOF
 * (the kernel accepted the request), else the kernel's error. */
int nl_detached_result(int fd, berth_err *err);

#endif
