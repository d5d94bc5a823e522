/* What every handler of a driver call does around its berth.h calls: a
 * context opened for the call (the state is the store; nothing is kept
 * between calls), the request's fields read, berth's errors turned into
 * replies dockerd shows its user. */
#ifndef BERTH_PLUGIN_CALL_H
#define BERTH_PLUGIN_CALL_H

#include "plugin/routes.h"

#include <berth.h>
#include <jansson.h>

/* What berth's store calls dockerd's: networks made for it
 * (berth_network.made_for), and the names of its networks and sandboxes,
 * "docker-" and 12 hex digits of dockerd's ID or sandbox key. */
#define PLUGIN_MADE_FOR "docker"
#define PLUGIN_NAME_PREFIX "docker-"
#define PLUGIN_SHORT_ID 12
#define PLUGIN_NAME_SIZE (sizeof(PLUGIN_NAME_PREFIX) + PLUGIN_SHORT_ID)
/* A network made for dockerd; a container that is dockerd's sandbox. */
bool plugin_network_is_dockerds(const berth_network *net);
bool plugin_container_is_dockerds(const berth_container *c);

/* An error reply: IpamDriver's field is "Error", NetworkDriver's "Err"
 * (and dockerd reads "Err" of any failed status): both are set. */
plugin_reply plugin_error(unsigned status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 with *ctx open; else -1 with *reply the error. */
int plugin_open(const plugin_state *st, const char *method, berth_ctx **ctx, plugin_reply *reply);
/* A request field that is not what the method needs: 400, naming it. */
plugin_reply plugin_bad_field(const char *method, const char *field, const char *expected);
/* The reply to a failed berth call (err cleared): 400 for a request
 * berth refuses as invalid, 500 for the rest, with berth's message alone
 * (dockerd shows it after the method's name). */
plugin_reply plugin_failed(berth_err *err);
/* {} */
plugin_reply plugin_ok_empty(void);
plugin_reply plugin_ok(json_t *body);

/* The string member `name` of obj: NULL when absent, null or "" (dockerd
 * sends "" for what is not given); *bad when it is there but no string. */
const char *plugin_str(const json_t *obj, const char *name, bool *bad);
/* "10.0.0.2/24" -> "10.0.0.2", in buf (of BERTH_ADDR_STRLEN); NULL for
 * NULL. */
const char *plugin_addr_of(const char *cidr, char *buf);

#endif
