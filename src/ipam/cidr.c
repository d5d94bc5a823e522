#include "ipam/cidr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned addr_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

static unsigned addr_len(int family)
{
	return addr_bits(family) / 8;
}

bool addr_parse(const char *s, berth_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

static bool parse_prefix_len(const char *s, unsigned max, unsigned *len)
{
	char *end;

	if (!isdigit((unsigned char)s[0]) || strlen(s) > 3)
		return false;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || v > max)
		return false;
	*len = (unsigned)v;
	return true;
}

bool prefix_parse(const char *s, berth_prefix *out, bool *bad_len)
{
	char buf[BERTH_PREFIX_STRLEN + 1];
	const char *slash = strchr(s, '/');

	*bad_len = false;
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (!addr_parse(buf, &out->addr))
		return false;
	if (!parse_prefix_len(slash + 1, addr_bits(out->addr.family), &out->len)) {
		*bad_len = true;
		return false;
	}
	return true;
}

const char *berth_addr_format(const berth_addr *a, char buf[BERTH_ADDR_STRLEN])
{
	if (!inet_ntop(a->family, a->bytes, buf, BERTH_ADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

const char *berth_prefix_format(const berth_prefix *p, char buf[BERTH_PREFIX_STRLEN])
{
	char a[BERTH_ADDR_STRLEN];

	snprintf(buf, BERTH_PREFIX_STRLEN, "%s/%u", berth_addr_format(&p->addr, a), p->len);
	return buf;
}

bool berth_addr_equal(const berth_addr *a, const berth_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, addr_len(a->family));
}

static void clear_host_bits(berth_addr *a, unsigned len)
{
	unsigned n = addr_len(a->family);

	for (unsigned i = 0; i < n; i++) {
		unsigned bit = i * 8;
		if (bit >= len)
			a->bytes[i] = 0;
		else if (bit + 8 > len)
			a->bytes[i] &= (uint8_t)(0xff << (8 - (len - bit)));
	}
}

berth_prefix prefix_network(const berth_prefix *p)
{
	berth_prefix r = *p;

	clear_host_bits(&r.addr, r.len);
	return r;
}

bool prefix_is_network(const berth_prefix *p)
{
	berth_prefix n = prefix_network(p);

	return berth_addr_equal(&n.addr, &p->addr);
}

bool prefix_contains(const berth_prefix *p, const berth_addr *a)
{
	if (p->addr.family != a->family)
		return false;
	berth_prefix x = { .addr = *a, .len = p->len };
	berth_prefix n1 = prefix_network(p), n2 = prefix_network(&x);
	return berth_addr_equal(&n1.addr, &n2.addr);
}

bool prefix_within(const berth_prefix *outer, const berth_prefix *inner)
{
	return inner->len >= outer->len && prefix_contains(outer, &inner->addr);
}

bool prefix_overlaps(const berth_prefix *a, const berth_prefix *b)
{
	return prefix_within(a, b) || prefix_within(b, a);
}

/* Offsets live in the low 64 bits of the address. */
static uint64_t low64(const berth_addr *a)
{
	unsigned n = addr_len(a->family), start = n > 8 ? n - 8 : 0;
	uint64_t v = 0;

	for (unsigned i = start; i < n; i++)
		v = (v << 8) | a->bytes[i];
	return v;
}

static uint64_t host_mask(const berth_prefix *p)
{
	unsigned host_bits = addr_bits(p->addr.family) - p->len;

	return host_bits >= 64 ? UINT64_MAX : ((uint64_t)1 << host_bits) - 1;
}

/* Adds n << shift to the address, for shifts past the low 64 bits too. */
static void add_shifted(berth_addr *a, uint64_t n, unsigned shift)
{
	unsigned carry = 0, bits = shift % 8;
	int i = (int)addr_len(a->family) - 1 - (int)(shift / 8);
	/* n << bits may need 72 bits: feed it a byte at a time */
	uint64_t low = n << bits, high = bits ? n >> (64 - bits) : 0;

	for (; i >= 0 && (low || high || carry); i--) {
		unsigned sum = a->bytes[i] + (unsigned)(low & 0xff) + carry;
		a->bytes[i] = (uint8_t)sum;
		carry = sum >> 8;
		low = (low >> 8) | ((high & 0xff) << 56);
		high >>= 8;
	}
}

berth_addr prefix_addr_at(const berth_prefix *p, uint64_t offset)
{
	berth_prefix n = prefix_network(p);

	add_shifted(&n.addr, offset & host_mask(p), 0);
	return n.addr;
}

uint64_t prefix_offset_of(const berth_prefix *p, const berth_addr *a)
{
	return low64(a) & host_mask(p);
}

uint64_t prefix_last_offset(const berth_prefix *p)
{
	return host_mask(p);
}

berth_prefix prefix_nth_subnet(const berth_prefix *p, unsigned len, uint64_t n)
{
	berth_prefix r = prefix_network(p);

	add_shifted(&r.addr, n, addr_bits(p->addr.family) - len);
	r.len = len;
	return r;
}

const char *addr_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

bool addr_is_any(const berth_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->bytes, zero, addr_bits(a->family) / 8);
}
