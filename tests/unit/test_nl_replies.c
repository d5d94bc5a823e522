/* Unit tests for the reply parsers of src/nl/: the static callbacks a
 * dump or a get hands each message to, reached by including their files
 * (as tests/fuzz/fuzz_netlink does). Each message here sits in a buffer
 * that goes on after it, as receive()'s 32 KiB one does: a parser must
 * read only the message. */
#include <string.h>

#include "unit.h"

#include "nl/link.c"
#include "nl/nftables.c"

/* A message of `type` holding `payload` bytes of `body`, followed in buf
 * by the whole of body (what a parser reading past the message sees). */
static struct nlmsghdr *msg(uint32_t *buf, size_t size, int type, const void *body, size_t body_len, size_t payload)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	memset(buf, 0, size);
	*nlh = (struct nlmsghdr){ .nlmsg_len = (uint32_t)(sizeof(*nlh) + payload), .nlmsg_type = (uint16_t)type };
	memcpy(nlh + 1, body, body_len);
	return nlh;
}

/* Found by tests/fuzz/fuzz_netlink: a link message too short for its
 * ifinfomsg was read as if it held one. */
static void test_short_link_message_ignored(void **state)
{
	uint32_t buf[16];
	struct ifinfomsg ifi = { .ifi_index = 7, .ifi_flags = 1 };
	nl_link_state st = { 0 };
	unsigned watched = 7;

	(void)state;
	assert_int_equal(on_link(msg(buf, sizeof(buf), RTM_NEWLINK, &ifi, sizeof(ifi), 0), &st), MNL_CB_OK);
	assert_int_equal(st.index, 0);
	assert_int_equal(on_dellink(msg(buf, sizeof(buf), RTM_DELLINK, &ifi, sizeof(ifi), 4), &watched), MNL_CB_OK);
	/* whole, they are read */
	on_link(msg(buf, sizeof(buf), RTM_NEWLINK, &ifi, sizeof(ifi), sizeof(ifi)), &st);
	assert_int_equal(st.index, 7);
	assert_int_equal(on_dellink(msg(buf, sizeof(buf), RTM_DELLINK, &ifi, sizeof(ifi), sizeof(ifi)), &watched),
			 MNL_CB_STOP);
}

/* Found by tests/fuzz/fuzz_netlink: an nf_tables name attribute without
 * its NUL was copied up to whatever NUL came after it. */
static void test_name_without_nul_not_taken(void **state)
{
	uint32_t buf[16];
	struct {
		struct nfgenmsg g;
		struct nlattr a;
		char name[8];
		/* cppcheck-suppress unusedStructMember ; where the message ends (offsetof) */
		char after[4];
	} body = {
		.g = { .nfgen_family = NFPROTO_INET },
		.a = { .nla_len = sizeof(struct nlattr) + 7, .nla_type = NFTA_RULE_CHAIN },
		.name = "forward!",
		.after = "XYZ",
	};
	nft_table_summary sum = { 0 };

	(void)state;
	/* the attribute holds "forward", the message ends after its padding */
	on_rule(msg(buf, sizeof(buf), (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE, &body, sizeof(body),
		    offsetof(__typeof__(body), after)),
		&sum);
	assert_int_equal(sum.n_rules, 1);
	assert_string_equal(sum.chains[0], "");
	nft_table_summary_free(&sum);
	/* with its NUL, it is read */
	body.a.nla_len = sizeof(struct nlattr) + 8;
	body.name[7] = '\0';
	on_rule(msg(buf, sizeof(buf), (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE, &body, sizeof(body),
		    offsetof(__typeof__(body), after)),
		&sum);
	assert_string_equal(sum.chains[0], "forward");
	nft_table_summary_free(&sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_link_message_ignored),
		cmocka_unit_test(test_name_without_nul_not_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
