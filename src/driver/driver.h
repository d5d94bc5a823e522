/* Network drivers: small ops tables, as iproute2's link_util. A driver
 * makes and unmakes the kernel side of a network; it never touches the
 * store, and core/ decides the order of things. */
#ifndef BERTH_DRIVER_DRIVER_H
#define BERTH_DRIVER_DRIVER_H

#include "berth.h"
#include "nl/nl.h"

typedef struct driver_ops {
	const char *name;
	/* host and null exist once, as predefined networks */
	bool single_instance;
	/* needs a subnet from IPAM */
	bool has_subnet;
	/* Checks the -o options (pure) and fills what they decide (device
	 * name, MTU) into net. */
	int (*configure)(berth_network *net, berth_err *err);
	int (*create)(nl_sock *nl, const berth_network *net, berth_err *err);
	/* Removing what is already gone is success. */
	int (*remove)(nl_sock *nl, const berth_network *net, berth_err *err);
	/* The kernel side exists (for the restore after a reboot). */
	bool (*exists)(nl_sock *nl, const berth_network *net);
} driver_ops;

const driver_ops *driver_find(const char *name);
/* A boolean -o value as Docker reads it (Go's ParseBool); false if not one. */
bool option_bool_value(const char *v, bool *out);
/* "bridge, macvlan": the drivers a user may create networks with. */
const char *driver_creatable_names(void);

extern const driver_ops driver_bridge;
extern const driver_ops driver_host;
extern const driver_ops driver_null;

#endif
