#include "runtime/mntns.h"
#include "util/cleanup.h"
#include "util/crashpoint.h"
#include "util/dir.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* An fd on `path` if a mount namespace is bound there; -1 otherwise. */
static int open_bound(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct statfs sfs;

	if (fd >= 0 && (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int make_private_dir(const char *dir, berth_err *err)
{
	int ret = dir_ensure_own(dir, 0700, err);

	if (ret < 0)
		return ret;
	if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) == 0)
		return 0;
	/* not a mount point yet: make it one */
	if (errno != EINVAL || mount(dir, dir, NULL, MS_BIND, NULL) < 0 || mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0)
		return berth_err_sys(err, errno, "making %s a private mount", dir);
	return 0;
}

/* In a child: a new mount namespace, slave of ours, without hide_dir.
 * It reports through `ready` and lives until `hold` is closed. */
__attribute__((noreturn)) static void template_child(const char *hide_dir, int cpu, int ready, int hold)
{
	cpu_set_t set;
	char ok = 1;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0 || unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    (umount2(hide_dir, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT))
		ok = 0;
	if (write(ready, &ok, 1) != 1)
		_exit(1);
	while (read(hold, &ok, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int bind_template(pid_t holder, const char *path, bool *loop, berth_err *err)
{
	_cleanup_free_ char *ns = xasprintf("/proc/%d/ns/mnt", (int)holder);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0400);

	*loop = false;
	if (fd < 0)
		return berth_err_sys(err, errno, "creating %s", path);
	if (mount(ns, path, NULL, MS_BIND, NULL) == 0) {
		crash_point("mount namespace template");
		return 0;
	}
	*loop = errno == EINVAL;
	return berth_err_sys(err, errno, "binding the containers' mount namespace to %s", path);
}

/* One try, with the new namespace made on `cpu`. *loop: the kernel saw
 * the new namespace as older than ours (see make_template). */
static int make_template_on(const char *path, const char *hide_dir, int cpu, bool *loop, berth_err *err)
{
	int ready[2], hold[2], ret = 0;
	char ok = 0;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return berth_err_sys(err, errno, "creating a pipe");
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return berth_err_sys(err, errno, "creating a pipe");
	}
	pid_t child = fork();
	if (child == 0) {
		close(ready[0]);
		close(hold[1]);
		template_child(hide_dir, cpu, ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	if (child < 0)
		ret = berth_err_sys(err, errno, "forking");
	else if (read(ready[0], &ok, 1) != 1 || !ok)
		ret = berth_err_set(err, EIO, "preparing the containers' mount namespace");
	else
		ret = bind_template(child, path, loop, err);
	close(ready[0]);
	close(hold[1]);
	while (child > 0 && waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	return ret;
}

/* The kernel refuses to bind a mount namespace that is not newer than
 * the caller's (a loop guard), comparing namespace ids. Since Linux 6.18
 * those ids come from per-CPU batches, so a namespace made on another CPU
 * than ours was may look older. Made on the CPU ours was made on, it is
 * newer; we do not know which CPU that was, so we try each in turn. */
static int make_template(const char *path, const char *hide_dir, berth_err *err)
{
	cpu_set_t allowed;
	bool loop = false;
	int ret = berth_err_set(err, ENODEV, "no CPU to run on");

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return berth_err_sys(err, errno, "reading the CPU affinity");
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		berth_err_clear(err);
		ret = make_template_on(path, hide_dir, cpu, &loop, err);
		if (ret == 0 || !loop)
			break;
	}
	return ret;
}

int mntns_template_open(const char *path, const char *hide_dir, int *fd, berth_err *err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	_cleanup_free_ char *lock_path = xasprintf("%s/lock", dir);
	_cleanup_close_ int lock = -1;
	int ret;

	if ((*fd = open_bound(path)) >= 0)
		return 0;
	if ((ret = make_private_dir(dir, err)) < 0)
		return ret;
	lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return berth_err_sys(err, errno, "locking %s", lock_path);
	if ((*fd = open_bound(path)) >= 0) /* made while we waited */
		return 0;
	if ((ret = make_template(path, hide_dir, err)) < 0)
		return ret;
	if ((*fd = open_bound(path)) < 0)
		return berth_err_sys(err, errno ? errno : EIO, "opening %s", path);
	return 0;
}

int mntns_template_drop(const char *path, berth_err *err)
{
	/* containers already cloned keep their own copies: detach is enough */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berth_err_sys(err, errno, "unmounting %s", path);
	return 0;
}
