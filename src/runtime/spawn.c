#include "runtime/spawn.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a child that could not exec tells its parent through the pipe. */
typedef struct child_failure {
	int code;      /* errno */
	int exit_code; /* 126/127 for exec failures, 1 otherwise */
	char msg[480];
} child_failure;

__attribute__((noreturn, format(printf, 4, 5))) static void child_fail(int fd, int code, int exit_code,
								       const char *fmt, ...)
{
	child_failure f = { .code = code, .exit_code = exit_code };
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(f.msg, sizeof(f.msg), fmt, ap);
	va_end(ap);
	if (code && n >= 0 && (size_t)n < sizeof(f.msg))
		snprintf(f.msg + n, sizeof(f.msg) - (size_t)n, ": %s", strerror(code));
	if (write(fd, &f, sizeof(f)) < 0)
		_exit(exit_code);
	_exit(exit_code);
}

static void bind_file(int fd, const char *src_dir, const char *name, const char *root)
{
	char src[PATH_MAX], dst[PATH_MAX];

	snprintf(src, sizeof(src), "%s/%s", src_dir, name);
	snprintf(dst, sizeof(dst), "%s/etc/%s", root ? root : "", name);
	if (access(dst, F_OK) < 0) {
		int t = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (t >= 0)
			close(t);
	}
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		child_fail(fd, errno, 1, "binding %s over %s", src, dst);
}

static void enter_rootfs(int fd, const char *rootfs)
{
	char proc[PATH_MAX];

	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		child_fail(fd, errno, 1, "binding rootfs %s", rootfs);
	snprintf(proc, sizeof(proc), "%s/proc", rootfs);
	mkdir(proc, 0555);
	if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(fd, errno, 1, "mounting /proc in %s", rootfs);
	/* pivot_root(".", "."): the old root ends up on top and is detached */
	if (chdir(rootfs) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0)
		child_fail(fd, errno, 1, "pivot_root into %s", rootfs);
}

/* A sysfs made here shows the network namespace we are in: the
 * container's own interfaces, not the host's. Read-only, as Docker's:
 * writing brport/isolated or a parent's mtu there would undo what berth
 * set up. The host's /sys and its submounts (cgroup, debugfs, security)
 * are detached first, not merely covered: nothing below can be uncovered,
 * and our namespace is a slave, so the host keeps its own. */
static void mount_sysfs(int fd, const char *root)
{
	char sys[PATH_MAX];

	snprintf(sys, sizeof(sys), "%s/sys", root ? root : "");
	if (root)
		mkdir(sys, 0555);
	else if (umount2(sys, MNT_DETACH) < 0 && errno != EINVAL)
		child_fail(fd, errno, 1, "detaching the host's /sys");
	if (mount("sysfs", sys, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(fd, errno, 1, "mounting sysfs on %s", sys);
}

static void set_up_mounts(int fd, const spawn_opts *o)
{
	/* setns resets our root and cwd to the template's; then a copy of
	 * it of our own */
	if (setns(o->mntns_fd, CLONE_NEWNS) < 0 || unshare(CLONE_NEWNS) < 0)
		child_fail(fd, errno, 1, "creating the mount namespace");
	/* slave: our mounts stay here, while the host's still reach us */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		child_fail(fd, errno, 1, "making the mount namespace a slave");
	if (o->etc_dir) {
		bind_file(fd, o->etc_dir, "hosts", o->rootfs);
		bind_file(fd, o->etc_dir, "hostname", o->rootfs);
		bind_file(fd, o->etc_dir, "resolv.conf", o->rootfs);
	}
	mount_sysfs(fd, o->rootfs);
	if (o->rootfs)
		enter_rootfs(fd, o->rootfs);
	else if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(fd, errno, 1, "mounting /proc");
}

__attribute__((noreturn)) static void container_child(int fd, const spawn_opts *o)
{
	for (int i = 0; i < 3; i++)
		if (o->stdio[i] >= 0 && dup2(o->stdio[i], i) < 0)
			child_fail(fd, errno, 1, "setting up stdio");
	if (o->netns_fd >= 0 && setns(o->netns_fd, CLONE_NEWNET) < 0)
		child_fail(fd, errno, 1, "entering the network namespace");
	if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0)
		child_fail(fd, errno, 1, "setting the hostname %s", o->hostname);
	set_up_mounts(fd, o);
	/* nothing of berth's (store, netlink) may leak into the container */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	/* last: mounting needed CAP_SYS_ADMIN, which the container lacks */
	const char *what = NULL;
	int ret = caps_apply(o->privs.caps, o->privs.no_new_privs, &what);
	if (ret < 0)
		child_fail(fd, -ret, 1, "%s", what);
	signal(SIGPIPE, SIG_DFL);
	environ = (char **)o->envp;
	execvp(o->argv[0], o->argv);
	int e = errno;
	child_fail(fd, e, e == ENOENT ? 127 : 126, "exec \"%s\"", o->argv[0]);
}

int spawn_container(const spawn_opts *o, pid_t *pid, int *exec_failed, berth_err *err)
{
	int pipefd[2];
	child_failure f;

	*exec_failed = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berth_err_sys(err, errno, "creating a pipe");
	/* fork-like clone: the child starts as PID 1 of its own PID namespace */
	long child = syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL, NULL, NULL, NULL);
	if (child == 0) {
		close(pipefd[0]);
		container_child(pipefd[1], o);
	}
	close(pipefd[1]);
	if (child < 0) {
		close(pipefd[0]);
		return berth_err_sys(err, errno, "starting the container process");
	}
	ssize_t n = TEMP_FAILURE_RETRY(read(pipefd[0], &f, sizeof(f)));
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(f)) {
		waitpid((pid_t)child, NULL, 0);
		*exec_failed = f.exit_code;
		return berth_err_set(err, f.code ? f.code : EIO, "%s", f.msg);
	}
	*pid = (pid_t)child;
	return 0;
}

static const char *const ns_names[] = { "ipc", "uts", "net", "pid", "mnt" };

/* The process exec'd in a container's namespaces, forked in its PID
 * namespace. The caller's descriptors stay the caller's: an exec'd
 * command that kept them would hold the caller's pipes open. */
__attribute__((noreturn)) static void exec_child(char *const *argv, char *const *envp, const spawn_privs *privs)
{
	const char *what = NULL;
	int ret;

	if (chdir("/") < 0)
		_exit(125);
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	if ((ret = caps_apply(privs->caps, privs->no_new_privs, &what)) < 0) {
		fprintf(stderr, "berth: error: %s: %s\n", what, strerror(-ret));
		_exit(125);
	}
	environ = (char **)envp;
	execvp(argv[0], argv);
	int e = errno;
	fprintf(stderr, "berth: error: exec \"%s\": %s\n", argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

int spawn_in_namespaces(pid_t target, char *const *argv, char *const *envp, const spawn_privs *privs, pid_t *pid,
			berth_err *err)
{
	int fds[ARRAY_SIZE(ns_names)];
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", target, ns_names[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 && ret == 0)
			ret = berth_err_sys(err, errno, "opening %s", path);
	}
	pid_t child = ret == 0 ? fork() : -1;
	if (child == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
			if (setns(fds[i], 0) < 0)
				_exit(125);
		/* setns to a PID namespace applies to children: fork once more */
		pid_t inner = fork();
		if (inner == 0)
			exec_child(argv, envp, privs);
		int status = 0;
		while (inner > 0 && waitpid(inner, &status, 0) < 0 && errno == EINTR)
			;
		_exit(inner > 0 ? exit_code_of(status) : 125);
	}
	if (ret == 0 && child < 0)
		ret = berth_err_sys(err, errno, "forking");
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (ret == 0)
		*pid = child;
	return ret;
}

int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}
