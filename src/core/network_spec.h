#ifndef BERTH_CORE_NETWORK_SPEC_H
#define BERTH_CORE_NETWORK_SPEC_H

#include "berth.h"

int check_network_name(const char *name, berth_err *err);
/* A prefix given as `what` (subnet, ip-range, ...): a CIDR, its host
 * bits zero, not IPv4-mapped; refused with Docker's words otherwise. */
int parse_network_prefix(const char *what, const char *text, berth_prefix *out, berth_err *err);
/* A subnet berth can give addresses out of: IPv4 /8 to /30, IPv6 /64 to
 * /126 (a network's, or a pool's). */
int check_subnet_size(const berth_prefix *p, berth_err *err);
/* Fills net (whose id is set) from spec, or refuses with the reason. */
int network_from_spec(const berth_network_spec *spec, berth_network *net, berth_err *err);

#endif
