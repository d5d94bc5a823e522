/* Waiting for a container's first process to end. */
#ifndef BERTH_RUNTIME_WAIT_H
#define BERTH_RUNTIME_WAIT_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* What a waiting process reacts to meanwhile. */
typedef struct wait_watch {
	/* NULL: none. A command that cannot reach the waiting process
	 * otherwise tells it something by creating this file, then waking it
	 * with `wake` (wait_wake). on_marker(arg) runs once: when the file
	 * is there at the start, or when a signal finds it there. The file
	 * is the record, the signal only the knock: a file made before the
	 * wait began is seen all the same. The caller has blocked `wake`
	 * (wait_signal_block) since before anyone could send it. */
	const char *marker;
	int wake;
	void (*on_marker)(void *arg);
	/* Each `wake` signal that wait_wake did not send (someone's kill),
	 * for the caller to pass on; NULL: dropped. */
	void (*on_other)(void *arg);
	/* -1: none. on_event(arg) each time it is readable; it reads it and
	 * returns the descriptor to watch from then on (-1: none). */
	int event_fd;
	int (*on_event)(void *arg);
	void *arg;
} wait_watch;

/* Waits for child `pid` to end and returns its exit code as a shell
 * reports it (255 when it cannot be waited for), reacting to `w`. */
int wait_exit_watching(pid_t pid, const wait_watch *w);

/* Blocks `sig` in the calling thread (0: none), saving the mask before in
 * *old (NULL: not saved). Unblocked, a wake would take the signal's
 * default action: the end of the process. */
void wait_signal_block(int sig, sigset_t *old);
/* Puts back the mask wait_signal_block saved. A `sig` pending by then
 * came for the wait and is dropped, unless `raise_after`: then one is
 * raised once the mask is back (the caller's own, taken meanwhile by
 * on_other). */
void wait_signal_restore(int sig, const sigset_t *old, bool raise_after);

/* Wakes the process waiting with marker signal `sig`: process `pid` if it
 * is still the one that started at `start` and every thread of it blocks
 * `sig`. Nothing is sent to a process that is gone, to a pid reused
 * since, nor to one that would die of it (one that waits without the
 * signal, as berth's monitors did before they listened for it). */
void wait_wake(int pid, unsigned long long start, int sig);

#endif
