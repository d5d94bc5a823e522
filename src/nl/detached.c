#include "nl/detached.h"
#include "util/crashpoint.h"
#include "util/err.h"

#include <errno.h>
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

/* The mapping starts with this; guard pages follow it and each stack. */
typedef struct reaper {
	/* set before the clone, then only read by the reaper */
	int sock, report;
	size_t len;
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

REAPER_CODE static int reap(void *arg)
{
	reaper *r = arg;
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

int nl_send_detached(nl_sock *own, const struct nlmsghdr *nlh, int report, berth_err *err)
{
	if (nlh->nlmsg_len > REQUEST_MAX)
		return berth_err_set(err, EMSGSIZE, "netlink request of %u bytes is too long for a reaper",
				     nlh->nlmsg_len);
	reclaim_ended();
	reaper *r = mmap(NULL, MAPPING, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (r == MAP_FAILED)
		return berth_err_sys(err, errno, "mapping a reaper's stacks");
	/* guard pages: an overflow faults instead of writing the next part */
	if (mprotect((char *)r + HEADER, PAGE, PROT_NONE) < 0 ||
	    mprotect((char *)r + REAPER_BASE + REAPER_STACK, PAGE, PROT_NONE) < 0) {
		int e = errno;
		munmap(r, MAPPING);
		return berth_err_sys(err, e, "protecting a reaper's stacks");
	}
	r->sock = nl_sock_fd(own);
	r->report = report;
	r->len = nlh->nlmsg_len;
	memcpy(r->request, nlh, r->len);
	int ret = start(r, err);
	if (ret < 0) {
		munmap(r, MAPPING);
		return ret;
	}
	pthread_mutex_lock(&running_lock);
	r->next = running;
	running = r;
	pthread_mutex_unlock(&running_lock);
	crash_point("rtnetlink, detached");
	return 0;
}

int nl_detached_result(int fd, berth_err *err)
{
	char answer[ANSWER_MAX];
	ssize_t n = TEMP_FAILURE_RETRY(read(fd, answer, sizeof(answer)));

	if (n < 0)
		return berth_err_sys(err, errno, "reading what a reaper reported");
	return n == 0 ? 0 : nl_answer_error(answer, (size_t)n, err);
}
