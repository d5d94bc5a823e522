/* libnetwork's NetworkDriver calls, on berth's networks and staged
 * endpoints. */
#ifndef BERTH_PLUGIN_NETWORK_DRIVER_H
#define BERTH_PLUGIN_NETWORK_DRIVER_H

#include "plugin/routes.h"

plugin_reply driver_create_network(const plugin_state *st, const json_t *req);
plugin_reply driver_delete_network(const plugin_state *st, const json_t *req);
plugin_reply driver_create_endpoint(const plugin_state *st, const json_t *req);
plugin_reply driver_delete_endpoint(const plugin_state *st, const json_t *req);
plugin_reply driver_join(const plugin_state *st, const json_t *req);
plugin_reply driver_leave(const plugin_state *st, const json_t *req);
plugin_reply driver_oper_info(const plugin_state *st, const json_t *req);
plugin_reply driver_program_external(const plugin_state *st, const json_t *req);
plugin_reply driver_revoke_external(const plugin_state *st, const json_t *req);

#endif
