#include "runtime/wait.h"
#include "runtime/spawn.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int reap(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 255;
	return exit_code_of(status);
}

/* inotify on the marker's directory; -1 when it cannot be watched. */
static int watch_dir_of(const char *marker)
{
	_cleanup_free_ char *copy = xstrdup(marker);
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd >= 0 && inotify_add_watch(fd, dirname(copy), IN_CREATE | IN_MOVED_TO) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Whether the marker is there now (then on_marker has run). */
static bool marker_seen(const wait_watch *w)
{
	if (access(w->marker, F_OK) < 0)
		return false;
	w->on_marker(w->arg);
	return true;
}

int wait_exit_watching(pid_t pid, const wait_watch *w)
{
	bool watching = w->marker || w->event_fd >= 0;
	_cleanup_close_ int pidfd = watching ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	_cleanup_close_ int ino = pidfd >= 0 && w->marker ? watch_dir_of(w->marker) : -1;
	int events = pidfd >= 0 ? w->event_fd : -1;

	/* without a pidfd or inotify, the marker goes unheard: the process
	 * still ends, and what on_marker lets go is let go then. Checked
	 * after the watch is set: a marker made before is seen. */
	if (ino >= 0 && marker_seen(w))
		ino = (close(ino), -1);
	while (ino >= 0 || events >= 0) {
		struct pollfd p[3] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = ino, .events = POLLIN },
				       { .fd = events, .events = POLLIN } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents) {
			drain(ino);
			if (marker_seen(w))
				ino = (close(ino), -1);
		}
		if (p[2].revents)
			events = w->on_event(w->arg);
	}
	return reap(pid);
}
