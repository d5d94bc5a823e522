#include "plugin/http.h"
#include "plugin/call.h"

#include <stdlib.h>
#include <string.h>

#define MEDIA_TYPE "application/vnd.docker.plugins.v1+json"

/* What one request has sent so far. */
typedef struct gathered {
	char *body;
	size_t len;
	bool too_big;
} gathered;

static enum MHD_Result send_reply(struct MHD_Connection *conn, plugin_reply r)
{
	char *text = r.body ? json_dumps(r.body, JSON_COMPACT) : NULL;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	json_decref(r.body);
	if (!text)
		return MHD_NO; /* out of memory: drop the connection */
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, MEDIA_TYPE);
	ret = MHD_queue_response(conn, r.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static bool gather(gathered *g, const char *data, size_t size)
{
	if (g->too_big || g->len + size > PLUGIN_BODY_MAX) {
		g->too_big = true;
		return true;
	}
	char *grown = realloc(g->body, g->len + size + 1);
	if (!grown)
		return false;
	g->body = grown;
	memcpy(g->body + g->len, data, size);
	g->len += size;
	g->body[g->len] = '\0';
	return true;
}

/* The whole request is here: its reply. */
static plugin_reply reply_to(plugin_state *st, const char *url, const char *method, const gathered *g)
{
	json_error_t jerr;
	json_t *req;
	plugin_reply r;

	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return plugin_error(MHD_HTTP_METHOD_NOT_ALLOWED, "%s %s: the plugin API takes POST only", method, url);
	if (g->too_big)
		return plugin_error(MHD_HTTP_CONTENT_TOO_LARGE, "%s: the request is larger than %d bytes", url,
				    PLUGIN_BODY_MAX);
	req = g->len ? json_loadb(g->body, g->len, 0, &jerr) : json_object();
	if (!req)
		return plugin_error(MHD_HTTP_BAD_REQUEST, "%s: the request is not JSON: line %d, column %d: %s", url,
				    jerr.line, jerr.column, jerr.text);
	if (!json_is_object(req))
		r = plugin_error(MHD_HTTP_BAD_REQUEST, "%s: the request is not a JSON object", url);
	else if (!(r = plugin_route(st, url, req)).body && r.status == MHD_HTTP_NOT_FOUND)
		r = plugin_error(MHD_HTTP_NOT_FOUND, "%s: no such method of berth's plugin", url);
	else if (!r.body)
		r = plugin_error(MHD_HTTP_INTERNAL_SERVER_ERROR, "%s: the reply could not be made", url);
	json_decref(req);
	return r;
}

enum MHD_Result plugin_http_answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				   const char *version, const char *upload_data, size_t *upload_data_size,
				   void **req_cls)
{
	gathered *g = *req_cls;

	(void)version;
	if (!g) {
		/* the headers: what follows is the body */
		if (!(g = calloc(1, sizeof(*g))))
			return MHD_NO;
		*req_cls = g;
		return MHD_YES;
	}
	if (*upload_data_size) {
		bool kept = gather(g, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return kept ? MHD_YES : MHD_NO;
	}
	return send_reply(conn, reply_to(cls, url, method, g));
}

void plugin_http_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			   enum MHD_RequestTerminationCode toe)
{
	gathered *g = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (g)
		free(g->body);
	free(g);
	*req_cls = NULL;
}
