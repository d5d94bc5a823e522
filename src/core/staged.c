/* Endpoints made before their container (CNM's, as dockerd's remote
 * network driver calls make them; see berth.h). A staged endpoint is an
 * endpoint row with container_id "" whose veth has both ends in the host:
 * the peer is named as the host end with STAGED_PEER_PREFIX, so a
 * repeated Join finds it again without a column of its own. Once joined,
 * the endpoint belongs to the runtime's container (recorded as
 * berth_attach records one) and its ifname is "": the runtime names the
 * interface in the sandbox. */
#include "core/staged.h"
#include "core/attach.h"
#include "core/container.h"
#include "core/endpoint.h"
#include "core/firewall.h"
#include "driver/driver.h"
#include "nl/link.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/id.h"
#include "util/strv.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_id(const char *id, berth_err *err)
{
	if (id && strlen(id) == BERTH_ID_HEX && is_hex_string(id))
		return 0;
	_cleanup_free_ char *shown = text_escaped(id ? id : "");
	return berth_err_set(err, EINVAL, "invalid endpoint ID \"%.64s\": expected %d hex digits", shown, BERTH_ID_HEX);
}

static int load(berth_ctx *ctx, const char *id, berth_endpoint *ep, bool *found, berth_err *err)
{
	int ret = check_id(id, err);

	return ret < 0 ? ret : store_endpoint_get(ctx->store, id, ep, found, err);
}

static berth_endpoint *copy_out(const berth_endpoint *ep)
{
	berth_endpoint *out = xmemdup(ep, sizeof(*ep));

	out->aliases = strv_copy((const char *const *)ep->aliases, ep->n_aliases);
	return out;
}

/* The container's end while it is in the host. */
static void name_peer(berth_endpoint *ep)
{
	snprintf(ep->ifname, sizeof(ep->ifname), STAGED_PEER_PREFIX "%s", ep->host_ifname + strlen(HOST_VETH_PREFIX));
}

/* dockerd repeats a call whose answer it lost: the same endpoint on the
 * same network is the answer again. */
static int created_before(const berth_endpoint *had, const berth_network *net, berth_err *err)
{
	if (strcmp(had->network_id, net->id))
		return berth_err_set(err, EEXIST, "endpoint %.12s exists already, on another network", had->id);
	return 0;
}

int staged_create(berth_ctx *ctx, const berth_endpoint_spec *spec, berth_endpoint **out, berth_err *err)
{
	berth_network *net = NULL;
	berth_endpoint ep = { 0 };
	bool found = false;
	int ret = load(ctx, spec->id, &ep, &found, err);

	if (ret == 0 && !spec->network)
		ret = berth_err_set(err, EINVAL, "endpoint %.12s: no network given", spec->id);

	if (ret == 0)
		ret = berth_network_find(ctx, spec->network, &net, err);
	if (ret == 0 && found) {
		if ((ret = created_before(&ep, net, err)) == 0 && out)
			*out = copy_out(&ep);
		strv_free(ep.aliases);
		berth_network_free(net);
		return ret;
	}
	if (ret == 0) {
		endpoint_request req = { .net = net, .ip = spec->ip, .ip6 = spec->ip6, .mac = spec->mac };
		if ((ret = endpoint_check_addresses(&req, err)) == 0)
			ret = endpoint_stage(ctx, &req, spec->id, &ep, err);
	}
	berth_network_free(net);
	if (ret == 0 && out)
		*out = copy_out(&ep);
	strv_free(ep.aliases);
	return ret;
}

/* Joined already (a repeated Join): to this container, or refused. */
static int joined_before(berth_ctx *ctx, berth_endpoint *ep, const berth_join_spec *spec, berth_err *err)
{
	berth_container *c = NULL;
	int ret = container_find(ctx, ep->container_id, &c, err);
	bool same = ret == 0 && c->external_id && !strcmp(c->external_id, spec->external_id);

	if (ret == 0 && !same)
		ret = berth_err_set(err, EBUSY, "endpoint %.12s is in container %s already", ep->id, c->name);
	berth_container_free(c);
	return ret;
}

int staged_join(berth_ctx *ctx, const berth_join_spec *spec, berth_endpoint **out, berth_err *err)
{
	berth_attach_spec as = { .external_id = spec->external_id, .name = spec->name, .netns_path = spec->netns_path };
	berth_container *c = NULL;
	berth_endpoint ep = { 0 };
	bool found = false, made = false;
	int ret = load(ctx, spec->endpoint_id, &ep, &found, err);

	if (ret == 0 && !spec->netns_path)
		ret = berth_err_set(err, EINVAL, "endpoint %.12s: no network namespace given to join", spec->endpoint_id);
	if (ret == 0 && !found)
		ret = berth_err_set(err, ENOENT, "no endpoint %.12s", spec->endpoint_id);
	if (ret == 0 && ep.container_id[0])
		ret = joined_before(ctx, &ep, spec, err);
	else if (ret == 0 && (ret = external_container_take(ctx, &as, true, &c, &made, err)) == 0) {
		snprintf(ep.container_id, sizeof(ep.container_id), "%s", c->id);
		ep.ordinal = container_next_ordinal(c);
		ep.ifname[0] = '\0';
		if ((ret = store_endpoint_set_container(ctx->store, &ep, err)) == 0 && made)
			ret = external_container_running(ctx, c, err);
		if (ret < 0 && made) {
			berth_err ignored = { 0 };
			ep.container_id[0] = '\0';
			name_peer(&ep);
			if (store_endpoint_set_container(ctx->store, &ep, &ignored) < 0 ||
			    external_container_release(ctx, c, &ignored) < 0)
				berth_err_clear(&ignored);
		}
	}
	berth_container_free(c);
	name_peer(&ep);
	if (ret == 0 && out)
		*out = copy_out(&ep);
	strv_free(ep.aliases);
	return ret;
}

/* Whether the container's published ports lead to the endpoint's
 * addresses (dockerd publishes to the endpoint that gives the default
 * route, whichever it is). */
static bool ports_lead_to(berth_ctx *ctx, const berth_container *c, const berth_endpoint *ep)
{
	published_port *ps = NULL;
	size_t n = 0;
	bool leads = false;
	berth_err ignored = { 0 };

	if (store_ports_load(ctx->store, c->id, &ps, &n, &ignored) < 0) {
		berth_err_clear(&ignored);
		return true; /* cannot tell: none may lead to a freed address */
	}
	for (size_t i = 0; i < n && !leads; i++)
		leads = endpoint_has_addr(ep, &ps[i].target);
	free(ps);
	return leads;
}

/* The ports go with the endpoint they lead to. */
static int unpublish_if_theirs(berth_ctx *ctx, berth_container *c, const berth_endpoint *ep, berth_err *err)
{
	if (!c->n_ports || !ports_lead_to(ctx, c, ep))
		return 0;
	int ret = fw_ports_unpublish(ctx, c->id, err);
	if (ret < 0)
		return ret;
	free(c->ports);
	c->ports = NULL;
	c->n_ports = 0;
	return 0;
}

static int leave(berth_ctx *ctx, berth_endpoint *ep, berth_err *err)
{
	berth_container *c = NULL;
	int ret = container_find(ctx, ep->container_id, &c, err);

	if (ret == -ENOENT) { /* its container went (reconcile): staged again */
		berth_err_clear(err);
		ret = 0;
	} else if (ret == 0) {
		ret = unpublish_if_theirs(ctx, c, ep, err);
	}
	ep->container_id[0] = '\0';
	ep->ordinal = 0;
	name_peer(ep);
	if (ret == 0)
		ret = store_endpoint_set_container(ctx->store, ep, err);
	if (ret == 0 && c && (ret = store_container_reload_endpoints(ctx->store, c, err)) == 0 && !c->n_endpoints)
		ret = external_container_release(ctx, c, err);
	berth_container_free(c);
	return ret;
}

int staged_leave(berth_ctx *ctx, const char *endpoint_id, berth_err *err)
{
	berth_endpoint ep = { 0 };
	bool found = false;
	int ret = load(ctx, endpoint_id, &ep, &found, err);

	if (ret == 0 && found && ep.container_id[0])
		ret = leave(ctx, &ep, err);
	strv_free(ep.aliases);
	return ret;
}

int staged_delete(berth_ctx *ctx, const char *endpoint_id, berth_err *err)
{
	berth_endpoint ep = { 0 };
	bool found = false;
	int ret = load(ctx, endpoint_id, &ep, &found, err);

	if (ret == 0 && found && ep.container_id[0])
		ret = leave(ctx, &ep, err);
	if (ret == 0 && found && (ret = endpoint_detach(ctx, &ep, true, err)) == 0)
		ret = nl_settle(ctx->nl, err);
	strv_free(ep.aliases);
	return ret;
}

/* The container the joined endpoint is in, and the endpoint's network. */
static int joined(berth_ctx *ctx, const char *endpoint_id, berth_endpoint *ep, berth_container **c,
		  berth_network **net, berth_err *err)
{
	bool found = false;
	int ret = load(ctx, endpoint_id, ep, &found, err);

	if (ret == 0 && !found)
		ret = berth_err_set(err, ENOENT, "no endpoint %.12s", endpoint_id);
	if (ret == 0 && !ep->container_id[0])
		ret = berth_err_set(err, EINVAL, "endpoint %.12s is in no container (its Join comes first)", endpoint_id);
	if (ret == 0)
		ret = container_find(ctx, ep->container_id, c, err);
	if (ret == 0 && net)
		ret = berth_network_find(ctx, ep->network_id, net, err);
	return ret;
}

int staged_publish(berth_ctx *ctx, const char *endpoint_id, const char *const *publish, size_t n, berth_err *err)
{
	berth_endpoint ep = { 0 };
	berth_container *c = NULL;
	berth_network *net = NULL;
	berth_port *ports = NULL;
	size_t n_ports = 0;
	int ret = joined(ctx, endpoint_id, &ep, &c, &net, err);

	/* dockerd's sandbox has its namespace by now, if not at Join */
	if (ret == 0)
		ret = external_netns_learn(ctx, c, err);
	if (ret == 0)
		ret = container_ports_for(net, publish, n, &ports, &n_ports, err);
	/* asked again (dockerd repeats): the ports are the new ones */
	if (ret == 0 && c->n_ports)
		ret = fw_ports_unpublish(ctx, c->id, err);
	if (ret == 0)
		ret = fw_ports_publish(ctx, c, ports, n_ports, &ep, err);
	free(ports);
	berth_network_free(net);
	berth_container_free(c);
	strv_free(ep.aliases);
	return ret;
}

int staged_unpublish(berth_ctx *ctx, const char *endpoint_id, berth_err *err)
{
	berth_endpoint ep = { 0 };
	berth_container *c = NULL;
	int ret = check_id(endpoint_id, err);

	if (ret < 0)
		return ret;
	/* no such endpoint, or in no container: nothing of it is published */
	if ((ret = joined(ctx, endpoint_id, &ep, &c, NULL, err)) == -ENOENT || ret == -EINVAL) {
		berth_err_clear(err);
		ret = 0;
	} else if (ret == 0 && c->n_ports) {
		ret = fw_ports_unpublish(ctx, c->id, err);
	}
	berth_container_free(c);
	strv_free(ep.aliases);
	return ret;
}

int staged_delete_on_network(berth_ctx *ctx, const char *net_id, berth_err *err)
{
	berth_endpoint *eps = NULL;
	size_t n = 0;
	int ret = store_endpoints_on_network(ctx->store, net_id, &eps, &n, err);
	bool failed = false;

	/* every one is tried; the failures are reported together */
	for (size_t i = 0; ret == 0 && i < n; i++) {
		berth_err one = { 0 };
		failed |= berth_err_collect(err, staged_delete(ctx, eps[i].id, &one), &one) < 0;
	}
	for (size_t i = 0; i < n; i++)
		strv_free(eps[i].aliases);
	free(eps);
	return ret < 0 ? ret : failed ? -err->code : 0;
}

int staged_get(berth_ctx *ctx, const char *endpoint_id, berth_endpoint **out, berth_err *err)
{
	berth_endpoint ep = { 0 };
	bool found = false;
	int ret = load(ctx, endpoint_id, &ep, &found, err);

	if (ret == 0 && !found)
		return berth_err_set(err, ENOENT, "no endpoint %.12s", endpoint_id);
	if (ret == 0 && !ep.container_id[0])
		name_peer(&ep);
	if (ret == 0)
		*out = copy_out(&ep);
	strv_free(ep.aliases);
	return ret;
}

void berth_endpoint_free(berth_endpoint *ep)
{
	if (!ep)
		return;
	strv_free(ep->aliases);
	free(ep);
}
