/* Who owns a pending row: a pid plus its start time, so that a reused
 * pid is not mistaken for the original owner. */
#ifndef BERTH_UTIL_PROC_H
#define BERTH_UTIL_PROC_H

#include <stdbool.h>

/* Start time of a process in clock ticks since boot; 0 if it is gone
 * (or a zombie). */
unsigned long long proc_start_time(int pid);
bool proc_is_alive(int pid, unsigned long long start_time);

#endif
