#include "core/firewall.h"
#include "core/ports.h"
#include "driver/driver.h"
#include "fw/diff.h"
#include "fw/inspect.h"
#include "fw/nft.h"
#include "fw/ruleset.h"
#include "ipam/pool.h"
#include "nl/nftables.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/proto.h"
#include "util/strv.h"
#include "util/sysctl.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool firewalled(const berth_network *net)
{
	const driver_ops *ops = driver_find(net->driver);

	return ops && ops->in_firewall && net->ifname;
}

/* The elements of a network, as its driver's policy says. */
static void network_elems(json_t *cmds, const char *verb, const berth_network *net)
{
	net_fw_policy p = driver_fw_policy(net);
	fw_net_policy policy = { .masquerade4 = p.masquerade4, .masquerade6 = p.masquerade6,
				 .direct4 = p.direct4, .direct6 = p.direct6 };

	fw_network_elems(cmds, verb, net, &policy);
}

/* What a rebuild puts in: a pending network is being made by its owner,
 * who adds the same elements; a removing one is on its way out. */
static bool in_table(const berth_network *net)
{
	return firewalled(net) && network_rec_of(net)->state != NETWORK_REMOVING;
}

static nft_runner *runner(berth_ctx *ctx)
{
	if (!ctx->nft)
		ctx->nft = nft_runner_new();
	return ctx->nft;
}

typedef int (*locked_fn)(berth_ctx *ctx, void *arg, berth_err *err);

/* fn with the store's write lock held (a transaction of our own unless
 * the caller has one open). */
static int with_lock(berth_ctx *ctx, locked_fn fn, void *arg, berth_err *err)
{
	bool own = !store_in_transaction(ctx->store);
	int ret;

	if (own && (ret = store_begin(ctx->store, err)) < 0)
		return ret;
	ret = fn(ctx, arg, err);
	return own ? store_end(ctx->store, ret, err) : ret;
}

/* ---- rebuild ------------------------------------------------------------ */

static void add_port_elems(json_t *cmds, const published_port *ps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fw_port_elems(cmds, "add", &ps[i].port, &ps[i].target);
}

/* ---- route_localnet -------------------------------------------------------
 * 127.0.0.1 -> a published port: the kernel must route a loopback source
 * out of the bridge, and take the replies to 127.0.0.1 that come back on
 * it. With route_localnet on, a container could send to the host's
 * 127.0.0.1 too: the table's guard chain drops that. So it is on only
 * while the guard is there: turned on after the table is applied, and
 * off again by the waiting monitors (fw_guard_heard) as soon as the
 * table loses a chain, rule or set (`nft flush ruleset`), until the next
 * berth command restores the table and turns it back on. A FIB rule
 * would not do: it cannot tell a container's packet to 127.0.0.1 from the
 * reply the kernel has just de-NATed to it. */

static int localnet_set(const berth_network *net, const char *value, berth_err *err)
{
	_cleanup_free_ char *key = xasprintf("net.ipv4.conf.%s.route_localnet", net->ifname);

	return sysctl_write(key, value, err);
}

/* On every bridge the table serves (one that is missing has nothing to
 * turn on or off: restore_after_boot makes it, then calls here again). */
static void localnet_set_all(berth_network *const *nets, size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++) {
		berth_err ignored = { 0 };
		if (in_table(nets[i]))
			localnet_set(nets[i], value, &ignored);
		berth_err_clear(&ignored);
	}
}

static int rebuild_cmds(berth_ctx *ctx, json_t *cmds, berth_network ***out_nets, size_t *out_n, berth_err *err)
{
	berth_network **nets = NULL;
	published_port *ps = NULL;
	size_t n_nets = 0, n_ps = 0, live = 0;
	int ret = store_network_load_all(ctx->store, &nets, &n_nets, err);

	if (ret == 0)
		ret = store_ports_load(ctx->store, NULL, &ps, &n_ps, err);
	for (size_t i = 0; ret == 0 && i < n_nets; i++)
		live += in_table(nets[i]);
	if (ret == 0 && live == 0) {
		/* no bridge network: no table (add first, so a missing one is no error) */
		fw_ruleset_cmds(cmds, true);
		json_array_append_new(cmds, fw_delete_table_cmd());
	} else if (ret == 0) {
		fw_ruleset_cmds(cmds, true);
		for (size_t i = 0; i < n_nets; i++)
			if (in_table(nets[i]))
				network_elems(cmds, "add", nets[i]);
		add_port_elems(cmds, ps, n_ps);
	}
	*out_nets = nets;
	*out_n = n_nets;
	free(ps);
	return ret;
}

typedef struct report {
	char **lines;
	size_t n;
} report;

/* The table from the store, then route_localnet on behind its guard.
 * With `r`, one line per set whose elements differed. */
static int rebuild_reporting(berth_ctx *ctx, report *r, berth_err *err)
{
	json_t *cmds = json_array();
	berth_network **nets = NULL;
	size_t n = 0;
	int ret = rebuild_cmds(ctx, cmds, &nets, &n, err);

	if (ret == 0 && r)
		fw_diff_table(runner(ctx), cmds, &r->lines, &r->n);
	if (ret == 0 && (ret = nft_run(runner(ctx), cmds, err)) < 0)
		berth_err_wrap(err, "rebuilding the firewall table " FW_FAMILY " " FW_TABLE);
	if (ret == 0)
		localnet_set_all(nets, n, "1");
	berth_network_list_free(nets, n);
	json_decref(cmds);
	return ret;
}

static int rebuild_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	(void)arg;
	return rebuild_reporting(ctx, NULL, err);
}

int fw_rebuild(berth_ctx *ctx, berth_err *err)
{
	return with_lock(ctx, rebuild_locked, NULL, err);
}

/* cmds, or when they fail (an element already there with other data, one
 * already gone, the table flushed away) the whole table from the store,
 * which already says what cmds meant. Under the lock. */
static int apply_or_rebuild(berth_ctx *ctx, json_t *cmds, berth_err *err)
{
	berth_err first = { 0 };
	int ret;

	if (nft_run(runner(ctx), cmds, &first) == 0)
		return 0;
	/* when the rebuild fails too, both causes: what the change met may
	 * be what the rebuild trips on, or may explain it */
	if ((ret = rebuild_locked(ctx, NULL, err)) < 0)
		ret = berth_err_set(err, -ret, "%s; %s", first.msg, err->msg);
	berth_err_clear(&first);
	return ret;
}

/* ---- other firewalls ------------------------------------------------------ */

/* Once per chain (remembered in the run dir): another table's forward
 * hook whose policy drops what berth's table accepts. */
static void warn_foreign_drops(berth_ctx *ctx)
{
	_cleanup_free_ char *file = xasprintf("%s/fw-warned", ctx->run_dir);
	char **warnings = NULL;
	size_t n = 0;

	fw_foreign_drops(runner(ctx), file, &warnings, &n);
	for (size_t i = 0; i < n; i++)
		ctx_warn(ctx, "%s", warnings[i]);
	strv_free(warnings);
}

/* ---- networks ----------------------------------------------------------- */

static int enable_forwarding(berth_ctx *ctx, berth_err *err)
{
	char v[16];
	int ret = sysctl_read("net.ipv4.ip_forward", v, sizeof(v), err);

	if (ret < 0 || !strcmp(v, "1"))
		return ret;
	if ((ret = sysctl_write("net.ipv4.ip_forward", "1", err)) == 0)
		ctx_warn(ctx, "enabled IPv4 forwarding (net.ipv4.ip_forward=1) for bridge networks");
	return ret;
}

static int enable_ipv6_forwarding(berth_ctx *ctx, berth_err *err)
{
	char **moved = NULL;
	size_t n = 0;
	bool turned_on = false;
	int ret = sysctl_ipv6_forwarding_on(&turned_on, &moved, &n, err);

	if (n) {
		_cleanup_free_ char *list = strv_join(moved, n, ", ");
		ctx_warn(ctx, "set accept_ra=2 on %s: with IPv6 forwarding on, they keep heeding router "
			      "advertisements (and a default route learned from them)",
			 list);
	}
	if (turned_on)
		ctx_warn(ctx, "enabled IPv6 forwarding (net.ipv6.conf.all.forwarding=1) for bridge networks with IPv6");
	strv_free(moved);
	return ret;
}

static int network_up_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	const berth_network *net = arg;
	json_t *cmds;
	int ret;

	/* under the lock: of berth processes racing, one turns it on and says so */
	if ((ret = enable_forwarding(ctx, err)) < 0)
		return ret;
	if (ipam_subnet_of(net->subnets, net->n_subnets, AF_INET6) && (ret = enable_ipv6_forwarding(ctx, err)) < 0)
		return ret;
	cmds = json_array();
	fw_ruleset_cmds(cmds, false);
	network_elems(cmds, "add", net);
	ret = apply_or_rebuild(ctx, cmds, err);
	json_decref(cmds);
	/* the guard first, then what it guards */
	if (ret == 0 && (ret = localnet_set(net, "1", err)) == 0)
		warn_foreign_drops(ctx);
	return ret;
}

int fw_network_up(berth_ctx *ctx, const berth_network *net, berth_err *err)
{
	if (firewalled(net) && with_lock(ctx, network_up_locked, (void *)net, err) < 0)
		return berth_err_wrap(err, "network %s", net->name);
	return 0;
}

typedef bool (*network_pick)(const berth_network *net, const void *arg);

/* Whether any network of the store is picked; `on_error` when the store
 * cannot be read. */
static bool any_network(berth_ctx *ctx, network_pick pick, const void *arg, bool on_error)
{
	berth_network **nets = NULL;
	size_t n = 0;
	bool any = false;
	berth_err ignored = { 0 };

	if (store_network_load_all(ctx->store, &nets, &n, &ignored) < 0) {
		berth_err_clear(&ignored);
		return on_error;
	}
	for (size_t i = 0; i < n && !any; i++)
		any = pick(nets[i], arg);
	berth_network_list_free(nets, n);
	return any;
}

static bool in_table_besides(const berth_network *net, const void *other)
{
	return in_table(net) && strcmp(net->id, ((const berth_network *)other)->id);
}

static int network_down_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	const berth_network *net = arg;
	json_t *cmds = json_array();
	int ret;

	/* an unreadable store keeps the table */
	if (!any_network(ctx, in_table_besides, net, true)) {
		json_array_append_new(cmds, json_pack("{s:{s:{s:s,s:s}}}", "add", "table", "family", FW_FAMILY, "name",
						      FW_TABLE));
		json_array_append_new(cmds, fw_delete_table_cmd());
	} else {
		/* added first: deleting what is already gone is then no error */
		network_elems(cmds, "add", net);
		network_elems(cmds, "delete", net);
	}
	ret = apply_or_rebuild(ctx, cmds, err);
	json_decref(cmds);
	return ret;
}

int fw_network_down(berth_ctx *ctx, const berth_network *net, berth_err *err)
{
	if (!firewalled(net))
		return 0;
	return with_lock(ctx, network_down_locked, (void *)net, err);
}

/* ---- ports -------------------------------------------------------------- */

typedef struct publish_args {
	const berth_container *c;
	berth_port *ports;
	size_t n;
	const berth_endpoint *to;
} publish_args;

/* Where a port leads: the endpoint's address of the port's family. */
static const berth_addr *target_of(const publish_args *a, const berth_port *p)
{
	return p->host_ip.family == AF_INET6 ? &a->to->addr6 : &a->to->addr;
}

/* The rows first, in a transaction of their own: the store always holds
 * at least what the kernel's maps do, so whoever cleans up after a berth
 * killed in between (container recovery) finds what to take out. */
static int record_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	const publish_args *a = arg;
	int ret = ports_pick(ctx, a->c->id, a->ports, a->n, err);

	for (size_t i = 0; ret == 0 && i < a->n; i++) {
		published_port row = { .port = a->ports[i], .target = *target_of(a, &a->ports[i]) };
		snprintf(row.container_id, sizeof(row.container_id), "%s", a->c->id);
		ret = store_port_insert(ctx->store, &row, i, err);
	}
	return ret;
}

static int apply_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	const publish_args *a = arg;
	json_t *cmds = json_array();
	int ret;

	for (size_t i = 0; i < a->n; i++)
		fw_port_elems(cmds, "add", &a->ports[i], target_of(a, &a->ports[i]));
	ret = apply_or_rebuild(ctx, cmds, err);
	json_decref(cmds);
	return ret;
}

int fw_ports_publish(berth_ctx *ctx, const berth_container *c, berth_port *ports, size_t n,
		     const berth_endpoint *to, berth_err *err)
{
	publish_args a = { .c = c, .ports = ports, .n = n, .to = to };
	int ret;

	if (n == 0)
		return 0;
	if ((ret = ports_check_host_addresses(ctx, ports, n, err)) < 0 || (ret = with_lock(ctx, record_locked, &a, err)) < 0)
		return ret;
	if ((ret = with_lock(ctx, apply_locked, &a, err)) < 0) {
		berth_err ignored = { 0 };
		if (fw_ports_unpublish(ctx, c->id, &ignored) < 0)
			berth_err_clear(&ignored);
	}
	return ret;
}

static int unpublish_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	const char *id = arg;
	published_port *ps = NULL;
	size_t n = 0;
	int ret = store_ports_load(ctx->store, id, &ps, &n, err);

	if (ret == 0 && n > 0 && (ret = store_ports_delete(ctx->store, id, err)) == 0) {
		json_t *cmds = json_array();
		/* added first: deleting what is already gone is then no error */
		add_port_elems(cmds, ps, n);
		for (size_t i = 0; i < n; i++)
			fw_port_elems(cmds, "delete", &ps[i].port, &ps[i].target);
		ret = apply_or_rebuild(ctx, cmds, err);
		json_decref(cmds);
	}
	free(ps);
	return ret;
}

int fw_ports_unpublish(berth_ctx *ctx, const char *container_id, berth_err *err)
{
	return with_lock(ctx, unpublish_locked, (void *)container_id, err);
}

/* ---- reconcile ------------------------------------------------------------ */

static int reconcile_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	int ret = rebuild_reporting(ctx, arg, err);

	if (ret == 0)
		warn_foreign_drops(ctx);
	return ret;
}

int fw_reconcile(berth_ctx *ctx, char ***lines, size_t *n, berth_err *err)
{
	report r = { 0 };
	int ret = with_lock(ctx, reconcile_locked, &r, err);

	*lines = r.lines;
	*n = r.n;
	return ret;
}

/* ---- check -------------------------------------------------------------- */

/* An active bridge network: its table is whole (a pending one's may be
 * in the making by another process) */
static bool active_in_table(const berth_network *net, const void *unused)
{
	(void)unused;
	return firewalled(net) && network_rec_of(net)->state == NETWORK_ACTIVE;
}

int fw_guard_watch(nl_sock **events, berth_err *err)
{
	return nft_events_open(events, err);
}

void fw_guard_check(const berth_config *cfg)
{
	berth_err ignored = { 0 };
	berth_network **nets = NULL;
	berth_ctx *ctx = NULL;
	size_t n = 0;

	/* fw_table_whole is true when it cannot tell: nothing is turned off
	 * on a guess */
	if (!fw_table_whole(NULL, &ignored) && ctx_open(cfg, &ctx, &ignored) == 0 &&
	    store_network_load_all(ctx->store, &nets, &n, &ignored) == 0)
		localnet_set_all(nets, n, "0");
	berth_network_list_free(nets, n);
	berth_close(ctx);
	berth_err_clear(&ignored);
}

void fw_guard_heard(nl_sock *events, const berth_config *cfg)
{
	if (nft_events_deleted_from(events, FW_TABLE))
		fw_guard_check(cfg);
}

/* Whole when last seen so and no table of the namespace has changed since
 * (remembered in the run dir). */
static bool table_whole(const berth_ctx *ctx)
{
	_cleanup_free_ char *known = xasprintf("%s/fw-whole", ctx->run_dir);
	berth_err ignored = { 0 };
	bool whole = fw_table_whole(known, &ignored);

	berth_err_clear(&ignored);
	return whole;
}

/* Decided again under the lock: a process making the first network
 * applies its table and marks the network active under that lock, so
 * one looking between the two steps without it would see an active
 * network and no table, and "restore" a table that was never lost. */
static int check_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	bool *restored = arg;

	if (table_whole(ctx) || !any_network(ctx, active_in_table, NULL, false))
		return 0;
	*restored = true;
	return rebuild_locked(ctx, NULL, err);
}

int fw_check(berth_ctx *ctx, bool *restored, berth_err *err)
{
	int ret = 0;

	*restored = false;
	/* the usual case, a whole table, costs no lock */
	if (!table_whole(ctx))
		ret = with_lock(ctx, check_locked, restored, err);
	*restored = *restored && ret == 0;
	ctx->fw_restored = *restored;
	return ret;
}

/* ---- audit (system check) ------------------------------------------------- */

/* Whose elements the table should hold, with a name for each owner. */
typedef struct fw_owners {
	fw_owner *items;
	char **labels;
	size_t n;
} fw_owners;

static void owner_add(fw_owners *o, json_t *cmds, bool required, char *label)
{
	o->items = xrealloc(o->items, (o->n + 1) * sizeof(*o->items));
	o->labels = xrealloc(o->labels, (o->n + 1) * sizeof(*o->labels));
	o->items[o->n] = (fw_owner){ .cmds = cmds, .required = required };
	o->labels[o->n++] = label;
}

static void owners_free(fw_owners *o)
{
	for (size_t i = 0; i < o->n; i++) {
		json_decref(o->items[i].cmds);
		free(o->labels[i]);
	}
	free(o->items);
	free(o->labels);
}

/* A network being made or removed by its owner may have them or not. */
static void add_network_owners(fw_owners *o, berth_network **nets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!firewalled(nets[i]))
			continue;
		json_t *cmds = json_array();
		network_elems(cmds, "add", nets[i]);
		owner_add(o, cmds, network_rec_of(nets[i])->state == NETWORK_ACTIVE, xasprintf("network %s", nets[i]->name));
	}
}

static const berth_container *container_by_id(berth_container **cs, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cs[i]->id, id))
			return cs[i];
	return NULL;
}

/* A container still being started may have them or not. */
static void add_port_owners(fw_owners *o, const published_port *ps, size_t n_ps, berth_container **cs, size_t n_cs)
{
	for (size_t i = 0; i < n_ps; i++) {
		const berth_container *c = container_by_id(cs, n_cs, ps[i].container_id);
		const berth_port *p = &ps[i].port;
		char host[BERTH_ADDR_STRLEN];
		json_t *cmds = json_array();
		fw_port_elems(cmds, "add", p, &ps[i].target);
		owner_add(o, cmds, c && c->state == BERTH_CONTAINER_RUNNING,
			  xasprintf("container %s (published port %s:%u->%u/%s)", c ? c->name : ps[i].container_id,
				    berth_addr_format(&p->host_ip, host), p->host_port, p->container_port,
				    port_proto_name(p->proto)));
	}
}

static int load_owners(berth_ctx *ctx, fw_owners *o, berth_err *err)
{
	berth_network **nets = NULL;
	berth_container **cs = NULL;
	published_port *ps = NULL;
	size_t n_nets = 0, n_cs = 0, n_ps = 0;
	int ret = store_network_load_all(ctx->store, &nets, &n_nets, err);

	if (ret == 0 && (ret = store_container_load_all(ctx->store, &cs, &n_cs, err)) == 0 &&
	    (ret = store_ports_load(ctx->store, NULL, &ps, &n_ps, err)) == 0) {
		add_network_owners(o, nets, n_nets);
		add_port_owners(o, ps, n_ps, cs, n_cs);
	}
	berth_network_list_free(nets, n_nets);
	berth_container_list_free(cs, n_cs);
	free(ps);
	return ret;
}

static bool any_required(const fw_owners *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->items[i].required)
			return true;
	return false;
}

static void report_elements(json_t *listing, const fw_owners *o, findings *f)
{
	fw_elem_diff *d = NULL;
	size_t n = 0;

	fw_diff_owners(listing, o->items, o->n, &d, &n);
	for (size_t i = 0; i < n; i++) {
		if (d[i].owner < 0)
			findings_add(f, BERTH_FINDING_STRAY_FIREWALL, "firewall: %s: element %s has no owner in the store",
				     d[i].set, d[i].text);
		else
			findings_add(f, BERTH_FINDING_NO_FIREWALL, "firewall: %s: element %s of %s is missing", d[i].set,
				     d[i].text, o->labels[d[i].owner]);
	}
	fw_elem_diffs_free(d, n);
}

int fw_audit(berth_ctx *ctx, findings *f, berth_err *err)
{
	json_t *list_cmd = json_pack("{s:{s:{s:s,s:s}}}", "list", "table", "family", FW_FAMILY, "name", FW_TABLE);
	json_t *listing = NULL;
	berth_err ignored = { 0 };
	fw_owners o = { 0 };
	int ret = load_owners(ctx, &o, err);

	/* a table that cannot be listed is not there */
	if (ret == 0 && nft_list(runner(ctx), list_cmd, &listing, &ignored) < 0) {
		if (any_required(&o))
			findings_add(f, BERTH_FINDING_NO_FIREWALL, "firewall: table " FW_FAMILY " " FW_TABLE " is missing");
	} else if (ret == 0) {
		if (!fw_table_whole(NULL, &ignored))
			findings_add(f, BERTH_FINDING_NO_FIREWALL,
				     "firewall: table " FW_FAMILY " " FW_TABLE
				     ": its chains or sets are not berth's (flushed or changed by another program)");
		report_elements(listing, &o, f);
	}
	berth_err_clear(&ignored);
	owners_free(&o);
	json_decref(listing);
	json_decref(list_cmd);
	return ret;
}
