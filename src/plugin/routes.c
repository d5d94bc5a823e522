#include "plugin/routes.h"
#include "plugin/call.h"
#include "plugin/orphans.h"
#include "plugin/ipam_driver.h"
#include "plugin/network_driver.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NOT_FOUND 404


/* Plugin.Activate: what this plugin implements, once per dockerd (a
 * dockerd started again: what it dropped meanwhile is looked for). */
static plugin_reply activate(const plugin_state *st, const json_t *req)
{
	(void)req;
	plugin_orphans_sweep(st);
	return plugin_ok(json_pack("{s:[s,s]}", "Implements", "NetworkDriver", "IpamDriver"));
}

/* A host's networks: dockerd refuses any other scope from a local driver. */
static plugin_reply network_capabilities(const plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return plugin_ok(json_pack("{s:s,s:s}", "Scope", "local", "ConnectivityScope", "local"));
}

static plugin_reply ipam_capabilities(const plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return plugin_ok(json_pack("{s:b,s:b}", "RequiresMACAddress", 0, "RequiresRequestReplay", 0));
}

static plugin_reply address_spaces(const plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return plugin_ok(json_pack("{s:s,s:s}", "LocalDefaultAddressSpace", "LocalDefault", "GlobalDefaultAddressSpace",
			    "GlobalDefault"));
}

/* Node discovery is for global scope, which berth's networks are not. */
static plugin_reply nothing(const plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return plugin_ok(json_object());
}

typedef struct route {
	const char *path;
	plugin_reply (*handler)(const plugin_state *st, const json_t *req);
} route;

static const route routes[] = {
	{ "/Plugin.Activate", activate },
	{ "/NetworkDriver.GetCapabilities", network_capabilities },
	{ "/NetworkDriver.DiscoverNew", nothing },
	{ "/NetworkDriver.DiscoverDelete", nothing },
	{ "/NetworkDriver.AllocateNetwork", nothing },
	{ "/NetworkDriver.FreeNetwork", nothing },
	{ "/NetworkDriver.CreateNetwork", driver_create_network },
	{ "/NetworkDriver.DeleteNetwork", driver_delete_network },
	{ "/NetworkDriver.CreateEndpoint", driver_create_endpoint },
	{ "/NetworkDriver.DeleteEndpoint", driver_delete_endpoint },
	{ "/NetworkDriver.EndpointOperInfo", driver_oper_info },
	{ "/NetworkDriver.Join", driver_join },
	{ "/NetworkDriver.Leave", driver_leave },
	{ "/NetworkDriver.ProgramExternalConnectivity", driver_program_external },
	{ "/NetworkDriver.RevokeExternalConnectivity", driver_revoke_external },
	{ "/IpamDriver.GetCapabilities", ipam_capabilities },
	{ "/IpamDriver.GetDefaultAddressSpaces", address_spaces },
	{ "/IpamDriver.RequestPool", ipam_request_pool },
	{ "/IpamDriver.ReleasePool", ipam_release_pool },
	{ "/IpamDriver.RequestAddress", ipam_request_address },
	{ "/IpamDriver.ReleaseAddress", ipam_release_address },
};

plugin_reply plugin_route(const plugin_state *st, const char *path, const json_t *request)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(*routes); i++)
		if (!strcmp(path, routes[i].path))
			return routes[i].handler(st, request);
	return (plugin_reply){ NOT_FOUND, NULL };
}
