/* Who owns a pending row: a pid plus its start time, so that a reused
 * pid is not mistaken for the original owner. */
#ifndef BERTH_UTIL_PROC_H
#define BERTH_UTIL_PROC_H

#include <stdbool.h>
#include <stddef.h>

/* Start time of a process in clock ticks since boot; 0 if it is gone
 * (or a zombie). */
unsigned long long proc_start_time(int pid);
bool proc_is_alive(int pid, unsigned long long start_time);
/* Whether every thread of process pid blocks signal sig: one sent to the
 * process then waits for whoever takes it (a signalfd, sigwait) instead
 * of taking its action. */
bool proc_blocks_signal(int pid, int sig);

/* Closes every descriptor above 2 but those in keep (-1s are ignored).
 * For a process that outlives its caller: one that kept the caller's
 * descriptors would hold its pipes open (a shell pipeline, bats, a make
 * jobserver would wait for it). */
void close_fds_except(const int *keep, size_t n);

#endif
