#include "core/resolver.h"
#include "core/sandbox.h"
#include "dns/resolver.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/proc.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a command waits for a resolver to start and answer. */
#define START_TIMEOUT_MS 5000
/* A resolver just started has this long to take its lock before another
 * is started in its place. */
#define LOCK_GRACE_MS 200

static char *run_file(berth_ctx *ctx, const char *name)
{
	return xasprintf("%s/%s", ctx->run_dir, name);
}

/* The lock file exists: a resolver ran since the run dir was made. */
static bool ever_ran(berth_ctx *ctx)
{
	_cleanup_free_ char *path = run_file(ctx, DNS_LOCK_FILE);

	return access(path, F_OK) == 0;
}

static bool running(berth_ctx *ctx)
{
	_cleanup_free_ char *path = run_file(ctx, DNS_LOCK_FILE);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	return fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

/* Serves in a process of its own, in a session of its own (double
 * fork: nobody's child but init's), as a monitor does. */
__attribute__((noreturn)) static void serve_detached(berth_ctx *ctx)
{
	char *root = xstrdup(ctx->root), *run_dir = xstrdup(ctx->run_dir);
	_cleanup_free_ char *log = run_file(ctx, DNS_LOG_FILE);
	berth_err err = { 0 };
	sigset_t none;

	/* the caller's store handle is not ours (core/container.c says why
	 * it must go), nor are its descriptors */
	store_close(ctx->store);
	ctx->store = NULL;
	close_fds_except(NULL, 0);
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	dup2(null_fd, 0);
	dup2(null_fd, 1);
	dup2(log_fd >= 0 ? log_fd : null_fd, 2);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "berth-dns");
	int ret = dns_serve(root, run_dir, &err);
	if (ret < 0 && ret != -EBUSY)
		fprintf(stderr, "berth dns: %s\n", err.msg);
	_exit(ret < 0 && ret != -EBUSY);
}

static int spawn(berth_ctx *ctx, berth_err *err)
{
	pid_t child = fork();

	if (child < 0)
		return berth_err_sys(err, errno, "starting the DNS resolver");
	if (child == 0) {
		setsid();
		if (fork() == 0)
			serve_detached(ctx);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	return 0;
}

static int control_connect(berth_ctx *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" DNS_CONTROL_SOCKET, ctx->run_dir);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* -ECONNRESET: the resolver went before it answered (it was leaving:
 * nothing needed it any more). */
static int ask_sync(int fd, berth_err *err)
{
	struct timeval tv = { .tv_sec = START_TIMEOUT_MS / 1000 };
	char answer[512];
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, "sync", 4, MSG_NOSIGNAL) != 4)
		return -ECONNRESET;
	n = recv(fd, answer, sizeof(answer) - 1, 0);
	if (n < 0 && errno == EAGAIN)
		return berth_err_set(err, ETIMEDOUT, "the DNS resolver did not answer");
	if (n <= 0)
		return -ECONNRESET;
	answer[n] = '\0';
	return strcmp(answer, "ok") ? berth_err_set(err, EIO, "the DNS resolver: %s", answer) : 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The resolver serves what the store has now; start: one is started
 * when none runs. */
static int sync_resolver(berth_ctx *ctx, bool start, berth_err *err)
{
	long long deadline = now_ms() + START_TIMEOUT_MS, spawned = 0;

	for (;;) {
		int fd = control_connect(ctx);
		if (fd >= 0) {
			int ret = ask_sync(fd, err);
			close(fd);
			if (ret != -ECONNRESET)
				return ret;
		}
		if (!start)
			return 0;
		if (now_ms() > deadline)
			return berth_err_set(err, ETIMEDOUT, "the DNS resolver did not start (its log: %s/%s)",
					     ctx->run_dir, DNS_LOG_FILE);
		/* one leaving still holds the lock: started again once it let go */
		if (!running(ctx) && now_ms() - spawned > LOCK_GRACE_MS) {
			int ret = spawn(ctx, err);
			if (ret < 0)
				return ret;
			spawned = now_ms();
		}
		usleep(2000);
	}
}

static bool serves(berth_ctx *ctx, const berth_container *c)
{
	if (c->own_dns)
		return false;
	const char *owner = strncmp(c->network_mode, "container:", 10) ? c->id : c->network_mode + 10;

	return store_container_on_user_network(ctx->store, owner);
}

int resolver_configure(berth_ctx *ctx, const berth_container *c, bool dropped, berth_err *err)
{
	bool with_resolver = serves(ctx, c);
	berth_err failed = { 0 };
	/* another runtime's container has that runtime's /etc files */
	int ret = c->external_id ? 0 : sandbox_write_etc(ctx, c, with_resolver, err);

	if (ret == 0 && !with_resolver && dropped)
		resolver_release(ctx);
	if (ret < 0 || !with_resolver)
		return ret;
	/* names are not worth a failed run: said, as Docker says nothing */
	if (sync_resolver(ctx, true, &failed) < 0)
		ctx_warn(ctx, "container %s: names will not resolve: %s", c->name, failed.msg);
	berth_err_clear(&failed);
	return 0;
}

void resolver_release(berth_ctx *ctx)
{
	berth_err ignored = { 0 };

	if (ever_ran(ctx))
		sync_resolver(ctx, false, &ignored);
	berth_err_clear(&ignored);
}

bool resolver_missing(berth_ctx *ctx)
{
	store_dns_row *rows;
	size_t n;
	bool needed = false;
	berth_err ignored = { 0 };

	if (!ever_ran(ctx) || running(ctx))
		return false;
	if (store_dns_rows(ctx->store, &rows, &n, &ignored) == 0) {
		for (size_t i = 0; i < n && !needed; i++)
			needed = rows[i].own_netns;
		store_dns_rows_free(rows, n);
	}
	berth_err_clear(&ignored);
	return needed;
}

int berth_dns_serve(const berth_config *cfg, berth_err *err)
{
	berth_ctx *ctx = NULL;
	int ret = ctx_open(cfg, &ctx, err);

	if (ret < 0)
		return ret;
	char *root = xstrdup(ctx->root), *run_dir = xstrdup(ctx->run_dir);
	berth_close(ctx);
	ret = dns_serve(root, run_dir, err);
	free(root);
	free(run_dir);
	return ret;
}

int resolver_start(berth_ctx *ctx, berth_err *err)
{
	return sync_resolver(ctx, true, err);
}
