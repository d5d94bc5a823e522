#include "ipam/pool.h"

#include <stdlib.h>

/* moby/libnetwork ipamutils: 172.17-31 as /16s, then 192.168/16 as /20s. */
const ipam_pool ipam_default_pools[] = {
	{ "172.17.0.0/16", 16 }, { "172.18.0.0/16", 16 }, { "172.19.0.0/16", 16 },
	{ "172.20.0.0/14", 16 }, { "172.24.0.0/14", 16 }, { "172.28.0.0/14", 16 },
	{ "192.168.0.0/16", 20 },
};
const size_t ipam_n_default_pools = sizeof(ipam_default_pools) / sizeof(ipam_default_pools[0]);

static bool overlaps_any(const berth_prefix *p, const berth_prefix *taken, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (prefix_overlaps(p, &taken[i]))
			return true;
	return false;
}

bool ipam_pick_subnet(const ipam_pool *pools, size_t n_pools, const berth_prefix *taken,
		      size_t n_taken, berth_prefix *out)
{
	for (size_t i = 0; i < n_pools; i++) {
		berth_prefix base;
		bool bad_len;

		if (!prefix_parse(pools[i].base, &base, &bad_len))
			abort(); /* the table is ours */
		uint64_t count = (uint64_t)1 << (pools[i].size - base.len);
		for (uint64_t k = 0; k < count; k++) {
			berth_prefix cand = prefix_nth_subnet(&base, pools[i].size, k);
			if (!overlaps_any(&cand, taken, n_taken)) {
				*out = cand;
				return true;
			}
		}
	}
	return false;
}

bool ipam_pick_offset(uint64_t lo, uint64_t hi, const uint64_t *used, size_t n_used,
		      uint64_t *out)
{
	uint64_t want = lo;

	for (size_t i = 0; i < n_used && want <= hi; i++) {
		if (used[i] < want)
			continue;
		if (used[i] > want)
			break;
		if (want == UINT64_MAX)
			return false;
		want++;
	}
	if (want > hi || want < lo)
		return false;
	*out = want;
	return true;
}

void ipam_host_range(const berth_subnet *s, uint64_t *lo, uint64_t *hi)
{
	uint64_t last = prefix_last_offset(&s->subnet);
	bool v4 = s->subnet.addr.family == AF_INET;

	*lo = 1;
	/* IPv4 keeps its broadcast address; a /31 or /32 has no room for it */
	*hi = v4 && last >= 2 ? last - 1 : last;
	if (s->has_ip_range) {
		uint64_t first = prefix_offset_of(&s->subnet, &s->ip_range.addr);
		uint64_t end = first + prefix_last_offset(&s->ip_range);
		if (first > *lo)
			*lo = first;
		if (end < *hi)
			*hi = end;
	}
}

const berth_subnet *ipam_subnet_of(const berth_subnet *subnets, size_t n, int family)
{
	for (size_t i = 0; i < n; i++)
		if (subnets[i].subnet.addr.family == family)
			return &subnets[i];
	return NULL;
}
