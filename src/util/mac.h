/* Ethernet addresses: text, and the ones berth makes. */
#ifndef BERTH_UTIL_MAC_H
#define BERTH_UTIL_MAC_H

#include "berth.h"

#include <stdbool.h>
#include <stdint.h>

#define MAC_STRLEN 18 /* "02:42:0a:00:00:02" and its NUL */

/* "xx:xx:xx:xx:xx:xx" exactly; false for anything else, and for a
 * multicast MAC, which cannot be an interface's address. */
bool mac_parse(const char *s, uint8_t mac[6]);
void mac_format(const uint8_t mac[6], char out[MAC_STRLEN]);
/* Docker's MAC for an address: 02:42 (locally administered, unicast)
 * and the IPv4 address, so a reused address comes back with the same
 * MAC and no neighbour cache goes stale; of an IPv6 address, its last 4
 * bytes (an IPv6-only endpoint); 02:42:00:00:00:00 for no address. */
void mac_of_addr(const berth_addr *a, uint8_t mac[6]);

#endif
