#include "nl/nftables.h"
#include "nl/nl.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>

static int family_number(const char *family)
{
	if (!strcmp(family, "ip"))
		return NFPROTO_IPV4;
	if (!strcmp(family, "ip6"))
		return NFPROTO_IPV6;
	return NFPROTO_INET;
}

static struct nlmsghdr *nft_msg(nl_sock *nl, void *buf, int msg, int flags, int family)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, (NFNL_SUBSYS_NFTABLES << 8) | msg, flags);
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->nfgen_family = (uint8_t)family;
	g->version = NFNETLINK_V0;
	return nlh;
}

/* The string attribute `type` of an nf_tables message; NULL for one
 * that does not end within itself. */
static const char *attr_string(const struct nlmsghdr *nlh, int type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == type)
			return mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 ? mnl_attr_get_str(a) : NULL;
	return NULL;
}

static int on_table(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	*(bool *)data = true;
	return MNL_CB_OK;
}

static int on_rule(const struct nlmsghdr *nlh, void *data)
{
	nft_table_summary *s = data;
	const char *chain = attr_string(nlh, NFTA_RULE_CHAIN);

	s->chains = xrealloc(s->chains, (s->n_rules + 1) * sizeof(*s->chains));
	s->chains[s->n_rules++] = xstrdup(chain ? chain : "");
	return MNL_CB_OK;
}

static int on_set(const struct nlmsghdr *nlh, void *data)
{
	nft_table_summary *s = data;
	const char *name = attr_string(nlh, NFTA_SET_NAME);

	s->sets = xrealloc(s->sets, (s->n_sets + 1) * sizeof(*s->sets));
	s->sets[s->n_sets++] = xstrdup(name ? name : "");
	return MNL_CB_OK;
}

static int on_table_handle(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_TABLE_HANDLE && mnl_attr_validate(a, MNL_TYPE_U64) == 0)
			*(uint64_t *)data = be64toh(mnl_attr_get_u64(a));
	return MNL_CB_OK;
}

int nft_table_handle(nl_sock *nl, const char *family, const char *table, uint64_t *handle, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nft_msg(nl, buf, NFT_MSG_GETTABLE, 0, family_number(family));

	*handle = 0;
	/* the answer is the table itself: no ack left queued on the socket,
	 * where a batch sent on it next would take it for its own */
	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
	int ret = nl_get(nl, nlh, on_table_handle, handle, err);
	if (ret == 0 && !*handle)
		ret = berth_err_set(err, EPROTO, "table %s %s came without its handle", family, table);
	return ret;
}

struct generation {
	uint32_t id;
	bool found;
};

static int on_generation(const struct nlmsghdr *nlh, void *data)
{
	struct generation *g = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_GEN_ID && mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			g->id = ntohl(mnl_attr_get_u32(a));
			g->found = true;
		}
	return MNL_CB_OK;
}

int nft_generation(uint32_t *gen, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct generation g = { 0 };
	nl_sock *nl = NULL;
	int ret = nl_open_netfilter(0, &nl, err);

	if (ret < 0)
		return ret;
	struct nlmsghdr *nlh = nft_msg(nl, buf, NFT_MSG_GETGEN, 0, AF_UNSPEC);
	/* the answer is the generation: no ack after it */
	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	ret = nl_get(nl, nlh, on_generation, &g, err);
	nl_close(nl);
	if (ret == 0 && !g.found)
		ret = berth_err_set(err, EPROTO, "the nf_tables generation came without its number");
	*gen = g.id;
	return ret;
}

static int summarize(nl_sock *nl, int family, const char *table, nft_table_summary *out, berth_err *err)
{
	char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh = nft_msg(nl, buf, NFT_MSG_GETTABLE, 0, family);
	int ret;

	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
	ret = nl_get(nl, nlh, on_table, &out->exists, err);
	if (ret == -ENOENT) {
		berth_err_clear(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	/* dumps filtered by table: only berth's rules and sets come back */
	nlh = nft_msg(nl, buf, NFT_MSG_GETRULE, NLM_F_DUMP, family);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	if ((ret = nl_dump(nl, nlh, on_rule, out, err)) < 0)
		return ret;
	nlh = nft_msg(nl, buf, NFT_MSG_GETSET, NLM_F_DUMP, family);
	mnl_attr_put_strz(nlh, NFTA_SET_TABLE, table);
	return nl_dump(nl, nlh, on_set, out, err);
}

int nft_table_summarize(const char *family, const char *table, nft_table_summary *out, berth_err *err)
{
	nl_sock *nl = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = nl_open_netfilter(0, &nl, err)) < 0)
		return ret;
	ret = summarize(nl, family_number(family), table, out, err);
	nl_close(nl);
	if (ret < 0)
		nft_table_summary_free(out);
	return ret;
}

unsigned nft_summary_rules(const nft_table_summary *s, const char *chain)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->n_rules; i++)
		n += !strcmp(s->chains[i], chain);
	return n;
}

bool nft_summary_has_set(const nft_table_summary *s, const char *set)
{
	for (size_t i = 0; i < s->n_sets; i++)
		if (!strcmp(s->sets[i], set))
			return true;
	return false;
}

int nft_events_open(nl_sock **out, berth_err *err)
{
	return nl_open_netfilter(1u << (NFNLGRP_NFTABLES - 1), out, err);
}

static bool is_deletion(int msg)
{
	switch (msg) {
	case NFT_MSG_DELTABLE:
	case NFT_MSG_DELCHAIN:
	case NFT_MSG_DELRULE:
	case NFT_MSG_DELSET:
#ifdef NFT_MSG_DESTROYTABLE /* Linux 6.3: deletions that may miss */
	case NFT_MSG_DESTROYTABLE:
	case NFT_MSG_DESTROYCHAIN:
	case NFT_MSG_DESTROYRULE:
	case NFT_MSG_DESTROYSET:
#endif
		return true;
	default:
		return false;
	}
}

static int on_deletion(const struct nlmsghdr *nlh, void *data)
{
	const char *table;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES || !is_deletion(NFNL_MSG_TYPE(nlh->nlmsg_type)))
		return MNL_CB_OK;
	/* the table's name is attribute 1 of each: NFTA_TABLE_NAME,
	 * NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE */
	table = attr_string(nlh, NFTA_TABLE_NAME);
	return table && !strcmp(table, data) ? MNL_CB_STOP : MNL_CB_OK;
}

bool nft_events_deleted_from(nl_sock *events, const char *table)
{
	bool deleted = false;

	for (;;) {
		int ret = nl_watch_wait(events, -1, 0, on_deletion, (void *)table);
		if (ret == NL_WATCH_TIMEOUT)
			return deleted;
		/* -ENOBUFS: notifications were lost, any might have been one */
		deleted |= ret == NL_WATCH_FOUND || ret == -ENOBUFS;
		if (ret < 0 && ret != -ENOBUFS && ret != -EINTR)
			return deleted;
	}
}

void nft_table_summary_free(nft_table_summary *s)
{
	for (size_t i = 0; i < s->n_rules; i++)
		free(s->chains[i]);
	for (size_t i = 0; i < s->n_sets; i++)
		free(s->sets[i]);
	free(s->chains);
	free(s->sets);
	s->chains = s->sets = NULL;
	s->n_rules = s->n_sets = 0;
}

/* The batch's first and last messages: NFNL_MSG_BATCH_BEGIN and _END,
 * addressed to nf_tables. */
static bool put_batch_marker(struct mnl_nlmsg_batch *b, int type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
	return mnl_nlmsg_batch_next(b);
}

void nft_batch_start(nft_batch *b, void *buf, size_t size)
{
	memset(buf, 0, size);
	/* libmnl's limit is half the buffer: a message is written before
	 * it is known not to fit */
	b->b = mnl_nlmsg_batch_start(buf, size / 2);
	b->open = NULL;
	b->n = 0;
	b->overflow = false;
	put_batch_marker(b->b, NFNL_MSG_BATCH_BEGIN);
}

/* Closes the request being filled: false when it, or one before, did
 * not fit. */
static bool close_open(nft_batch *b)
{
	if (b->open && !mnl_nlmsg_batch_next(b->b))
		b->overflow = true;
	b->open = NULL;
	return !b->overflow;
}

struct nlmsghdr *nft_batch_add(nft_batch *b, int msg, int flags, int family)
{
	if (!close_open(b))
		return NULL;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b->b));
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | msg);
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	nlh->nlmsg_seq = ++b->n;
	g->nfgen_family = (uint8_t)family;
	g->version = NFNETLINK_V0;
	b->open = nlh;
	return nlh;
}

int nft_batch_finish(nft_batch *b, const void **buf, size_t *len, berth_err *err)
{
	if (!close_open(b) || !put_batch_marker(b->b, NFNL_MSG_BATCH_END))
		return berth_err_set(err, EMSGSIZE, "nf_tables batch too long for its buffer");
	*buf = mnl_nlmsg_batch_head(b->b);
	*len = mnl_nlmsg_batch_size(b->b);
	return 0;
}

int nft_batch_commit(nl_sock *nl, nft_batch *b, berth_err *err)
{
	const void *buf;
	size_t len;
	int ret = nft_batch_finish(b, &buf, &len, err);

	if (ret == 0)
		ret = nl_request_batch(nl, buf, len, b->n, err);
	nft_batch_end(b);
	return ret;
}

void nft_batch_end(nft_batch *b)
{
	if (b->b)
		mnl_nlmsg_batch_stop(b->b);
	b->b = NULL;
}
