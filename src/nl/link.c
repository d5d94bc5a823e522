#include "nl/link.h"
#include "util/err.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/if.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
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
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(unsigned *)data = (unsigned)ifi->ifi_index;
	return 0;
}

unsigned nl_link_index(nl_sock *nl, const char *name)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_GETLINK, 0);
	unsigned index = 0;
	berth_err ignored = { 0 };

	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK; /* the answer is the link itself */
	nl_put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* ext filter: no stats, so the answer stays small */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (nl_get(nl, nlh, on_link, &index, &ignored) < 0)
		index = 0;
	berth_err_clear(&ignored);
	return index;
}

int nl_link_del(nl_sock *nl, const char *name, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_DELLINK, 0);

	nl_put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	int ret = nl_request(nl, nlh, err);
	if (ret == -ENODEV) {
		berth_err_clear(err);
		return 0;
	}
	return ret;
}

static int link_set(nl_sock *nl, unsigned ifindex, unsigned flags, const char *new_name, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = nl_put_ifinfo(nlh);

	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = IFF_UP;
	if (new_name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, new_name);
	return nl_request(nl, nlh, err);
}

int nl_link_retire(nl_sock *nl, const char *name, unsigned *ifindex, berth_err *err)
{
	char retired[IFNAMSIZ];
	int ret;

	*ifindex = nl_link_index(nl, name);
	if (!*ifindex)
		return 0;
	snprintf(retired, sizeof(retired), "bdel%u", *ifindex);
	/* a link must be down to be renamed */
	if ((ret = link_set(nl, *ifindex, 0, NULL, err)) < 0 || (ret = link_set(nl, *ifindex, 0, retired, err)) < 0) {
		if (ret == -ENODEV) {
			berth_err_clear(err);
			*ifindex = 0;
			return 0;
		}
		return ret;
	}
	return 0;
}

static int del_by_index(nl_sock *nl, unsigned ifindex, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = nl_put_ifinfo(nlh);

	ifi->ifi_index = (int)ifindex;
	return nl_request(nl, nlh, err);
}

static void quiet_stdio(void)
{
	/* Command substitution in the caller's shell waits until every
	 * holder of its pipe is gone: do not be one. */
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (int i = 0; fd >= 0 && i < 3; i++)
		dup2(fd, i);
}

static void delete_in_child(unsigned ifindex)
{
	nl_sock *nl;
	berth_err err = { 0 };

	quiet_stdio();
	if (nl_open(&nl, &err) < 0)
		_exit(1);
	_exit(del_by_index(nl, ifindex, &err) < 0 ? 1 : 0);
}

void nl_link_del_detached(nl_sock *nl, unsigned ifindex)
{
	pid_t child = fork();

	if (child == 0) {
		/* the grandchild does the work, so the caller has no one to reap */
		setsid();
		if (fork() == 0)
			delete_in_child(ifindex);
		_exit(0);
	}
	if (child > 0) {
		waitpid(child, NULL, 0);
	} else {
		berth_err ignored = { 0 };
		if (del_by_index(nl, ifindex, &ignored) < 0)
			berth_err_clear(&ignored);
	}
}

int nl_veth_add(nl_sock *nl, const char *host, unsigned master_index, const char *peer, int netns_fd,
		const uint8_t mac[6], unsigned mtu, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);

	nl_put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
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
