/* The resolver's place in the run directory: the lock that makes it one
 * per host (DNS_LOCK_FILE), its pid (DNS_PID_FILE) and the control socket
 * (DNS_CONTROL_SOCKET) on which a berth command asks it to serve what
 * the store has now ("sync", answered "ok" or the reason it could not). */
#ifndef BERTH_DNS_CONTROL_H
#define BERTH_DNS_CONTROL_H

#include "berth.h"

/* The lock, held for as long as *fd is open; -EBUSY when another resolver
 * holds it (said with its pid). */
int dns_control_lock(const char *run_dir, int *fd, berth_err *err);
void dns_control_write_pid(const char *run_dir);
/* The control socket, listening, non-blocking; its descriptor in *fd. */
int dns_control_listen(const char *run_dir, int *fd, berth_err *err);

/* Answers every command waiting on the control socket fd: "sync" with
 * sync(arg)'s outcome. */
typedef int (*dns_control_sync)(void *arg, berth_err *err);
void dns_control_answer(int fd, dns_control_sync sync, void *arg);

#endif
