/* libnetwork's IpamDriver calls on berth's pools (berth.h berth_pool_*):
 * `docker network create --ipam-driver berth` takes its subnet, gateway
 * and containers' addresses from berth, so no network of berth's and no
 * other pool overlaps it. */
#include "plugin/ipam_driver.h"
#include "plugin/call.h"

#include <string.h>

/* dockerd asks for the gateway's address with this type */
#define GATEWAY_REQUEST "com.docker.network.gateway"

plugin_reply ipam_request_pool(const plugin_state *st, const json_t *req)
{
	static const char method[] = "RequestPool";
	bool bad = false;
	berth_pool_spec spec = { .address_space = plugin_str(req, "AddressSpace", &bad),
				 .pool = plugin_str(req, "Pool", &bad),
				 .sub_pool = plugin_str(req, "SubPool", &bad),
				 .v6 = json_is_true(json_object_get(req, "V6")) };
	berth_err err = { 0 };
	berth_pool *pool = NULL;
	berth_ctx *ctx = NULL;
	plugin_reply r;

	if (bad)
		return plugin_bad_field(method, "AddressSpace, Pool and SubPool", "strings");
	if (plugin_open(st, method, &ctx, &r) < 0)
		return r;
	if (berth_pool_request(ctx, &spec, &pool, &err) < 0) {
		r = plugin_failed(&err);
	} else {
		char subnet[BERTH_PREFIX_STRLEN];
		r = plugin_ok(json_pack("{s:s,s:s,s:{}}", "PoolID", pool->id, "Pool",
					berth_prefix_format(&pool->subnet, subnet), "Data"));
	}
	berth_pool_free(pool);
	berth_close(ctx);
	return r;
}

plugin_reply ipam_release_pool(const plugin_state *st, const json_t *req)
{
	static const char method[] = "ReleasePool";
	bool bad = false;
	const char *id = plugin_str(req, "PoolID", &bad);
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	plugin_reply r;

	if (bad || !id)
		return plugin_bad_field(method, "PoolID", "a pool's ID");
	if (plugin_open(st, method, &ctx, &r) < 0)
		return r;
	r = berth_pool_release(ctx, id, &err) < 0 ? plugin_failed(&err) : plugin_ok_empty();
	berth_close(ctx);
	return r;
}

/* The gateway's, an endpoint's ({}) or an auxiliary address (null
 * options): only the gateway is named as such. */
static const char *holder_of(const json_t *req)
{
	const json_t *type = json_object_get(json_object_get(req, "Options"), "RequestAddressType");

	return json_is_string(type) && !strcmp(json_string_value(type), GATEWAY_REQUEST) ? "gateway" : "docker";
}

plugin_reply ipam_request_address(const plugin_state *st, const json_t *req)
{
	static const char method[] = "RequestAddress";
	bool bad = false;
	const char *id = plugin_str(req, "PoolID", &bad), *addr = plugin_str(req, "Address", &bad);
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	berth_prefix got;
	plugin_reply r;

	if (bad || !id)
		return plugin_bad_field(method, "PoolID and Address", "a pool's ID and an address or \"\"");
	if (plugin_open(st, method, &ctx, &r) < 0)
		return r;
	if (berth_pool_address_take(ctx, id, addr, holder_of(req), &got, &err) < 0) {
		r = plugin_failed(&err);
	} else {
		char text[BERTH_PREFIX_STRLEN];
		r = plugin_ok(json_pack("{s:s,s:{}}", "Address", berth_prefix_format(&got, text), "Data"));
	}
	berth_close(ctx);
	return r;
}

plugin_reply ipam_release_address(const plugin_state *st, const json_t *req)
{
	static const char method[] = "ReleaseAddress";
	bool bad = false;
	const char *id = plugin_str(req, "PoolID", &bad), *addr = plugin_str(req, "Address", &bad);
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	plugin_reply r;

	if (bad || !id || !addr)
		return plugin_bad_field(method, "PoolID and Address", "a pool's ID and an address");
	if (plugin_open(st, method, &ctx, &r) < 0)
		return r;
	r = berth_pool_address_release(ctx, id, addr, &err) < 0 ? plugin_failed(&err) : plugin_ok_empty();
	berth_close(ctx);
	return r;
}
