#include "nl/detached.h"
#include "util/crashpoint.h"
#include "util/err.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/netlink.h>

/* Why not fork(). A forked reaper shares the caller's pages copy-on-write
 * for as long as it lives (15-50 ms, the kernel's unregistering), so
 * every page the caller writes meanwhile is a fault and a copy: 3-5 ms
 * more for a `network disconnect`, whose store transaction runs then.
 *
 * So the reaper is clone(CLONE_VM): a process (the caller's exit does not
 * wait for it, as it would for a thread) in the caller's memory, which it
 * must therefore leave alone. It runs on a stack of its own, calls nothing
 * but system calls, and has a thread-local storage of its own for errno:
 * it is cloned from a short-lived pthread whose stack, and so whose TLS
 * (glibc puts it at the stack's top), lies in a mapping of ours. The
 * mapping is unmapped only once the reaper has been reaped. It is no
 * zombie of the caller's for long: it exits with no signal (a "clone"
 * child, which only __WCLONE waits for, so the caller's own SIGCHLD
 * handling never sees it), is reaped when the next one starts, and after
 * the caller's exit init reaps it. */

#define PAGE 4096
#define HEADER (2 * PAGE)
#define REAPER_STACK (32 * 1024)
/* glibc takes the thread's TLS and descriptor from the top of its stack */
#define THREAD_STACK (256 * 1024)
#define REAPER_BASE (HEADER + PAGE)
#define THREAD_BASE (REAPER_BASE + REAPER_STACK + PAGE)
#define MAPPING (THREAD_BASE + THREAD_STACK)
#define ANSWER_MAX 1024

#define HELD_MAX (NL_HAND_OFF_MAX + 1)

/* The mapping starts with this; guard pages follow it and each stack. */
typedef struct reaper {
	/* set before the clone, then only read by the reaper */
	int sock, report;
	size_t len;
	/* or, instead of a request: descriptors to hold, ascending, and close
	 * once the caller has closed its own (EOF on `report`, one of them) */
	int held[HELD_MAX];
	int n_held;
	/* set by the spawning thread */
	pid_t pid;
	int clone_errno;
	/* the caller's list of reapers that may still run */
	struct reaper *next;
	/* the reaper's */
	char answer[ANSWER_MAX];
	char request[];
} reaper;

#define REQUEST_MAX (HEADER - sizeof(reaper))

static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static reaper *running;

/* Nothing instrumented in the reaper: the sanitizers' state is the caller's. */
#define REAPER_CODE __attribute__((no_sanitize("address", "undefined")))

REAPER_CODE static inline bool is_failure(const char *answer, long len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)answer;
	const struct nlmsgerr *e = (const struct nlmsgerr *)(nlh + 1);

	return len >= (long)(sizeof(*nlh) + sizeof(*e)) && nlh->nlmsg_type == NLMSG_ERROR && e->error;
}

/* Closes every descriptor but the held ones; once the caller has closed
 * its copies (EOF on the pipe `report`), closes those (the last holder's
 * close, which is what waits) and ends. */
REAPER_CODE static int hold_and_close(reaper *r)
{
	unsigned from = 0;
	char byte;

	syscall(SYS_setsid);
	for (int i = 0; i < r->n_held; i++) {
		if ((unsigned)r->held[i] > from)
			syscall(SYS_close_range, from, (unsigned)r->held[i] - 1, 0U);
		from = (unsigned)r->held[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0U);
	while (syscall(SYS_read, r->report, &byte, 1) > 0)
		;
	for (int i = 0; i < r->n_held; i++)
		syscall(SYS_close, r->held[i]);
	return 0;
}

REAPER_CODE static int reap(void *arg)
{
	reaper *r = arg;
	if (r->n_held)
		return hold_and_close(r);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int lo = r->sock < r->report ? r->sock : r->report, hi = r->sock ^ r->report ^ lo;
	long n;

	/* not in the caller's session; and holding no descriptor but these
	 * two (command substitution in the caller's shell waits until every
	 * holder of its pipe is gone) */
	syscall(SYS_setsid);
	if (lo > 0)
		syscall(SYS_close_range, 0U, (unsigned)lo - 1, 0U);
	if (hi > lo + 1)
		syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0U);
	syscall(SYS_close_range, (unsigned)hi + 1, ~0U, 0U);

	n = syscall(SYS_sendto, r->sock, r->request, r->len, 0, &kernel, sizeof(kernel));
	if (n >= 0)
		n = syscall(SYS_recvfrom, r->sock, r->answer, sizeof(r->answer), 0, NULL, NULL);
	if (n < 0) {
		/* the answer the kernel would have given */
		struct nlmsghdr *nlh = (struct nlmsghdr *)r->answer;
		struct nlmsgerr *e = (struct nlmsgerr *)(nlh + 1);
		n = (long)(sizeof(*nlh) + sizeof(*e));
		/* field by field: memset may be the sanitizer's */
		nlh->nlmsg_len = (unsigned)n;
		nlh->nlmsg_type = NLMSG_ERROR;
		nlh->nlmsg_flags = 0;
		e->error = -errno;
	}
	if (is_failure(r->answer, n))
		syscall(SYS_write, r->report, r->answer, (size_t)n);
	/* the caller's EOF now: the socket's close, at the exit, may be
	 * slow (after a netfilter commit, an RCU grace period) */
	syscall(SYS_close, r->report);
	return 0;
}

static void *spawn(void *arg)
{
	reaper *r = arg;

	/* no CLONE_FILES: its descriptors are a copy, closed in there */
	r->pid = clone(reap, (char *)r + REAPER_BASE + REAPER_STACK, CLONE_VM, r);
	r->clone_errno = r->pid < 0 ? errno : 0;
	return NULL;
}

/* Unmaps the mappings of reapers that have ended. */
static void reclaim_ended(void)
{
	pthread_mutex_lock(&running_lock);
	for (reaper **p = &running; *p;) {
		reaper *r = *p;
		pid_t w = waitpid(r->pid, NULL, WNOHANG | __WCLONE);
		/* ECHILD: someone waiting for any child took it; it ended too */
		if (w == r->pid || (w < 0 && errno == ECHILD)) {
			*p = r->next;
			munmap(r, MAPPING);
		} else {
			p = &r->next;
		}
	}
	pthread_mutex_unlock(&running_lock);
}

static int start(reaper *r, berth_err *err)
{
	pthread_attr_t attr;
	pthread_t thread;
	sigset_t all, old;
	int e;

	if ((e = pthread_attr_init(&attr)) != 0)
		return berth_err_sys(err, e, "starting a reaper");
	pthread_attr_setstack(&attr, (char *)r + THREAD_BASE, THREAD_STACK);
	/* The thread, and the reaper after it, take no signal: a handler of
	 * the caller's must never run on their stacks, in the caller's
	 * memory. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&thread, &attr, spawn, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (e != 0)
		return berth_err_sys(err, e, "starting a reaper thread");
	pthread_join(thread, NULL);
	if (r->pid < 0)
		return berth_err_sys(err, r->clone_errno, "starting a reaper");
	return 0;
}

void nl_detached_reap(void)
{
	reclaim_ended();
}

/* A reaper's mapping, with its guard pages. */
static reaper *reaper_map(berth_err *err)
{
	reclaim_ended();
	reaper *r = mmap(NULL, MAPPING, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (r == MAP_FAILED) {
		berth_err_sys(err, errno, "mapping a reaper's stacks");
		return NULL;
	}
	/* guard pages: an overflow faults instead of writing the next part */
	if (mprotect((char *)r + HEADER, PAGE, PROT_NONE) < 0 ||
	    mprotect((char *)r + REAPER_BASE + REAPER_STACK, PAGE, PROT_NONE) < 0) {
		berth_err_sys(err, errno, "protecting a reaper's stacks");
		munmap(r, MAPPING);
		return NULL;
	}
	return r;
}

/* Starts it and keeps it in the list of those to reap. */
static int reaper_run(reaper *r, berth_err *err)
{
	int ret = start(r, err);

	if (ret < 0) {
		munmap(r, MAPPING);
		return ret;
	}
	pthread_mutex_lock(&running_lock);
	r->next = running;
	running = r;
	pthread_mutex_unlock(&running_lock);
	return 0;
}

int nl_send_detached(nl_sock *own, const void *request, size_t len, int report, berth_err *err)
{
	if (len > REQUEST_MAX)
		return berth_err_set(err, EMSGSIZE, "netlink request of %zu bytes is too long for a reaper", len);
	reaper *r = reaper_map(err);
	if (!r)
		return -err->code;
	r->sock = nl_sock_fd(own);
	r->report = report;
	r->len = len;
	memcpy(r->request, request, len);
	int ret = reaper_run(r, err);
	if (ret == 0)
		crash_point("rtnetlink, detached");
	return ret;
}

static bool is_netfilter_socket(int fd)
{
	int domain = 0, proto = 0;
	socklen_t len = sizeof(domain);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_NETLINK)
		return false;
	len = sizeof(proto);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == NETLINK_NETFILTER;
}

static int compare_fds(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Ascending, as the reaper closes around them. */
static int netfilter_sockets(int *fds, int max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (!*end && e->d_name[0] != '.' && fd != dirfd(d) && is_netfilter_socket((int)fd))
			fds[n++] = (int)fd;
	}
	if (d)
		closedir(d);
	qsort(fds, (size_t)n, sizeof(*fds), compare_fds);
	return n;
}

/* A reaper holding fds[0..n) (n < HELD_MAX) until the caller closes
 * *token. */
static int hand_off(const int *fds, int n, int *token, berth_err *err)
{
	int done[2];
	reaper *r;

	*token = -1;
	if (n == 0)
		return 0;
	if (!(r = reaper_map(err)))
		return -err->code;
	if (pipe2(done, O_CLOEXEC) < 0) {
		munmap(r, MAPPING);
		return berth_err_sys(err, errno, "creating a pipe");
	}
	memcpy(r->held, fds, (size_t)n * sizeof(*fds));
	r->n_held = n;
	r->report = done[0];
	r->held[r->n_held++] = done[0];
	qsort(r->held, (size_t)r->n_held, sizeof(*r->held), compare_fds);
	int ret = reaper_run(r, err);
	close(done[0]);
	*token = ret == 0 ? done[1] : -1;
	if (ret < 0)
		close(done[1]);
	return ret;
}

int nl_hand_off_netfilter(int *token, berth_err *err)
{
	int fds[HELD_MAX - 1] = { 0 };

	return hand_off(fds, netfilter_sockets(fds, HELD_MAX - 1), token, err);
}

void nl_close_detached(nl_sock *const *socks, size_t n)
{
	int fds[NL_HAND_OFF_MAX] = { 0 };
	int k = 0, token = -1;
	berth_err ignored = { 0 };

	for (size_t i = 0; i < n && k < NL_HAND_OFF_MAX; i++)
		if (socks[i])
			fds[k++] = nl_sock_fd(socks[i]);
	/* not handed off: closed here, the slow way */
	hand_off(fds, k, &token, &ignored);
	berth_err_clear(&ignored);
	for (size_t i = 0; i < n; i++)
		nl_close(socks[i]);
	if (token >= 0)
		close(token);
}

int nl_detached_result(int fd, berth_err *err)
{
	char answer[ANSWER_MAX];
	ssize_t n = TEMP_FAILURE_RETRY(read(fd, answer, sizeof(answer)));

	if (n < 0)
		return berth_err_sys(err, errno, "reading what a reaper reported");
	return n == 0 ? 0 : nl_answer_error(answer, (size_t)n, err);
}
