/* Links of the kinds macvlan networks use: macvlan children (for
 * containers and the host shim), 802.1Q VLAN parents, dummy parents; and
 * the promiscuous mode berth sets on a parent. */
#ifndef BERTH_NL_LINK_KINDS_H
#define BERTH_NL_LINK_KINDS_H

#include "nl/nl.h"

#include <stdbool.h>
#include <stdint.h>

/* A macvlan link on `parent`; netns_fd >= 0: born in that namespace.
 * mode: MACVLAN_MODE_* (linux/if_link.h). mac may be NULL. */
int nl_macvlan_add(nl_sock *nl, const char *name, unsigned parent, unsigned mode, int netns_fd, const uint8_t *mac,
		   unsigned mtu, berth_err *err);
/* The 802.1Q link `name` of `base`, VLAN id `vid`. */
/* alias: the link's IFLA_IFALIAS (its maker's mark), NULL for none */
int nl_vlan_add(nl_sock *nl, const char *name, unsigned base, unsigned vid, const char *alias, berth_err *err);
/* A link of a kind that takes no settings ("dummy", "bridge"). */
int nl_link_add_kind(nl_sock *nl, const char *name, const char *kind, berth_err *err);

int nl_link_set_promisc(nl_sock *nl, unsigned ifindex, bool on, berth_err *err);

#endif
