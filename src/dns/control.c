#include "dns/control.h"
#include "dns/resolver.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int dns_control_lock(const char *run_dir, int *fd, berth_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/" DNS_LOCK_FILE, run_dir);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return berth_err_sys(err, errno, "opening %s", path);
	if (fcntl(*fd, F_SETLK, &fl) == 0)
		return 0;
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	fcntl(*fd, F_GETLK, &fl);
	return berth_err_set(err, EBUSY, "the DNS resolver already runs (pid %d)", (int)fl.l_pid);
}

void dns_control_write_pid(const char *run_dir)
{
	_cleanup_free_ char *path = xasprintf("%s/" DNS_PID_FILE, run_dir);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd >= 0)
		dprintf(fd, "%d\n", (int)getpid());
}

int dns_control_listen(const char *run_dir, int *out, berth_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" DNS_CONTROL_SOCKET, run_dir) >=
	    (int)sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return berth_err_set(err, ENAMETOOLONG, "run dir %s: too long for a socket's path", run_dir);
	}
	unlink(sa.sun_path); /* a dead resolver's: the lock is ours */
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0600) < 0 ||
	    listen(fd, 64) < 0) {
		int ret = berth_err_sys(err, errno, "listening on %s", sa.sun_path);
		if (fd >= 0)
			close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

void dns_control_answer(int listening, dns_control_sync sync, void *arg)
{
	int fd;

	while ((fd = accept4(listening, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		struct timeval tv = { .tv_sec = 2 };
		char cmd[16] = { 0 };
		berth_err err = { 0 };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(fd, cmd, sizeof(cmd) - 1, 0) > 0 && !strcmp(cmd, "sync")) {
			const char *answer_text = sync(arg, &err) == 0 ? "ok" : err.msg;
			send(fd, answer_text, strlen(answer_text), MSG_NOSIGNAL);
		}
		berth_err_clear(&err);
		close(fd);
	}
}
