/* Docker's default address pools and the choice of a free subnet in them. */
#ifndef BERTH_IPAM_POOL_H
#define BERTH_IPAM_POOL_H

#include "ipam/cidr.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ipam_pool {
	const char *base; /* CIDR */
	unsigned size;    /* prefix length of each subnet cut from base */
} ipam_pool;

extern const ipam_pool ipam_default_pools[];
extern const size_t ipam_n_default_pools;

/* First subnet of the pools that overlaps none of `taken`. */
bool ipam_pick_subnet(const ipam_pool *pools, size_t n_pools, const berth_prefix *taken,
		      size_t n_taken, berth_prefix *out);

/* Lowest offset in [lo, hi] absent from `used` (sorted ascending). */
bool ipam_pick_offset(uint64_t lo, uint64_t hi, const uint64_t *used, size_t n_used,
		      uint64_t *out);

/* The offsets a network hands to endpoints: the ip-range if set, else the
 * subnet; never the network or broadcast address. */
void ipam_host_range(const berth_subnet *s, uint64_t *lo, uint64_t *hi);

/* A network's subnet of `family`, NULL when it has none. */
const berth_subnet *ipam_subnet_of(const berth_subnet *subnets, size_t n, int family);

#endif
