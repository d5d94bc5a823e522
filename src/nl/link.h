/* Links: create, delete, look up. */
#ifndef BERTH_NL_LINK_H
#define BERTH_NL_LINK_H

#include "nl/nl.h"

#include <stdbool.h>

/* Creates a bridge, already up; mtu 0 keeps the kernel's default. Fails
 * with -EEXIST when any link has that name: berth never adopts a link it
 * did not create. */
int nl_bridge_add(nl_sock *nl, const char *name, unsigned mtu, berth_err *err);
/* Deletes a link by name; a link that is already gone is success. */
int nl_link_del(nl_sock *nl, const char *name, berth_err *err);
/* Interface index, 0 when there is no such link. */
unsigned nl_link_index(nl_sock *nl, const char *name);

#endif
