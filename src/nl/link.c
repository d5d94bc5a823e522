#include "nl/link.h"
#include "util/err.h"

#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <string.h>

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	return ifi;
}

int nl_bridge_add(nl_sock *nl, const char *name, unsigned mtu, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = put_ifinfo(nlh);

	/* Up in the same request: one round trip instead of two. */
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_request(nl, nlh, err);
}

int nl_link_del(nl_sock *nl, const char *name, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_DELLINK, 0);

	put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	int ret = nl_request(nl, nlh, err);
	if (ret == -ENODEV) {
		berth_err_clear(err);
		return 0;
	}
	return ret;
}

unsigned nl_link_index(nl_sock *nl, const char *name)
{
	(void)nl; /* the ioctl answers from the same namespace */
	return if_nametoindex(name);
}
