#pragma once

/* Moves a long-lived descriptor to FD_SETSIZE or above and returns the
 * new one (the old one is closed); where the limit on open files does not
 * allow it, returns fd as it was.
 *
 * Why: libnftables (1.0.6, Debian 12's) waits for netlink replies with
 * select(), and glibc aborts a process that puts a descriptor of 1024 or
 * more in an fd_set. A process holding thousands of sockets (the DNS
 * resolver: two per container) keeps the low numbers free for it. */
int fd_move_high(int fd);
