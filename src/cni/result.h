/* The spec's result of an ADD, in the version the configuration asks
 * for: the interfaces (bridge, host end, the container's), its addresses,
 * its default routes when this is its first network, and DNS. */
#ifndef BERTH_CNI_RESULT_H
#define BERTH_CNI_RESULT_H

#include <berth.h>
#include <jansson.h>
#include <stdbool.h>

/* resolver: berth's resolver serves the container (127.0.0.11 as its
 * name server on a network of the user's). */
json_t *cni_result(const char *version, const berth_network *net, const berth_container *c, const char *ifname,
		   const char *netns, bool resolver);

#endif
