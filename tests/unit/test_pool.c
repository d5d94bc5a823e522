/* Unit tests for src/ipam/pool.c: default pools, subnet and offset choice,
 * host ranges. */
#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "ipam/pool.h"

/* Picks from the default pools with `taken` given as CIDR strings and
 * checks the result against `want` (NULL: no subnet left). */
static void check_pick(const char *const *taken_s, size_t n, const char *want)
{
	berth_prefix taken[64];
	berth_prefix out;
	char buf[BERTH_PREFIX_STRLEN];

	assert_true(n <= sizeof(taken) / sizeof(taken[0]));
	for (size_t i = 0; i < n; i++)
		taken[i] = P(taken_s[i]);
	memset(&out, 0, sizeof(out));
	bool ok = ipam_pick_subnet(ipam_default_pools, ipam_n_default_pools, n ? taken : NULL, n,
				   &out);
	if (!want) {
		if (ok)
			fail_msg("ipam_pick_subnet picked %s, expected none",
				 berth_prefix_format(&out, buf));
		return;
	}
	if (!ok)
		fail_msg("ipam_pick_subnet found nothing, expected %s", want);
	if (strcmp(berth_prefix_format(&out, buf), want))
		fail_msg("ipam_pick_subnet picked %s, expected %s", buf, want);
	assert_true(prefix_is_network(&out));
	for (size_t i = 0; i < n; i++)
		assert_false(prefix_overlaps(&out, &taken[i]));
}

/* ---- default pools ------------------------------------------------- */

static void test_default_pools_table(void **state)
{
	(void)state;
	assert_true(ipam_n_default_pools > 0);
	for (size_t i = 0; i < ipam_n_default_pools; i++) {
		berth_prefix base;
		bool bad_len;
		assert_non_null(ipam_default_pools[i].base);
		if (!prefix_parse(ipam_default_pools[i].base, &base, &bad_len))
			fail_msg("default pool %zu: bad base \"%s\"", i,
				 ipam_default_pools[i].base);
		assert_int_equal(base.addr.family, AF_INET);
		assert_true(prefix_is_network(&base));
		assert_true(ipam_default_pools[i].size >= base.len);
		assert_true(ipam_default_pools[i].size <= 32);
		/* pools do not overlap each other */
		for (size_t j = 0; j < i; j++) {
			berth_prefix other = P(ipam_default_pools[j].base);
			assert_false(prefix_overlaps(&base, &other));
		}
	}
}

/* Picking again and again, each pick marked taken, walks Docker's order:
 * 172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/20 ... 192.168.240.0/20. */
static void test_default_pools_order(void **state)
{
	(void)state;
	berth_prefix taken[64];
	size_t n = 0;
	char want[32], buf[BERTH_PREFIX_STRLEN];

	for (;;) {
		berth_prefix out;
		if (!ipam_pick_subnet(ipam_default_pools, ipam_n_default_pools, taken, n, &out))
			break;
		assert_true(n < 31);
		if (n < 15)
			snprintf(want, sizeof(want), "172.%zu.0.0/16", 17 + n);
		else
			snprintf(want, sizeof(want), "192.168.%zu.0/20", (n - 15) * 16);
		if (strcmp(berth_prefix_format(&out, buf), want))
			fail_msg("pick %zu: got %s, expected %s", n, buf, want);
		taken[n++] = out;
	}
	assert_int_equal(n, 31);
}

/* ---- ipam_pick_subnet ---------------------------------------------- */

static void test_pick_first(void **state)
{
	(void)state;
	check_pick(NULL, 0, "172.17.0.0/16");
}

static void test_pick_after_taken(void **state)
{
	(void)state;
	const char *t1[] = { "172.17.0.0/16" };
	check_pick(t1, 1, "172.18.0.0/16");

	/* a small subnet inside 172.18/16 blocks the whole /16 */
	const char *t2[] = { "172.17.0.0/16", "172.18.5.0/24" };
	check_pick(t2, 2, "172.19.0.0/16");

	/* a taken prefix with host bits set still counts */
	const char *t3[] = { "172.17.3.4/16" };
	check_pick(t3, 1, "172.18.0.0/16");

	/* a single address */
	const char *t4[] = { "172.17.255.255/32" };
	check_pick(t4, 1, "172.18.0.0/16");

	/* gaps are filled first */
	const char *t5[] = { "172.18.0.0/16", "172.19.0.0/16" };
	check_pick(t5, 2, "172.17.0.0/16");
	const char *t6[] = { "172.17.0.0/16", "172.19.0.0/16" };
	check_pick(t6, 2, "172.18.0.0/16");

	/* a prefix that covers several candidates at once */
	const char *t7[] = { "172.16.0.0/13" }; /* 172.16 - 172.23 */
	check_pick(t7, 1, "172.24.0.0/16");

	/* neighbours of the pools do not block anything */
	const char *t8[] = { "172.16.0.0/16", "172.32.0.0/16", "10.0.0.0/8" };
	check_pick(t8, 3, "172.17.0.0/16");

	/* taken order does not matter */
	const char *t9[] = { "172.19.0.0/16", "172.17.0.0/16", "172.18.0.0/16" };
	check_pick(t9, 3, "172.20.0.0/16");
}

static void test_pick_second_pool(void **state)
{
	(void)state;
	const char *t1[] = { "172.16.0.0/12" };
	check_pick(t1, 1, "192.168.0.0/20");

	const char *t2[] = { "172.16.0.0/12", "192.168.0.0/20" };
	check_pick(t2, 2, "192.168.16.0/20");

	/* a /24 in the first /20 blocks that /20 */
	const char *t3[] = { "172.16.0.0/12", "192.168.1.0/24" };
	check_pick(t3, 2, "192.168.16.0/20");

	/* 172.31/16 free: the /16s come first */
	const char *t4[] = { "172.16.0.0/13", "172.24.0.0/14", "172.28.0.0/15", "172.30.0.0/16" };
	check_pick(t4, 4, "172.31.0.0/16");

	/* the last /20 */
	const char *t5[] = { "172.16.0.0/12", "192.168.0.0/17", "192.168.128.0/18",
			     "192.168.192.0/19", "192.168.224.0/20" };
	check_pick(t5, 5, "192.168.240.0/20");
}

static void test_pick_exhausted(void **state)
{
	(void)state;
	const char *t1[] = { "172.16.0.0/12", "192.168.0.0/16" };
	check_pick(t1, 2, NULL);

	const char *t2[] = { "172.0.0.0/8", "192.0.0.0/8" };
	check_pick(t2, 2, NULL);

	/* a default route blocks everything; the maths must hold for /0 */
	const char *t3[] = { "0.0.0.0/0" };
	check_pick(t3, 1, NULL);

	/* no pools at all */
	berth_prefix out;
	assert_false(ipam_pick_subnet(ipam_default_pools, 0, NULL, 0, &out));
}

static void test_pick_other_family(void **state)
{
	(void)state;
	/* IPv6 prefixes never block IPv4 pools */
	const char *t1[] = { "::/0" };
	check_pick(t1, 1, "172.17.0.0/16");
	const char *t2[] = { "::ffff:172.17.0.0/112", "::ac11:0/112" };
	check_pick(t2, 2, "172.17.0.0/16");
}

static void test_pick_custom_pools(void **state)
{
	(void)state;
	const ipam_pool pools[] = {
		{ "10.10.0.0/16", 24 },
		{ "10.20.0.0/30", 31 },
	};
	berth_prefix out, taken[3];
	char buf[BERTH_PREFIX_STRLEN];

	assert_true(ipam_pick_subnet(pools, 2, NULL, 0, &out));
	assert_string_equal(berth_prefix_format(&out, buf), "10.10.0.0/24");

	taken[0] = P("10.10.0.0/17");
	assert_true(ipam_pick_subnet(pools, 2, taken, 1, &out));
	assert_string_equal(berth_prefix_format(&out, buf), "10.10.128.0/24");

	taken[0] = P("10.10.0.0/16");
	assert_true(ipam_pick_subnet(pools, 2, taken, 1, &out));
	assert_string_equal(berth_prefix_format(&out, buf), "10.20.0.0/31");

	taken[1] = P("10.20.0.1/32");
	assert_true(ipam_pick_subnet(pools, 2, taken, 2, &out));
	assert_string_equal(berth_prefix_format(&out, buf), "10.20.0.2/31");

	taken[2] = P("10.20.0.2/32");
	assert_false(ipam_pick_subnet(pools, 2, taken, 3, &out));

	/* a pool whose size equals its length is a single candidate */
	const ipam_pool one[] = { { "10.30.0.0/24", 24 } };
	assert_true(ipam_pick_subnet(one, 1, NULL, 0, &out));
	assert_string_equal(berth_prefix_format(&out, buf), "10.30.0.0/24");
	taken[0] = P("10.30.0.128/25");
	assert_false(ipam_pick_subnet(one, 1, taken, 1, &out));
}

/* ---- ipam_pick_offset ---------------------------------------------- */

static void check_offset(uint64_t lo, uint64_t hi, const uint64_t *used, size_t n, bool want_ok,
			 uint64_t want)
{
	uint64_t out = 0xabababab;
	bool ok = ipam_pick_offset(lo, hi, used, n, &out);

	if (ok != want_ok)
		fail_msg("ipam_pick_offset(%llu, %llu, %zu used) returned %d, expected %d",
			 (unsigned long long)lo, (unsigned long long)hi, n, ok, want_ok);
	if (ok && out != want)
		fail_msg("ipam_pick_offset(%llu, %llu, %zu used) = %llu, expected %llu",
			 (unsigned long long)lo, (unsigned long long)hi, n,
			 (unsigned long long)out, (unsigned long long)want);
}

static void test_pick_offset_empty(void **state)
{
	(void)state;
	check_offset(1, 254, NULL, 0, true, 1);
	check_offset(128, 254, NULL, 0, true, 128);
	check_offset(0, 0, NULL, 0, true, 0);
	check_offset(7, 7, NULL, 0, true, 7);
	check_offset(UINT64_MAX, UINT64_MAX, NULL, 0, true, UINT64_MAX);
	/* empty range */
	check_offset(5, 4, NULL, 0, false, 0);
	check_offset(1, 0, NULL, 0, false, 0);
}

static void test_pick_offset_gaps(void **state)
{
	(void)state;
	const uint64_t u1[] = { 1 };
	check_offset(1, 254, u1, 1, true, 2);
	const uint64_t u2[] = { 1, 2, 3 };
	check_offset(1, 254, u2, 3, true, 4);
	const uint64_t u3[] = { 1, 2, 4, 5 };
	check_offset(1, 254, u3, 4, true, 3);
	const uint64_t u4[] = { 2, 3 };
	check_offset(1, 254, u4, 2, true, 1);
	const uint64_t u5[] = { 1, 3, 5, 7 };
	check_offset(1, 254, u5, 4, true, 2);
	const uint64_t u6[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13 };
	check_offset(1, 254, u6, 12, true, 11);
	/* the gap is the last offset */
	const uint64_t u7[] = { 1, 2, 3, 4, 5 };
	check_offset(1, 6, u7, 5, true, 6);
	/* duplicates in used do no harm */
	const uint64_t u8[] = { 1, 1, 2, 2, 4 };
	check_offset(1, 254, u8, 5, true, 3);
	/* at the top of the 64-bit range */
	const uint64_t u9[] = { UINT64_MAX - 2, UINT64_MAX - 1 };
	check_offset(UINT64_MAX - 2, UINT64_MAX, u9, 2, true, UINT64_MAX);
}

static void test_pick_offset_full(void **state)
{
	(void)state;
	const uint64_t u1[] = { 1, 2, 3, 4, 5, 6 };
	check_offset(1, 6, u1, 6, false, 0);
	const uint64_t u2[] = { 7 };
	check_offset(7, 7, u2, 1, false, 0);
	const uint64_t u3[] = { 0, 1, 2, 3 };
	check_offset(0, 3, u3, 4, false, 0);
	/* full at the very top: no wrap around to 0 */
	const uint64_t u4[] = { UINT64_MAX - 1, UINT64_MAX };
	check_offset(UINT64_MAX - 1, UINT64_MAX, u4, 2, false, 0);
	const uint64_t u5[] = { UINT64_MAX };
	check_offset(UINT64_MAX, UINT64_MAX, u5, 1, false, 0);
}

static void test_pick_offset_outside_ignored(void **state)
{
	(void)state;
	/* used entries below lo */
	const uint64_t u1[] = { 1, 2, 3 };
	check_offset(10, 20, u1, 3, true, 10);
	/* above hi */
	const uint64_t u2[] = { 30, 40 };
	check_offset(10, 20, u2, 2, true, 10);
	/* both sides, with some inside */
	const uint64_t u3[] = { 1, 2, 10, 11, 13, 30 };
	check_offset(10, 20, u3, 6, true, 12);
	/* inside full, outside entries do not free anything */
	const uint64_t u4[] = { 0, 9, 10, 11, 12, 21, 22 };
	check_offset(10, 12, u4, 7, false, 0);
	/* the only free offsets are outside the range */
	const uint64_t u5[] = { 128, 129, 130, 131 };
	check_offset(128, 131, u5, 4, false, 0);
	const uint64_t u6[] = { 1, 2, 3, 128, 129 };
	check_offset(128, 131, u6, 5, true, 130);
}

/* ---- ipam_host_range ----------------------------------------------- */

static void check_range(const char *subnet, const char *ip_range, uint64_t want_lo,
			uint64_t want_hi)
{
	berth_subnet s;
	uint64_t lo = 0xdead, hi = 0xbeef;

	memset(&s, 0, sizeof(s));
	s.subnet = P(subnet);
	if (ip_range) {
		s.has_ip_range = true;
		s.ip_range = P(ip_range);
	}
	ipam_host_range(&s, &lo, &hi);
	if (lo != want_lo || hi != want_hi)
		fail_msg("ipam_host_range(%s, ip-range %s) = %llu..%llu, expected %llu..%llu",
			 subnet, ip_range ? ip_range : "none", (unsigned long long)lo,
			 (unsigned long long)hi, (unsigned long long)want_lo,
			 (unsigned long long)want_hi);
}

static void test_host_range_v4(void **state)
{
	(void)state;
	check_range("10.0.0.0/24", NULL, 1, 254);
	check_range("172.17.0.0/16", NULL, 1, 65534);
	check_range("10.88.0.0/29", NULL, 1, 6);
	check_range("10.0.0.4/30", NULL, 1, 2);
	check_range("192.168.16.0/20", NULL, 1, 4094);
}

static void test_host_range_ip_range(void **state)
{
	(void)state;
	/* the upper half: broadcast stays excluded */
	check_range("10.0.0.0/24", "10.0.0.128/25", 128, 254);
	/* the lower half: the network address stays excluded */
	check_range("10.0.0.0/24", "10.0.0.0/25", 1, 127);
	/* a /30 in the middle */
	check_range("10.0.0.0/24", "10.0.0.4/30", 4, 7);
	check_range("10.88.0.0/24", "10.88.0.128/30", 128, 131);
	/* the whole subnet */
	check_range("10.0.0.0/24", "10.0.0.0/24", 1, 254);
	/* a single address */
	check_range("10.0.0.0/24", "10.0.0.9/32", 9, 9);
	/* across octets in a /16 */
	check_range("172.17.0.0/16", "172.17.1.0/24", 256, 511);
	check_range("172.17.0.0/16", "172.17.255.0/24", 65280, 65534);
}

static void test_host_range_v6(void **state)
{
	(void)state;
	/* IPv6 has no broadcast: only the subnet-router anycast (offset 0)
	 * is skipped */
	check_range("fd00::/120", NULL, 1, 255);
	check_range("fd00:1:2:3::/64", NULL, 1, UINT64_MAX);
	check_range("fd00:1:2:3::/64", "fd00:1:2:3::100/120", 256, 511);
	check_range("fd00::/112", "fd00::/120", 1, 255);
}

/* Whatever the subnet, the range never leaves it. */
static void test_host_range_inside_subnet(void **state)
{
	(void)state;
	static const char *const subnets[] = {
		"10.0.0.0/8", "10.0.0.0/24", "10.0.0.0/29", "10.0.0.0/30",
		"10.0.0.0/31", "10.0.0.1/32", "fd00::/120", "fd00::/127", "fd00::1/128",
	};

	for (size_t i = 0; i < sizeof(subnets) / sizeof(subnets[0]); i++) {
		berth_subnet s;
		uint64_t lo, hi;

		memset(&s, 0, sizeof(s));
		s.subnet = P(subnets[i]);
		ipam_host_range(&s, &lo, &hi);
		if (lo < 1 || (lo <= hi && hi > prefix_last_offset(&s.subnet)))
			fail_msg("ipam_host_range(%s) = %llu..%llu leaves the subnet "
				 "(last offset %llu)",
				 subnets[i], (unsigned long long)lo, (unsigned long long)hi,
				 (unsigned long long)prefix_last_offset(&s.subnet));
	}
}

/* The pieces together: the addresses a /29 hands out are .1 to .6. */
static void test_host_range_with_pick(void **state)
{
	(void)state;
	berth_subnet s;
	uint64_t lo, hi, used[8], off;
	size_t n = 0;
	char buf[BERTH_ADDR_STRLEN], want[32];

	memset(&s, 0, sizeof(s));
	s.subnet = P("10.88.0.0/29");
	ipam_host_range(&s, &lo, &hi);
	while (ipam_pick_offset(lo, hi, used, n, &off)) {
		assert_true(n < 6);
		berth_addr a = prefix_addr_at(&s.subnet, off);
		snprintf(want, sizeof(want), "10.88.0.%zu", n + 1);
		assert_string_equal(berth_addr_format(&a, buf), want);
		used[n++] = off;
	}
	assert_int_equal(n, 6);

	berth_addr a = A("10.88.0.3");
	assert_int_equal(prefix_offset_of(&s.subnet, &a), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_pools_table),
		cmocka_unit_test(test_default_pools_order),
		cmocka_unit_test(test_pick_first),
		cmocka_unit_test(test_pick_after_taken),
		cmocka_unit_test(test_pick_second_pool),
		cmocka_unit_test(test_pick_exhausted),
		cmocka_unit_test(test_pick_other_family),
		cmocka_unit_test(test_pick_custom_pools),
		cmocka_unit_test(test_pick_offset_empty),
		cmocka_unit_test(test_pick_offset_gaps),
		cmocka_unit_test(test_pick_offset_full),
		cmocka_unit_test(test_pick_offset_outside_ignored),
		cmocka_unit_test(test_host_range_v4),
		cmocka_unit_test(test_host_range_ip_range),
		cmocka_unit_test(test_host_range_v6),
		cmocka_unit_test(test_host_range_inside_subnet),
		cmocka_unit_test(test_host_range_with_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
