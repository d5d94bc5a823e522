/* The names berth's resolver answers for, as the store has them now: per
 * network, each container's name, its 12-hex short ID, its aliases there
 * and NAME.NETWORK; and per sandbox, the networks it may ask about. */
#ifndef BERTH_DNS_ZONE_H
#define BERTH_DNS_ZONE_H

#include "store/store.h"

typedef struct dns_zone dns_zone;

/* One sandbox the resolver serves: a container with its own network
 * namespace on at least one network of the user's. */
typedef struct dns_sandbox {
	char container_id[BERTH_ID_HEX + 1];
	size_t *nets; /* indexes of its networks, sorted */
	size_t n_nets;
	/* any of them not --internal: names not berth's may be forwarded */
	bool forward;
	char **dns; /* its own --dns servers; none: the host's */
	size_t n_dns;
} dns_sandbox;

/* Built from store_dns_rows' rows (which it does not keep). */
dns_zone *dns_zone_new(const store_dns_row *rows, size_t n);
void dns_zone_free(dns_zone *z);

/* The sandboxes, sorted by container ID. */
const dns_sandbox *dns_zone_sandboxes(const dns_zone *z, size_t *n);
const dns_sandbox *dns_zone_sandbox(const dns_zone *z, const char *container_id);

typedef enum dns_found {
	DNS_UNKNOWN,  /* no name of berth's: for the upstream servers */
	DNS_ELSEWHERE, /* a name of berth's, on none of the asker's networks */
	DNS_FOUND,    /* on the asker's networks; with or without addresses */
} dns_found;

/* The addresses of `family` that name has on the networks of sb, each
 * once, in an order that turns by one at each call (round robin).
 * *addrs is the caller's to free. */
dns_found dns_zone_lookup(dns_zone *z, const dns_sandbox *sb, const char *name, int family, berth_addr **addrs,
			  size_t *n);
/* "NAME.NETWORK" of a container address on the networks of sb in *name
 * (the zone's); an address of a container on another network is
 * DNS_ELSEWHERE, as its names are. */
dns_found dns_zone_reverse(const dns_zone *z, const dns_sandbox *sb, const berth_addr *a, const char **name);

#endif
