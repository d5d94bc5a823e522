/* Choosing the one process that guards the firewall table: a POSIX lock
 * on a file in the run directory. The kernel lets it go when its holder
 * dies, however it dies, and F_GETLK names the holder, whose pidfd the
 * others wait on: no polling, and no wake-up of anyone but the guard
 * while the guard lives. */
#include "core/fw_guard.h"
#include "core/firewall.h"
#include "nl/nl.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <unistd.h>

struct fw_guard {
	berth_config cfg;
	int lock_fd;
	nl_sock *events; /* the guard's */
	int holder_fd; /* the others': the guard's pidfd */
};

static bool take_lock(int fd)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	return fcntl(fd, F_SETLK, &l) == 0;
}

/* The process holding the lock; 0 when none is (or it cannot be named:
 * a process of another PID namespace). */
static pid_t holder_of(int fd)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	return fcntl(fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK ? l.l_pid : 0;
}

static void become_guard(fw_guard *g)
{
	berth_err ignored = { 0 };

	if (fw_guard_watch(&g->events, &ignored) < 0)
		berth_err_clear(&ignored);
	/* a flush between the last guard's exit and now went unheard */
	fw_guard_check(&g->cfg);
}

/* Guard, or waiting on the one that is. A holder whose pidfd we opened
 * and who still holds the lock after is the process we watch (a lock
 * held is a process alive). */
static void elect(fw_guard *g)
{
	for (int tries = 0; tries < 100; tries++) {
		pid_t pid;
		if (take_lock(g->lock_fd)) {
			become_guard(g);
			return;
		}
		if ((pid = holder_of(g->lock_fd)) <= 0)
			continue;
		g->holder_fd = pidfd_open(pid, 0);
		if (g->holder_fd >= 0 && holder_of(g->lock_fd) == pid)
			return;
		if (g->holder_fd >= 0)
			g->holder_fd = (close(g->holder_fd), -1);
	}
}

fw_guard *fw_guard_join(const berth_config *cfg)
{
	_cleanup_free_ char *path = xasprintf("%s/fw-guard.lock", cfg->run_dir);
	fw_guard *g = xzalloc(sizeof(*g));

	g->cfg = *cfg;
	g->holder_fd = -1;
	g->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (g->lock_fd < 0) {
		free(g);
		return NULL;
	}
	elect(g);
	return g;
}

int fw_guard_fd(const fw_guard *g)
{
	return g->events ? nl_sock_fd(g->events) : g->holder_fd;
}

void fw_guard_ready(fw_guard *g)
{
	if (g->events) {
		fw_guard_heard(g->events, &g->cfg);
		return;
	}
	close(g->holder_fd);
	g->holder_fd = -1;
	elect(g);
}

void fw_guard_leave(fw_guard *g)
{
	if (!g)
		return;
	nl_close(g->events);
	if (g->holder_fd >= 0)
		close(g->holder_fd);
	/* closing the file lets the lock go: the others take over */
	close(g->lock_fd);
	free(g);
}
