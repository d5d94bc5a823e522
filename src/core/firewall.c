#include "core/firewall.h"
#include "core/ports.h"
#include "driver/driver.h"
#include "fw/nft.h"
#include "fw/ruleset.h"
#include "nl/nftables.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/sysctl.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool firewalled(const berth_network *net)
{
	return !strcmp(net->driver, "bridge") && net->ifname;
}

/* What a rebuild puts in: a pending network is being made by its owner,
 * who adds the same elements; a removing one is on its way out. */
static bool in_table(const berth_network *net)
{
	return firewalled(net) && strcmp(net->state, "removing");
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

static int rebuild_cmds(berth_ctx *ctx, json_t *cmds, berth_err *err)
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
				fw_network_elems(cmds, "add", nets[i],
						 network_option_bool(nets[i], OPT_MASQUERADE, true));
		add_port_elems(cmds, ps, n_ps);
	}
	berth_network_list_free(nets, n_nets);
	free(ps);
	return ret;
}

static int rebuild_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	json_t *cmds = json_array();
	int ret = rebuild_cmds(ctx, cmds, err);

	(void)arg;
	if (ret == 0 && (ret = nft_run(runner(ctx), cmds, err)) < 0)
		berth_err_wrap(err, "rebuilding the firewall table " FW_FAMILY " " FW_TABLE);
	json_decref(cmds);
	return ret;
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

	if (nft_run(runner(ctx), cmds, &first) == 0)
		return 0;
	/* the rebuild's error, if it fails too, says more than the first */
	berth_err_clear(&first);
	return rebuild_locked(ctx, NULL, err);
}

/* ---- other firewalls ------------------------------------------------------ */

static bool warned_before(const char *file, const char *line)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char buf[512];

	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, line, strlen(line)) && buf[strlen(line)] == '\n')
			return true;
	return false;
}

static void remember_warned(const char *file, const char *line)
{
	FILE *f = fopen(file, "ae");

	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

static void warn_if_dropping(berth_ctx *ctx, json_t *chain, const char *file)
{
	const char *family = json_string_value(json_object_get(chain, "family"));
	const char *table = json_string_value(json_object_get(chain, "table"));
	const char *name = json_string_value(json_object_get(chain, "name"));
	const char *hook = json_string_value(json_object_get(chain, "hook"));
	const char *policy = json_string_value(json_object_get(chain, "policy"));

	if (!family || !table || !name || !hook || !policy || strcmp(hook, "forward") || strcmp(policy, "drop") ||
	    (!strcmp(family, FW_FAMILY) && !strcmp(table, FW_TABLE)))
		return;
	_cleanup_free_ char *key = xasprintf("%s %s %s", family, table, name);
	if (warned_before(file, key))
		return;
	ctx_warn(ctx,
		 "table %s %s, chain %s has policy drop on the forward hook: in nftables a drop in any table wins, so it "
		 "drops container traffic berth accepts; accept berth's bridges there (e.g. iifname \"br-*\" accept; "
		 "oifname \"br-*\" accept)",
		 family, table, name);
	remember_warned(file, key);
}

/* Once per chain (remembered in the run dir): another table's forward
 * hook whose policy drops what berth's table accepts. */
static void warn_foreign_drops(berth_ctx *ctx)
{
	json_t *cmd = json_pack("{s:{s:n}}", "list", "chains"), *listing = NULL;
	_cleanup_free_ char *file = xasprintf("%s/fw-warned", ctx->run_dir);
	berth_err ignored = { 0 };

	if (nft_list(runner(ctx), cmd, &listing, &ignored) == 0) {
		size_t i;
		json_t *o;
		json_array_foreach(listing, i, o) {
			if (json_object_get(o, "chain"))
				warn_if_dropping(ctx, json_object_get(o, "chain"), file);
		}
	}
	berth_err_clear(&ignored);
	json_decref(listing);
	json_decref(cmd);
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

static int network_up_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	const berth_network *net = arg;
	_cleanup_free_ char *localnet = xasprintf("net.ipv4.conf.%s.route_localnet", net->ifname);
	json_t *cmds;
	int ret;

	/* under the lock: of berth processes racing, one turns it on and says so */
	if ((ret = enable_forwarding(ctx, err)) < 0)
		return ret;
	/* 127.0.0.1 -> a published port: the kernel must route a loopback
	 * source out of the bridge (guarded by the table's guard chain) */
	if ((ret = sysctl_write(localnet, "1", err)) < 0)
		return ret;
	cmds = json_array();
	fw_ruleset_cmds(cmds, false);
	fw_network_elems(cmds, "add", net, network_option_bool(net, OPT_MASQUERADE, true));
	ret = apply_or_rebuild(ctx, cmds, err);
	json_decref(cmds);
	if (ret == 0)
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
		bool masq = network_option_bool(net, OPT_MASQUERADE, true);
		fw_network_elems(cmds, "add", net, masq);
		fw_network_elems(cmds, "delete", net, masq);
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
	const berth_addr *target;
} publish_args;

/* The rows first, in a transaction of their own: the store always holds
 * at least what the kernel's maps do, so whoever cleans up after a berth
 * killed in between (container recovery) finds what to take out. */
static int record_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	const publish_args *a = arg;
	int ret = ports_pick(ctx, a->c->id, a->ports, a->n, err);

	for (size_t i = 0; ret == 0 && i < a->n; i++) {
		published_port row = { .port = a->ports[i], .target = *a->target };
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
		fw_port_elems(cmds, "add", &a->ports[i], a->target);
	ret = apply_or_rebuild(ctx, cmds, err);
	json_decref(cmds);
	return ret;
}

int fw_ports_publish(berth_ctx *ctx, const berth_container *c, berth_port *ports, size_t n,
		     const berth_addr *target, berth_err *err)
{
	publish_args a = { .c = c, .ports = ports, .n = n, .target = target };
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

typedef struct report {
	char **lines;
	size_t n;
} report;

static void report_add(report *r, char *line)
{
	r->lines = xrealloc(r->lines, (r->n + 1) * sizeof(*r->lines));
	r->lines[r->n++] = line;
}

/* Elements as canonical text, to compare what is with what should be. */
static char *elem_text(json_t *e)
{
	char *t = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (!t)
		abort();
	return t;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The elements as sorted canonical texts: one serialisation each. */
static char **sorted_texts(json_t *elems, size_t *n)
{
	char **t = xzalloc((json_array_size(elems) + 1) * sizeof(*t));
	size_t i;
	json_t *e;

	json_array_foreach(elems, i, e)
		t[i] = elem_text(e);
	*n = json_array_size(elems);
	qsort(t, *n, sizeof(*t), cmp_text);
	return t;
}

static void free_texts(char **t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

/* Elements of want not in have, and of have not in want: one merge of
 * two sorted lists, so reconcile stays fast at 10,000 ports. */
static void count_differences(json_t *want, json_t *have, size_t *missing, size_t *stray)
{
	size_t nw, nh, i = 0, j = 0;
	char **w = sorted_texts(want, &nw), **h = sorted_texts(have, &nh);

	*missing = *stray = 0;
	while (i < nw || j < nh) {
		int c = i == nw ? 1 : j == nh ? -1 : strcmp(w[i], h[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			(*missing)++;
			i++;
		} else {
			(*stray)++;
			j++;
		}
	}
	free_texts(w, nw);
	free_texts(h, nh);
}

/* The elements each set should hold, from the rebuild's commands. */
static json_t *wanted_elems(json_t *cmds)
{
	json_t *want = json_object(), *c;
	size_t i;

	json_array_foreach(cmds, i, c) {
		json_t *el = json_object_get(json_object_get(c, "add"), "element");
		if (!el)
			continue;
		const char *set = json_string_value(json_object_get(el, "name"));
		json_t *list = json_object_get(want, set);
		if (!list)
			json_object_set_new(want, set, list = json_array());
		json_array_extend(list, json_object_get(el, "elem"));
	}
	return want;
}

static void diff_sets(json_t *listing, json_t *want, report *r)
{
	size_t n_sets = 0, i;
	const char *const *sets = fw_ruleset_sets(&n_sets);
	json_t *o;

	for (size_t k = 0; k < n_sets; k++) {
		json_t *have = NULL, *w = json_object_get(want, sets[k]), *empty = json_array();
		json_array_foreach(listing, i, o) {
			json_t *set = json_object_get(o, "set") ? json_object_get(o, "set") : json_object_get(o, "map");
			if (set && !strcmp(json_string_value(json_object_get(set, "name")), sets[k]))
				have = json_object_get(set, "elem");
		}
		size_t missing, stray;
		count_differences(w ? w : empty, have ? have : empty, &missing, &stray);
		if (missing || stray)
			report_add(r, xasprintf("firewall: %s: %zu element(s) missing, %zu stray: rebuilt from the store",
						sets[k], missing, stray));
		json_decref(empty);
	}
}

static void diff_table(berth_ctx *ctx, json_t *cmds, report *r)
{
	json_t *list_cmd = json_pack("{s:{s:{s:s,s:s}}}", "list", "table", "family", FW_FAMILY, "name", FW_TABLE);
	json_t *listing = NULL, *want = wanted_elems(cmds);
	berth_err ignored = { 0 };

	if (nft_list(runner(ctx), list_cmd, &listing, &ignored) < 0) {
		berth_err_clear(&ignored);
		if (json_object_size(want))
			report_add(r, xstrdup("firewall: table " FW_FAMILY " " FW_TABLE " was missing: rebuilt from the store"));
	} else {
		diff_sets(listing, want, r);
	}
	json_decref(listing);
	json_decref(want);
	json_decref(list_cmd);
}

static int reconcile_locked(berth_ctx *ctx, void *arg, berth_err *err)
{
	report *r = arg;
	json_t *cmds = json_array();
	int ret = rebuild_cmds(ctx, cmds, err);

	if (ret == 0) {
		diff_table(ctx, cmds, r);
		if ((ret = nft_run(runner(ctx), cmds, err)) < 0)
			berth_err_wrap(err, "rebuilding the firewall table " FW_FAMILY " " FW_TABLE);
		else
			warn_foreign_drops(ctx);
	}
	json_decref(cmds);
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

static bool table_whole(berth_err *err)
{
	size_t n_expected = 0, n_sets = 0;
	const fw_chain_rules *expected = fw_ruleset_expected(&n_expected);
	const char *const *sets = fw_ruleset_sets(&n_sets);
	nft_table_summary sum = { 0 };
	bool whole;

	if (nft_table_summarize(FW_FAMILY, FW_TABLE, &sum, err) < 0)
		return true; /* cannot tell: leave it */
	whole = sum.exists;
	for (size_t i = 0; whole && i < n_expected; i++)
		whole = nft_summary_rules(&sum, expected[i].chain) == expected[i].rules;
	for (size_t i = 0; whole && i < n_sets; i++)
		whole = nft_summary_has_set(&sum, sets[i]);
	nft_table_summary_free(&sum);
	return whole;
}

/* An active bridge network: its table is whole (a pending one's may be
 * in the making by another process) */
static bool active_in_table(const berth_network *net, const void *unused)
{
	(void)unused;
	return firewalled(net) && !strcmp(net->state, "active");
}

int fw_check(berth_ctx *ctx, bool *restored, berth_err *err)
{
	berth_err ignored = { 0 };
	bool whole = table_whole(&ignored);

	berth_err_clear(&ignored);
	*restored = false;
	if (whole || !any_network(ctx, active_in_table, NULL, false))
		return 0;
	int ret = fw_rebuild(ctx, err);
	*restored = ret == 0;
	ctx->fw_restored = *restored;
	return ret;
}
