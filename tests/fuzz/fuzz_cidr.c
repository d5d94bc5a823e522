/* addr_parse and prefix_parse: what --subnet, --gateway, --ip-range, --ip,
 * the host IP of -p and the store's subnet rows go through. What they
 * accept must print back to text they read as the same value, and the
 * CIDR maths must hold on it, since IPAM hands out addresses with them. */
#include "fuzz.h"

#include "ipam/cidr.h"

static void check_addr(const char *s)
{
	berth_addr a, again;
	char text[BERTH_ADDR_STRLEN];

	if (!addr_parse(s, &a))
		return;
	FUZZ_CHECK(a.family == AF_INET || a.family == AF_INET6, "\"%s\": family %d", s, a.family);
	berth_addr_format(&a, text);
	FUZZ_CHECK(addr_parse(text, &again) && berth_addr_equal(&a, &again), "\"%s\" printed as \"%s\"", s, text);
}

/* The network, its first and last address, and its two halves. */
static void check_maths(const berth_prefix *p, const char *s)
{
	unsigned bits = addr_bits(p->addr.family);
	berth_prefix net = prefix_network(p);

	FUZZ_CHECK(prefix_is_network(&net) && net.len == p->len, "\"%s\": network not canonical", s);
	FUZZ_CHECK(prefix_contains(&net, &p->addr) && prefix_within(&net, p) && prefix_overlaps(p, &net),
		   "\"%s\" outside its own network", s);
	berth_addr last = prefix_addr_at(p, prefix_last_offset(p));
	FUZZ_CHECK(prefix_contains(&net, &last), "\"%s\": last address outside", s);
	/* offsets are 64-bit: exact where the host part fits */
	if (bits - p->len <= 64) {
		berth_addr back = prefix_addr_at(p, prefix_offset_of(p, &p->addr));
		FUZZ_CHECK(berth_addr_equal(&back, &p->addr), "\"%s\": offset does not lead back", s);
	}
	if (p->len < bits) {
		berth_prefix lo = prefix_nth_subnet(&net, p->len + 1, 0), hi = prefix_nth_subnet(&net, p->len + 1, 1);
		FUZZ_CHECK(prefix_within(&net, &lo) && prefix_within(&net, &hi) && !prefix_overlaps(&lo, &hi),
			   "\"%s\": halves wrong", s);
	}
}

static void check_prefix(const char *s)
{
	berth_prefix p, again;
	bool bad_len = false;
	char text[BERTH_PREFIX_STRLEN], net_text[BERTH_PREFIX_STRLEN];

	if (!prefix_parse(s, &p, &bad_len)) {
		/* "the address was fine": what is before the slash is one */
		if (bad_len) {
			berth_addr a;
			char *before = xstrndup(s, (size_t)(strchr(s, '/') - s));
			FUZZ_CHECK(addr_parse(before, &a), "\"%s\": bad_len with a bad address", s);
			free(before);
		}
		return;
	}
	FUZZ_CHECK(!bad_len && p.len <= addr_bits(p.addr.family), "\"%s\": length %u", s, p.len);
	berth_prefix_format(&p, text);
	FUZZ_CHECK(prefix_parse(text, &again, &bad_len) && berth_addr_equal(&p.addr, &again.addr) && p.len == again.len,
		   "\"%s\" printed as \"%s\"", s, text);
	/* canonical exactly when it prints as its network does */
	berth_prefix net = prefix_network(&p);
	berth_prefix_format(&net, net_text);
	FUZZ_CHECK(prefix_is_network(&p) == !strcmp(text, net_text), "\"%s\": is_network %d", s, prefix_is_network(&p));
	check_maths(&p, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);

	check_addr(s);
	check_prefix(s);
	free(s);
	return 0;
}
