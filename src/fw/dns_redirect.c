#include "fw/dns_redirect.h"
#include "nl/detached.h"
#include "nl/nftables.h"
#include "util/err.h"

#include <arpa/inet.h>
#include <endian.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

/* Written over netlink, not through libnftables (DESIGN.md's choice for
 * berth's own table): this table goes into every container's namespace,
 * and a libnftables context there (made, fed JSON, its cache filled)
 * cost 1.3 ms of each `run` or CNI ADD and 1.8 ms of each DEL, for four
 * fixed objects and no user string. The expressions are those nft(8)
 * makes of the rule above (`nft --debug=netlink`), so `nft list` shows
 * it as that rule. */

#define TABLE "berth_dns"
#define CHAIN "output"
#define BATCH_SIZE 4096

static void put_be32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	mnl_attr_put_u32(nlh, type, htonl(v));
}

/* An NFTA_DATA_VALUE nested in `type`. */
static void put_value(struct nlmsghdr *nlh, uint16_t type, const void *value, size_t len)
{
	struct nlattr *data = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, value);
	mnl_attr_nest_end(nlh, data);
}

typedef struct expr {
	struct nlattr *elem, *data;
} expr;

/* One element of a rule's NFTA_RULE_EXPRESSIONS: its name, then its
 * NFTA_EXPR_DATA, closed by expr_end. */
static expr expr_begin(struct nlmsghdr *nlh, const char *name)
{
	expr e;

	e.elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	e.data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	return e;
}

static void expr_end(struct nlmsghdr *nlh, expr e)
{
	mnl_attr_nest_end(nlh, e.data);
	mnl_attr_nest_end(nlh, e.elem);
}

/* [ payload load LEN @ BASE header + OFFSET => reg 1 ] */
static void load_payload(struct nlmsghdr *nlh, uint32_t base, uint32_t offset, uint32_t len)
{
	expr e = expr_begin(nlh, "payload");

	put_be32(nlh, NFTA_PAYLOAD_DREG, NFT_REG_1);
	put_be32(nlh, NFTA_PAYLOAD_BASE, base);
	put_be32(nlh, NFTA_PAYLOAD_OFFSET, offset);
	put_be32(nlh, NFTA_PAYLOAD_LEN, len);
	expr_end(nlh, e);
}

/* [ meta load l4proto => reg 1 ] */
static void load_l4proto(struct nlmsghdr *nlh)
{
	expr e = expr_begin(nlh, "meta");

	put_be32(nlh, NFTA_META_DREG, NFT_REG_1);
	put_be32(nlh, NFTA_META_KEY, NFT_META_L4PROTO);
	expr_end(nlh, e);
}

/* [ cmp eq reg 1 VALUE ] */
static void reg1_equals(struct nlmsghdr *nlh, const void *value, size_t len)
{
	expr e = expr_begin(nlh, "cmp");

	put_be32(nlh, NFTA_CMP_SREG, NFT_REG_1);
	put_be32(nlh, NFTA_CMP_OP, NFT_CMP_EQ);
	put_value(nlh, NFTA_CMP_DATA, value, len);
	expr_end(nlh, e);
}

/* [ immediate reg REG VALUE ] */
static void load_immediate(struct nlmsghdr *nlh, uint32_t reg, const void *value, size_t len)
{
	expr e = expr_begin(nlh, "immediate");

	put_be32(nlh, NFTA_IMMEDIATE_DREG, reg);
	put_value(nlh, NFTA_IMMEDIATE_DATA, value, len);
	expr_end(nlh, e);
}

/* [ nat dnat ip addr_min reg 1 proto_min reg 2 flags 0x2 ] */
static void dnat_from_regs(struct nlmsghdr *nlh)
{
	expr e = expr_begin(nlh, "nat");

	put_be32(nlh, NFTA_NAT_TYPE, NFT_NAT_DNAT);
	put_be32(nlh, NFTA_NAT_FAMILY, NFPROTO_IPV4);
	put_be32(nlh, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1);
	put_be32(nlh, NFTA_NAT_REG_PROTO_MIN, NFT_REG_2);
	put_be32(nlh, NFTA_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
	expr_end(nlh, e);
}

/* ip daddr ADDR PROTO dport 53 dnat to ADDR:PORT */
static void put_redirect_rule(struct nlmsghdr *nlh, uint8_t proto, const struct in_addr *addr, uint16_t port)
{
	uint16_t dns = htons(53), to = htons(port);

	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, TABLE);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, CHAIN);
	struct nlattr *list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	load_payload(nlh, NFT_PAYLOAD_NETWORK_HEADER, 16, sizeof(*addr));
	reg1_equals(nlh, addr, sizeof(*addr));
	load_l4proto(nlh);
	reg1_equals(nlh, &proto, sizeof(proto));
	load_payload(nlh, NFT_PAYLOAD_TRANSPORT_HEADER, 2, sizeof(dns));
	reg1_equals(nlh, &dns, sizeof(dns));
	load_immediate(nlh, NFT_REG_1, addr, sizeof(*addr));
	load_immediate(nlh, NFT_REG_2, &to, sizeof(to));
	dnat_from_regs(nlh);
	mnl_attr_nest_end(nlh, list);
}

static void put_chain(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, TABLE);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, CHAIN);
	struct nlattr *hook = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
	put_be32(nlh, NFTA_HOOK_HOOKNUM, NF_INET_LOCAL_OUT);
	put_be32(nlh, NFTA_HOOK_PRIORITY, (uint32_t)-100);
	mnl_attr_nest_end(nlh, hook);
	put_be32(nlh, NFTA_CHAIN_POLICY, NF_ACCEPT);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "nat");
}

static void put_table(nft_batch *b, int msg, int flags)
{
	struct nlmsghdr *nlh = nft_batch_add(b, msg, flags, NFPROTO_IPV4);

	if (nlh)
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, TABLE);
}

int fw_dns_redirect(nl_sock *nl, const char *addr, uint16_t port, berth_err *err)
{
	char buf[BATCH_SIZE];
	struct in_addr a;
	struct nlmsghdr *nlh;
	nft_batch b;

	if (inet_pton(AF_INET, addr, &a) != 1)
		return berth_err_set(err, EINVAL, "resolver address %s is no IPv4 address", addr);
	/* in one transaction: whatever was there goes, the table comes */
	nft_batch_start(&b, buf, sizeof(buf));
	/* add, delete: none after, whatever was before (a delete of no table
	 * would fail the transaction) */
	put_table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	put_table(&b, NFT_MSG_DELTABLE, 0);
	put_table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	if ((nlh = nft_batch_add(&b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, NFPROTO_IPV4)))
		put_chain(nlh);
	if ((nlh = nft_batch_add(&b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, NFPROTO_IPV4)))
		put_redirect_rule(nlh, IPPROTO_UDP, &a, port);
	if ((nlh = nft_batch_add(&b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, NFPROTO_IPV4)))
		put_redirect_rule(nlh, IPPROTO_TCP, &a, port);
	return nft_batch_commit(nl, &b, err);
}

/* Sent by a reaper whose answer nobody reads: there is nothing to do
 * about a table that went some other way. */
static int send_unheard(nl_sock *nl, const void *bytes, size_t len, berth_err *err)
{
	int report[2];

	if (pipe2(report, O_CLOEXEC) < 0)
		return berth_err_sys(err, errno, "creating a pipe");
	int ret = nl_send_detached(nl, bytes, len, report[1], err);
	close(report[0]);
	close(report[1]);
	return ret;
}

int fw_dns_redirect_remove_detached(nl_sock *nl, berth_err *err)
{
	char buf[BATCH_SIZE];
	const void *bytes;
	size_t len;
	uint64_t handle;
	nft_batch b;
	int ret = nft_table_handle(nl, "ip", TABLE, &handle, err);

	if (ret < 0)
		return ret;
	/* by its handle: a table the resolver writes again meanwhile, for a
	 * new attachment in that namespace, is another and stays */
	nft_batch_start(&b, buf, sizeof(buf));
	struct nlmsghdr *nlh = nft_batch_add(&b, NFT_MSG_DELTABLE, 0, NFPROTO_IPV4);
	if (nlh)
		mnl_attr_put_u64(nlh, NFTA_TABLE_HANDLE, htobe64(handle));
	if ((ret = nft_batch_finish(&b, &bytes, &len, err)) == 0)
		ret = send_unheard(nl, bytes, len, err);
	nft_batch_end(&b);
	return ret;
}
