/* Unit tests for src/ipam/cidr.c: parsing, formatting and prefix maths. */
#include <string.h>

#include "unit.h"

#include "ipam/cidr.h"

#define assert_addr_str(addr, expect)                                \
	do {                                                         \
		char buf_[BERTH_ADDR_STRLEN];                        \
		berth_addr a_ = (addr);                              \
		assert_string_equal(berth_addr_format(&a_, buf_), expect); \
	} while (0)

#define assert_prefix_str(pfx, expect)                                 \
	do {                                                           \
		char buf_[BERTH_PREFIX_STRLEN];                        \
		berth_prefix p_ = (pfx);                               \
		assert_string_equal(berth_prefix_format(&p_, buf_), expect); \
	} while (0)

/* ---- addr_parse ---------------------------------------------------- */

static void test_addr_parse_v4(void **state)
{
	(void)state;
	berth_addr a;

	assert_true(addr_parse("10.1.2.3", &a));
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.bytes[0], 10);
	assert_int_equal(a.bytes[1], 1);
	assert_int_equal(a.bytes[2], 2);
	assert_int_equal(a.bytes[3], 3);

	assert_true(addr_parse("0.0.0.0", &a));
	assert_int_equal(a.family, AF_INET);
	assert_true(addr_parse("255.255.255.255", &a));
	assert_int_equal(a.bytes[0], 255);
	assert_int_equal(a.bytes[3], 255);
}

static void test_addr_parse_v6(void **state)
{
	(void)state;
	berth_addr a;

	assert_true(addr_parse("2001:db8::1", &a));
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.bytes[0], 0x20);
	assert_int_equal(a.bytes[1], 0x01);
	assert_int_equal(a.bytes[2], 0x0d);
	assert_int_equal(a.bytes[3], 0xb8);
	for (int i = 4; i < 15; i++)
		assert_int_equal(a.bytes[i], 0);
	assert_int_equal(a.bytes[15], 1);

	assert_true(addr_parse("::", &a));
	assert_int_equal(a.family, AF_INET6);
	assert_true(addr_parse("::1", &a));
	assert_int_equal(a.family, AF_INET6);
	assert_true(addr_parse("fe80::a:b:c:d", &a));
	assert_int_equal(a.family, AF_INET6);
	/* v4-mapped text is still an IPv6 address */
	assert_true(addr_parse("::ffff:10.0.0.1", &a));
	assert_int_equal(a.family, AF_INET6);
}

static void test_addr_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",	       "abc",	       "10.0.0.300",  "1.2.3",	      "01.2.3.4",
		" 10.0.0.1",   "10.0.0.1 ",   "10.0.0.1/8",  "1.2.3.4.5",    "10..0.1",
		"-1.2.3.4",    "0x0a.0.0.1",  "2001:db8::1::2", "2001:db8:::1", "fe80::1%eth0",
		"12345::1",    "10.0.0",      "1",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		berth_addr a;
		if (addr_parse(bad[i], &a))
			fail_msg("addr_parse accepted \"%s\"", bad[i]);
	}
}

/* ---- prefix_parse -------------------------------------------------- */

static void test_prefix_parse_valid(void **state)
{
	(void)state;
	berth_prefix p;
	bool bad_len = true;

	assert_true(prefix_parse("10.0.0.0/8", &p, &bad_len));
	assert_false(bad_len);
	assert_int_equal(p.addr.family, AF_INET);
	assert_int_equal(p.len, 8);
	assert_int_equal(p.addr.bytes[0], 10);

	assert_true(prefix_parse("0.0.0.0/0", &p, &bad_len));
	assert_int_equal(p.len, 0);
	assert_true(prefix_parse("10.1.2.3/32", &p, &bad_len));
	assert_int_equal(p.len, 32);

	/* host bits may be set; the address is kept as given */
	assert_true(prefix_parse("10.1.2.3/24", &p, &bad_len));
	assert_int_equal(p.len, 24);
	assert_int_equal(p.addr.bytes[3], 3);

	assert_true(prefix_parse("2001:db8::/32", &p, &bad_len));
	assert_false(bad_len);
	assert_int_equal(p.addr.family, AF_INET6);
	assert_int_equal(p.len, 32);
	assert_true(prefix_parse("::/0", &p, &bad_len));
	assert_int_equal(p.len, 0);
	assert_true(prefix_parse("2001:db8::1/128", &p, &bad_len));
	assert_int_equal(p.len, 128);
	assert_true(prefix_parse("fd00:1:2:3::/64", &p, &bad_len));
	assert_int_equal(p.len, 64);
}

static void check_prefix_rejected(const char *s, bool want_bad_len)
{
	berth_prefix p;
	bool bad_len = !want_bad_len;

	if (prefix_parse(s, &p, &bad_len))
		fail_msg("prefix_parse accepted \"%s\"", s);
	if (bad_len != want_bad_len)
		fail_msg("prefix_parse(\"%s\"): bad_len = %d, expected %d", s, bad_len,
			 want_bad_len);
}

static void test_prefix_parse_bad_address(void **state)
{
	(void)state;
	/* the address is wrong: bad_len stays false */
	check_prefix_rejected("10.0.0.300/24", false);
	check_prefix_rejected("abc", false);
	check_prefix_rejected("abc/8", false);
	check_prefix_rejected("1.2.3/24", false);
	check_prefix_rejected("01.2.3.4/8", false);
	check_prefix_rejected(" 10.0.0.0/8", false);
	check_prefix_rejected("/8", false);
	check_prefix_rejected("", false);
	/* no length at all */
	check_prefix_rejected("10.0.0.0", false);
	check_prefix_rejected("2001:db8::", false);
	check_prefix_rejected("2001:db8::1::2/64", false);
}

static void test_prefix_parse_bad_len(void **state)
{
	(void)state;
	/* the address is fine, the length is not: bad_len is true */
	check_prefix_rejected("10.0.0.0/33", true);
	check_prefix_rejected("10.0.0.0/", true);
	check_prefix_rejected("10.0.0.0/abc", true);
	check_prefix_rejected("10.0.0.0/-1", true);
	check_prefix_rejected("10.0.0.0/+8", true);
	check_prefix_rejected("10.0.0.0/ 8", true);
	check_prefix_rejected("10.0.0.0/8 ", true);
	check_prefix_rejected("10.0.0.0/8/8", true);
	check_prefix_rejected("10.0.0.0/8x", true);
	check_prefix_rejected("10.0.0.0/4294967304", true); /* 2^32 + 8 */
	check_prefix_rejected("10.0.0.0/1000", true);
	check_prefix_rejected("2001:db8::/129", true);
	check_prefix_rejected("2001:db8::/", true);
	check_prefix_rejected("2001:db8::/x", true);
}

/* ---- formatting ---------------------------------------------------- */

static void test_format_round_trip(void **state)
{
	(void)state;
	static const char *const addrs[] = {
		"0.0.0.0", "10.1.2.3", "172.17.0.1", "255.255.255.255", "::", "::1",
		"2001:db8::1", "fe80::a:b:c:d", "fd00:1:2:3:4:5:6:7",
	};
	static const char *const prefixes[] = {
		"0.0.0.0/0",	   "10.0.0.0/8",  "172.17.0.0/16", "192.168.16.0/20",
		"10.1.2.3/24",	   "10.0.0.4/30", "10.1.2.3/32",   "::/0",
		"2001:db8::/32",   "fd00:1:2:3::/64", "2001:db8::1/128",
	};

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		char buf[BERTH_ADDR_STRLEN];
		berth_addr a = A(addrs[i]);
		assert_string_equal(berth_addr_format(&a, buf), addrs[i]);
		/* format returns its buffer */
		assert_ptr_equal(berth_addr_format(&a, buf), buf);
		berth_addr b = A(buf);
		assert_true(berth_addr_equal(&a, &b));
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		char buf[BERTH_PREFIX_STRLEN];
		berth_prefix p = P(prefixes[i]);
		assert_string_equal(berth_prefix_format(&p, buf), prefixes[i]);
		assert_ptr_equal(berth_prefix_format(&p, buf), buf);
		berth_prefix q = P(buf);
		assert_true(berth_addr_equal(&p.addr, &q.addr));
		assert_int_equal(p.len, q.len);
	}
}

static void test_format_canonical(void **state)
{
	(void)state;
	/* IPv6 comes out in canonical (RFC 5952) form */
	assert_addr_str(A("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
	assert_addr_str(A("FE80::ABCD"), "fe80::abcd");
	assert_prefix_str(P("2001:DB8:0:0::/64"), "2001:db8::/64");

	/* the longest strings fit the buffers */
	assert_addr_str(A("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"),
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_prefix_str(P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
			  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_prefix_str(P("255.255.255.255/32"), "255.255.255.255/32");
}

/* ---- basics -------------------------------------------------------- */

static void test_addr_bits_equal(void **state)
{
	(void)state;
	assert_int_equal(addr_bits(AF_INET), 32);
	assert_int_equal(addr_bits(AF_INET6), 128);

	berth_addr a = A("10.0.0.1"), b = A("10.0.0.1"), c = A("10.0.0.2");
	assert_true(berth_addr_equal(&a, &b));
	assert_false(berth_addr_equal(&a, &c));

	berth_addr v6 = A("::a00:1"); /* same low bytes, other family */
	assert_false(berth_addr_equal(&a, &v6));
	assert_false(berth_addr_equal(&v6, &a));

	berth_addr m = A("::ffff:10.0.0.1");
	assert_false(berth_addr_equal(&a, &m));
}

/* ---- network / host bits ------------------------------------------- */

static void test_prefix_network(void **state)
{
	(void)state;
	struct {
		const char *in, *net;
		bool is_net;
	} cases[] = {
		{ "10.1.2.3/8", "10.0.0.0/8", false },
		{ "10.0.0.0/8", "10.0.0.0/8", true },
		{ "10.1.2.3/24", "10.1.2.0/24", false },
		{ "10.1.2.0/24", "10.1.2.0/24", true },
		{ "10.1.2.3/32", "10.1.2.3/32", true },
		{ "10.1.2.255/31", "10.1.2.254/31", false },
		{ "10.1.2.254/31", "10.1.2.254/31", true },
		{ "172.31.255.255/12", "172.16.0.0/12", false },
		{ "192.168.31.7/20", "192.168.16.0/20", false },
		{ "192.168.16.0/20", "192.168.16.0/20", true },
		{ "255.255.255.255/0", "0.0.0.0/0", false },
		{ "0.0.0.0/0", "0.0.0.0/0", true },
		{ "10.0.0.7/29", "10.0.0.0/29", false },
		{ "10.0.0.8/29", "10.0.0.8/29", true },
		{ "2001:db8::1/64", "2001:db8::/64", false },
		{ "2001:db8::/64", "2001:db8::/64", true },
		{ "2001:db8:ffff:ffff:ffff::/33", "2001:db8:8000::/33", false },
		{ "2001:db8::1/128", "2001:db8::1/128", true },
		{ "ffff::1/0", "::/0", false },
		{ "fd00::ff/121", "fd00::80/121", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[BERTH_PREFIX_STRLEN];
		berth_prefix p = P(cases[i].in);
		berth_prefix n = prefix_network(&p);
		if (strcmp(berth_prefix_format(&n, buf), cases[i].net))
			fail_msg("prefix_network(%s) = %s, expected %s", cases[i].in, buf,
				 cases[i].net);
		if (prefix_is_network(&p) != cases[i].is_net)
			fail_msg("prefix_is_network(%s) = %d, expected %d", cases[i].in,
				 !cases[i].is_net, cases[i].is_net);
		assert_true(prefix_is_network(&n));
		assert_int_equal(n.len, p.len);
		assert_int_equal(n.addr.family, p.addr.family);
	}
}

/* ---- contains / within / overlaps ---------------------------------- */

static void test_prefix_contains(void **state)
{
	(void)state;
	berth_prefix p = P("10.1.0.0/16");
	berth_addr in1 = A("10.1.0.0"), in2 = A("10.1.255.255"), in3 = A("10.1.2.3");
	berth_addr out1 = A("10.0.255.255"), out2 = A("10.2.0.0"), out3 = A("11.1.0.0");

	assert_true(prefix_contains(&p, &in1));
	assert_true(prefix_contains(&p, &in2));
	assert_true(prefix_contains(&p, &in3));
	assert_false(prefix_contains(&p, &out1));
	assert_false(prefix_contains(&p, &out2));
	assert_false(prefix_contains(&p, &out3));

	/* host bits in the prefix do not matter */
	berth_prefix h = P("10.1.2.3/16");
	assert_true(prefix_contains(&h, &in2));
	assert_false(prefix_contains(&h, &out2));

	berth_prefix all = P("0.0.0.0/0");
	assert_true(prefix_contains(&all, &out3));
	berth_prefix host = P("10.1.2.3/32");
	assert_true(prefix_contains(&host, &in3));
	assert_false(prefix_contains(&host, &in1));

	/* IPv6 */
	berth_prefix p6 = P("2001:db8::/32");
	berth_addr a6 = A("2001:db8:ffff::1"), b6 = A("2001:db9::");
	assert_true(prefix_contains(&p6, &a6));
	assert_false(prefix_contains(&p6, &b6));
	berth_prefix all6 = P("::/0");
	assert_true(prefix_contains(&all6, &b6));

	/* families never mix, not even for /0 */
	berth_addr v6 = A("::a01:203"); /* low bytes equal 10.1.2.3 */
	berth_addr v4 = A("0.0.0.0");
	assert_false(prefix_contains(&p, &v6));
	assert_false(prefix_contains(&all, &v6));
	assert_false(prefix_contains(&all6, &in3));
	assert_false(prefix_contains(&all6, &v4));
}

static void test_prefix_within(void **state)
{
	(void)state;
	berth_prefix big = P("10.0.0.0/8"), mid = P("10.1.0.0/16"), small = P("10.1.2.0/24");
	berth_prefix other = P("10.2.0.0/16"), far = P("192.168.0.0/16");

	assert_true(prefix_within(&big, &mid));
	assert_true(prefix_within(&big, &small));
	assert_true(prefix_within(&mid, &small));
	assert_false(prefix_within(&mid, &big));
	assert_false(prefix_within(&small, &big));
	assert_false(prefix_within(&small, &mid));
	/* a prefix lies within itself */
	assert_true(prefix_within(&mid, &mid));
	/* disjoint */
	assert_false(prefix_within(&mid, &other));
	assert_false(prefix_within(&other, &small));
	assert_false(prefix_within(&big, &far));
	/* the last /24 of a /16 is inside, the one after is not */
	berth_prefix last = P("10.1.255.0/24"), after = P("10.2.0.0/24");
	assert_true(prefix_within(&mid, &last));
	assert_false(prefix_within(&mid, &after));
	/* /0 holds everything of its family */
	berth_prefix all = P("0.0.0.0/0");
	assert_true(prefix_within(&all, &far));
	assert_true(prefix_within(&all, &all));
	assert_false(prefix_within(&far, &all));

	/* IPv6 */
	berth_prefix p6 = P("2001:db8::/32"), q6 = P("2001:db8:1::/48"), r6 = P("2001:db9::/48");
	assert_true(prefix_within(&p6, &q6));
	assert_false(prefix_within(&q6, &p6));
	assert_false(prefix_within(&p6, &r6));

	/* families never mix */
	berth_prefix all6 = P("::/0"), v6 = P("::a00:0/104"); /* low bytes match 10/8 */
	assert_false(prefix_within(&all6, &big));
	assert_false(prefix_within(&all, &v6));
	assert_false(prefix_within(&big, &v6));
	assert_false(prefix_within(&v6, &big));
}

static void check_overlap(const char *a, const char *b, bool want)
{
	berth_prefix pa = P(a), pb = P(b);

	if (prefix_overlaps(&pa, &pb) != want)
		fail_msg("prefix_overlaps(%s, %s) != %d", a, b, want);
	if (prefix_overlaps(&pb, &pa) != want)
		fail_msg("prefix_overlaps(%s, %s) != %d", b, a, want);
}

static void test_prefix_overlaps(void **state)
{
	(void)state;
	/* containment, both ways round (check_overlap tries both orders) */
	check_overlap("10.0.0.0/8", "10.1.0.0/16", true);
	check_overlap("10.1.0.0/16", "10.1.2.0/24", true);
	check_overlap("172.16.0.0/12", "172.31.255.0/24", true);
	check_overlap("10.1.0.0/16", "10.1.0.0/16", true);
	check_overlap("10.1.2.3/32", "10.1.2.3/32", true);
	check_overlap("0.0.0.0/0", "192.168.0.0/16", true);
	check_overlap("0.0.0.0/0", "0.0.0.0/0", true);
	/* host bits set in either one */
	check_overlap("10.1.2.3/16", "10.1.200.0/24", true);
	/* adjacent and disjoint */
	check_overlap("10.1.0.0/16", "10.2.0.0/16", false);
	check_overlap("10.0.0.0/30", "10.0.0.4/30", false);
	check_overlap("10.1.0.0/16", "10.0.255.0/24", false);
	check_overlap("172.16.0.0/12", "172.32.0.0/16", false);
	check_overlap("172.16.0.0/12", "172.15.0.0/16", false);
	check_overlap("192.168.0.0/20", "192.168.16.0/20", false);
	check_overlap("10.1.2.3/32", "10.1.2.4/32", false);
	/* IPv6 */
	check_overlap("2001:db8::/32", "2001:db8:1::/48", true);
	check_overlap("::/0", "fd00::/8", true);
	check_overlap("2001:db8::/48", "2001:db8:1::/48", false);
	check_overlap("fd00::/64", "fd00:0:0:1::/64", false);
	/* different families never overlap, whatever the bytes */
	check_overlap("0.0.0.0/0", "::/0", false);
	check_overlap("10.0.0.0/8", "::/0", false);
	check_overlap("0.0.0.0/0", "2001:db8::/32", false);
	check_overlap("10.0.0.0/8", "::a00:0/104", false);
	check_overlap("10.0.0.0/8", "a00::/8", false);
	check_overlap("10.0.0.0/8", "::ffff:10.0.0.0/104", false);
}

/* ---- offsets ------------------------------------------------------- */

static void check_at(const char *pfx, uint64_t off, const char *addr)
{
	berth_prefix p = P(pfx);
	berth_addr a = prefix_addr_at(&p, off);
	berth_addr want = A(addr);
	if (!berth_addr_equal(&a, &want)) {
		char buf[BERTH_ADDR_STRLEN];
		fail_msg("prefix_addr_at(%s, %llu) = %s, expected %s", pfx,
			 (unsigned long long)off, berth_addr_format(&a, buf), addr);
	}
	uint64_t back = prefix_offset_of(&p, &want);
	if (back != off)
		fail_msg("prefix_offset_of(%s, %s) = %llu, expected %llu", pfx, addr,
			 (unsigned long long)back, (unsigned long long)off);
}

static void test_offsets_v4_16(void **state)
{
	(void)state;
	check_at("172.17.0.0/16", 0, "172.17.0.0");
	check_at("172.17.0.0/16", 1, "172.17.0.1");
	check_at("172.17.0.0/16", 255, "172.17.0.255");
	check_at("172.17.0.0/16", 256, "172.17.1.0");
	check_at("172.17.0.0/16", 257, "172.17.1.1");
	check_at("172.17.0.0/16", 0x1234, "172.17.18.52");
	check_at("172.17.0.0/16", 65534, "172.17.255.254");
	check_at("172.17.0.0/16", 65535, "172.17.255.255");
	/* host bits in the prefix are ignored: offsets count from the network */
	check_at("172.17.9.9/16", 1, "172.17.0.1");

	/* round trip over the whole /16 */
	berth_prefix p = P("172.17.0.0/16");
	for (uint64_t off = 0; off <= 65535; off++) {
		berth_addr a = prefix_addr_at(&p, off);
		assert_int_equal(a.family, AF_INET);
		assert_true(prefix_contains(&p, &a));
		assert_int_equal(prefix_offset_of(&p, &a), off);
		assert_int_equal(a.bytes[0], 172);
		assert_int_equal(a.bytes[1], 17);
		assert_int_equal(a.bytes[2], off >> 8);
		assert_int_equal(a.bytes[3], off & 0xff);
	}
}

static void test_offsets_v4_30(void **state)
{
	(void)state;
	check_at("10.0.0.4/30", 0, "10.0.0.4");
	check_at("10.0.0.4/30", 1, "10.0.0.5");
	check_at("10.0.0.4/30", 2, "10.0.0.6");
	check_at("10.0.0.4/30", 3, "10.0.0.7");
	/* a /30 at the very top of the space: no carry out */
	check_at("255.255.255.252/30", 3, "255.255.255.255");
	/* crossing octet boundaries in a bigger prefix */
	check_at("10.0.0.0/8", 0xffffff, "10.255.255.255");
	check_at("10.0.0.0/8", 0x010203, "10.1.2.3");
	check_at("0.0.0.0/0", 0xffffffffu, "255.255.255.255");
	check_at("0.0.0.0/0", 0x0a000001u, "10.0.0.1");
}

static void test_offsets_v6_64(void **state)
{
	(void)state;
	check_at("fd00:1:2:3::/64", 0, "fd00:1:2:3::");
	check_at("fd00:1:2:3::/64", 1, "fd00:1:2:3::1");
	check_at("fd00:1:2:3::/64", 0x10000, "fd00:1:2:3::1:0");
	check_at("fd00:1:2:3::/64", 0x0102030405060708ull, "fd00:1:2:3:102:304:506:708");
	check_at("fd00:1:2:3::/64", UINT64_MAX, "fd00:1:2:3:ffff:ffff:ffff:ffff");
	check_at("fd00:1:2:3::/64", UINT64_MAX - 1, "fd00:1:2:3:ffff:ffff:ffff:fffe");
	/* the top 64 bits are never touched */
	check_at("ffff:ffff:ffff:ffff::/64", UINT64_MAX, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	/* longer IPv6 prefixes */
	check_at("2001:db8::/120", 255, "2001:db8::ff");
	check_at("2001:db8::100/120", 1, "2001:db8::101");
	check_at("2001:db8::/112", 0xabcd, "2001:db8::abcd");

	berth_prefix p = P("fd00:1:2:3::/64");
	uint64_t samples[] = { 0, 1, 2, 255, 256, 65535, 65536, 0xdeadbeefull,
			       0x8000000000000000ull, UINT64_MAX };
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		berth_addr a = prefix_addr_at(&p, samples[i]);
		assert_int_equal(a.family, AF_INET6);
		assert_true(prefix_contains(&p, &a));
		assert_int_equal(prefix_offset_of(&p, &a), samples[i]);
	}
}

static void test_last_offset(void **state)
{
	(void)state;
	struct {
		const char *p;
		uint64_t last;
	} cases[] = {
		{ "10.0.0.4/30", 3 },
		{ "172.17.0.0/16", 65535 },
		{ "10.0.0.0/29", 7 },
		{ "10.0.0.0/24", 255 },
		{ "192.168.0.0/20", 4095 },
		{ "10.0.0.0/8", 0xffffff },
		{ "10.0.0.1/32", 0 },
		{ "10.0.0.0/31", 1 },
		{ "0.0.0.0/0", 0xffffffffull },
		{ "2001:db8::1/128", 0 },
		{ "2001:db8::/120", 255 },
		{ "2001:db8::/65", 0x7fffffffffffffffull },
		{ "fd00:1:2:3::/64", UINT64_MAX },
		/* saturates */
		{ "fd00::/48", UINT64_MAX },
		{ "::/0", UINT64_MAX },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		berth_prefix p = P(cases[i].p);
		uint64_t got = prefix_last_offset(&p);
		if (got != cases[i].last)
			fail_msg("prefix_last_offset(%s) = %llu, expected %llu", cases[i].p,
				 (unsigned long long)got, (unsigned long long)cases[i].last);
	}
}

/* ---- nth_subnet ---------------------------------------------------- */

static void check_nth(const char *pfx, unsigned len, uint64_t n, const char *want)
{
	char buf[BERTH_PREFIX_STRLEN];
	berth_prefix p = P(pfx);
	berth_prefix s = prefix_nth_subnet(&p, len, n);

	if (strcmp(berth_prefix_format(&s, buf), want))
		fail_msg("prefix_nth_subnet(%s, /%u, %llu) = %s, expected %s", pfx, len,
			 (unsigned long long)n, buf, want);
	assert_true(prefix_within(&p, &s));
	assert_true(prefix_is_network(&s));
}

static void test_nth_subnet(void **state)
{
	(void)state;
	check_nth("192.168.0.0/16", 20, 0, "192.168.0.0/20");
	check_nth("192.168.0.0/16", 20, 1, "192.168.16.0/20");
	check_nth("192.168.0.0/16", 20, 2, "192.168.32.0/20");
	check_nth("192.168.0.0/16", 20, 15, "192.168.240.0/20");
	check_nth("172.20.0.0/14", 16, 0, "172.20.0.0/16");
	check_nth("172.20.0.0/14", 16, 3, "172.23.0.0/16");
	check_nth("172.16.0.0/12", 16, 15, "172.31.0.0/16");
	check_nth("10.0.0.0/8", 24, 0x0102, "10.1.2.0/24");
	check_nth("10.0.0.0/8", 8, 0, "10.0.0.0/8");
	check_nth("10.0.0.0/24", 32, 255, "10.0.0.255/32");
	check_nth("10.0.0.0/24", 30, 1, "10.0.0.4/30");
	/* host bits in the parent are cleared first */
	check_nth("192.168.5.5/16", 20, 1, "192.168.16.0/20");
	check_nth("0.0.0.0/0", 8, 10, "10.0.0.0/8");
	/* IPv6, subnets with fewer than 64 host bits */
	check_nth("2001:db8::/64", 120, 2, "2001:db8::200/120");
	check_nth("2001:db8::/64", 96, 3, "2001:db8::3:0:0/96");
	check_nth("2001:db8::/32", 32, 0, "2001:db8::/32");

	/* the subnets tile the parent without overlapping */
	berth_prefix p = P("192.168.0.0/16");
	for (uint64_t i = 0; i < 16; i++) {
		berth_prefix a = prefix_nth_subnet(&p, 20, i);
		for (uint64_t j = i + 1; j < 16; j++) {
			berth_prefix b = prefix_nth_subnet(&p, 20, j);
			assert_false(prefix_overlaps(&a, &b));
		}
	}
}

/* IPv6 subnets of /64 and shorter: n lands in the upper 64 bits. */
static void test_nth_subnet_v6_wide(void **state)
{
	(void)state;
	check_nth("fd00::/48", 64, 0, "fd00::/64");
	check_nth("fd00::/48", 64, 1, "fd00:0:0:1::/64");
	check_nth("fd00::/48", 64, 0xffff, "fd00:0:0:ffff::/64");
	check_nth("2001:db8::/32", 48, 5, "2001:db8:5::/48");
	check_nth("2001:db8::/32", 63, 1, "2001:db8:0:2::/63");
	check_nth("::/0", 16, 0xfd00, "fd00::/16");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse_v4),
		cmocka_unit_test(test_addr_parse_v6),
		cmocka_unit_test(test_addr_parse_rejects),
		cmocka_unit_test(test_prefix_parse_valid),
		cmocka_unit_test(test_prefix_parse_bad_address),
		cmocka_unit_test(test_prefix_parse_bad_len),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_canonical),
		cmocka_unit_test(test_addr_bits_equal),
		cmocka_unit_test(test_prefix_network),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_prefix_within),
		cmocka_unit_test(test_prefix_overlaps),
		cmocka_unit_test(test_offsets_v4_16),
		cmocka_unit_test(test_offsets_v4_30),
		cmocka_unit_test(test_offsets_v6_64),
		cmocka_unit_test(test_last_offset),
		cmocka_unit_test(test_nth_subnet),
		cmocka_unit_test(test_nth_subnet_v6_wide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
