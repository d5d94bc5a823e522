#include "nl/addr.h"
#include "ipam/cidr.h"
#include "util/err.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <string.h>

static struct nlmsghdr *addr_msg(nl_sock *nl, void *buf, int type, int flags, unsigned ifindex,
				 const berth_prefix *p)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	unsigned len = addr_bits(p->addr.family) / 8;

	ifa->ifa_family = (uint8_t)p->addr.family;
	ifa->ifa_prefixlen = (uint8_t)p->len;
	ifa->ifa_index = ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, IFA_LOCAL, len, p->addr.bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, len, p->addr.bytes);
	return nlh;
}

int nl_addr_add(nl_sock *nl, unsigned ifindex, const berth_prefix *p, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = addr_msg(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, p);
	unsigned len = addr_bits(p->addr.family) / 8;

	if (p->addr.family == AF_INET && p->len < 31) {
		berth_prefix net = *p;
		berth_addr brd = prefix_addr_at(&net, prefix_last_offset(&net));
		mnl_attr_put(nlh, IFA_BROADCAST, len, brd.bytes);
	}
	/* usable at once: berth owns every address of its subnets, so
	 * duplicate address detection has nothing to find */
	if (p->addr.family == AF_INET6)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return nl_request(nl, nlh, err);
}

int nl_route_add_default(nl_sock *nl, const berth_addr *gateway, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = (uint8_t)gateway->family;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, addr_bits(gateway->family) / 8, gateway->bytes);
	return nl_request(nl, nlh, err);
}

struct walk {
	int family;
	nl_prefix_cb cb;
	void *data;
};

static bool attr_addr(const struct nlattr *attr, int family, berth_addr *out)
{
	unsigned len = addr_bits(family) / 8;

	if (!attr || mnl_attr_get_payload_len(attr) != len)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->bytes, mnl_attr_get_payload(attr), len);
	return true;
}

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type <= IFA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int on_addr(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	const struct ifaddrmsg *ifa = nl_msg_header(nlh, sizeof(*ifa));
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	char ifname[IF_NAMESIZE] = "";

	if (!ifa || nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != w->family)
		return 0;
	berth_prefix p = { .len = ifa->ifa_prefixlen };
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
	if (!attr_addr(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], w->family, &p.addr))
		return 0;
	if_indextoname(ifa->ifa_index, ifname);
	w->cb(&p, ifa->ifa_index, ifname, w->data);
	return 0;
}

int nl_addr_each(nl_sock *nl, int family, nl_prefix_cb cb, void *data, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_GETADDR, 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct walk w = { family, cb, data };

	ifa->ifa_family = (uint8_t)family;
	int ret = nl_dump(nl, nlh, on_addr, &w, err);
	return ret < 0 ? berth_err_wrap(err, "listing addresses") : 0;
}

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	/* the u32 ones are read as such: one too short is left out */
	if ((type == RTA_TABLE || type == RTA_OIF) && mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	if (type <= RTA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	const struct rtmsg *rtm = nl_msg_header(nlh, sizeof(*rtm));
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	char ifname[IF_NAMESIZE] = "";

	if (!rtm || nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != w->family || rtm->rtm_dst_len == 0)
		return 0;
	berth_prefix p = { .len = rtm->rtm_dst_len };
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != RT_TABLE_MAIN || !attr_addr(tb[RTA_DST], w->family, &p.addr))
		return 0;
	unsigned oif = tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	if (oif)
		if_indextoname(oif, ifname);
	w->cb(&p, oif, ifname, w->data);
	return 0;
}

int nl_route_each(nl_sock *nl, int family, nl_prefix_cb cb, void *data, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct walk w = { family, cb, data };

	rtm->rtm_family = (uint8_t)family;
	int ret = nl_dump(nl, nlh, on_route, &w, err);
	return ret < 0 ? berth_err_wrap(err, "listing routes") : 0;
}
