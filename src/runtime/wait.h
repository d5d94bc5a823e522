/* Waiting for a container's first process to end. */
#ifndef BERTH_RUNTIME_WAIT_H
#define BERTH_RUNTIME_WAIT_H

#include <stdbool.h>
#include <sys/types.h>

/* What a waiting process reacts to meanwhile. */
typedef struct wait_watch {
	/* NULL: none. The appearance of this file (or its presence at the
	 * start) calls on_marker(arg), once: a command that cannot reach the
	 * waiting process otherwise tells it something by creating the file. */
	const char *marker;
	void (*on_marker)(void *arg);
	/* -1: none. on_event(arg) each time it is readable; it reads it and
	 * returns the descriptor to watch from then on (-1: none). */
	int event_fd;
	int (*on_event)(void *arg);
	void *arg;
} wait_watch;

/* Waits for child `pid` to end and returns its exit code as a shell
 * reports it (255 when it cannot be waited for), reacting to `w`. */
int wait_exit_watching(pid_t pid, const wait_watch *w);

#endif
