#include "runtime/netns.h"
#include "util/cleanup.h"
#include "util/crashpoint.h"
#include "util/dir.h"
#include "util/err.h"
#include "util/sysctl.h"
#include "util/xalloc.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int netns_dir_prepare(const char *dir, berth_err *err)
{
	int ret = dir_ensure_own(dir, 0755, err);

	if (ret < 0)
		return ret;
	/* Not MS_REC, as iproute2 does: the netns files bound in it need not
	 * be shared themselves (nothing is mounted on them), and a recursive
	 * change walks every one of them, one per container, each run. */
	if (mount(NULL, dir, NULL, MS_SHARED, NULL) == 0)
		return 0;
	/* not a mount point yet: make it one (iproute2's netns_add does this) */
	if (errno != EINVAL || mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, dir, NULL, MS_SHARED, NULL) < 0)
		return berth_err_sys(err, errno, "making %s a shared mount", dir);
	return 0;
}

/* Links born here later (a container's eth0, eth1, ...) start with IPv6
 * disabled, as Docker's do on networks without IPv6: no link-local
 * address, no autoconfiguration, nothing answered over IPv6. lo, made
 * with the namespace, keeps ::1. A network with IPv6 turns it on for its
 * own link. */
static int ipv6_off_by_default(berth_err *err)
{
	return sysctl_link_ipv6_default_off(err);
}

static int bind_new_netns(const char *path, berth_err *err)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (self < 0)
		return berth_err_sys(err, errno, "opening the current network namespace");
	if (unshare(CLONE_NEWNET) < 0)
		return berth_err_sys(err, errno, "creating a network namespace");
	if ((ret = ipv6_off_by_default(err)) == 0 && mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		ret = berth_err_sys(err, errno, "binding the network namespace to %s", path);
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* cannot go on in the wrong namespace */
	return ret;
}

int netns_create(const char *path, berth_err *err)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	int ret;

	if (fd < 0)
		return berth_err_sys(err, errno, "creating %s", path);
	close(fd);
	if ((ret = bind_new_netns(path, err)) < 0)
		unlink(path);
	else
		crash_point("netns bound");
	return ret;
}

int netns_delete(const char *path, berth_err *err)
{
	/* MNT_DETACH: a process still inside keeps it alive; we need not wait */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berth_err_sys(err, errno, "unmounting %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berth_err_sys(err, errno, "removing %s", path);
	crash_point("netns removed");
	return 0;
}

int netns_id_of(int fd, netns_id *out, berth_err *err)
{
	struct stat st;
	int type = ioctl(fd, NS_GET_NSTYPE);

	if (type < 0 && errno != ENOTTY && errno != EINVAL)
		return berth_err_sys(err, errno, "asking what namespace it is");
	if (type != CLONE_NEWNET)
		return berth_err_set(err, EINVAL, "not a network namespace");
	if (fstat(fd, &st) < 0)
		return berth_err_sys(err, errno, "reading the namespace");
	*out = (netns_id){ st.st_dev, st.st_ino };
	return 0;
}

bool netns_path_is(const char *path, const netns_id *id)
{
	struct stat st;

	return path && *path && stat(path, &st) == 0 && st.st_dev == id->dev && st.st_ino == id->ino;
}

int netns_adopt(int fd, const char *path, berth_err *err)
{
	char source[64];
	int file = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);

	if (file < 0)
		return berth_err_sys(err, errno, "creating %s", path);
	close(file);
	snprintf(source, sizeof(source), "/proc/self/fd/%d", fd);
	if (mount(source, path, NULL, MS_BIND, NULL) < 0) {
		int e = errno;
		unlink(path);
		return berth_err_sys(err, e, "binding the network namespace to %s", path);
	}
	crash_point("netns bound");
	return 0;
}

static bool in_netns(const netns_id *id, long pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	return netns_path_is(path, id);
}

/* The processes in the namespace; with pids NULL, stops at the first. */
static size_t pids_in(const netns_id *id, int **pids)
{
	_cleanup_closedir_ DIR *proc = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	while (proc && (e = readdir(proc))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || !in_netns(id, pid))
			continue;
		if (!pids)
			return 1;
		*pids = xrealloc(*pids, (n + 1) * sizeof(**pids));
		(*pids)[n++] = (int)pid;
	}
	return n;
}

bool netns_in_use(const netns_id *id)
{
	return pids_in(id, NULL) > 0;
}

size_t netns_pids(const char *path, int **pids)
{
	struct stat ns;

	*pids = NULL;
	if (stat(path, &ns) < 0)
		return 0;
	return pids_in(&(netns_id){ ns.st_dev, ns.st_ino }, pids);
}

/* By pidfd: a pid reused meanwhile is not killed, and its end is heard. */
static int kill_and_open(int pid)
{
	int fd = pidfd_open(pid, 0);

	if (fd >= 0 && pidfd_send_signal(fd, SIGKILL, NULL, 0) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A pidfd turns readable when its process has ended. */
static bool ended_by(int pidfd, long long deadline)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	long long left = deadline - now_ms();

	return poll(&p, 1, left > 0 ? (int)left : 0) == 1;
}

int netns_kill_all(const char *path, size_t *n, berth_err *err)
{
	_cleanup_free_ int *pids = NULL;
	size_t count = netns_pids(path, &pids);
	long long deadline = now_ms() + 5000;
	int ret = 0;

	*n = 0;
	for (size_t i = 0; i < count; i++)
		pids[i] = kill_and_open(pids[i]);
	for (size_t i = 0; i < count; i++) {
		if (pids[i] < 0)
			continue;
		(*n)++;
		if (!ended_by(pids[i], deadline) && ret == 0)
			ret = berth_err_set(err, ETIMEDOUT, "a process in %s did not end after SIGKILL", path);
		close(pids[i]);
	}
	return ret;
}
