/* Freeing the model objects of berth.h; every layer hands them around. */
#include "util/model.h"
#include "util/cleanup.h"
#include "util/kv.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

berth_network *network_alloc(void)
{
	network_rec *rec = xzalloc(sizeof(*rec));
	return &rec->pub;
}

berth_container *container_alloc(void)
{
	container_rec *rec = xzalloc(sizeof(*rec));
	return &rec->pub;
}

void container_unhold_ports(berth_container *c)
{
	container_rec *rec = container_rec_of(c);

	for (size_t i = 0; rec->held_ports && i < c->n_ports; i++)
		if (rec->held_ports[i] >= 0)
			close(rec->held_ports[i]);
	free(rec->held_ports);
	rec->held_ports = NULL;
}

static const char *const network_states[] = {
	[NETWORK_PENDING] = "pending",
	[NETWORK_ACTIVE] = "active",
	[NETWORK_REMOVING] = "removing",
};

static const char *const container_states[] = {
	[BERTH_CONTAINER_CREATED] = "created",
	[BERTH_CONTAINER_RUNNING] = "running",
	[BERTH_CONTAINER_EXITED] = "exited",
};

static int state_index(const char *const *names, size_t n, const char *name, int unknown)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return unknown;
}

const char *network_state_name(network_state state)
{
	return network_states[state];
}

network_state network_state_from_name(const char *name)
{
	return (network_state)state_index(network_states, ARRAY_SIZE(network_states), name, NETWORK_PENDING);
}

const char *berth_container_state_name(berth_container_state state)
{
	return (unsigned)state < ARRAY_SIZE(container_states) ? container_states[state] : "unknown";
}

berth_container_state container_state_from_name(const char *name)
{
	return (berth_container_state)state_index(container_states, ARRAY_SIZE(container_states), name, BERTH_CONTAINER_EXITED);
}

void berth_network_free(berth_network *net)
{
	if (!net)
		return;
	free(net->name);
	free(net->driver);
	free(net->ifname);
	free(net->made_for);
	free(net->subnets);
	kv_free(&net->options);
	kv_free(&net->labels);
	free(network_rec_of(net));
}

void berth_network_list_free(berth_network **nets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		berth_network_free(nets[i]);
	free(nets);
}

void berth_container_free(berth_container *c)
{
	if (!c)
		return;
	free(c->name);
	strv_free(c->argv);
	strv_free(c->env);
	free(c->hostname);
	free(c->rootfs);
	free(c->network_mode);
	for (size_t i = 0; i < c->n_endpoints; i++)
		strv_free(c->endpoints[i].aliases);
	free(c->endpoints);
	container_unhold_ports(c);
	free(c->ports);
	strv_free(c->cap_add);
	strv_free(c->cap_drop);
	strv_free(c->dns);
	strv_free(c->dns_search);
	strv_free(c->dns_options);
	free(c->external_id);
	free(c->external_netns);
	free(container_rec_of(c));
}

void berth_container_list_free(berth_container **cs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		berth_container_free(cs[i]);
	free(cs);
}
