/* Waiting for a container's first process to end. */
#ifndef BERTH_RUNTIME_WAIT_H
#define BERTH_RUNTIME_WAIT_H

#include <sys/types.h>

/* Waits for child `pid` to end and returns its exit code as a shell
 * reports it (255 when it cannot be waited for). Meanwhile, if `marker`
 * is not NULL, the appearance of that file (or its presence at the start)
 * calls on_marker(arg), once: a command that cannot reach this process
 * otherwise tells it something by creating the file. */
int wait_exit_watching(pid_t pid, const char *marker, void (*on_marker)(void *arg), void *arg);

#endif
