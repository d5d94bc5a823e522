/* Unit tests for address leases in the SQLite state store
 * (src/store/store.c): order, conflicts, exhaustion, release, ip-range,
 * network deletion, several processes taking addresses at once and
 * opening a new database at once. */

#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipam/cidr.h"
#include "store/store.h"

#define NET_ID_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define NET_ID_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

typedef struct fixture {
	char dir[64];
	char path[128];
	store *s;
	berth_err err;
	/* the network under test */
	network_rec rec; /* as the library holds a network: rec.pub */
	berth_subnet sn;
	char name[BERTH_NAME_MAX];
	char driver[16];
} fixture;

static const char *errmsg(const berth_err *err)
{
	return err->msg ? err->msg : "(no message)";
}

/* Fills fx->rec/fx->sn and records the network in the store. */
static void insert_network(fixture *fx, const char *id, const char *name, const char *subnet,
			   const char *gateway, const char *ip_range)
{
	memset(&fx->rec, 0, sizeof(fx->rec));
	memset(&fx->sn, 0, sizeof(fx->sn));
	snprintf(fx->rec.pub.id, sizeof(fx->rec.pub.id), "%s", id);
	assert_int_equal(strlen(fx->rec.pub.id), BERTH_ID_HEX);
	snprintf(fx->name, sizeof(fx->name), "%s", name);
	snprintf(fx->driver, sizeof(fx->driver), "bridge");
	fx->rec.pub.name = fx->name;
	fx->rec.pub.driver = fx->driver;
	fx->rec.pub.created_sec = 1700000000;
	fx->rec.pub.created_nsec = 123456789;
	fx->rec.state = NETWORK_ACTIVE;
	fx->sn.subnet = P(subnet);
	if (gateway)
		fx->sn.gateway = A(gateway);
	if (ip_range) {
		fx->sn.has_ip_range = true;
		fx->sn.ip_range = P(ip_range);
	}
	fx->rec.pub.subnets = &fx->sn;
	fx->rec.pub.n_subnets = 1;

	int ret = store_network_insert(fx->s, &fx->rec.pub, &fx->err);
	if (ret < 0)
		fail_msg("store_network_insert(%s): %d %s", name, ret, errmsg(&fx->err));
}

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/berth-test-store-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/state.db", fx->dir);
	if (store_open(fx->path, &fx->s, &fx->err) < 0) {
		fprintf(stderr, "store_open(%s): %s\n", fx->path, errmsg(&fx->err));
		berth_err_clear(&fx->err);
		rmdir(fx->dir);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char file[160];

	store_close(fx->s);
	berth_err_clear(&fx->err);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(file, sizeof(file), "%s%s", fx->path, suffixes[i]);
		unlink(file);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Takes an address (want NULL: the lowest free one) and checks it is
 * `expect`. */
static void take_ok(fixture *fx, const berth_subnet *sn, const char *net_id, const char *owner,
		    const char *want, const char *expect)
{
	berth_addr w, out;
	char buf[BERTH_ADDR_STRLEN];

	if (want)
		w = A(want);
	memset(&out, 0, sizeof(out));
	int ret = store_lease_take(fx->s, net_id, sn, owner, want ? &w : NULL, &out, &fx->err);
	if (ret != 0)
		fail_msg("store_lease_take(%s, want %s) = %d (%s), expected %s", owner,
			 want ? want : "any", ret, errmsg(&fx->err), expect);
	if (strcmp(berth_addr_format(&out, buf), expect))
		fail_msg("store_lease_take(%s, want %s) gave %s, expected %s", owner,
			 want ? want : "any", buf, expect);
}

static void take_fails(fixture *fx, const berth_subnet *sn, const char *net_id, const char *owner,
		       const char *want, int expect_ret)
{
	berth_addr w, out;

	if (want)
		w = A(want);
	memset(&out, 0, sizeof(out));
	int ret = store_lease_take(fx->s, net_id, sn, owner, want ? &w : NULL, &out, &fx->err);
	if (ret == 0) {
		char buf[BERTH_ADDR_STRLEN];
		fail_msg("store_lease_take(%s, want %s) succeeded with %s, expected %d", owner,
			 want ? want : "any", berth_addr_format(&out, buf), expect_ret);
	}
	if (ret != expect_ret)
		fail_msg("store_lease_take(%s, want %s) = %d (%s), expected %d", owner,
			 want ? want : "any", ret, errmsg(&fx->err), expect_ret);
	assert_int_equal(fx->err.code, -expect_ret);
	assert_non_null(fx->err.msg);
	assert_true(fx->err.msg[0] != '\0');
}

/* The owner of an address, "" when it is free. */
static void check_owner(fixture *fx, const char *net_id, const char *addr, const char *expect)
{
	berth_addr a = A(addr);
	char *owner = store_lease_owner(fx->s, net_id, &a);

	if (!*expect) {
		if (owner)
			fail_msg("%s is leased to \"%s\", expected free", addr, owner);
		return;
	}
	if (!owner)
		fail_msg("%s is free, expected leased to \"%s\"", addr, expect);
	char got[128];
	snprintf(got, sizeof(got), "%s", owner);
	free(owner);
	if (strcmp(got, expect))
		fail_msg("%s is leased to \"%s\", expected \"%s\"", addr, got, expect);
}

/* No transaction was left open: a new one can start and end. */
static void check_no_open_transaction(fixture *fx)
{
	int ret = store_begin(fx->s, &fx->err);

	if (ret < 0)
		fail_msg("store_begin after a failed take: %d %s", ret, errmsg(&fx->err));
	assert_int_equal(store_commit(fx->s, &fx->err), 0);
}

/* ---- tests --------------------------------------------------------- */

static void test_take_lowest_in_order(void **state)
{
	fixture *fx = *state;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", NULL);
	/* .3 and .5 are taken explicitly first; the lowest free ones come
	 * around them */
	take_ok(fx, &fx->sn, NET_ID_A, "c3", "10.88.0.3", "10.88.0.3");
	take_ok(fx, &fx->sn, NET_ID_A, "c5", "10.88.0.5", "10.88.0.5");
	take_ok(fx, &fx->sn, NET_ID_A, "x1", NULL, "10.88.0.1");
	take_ok(fx, &fx->sn, NET_ID_A, "x2", NULL, "10.88.0.2");
	take_ok(fx, &fx->sn, NET_ID_A, "x4", NULL, "10.88.0.4");
	take_ok(fx, &fx->sn, NET_ID_A, "x6", NULL, "10.88.0.6");
	take_fails(fx, &fx->sn, NET_ID_A, "x7", NULL, -ENOSPC);
	berth_err_clear(&fx->err);

	check_owner(fx, NET_ID_A, "10.88.0.1", "x1");
	check_owner(fx, NET_ID_A, "10.88.0.2", "x2");
	check_owner(fx, NET_ID_A, "10.88.0.3", "c3");
	check_owner(fx, NET_ID_A, "10.88.0.4", "x4");
	check_owner(fx, NET_ID_A, "10.88.0.5", "c5");
	check_owner(fx, NET_ID_A, "10.88.0.6", "x6");
	/* network and broadcast addresses are never handed out */
	check_owner(fx, NET_ID_A, "10.88.0.0", "");
	check_owner(fx, NET_ID_A, "10.88.0.7", "");
}

static void test_take_want_in_use(void **state)
{
	fixture *fx = *state;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", NULL);
	take_ok(fx, &fx->sn, NET_ID_A, "gateway", "10.88.0.1", "10.88.0.1");
	take_ok(fx, &fx->sn, NET_ID_A, "c1", NULL, "10.88.0.2");

	take_fails(fx, &fx->sn, NET_ID_A, "c2", "10.88.0.1", -EADDRINUSE);
	/* the message names the address */
	if (!strstr(fx->err.msg, "10.88.0.1"))
		fail_msg("EADDRINUSE message does not name the address: \"%s\"", fx->err.msg);
	berth_err_clear(&fx->err);
	assert_null(fx->err.msg);
	assert_int_equal(fx->err.code, 0);

	take_fails(fx, &fx->sn, NET_ID_A, "c2", "10.88.0.2", -EADDRINUSE);
	berth_err_clear(&fx->err);

	/* the holders did not change */
	check_owner(fx, NET_ID_A, "10.88.0.1", "gateway");
	check_owner(fx, NET_ID_A, "10.88.0.2", "c1");
	check_no_open_transaction(fx);

	/* a free specific address still works, and the lowest free one
	 * skips it */
	take_ok(fx, &fx->sn, NET_ID_A, "c2", "10.88.0.4", "10.88.0.4");
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "10.88.0.3");
	take_ok(fx, &fx->sn, NET_ID_A, "c5", NULL, "10.88.0.5");
}

static void test_exhaustion(void **state)
{
	fixture *fx = *state;
	char want[32];

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", NULL);
	/* a /29 has host offsets 1..6 */
	take_ok(fx, &fx->sn, NET_ID_A, "gateway", "10.88.0.1", "10.88.0.1");
	for (int i = 2; i <= 6; i++) {
		char owner[16];
		snprintf(owner, sizeof(owner), "c%d", i);
		snprintf(want, sizeof(want), "10.88.0.%d", i);
		take_ok(fx, &fx->sn, NET_ID_A, owner, NULL, want);
	}
	take_fails(fx, &fx->sn, NET_ID_A, "c7", NULL, -ENOSPC);
	berth_err_clear(&fx->err);
	check_no_open_transaction(fx);
	/* asking again fails the same way */
	take_fails(fx, &fx->sn, NET_ID_A, "c7", NULL, -ENOSPC);
	berth_err_clear(&fx->err);
	check_owner(fx, NET_ID_A, "10.88.0.7", "");

	/* one release makes room for exactly one more */
	berth_addr five = A("10.88.0.5");
	assert_int_equal(store_lease_release(fx->s, NET_ID_A, &five, &fx->err), 0);
	take_ok(fx, &fx->sn, NET_ID_A, "c7", NULL, "10.88.0.5");
	take_fails(fx, &fx->sn, NET_ID_A, "c8", NULL, -ENOSPC);
	berth_err_clear(&fx->err);
}

static void test_release(void **state)
{
	fixture *fx = *state;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/24", "10.88.0.1", NULL);
	take_ok(fx, &fx->sn, NET_ID_A, "gateway", "10.88.0.1", "10.88.0.1");
	take_ok(fx, &fx->sn, NET_ID_A, "c2", NULL, "10.88.0.2");
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "10.88.0.3");
	take_ok(fx, &fx->sn, NET_ID_A, "c4", NULL, "10.88.0.4");

	berth_addr three = A("10.88.0.3");
	int ret = store_lease_release(fx->s, NET_ID_A, &three, &fx->err);
	if (ret < 0)
		fail_msg("store_lease_release: %d %s", ret, errmsg(&fx->err));
	check_owner(fx, NET_ID_A, "10.88.0.3", "");
	check_owner(fx, NET_ID_A, "10.88.0.2", "c2");
	check_owner(fx, NET_ID_A, "10.88.0.4", "c4");

	/* the next take returns the released address */
	take_ok(fx, &fx->sn, NET_ID_A, "c5", NULL, "10.88.0.3");
	check_owner(fx, NET_ID_A, "10.88.0.3", "c5");
	take_ok(fx, &fx->sn, NET_ID_A, "c6", NULL, "10.88.0.5");

	/* a released address can also be asked for by name */
	berth_addr two = A("10.88.0.2");
	assert_int_equal(store_lease_release(fx->s, NET_ID_A, &two, &fx->err), 0);
	take_ok(fx, &fx->sn, NET_ID_A, "c7", "10.88.0.2", "10.88.0.2");
	check_owner(fx, NET_ID_A, "10.88.0.2", "c7");

	/* releasing the lowest ones in reverse order: takes come back lowest
	 * first */
	berth_addr gw = A("10.88.0.1");
	assert_int_equal(store_lease_release(fx->s, NET_ID_A, &two, &fx->err), 0);
	assert_int_equal(store_lease_release(fx->s, NET_ID_A, &gw, &fx->err), 0);
	take_ok(fx, &fx->sn, NET_ID_A, "c8", NULL, "10.88.0.1");
	take_ok(fx, &fx->sn, NET_ID_A, "c9", NULL, "10.88.0.2");
	take_ok(fx, &fx->sn, NET_ID_A, "c10", NULL, "10.88.0.6");
}

static void test_ip_range(void **state)
{
	fixture *fx = *state;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/24", "10.88.0.1", "10.88.0.128/30");
	/* the gateway lies outside the ip-range and is taken by name */
	take_ok(fx, &fx->sn, NET_ID_A, "gateway", "10.88.0.1", "10.88.0.1");
	take_ok(fx, &fx->sn, NET_ID_A, "c1", NULL, "10.88.0.128");
	take_ok(fx, &fx->sn, NET_ID_A, "c2", NULL, "10.88.0.129");
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "10.88.0.130");
	take_ok(fx, &fx->sn, NET_ID_A, "c4", NULL, "10.88.0.131");
	take_fails(fx, &fx->sn, NET_ID_A, "c5", NULL, -ENOSPC);
	berth_err_clear(&fx->err);
	check_owner(fx, NET_ID_A, "10.88.0.2", "");
	check_owner(fx, NET_ID_A, "10.88.0.132", "");
	check_no_open_transaction(fx);

	berth_addr a = A("10.88.0.129");
	assert_int_equal(store_lease_release(fx->s, NET_ID_A, &a, &fx->err), 0);
	take_ok(fx, &fx->sn, NET_ID_A, "c6", NULL, "10.88.0.129");
}

static void test_ip_range_upper_half(void **state)
{
	fixture *fx = *state;

	/* the broadcast address stays out even when the ip-range reaches it */
	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", "10.88.0.4/30");
	take_ok(fx, &fx->sn, NET_ID_A, "c1", NULL, "10.88.0.4");
	take_ok(fx, &fx->sn, NET_ID_A, "c2", NULL, "10.88.0.5");
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "10.88.0.6");
	take_fails(fx, &fx->sn, NET_ID_A, "c4", NULL, -ENOSPC);
	berth_err_clear(&fx->err);
	check_owner(fx, NET_ID_A, "10.88.0.7", "");
}

static void test_owner(void **state)
{
	fixture *fx = *state;
	berth_addr a = A("10.88.0.9");

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/24", "10.88.0.1", NULL);
	char *owner = store_lease_owner(fx->s, NET_ID_A, &a);
	assert_null(owner);

	take_ok(fx, &fx->sn, NET_ID_A, "endpoint-0123456789ab", "10.88.0.9", "10.88.0.9");
	owner = store_lease_owner(fx->s, NET_ID_A, &a);
	assert_non_null(owner);
	assert_string_equal(owner, "endpoint-0123456789ab");
	free(owner);

	/* an unknown network owns nothing */
	owner = store_lease_owner(fx->s, NET_ID_B, &a);
	assert_null(owner);

	assert_int_equal(store_lease_release(fx->s, NET_ID_A, &a, &fx->err), 0);
	owner = store_lease_owner(fx->s, NET_ID_A, &a);
	assert_null(owner);
}

/* Two networks with the same subnet keep separate leases. */
static void test_networks_independent(void **state)
{
	fixture *fx = *state;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", NULL);
	berth_subnet sn_a = fx->sn;
	take_ok(fx, &sn_a, NET_ID_A, "a1", NULL, "10.88.0.1");
	take_ok(fx, &sn_a, NET_ID_A, "a2", NULL, "10.88.0.2");

	insert_network(fx, NET_ID_B, "net-b", "10.88.0.0/29", "10.88.0.1", NULL);
	berth_subnet sn_b = fx->sn;
	take_ok(fx, &sn_b, NET_ID_B, "b1", NULL, "10.88.0.1");
	take_ok(fx, &sn_b, NET_ID_B, "b2", "10.88.0.2", "10.88.0.2");

	check_owner(fx, NET_ID_A, "10.88.0.1", "a1");
	check_owner(fx, NET_ID_B, "10.88.0.1", "b1");
	check_owner(fx, NET_ID_A, "10.88.0.2", "a2");
	check_owner(fx, NET_ID_B, "10.88.0.2", "b2");

	/* releasing in one leaves the other alone */
	berth_addr one = A("10.88.0.1");
	assert_int_equal(store_lease_release(fx->s, NET_ID_A, &one, &fx->err), 0);
	check_owner(fx, NET_ID_A, "10.88.0.1", "");
	check_owner(fx, NET_ID_B, "10.88.0.1", "b1");
	take_ok(fx, &sn_b, NET_ID_B, "b3", NULL, "10.88.0.3");
	take_ok(fx, &sn_a, NET_ID_A, "a3", NULL, "10.88.0.1");
}

static void test_network_delete_removes_leases(void **state)
{
	fixture *fx = *state;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", NULL);
	take_ok(fx, &fx->sn, NET_ID_A, "gateway", "10.88.0.1", "10.88.0.1");
	take_ok(fx, &fx->sn, NET_ID_A, "c2", NULL, "10.88.0.2");
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "10.88.0.3");

	int ret = store_network_delete(fx->s, NET_ID_A, &fx->err);
	if (ret < 0)
		fail_msg("store_network_delete: %d %s", ret, errmsg(&fx->err));
	check_owner(fx, NET_ID_A, "10.88.0.1", "");
	check_owner(fx, NET_ID_A, "10.88.0.2", "");
	check_owner(fx, NET_ID_A, "10.88.0.3", "");

	/* the same network again starts from an empty range */
	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", NULL);
	take_ok(fx, &fx->sn, NET_ID_A, "c1", NULL, "10.88.0.1");
	take_ok(fx, &fx->sn, NET_ID_A, "c2b", NULL, "10.88.0.2");
	check_owner(fx, NET_ID_A, "10.88.0.3", "");
}

/* Inside a transaction the caller opened, the take belongs to it. */
static void test_take_in_caller_transaction(void **state)
{
	fixture *fx = *state;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", NULL);

	assert_int_equal(store_begin(fx->s, &fx->err), 0);
	take_ok(fx, &fx->sn, NET_ID_A, "c1", NULL, "10.88.0.1");
	take_ok(fx, &fx->sn, NET_ID_A, "c2", NULL, "10.88.0.2");
	check_owner(fx, NET_ID_A, "10.88.0.2", "c2");
	store_rollback(fx->s);
	check_owner(fx, NET_ID_A, "10.88.0.1", "");
	check_owner(fx, NET_ID_A, "10.88.0.2", "");

	assert_int_equal(store_begin(fx->s, &fx->err), 0);
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "10.88.0.1");
	/* a failure inside does not end the caller's transaction */
	take_fails(fx, &fx->sn, NET_ID_A, "c4", "10.88.0.1", -EADDRINUSE);
	berth_err_clear(&fx->err);
	take_ok(fx, &fx->sn, NET_ID_A, "c5", NULL, "10.88.0.2");
	assert_int_equal(store_commit(fx->s, &fx->err), 0);
	check_owner(fx, NET_ID_A, "10.88.0.1", "c3");
	check_owner(fx, NET_ID_A, "10.88.0.2", "c5");
}

static void test_take_ipv6(void **state)
{
	fixture *fx = *state;

	/* IPv6 has no broadcast: the last address is usable */
	insert_network(fx, NET_ID_A, "net-a", "fd00:88::/126", "fd00:88::1", NULL);
	take_ok(fx, &fx->sn, NET_ID_A, "gateway", "fd00:88::1", "fd00:88::1");
	take_ok(fx, &fx->sn, NET_ID_A, "c2", NULL, "fd00:88::2");
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "fd00:88::3");
	take_fails(fx, &fx->sn, NET_ID_A, "c4", NULL, -ENOSPC);
	berth_err_clear(&fx->err);
	check_owner(fx, NET_ID_A, "fd00:88::3", "c3");
}

/* A /64: offsets use the whole 64 bits, also those of 2^63 and up. */
static void test_take_ipv6_64(void **state)
{
	fixture *fx = *state;

	insert_network(fx, NET_ID_A, "net-a", "fd00:88::/64", "fd00:88::1", NULL);
	/* one lease at the top offset (UINT64_MAX) */
	take_ok(fx, &fx->sn, NET_ID_A, "top", "fd00:88::ffff:ffff:ffff:ffff",
		"fd00:88::ffff:ffff:ffff:ffff");
	take_ok(fx, &fx->sn, NET_ID_A, "c1", NULL, "fd00:88::1");
	take_ok(fx, &fx->sn, NET_ID_A, "c2", NULL, "fd00:88::2");
	take_ok(fx, &fx->sn, NET_ID_A, "high", "fd00:88::8000:0:0:1", "fd00:88::8000:0:0:1");
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "fd00:88::3");
	check_owner(fx, NET_ID_A, "fd00:88::ffff:ffff:ffff:ffff", "top");
	check_owner(fx, NET_ID_A, "fd00:88::8000:0:0:1", "high");
	check_owner(fx, NET_ID_A, "fd00:88::3", "c3");
}

/* ---- several processes at once ------------------------------------- */

#define N_CHILDREN 8
#define N_TAKES 20

struct grant {
	uint32_t child;
	uint32_t offset;
};

static void child_main(const char *path, const berth_subnet *sn, unsigned idx, int fd)
{
	berth_err err = { 0 };
	store *s = NULL;

	if (store_open(path, &s, &err) < 0) {
		fprintf(stderr, "child %u: store_open: %s\n", idx, errmsg(&err));
		_exit(10);
	}
	for (unsigned i = 0; i < N_TAKES; i++) {
		char owner[32];
		berth_addr out;

		snprintf(owner, sizeof(owner), "child-%u-%u", idx, i);
		int ret = store_lease_take(s, NET_ID_A, sn, owner, NULL, &out, &err);
		if (ret < 0) {
			fprintf(stderr, "child %u take %u: %d %s\n", idx, i, ret, errmsg(&err));
			_exit(11);
		}
		struct grant g = { idx, (uint32_t)prefix_offset_of(&sn->subnet, &out) };
		if (write(fd, &g, sizeof(g)) != (ssize_t)sizeof(g))
			_exit(12);
	}
	store_close(s);
	_exit(0);
}

static void test_concurrent_takes(void **state)
{
	fixture *fx = *state;
	int fds[2];
	pid_t pids[N_CHILDREN];
	bool seen[256] = { false };
	unsigned per_child[N_CHILDREN] = { 0 };
	unsigned n = 0;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/24", "10.88.0.1", NULL);
	take_ok(fx, &fx->sn, NET_ID_A, "gateway", "10.88.0.1", "10.88.0.1");

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	for (unsigned i = 0; i < N_CHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(fds[0]);
			child_main(fx->path, &fx->sn, i, fds[1]);
		}
	}
	close(fds[1]);

	struct grant g;
	ssize_t r;
	while ((r = read(fds[0], &g, sizeof(g))) == (ssize_t)sizeof(g)) {
		if (g.child >= N_CHILDREN || g.offset >= 256)
			fail_msg("bad grant: child %u offset %u", g.child, g.offset);
		if (g.offset < 2 || g.offset > 254)
			fail_msg("child %u got offset %u, outside the free host range 2..254",
				 g.child, g.offset);
		if (seen[g.offset])
			fail_msg("offset %u handed out twice (second time to child %u)", g.offset,
				 g.child);
		seen[g.offset] = true;
		per_child[g.child]++;
		n++;
	}
	assert_int_equal(r, 0);
	close(fds[0]);

	for (unsigned i = 0; i < N_CHILDREN; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("child %u failed: status 0x%x", i, status);
		assert_int_equal(per_child[i], N_TAKES);
	}
	assert_int_equal(n, N_CHILDREN * N_TAKES);

	/* the store agrees: exactly the granted addresses plus the gateway
	 * are leased */
	unsigned leased = 0;
	for (uint64_t off = 0; off <= 255; off++) {
		berth_addr a = prefix_addr_at(&fx->sn.subnet, off);
		char *owner = store_lease_owner(fx->s, NET_ID_A, &a);
		if (owner) {
			leased++;
			if (off == 1)
				assert_string_equal(owner, "gateway");
			else if (!seen[off])
				fail_msg("offset %llu is leased to %s but no child reported it",
					 (unsigned long long)off, owner);
			else
				assert_true(strncmp(owner, "child-", 6) == 0);
			free(owner);
		} else if (off == 1 || seen[off]) {
			fail_msg("offset %llu was granted but is not leased",
				 (unsigned long long)off);
		}
	}
	assert_int_equal(leased, N_CHILDREN * N_TAKES + 1);

	/* lowest first: together they took exactly .2 to .161 */
	for (unsigned off = 2; off < 2 + N_CHILDREN * N_TAKES; off++)
		if (!seen[off])
			fail_msg("offset %u was skipped", off);

	/* and the next take continues after them */
	take_ok(fx, &fx->sn, NET_ID_A, "after", NULL, "10.88.0.162");
}

/* A second handle opened on an existing store sees the same leases. */
static void test_reopen(void **state)
{
	fixture *fx = *state;
	store *other = NULL;

	insert_network(fx, NET_ID_A, "net-a", "10.88.0.0/29", "10.88.0.1", NULL);
	take_ok(fx, &fx->sn, NET_ID_A, "gateway", "10.88.0.1", "10.88.0.1");

	int ret = store_open(fx->path, &other, &fx->err);
	if (ret < 0)
		fail_msg("second store_open: %d %s", ret, errmsg(&fx->err));
	berth_addr out, gw = A("10.88.0.1");
	assert_int_equal(store_lease_take(other, NET_ID_A, &fx->sn, "c2", NULL, &out, &fx->err), 0);
	char buf[BERTH_ADDR_STRLEN];
	assert_string_equal(berth_addr_format(&out, buf), "10.88.0.2");
	char *owner = store_lease_owner(other, NET_ID_A, &gw);
	assert_non_null(owner);
	assert_string_equal(owner, "gateway");
	free(owner);
	store_close(other);

	check_owner(fx, NET_ID_A, "10.88.0.2", "c2");
	take_ok(fx, &fx->sn, NET_ID_A, "c3", NULL, "10.88.0.3");
}

/* 8 processes opening one new database at once, 100 times: SQLite
 * refuses a WAL conversion that could deadlock without waiting (1 open
 * in 200 failed before store_open retried it). */
#define N_OPENERS 8
#define N_FRESH_RACES 100

static void remove_db(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char file[200];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(file, sizeof(file), "%s%s", path, suffixes[i]);
		unlink(file);
	}
}

static void test_fresh_opens_race(void **state)
{
	fixture *fx = *state;
	char path[160];
	unsigned failed = 0;

	snprintf(path, sizeof(path), "%s/fresh.db", fx->dir);
	fflush(NULL);
	for (int round = 0; round < N_FRESH_RACES; round++) {
		pid_t pids[N_OPENERS];
		for (int i = 0; i < N_OPENERS; i++) {
			pids[i] = fork();
			assert_true(pids[i] >= 0);
			if (pids[i] == 0) {
				store *s = NULL;
				berth_err err = { 0 };
				int ret = store_open(path, &s, &err);
				if (ret < 0)
					fprintf(stderr, "# store_open: %s\n", errmsg(&err));
				store_close(s);
				_exit(ret < 0);
			}
		}
		for (int i = 0; i < N_OPENERS; i++) {
			int status;
			assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
			failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
		}
		remove_db(path);
	}
	assert_int_equal(failed, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_take_lowest_in_order),
		T(test_take_want_in_use),
		T(test_exhaustion),
		T(test_release),
		T(test_ip_range),
		T(test_ip_range_upper_half),
		T(test_owner),
		T(test_networks_independent),
		T(test_network_delete_removes_leases),
		T(test_take_in_caller_transaction),
		T(test_take_ipv6),
		T(test_take_ipv6_64),
		T(test_concurrent_takes),
		T(test_reopen),
		T(test_fresh_opens_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
