/* Unit tests for what src/nl/nl.c reads without a socket: nl_msg_ok,
 * which walks a read, and nl_answer_error, an NLMSG_ERROR answer read
 * elsewhere (the detached reaper's) as the kernel's error or a refusal of
 * what is not one. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "unit.h"

#include "nl/nl.h"
#include "util/err.h"

/* An NLMSG_ERROR carrying `error`, with an ext-ack message "bad" after
 * the (capped) request header; its length. */
static size_t error_msg(uint32_t *buf, size_t size, int error)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = (struct nlmsgerr *)(nlh + 1);
	struct nlattr *a = (struct nlattr *)(e + 1);

	memset(buf, 0, size);
	*nlh = (struct nlmsghdr){ .nlmsg_type = NLMSG_ERROR, .nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS };
	e->error = error;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr);
	*a = (struct nlattr){ .nla_len = sizeof(*a) + 4, .nla_type = NLMSGERR_ATTR_MSG };
	memcpy(a + 1, "bad", 4);
	nlh->nlmsg_len = sizeof(*nlh) + sizeof(*e) + sizeof(*a) + 4;
	return nlh->nlmsg_len;
}

static void test_kernel_error_with_its_text(void **state)
{
	uint32_t buf[16];
	size_t n = error_msg(buf, sizeof(buf), -EINVAL);
	berth_err err = { 0 };

	(void)state;
	assert_int_equal(nl_answer_error(buf, n, &err), -EINVAL);
	assert_string_equal(err.msg, "Invalid argument (bad)");
	berth_err_clear(&err);
}

static void test_ack(void **state)
{
	uint32_t buf[16];
	size_t n = error_msg(buf, sizeof(buf), 0);
	berth_err err = { 0 };

	(void)state;
	assert_int_equal(nl_answer_error(buf, n, &err), 0);
	assert_null(err.msg);
}

/* Found by tests/fuzz/fuzz_netlink: libmnl 1.0.4's mnl_nlmsg_ok compares
 * the length as an int, so a message claiming 2 GiB or more passed, and
 * the walk of a read went on that far past it. */
static void test_walk_stops_at_a_length_past_the_read(void **state)
{
	uint32_t buf[16];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t n = error_msg(buf, sizeof(buf), 0);

	(void)state;
	assert_true(nl_msg_ok(nlh, (int)n));
	assert_false(nl_msg_ok(nlh, (int)n - 4));
	nlh->nlmsg_len = 0x80000000u + 64;
	assert_false(nl_msg_ok(nlh, (int)n));
	nlh->nlmsg_len = 8;
	assert_false(nl_msg_ok(nlh, (int)n));
}

/* The same for the reaper's answer: its ext-ack attributes were read up
 * to that length. */
static void test_length_past_the_answer_refused(void **state)
{
	uint32_t buf[16];
	size_t n = error_msg(buf, sizeof(buf), -EINVAL);
	berth_err err = { 0 };

	(void)state;
	buf[0] = 0x80000000u + 64; /* nlmsg_len */
	assert_int_equal(nl_answer_error(buf, n, &err), -EPROTO);
	assert_string_equal(err.msg, "unexpected rtnetlink answer");
	berth_err_clear(&err);
	buf[0] = (uint32_t)n + 4;
	assert_int_equal(nl_answer_error(buf, n, &err), -EPROTO);
	berth_err_clear(&err);
}

/* Found by tests/fuzz/fuzz_netlink: the request an uncapped error brings
 * back was skipped by the length it claims, even one past the answer (or
 * under a header), and the ext-ack attributes read from there. */
static void test_request_length_past_the_answer_gives_no_text(void **state)
{
	uint32_t buf[16];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = (struct nlmsgerr *)(nlh + 1);
	size_t n = error_msg(buf, sizeof(buf), -EINVAL);
	const uint32_t lengths[] = { sizeof(struct nlmsghdr) + 8, 0xfffffff0u, 0 };
	berth_err err = { 0 };

	(void)state;
	nlh->nlmsg_flags &= (uint16_t)~NLM_F_CAPPED;
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		e->msg.nlmsg_len = lengths[i];
		assert_int_equal(nl_answer_error(buf, n, &err), -EINVAL);
		assert_string_equal(err.msg, "Invalid argument");
		berth_err_clear(&err);
	}
}

/* Found by tests/fuzz/fuzz_netlink: an error of INT_MIN was negated (an
 * overflow), a positive one returned as success with an error set; no
 * kernel sends either. A short answer is refused too: receive() read it
 * as a whole one. */
static void test_error_no_errno_or_short_refused(void **state)
{
	uint32_t buf[16];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = (struct nlmsgerr *)(nlh + 1);
	size_t n = error_msg(buf, sizeof(buf), 0);
	const int errors[] = { INT_MIN, -4096, 1 };
	berth_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		e->error = errors[i];
		assert_int_equal(nl_answer_error(buf, n, &err), -EPROTO);
		assert_string_equal(err.msg, "unexpected rtnetlink answer");
		berth_err_clear(&err);
	}
	e->error = -4095;
	assert_int_equal(nl_answer_error(buf, n, &err), -4095);
	berth_err_clear(&err);
	nlh->nlmsg_len = sizeof(*nlh) + sizeof(e->error);
	assert_int_equal(nl_answer_error(buf, nlh->nlmsg_len, &err), -EPROTO);
	berth_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_error_with_its_text),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_walk_stops_at_a_length_past_the_read),
		cmocka_unit_test(test_length_past_the_answer_refused),
		cmocka_unit_test(test_request_length_past_the_answer_gives_no_text),
		cmocka_unit_test(test_error_no_errno_or_short_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
