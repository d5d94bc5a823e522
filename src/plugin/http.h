/* HTTP for the plugin's socket (libmicrohttpd): a POST's body gathered,
 * read as JSON, routed (plugin/routes.h), and the reply sent in Docker's
 * plugin media type. Everything else gets a status and a JSON error. */
#ifndef BERTH_PLUGIN_HTTP_H
#define BERTH_PLUGIN_HTTP_H

#include "plugin/routes.h"

#include <microhttpd.h>

/* Requests' bodies are small JSON objects: more than this is refused. */
#define PLUGIN_BODY_MAX (1024 * 1024)

/* libmicrohttpd's access handler (cls: the plugin_state) and the
 * completion callback that frees what a request gathered. */
enum MHD_Result plugin_http_answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				   const char *version, const char *upload_data, size_t *upload_data_size,
				   void **req_cls);
void plugin_http_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			   enum MHD_RequestTerminationCode toe);

#endif
