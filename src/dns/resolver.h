/* berth's resolver: one process per host (`berth dns serve`) answers
 * every container on a network of the user's, from the store, and
 * forwards what is not berth's to the host's servers (DESIGN.md:
 * resident processes). Its files in the run dir: */
#ifndef BERTH_DNS_RESOLVER_H
#define BERTH_DNS_RESOLVER_H

#include "berth.h"

/* Where containers ask it (dns/listen.h). */
#define DNS_RESOLVER_ADDR "127.0.0.11"
/* Held (a POSIX lock) by the running resolver: one per host. */
#define DNS_LOCK_FILE "dns.lock"
/* Its pid, for people; removed when it exits by itself. */
#define DNS_PID_FILE "dns.pid"
/* Where a berth command tells it that the store changed and waits until
 * it serves what the store now has: "sync" -> "ok". */
#define DNS_CONTROL_SOCKET "dns.sock"
/* Its complaints (a sandbox it could not serve, an upstream server it
 * could not use). */
#define DNS_LOG_FILE "dns.log"

/* Serves until no container has needed it for 5 s (or SIGTERM). -EBUSY
 * when another one runs. Writes its complaints to stderr. */
int dns_serve(const char *root, const char *run_dir, berth_err *err);

#endif
