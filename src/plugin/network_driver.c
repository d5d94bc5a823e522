/* libnetwork's NetworkDriver calls on berth's networks and staged
 * endpoints (berth.h): a network of dockerd's is a bridge network of
 * berth's with dockerd's NetworkID, made for dockerd (only this front end
 * attaches to it or removes it); an endpoint is made at CreateEndpoint
 * with both veth ends in the host, and dockerd moves the container's end
 * into its sandbox after Join. */
#include "plugin/network_driver.h"
#include "plugin/call.h"
#include "plugin/held.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* what berth network ls --filter label=berth.docker finds them by */
#define DOCKER_LABEL "berth.docker=1"
/* the options dockerd sends CreateNetwork */
#define OPT_GENERIC "com.docker.network.generic" /* -o KEY=VALUE */
#define OPT_INTERNAL "com.docker.network.internal"
#define OPT_IPV6 "com.docker.network.enable_ipv6"
#define OPT_PORTMAP "com.docker.network.portmap"

/* What CreateNetwork's request says, as berth_network_create takes it;
 * the strings point into the request. */
typedef struct network_request {
	berth_network_spec spec;
	const char *subnets[2], *gateways[2], *labels[1];
	char gateway_text[2][BERTH_ADDR_STRLEN];
	char name[PLUGIN_NAME_SIZE];
	const char **options;
} network_request;

/* IPv4Data or IPv6Data: dockerd gives one pool per family. */
static bool read_pool_data(network_request *nr, const json_t *data, const char **bad)
{
	const json_t *first = json_array_get(data, 0);
	bool wrong = false;

	if (!data || json_is_null(data) || !json_array_size(data))
		return true;
	const char *pool = plugin_str(first, "Pool", &wrong), *gateway = plugin_str(first, "Gateway", &wrong);
	if (wrong || !pool) {
		*bad = "IPv4Data/IPv6Data: a Pool (CIDR) and a Gateway (CIDR)";
		return false;
	}
	size_t i = nr->spec.n_subnets++;
	nr->subnets[i] = pool;
	if (gateway) {
		nr->gateways[nr->spec.n_gateways++] = plugin_addr_of(gateway, nr->gateway_text[i]);
	}
	return true;
}

/* -o KEY=VALUE of docker network create: berth's options of the same
 * keys (unknown ones are refused by berth, naming them). */
static bool read_generic(network_request *nr, const json_t *generic, const char **bad)
{
	const char *key;
	const json_t *v;

	if (!generic || json_is_null(generic))
		return true;
	if (!json_is_object(generic)) {
		*bad = OPT_GENERIC ": an object";
		return false;
	}
	if (!(nr->options = calloc(json_object_size(generic) + 1, sizeof(*nr->options)))) {
		*bad = "memory";
		return false;
	}
	json_object_foreach ((json_t *)generic, key, v) {
		if (!json_is_string(v)) {
			*bad = OPT_GENERIC ": string values";
			return false;
		}
		char *kv = NULL;
		if (asprintf(&kv, "%s=%s", key, json_string_value(v)) < 0)
			return false;
		nr->options[nr->spec.n_options++] = kv;
	}
	nr->spec.options = nr->options;
	return true;
}

static void network_request_free(network_request *nr)
{
	for (size_t i = 0; i < nr->spec.n_options; i++)
		free((char *)nr->options[i]);
	free(nr->options);
}

static bool read_network_request(network_request *nr, const json_t *req, const char **bad)
{
	const json_t *opts = json_object_get(req, "Options");
	bool wrong = false;
	const char *id = plugin_str(req, "NetworkID", &wrong);

	memset(nr, 0, sizeof(*nr));
	if (wrong || !id) {
		*bad = "NetworkID: dockerd's network ID";
		return false;
	}
	snprintf(nr->name, sizeof(nr->name), PLUGIN_NAME_PREFIX "%.*s", PLUGIN_SHORT_ID, id);
	nr->labels[0] = DOCKER_LABEL;
	nr->spec = (berth_network_spec){ .name = nr->name, .id = id, .made_for = PLUGIN_MADE_FOR,
					 .subnets = nr->subnets, .gateways = nr->gateways, .labels = nr->labels,
					 .n_labels = 1,
					 .internal = json_is_true(json_object_get(opts, OPT_INTERNAL)),
					 .ipv6 = json_is_true(json_object_get(opts, OPT_IPV6)) };
	return read_pool_data(nr, json_object_get(req, "IPv4Data"), bad) &&
	       read_pool_data(nr, json_object_get(req, "IPv6Data"), bad) &&
	       read_generic(nr, json_object_get(opts, OPT_GENERIC), bad);
}

/* dockerd repeats a call whose answer it lost. */
static bool made_before(berth_ctx *ctx, const char *id)
{
	berth_network *net = NULL;
	berth_err ignored = { 0 };
	bool found = berth_network_find(ctx, id, &net, &ignored) == 0 && !strcmp(net->id, id) &&
		     plugin_network_is_dockerds(net);

	berth_network_free(net);
	berth_err_clear(&ignored);
	return found;
}

plugin_reply driver_create_network(const plugin_state *st, const json_t *req)
{
	static const char method[] = "CreateNetwork";
	network_request nr;
	const char *bad = NULL;
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	plugin_reply r;

	if (!read_network_request(&nr, req, &bad)) {
		network_request_free(&nr);
		return plugin_bad_field(method, bad ? bad : "memory", "as dockerd sends it");
	}
	if (plugin_open(st, method, &ctx, &r) == 0) {
		berth_network *net = NULL;
		if (made_before(ctx, nr.spec.id) || berth_network_create(ctx, &nr.spec, &net, &err) == 0)
			r = plugin_ok_empty();
		else
			r = plugin_failed(&err);
		berth_network_free(net);
		berth_close(ctx);
	}
	network_request_free(&nr);
	return r;
}

/* The container an endpoint is in ("" when none, or no endpoint). */
static void container_of(berth_ctx *ctx, const char *endpoint_id, char cid[BERTH_ID_HEX + 1])
{
	berth_endpoint *ep = NULL;
	berth_err ignored = { 0 };

	cid[0] = '\0';
	if (berth_endpoint_get(ctx, endpoint_id, &ep, &ignored) == 0)
		snprintf(cid, BERTH_ID_HEX + 1, "%s", ep->container_id);
	berth_err_clear(&ignored);
	berth_endpoint_free(ep);
}

/* What the plugin holds of the container follows what the store has of
 * it after fn (its ports may have gone with the endpoint). */
static int hold_after(berth_ctx *ctx, const char *endpoint_id, int (*fn)(berth_ctx *, const char *, berth_err *),
		      berth_err *err)
{
	char cid[BERTH_ID_HEX + 1];

	container_of(ctx, endpoint_id, cid);
	int ret = fn(ctx, endpoint_id, err);
	if (cid[0])
		held_take(ctx, cid);
	return ret;
}

static int leave_held(berth_ctx *ctx, const char *id, berth_err *err)
{
	return hold_after(ctx, id, berth_endpoint_leave, err);
}

static int delete_held(berth_ctx *ctx, const char *id, berth_err *err)
{
	return hold_after(ctx, id, berth_endpoint_delete, err);
}

static int unpublish_held(berth_ctx *ctx, const char *id, berth_err *err)
{
	return hold_after(ctx, id, berth_endpoint_unpublish, err);
}

/* A call on one object: its ID field read, a context opened, `fn` run. */
static plugin_reply on_id(const plugin_state *st, const json_t *req, const char *method, const char *field,
			  int (*fn)(berth_ctx *ctx, const char *id, berth_err *err))
{
	bool bad = false;
	const char *id = plugin_str(req, field, &bad);
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	plugin_reply r;

	if (bad || !id)
		return plugin_bad_field(method, field, "an ID");
	if (plugin_open(st, method, &ctx, &r) < 0)
		return r;
	r = fn(ctx, id, &err) < 0 ? plugin_failed(&err) : plugin_ok_empty();
	berth_close(ctx);
	return r;
}

static int remove_network(berth_ctx *ctx, const char *id, berth_err *err)
{
	return berth_network_remove_made_for(ctx, id, PLUGIN_MADE_FOR, false, err);
}

plugin_reply driver_delete_network(const plugin_state *st, const json_t *req)
{
	return on_id(st, req, "DeleteNetwork", "NetworkID", remove_network);
}

/* The reply may fill only what dockerd left empty (libnetwork refuses an
 * endpoint whose driver sets an address or MAC it gave). */
static json_t *interface_reply(const json_t *given, const berth_endpoint *ep)
{
	bool bad = false;
	json_t *iface = json_object();

	if (!plugin_str(given, "MacAddress", &bad))
		json_object_set_new(iface, "MacAddress", json_string(ep->mac));
	if (!plugin_str(given, "Address", &bad) && ep->addr.family) {
		char addr[BERTH_ADDR_STRLEN], text[BERTH_PREFIX_STRLEN];
		snprintf(text, sizeof(text), "%s/%u", berth_addr_format(&ep->addr, addr), ep->prefix_len);
		json_object_set_new(iface, "Address", json_string(text));
	}
	return json_pack("{s:o}", "Interface", iface);
}

plugin_reply driver_create_endpoint(const plugin_state *st, const json_t *req)
{
	static const char method[] = "CreateEndpoint";
	const json_t *iface = json_object_get(req, "Interface");
	bool bad = false;
	char ip[BERTH_ADDR_STRLEN], ip6[BERTH_ADDR_STRLEN];
	berth_endpoint_spec spec = { .id = plugin_str(req, "EndpointID", &bad),
				     .network = plugin_str(req, "NetworkID", &bad),
				     .ip = plugin_addr_of(plugin_str(iface, "Address", &bad), ip),
				     .ip6 = plugin_addr_of(plugin_str(iface, "AddressIPv6", &bad), ip6),
				     .mac = plugin_str(iface, "MacAddress", &bad) };
	berth_endpoint *ep = NULL;
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	plugin_reply r;

	if (bad || !spec.id || !spec.network)
		return plugin_bad_field(method, "NetworkID, EndpointID and Interface", "IDs and addresses as strings");
	if (plugin_open(st, method, &ctx, &r) < 0)
		return r;
	r = berth_endpoint_create(ctx, &spec, &ep, &err) < 0 ? plugin_failed(&err)
							       : plugin_ok(interface_reply(iface, ep));
	berth_endpoint_free(ep);
	berth_close(ctx);
	return r;
}

plugin_reply driver_delete_endpoint(const plugin_state *st, const json_t *req)
{
	return on_id(st, req, "DeleteEndpoint", "EndpointID", delete_held);
}

/* The sandbox is the container, to berth: "docker-" and the 12 hex digits
 * of its key (dockerd's exec root/netns/<12 hex>). */
static void sandbox_name(const char *key, char *buf, size_t size)
{
	const char *base = strrchr(key, '/');

	snprintf(buf, size, PLUGIN_NAME_PREFIX "%.*s", PLUGIN_SHORT_ID, base ? base + 1 : key);
}

/* Docker's internal networks give no default route. */
static json_t *join_reply(const berth_endpoint *ep, bool internal)
{
	json_t *r = json_pack("{s:{s:s,s:s}}", "InterfaceName", "SrcName", ep->ifname, "DstPrefix", "eth");
	char gw[BERTH_ADDR_STRLEN];

	if (!internal && ep->gateway.family)
		json_object_set_new(r, "Gateway", json_string(berth_addr_format(&ep->gateway, gw)));
	if (!internal && ep->gateway6.family)
		json_object_set_new(r, "GatewayIPv6", json_string(berth_addr_format(&ep->gateway6, gw)));
	return r;
}

static bool network_internal(berth_ctx *ctx, const char *id)
{
	berth_network *net = NULL;
	berth_err ignored = { 0 };
	bool internal = berth_network_find(ctx, id, &net, &ignored) == 0 && net->internal;

	berth_network_free(net);
	berth_err_clear(&ignored);
	return internal;
}

plugin_reply driver_join(const plugin_state *st, const json_t *req)
{
	static const char method[] = "Join";
	bool bad = false;
	const char *key = plugin_str(req, "SandboxKey", &bad), *net_id = plugin_str(req, "NetworkID", &bad);
	char name[PLUGIN_NAME_SIZE];
	berth_join_spec spec = { .endpoint_id = plugin_str(req, "EndpointID", &bad), .netns_path = key };
	berth_endpoint *ep = NULL;
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	plugin_reply r;

	if (bad || !spec.endpoint_id || !key || !net_id)
		return plugin_bad_field(method, "NetworkID, EndpointID and SandboxKey", "IDs and a path");
	sandbox_name(key, name, sizeof(name));
	spec.external_id = spec.name = name;
	if (plugin_open(st, method, &ctx, &r) < 0)
		return r;
	r = berth_endpoint_join(ctx, &spec, &ep, &err) < 0 ? plugin_failed(&err)
							   : plugin_ok(join_reply(ep, network_internal(ctx, net_id)));
	berth_endpoint_free(ep);
	berth_close(ctx);
	return r;
}

plugin_reply driver_leave(const plugin_state *st, const json_t *req)
{
	return on_id(st, req, "Leave", "EndpointID", leave_held);
}

/* Shown by docker inspect; berth has nothing to add there. */
plugin_reply driver_oper_info(const plugin_state *st, const json_t *req)
{
	(void)st;
	(void)req;
	return plugin_ok(json_pack("{s:{}}", "Value"));
}

/* One of dockerd's port mappings as a -p spec
 * ([HOST_IP:][HOST_PORT[-END]]:PORT/PROTO); false for one that is not. */
static bool spec_of_mapping(const json_t *m, char *buf, size_t size)
{
	json_int_t port = json_integer_value(json_object_get(m, "Port"));
	json_int_t host = json_integer_value(json_object_get(m, "HostPort"));
	json_int_t end = json_integer_value(json_object_get(m, "HostPortEnd"));
	json_int_t proto = json_integer_value(json_object_get(m, "Proto"));
	bool bad = false;
	const char *ip = plugin_str(m, "HostIP", &bad);
	const char *name = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 132 ? "sctp" : NULL;
	char hosts[32] = "", addr[BERTH_ADDR_STRLEN + 3] = "";

	if (bad || !name || port < 1 || port > 65535 || host < 0 || host > 65535 || end < 0 || end > 65535)
		return false;
	if (host && end > host)
		snprintf(hosts, sizeof(hosts), "%u-%u", (unsigned)host, (unsigned)end);
	else if (host)
		snprintf(hosts, sizeof(hosts), "%u", (unsigned)host);
	if (ip)
		snprintf(addr, sizeof(addr), strchr(ip, ':') ? "[%s]:" : "%s:", ip);
	if (!*addr && !*hosts)
		snprintf(buf, size, "%u/%s", (unsigned)port, name);
	else
		snprintf(buf, size, "%s%s:%u/%s", addr, hosts, (unsigned)port, name);
	return true;
}

/* The -p specs of the request's portmap (an array, maybe empty); NULL
 * when one is not a mapping. */
static char **specs_of_portmap(const json_t *map, size_t *n)
{
	char **specs = calloc(json_array_size(map) + 1, sizeof(*specs));
	size_t i;
	const json_t *m;

	*n = 0;
	if (!specs)
		return NULL;
	json_array_foreach (map, i, m) {
		char buf[BERTH_ADDR_STRLEN + 64];
		if (!spec_of_mapping(m, buf, sizeof(buf)) || !(specs[*n] = strdup(buf))) {
			for (size_t j = 0; j < *n; j++)
				free(specs[j]);
			free(specs);
			return NULL;
		}
		(*n)++;
	}
	return specs;
}

static void specs_free(char **specs, size_t n)
{
	for (size_t i = 0; specs && i < n; i++)
		free(specs[i]);
	free(specs);
}

/* -p arrives here, for the endpoint that gives the default route. As on
 * Docker's own bridge, an internal network publishes nothing. */
plugin_reply driver_program_external(const plugin_state *st, const json_t *req)
{
	static const char method[] = "ProgramExternalConnectivity";
	const json_t *map = json_object_get(json_object_get(req, "Options"), OPT_PORTMAP);
	bool bad = false;
	const char *ep = plugin_str(req, "EndpointID", &bad), *net = plugin_str(req, "NetworkID", &bad);
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	plugin_reply r;
	size_t n = 0;

	if (bad || !ep || !net || (map && !json_is_null(map) && !json_is_array(map)))
		return plugin_bad_field(method, "NetworkID, EndpointID and Options", "IDs and a portmap array");
	if (!json_array_size(map))
		return plugin_ok_empty();
	char **specs = specs_of_portmap(map, &n);
	if (!specs)
		return plugin_bad_field(method, OPT_PORTMAP, "mappings of Port, HostPort, HostPortEnd, Proto 6, 17 or 132");
	if (plugin_open(st, method, &ctx, &r) == 0) {
		char cid[BERTH_ID_HEX + 1];
		container_of(ctx, ep, cid);
		/* a port we hold would be taken, to berth: let go (dockerd repeats) */
		if (cid[0])
			held_release(cid);
		if (network_internal(ctx, net) ||
		    berth_endpoint_publish(ctx, ep, (const char *const *)specs, n, &err) == 0)
			r = plugin_ok_empty();
		else
			r = plugin_failed(&err);
		if (cid[0])
			held_take(ctx, cid);
		berth_close(ctx);
	}
	specs_free(specs, n);
	return r;
}

plugin_reply driver_revoke_external(const plugin_state *st, const json_t *req)
{
	return on_id(st, req, "RevokeExternalConnectivity", "EndpointID", unpublish_held);
}
