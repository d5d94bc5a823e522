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

int wait_exit_watching(pid_t pid, const char *marker, void (*on_marker)(void *arg), void *arg)
{
	_cleanup_close_ int pidfd = marker ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	_cleanup_close_ int ino = pidfd >= 0 ? watch_dir_of(marker) : -1;

	/* without a pidfd or inotify, the marker goes unheard: the process
	 * still ends, and what on_marker lets go is let go then */
	while (ino >= 0) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = ino, .events = POLLIN } };
		/* checked after the watch is set: a marker made before is seen */
		if (access(marker, F_OK) == 0) {
			on_marker(arg);
			break;
		}
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		drain(ino);
	}
	return reap(pid);
}
