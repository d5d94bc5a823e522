#include "core/own_links.h"
#include "nl/addr.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* A dump the kernel interrupted is run again: a link seen twice replaces
 * its first sighting. */
static void add_link(const nl_link_info *info, void *data)
{
	host_links *links = data;
	driver_link *l = NULL;

	for (size_t i = 0; i < links->n && !l; i++)
		if (links->items[i].info.index == info->index)
			l = &links->items[i];
	if (!l) {
		links->items = xrealloc(links->items, (links->n + 1) * sizeof(*links->items));
		l = &links->items[links->n++];
		*l = (driver_link){ 0 };
	}
	l->info = *info;
}

static driver_link *link_named(host_links *links, const char *name)
{
	for (size_t i = 0; i < links->n; i++)
		if (!strcmp(links->items[i].info.name, name))
			return &links->items[i];
	return NULL;
}

static void add_address(const berth_prefix *p, unsigned ifindex, const char *ifname, void *data)
{
	driver_link *l = link_named(data, ifname);

	(void)ifindex;
	for (size_t i = 0; l && i < l->n_v4; i++)
		if (berth_addr_equal(&l->v4[i], &p->addr))
			return;
	if (!l)
		return;
	l->v4 = xrealloc(l->v4, (l->n_v4 + 1) * sizeof(*l->v4));
	l->v4[l->n_v4++] = p->addr;
}

int links_list(nl_sock *nl, host_links *out, berth_err *err)
{
	int ret;

	*out = (host_links){ 0 };
	if ((ret = nl_link_each(nl, add_link, out, err)) < 0)
		host_links_free(out);
	return ret;
}

int host_links_load(berth_ctx *ctx, host_links *out, berth_err *err)
{
	/* nl_addr_each names links as this process sees them: the host's */
	int ret = links_list(ctx->nl, out, err);

	if (ret == 0 && (ret = nl_addr_each(ctx->nl, AF_INET, add_address, out, err)) < 0)
		host_links_free(out);
	return ret;
}

void host_links_free(host_links *links)
{
	for (size_t i = 0; i < links->n; i++)
		free(links->items[i].v4);
	free(links->items);
	*links = (host_links){ 0 };
}

const driver_link *host_links_find(const host_links *links, const char *name)
{
	return link_named((host_links *)links, name);
}

const driver_link *host_links_at(const host_links *links, unsigned index)
{
	for (size_t i = 0; i < links->n; i++)
		if (links->items[i].info.index == index)
			return &links->items[i];
	return NULL;
}

bool own_links_is_host_veth(const driver_link *l)
{
	return !strcmp(l->info.kind, "veth") && driver_hex_name(l->info.name, HOST_VETH_PREFIX, HOST_VETH_HEX);
}

static int delete_link(berth_ctx *ctx, const driver_link *l, berth_err *err)
{
	return nl_link_del(ctx->nl, l->info.name, err) < 0 ? berth_err_wrap(err, "deleting %s %s", l->info.kind, l->info.name)
							   : 0;
}

int own_link_remove(berth_ctx *ctx, const host_links *links, const driver_link *l, size_t *n_ports, berth_err *err)
{
	berth_err one = { 0 };
	bool failed = false;

	*n_ports = 0;
	/* each tried; the failures reported together */
	for (size_t i = 0; i < links->n; i++) {
		const driver_link *port = &links->items[i];
		if (port->info.master != l->info.index || !own_links_is_host_veth(port))
			continue;
		if (berth_err_collect(err, delete_link(ctx, port, &one), &one) < 0)
			failed = true;
		else
			(*n_ports)++;
	}
	if (berth_err_collect(err, delete_link(ctx, l, &one), &one) < 0)
		failed = true;
	return failed ? -err->code : 0;
}
