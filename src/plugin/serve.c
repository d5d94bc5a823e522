#include "plugin/serve.h"
#include "plugin/orphans.h"
#include "plugin/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* systemd's first passed descriptor (sd_listen_fds(3)) */
#define LISTEN_FDS_START 3

static int failed(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failed(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* The socket systemd's socket unit made for us, or -1. */
static int activated_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (!pid || !fds || atol(pid) != (long)getpid() || atoi(fds) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	fcntl(LISTEN_FDS_START, F_SETFD, FD_CLOEXEC);
	return LISTEN_FDS_START;
}

/* Each missing directory of path's, as dockerd's /run/docker/plugins. */
static int make_parents(const char *path, char *why, size_t len)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return failed(why, len, "creating %s: %s", dir, strerror(errno));
		*p = '/';
	}
	return 0;
}

/* A socket file no one answers on is left from a server that died: it
 * goes. One that answers is another server's. */
static int clear_stale(const struct sockaddr_un *sa, char *why, size_t len)
{
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool answered = probe >= 0 && connect(probe, (const struct sockaddr *)sa, sizeof(*sa)) == 0;

	struct stat st;

	if (probe >= 0)
		close(probe);
	if (answered)
		return failed(why, len, "another plugin server answers on %s", sa->sun_path);
	if (lstat(sa->sun_path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return failed(why, len, "%s exists and is not a socket", sa->sun_path);
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return failed(why, len, "removing %s: %s", sa->sun_path, strerror(errno));
	return 0;
}

static int listen_on(const char *path, char *why, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return failed(why, len, "socket path %s is too long (at most %zu characters)", path, sizeof(sa.sun_path) - 1);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (make_parents(path, why, len) < 0 || clear_stale(&sa, why, len) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return failed(why, len, "creating a socket: %s", strerror(errno));
	/* bound under a name of its own, listening, then renamed into place:
	 * the file appears when it answers (dockerd, or a test, that finds it
	 * and connects at once is not refused) */
	struct sockaddr_un staged = sa;
	int n = snprintf(staged.sun_path, sizeof(staged.sun_path), "%s.%d", path, (int)getpid());
	const struct sockaddr_un *at = n > 0 && (size_t)n < sizeof(staged.sun_path) ? &staged : &sa;
	/* dockerd is root's: nobody else may drive berth through it */
	mode_t old = umask(0177);
	int bound = bind(fd, (const struct sockaddr *)at, sizeof(*at));
	umask(old);
	if (bound < 0 || listen(fd, 64) < 0 || (at == &staged && rename(staged.sun_path, path) < 0)) {
		int e = errno;
		close(fd);
		if (bound == 0 && at == &staged)
			unlink(staged.sun_path);
		return failed(why, len, "listening on %s: %s", path, strerror(e));
	}
	return fd;
}

/* Until SIGTERM or SIGINT, blocked in every thread (libmicrohttpd's
 * inherits the mask) and taken here. */
static void wait_for_end(const sigset_t *ends)
{
	int sig;

	while (sigwait(ends, &sig) != 0)
		;
}

int plugin_serve(const berth_config *cfg, const char *socket_path, const char *docker_host, char *why,
		 size_t why_len)
{
	plugin_state st = { .cfg = *cfg, .docker_host = docker_host };
	int fd = activated_socket();
	bool own_file = fd < 0;
	sigset_t ends, old;

	if (fd < 0 && (fd = listen_on(socket_path, why, why_len)) < 0)
		return -1;
	sigemptyset(&ends);
	sigaddset(&ends, SIGTERM);
	sigaddset(&ends, SIGINT);
	pthread_sigmask(SIG_BLOCK, &ends, &old);
	/* a client that goes away mid-reply must not end the server */
	signal(SIGPIPE, SIG_IGN);
	/* before any thread: libcurl's own setup is not thread-safe */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	plugin_orphans_sweep(&st);
	/* one thread serves every request, in turn: the handlers share one
	 * berth context and the store serializes writers anyway */
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
						plugin_http_answer, &st, MHD_OPTION_LISTEN_SOCKET, fd,
						MHD_OPTION_NOTIFY_COMPLETED, plugin_http_completed, &st,
						MHD_OPTION_END);
	int ret = 0;
	if (!d) {
		ret = failed(why, why_len, "serving HTTP on %s: libmicrohttpd would not start", socket_path);
	} else {
		wait_for_end(&ends);
		MHD_stop_daemon(d);
	}
	close(fd);
	if (own_file)
		unlink(socket_path);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	curl_global_cleanup();
	return ret;
}
