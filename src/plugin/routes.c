#include "plugin/routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NOT_FOUND 404
#define NOT_YET 501

static plugin_reply ok(json_t *body)
{
	return (plugin_reply){ 200, body };
}

plugin_reply plugin_error(unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* dockerd's IPAM client reads "Error"; a failed status is read for
	 * "Err" by both: both are set */
	return (plugin_reply){ status, json_pack("{s:s,s:s}", "Err", msg, "Error", msg) };
}

/* Plugin.Activate: what this plugin implements, once per dockerd. */
static plugin_reply activate(plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return ok(json_pack("{s:[s,s]}", "Implements", "NetworkDriver", "IpamDriver"));
}

/* A host's networks: dockerd refuses any other scope from a local driver. */
static plugin_reply network_capabilities(plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return ok(json_pack("{s:s,s:s}", "Scope", "local", "ConnectivityScope", "local"));
}

static plugin_reply ipam_capabilities(plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return ok(json_pack("{s:b,s:b}", "RequiresMACAddress", 0, "RequiresRequestReplay", 0));
}

static plugin_reply address_spaces(plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return ok(json_pack("{s:s,s:s}", "LocalDefaultAddressSpace", "LocalDefault", "GlobalDefaultAddressSpace",
			    "GlobalDefault"));
}

/* Node discovery is for global scope, which berth's networks are not. */
static plugin_reply nothing(plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return ok(json_object());
}

typedef struct route {
	const char *path;
	plugin_reply (*handler)(plugin_state *st, const json_t *req);
} route;

static const route routes[] = {
	{ "/Plugin.Activate", activate },
	{ "/NetworkDriver.GetCapabilities", network_capabilities },
	{ "/NetworkDriver.DiscoverNew", nothing },
	{ "/NetworkDriver.DiscoverDelete", nothing },
	{ "/IpamDriver.GetCapabilities", ipam_capabilities },
	{ "/IpamDriver.GetDefaultAddressSpaces", address_spaces },
};

/* The rest of the API, answered with a clear refusal until served. */
static const char *const not_yet[] = {
	"/NetworkDriver.CreateNetwork",
	"/NetworkDriver.DeleteNetwork",
	"/NetworkDriver.CreateEndpoint",
	"/NetworkDriver.DeleteEndpoint",
	"/NetworkDriver.EndpointOperInfo",
	"/NetworkDriver.Join",
	"/NetworkDriver.Leave",
	"/NetworkDriver.ProgramExternalConnectivity",
	"/NetworkDriver.RevokeExternalConnectivity",
	"/NetworkDriver.AllocateNetwork",
	"/NetworkDriver.FreeNetwork",
	"/IpamDriver.RequestPool",
	"/IpamDriver.ReleasePool",
	"/IpamDriver.RequestAddress",
	"/IpamDriver.ReleaseAddress",
};

plugin_reply plugin_route(plugin_state *st, const char *path, const json_t *request)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(*routes); i++)
		if (!strcmp(path, routes[i].path))
			return routes[i].handler(st, request);
	for (size_t i = 0; i < sizeof(not_yet) / sizeof(*not_yet); i++)
		if (!strcmp(path, not_yet[i]))
			return plugin_error(NOT_YET, "%s is not served yet by this build of berth", path + 1);
	return (plugin_reply){ NOT_FOUND, NULL };
}
