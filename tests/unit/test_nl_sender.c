/* A datagram on berth's netlink socket from another process (root may
 * send one to any port) is not taken for the kernel's: a forged ack of a
 * request the kernel refuses leaves the refusal. In a network namespace
 * of its own, where the request (delete a link that is not there)
 * changes nothing. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

#include "nl/nl.h"
#include "util/err.h"

struct forged_ack {
	struct nlmsghdr h;
	struct nlmsgerr e;
};

/* Sends `nl` an ack of `req` from a socket of our own. */
static void forge_ack(nl_sock *nl, const struct nlmsghdr *req)
{
	struct sockaddr_nl me = { 0 };
	socklen_t len = sizeof(me);
	int forger = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	assert_true(forger >= 0);
	assert_int_equal(getsockname(nl_sock_fd(nl), (struct sockaddr *)&me, &len), 0);
	struct forged_ack ack = {
		.h = { .nlmsg_len = sizeof(ack), .nlmsg_type = NLMSG_ERROR, .nlmsg_seq = req->nlmsg_seq,
		       .nlmsg_pid = me.nl_pid },
		.e = { .error = 0, .msg = *req },
	};
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = me.nl_pid };
	assert_int_equal(sendto(forger, &ack, sizeof(ack), 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)sizeof(ack));
	close(forger);
}

static void test_forged_ack_is_not_the_kernels(void **state)
{
	char buf[NL_BUFSIZE];
	nl_sock *nl = NULL;
	berth_err err = { 0 };

	(void)state;
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(nl_open(&nl, &err), 0);
	struct nlmsghdr *nlh = nl_msg_start(nl, buf, RTM_DELLINK, 0);
	nl_put_ifinfo(nlh)->ifi_index = 424242;
	forge_ack(nl, nlh);
	assert_int_equal(nl_request(nl, nlh, &err), -ENODEV);
	berth_err_clear(&err);
	nl_close(nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_ack_is_not_the_kernels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
