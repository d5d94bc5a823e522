/* Addresses and prefixes of either family: parsing, formatting, maths.
 * Pure functions, no I/O: the unit tests cover them whole. */
#ifndef BERTH_IPAM_CIDR_H
#define BERTH_IPAM_CIDR_H

#include "berth.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

_Static_assert(BERTH_ADDR_STRLEN >= INET6_ADDRSTRLEN, "berth.h's address buffer fits inet_ntop's");

/* Strict: dotted quad or IPv6 text, nothing else. */
bool addr_parse(const char *s, berth_addr *out);
/* Strict "ADDR/LEN"; host bits may be set (see prefix_is_network). On a
 * failure *bad_len tells whether the address was fine but the length not. */
bool prefix_parse(const char *s, berth_prefix *out, bool *bad_len);

unsigned addr_bits(int family);
/* "IPv4" or "IPv6", for messages. */
const char *addr_family_name(int family);
/* 0.0.0.0 or :: (every address of its family). */
bool addr_is_any(const berth_addr *a);
/* The prefix with its host bits cleared. */
berth_prefix prefix_network(const berth_prefix *p);
bool prefix_is_network(const berth_prefix *p);
bool prefix_contains(const berth_prefix *p, const berth_addr *a);
/* inner lies wholly inside outer */
bool prefix_within(const berth_prefix *outer, const berth_prefix *inner);
bool prefix_overlaps(const berth_prefix *a, const berth_prefix *b);
/* The address `offset` places after the prefix's network address; offsets
 * are 64-bit, which covers every prefix berth hands out (/64 and longer
 * for IPv6). */
berth_addr prefix_addr_at(const berth_prefix *p, uint64_t offset);
uint64_t prefix_offset_of(const berth_prefix *p, const berth_addr *a);
/* Number of addresses minus one (the broadcast offset for IPv4);
 * saturates at UINT64_MAX. */
uint64_t prefix_last_offset(const berth_prefix *p);
/* The n-th subnet of length `len` inside p (p.len <= len). */
berth_prefix prefix_nth_subnet(const berth_prefix *p, unsigned len, uint64_t n);

#endif
