/* Freeing the model objects of berth.h; every layer hands them around. */
#include "berth.h"
#include "util/kv.h"
#include "util/strv.h"

#include <stdlib.h>

void berth_network_free(berth_network *net)
{
	if (!net)
		return;
	free(net->name);
	free(net->driver);
	free(net->ifname);
	free(net->subnets);
	kv_free(&net->options);
	kv_free(&net->labels);
	free(net);
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
	free(c->ports);
	free(c);
}

void berth_container_list_free(berth_container **cs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		berth_container_free(cs[i]);
	free(cs);
}
