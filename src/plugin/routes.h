/* The remote driver API's methods: each a path ("/NetworkDriver.Join")
 * and a handler from the request's JSON to the reply's. */
#ifndef BERTH_PLUGIN_ROUTES_H
#define BERTH_PLUGIN_ROUTES_H

#include <berth.h>
#include <jansson.h>

typedef struct plugin_state {
	berth_config cfg;
	const char *docker_host; /* unix://PATH of dockerd's API; NULL: the default */
} plugin_state;

/* An HTTP status and the JSON to send with it (owned by the caller). */
typedef struct plugin_reply {
	unsigned status;
	json_t *body;
} plugin_reply;

/* The reply to a POST of `path` with `request` (an object; {} for an
 * empty body): status 404 and no body when no method has that path (the
 * caller says so); any other reply without a body could not be made. */
plugin_reply plugin_route(const plugin_state *st, const char *path, const json_t *request);
#endif
