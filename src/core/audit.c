/* Where the store and the kernel disagree: what `system check` says, and
 * what `system reconcile` puts right. Each look below reports what it
 * finds as it is (check), or puts it right and says how (reconcile);
 * reconcile's other steps (containers whose monitor died, the firewall
 * table rebuilt from the store) are recover.c's and firewall.c's. */
#include "core/attach.h"
#include "core/container.h"
#include "core/endpoint.h"
#include "core/firewall.h"
#include "core/own_links.h"
#include "core/recover.h"
#include "core/resolver.h"
#include "core/sandbox.h"
#include "driver/driver.h"
#include "fw/ruleset.h"
#include "ipam/pool.h"
#include "nl/link.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/mac.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct audit {
	berth_ctx *ctx;
	bool fix;	/* reconcile: put right what is found */
	findings found; /* check: what is wrong; reconcile: what was put right */
	berth_err failed; /* reconcile: what could not be */
	/* the store as each look found it */
	berth_network **nets;
	size_t n_nets;
	berth_container **cs;
	size_t n_cs;
	berth_endpoint *strays; /* endpoints of no container */
	size_t n_strays;
	berth_endpoint *staged; /* made before their container (core/staged.c) */
	size_t n_staged;
} audit;

static void endpoints_free(berth_endpoint *eps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strv_free(eps[i].aliases);
	free(eps);
}

static void forget_store(audit *a)
{
	berth_network_list_free(a->nets, a->n_nets);
	berth_container_list_free(a->cs, a->n_cs);
	endpoints_free(a->strays, a->n_strays);
	endpoints_free(a->staged, a->n_staged);
	a->nets = NULL;
	a->cs = NULL;
	a->strays = a->staged = NULL;
	a->n_nets = a->n_cs = a->n_strays = a->n_staged = 0;
}

static int read_store(audit *a, berth_err *err)
{
	store *s = a->ctx->store;
	int ret;

	forget_store(a);
	if ((ret = store_network_load_all(s, &a->nets, &a->n_nets, err)) == 0 &&
	    (ret = store_container_load_all(s, &a->cs, &a->n_cs, err)) == 0 &&
	    (ret = store_endpoints_of_no_container(s, &a->strays, &a->n_strays, err)) == 0)
		ret = store_endpoints_staged(s, &a->staged, &a->n_staged, err);
	return ret;
}

/* One disagreement `what`: as it is for check; for reconcile, `ret` is
 * what putting it right returned, and `done` says what was done (or
 * `one` why it could not be). */
static void report(audit *a, berth_finding_kind kind, const char *what, int ret, const char *done, berth_err *one)
{
	if (!a->fix) {
		findings_add(&a->found, kind, "%s", what);
	} else if (ret == 0) {
		findings_add(&a->found, kind, "%s: %s", what, done);
	} else {
		berth_err_wrap(one, "%s", what);
		berth_err_collect(&a->failed, ret, one);
	}
	berth_err_clear(one);
}

static const berth_network *network_by_id(const audit *a, const char *id)
{
	for (size_t i = 0; i < a->n_nets; i++)
		if (!strcmp(a->nets[i]->id, id))
			return a->nets[i];
	return NULL;
}

static const char *network_name(const audit *a, const char *id)
{
	const berth_network *net = network_by_id(a, id);

	return net ? net->name : id;
}

/* ---- rows whose owner died ------------------------------------------------
 * Check only: for reconcile, opening rolled the networks back and
 * containers_recover released the containers. */

static void look_at_abandoned(audit *a)
{
	for (size_t i = 0; i < a->n_nets; i++) {
		const network_rec *rec = network_rec_of(a->nets[i]);
		if (!network_abandoned(a->nets[i]))
			continue;
		_cleanup_free_ char *what = xasprintf("network %s: left half-%s by berth process %d, which died",
						      a->nets[i]->name, rec->state == NETWORK_PENDING ? "made" : "removed",
						      rec->owner.pid);
		report(a, BERTH_FINDING_ABANDONED, what, 0, "", &(berth_err){ 0 });
	}
	for (size_t i = 0; i < a->n_cs; i++) {
		orphan kind = orphan_of(a->cs[i]);
		if (kind == NOT_ORPHAN)
			continue;
		_cleanup_free_ char *what =
			kind == HALF_MADE
				? xasprintf("container %s: left half-made by berth process %d, which died", a->cs[i]->name,
					    a->cs[i]->monitor_pid)
				: xasprintf("container %s: exited while its monitor (process %d) was dead", a->cs[i]->name,
					    a->cs[i]->monitor_pid);
		report(a, BERTH_FINDING_ABANDONED, what, 0, "", &(berth_err){ 0 });
	}
}

/* ---- networks' devices ----------------------------------------------------- */

static void look_at_network_devices(audit *a)
{
	for (size_t i = 0; i < a->n_nets; i++) {
		berth_network *net = a->nets[i];
		berth_err one = { 0 };
		if (!network_device_missing(a->ctx, net))
			continue;
		_cleanup_free_ char *what = xasprintf("network %s: its device %s is missing", net->name,
						      net->ifname ? net->ifname : "(none)");
		int ret = a->fix ? network_restore_device(a->ctx, net, &one) : 0;
		report(a, BERTH_FINDING_NO_INTERFACE, what, ret, "made again", &one);
	}
}

/* ---- endpoints and the interfaces in their sandboxes ----------------------- */

/* A running container's network namespace: its sandbox, or the one its
 * process is in should the sandbox's mount be gone. -1 when neither is
 * there (it has just exited). */
static int open_netns_of(audit *a, const berth_container *c)
{
	_cleanup_free_ char *path = sandbox_netns_path(a->ctx, c->id);
	_cleanup_free_ char *proc = xasprintf("/proc/%d/ns/net", c->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd >= 0 ? fd : open(proc, O_RDONLY | O_CLOEXEC);
}

/* *inside: NULL when the container is gone meanwhile. */
static int open_inside(audit *a, const berth_container *c, nl_sock **inside, berth_err *err)
{
	_cleanup_close_ int fd = open_netns_of(a, c);

	*inside = NULL;
	return fd < 0 ? 0 : nl_open_in_netns(fd, inside, err);
}

static bool has_endpoint_named(const berth_container *c, const char *ifname)
{
	for (size_t i = 0; i < c->n_endpoints; i++)
		if (!strcmp(c->endpoints[i].ifname, ifname))
			return true;
	return false;
}

/* A link berth gives containers: ethN, a veth's end or a macvlan child
 * (a privileged container's own links are named as it likes). */
static bool container_link(const driver_link *l)
{
	const char *digits = l->info.name + 3;

	return (!strcmp(l->info.kind, "veth") || !strcmp(l->info.kind, "macvlan")) &&
	       !strncmp(l->info.name, "eth", 3) && *digits && strspn(digits, "0123456789") == strlen(digits);
}

/* An endpoint a berth process is still making (a connect in progress)
 * is its own to finish: nothing about it is looked at. One whose maker
 * died is rolled back, whatever it got to (its interface may be there
 * without its address or route). */
static bool endpoint_in_making(audit *a, berth_container *c, size_t i)
{
	const berth_endpoint *ep = &c->endpoints[i];
	row_owner maker;
	berth_err one = { 0 };

	if (store_endpoint_maker(a->ctx->store, ep->id, &maker, &one) < 0 || !maker.pid) {
		berth_err_clear(&one);
		return false;
	}
	if (proc_is_alive(maker.pid, maker.start))
		return true;
	_cleanup_free_ char *what = xasprintf("container %s: endpoint on network %s: left half-made by berth process %d, which died",
					      c->name, network_name(a, ep->network_id), maker.pid);
	int ret = a->fix ? container_drop_endpoint(a->ctx, c, i, &one) : 0;
	report(a, BERTH_FINDING_ABANDONED, what, ret, "rolled back", &one);
	return true;
}

/* Its container's end still in the host: joined, not yet moved in by the
 * runtime. */
static bool peer_in_host(audit *a, const berth_endpoint *ep)
{
	char peer[sizeof(ep->ifname)];
	unsigned index = 0;
	berth_err ignored = { 0 };

	snprintf(peer, sizeof(peer), STAGED_PEER_PREFIX "%s", ep->host_ifname + strlen(HOST_VETH_PREFIX));
	if (nl_link_find(a->ctx->nl, peer, &index, &ignored) < 0) {
		berth_err_clear(&ignored);
		return true; /* cannot tell */
	}
	return index != 0;
}

/* An endpoint whose interface the runtime named (a staged one's, after
 * its Join: ifname "") is found by its MAC, or is on its way in. */
static bool interface_present(audit *a, const host_links *inside, const berth_endpoint *ep)
{
	uint8_t mac[6];

	if (ep->ifname[0])
		return host_links_find(inside, ep->ifname) != NULL;
	if (!mac_parse(ep->mac, mac))
		return true; /* cannot tell */
	for (size_t i = 0; i < inside->n; i++)
		if (inside->items[i].info.has_mac && !memcmp(inside->items[i].info.mac, mac, sizeof(mac)))
			return true;
	return peer_in_host(a, ep);
}

/* Endpoints whose interface is gone (a disconnect killed after the link
 * went, before the rows did): the disconnect is finished. */
static void look_for_lost_interfaces(audit *a, berth_container *c, const host_links *inside)
{
	for (size_t i = c->n_endpoints; i-- > 0;) {
		const berth_endpoint *ep = &c->endpoints[i];
		char addr[ENDPOINT_ADDRS_STRLEN];
		berth_err one = { 0 };
		if (endpoint_in_making(a, c, i) || interface_present(a, inside, ep))
			continue;
		_cleanup_free_ char *what = xasprintf("container %s: endpoint on network %s: interface %s%s is gone from its sandbox",
						      c->name, network_name(a, ep->network_id), ep->ifname[0] ? "" : "with MAC ",
						      ep->ifname[0] ? ep->ifname : ep->mac);
		_cleanup_free_ char *done = xasprintf("disconnect finished (address %s released)",
						      endpoint_addrs_text(ep, addr));
		int ret = a->fix ? container_drop_endpoint(a->ctx, c, i, &one) : 0;
		report(a, BERTH_FINDING_NO_INTERFACE, what, ret, done, &one);
	}
}

static void look_for_stray_interfaces(audit *a, const berth_container *c, nl_sock *inside_nl, const host_links *inside)
{
	for (size_t i = 0; i < inside->n; i++) {
		const driver_link *l = &inside->items[i];
		berth_err one = { 0 };
		if (!container_link(l) || has_endpoint_named(c, l->info.name))
			continue;
		_cleanup_free_ char *what = xasprintf("container %s: interface %s in its sandbox belongs to no endpoint",
						      c->name, l->info.name);
		int ret = a->fix ? nl_link_del(inside_nl, l->info.name, &one) : 0;
		report(a, BERTH_FINDING_STRAY_LINK, what, ret, "deleted", &one);
	}
}

static int look_inside(audit *a, berth_container *c, berth_err *err)
{
	nl_sock *inside_nl = NULL;
	host_links inside = { 0 };
	int ret = open_inside(a, c, &inside_nl, err);

	/* its endpoints read again after its links: one connected meanwhile
	 * has its row first, and its link is not taken for a stray */
	if (ret == 0 && inside_nl && (ret = links_list(inside_nl, &inside, err)) == 0 &&
	    (ret = store_container_reload_endpoints(a->ctx->store, c, err)) == 0) {
		look_for_lost_interfaces(a, c, &inside);
		/* and again once a rollback there may have taken links away */
		if (a->fix) {
			host_links_free(&inside);
			if ((ret = links_list(inside_nl, &inside, err)) == 0)
				ret = store_container_reload_endpoints(a->ctx->store, c, err);
		}
		/* another runtime's namespace holds links of other plugins' */
		if (ret == 0 && !c->external_id)
			look_for_stray_interfaces(a, c, inside_nl, &inside);
	}
	host_links_free(&inside);
	nl_close(inside_nl);
	return ret < 0 ? berth_err_wrap(err, "looking into the sandbox of container %s", c->name) : 0;
}

/* What a release cut short left: endpoints of a container that has
 * exited, or of none. */
static void look_at_dead_endpoints(audit *a, berth_container *c)
{
	for (size_t i = c->n_endpoints; c->state == BERTH_CONTAINER_EXITED && i-- > 0;) {
		char addr[ENDPOINT_ADDRS_STRLEN];
		berth_err one = { 0 };
		_cleanup_free_ char *what = xasprintf("container %s is not running, yet has an endpoint on network %s "
						      "(address %s)",
						      c->name, network_name(a, c->endpoints[i].network_id),
						      endpoint_addrs_text(&c->endpoints[i], addr));
		int ret = a->fix ? container_drop_endpoint(a->ctx, c, i, &one) : 0;
		report(a, BERTH_FINDING_NO_INTERFACE, what, ret, "released", &one);
	}
}

static void look_at_stray_endpoints(audit *a)
{
	for (size_t i = 0; i < a->n_strays; i++) {
		const berth_endpoint *ep = &a->strays[i];
		char addr[ENDPOINT_ADDRS_STRLEN];
		berth_err one = { 0 };
		_cleanup_free_ char *what = xasprintf("endpoint %.12s on network %s (address %s) belongs to no container",
						      ep->id, network_name(a, ep->network_id), endpoint_addrs_text(ep, addr));
		int ret = a->fix ? endpoint_detach(a->ctx, ep, false, &one) : 0;
		report(a, BERTH_FINDING_NO_INTERFACE, what, ret, "released", &one);
	}
}

/* A staged endpoint waits for its container's Join; one whose maker died
 * before it was made is rolled back, link and all. */
static void look_at_staged_endpoints(audit *a)
{
	for (size_t i = 0; i < a->n_staged; i++) {
		const berth_endpoint *ep = &a->staged[i];
		char addr[ENDPOINT_ADDRS_STRLEN];
		row_owner maker;
		berth_err one = { 0 };
		if (store_endpoint_maker(a->ctx->store, ep->id, &maker, &one) < 0 || !maker.pid ||
		    proc_is_alive(maker.pid, maker.start)) {
			berth_err_clear(&one);
			continue;
		}
		_cleanup_free_ char *what = xasprintf("endpoint %.12s on network %s (address %s): left half-made by berth process %d, which died",
						      ep->id, network_name(a, ep->network_id), endpoint_addrs_text(ep, addr), maker.pid);
		int ret = a->fix ? endpoint_detach(a->ctx, ep, true, &one) : 0;
		report(a, BERTH_FINDING_ABANDONED, what, ret, "rolled back", &one);
	}
}

static int look_at_endpoints(audit *a, berth_err *err)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < a->n_cs; i++) {
		berth_container *c = a->cs[i];
		berth_err ignored = { 0 };
		/* one recorded before its namespace existed (dockerd's) is known
		 * by it from now on, and then looked at as any other */
		if (a->fix && external_netns_learn(a->ctx, c, &ignored) < 0)
			berth_err_clear(&ignored);
		/* created: its owner is making it, or died (look_at_abandoned) */
		if (c->state == BERTH_CONTAINER_RUNNING && container_alive(c) && sandbox_owns_netns(c))
			ret = look_inside(a, c, err);
		else
			look_at_dead_endpoints(a, c);
	}
	look_at_stray_endpoints(a);
	look_at_staged_endpoints(a);
	return ret;
}

/* ---- addresses ---------------------------------------------------------------- */

static const berth_endpoint *endpoint_by_id(const audit *a, const char *id, const berth_container **holder)
{
	*holder = NULL;
	for (size_t i = 0; i < a->n_cs; i++)
		for (size_t j = 0; j < a->cs[i]->n_endpoints; j++)
			if (!strcmp(a->cs[i]->endpoints[j].id, id)) {
				*holder = a->cs[i];
				return &a->cs[i]->endpoints[j];
			}
	for (size_t i = 0; i < a->n_strays; i++)
		if (!strcmp(a->strays[i].id, id))
			return &a->strays[i];
	for (size_t i = 0; i < a->n_staged; i++)
		if (!strcmp(a->staged[i].id, id))
			return &a->staged[i];
	return NULL;
}

/* Who a lease's owner is, in words; NULL when it is nothing of berth's:
 * no endpoint with that address on that network, nor the gateway, nor
 * the address a driver keeps for itself. */
static char *holder_words(const audit *a, const berth_network *net, const char *owner, const berth_addr *addr)
{
	const driver_ops *ops = driver_find(net->driver);
	driver_address own = { 0 };
	berth_err ignored = { 0 };
	const berth_container *c;
	const berth_endpoint *ep = endpoint_by_id(a, owner, &c);

	if (!strcmp(owner, "gateway"))
		return xstrdup("the gateway");
	if (ops && ops->own_address && ops->own_address(net, &own, &ignored) > 0 && !strcmp(own.holder, owner))
		return xasprintf("the network's %s", own.what);
	berth_err_clear(&ignored);
	if (!ep || strcmp(ep->network_id, net->id) || !endpoint_has_addr(ep, addr))
		return NULL;
	return c ? xasprintf("container %s (%s)", c->name, ep->ifname) : xasprintf("endpoint %.12s", ep->id);
}

/* The endpoint's lease of `addr`, taken from whatever held it without
 * right. */
static int lease_to(audit *a, const berth_network *net, const berth_endpoint *ep, const berth_addr *addr,
		    bool free_first, berth_err *err)
{
	const berth_subnet *sn = ipam_subnet_of(net->subnets, net->n_subnets, addr->family);
	berth_addr got;
	int ret = store_begin(a->ctx->store, err);

	if (ret < 0)
		return ret;
	if (!sn)
		ret = berth_err_set(err, EINVAL, "network %s has no %s subnet", net->name, addr_family_name(addr->family));
	if (ret == 0 && free_first)
		ret = store_lease_release(a->ctx->store, net->id, addr, err);
	if (ret == 0)
		ret = store_lease_take(a->ctx->store, net->id, sn, ep->id, addr, &got, err);
	return store_end(a->ctx->store, ret, err);
}

/* Whether the endpoint's address `addr` is leased to it; when it is not,
 * says why and puts it right (which may take the endpoint away: false
 * then, so its other address is not looked at). */
static bool look_at_lease_of_addr(audit *a, berth_container *c, size_t i, const berth_network *net,
				  const berth_addr *addr)
{
	const berth_endpoint *ep = &c->endpoints[i];
	char text[BERTH_ADDR_STRLEN];
	berth_err one = { 0 };
	int ret = 0;

	berth_addr_format(addr, text);
	_cleanup_free_ char *owner = store_lease_owner(a->ctx->store, net->id, addr);
	_cleanup_free_ char *holder = owner ? holder_words(a, net, owner, addr) : NULL;
	if (owner && holder && !strcmp(owner, ep->id))
		return true;
	if (!holder) {
		_cleanup_free_ char *what = xasprintf("container %s: address %s on network %s has no lease of its own "
						      "(a new container could be given it)",
						      c->name, text, net->name);
		ret = a->fix ? lease_to(a, net, ep, addr, owner != NULL, &one) : 0;
		report(a, BERTH_FINDING_ADDRESS, what, ret, "leased to it", &one);
		return true;
	}
	_cleanup_free_ char *what = xasprintf("network %s: address %s is held twice: by container %s (%s) and by %s",
					      net->name, text, c->name, ep->ifname, holder);
	_cleanup_free_ char *done = xasprintf("container %s disconnected from network %s", c->name, net->name);
	ret = a->fix ? container_drop_endpoint(a->ctx, c, i, &one) : 0;
	report(a, BERTH_FINDING_ADDRESS, what, ret, done, &one);
	return !a->fix;
}

static void look_at_lease_of(audit *a, berth_container *c, size_t i)
{
	const berth_network *net = network_by_id(a, c->endpoints[i].network_id);
	/* copied: dropping the endpoint moves the container's array */
	berth_addr v4 = c->endpoints[i].addr, v6 = c->endpoints[i].addr6;

	if (!net || !net->n_subnets)
		return;
	if (v4.family && !look_at_lease_of_addr(a, c, i, net, &v4))
		return;
	if (v6.family)
		look_at_lease_of_addr(a, c, i, net, &v6);
}

static bool claimed(const audit *a, const store_lease *l)
{
	for (size_t i = 0; i < a->n_cs; i++)
		for (size_t j = 0; j < a->cs[i]->n_endpoints; j++)
			if (!strcmp(a->cs[i]->endpoints[j].network_id, l->network_id) &&
			    endpoint_has_addr(&a->cs[i]->endpoints[j], &l->addr))
				return true;
	return false;
}

/* Leases of nothing: an endpoint that claims the address was dealt with
 * above. */
static void look_at_stray_leases(audit *a, const store_lease *leases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const berth_network *net = network_by_id(a, leases[i].network_id);
		char addr[BERTH_ADDR_STRLEN];
		berth_err one = { 0 };
		_cleanup_free_ char *holder = net ? holder_words(a, net, leases[i].owner, &leases[i].addr) : NULL;
		if (!net || holder || claimed(a, &leases[i]))
			continue;
		_cleanup_free_ char *what = xasprintf("network %s: address %s is leased to %.12s, which is no endpoint of it",
						      net->name, berth_addr_format(&leases[i].addr, addr), leases[i].owner);
		int ret = a->fix ? store_lease_release(a->ctx->store, net->id, &leases[i].addr, &one) : 0;
		report(a, BERTH_FINDING_ADDRESS, what, ret, "released", &one);
	}
}

static int look_at_addresses(audit *a, berth_err *err)
{
	store_lease *leases = NULL;
	size_t n = 0;
	int ret = store_leases_load(a->ctx->store, &leases, &n, err);

	if (ret == 0 && (ret = read_store(a, err)) == 0) {
		for (size_t i = 0; i < a->n_cs; i++)
			for (size_t j = a->cs[i]->n_endpoints; j-- > 0;)
				look_at_lease_of(a, a->cs[i], j);
		look_at_stray_leases(a, leases, n);
	}
	free(leases);
	return ret;
}

/* ---- links of the host --------------------------------------------------------- */

/* A network of the store has it (its bridge, its host shim). */
static bool explained(const audit *a, const char *name)
{
	for (size_t i = 0; i < a->n_nets; i++) {
		const driver_ops *ops = driver_find(a->nets[i]->driver);
		if (ops && ops->has_link && ops->has_link(a->nets[i], name))
			return true;
	}
	return false;
}

static bool berths_device(const audit *a, const driver_link *l)
{
	return l && (explained(a, l->info.name) || driver_of_link(l, NULL));
}

static bool has_host_veth(const audit *a, const char *name)
{
	for (size_t i = 0; i < a->n_cs; i++)
		for (size_t j = 0; j < a->cs[i]->n_endpoints; j++)
			if (!strcmp(a->cs[i]->endpoints[j].host_ifname, name))
				return true;
	for (size_t i = 0; i < a->n_strays; i++)
		if (!strcmp(a->strays[i].host_ifname, name))
			return true;
	for (size_t i = 0; i < a->n_staged; i++)
		if (!strcmp(a->staged[i].host_ifname, name))
			return true;
	return false;
}

/* The host ends of containers' veths on berth's bridges, of no endpoint
 * (a user's veth of that name on a bridge of their own is theirs). */
static void look_for_stray_veths(audit *a, const host_links *links)
{
	for (size_t i = 0; i < links->n; i++) {
		const driver_link *l = &links->items[i];
		const driver_link *master = l->info.master ? host_links_at(links, l->info.master) : NULL;
		berth_err one = { 0 };
		if (!own_links_is_host_veth(l) || !berths_device(a, master) || has_host_veth(a, l->info.name))
			continue;
		_cleanup_free_ char *what = xasprintf("host veth %s on %s %s belongs to no endpoint", l->info.name,
						      master->info.kind, master->info.name);
		int ret = a->fix ? nl_link_del(a->ctx->nl, l->info.name, &one) : 0;
		report(a, BERTH_FINDING_STRAY_LINK, what, ret, "deleted", &one);
	}
}

static char *link_words(const driver_link *l)
{
	char mac[MAC_STRLEN], addr[BERTH_ADDR_STRLEN];
	char *text;

	mac_format(l->info.mac, mac);
	text = xasprintf("%s %s (MAC %s", l->info.kind, l->info.name, mac);
	for (size_t i = 0; i < l->n_v4; i++) {
		char *next = xasprintf("%s, %s", text, berth_addr_format(&l->v4[i], addr));
		free(text);
		text = next;
	}
	char *done = xasprintf("%s)", text);
	free(text);
	return done;
}

static void look_for_stray_devices(audit *a, const host_links *links)
{
	for (size_t i = 0; i < links->n; i++) {
		const driver_link *l = &links->items[i];
		berth_err one = { 0 };
		size_t n_ports;
		if (!driver_of_link(l, NULL) || explained(a, l->info.name))
			continue;
		_cleanup_free_ char *words = link_words(l);
		_cleanup_free_ char *what = xasprintf("%s was made by berth, but no network has it", words);
		int ret = a->fix ? own_link_remove(a->ctx, links, l, &n_ports, &one) : 0;
		report(a, BERTH_FINDING_STRAY_LINK, what, ret, "deleted", &one);
	}
}

static int look_at_host_links(audit *a, berth_err *err)
{
	host_links links = { 0 };
	int ret = host_links_load(a->ctx, &links, err);

	if (ret == 0 && (ret = read_store(a, err)) == 0) {
		/* the veths first: a bridge leaves its ports behind */
		look_for_stray_veths(a, &links);
		look_for_stray_devices(a, &links);
	}
	host_links_free(&links);
	return ret;
}

/* ---- sandboxes of the run dir ---------------------------------------------------- */

static const berth_container *container_by_id(const audit *a, const char *id)
{
	for (size_t i = 0; i < a->n_cs; i++)
		if (!strcmp(a->cs[i]->id, id))
			return a->cs[i];
	return NULL;
}

/* A container being made has one before it runs, and one being released
 * until it is marked exited. One of no container is a container the store
 * lost: no berth command can stop it, its monitor holds its published
 * host ports, and it has no network left: it is killed with it. */
static int look_at_sandboxes(audit *a, berth_err *err)
{
	size_t n = 0;
	char **ids = sandbox_list(a->ctx, &n);
	int ret = read_store(a, err);

	for (size_t i = 0; ret == 0 && i < n; i++) {
		const berth_container *c = container_by_id(a, ids[i]);
		_cleanup_free_ char *path = sandbox_netns_path(a->ctx, ids[i]);
		berth_err one = { 0 };
		if (c && c->state != BERTH_CONTAINER_EXITED)
			continue;
		size_t running = sandbox_processes(a->ctx, ids[i]), killed = 0;
		_cleanup_free_ char *whose = c ? xasprintf("container %s has exited", c->name) : xstrdup("no container has it");
		_cleanup_free_ char *what = running ? xasprintf("sandbox %s: %s (%zu process(es) run in it)", path, whose, running)
						    : xasprintf("sandbox %s: %s", path, whose);
		int removed = a->fix ? sandbox_remove_orphan(a->ctx, ids[i], &killed, &one) : 0;
		_cleanup_free_ char *done = killed ? xasprintf("its %zu process(es) killed, removed", killed) : xstrdup("removed");
		report(a, BERTH_FINDING_STRAY_SANDBOX, what, removed, done, &one);
	}
	strv_free(ids);
	return ret;
}

/* ---- check and reconcile ---------------------------------------------------------- */

/* Containers on networks of the user's ask a resolver that is not
 * there: it died, and no command started it again yet. */
static void look_at_resolver(audit *a)
{
	berth_err one = { 0 };

	if (!resolver_missing(a->ctx))
		return;
	int ret = a->fix ? resolver_start(a->ctx, &one) : 0;
	report(a, BERTH_FINDING_NO_RESOLVER, "the DNS resolver is not running: containers on networks of the user's get no answers",
	       ret, "started it again", &one);
}

/* Each look reads the kernel, then the store (as the looks before left
 * it): berth records what it makes before it makes it, so all the kernel
 * had is then explained, unless removed meanwhile (and deleting what is
 * gone is no harm). A connect whose row is in but whose link is not yet
 * is taken for one whose link was lost: endpoints have no pending state. */
static int look(audit *a, berth_err *err)
{
	int ret = read_store(a, err);

	if (ret == 0) {
		if (!a->fix)
			look_at_abandoned(a);
		look_at_network_devices(a);
		ret = look_at_endpoints(a, err);
	}
	if (ret == 0)
		ret = look_at_addresses(a, err);
	if (ret == 0)
		ret = look_at_host_links(a, err);
	if (ret == 0)
		ret = look_at_sandboxes(a, err);
	if (ret == 0)
		look_at_resolver(a);
	forget_store(a);
	return ret;
}

int berth_check(berth_ctx *ctx, berth_finding **out, size_t *n, berth_err *err)
{
	audit a = { .ctx = ctx };
	int ret = look(&a, err);

	if (ret == 0)
		ret = fw_audit(ctx, &a.found, err);
	if (ret < 0) {
		berth_findings_free(a.found.items, a.found.n);
		return ret;
	}
	*out = a.found.items;
	*n = a.found.n;
	return 0;
}

static void add_lines(char ***fixed, size_t *n, findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		strv_push(fixed, n, steal_ptr(f->items[i].text));
	berth_findings_free(f->items, f->n);
}

/* What check finds, put right; the links deleted on the way gone before
 * we return. */
static int fix_all(berth_ctx *ctx, char ***fixed, size_t *n, berth_err *err)
{
	audit a = { .ctx = ctx, .fix = true };
	int ret = look(&a, err);
	berth_err one = { 0 };

	berth_err_collect(&a.failed, nl_settle(ctx->nl, &one), &one);
	add_lines(fixed, n, &a.found);
	if (ret == 0 && a.failed.code) {
		ret = -a.failed.code;
		berth_err_append(err, &a.failed);
	}
	berth_err_clear(&a.failed);
	return ret;
}

int berth_reconcile(berth_ctx *ctx, char ***fixed, size_t *n, berth_err *err)
{
	/* containers started from now on see the host's mounts as they are
	 * now, even those a private mount tree did not propagate */
	int ret = sandbox_drop_mount_template(ctx, err);
	char **fw = NULL;
	size_t n_fw = 0;

	if (ret == 0)
		ret = containers_recover(ctx, fixed, n, err);
	if (ret == 0)
		ret = fix_all(ctx, fixed, n, err);
	/* after the containers: a released one's ports are gone from the store */
	if (ret == 0)
		ret = fw_reconcile(ctx, &fw, &n_fw, err);
	if (ctx->fw_restored)
		strv_push(fixed, n, xstrdup("firewall: table " FW_FAMILY " " FW_TABLE
					    " was missing or altered: rebuilt from the store"));
	for (size_t i = 0; i < n_fw; i++)
		strv_push(fixed, n, fw[i]);
	free(fw);
	return ret;
}
