/* Containers another runtime runs (what a CNI ADD brings): the network
 * namespace it made is adopted as the sandbox, its endpoints are berth's
 * own (addresses, ports, names in the resolver), and a DEL, a GC or the
 * namespace's end releases them. One container row per runtime ID, an
 * endpoint per interface. */
#include "core/attach.h"
#include "core/container.h"
#include "core/endpoint.h"
#include "core/firewall.h"
#include "core/resolver.h"
#include "core/sandbox.h"
#include "fw/dns_redirect.h"
#include "nl/detached.h"
#include "nl/addr.h"
#include "nl/link.h"
#include "runtime/netns.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/id.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Runtimes' IDs are free text to the spec (containerd's "<ns>-<id>"):
 * printable, no blanks, bounded, as the message that names one needs. */
#define EXTERNAL_ID_MAX 255

static int check_external_id(const char *id, berth_err *err)
{
	bool ok = id && *id && strlen(id) <= EXTERNAL_ID_MAX;

	for (const char *p = id; ok && *p; p++)
		ok = isgraph((unsigned char)*p);
	if (ok)
		return 0;
	_cleanup_free_ char *shown = text_escaped(id ? id : "");
	return berth_err_set(err, EINVAL,
			     "invalid container ID \"%.*s\": expected 1 to %d printable characters without blanks",
			     EXTERNAL_ID_MAX, shown, EXTERNAL_ID_MAX);
}

/* What the kernel takes as a link name (dev_valid_name). */
static int check_ifname(const char *name, berth_err *err)
{
	bool ok = *name && strlen(name) < IFNAMSIZ && strcmp(name, ".") && strcmp(name, "..");

	for (const char *p = name; ok && *p; p++)
		ok = isgraph((unsigned char)*p) && *p != '/' && *p != ':';
	if (ok)
		return 0;
	_cleanup_free_ char *shown = text_escaped(name);
	return berth_err_set(err, EINVAL,
			     "invalid interface name \"%.64s\": expected 1 to %d printable characters, no '/' or ':'",
			     shown, IFNAMSIZ - 1);
}

static int check_spec(const berth_attach_spec *spec, berth_err *err)
{
	int ret;

	if ((ret = check_external_id(spec->external_id, err)) < 0 ||
	    (ret = check_ifname(spec->ifname ? spec->ifname : "eth0", err)) < 0)
		return ret;
	if (!spec->netns_path || !*spec->netns_path)
		return berth_err_set(err, EINVAL, "container %s: no network namespace given", spec->external_id);
	if (!spec->network || !*spec->network)
		return berth_err_set(err, EINVAL, "container %s: no network given", spec->external_id);
	return 0;
}

static int open_given_netns(const char *path, int *fd, netns_id *id, berth_err *err)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return berth_err_sys(err, errno, "network namespace %s", path);
	if (netns_id_of(*fd, id, err) < 0)
		return berth_err_wrap(err, "network namespace %s", path);
	return 0;
}

/* The runtime's name for it (Podman's container name), when it is one
 * berth can take: else cni_ and the short ID. */
static bool usable_name(const char *name)
{
	return container_name_valid(name) && strlen(name) <= BERTH_NAME_MAX;
}

static bool is_full_id(const char *s)
{
	return strlen(s) == BERTH_ID_HEX && is_hex_string(s);
}

/* Podman's IDs are berth's kind: kept, so `berth ps` and `podman ps` show
 * one ID. */
static berth_container *external_new(berth_ctx *ctx, const berth_attach_spec *spec, const netns_id *ns, bool own_id)
{
	berth_container *c = container_alloc();
	struct timespec now;

	if (own_id && is_full_id(spec->external_id))
		snprintf(c->id, sizeof(c->id), "%s", spec->external_id);
	else
		random_hex(c->id, BERTH_ID_HEX);
	clock_gettime(CLOCK_REALTIME, &now);
	c->created_sec = now.tv_sec;
	c->created_nsec = now.tv_nsec;
	c->name = own_id && usable_name(spec->name) ? xstrdup(spec->name) : xasprintf("cni_%.12s", c->id);
	c->hostname = xstrndup(c->id, BERTH_SHORT_ID_HEX);
	c->network_mode = xstrdup("default");
	c->auto_remove = true;
	c->detach = true;
	c->state = BERTH_CONTAINER_CREATED;
	c->external_id = xstrdup(spec->external_id);
	c->external_netns = xstrdup(spec->netns_path);
	container_rec_of(c)->netns_dev = ns->dev;
	container_rec_of(c)->netns_ino = ns->ino;
	c->own_dns = !spec->resolver;
	container_set_monitor(c, ctx->self);
	return c;
}

static bool same_netns(const berth_container *c, const netns_id *ns)
{
	const container_rec *rec = container_rec_of(c);

	return rec->netns_dev == ns->dev && rec->netns_ino == ns->ino;
}

/* Recorded before the runtime made its namespace (dockerd's first Join). */
static bool netns_to_come(const berth_container *c)
{
	const container_rec *rec = container_rec_of(c);

	return !rec->netns_dev && !rec->netns_ino;
}

/* The namespace it was waiting for exists now (at fd): recorded and
 * adopted, so that its end is seen, as any other runtime's. */
static int learn_netns(berth_ctx *ctx, berth_container *c, int fd, const netns_id *ns, berth_err *err)
{
	container_rec *rec = container_rec_of(c);
	int ret;

	rec->netns_dev = ns->dev;
	rec->netns_ino = ns->ino;
	if ((ret = store_container_set_netns(ctx->store, c, err)) < 0)
		return ret;
	return sandbox_adopt_netns(ctx, c->id, fd, err);
}

int external_netns_learn(berth_ctx *ctx, berth_container *c, berth_err *err)
{
	_cleanup_close_ int fd = -1;
	netns_id ns;
	berth_err ignored = { 0 };

	if (!c->external_id || !netns_to_come(c) || !c->external_netns)
		return 0;
	if (open_given_netns(c->external_netns, &fd, &ns, &ignored) < 0) {
		berth_err_clear(&ignored); /* still to come */
		return 0;
	}
	return learn_netns(ctx, c, fd, &ns, err);
}

/* Another ADD of the same container (containerd attaches a pod's
 * networks at once) recorded it first: this one joins it. */
static int join_concurrent(berth_ctx *ctx, const berth_attach_spec *spec, const netns_id *ns, berth_container **out,
			   berth_err *err)
{
	int ret = store_container_external(ctx->store, spec->external_id, out, err);

	if (ret == 0 && *out && !same_netns(*out, ns)) {
		berth_container_free(*out);
		*out = NULL;
		ret = berth_err_set(err, EBUSY, "container %s is being attached in another network namespace by another "
						"berth process",
				    spec->external_id);
	}
	return ret;
}

/* Recorded as being made by us (a crash leaves it half-made, for
 * recovery); *made. Recorded meanwhile by a concurrent ADD: joined. Its
 * name or ID taken by another container: it gets its own. */
static int record_new(berth_ctx *ctx, const berth_attach_spec *spec, const netns_id *ns, berth_container **out,
		      bool *made, berth_err *err)
{
	berth_container *c = external_new(ctx, spec, ns, true);
	int ret = store_container_insert(ctx->store, c, err);

	if (ret == -EEXIST) {
		berth_err_clear(err);
		berth_container_free(c);
		c = NULL;
		if ((ret = join_concurrent(ctx, spec, ns, out, err)) < 0 || *out)
			return ret;
		c = external_new(ctx, spec, ns, false);
		ret = store_container_insert(ctx->store, c, err);
	}
	if (ret < 0) {
		berth_container_free(c);
		return ret;
	}
	*out = c;
	*made = true;
	return 0;
}

static const berth_endpoint *endpoint_named(const berth_container *c, const char *ifname)
{
	for (size_t i = 0; i < c->n_endpoints; i++)
		if (!strcmp(c->endpoints[i].ifname, ifname))
			return &c->endpoints[i];
	return NULL;
}

static int check_not_attached(const berth_container *c, const berth_network *net, const char *ifname,
			      berth_err *err)
{
	if (endpoint_named(c, ifname))
		return berth_err_set(err, EEXIST, "container %s: interface %s is attached already", c->external_id,
				     ifname);
	for (size_t i = 0; i < c->n_endpoints; i++)
		if (!strcmp(c->endpoints[i].network_id, net->id))
			return berth_err_set(err, EEXIST, "container %s is attached to network %s already (as %s)",
					     c->external_id, net->name, c->endpoints[i].ifname);
	return 0;
}

/* The resolver's redirect (fw/dns_redirect.h) is berth's only change
 * inside the runtime's namespace, which outlives the attachment. Gone
 * moments after the command returns: its removal is left to a reaper. */
static void drop_dns_redirect(berth_ctx *ctx, const berth_container *c)
{
	_cleanup_free_ char *path = sandbox_netns_path(ctx, c->id);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	berth_err ignored = { 0 };
	nl_sock *nl = NULL;

	if (fd >= 0 && nl_open_netfilter_in_netns(fd, &nl, &ignored) == 0)
		fw_dns_redirect_remove_detached(nl, &ignored);
	berth_err_clear(&ignored);
	nl_close(nl);
}

/* Its last endpoint went, or its namespace did: nothing of it stays. */
static int release_whole(berth_ctx *ctx, berth_container *c, berth_err *err)
{
	if (!c->own_dns)
		drop_dns_redirect(ctx, c);
	c->auto_remove = true;
	return container_release(ctx, c, 0, err);
}

/* The container the ADD is for: the one the store has when it is still
 * in that namespace; one recorded in another namespace (the runtime
 * started it again and no DEL came) is released first. */
static int container_for(berth_ctx *ctx, const berth_attach_spec *spec, const netns_id *ns, berth_container **out,
			 bool *made, berth_err *err)
{
	berth_container *known = NULL;
	int ret = store_container_external(ctx->store, spec->external_id, &known, err);

	*made = false;
	if (ret < 0)
		return ret;
	if (known && (same_netns(known, ns) || netns_to_come(known))) {
		*out = known;
		return 0;
	}
	if (known && release_whole(ctx, known, err) < 0) {
		berth_container_free(known);
		return berth_err_wrap(err, "releasing container %s from its former network namespace", spec->external_id);
	}
	berth_container_free(known);
	return record_new(ctx, spec, ns, out, made, err);
}

/* Ports go with the container's first endpoint, where `run -p` puts them
 * too (and where container_drop_endpoint takes them away); a later ADD
 * that asks for them again (Podman asks on every network) adds none. */
static int publish(berth_ctx *ctx, berth_container *c, berth_port *ports, size_t n, berth_err *err)
{
	int ret;

	if (!n || c->n_endpoints != 1)
		return 0;
	if ((ret = fw_ports_publish(ctx, c, ports, n, &c->endpoints[0], err)) < 0)
		return ret;
	c->ports = xmemdup(ports, n * sizeof(*ports));
	c->n_ports = n;
	return 0;
}

static int mark_running(berth_ctx *ctx, berth_container *c, berth_err *err)
{
	c->state = BERTH_CONTAINER_RUNNING;
	c->started_sec = time(NULL);
	container_set_monitor(c, (row_owner){ 0 });
	return store_container_update(ctx->store, c, err);
}

/* The endpoint, its ports and names; undone by the caller. */
static int plug(berth_ctx *ctx, berth_container *c, int fd, endpoint_request *req, berth_port *ports, size_t n_ports,
		bool made, berth_err *err)
{
	int ret;

	if (made && (ret = sandbox_adopt_netns(ctx, c->id, fd, err)) < 0)
		return ret;
	req->ordinal = container_next_ordinal(c);
	req->default_route = c->n_endpoints == 0;
	c->endpoints = xrealloc(c->endpoints, (c->n_endpoints + 1) * sizeof(*c->endpoints));
	if ((ret = endpoint_attach(ctx, c, fd, req, &c->endpoints[c->n_endpoints], err)) < 0)
		return ret;
	c->n_endpoints++;
	if ((ret = publish(ctx, c, ports, n_ports, err)) < 0 || (ret = resolver_configure(ctx, c, false, err)) < 0)
		return ret;
	return made ? mark_running(ctx, c, err) : 0;
}

/* Takes away what this ADD added: its endpoint; the container too when
 * this ADD made it and no concurrent one has joined it since (that one's
 * endpoint keeps it, running). */
static void undo_plug(berth_ctx *ctx, berth_container *c, bool made, size_t had)
{
	berth_err ignored = { 0 };
	_cleanup_free_ char *mine = c->n_endpoints > had ? xstrdup(c->endpoints[had].id) : NULL;

	if (made && store_container_reload_endpoints(ctx->store, c, &ignored) == 0 &&
	    c->n_endpoints > (mine ? 1 : 0)) {
		for (size_t i = 0; mine && i < c->n_endpoints; i++)
			if (!strcmp(c->endpoints[i].id, mine))
				container_drop_endpoint(ctx, c, i, &ignored);
		mark_running(ctx, c, &ignored);
	} else if (made) {
		release_whole(ctx, c, &ignored);
	} else if (mine) {
		container_drop_endpoint(ctx, c, had, &ignored);
	}
	berth_err_clear(&ignored);
}

/* What the spec asks of the network, checked before anything changes
 * (the ports are checked once it is known whether they will be
 * published). */
static int check_request(berth_ctx *ctx, const berth_attach_spec *spec, berth_network **net, endpoint_request *req,
			 berth_err *err)
{
	int ret = check_spec(spec, err);

	if (ret == 0)
		ret = berth_network_find(ctx, spec->network, net, err);
	if (ret == 0 && !network_takes_endpoints(*net))
		ret = berth_err_set(err, EINVAL, "network %s takes no endpoints: containers cannot be attached to it",
				    (*net)->name);
	*req = (endpoint_request){ .net = *net, .ip = spec->ip, .ip6 = spec->ip6, .mac = spec->mac,
				   .aliases = spec->aliases, .n_aliases = spec->n_aliases,
				   .ifname = spec->ifname ? spec->ifname : "eth0" };
	return ret < 0 ? ret : endpoint_check(req, err);
}

int attach_external(berth_ctx *ctx, const berth_attach_spec *spec, berth_container **out, berth_err *err)
{
	berth_network *net = NULL;
	berth_container *c = NULL;
	_cleanup_free_ berth_port *ports = NULL;
	_cleanup_close_ int fd = -1;
	endpoint_request req;
	size_t n_ports = 0;
	netns_id ns;
	bool made = false;
	int ret = check_request(ctx, spec, &net, &req, err);

	if (ret == 0)
		ret = open_given_netns(spec->netns_path, &fd, &ns, err);
	if (ret == 0)
		ret = container_for(ctx, spec, &ns, &c, &made, err);
	if (ret == 0 && c->n_endpoints == 0)
		ret = container_ports_for(net, spec->publish, spec->n_publish, &ports, &n_ports, err);
	if (ret == 0 && (ret = check_not_attached(c, net, req.ifname, err)) == 0) {
		size_t had = c->n_endpoints;
		if ((ret = plug(ctx, c, fd, &req, ports, n_ports, made, err)) < 0)
			undo_plug(ctx, c, made, had);
	} else if (ret < 0 && made && c) {
		undo_plug(ctx, c, true, 0);
	}
	berth_network_free(net);
	if (ret == 0 && out)
		*out = c;
	else
		berth_container_free(c);
	return ret;
}

int external_container_take(berth_ctx *ctx, const berth_attach_spec *spec, bool netns_later, berth_container **out,
			    bool *made, berth_err *err)
{
	_cleanup_close_ int fd = -1;
	netns_id ns = { 0 };
	int ret = check_external_id(spec->external_id, err);

	*made = false;
	*out = NULL;
	if (ret == 0 && (ret = open_given_netns(spec->netns_path, &fd, &ns, err)) == -ENOENT && netns_later) {
		berth_err_clear(err);
		ret = 0;
	}
	if (ret == 0)
		ret = container_for(ctx, spec, &ns, out, made, err);
	/* a later Join (network connect) of a sandbox first joined before
	 * its namespace existed: the same container, which learns it now */
	if (ret == 0 && !*made && fd >= 0 && netns_to_come(*out))
		ret = learn_netns(ctx, *out, fd, &ns, err);
	if (ret == 0 && *made && fd >= 0 && (ret = sandbox_adopt_netns(ctx, (*out)->id, fd, err)) < 0) {
		berth_err ignored = { 0 };
		external_container_release(ctx, *out, &ignored);
		berth_err_clear(&ignored);
		berth_container_free(*out);
		*out = NULL;
		*made = false;
	}
	return ret;
}

int external_container_running(berth_ctx *ctx, berth_container *c, berth_err *err)
{
	return mark_running(ctx, c, err);
}

int external_container_release(berth_ctx *ctx, berth_container *c, berth_err *err)
{
	return release_whole(ctx, c, err);
}

/* The endpoint named ifname, on net_id when one is given. */
static const berth_endpoint *endpoint_on(const berth_container *c, const char *net_id, const char *ifname)
{
	const berth_endpoint *ep = endpoint_named(c, ifname);

	return ep && (!net_id || !strcmp(ep->network_id, net_id)) ? ep : NULL;
}

/* A runtime's network, by ID or name; NULL (no error) when it is gone. */
static int network_id_of(berth_ctx *ctx, const char *ref, char **id, berth_err *err)
{
	berth_network *net = NULL;
	int ret = ref ? berth_network_find(ctx, ref, &net, err) : 0;

	*id = NULL;
	if (ret == -ENOENT) {
		berth_err_clear(err);
		return 0;
	}
	if (ret == 0 && net)
		*id = xstrdup(net->id);
	berth_network_free(net);
	return ret;
}

int detach_external(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
		    berth_err *err)
{
	berth_container *c = NULL;
	_cleanup_free_ char *net_id = NULL;
	int ret = check_external_id(external_id, err);

	if (ret == 0 && (ret = network_id_of(ctx, network, &net_id, err)) == 0 && (!network || net_id))
		ret = store_container_external(ctx->store, external_id, &c, err);
	if (ret < 0 || !c)
		return ret;
	const berth_endpoint *ep = ifname ? endpoint_on(c, net_id, ifname) : NULL;
	if (ifname && !ep)
		ret = 0; /* detached already, or never on that network: a DEL is idempotent */
	else if (ep && c->n_endpoints > 1)
		ret = container_drop_endpoint(ctx, c, (size_t)(ep - c->endpoints), err);
	else
		ret = release_whole(ctx, c, err);
	berth_container_free(c);
	/* the link's deletion overlapped the bookkeeping: gone before we return */
	int settled = nl_settle(ctx->nl, err);
	return ret < 0 ? ret : settled;
}

int attachment_find(berth_ctx *ctx, const char *external_id, berth_container **out, berth_err *err)
{
	int ret = check_external_id(external_id, err);

	if (ret == 0 && (ret = store_container_external(ctx->store, external_id, out, err)) == 0 && !*out)
		ret = berth_err_set(err, ENOENT, "container %s is not attached to any network of berth's", external_id);
	return ret;
}

typedef struct addr_search {
	unsigned ifindex;
	const berth_addr *want;
	bool found;
} addr_search;

/* By index: a name would be looked up in berth's own namespace */
static void match_addr(const berth_prefix *p, unsigned ifindex, const char *ifname, void *data)
{
	addr_search *s = data;

	(void)ifname;
	s->found |= ifindex == s->ifindex && berth_addr_equal(&p->addr, s->want);
}

/* The interface is in the namespace, with the endpoint's addresses. */
static int check_inside(int fd, const berth_endpoint *ep, berth_err *err)
{
	const berth_addr *addrs[] = { &ep->addr, &ep->addr6 };
	nl_sock *inside = NULL;
	unsigned index = 0;
	int ret = nl_open_in_netns(fd, &inside, err);

	if (ret == 0 && (ret = nl_link_find(inside, ep->ifname, &index, err)) == 0 && !index)
		ret = berth_err_set(err, ENODEV, "interface %s is gone from the container", ep->ifname);
	for (size_t i = 0; ret == 0 && i < ARRAY_SIZE(addrs); i++) {
		addr_search s = { .ifindex = index, .want = addrs[i] };
		if (!addrs[i]->family || (ret = nl_addr_each(inside, addrs[i]->family, match_addr, &s, err)) < 0)
			continue;
		if (!s.found) {
			char a[BERTH_ADDR_STRLEN];
			ret = berth_err_set(err, EADDRNOTAVAIL, "interface %s has lost its address %s", ep->ifname,
					    berth_addr_format(addrs[i], a));
		}
	}
	nl_close(inside);
	return ret;
}

static int check_attachment(const berth_container *c, const char *net_id, const char *ifname, const char *netns_path,
			    berth_err *err)
{
	const berth_endpoint *ep = endpoint_on(c, net_id, ifname);
	_cleanup_close_ int fd = -1;
	netns_id ns;
	int ret;

	if (!ep)
		return berth_err_set(err, ENOENT, "no interface %s on that network", ifname);
	if ((ret = open_given_netns(netns_path, &fd, &ns, err)) < 0)
		return ret;
	if (!same_netns(c, &ns))
		return berth_err_set(err, EINVAL, "attached in another network namespace than %s", netns_path);
	return check_inside(fd, ep, err);
}

int attachment_check(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
		     const char *netns_path, berth_err *err)
{
	berth_container *c = NULL;
	_cleanup_free_ char *net_id = NULL;
	int ret = attachment_find(ctx, external_id, &c, err);

	if (ret < 0)
		return ret;
	if ((ret = network_id_of(ctx, network, &net_id, err)) == 0)
		ret = network && !net_id ? berth_err_set(err, ENOENT, "no network %s", network)
					 : check_attachment(c, net_id, ifname, netns_path, err);
	berth_container_free(c);
	return ret < 0 ? berth_err_wrap(err, "container %s", external_id) : 0;
}
