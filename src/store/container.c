#include "ipam/cidr.h"
#include "store/internal.h"
#include "util/id.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int store_container_insert(store *s, const berth_container *c, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *command = strv_to_json_text(c->argv, c->argc);
	_cleanup_free_ char *env = strv_to_json_text(c->env, c->n_env);
	_cleanup_free_ char *cap_add = strv_to_json_text(c->cap_add, c->n_cap_add);
	_cleanup_free_ char *cap_drop = strv_to_json_text(c->cap_drop, c->n_cap_drop);
	_cleanup_free_ char *dns = strv_to_json_text(c->dns, c->n_dns);
	_cleanup_free_ char *dns_search = strv_to_json_text(c->dns_search, c->n_dns_search);
	_cleanup_free_ char *dns_options = strv_to_json_text(c->dns_options, c->n_dns_options);
	int ret = prepare(s,
			  "INSERT INTO containers(id, name, created_sec, created_nsec, command, env, hostname, rootfs,"
			  " network_mode, auto_remove, detach, state, owner_pid, owner_start, cap_add, cap_drop,"
			  " privileged, dns, dns_search, dns_options, external_id, external_netns, netns_dev, netns_ino,"
			  " resolver)"
			  " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			  &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->created_sec);
	sqlite3_bind_int64(st, 4, c->created_nsec);
	sqlite3_bind_text(st, 5, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, env, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->hostname, -1, SQLITE_STATIC);
	bind_text_or_null(st, 8, c->rootfs);
	sqlite3_bind_text(st, 9, c->network_mode, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, c->auto_remove);
	sqlite3_bind_int(st, 11, c->detach);
	sqlite3_bind_text(st, 12, berth_container_state_name(c->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 13, c->monitor_pid);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)container_rec_of(c)->monitor_start);
	sqlite3_bind_text(st, 15, cap_add, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, cap_drop, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 17, c->privileged);
	sqlite3_bind_text(st, 18, dns, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 19, dns_search, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 20, dns_options, -1, SQLITE_STATIC);
	bind_text_or_null(st, 21, c->external_id);
	bind_text_or_null(st, 22, c->external_netns);
	sqlite3_bind_int64(st, 23, (sqlite3_int64)container_rec_of(c)->netns_dev);
	sqlite3_bind_int64(st, 24, (sqlite3_int64)container_rec_of(c)->netns_ino);
	sqlite3_bind_int(st, 25, !c->own_dns);
	return step_done(s, st, err);
}

int store_container_update(store *s, const berth_container *c, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s,
			  "UPDATE containers SET state = ?, pid = ?, pid_start = ?, owner_pid = ?, owner_start = ?,"
			  " exit_code = ?, started_sec = ?, finished_sec = ? WHERE id = ?",
			  &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, berth_container_state_name(c->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, c->pid);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)container_rec_of(c)->pid_start);
	sqlite3_bind_int(st, 4, c->monitor_pid);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)container_rec_of(c)->monitor_start);
	sqlite3_bind_int(st, 6, c->exit_code);
	sqlite3_bind_int64(st, 7, c->started_sec);
	sqlite3_bind_int64(st, 8, c->finished_sec);
	sqlite3_bind_text(st, 9, c->id, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int store_container_set_netns(store *s, const berth_container *c, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, "UPDATE containers SET netns_dev = ?, netns_ino = ? WHERE id = ?", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)container_rec_of(c)->netns_dev);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)container_rec_of(c)->netns_ino);
	sqlite3_bind_text(st, 3, c->id, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int store_container_delete(store *s, const char *id, berth_err *err)
{
	int ret = run_on_id(s, "DELETE FROM endpoints WHERE container_id = ?", id, err);

	/* its ports too: a forgotten container must not keep a host port */
	if (ret == 0)
		ret = run_on_id(s, "DELETE FROM ports WHERE container_id = ?", id, err);
	return ret < 0 ? ret : run_on_id(s, "DELETE FROM containers WHERE id = ?", id, err);
}

int store_endpoint_delete(store *s, const char *id, berth_err *err)
{
	return run_on_id(s, "DELETE FROM endpoints WHERE id = ?", id, err);
}

int store_endpoint_set_mac(store *s, const berth_endpoint *ep, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, "UPDATE endpoints SET mac = ? WHERE id = ?", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, ep->mac, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ep->id, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int store_endpoint_insert(store *s, const berth_endpoint *ep, const row_owner *maker, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *aliases = strv_to_json_text(ep->aliases, ep->n_aliases);
	char addr[BERTH_ADDR_STRLEN], gw[BERTH_ADDR_STRLEN], addr6[BERTH_ADDR_STRLEN], gw6[BERTH_ADDR_STRLEN];
	int ret = prepare(s,
			  "INSERT INTO endpoints(id, network_id, container_id, ifname, mac, ipv4, host_ifname,"
			  " prefix_len, gateway, aliases, ordinal, owner_pid, owner_start, ipv6, prefix_len6, gateway6)"
			  " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			  &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, ep->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ep->network_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ep->container_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ep->ifname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ep->mac, -1, SQLITE_STATIC);
	bind_text_or_null(st, 6, ep->addr.family ? berth_addr_format(&ep->addr, addr) : NULL);
	bind_text_or_null(st, 7, ep->host_ifname[0] ? ep->host_ifname : NULL);
	sqlite3_bind_int(st, 8, (int)ep->prefix_len);
	bind_text_or_null(st, 9, ep->gateway.family ? berth_addr_format(&ep->gateway, gw) : NULL);
	sqlite3_bind_text(st, 10, aliases, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, ep->ordinal);
	sqlite3_bind_int(st, 12, maker->pid);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)maker->start);
	bind_text_or_null(st, 14, ep->addr6.family ? berth_addr_format(&ep->addr6, addr6) : NULL);
	sqlite3_bind_int(st, 15, (int)ep->prefix_len6);
	bind_text_or_null(st, 16, ep->gateway6.family ? berth_addr_format(&ep->gateway6, gw6) : NULL);
	return step_done(s, st, err);
}

int store_endpoint_made(store *s, const char *id, berth_err *err)
{
	return run_on_id(s, "UPDATE endpoints SET owner_pid = 0, owner_start = 0 WHERE id = ?", id, err);
}

int store_endpoint_maker(store *s, const char *id, row_owner *out, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, "SELECT owner_pid, owner_start FROM endpoints WHERE id = ?", &st, err);

	*out = (row_owner){ 0 };
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((ret = sqlite3_step(st)) == SQLITE_ROW) {
		out->pid = sqlite3_column_int(st, 0);
		out->start = (unsigned long long)sqlite3_column_int64(st, 1);
	} else if (ret != SQLITE_DONE) {
		return db_error(s, err, ret, "reading an endpoint");
	}
	return 0;
}

static void copy_col(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	const char *v = col_text(st, i);

	snprintf(dst, size, "%s", v ? v : "");
}

static void endpoint_from_row(sqlite3_stmt *st, berth_endpoint *ep)
{
	const char *addr = col_text(st, 5), *gw = col_text(st, 8), *addr6 = col_text(st, 11), *gw6 = col_text(st, 13);

	memset(ep, 0, sizeof(*ep));
	copy_col(ep->id, sizeof(ep->id), st, 0);
	copy_col(ep->network_id, sizeof(ep->network_id), st, 1);
	copy_col(ep->container_id, sizeof(ep->container_id), st, 2);
	copy_col(ep->ifname, sizeof(ep->ifname), st, 3);
	copy_col(ep->mac, sizeof(ep->mac), st, 4);
	if (addr)
		addr_parse(addr, &ep->addr);
	copy_col(ep->host_ifname, sizeof(ep->host_ifname), st, 6);
	ep->prefix_len = (unsigned)sqlite3_column_int(st, 7);
	if (gw)
		addr_parse(gw, &ep->gateway);
	ep->aliases = strv_from_json_text(col_text(st, 9), &ep->n_aliases);
	ep->ordinal = sqlite3_column_int(st, 10);
	if (addr6)
		addr_parse(addr6, &ep->addr6);
	ep->prefix_len6 = (unsigned)sqlite3_column_int(st, 12);
	if (gw6)
		addr_parse(gw6, &ep->gateway6);
}

static berth_container *container_from_row(sqlite3_stmt *st)
{
	berth_container *c = container_alloc();
	container_rec *rec = container_rec_of(c);
	const char *rootfs = col_text(st, 7);

	copy_col(c->id, sizeof(c->id), st, 0);
	c->name = xstrdup(col_text(st, 1));
	c->created_sec = (time_t)sqlite3_column_int64(st, 2);
	c->created_nsec = (long)sqlite3_column_int64(st, 3);
	c->argv = strv_from_json_text(col_text(st, 4), &c->argc);
	c->env = strv_from_json_text(col_text(st, 5), &c->n_env);
	c->hostname = xstrdup(col_text(st, 6));
	c->rootfs = rootfs ? xstrdup(rootfs) : NULL;
	c->network_mode = xstrdup(col_text(st, 8));
	c->auto_remove = sqlite3_column_int(st, 9);
	c->detach = sqlite3_column_int(st, 10);
	c->state = container_state_from_name(col_text(st, 11));
	c->pid = sqlite3_column_int(st, 12);
	rec->pid_start = (unsigned long long)sqlite3_column_int64(st, 13);
	c->monitor_pid = sqlite3_column_int(st, 14);
	rec->monitor_start = (unsigned long long)sqlite3_column_int64(st, 15);
	c->exit_code = sqlite3_column_int(st, 16);
	c->started_sec = (time_t)sqlite3_column_int64(st, 17);
	c->finished_sec = (time_t)sqlite3_column_int64(st, 18);
	c->cap_add = strv_from_json_text(col_text(st, 19), &c->n_cap_add);
	c->cap_drop = strv_from_json_text(col_text(st, 20), &c->n_cap_drop);
	c->privileged = sqlite3_column_int(st, 21);
	c->dns = strv_from_json_text(col_text(st, 22), &c->n_dns);
	c->dns_search = strv_from_json_text(col_text(st, 23), &c->n_dns_search);
	c->dns_options = strv_from_json_text(col_text(st, 24), &c->n_dns_options);
	if (col_text(st, 25)) {
		c->external_id = xstrdup(col_text(st, 25));
		c->external_netns = xstrdup(col_text(st, 26) ? col_text(st, 26) : "");
	}
	rec->netns_dev = (unsigned long long)sqlite3_column_int64(st, 27);
	rec->netns_ino = (unsigned long long)sqlite3_column_int64(st, 28);
	c->own_dns = !sqlite3_column_int(st, 29);
	return c;
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp((*(berth_container *const *)a)->id, (*(berth_container *const *)b)->id);
}

static int compare_key_to_id(const void *key, const void *elem)
{
	return strcmp(key, (*(berth_container *const *)elem)->id);
}

/* In `sorted` (by ID, compare_ids). */
static berth_container *find_by_id(berth_container **sorted, size_t n, const char *id)
{
	berth_container **found = bsearch(id, sorted, n, sizeof(*sorted), compare_key_to_id);

	return found ? *found : NULL;
}

#define ENDPOINT_COLUMNS                                                                          \
	"SELECT id, network_id, container_id, ifname, mac, ipv4, host_ifname, prefix_len, gateway, aliases," \
	" ordinal, ipv6, prefix_len6, gateway6 FROM endpoints"

static void free_endpoints(berth_container *c)
{
	for (size_t i = 0; i < c->n_endpoints; i++)
		strv_free(c->endpoints[i].aliases);
	free(c->endpoints);
	c->endpoints = NULL;
	c->n_endpoints = 0;
}

int store_container_reload_endpoints(store *s, berth_container *c, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc, ret = prepare(s, ENDPOINT_COLUMNS " WHERE container_id = ? ORDER BY ordinal", &st, err);

	if (ret < 0)
		return ret;
	free_endpoints(c);
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->endpoints = xrealloc(c->endpoints, (c->n_endpoints + 1) * sizeof(*c->endpoints));
		endpoint_from_row(st, &c->endpoints[c->n_endpoints++]);
	}
	return rc == SQLITE_DONE ? 0 : db_error(s, err, rc, "reading endpoints");
}

/* Endpoints WHERE `where` (a literal), whose one `?`, if any, is `param`. */
static int endpoints_where(store *s, const char *where, const char *param, berth_endpoint **out, size_t *n,
			   berth_err *err)
{
	_cleanup_free_ char *sql = xasprintf(ENDPOINT_COLUMNS " WHERE %s", where);
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc, ret = prepare(s, sql, &st, err);

	*out = NULL;
	*n = 0;
	if (ret < 0)
		return ret;
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		endpoint_from_row(st, &(*out)[(*n)++]);
	}
	return rc == SQLITE_DONE ? 0 : db_error(s, err, rc, "reading endpoints");
}

int store_endpoints_of_no_container(store *s, berth_endpoint **out, size_t *n, berth_err *err)
{
	return endpoints_where(s, "container_id <> '' AND container_id NOT IN (SELECT id FROM containers)", NULL, out,
			       n, err);
}

int store_endpoints_on_network(store *s, const char *net_id, berth_endpoint **out, size_t *n, berth_err *err)
{
	return endpoints_where(s, "network_id = ?", net_id, out, n, err);
}

int store_endpoints_staged(store *s, berth_endpoint **out, size_t *n, berth_err *err)
{
	return endpoints_where(s, "container_id = ''", NULL, out, n, err);
}

int store_endpoint_get(store *s, const char *id, berth_endpoint *out, bool *found, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc, ret = prepare(s, ENDPOINT_COLUMNS " WHERE id = ?", &st, err);

	*found = false;
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		endpoint_from_row(st, out);
		*found = true;
	} else if (rc != SQLITE_DONE) {
		return db_error(s, err, rc, "reading an endpoint");
	}
	return 0;
}

int store_endpoint_set_container(store *s, const berth_endpoint *ep, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, "UPDATE endpoints SET container_id = ?, ordinal = ?, ifname = ? WHERE id = ?", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, ep->container_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ep->ordinal);
	sqlite3_bind_text(st, 3, ep->ifname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ep->id, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

/* Every endpoint to its container in `sorted`: one query for all. */
static int load_endpoints(store *s, berth_container **sorted, size_t n, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc, ret = prepare(s, ENDPOINT_COLUMNS " ORDER BY container_id, ordinal", &st, err);

	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		berth_container *c = find_by_id(sorted, n, col_text(st, 2));
		if (!c)
			continue; /* an endpoint of no container (tests insert such) */
		c->endpoints = xrealloc(c->endpoints, (c->n_endpoints + 1) * sizeof(*c->endpoints));
		endpoint_from_row(st, &c->endpoints[c->n_endpoints++]);
	}
	return rc == SQLITE_DONE ? 0 : db_error(s, err, rc, "reading endpoints");
}

static void add_ports(berth_container *c, const published_port *ps, size_t n)
{
	c->ports = xrealloc(c->ports, (c->n_ports + n) * sizeof(*c->ports));
	for (size_t i = 0; i < n; i++)
		c->ports[c->n_ports++] = ps[i].port;
}

/* Every published port to its container in `sorted`: one query for all. */
static int load_ports(store *s, berth_container **sorted, size_t n, berth_err *err)
{
	published_port *ps = NULL;
	size_t n_ps = 0;
	int ret = store_ports_load(s, NULL, &ps, &n_ps, err);

	for (size_t i = 0; ret == 0 && i < n_ps; i++) {
		berth_container *c = find_by_id(sorted, n, ps[i].container_id);
		if (c)
			add_ports(c, &ps[i], 1);
	}
	free(ps);
	return ret;
}

/* For a few containers: a query each, on the container's index. */
static int load_endpoints_and_ports_of(store *s, berth_container **cs, size_t n, berth_err *err)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < n; i++) {
		published_port *ps = NULL;
		size_t n_ps = 0;
		if ((ret = store_container_reload_endpoints(s, cs[i], err)) == 0 &&
		    (ret = store_ports_load(s, cs[i]->id, &ps, &n_ps, err)) == 0)
			add_ports(cs[i], ps, n_ps);
		free(ps);
	}
	return ret;
}

/* For every container: a query for all endpoints and one for all ports,
 * each matched to its container by ID (bsearch, not a scan per row). */
static int load_all_endpoints_and_ports(store *s, berth_container **cs, size_t n, berth_err *err)
{
	berth_container **sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	int ret;

	if (n)
		memcpy(sorted, cs, n * sizeof(*cs));
	qsort(sorted, n, sizeof(*sorted), compare_ids);
	if ((ret = load_endpoints(s, sorted, n, err)) == 0)
		ret = load_ports(s, sorted, n, err);
	free(sorted);
	return ret;
}

#define CONTAINER_COLUMNS                                                                            \
	"SELECT id, name, created_sec, created_nsec, command, env, hostname, rootfs, network_mode,"  \
	" auto_remove, detach, state, pid, pid_start, owner_pid, owner_start, exit_code,"           \
	" started_sec, finished_sec, cap_add, cap_drop, privileged, dns, dns_search, dns_options, external_id,"     \
	" external_netns, netns_dev, netns_ino, resolver FROM containers"

/* The rows of `st`, bound and ready to step. */
static int containers_of(store *s, sqlite3_stmt *st, berth_container ***out, size_t *n, berth_err *err)
{
	berth_container **cs = NULL;
	size_t count = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cs = xrealloc(cs, (count + 1) * sizeof(*cs));
		cs[count++] = container_from_row(st);
	}
	if (rc != SQLITE_DONE) {
		berth_container_list_free(cs, count);
		return db_error(s, err, rc, "reading containers");
	}
	*out = cs;
	*n = count;
	return 0;
}

static int finish_loading(int ret, berth_container ***out, size_t *n)
{
	if (ret < 0) {
		berth_container_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

int store_container_load_all(store *s, berth_container ***out, size_t *n, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, CONTAINER_COLUMNS " ORDER BY created_sec, created_nsec", &st, err);

	*out = NULL;
	*n = 0;
	if (ret == 0 && (ret = containers_of(s, st, out, n, err)) == 0)
		ret = load_all_endpoints_and_ports(s, *out, *n, err);
	return finish_loading(ret, out, n);
}

int store_container_candidates(store *s, const char *ref, berth_container ***out, size_t *n, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	/* IDs are lower-case hex: every ID that starts with ref sorts from
	 * ref up to, not including, ref followed by 'g'; only a hex ref can
	 * be a prefix (an empty one would take them all) */
	int ret = prepare(s,
			  CONTAINER_COLUMNS " WHERE id = ?1 OR name = ?1 OR (?2 AND id >= ?1 AND id < ?1 || 'g')"
					    " ORDER BY created_sec, created_nsec",
			  &st, err);

	*out = NULL;
	*n = 0;
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, is_hex_string(ref));
	if ((ret = containers_of(s, st, out, n, err)) == 0)
		ret = load_endpoints_and_ports_of(s, *out, *n, err);
	return finish_loading(ret, out, n);
}

int store_container_external(store *s, const char *external_id, berth_container **out, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	berth_container **cs = NULL;
	size_t n = 0;
	int ret = prepare(s, CONTAINER_COLUMNS " WHERE external_id = ?", &st, err);

	*out = NULL;
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
	if ((ret = containers_of(s, st, &cs, &n, err)) == 0 && (ret = load_endpoints_and_ports_of(s, cs, n, err)) == 0 &&
	    n == 1)
		*out = steal_ptr(cs[0]);
	berth_container_list_free(cs, n);
	return ret;
}

char *store_container_name(store *s, const char *id)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (!prepare_or_none(s, "SELECT name FROM containers WHERE id = ?", &st))
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return first_text(st);
}

char *store_network_endpoint_holder(store *s, const char *net_id)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (!prepare_or_none(s,
			     "SELECT COALESCE(c.name, e.container_id) FROM endpoints e LEFT JOIN containers c"
			     " ON c.id = e.container_id WHERE e.network_id = ? LIMIT 1",
			     &st))
		return NULL;
	sqlite3_bind_text(st, 1, net_id, -1, SQLITE_STATIC);
	return first_text(st);
}
