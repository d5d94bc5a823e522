/* libnetwork's IpamDriver calls, on berth's pools. */
#ifndef BERTH_PLUGIN_IPAM_DRIVER_H
#define BERTH_PLUGIN_IPAM_DRIVER_H

#include "plugin/routes.h"

plugin_reply ipam_request_pool(const plugin_state *st, const json_t *req);
plugin_reply ipam_release_pool(const plugin_state *st, const json_t *req);
plugin_reply ipam_request_address(const plugin_state *st, const json_t *req);
plugin_reply ipam_release_address(const plugin_state *st, const json_t *req);

#endif
