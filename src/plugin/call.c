#include "plugin/call.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define BAD_REQUEST 400
#define FAILED 500

plugin_reply plugin_error(unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* JSON carries UTF-8 only: a request's bytes quoted in the message, or
	 * a character the length limit cut, would leave no reply at all */
	json_t *text = json_string(msg);
	if (!text) {
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		text = json_string(msg);
	}
	/* dockerd's IPAM client reads "Error"; a failed status is read for
	 * "Err" by both: both are set */
	return (plugin_reply){ status, json_pack("{s:O,s:o}", "Err", text, "Error", text) };
}

int plugin_open(const plugin_state *st, const char *method, berth_ctx **ctx, plugin_reply *reply)
{
	berth_err err = { 0 };
	size_t n = 0;

	if (berth_open(&st->cfg, ctx, &err) < 0) {
		*reply = plugin_error(FAILED, "%s: opening berth's state: %s", method, err.msg ? err.msg : "failed");
		berth_err_clear(&err);
		return -1;
	}
	/* a restored table, a resolver started again: for the operator */
	const char *const *warnings = berth_warnings(*ctx, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "berth-plugin: warning: %s\n", warnings[i]);
	return 0;
}

bool plugin_network_is_dockerds(const berth_network *net)
{
	return net->made_for && !strcmp(net->made_for, PLUGIN_MADE_FOR);
}

bool plugin_container_is_dockerds(const berth_container *c)
{
	return c->external_id && !strncmp(c->external_id, PLUGIN_NAME_PREFIX, strlen(PLUGIN_NAME_PREFIX));
}

plugin_reply plugin_bad_field(const char *method, const char *field, const char *expected)
{
	return plugin_error(BAD_REQUEST, "%s: %s: expected %s", method, field, expected);
}

plugin_reply plugin_failed(berth_err *err)
{
	/* dockerd names the method before it */
	plugin_reply r = plugin_error(err->code == EINVAL ? BAD_REQUEST : FAILED, "%s", err->msg ? err->msg : "failed");


	berth_err_clear(err);
	return r;
}

plugin_reply plugin_ok(json_t *body)
{
	return (plugin_reply){ 200, body };
}

plugin_reply plugin_ok_empty(void)
{
	return plugin_ok(json_object());
}

const char *plugin_str(const json_t *obj, const char *name, bool *bad)
{
	const json_t *v = json_object_get(obj, name);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return *json_string_value(v) ? json_string_value(v) : NULL;
}

const char *plugin_addr_of(const char *cidr, char *buf)
{
	if (!cidr)
		return NULL;
	snprintf(buf, BERTH_ADDR_STRLEN, "%.*s", (int)strcspn(cidr, "/"), cidr);
	return buf;
}
