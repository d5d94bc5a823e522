/* What berth reads from the kernel over netlink: a recv's bytes, walked
 * message by message as nl.c's receive() walks them, each given to every
 * reply parser (links, addresses, routes, nf_tables rules and sets) and
 * NLMSG_ERROR answers to nl_answer_error, which also reads the detached
 * reaper's answers. The parsers are static callbacks of their files,
 * reached here by including those files: they take no socket, but are
 * not worth an interface of their own. The kernel is trusted with what
 * it says, but a length it never sends must still not make berth read
 * past the reply. */
#include "fuzz.h"

#include "nl/addr.c"
#include "nl/link.c"
#include "nl/nftables.c"

/* Values are the kernel's to get right (a prefix length over 32 is its
 * bug); what is checked here is that nothing is read past the reply. */
static void on_prefix(const berth_prefix *p, unsigned ifindex, const char *ifname, void *data)
{
	(void)p;
	(void)ifindex;
	(void)data;
	FUZZ_CHECK(strlen(ifname) < IF_NAMESIZE, "link name of %zu bytes", strlen(ifname));
}

static void check_error(const struct nlmsghdr *nlh, size_t len)
{
	berth_err err = { 0 };
	int ret = nl_answer_error(nlh, len, &err);

	FUZZ_CHECK(ret <= 0 && (ret < 0) == (err.msg != NULL), "nl_answer_error: %d", ret);
	berth_err_clear(&err);
}

/* Every parser a reply can reach, whatever the request was. */
static void parse_reply(const struct nlmsghdr *nlh)
{
	nl_link_state link = { 0 };
	going leaving = { .ifindex = 1, .was_up = true };
	bool table = false;
	nft_table_summary sum = { 0 };

	on_link(nlh, &link);
	on_dellink(nlh, &leaving);
	for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
		struct walk w = { family, on_prefix, NULL };
		on_addr(nlh, &w);
		on_route(nlh, &w);
	}
	on_table(nlh, &table);
	on_rule(nlh, &sum);
	on_set(nlh, &sum);
	nft_table_summary_free(&sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0; /* a read of nothing is not handed on */
	/* as a read lands in nl.c's buffer (NL_RECV_SIZE, 32 KiB): the last
	 * message's padding to 4 bytes, which libmnl takes as part of it, is
	 * there, the rest of the buffer not (no reader may leave the message) */
	size_t len = size < 32768 ? size : 32768;
	int left = (int)len;
	uint8_t *buf = xzalloc(MNL_ALIGN(len));
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

	memcpy(buf, data, len);
	/* the detached reaper's answer is one read, handed over whole */
	check_error(nlh, len);
	for (; nl_msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type == NLMSG_ERROR)
			check_error(nlh, (size_t)left);
		else if (nlh->nlmsg_type != NLMSG_DONE)
			parse_reply(nlh);
	}
	free(buf);
	return 0;
}
