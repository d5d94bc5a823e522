#include "nl/link.h"
#include "nl/detached.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/if.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int nl_bridge_add(nl_sock *nl, const char *name, unsigned mtu, const uint8_t mac[6], berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nl_put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_request(nl, nlh, err);
}

static int on_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = nl_msg_header(nlh, sizeof(*ifi));
	nl_link_state *st = data;
	const struct nlattr *a;

	if (!ifi || nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	st->index = (unsigned)ifi->ifi_index;
	st->flags = ifi->ifi_flags;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_ADDRESS && mnl_attr_get_payload_len(a) == 6) {
			memcpy(st->mac, mnl_attr_get_payload(a), 6);
			st->has_mac = true;
		} else if (mnl_attr_get_type(a) == IFLA_IFALIAS && mnl_attr_get_payload_len(a) < sizeof(st->alias)) {
			memcpy(st->alias, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
			st->alias[mnl_attr_get_payload_len(a)] = '\0';
		}
	}
	return MNL_CB_OK;
}

/* The one reader of RTM_GETLINK: the link named `name`, or of index
 * `ifindex` when name is NULL; index 0 when there is none (ENODEV, or
 * for a name the kernel cannot hold, EINVAL or ERANGE). A failure
 * (EPERM, ENOBUFS, ...) is returned, not taken for "none". */
static int get_link(nl_sock *nl, const char *name, unsigned ifindex, nl_link_state *out, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = nl_put_ifinfo(nlh);

	memset(out, 0, sizeof(*out));
	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK; /* the answer is the link itself */
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	else
		ifi->ifi_index = (int)ifindex;
	/* ext filter: no stats, so the answer stays small */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	int ret = nl_get(nl, nlh, on_link, out, err);
	if (ret == -ENODEV || (name && (ret == -EINVAL || ret == -ERANGE))) {
		berth_err_clear(err);
		memset(out, 0, sizeof(*out));
		ret = 0;
	}
	return ret;
}

int nl_link_state_of(nl_sock *nl, const char *name, nl_link_state *out, berth_err *err)
{
	return get_link(nl, name, 0, out, err) < 0 ? berth_err_wrap(err, "looking up link %s", name) : 0;
}

int nl_link_find(nl_sock *nl, const char *name, unsigned *index, berth_err *err)
{
	nl_link_state st;
	int ret = nl_link_state_of(nl, name, &st, err);

	*index = st.index;
	return ret;
}

/* Whether the link is there; true too when the kernel cannot tell. */
static bool link_listed(nl_sock *nl, unsigned ifindex)
{
	berth_err ignored = { 0 };
	nl_link_state st;
	int ret = get_link(nl, NULL, ifindex, &st, &ignored);

	berth_err_clear(&ignored);
	return ret < 0 || st.index != 0;
}

/* Gone already is success. */
static int del_by_index(nl_sock *nl, unsigned ifindex, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = nl_put_ifinfo(nlh);

	ifi->ifi_index = (int)ifindex;
	int ret = nl_request(nl, nlh, err);
	if (ret == -ENODEV) {
		berth_err_clear(err);
		ret = 0;
	}
	return ret;
}

/* ---- deleting without waiting for the kernel ------------------------
 * RTM_DELLINK is answered only once the kernel has unregistered the
 * device, after an RCU barrier: 15-50 ms. But the kernel takes the
 * link down first (an RTM_NEWLINK without IFF_UP says so) and unlists it
 * right after, with its addresses and routes (and a veth's peer with
 * it), all under the lock that any other link's creation needs; only
 * then come the RCU waits and the RTM_DELLINK notification (0.6 ms
 * later on a quiet VM, milliseconds on a busy one). So a detached
 * process (nl/detached.c) sends the request and waits for the kernel,
 * and the caller waits only for the first of those notifications: the
 * link is down, gone from listings a moment later, and its name is free
 * for the next link made (which waits for that lock). */

/* A socket of its own in the link's namespace, made here (the child's
 * time is the caller's wait), for a detached process to send the
 * request on; `report` is the write end of the pipe it tells on. */
static int start_reaper(nl_sock *nl, unsigned ifindex, int report, berth_err *err)
{
	char buf[NL_BUFSIZE];
	nl_sock *own = NULL;
	int ret = nl_open_beside(nl, 0, &own, err);

	if (ret < 0)
		return ret;
	struct nlmsghdr *nlh = nl_msg_start(own, buf, RTM_DELLINK, 0);
	nl_put_ifinfo(nlh)->ifi_index = (int)ifindex;
	ret = nl_send_detached(own, nlh, nlh->nlmsg_len, report, err);
	nl_close(own);
	return ret;
}

/* The link being deleted, and whether it was up when asked. */
typedef struct going {
	unsigned ifindex;
	bool was_up;
} going;

/* The link is going: gone, or down when it was up (a link down already
 * tells nothing by another notification without IFF_UP). */
static int on_dellink(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = nl_msg_header(nlh, sizeof(*ifi));
	const going *g = data;

	if (!ifi || (unsigned)ifi->ifi_index != g->ifindex)
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_DELLINK ||
	    (g->was_up && nlh->nlmsg_type == RTM_NEWLINK && !(ifi->ifi_flags & IFF_UP)))
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

/* The reaper's word: 0 when it ended without one (the link is gone). */
static int reaper_result(int fd, berth_err *err)
{
	int ret = nl_detached_result(fd, err);

	if (ret == -ENODEV) { /* gone already */
		berth_err_clear(err);
		ret = 0;
	}
	return ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Until the link is unlisted, or the reaper failed; past 5 s the reaper
 * never got to it (a machine out of processes): we do it ourselves. */
static int wait_unlisted(nl_sock *nl, nl_sock *watch, const going *g, int report, berth_err *err)
{
	unsigned ifindex = g->ifindex;

	for (long long deadline = now_ms() + 5000; now_ms() < deadline;) {
		int r = nl_watch_wait(watch, report, 100, on_dellink, (void *)g);
		if (r == NL_WATCH_FOUND)
			return 0;
		if (r == NL_WATCH_EXTRA)
			return reaper_result(report, err);
		/* nothing for a while, or notifications lost: ask */
		if (r != NL_WATCH_NONE && !link_listed(nl, ifindex))
			return 0;
	}
	return del_by_index(nl, ifindex, err);
}

/* A deletion handed to a reaper, until its link is unlisted. */
typedef struct pending_del {
	nl_sock *watch; /* hears RTM_DELLINK */
	int report;	/* our end of the reaper's pipe: its failure, or EOF */
	going link;
} pending_del;

static void pending_free(pending_del *p)
{
	if (p->report >= 0)
		close(p->report);
	nl_close(p->watch);
	free(p);
}

static int start_deletion(nl_sock *nl, const going *link, pending_del **out, berth_err *err)
{
	pending_del *p = xzalloc(sizeof(*p));
	int pipefd[2];
	int ret;

	p->report = -1;
	p->link = *link;
	/* subscribed before the request, so the notification cannot be missed */
	if ((ret = nl_open_beside(nl, RTMGRP_LINK, &p->watch, err)) < 0) {
		pending_free(p);
		return ret;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		ret = berth_err_sys(err, errno, "creating a pipe");
		pending_free(p);
		return ret;
	}
	p->report = pipefd[0];
	ret = start_reaper(nl, link->ifindex, pipefd[1], err);
	close(pipefd[1]);
	if (ret < 0) {
		pending_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

static int finish_deletion(nl_sock *nl, void *state, berth_err *err)
{
	pending_del *p = state;
	int ret = wait_unlisted(nl, p->watch, &p->link, p->report, err);

	pending_free(p);
	return ret;
}

/* *out NULL when there is no such link (gone is success). */
static int start_deletion_of(nl_sock *nl, const char *name, pending_del **out, berth_err *err)
{
	nl_link_state st;
	int ret = get_link(nl, name, 0, &st, err);

	*out = NULL;
	if (ret < 0)
		return berth_err_wrap(err, "looking up link %s", name);
	going link = { st.index, (st.flags & IFF_UP) != 0 };
	return !st.index ? 0 : start_deletion(nl, &link, out, err);
}

int nl_link_del(nl_sock *nl, const char *name, berth_err *err)
{
	pending_del *p;
	int ret = start_deletion_of(nl, name, &p, err);

	return ret < 0 || !p ? ret : finish_deletion(nl, p, err);
}

int nl_link_del_deferred(nl_sock *nl, const char *name, berth_err *err)
{
	pending_del *p;
	int ret = start_deletion_of(nl, name, &p, err);

	if (ret == 0 && p)
		nl_defer(nl, finish_deletion, p);
	return ret;
}

/* One queue each way, asked for: a veth made without the number gets one
 * per CPU and is cut down to one once registered, and each cut waits for
 * an RCU grace period (four per pair, 0.3-2 ms each on a small VM). One
 * real queue is what the kernel leaves a veth with anyway. */
static void put_one_queue(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
}

int nl_veth_add(nl_sock *nl, const char *host, unsigned master_index, const char *peer, int netns_fd,
		const uint8_t mac[6], unsigned mtu, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);

	nl_put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	put_one_queue(nlh);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (master_index)
		mnl_attr_put_u32(nlh, IFLA_MASTER, master_index);
	struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *peer_info = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's attributes follow an ifinfomsg of their own */
	struct ifinfomsg *pi = mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	pi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	put_one_queue(nlh);
	/* none: the peer stays beside the host end, for a runtime to move */
	if (netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_nest_end(nlh, peer_info);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_request(nl, nlh, err);
}

static int no_ipv6_autoconf_request(nl_sock *nl, unsigned ifindex, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = nl_put_ifinfo(nlh);

	ifi->ifi_index = (int)ifindex;
	struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	struct nlattr *inet6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, spec);
	int ret = nl_request(nl, nlh, err);
	/* a kernel without IPv6 has no autoconfiguration to turn off */
	if (ret == -EAFNOSUPPORT) {
		berth_err_clear(err);
		ret = 0;
	}
	return ret;
}

int nl_link_up(nl_sock *nl, unsigned ifindex, bool no_ipv6_autoconf, berth_err *err)
{
	char buf[NL_BUFSIZE];
	int ret;

	/* A request of its own, before up: in one request the kernel brings
	 * the link up (and autoconfigures it) before it reads the mode. */
	if (no_ipv6_autoconf && (ret = no_ipv6_autoconf_request(nl, ifindex, err)) < 0)
		return ret;
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = nl_put_ifinfo(nlh);
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_request(nl, nlh, err);
}

int nl_bridge_port_set(nl_sock *nl, unsigned ifindex, bool hairpin, bool isolated, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_SETLINK, 0);
	struct ifinfomsg *ifi = nl_put_ifinfo(nlh);

	/* AF_BRIDGE: the bridge reads IFLA_PROTINFO as its port's settings */
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = (int)ifindex;
	struct nlattr *port = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, hairpin);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, isolated);
	mnl_attr_nest_end(nlh, port);
	return nl_request(nl, nlh, err);
}

/* ---- listing ---------------------------------------------------------- */

struct link_walk {
	nl_link_cb cb;
	void *data;
};

static void read_kind(const struct nlattr *linkinfo, nl_link_info *out)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, linkinfo) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
			snprintf(out->kind, sizeof(out->kind), "%s", mnl_attr_get_str(a));
	}
}

static int on_listed_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_walk *w = data;
	nl_link_info l = { .index = (unsigned)ifi->ifi_index };
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			snprintf(l.name, sizeof(l.name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_MASTER:
			l.master = mnl_attr_get_u32(a);
			break;
		case IFLA_LINKINFO:
			read_kind(a, &l);
			break;
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(a) == 6) {
				memcpy(l.mac, mnl_attr_get_payload(a), 6);
				l.has_mac = true;
			}
			break;
		}
	}
	w->cb(&l, w->data);
	return MNL_CB_OK;
}

int nl_link_each(nl_sock *nl, nl_link_cb cb, void *data, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_GETLINK, 0);
	struct link_walk w = { cb, data };

	nl_put_ifinfo(nlh);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_dump(nl, nlh, on_listed_link, &w, err) < 0 ? berth_err_wrap(err, "listing links") : 0;
}
