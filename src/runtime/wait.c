#include "runtime/wait.h"
#include "runtime/spawn.h"
#include "util/cleanup.h"
#include "util/proc.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What wait_wake's signals carry (sigqueue's value, "brth"): a waiting
 * process tells them from someone's kill of the same signal, which is
 * not for it to take. */
#define WAKE_VALUE 0x62727468

static bool is_wake(int code, int value)
{
	return code == SI_QUEUE && value == WAKE_VALUE;
}

static int reap(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 255;
	return exit_code_of(status);
}

/* A signalfd for `sig`, which the caller has blocked; -1 when none. A
 * descriptor of this process: unlike inotify's instances, which are
 * counted per user (128 by default, for all of root's processes), there
 * is one for every monitor however many there are. */
static int signal_fd(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Whether the marker is there now (then on_marker has run). */
static bool marker_seen(const wait_watch *w)
{
	if (access(w->marker, F_OK) < 0)
		return false;
	w->on_marker(w->arg);
	return true;
}

/* Takes the signals that came. Each looks for the marker until it is
 * seen, not only wakes: a wake sent while someone's signal was pending
 * merged into it (a standard signal is pending once). */
static void take_signals(int fd, const wait_watch *w, bool *seen)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (!*seen)
			*seen = marker_seen(w);
		if (!is_wake(si.ssi_code, si.ssi_int) && w->on_other)
			w->on_other(w->arg);
	}
}

int wait_exit_watching(pid_t pid, const wait_watch *w)
{
	bool watching = w->marker || w->event_fd >= 0;
	_cleanup_close_ int pidfd = watching ? pidfd_open(pid, 0) : -1;
	_cleanup_close_ int sigs = pidfd >= 0 && w->marker ? signal_fd(w->wake) : -1;
	int events = pidfd >= 0 ? w->event_fd : -1;
	/* without a pidfd or signalfd, the marker goes unheard: the process
	 * still ends, and what on_marker lets go is let go then. Checked
	 * once the signalfd is there: a marker made before is seen, one made
	 * after comes with its signal. */
	bool seen = sigs >= 0 && marker_seen(w);

	/* the signalfd stays after the marker: someone's signals are passed on */
	while (sigs >= 0 || events >= 0) {
		struct pollfd p[3] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = sigs, .events = POLLIN },
				       { .fd = events, .events = POLLIN } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents)
			take_signals(sigs, w, &seen);
		if (p[2].revents)
			events = w->on_event(w->arg);
	}
	return reap(pid);
}

void wait_signal_block(int sig, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	if (sig)
		sigaddset(&set, sig);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void wait_signal_restore(int sig, const sigset_t *old, bool raise_after)
{
	static const struct timespec now = { 0 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	if (sig)
		sigaddset(&set, sig);
	/* taken while still blocked: unblocked first, a wake would fire */
	while (sig && sigtimedwait(&set, &si, &now) == sig)
		raise_after |= !is_wake(si.si_code, si.si_value.sival_int);
	pthread_sigmask(SIG_SETMASK, old, NULL);
	if (sig && raise_after)
		raise(sig);
}

void wait_wake(int pid, unsigned long long start, int sig)
{
	_cleanup_close_ int fd = pid > 0 ? pidfd_open(pid, 0) : -1;
	siginfo_t info;

	/* checked once the pidfd holds the process: a pid reused after the
	 * check would otherwise get the signal */
	if (fd < 0 || !proc_is_alive(pid, start) || !proc_blocks_signal(pid, sig))
		return;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	info.si_value.sival_int = WAKE_VALUE;
	pidfd_send_signal(fd, sig, &info, 0);
}
