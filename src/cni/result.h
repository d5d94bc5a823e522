/* The spec's result of an ADD, in the version the configuration asks
 * for: the interfaces (bridge, host end, the container's), its addresses,
 * its default routes when this is its first network, and DNS. */
#ifndef BERTH_CNI_RESULT_H
#define BERTH_CNI_RESULT_H

#include <berth.h>
#include <jansson.h>

json_t *cni_result(const char *version, const berth_network *net, const berth_container *c, const char *ifname,
		   const char *netns);

#endif
