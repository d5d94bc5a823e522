#include "nl/nl.h"
#include "util/crashpoint.h"
#include "util/err.h"
#include "util/netns_enter.h"
#include "util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* libmnl 1.0.4 lacks NL_RECV_SIZE: the kernel sends dump parts of up to
 * 32 KiB (one page at least), so a smaller buffer would truncate them. */
#define NL_RECV_SIZE 32768

/* Work handed off (a link being deleted by a detached process) that
 * later requests on the socket must not overtake. */
typedef struct nl_deferred {
	nl_settle_fn settle;
	void *state;
	struct nl_deferred *next;
} nl_deferred;

struct nl_sock {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
	nl_deferred *deferred; /* oldest first */
	berth_err settle_err;  /* what settling before a request found */
};

static int open_bus(int bus, unsigned groups, nl_sock **out, berth_err *err)
{
	nl_sock *nl = xzalloc(sizeof(*nl));
	int one = 1;

	nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->sock) {
		int e = errno;
		free(nl);
		return berth_err_sys(err, e, "opening a netlink socket");
	}
	/* Best effort: older kernels lack them and still work. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, groups, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		nl_close(nl);
		return berth_err_sys(err, e, "binding a netlink socket");
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	*out = nl;
	return 0;
}

int nl_open(nl_sock **out, berth_err *err)
{
	return open_bus(NETLINK_ROUTE, 0, out, err);
}

int nl_open_netfilter(unsigned groups, nl_sock **out, berth_err *err)
{
	return open_bus(NETLINK_NETFILTER, groups, out, err);
}

struct bus_args {
	int bus;
	unsigned groups;
	nl_sock **out;
};

static int open_bus_step(void *arg, berth_err *err)
{
	struct bus_args *a = arg;

	return open_bus(a->bus, a->groups, a->out, err);
}

/* A socket made in the namespace of `netns_fd` talks to it from then on;
 * the thread comes back to its own namespace at once. */
static int open_in_netns(int netns_fd, int bus, unsigned groups, nl_sock **out, berth_err *err)
{
	struct bus_args a = { .bus = bus, .groups = groups, .out = out };

	return in_netns(netns_fd, open_bus_step, &a, err);
}

int nl_open_in_netns(int netns_fd, nl_sock **out, berth_err *err)
{
	return open_in_netns(netns_fd, NETLINK_ROUTE, 0, out, err);
}

int nl_open_netfilter_in_netns(int netns_fd, nl_sock **out, berth_err *err)
{
	return open_in_netns(netns_fd, NETLINK_NETFILTER, 0, out, err);
}

static int netns_of(nl_sock *nl, berth_err *err)
{
	int fd = ioctl(mnl_socket_get_fd(nl->sock), SIOCGSKNS);

	if (fd < 0)
		return berth_err_sys(err, errno, "finding the network namespace of a netlink socket");
	return fd;
}

int nl_open_beside(nl_sock *nl, unsigned groups, nl_sock **out, berth_err *err)
{
	int netns = netns_of(nl, err);

	if (netns < 0)
		return netns;
	int ret = open_in_netns(netns, NETLINK_ROUTE, groups, out, err);
	close(netns);
	return ret;
}

/* One datagram the kernel sent: another process's (root may send to our
 * port) is dropped unread. */
static ssize_t recv_from_kernel(int fd, void *buf, size_t size, int flags)
{
	for (;;) {
		struct sockaddr_nl from = { 0 };
		socklen_t from_len = sizeof(from);
		ssize_t len = recvfrom(fd, buf, size, flags, (struct sockaddr *)&from, &from_len);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 || (from_len == sizeof(from) && from.nl_family == AF_NETLINK && from.nl_pid == 0))
			return len;
	}
}

int nl_watch_wait(nl_sock *watch, int extra_fd, int timeout_ms, nl_dump_cb cb, void *data)
{
	struct pollfd fds[2] = {
		{ .fd = mnl_socket_get_fd(watch->sock), .events = POLLIN },
		{ .fd = extra_fd, .events = POLLIN },
	};
	int n = poll(fds, extra_fd >= 0 ? 2 : 1, timeout_ms);

	if (n <= 0)
		return n < 0 ? -errno : NL_WATCH_TIMEOUT;
	if (extra_fd >= 0 && fds[1].revents)
		return NL_WATCH_EXTRA;
	char *buf = xmalloc(NL_RECV_SIZE);
	ssize_t len = recv_from_kernel(fds[0].fd, buf, NL_RECV_SIZE, MSG_DONTWAIT);
	int ret = NL_WATCH_NONE;
	if (len < 0)
		ret = errno == EAGAIN ? NL_WATCH_NONE : -errno;

	/* walked with nl_msg_ok, not mnl_cb_run (see nl_msg_ok) */
	int left = len < 0 ? 0 : (int)len;
	for (const struct nlmsghdr *nlh = (const void *)buf; nl_msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && cb(nlh, data) == MNL_CB_STOP) {
			ret = NL_WATCH_FOUND;
			break;
		}
	free(buf);
	return ret;
}

void nl_defer(nl_sock *nl, nl_settle_fn settle, void *state)
{
	nl_deferred *d = xzalloc(sizeof(*d)), **tail = &nl->deferred;

	d->settle = settle;
	d->state = state;
	while (*tail)
		tail = &(*tail)->next;
	*tail = d;
}

/* Every deferred job, oldest first; their failures join nl->settle_err. */
static void settle_all(nl_sock *nl)
{
	while (nl->deferred) {
		nl_deferred *d = nl->deferred;
		berth_err one = { 0 };

		/* off the list first: settling may send requests on nl */
		nl->deferred = d->next;
		if (d->settle(nl, d->state, &one) < 0)
			berth_err_append(&nl->settle_err, &one);
		berth_err_clear(&one);
		free(d);
	}
}

int nl_settle(nl_sock *nl, berth_err *err)
{
	settle_all(nl);
	if (!nl->settle_err.msg)
		return 0;
	int ret = berth_err_append(err, &nl->settle_err);
	berth_err_clear(&nl->settle_err);
	return ret;
}

void nl_close(nl_sock *nl)
{
	if (!nl)
		return;
	settle_all(nl);
	berth_err_clear(&nl->settle_err);
	mnl_socket_close(nl->sock);
	free(nl);
}

struct nlmsghdr *nl_msg_start(nl_sock *nl, void *buf, int type, int flags)
{
	memset(buf, 0, NL_BUFSIZE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

struct ifinfomsg *nl_put_ifinfo(struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	return ifi;
}

/* The ext-ack text the kernel appended to an NLMSG_ERROR, if any. */
static const char *ext_ack_text(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t offset = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* the request comes back whole, the attributes after it: none
		 * when the answer cannot hold the length it claims */
		if (e->msg.nlmsg_len < sizeof(struct nlmsghdr) ||
		    e->msg.nlmsg_len - sizeof(struct nlmsghdr) > mnl_nlmsg_get_payload_len(nlh) - offset)
			return NULL;
		offset += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

static int kernel_error(const struct nlmsghdr *nlh, berth_err *err)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *text = ext_ack_text(nlh);
	int code = -e->error;

	if (text && *text)
		return berth_err_set(err, code, "%s (%s)", strerror(code), text);
	return berth_err_set(err, code, "%s", strerror(code));
}

bool nl_msg_ok(const struct nlmsghdr *nlh, int left)
{
	return mnl_nlmsg_ok(nlh, left) && nlh->nlmsg_len <= (unsigned)left;
}

const void *nl_msg_header(const struct nlmsghdr *nlh, size_t size)
{
	return mnl_nlmsg_get_payload_len(nlh) >= size ? mnl_nlmsg_get_payload(nlh) : NULL;
}

int nl_answer_error(const void *buf, size_t len, berth_err *err)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	/* the error is 0 (an ack) or what the kernel's are: -1 to -4095 (MAX_ERRNO) */
	if (len > INT_MAX || !nl_msg_ok(nlh, (int)len) || nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < sizeof(*nlh) + sizeof(struct nlmsgerr) || e->error > 0 || e->error < -4095)
		return berth_err_set(err, EPROTO, "unexpected rtnetlink answer");
	return e->error ? kernel_error(nlh, err) : 0;
}

int nl_sock_fd(const nl_sock *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

/* Reads answers to `seq` until the ack or the end of a dump. */
static int receive(nl_sock *nl, unsigned seq, nl_dump_cb cb, void *data, bool single, berth_err *err)
{
	char *buf = xmalloc(NL_RECV_SIZE);
	int ret = 0;
	bool done = false, interrupted = false;

	while (!done && ret == 0) {
		ssize_t len = recv_from_kernel(mnl_socket_get_fd(nl->sock), buf, NL_RECV_SIZE, 0);
		if (len < 0) {
			ret = berth_err_sys(err, errno, "reading from rtnetlink");
			break;
		}
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)len;
		for (; nl_msg_ok(nlh, left) && !done; nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				ret = nl_answer_error(nlh, (size_t)left, err);
				done = true;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
			} else if (cb && cb(nlh, data) < 0) {
				ret = berth_err_set(err, EPROTO, "unexpected rtnetlink answer");
			} else if (single) {
				done = true;
			}
		}
	}
	free(buf);
	if (ret == 0 && interrupted)
		return -EINTR;
	return ret;
}

static int send_msg(nl_sock *nl, const struct nlmsghdr *nlh, berth_err *err)
{
	settle_all(nl);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return berth_err_sys(err, errno, "writing to rtnetlink");
	return 0;
}

int nl_request(nl_sock *nl, struct nlmsghdr *nlh, berth_err *err)
{
	int ret = send_msg(nl, nlh, err);

	if (ret == 0 && (ret = receive(nl, nlh->nlmsg_seq, NULL, NULL, false, err)) == 0)
		crash_point("rtnetlink");
	return ret;
}

/* The kernel answers a batch at once; none within this long means it
 * never will (a batch it could not parse), and a resolver waiting on it
 * would answer no one. */
#define BATCH_ANSWER_MS 5000

int nl_request_batch(nl_sock *nl, const void *buf, size_t len, unsigned n_answers, berth_err *err)
{
	char *answer = xmalloc(NL_RECV_SIZE);
	int fd = mnl_socket_get_fd(nl->sock);
	const unsigned total = n_answers;
	int ret;

	settle_all(nl);
	if (mnl_socket_sendto(nl->sock, buf, len) < 0) {
		free(answer);
		return berth_err_sys(err, errno, "writing to netlink");
	}
	/* one answer per request flagged NLM_F_ACK (numbered 1 to n by
	 * nft_batch), an error or an ack, in order; the first error is the
	 * cause (the ones after it are the kernel reporting the rest of the
	 * batch aborted) */
	for (ret = 0; n_answers > 0 && ret == 0;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ready = poll(&pfd, 1, BATCH_ANSWER_MS);
		if (ready == 0) {
			ret = berth_err_set(err, ETIMEDOUT, "netfilter did not answer a batch");
			break;
		}
		ssize_t got = ready < 0 ? -1 : recv_from_kernel(fd, answer, NL_RECV_SIZE, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = berth_err_sys(err, errno, "reading from netlink");
			break;
		}
		int left = (int)got;
		for (const struct nlmsghdr *nlh = (const void *)answer; nl_msg_ok(nlh, left) && n_answers > 0 && ret == 0;
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_pid != nl->portid || nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq == 0 ||
			    nlh->nlmsg_seq > total)
				continue;
			n_answers--;
			ret = nl_answer_error(nlh, (size_t)left, err);
		}
	}
	free(answer);
	if (ret == 0)
		crash_point("netlink batch");
	return ret;
}

int nl_get(nl_sock *nl, struct nlmsghdr *nlh, nl_dump_cb cb, void *data, berth_err *err)
{
	int ret = send_msg(nl, nlh, err);

	return ret < 0 ? ret : receive(nl, nlh->nlmsg_seq, cb, data, true, err);
}

int nl_dump(nl_sock *nl, struct nlmsghdr *nlh, nl_dump_cb cb, void *data, berth_err *err)
{
	/* A dump raced by a change is retried a few times; callers' callbacks
	 * must tolerate seeing entries again. */
	for (int attempt = 0; attempt < 5; attempt++) {
		nlh->nlmsg_flags |= NLM_F_DUMP;
		nlh->nlmsg_seq = ++nl->seq;
		int ret = send_msg(nl, nlh, err);
		if (ret < 0)
			return ret;
		ret = receive(nl, nlh->nlmsg_seq, cb, data, false, err);
		if (ret != -EINTR)
			return ret;
	}
	return berth_err_set(err, EINTR, "rtnetlink dump kept being interrupted");
}
