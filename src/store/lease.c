/* Address leases: one row per address given out, in a network's table
 * (leases, by network_id) or, for Docker's IPAM, a pool's (pool_leases,
 * by pool_id). The same code serves both: the scopes differ only in the
 * table's and the key's names, fixed strings of berth's own. */
#include "store/store.h"
#include "store/internal.h"
#include "ipam/cidr.h"
#include "ipam/pool.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct lease_scope {
	const char *table, *key;
} lease_scope;

static const lease_scope network_scope = { "leases", "network_id" };
static const lease_scope pool_scope = { "pool_leases", "pool_id" };

static int prepare_owned(store *s, char *sql, sqlite3_stmt **st, berth_err *err)
{
	int ret = prepare(s, sql, st, err);

	free(sql);
	return ret;
}

/* FORMAT (a literal) with the scope's table for its first %s and key for
 * its second. */
#define prepare_in(s, sc, format, st, err) prepare_owned((s), xasprintf(format, (sc)->table, (sc)->key), (st), (err))

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int used_offsets(store *s, const lease_scope *sc, const char *key, int family, uint64_t **out, size_t *n,
			berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc, ret = prepare_in(s, sc, "SELECT offset FROM %s WHERE %s = ? AND family = ? ORDER BY offset", &st, err);

	*out = NULL;
	*n = 0;
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, family);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE)
		return db_error(s, err, rc, "reading leases");
	/* SQLite sorts offsets as signed 64-bit: an IPv6 /64 needs them unsigned */
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_u64);
	return 0;
}

/* The lowest free offset in [lo, hi]. The common case reads the used ones
 * in order straight off the index, copying none (a network's 500th
 * address costs a walk over 499 integers, not 499 allocations); offsets
 * from 2^63 up (the upper half of an IPv6 /64), which SQLite sorts as
 * negative, take the slow way: all of them, sorted unsigned. */
static int pick_free_offset(store *s, const lease_scope *sc, const char *key, int family, uint64_t lo, uint64_t hi,
			    uint64_t *out, bool *found, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	uint64_t want = lo;
	int rc, ret;

	*found = false;
	if (lo > INT64_MAX)
		goto slow;
	ret = prepare_in(s, sc, "SELECT offset FROM %s WHERE %s = ? AND family = ? AND offset >= ? ORDER BY offset", &st,
			 err);
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, family);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)lo);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && want <= INT64_MAX) {
		uint64_t used = (uint64_t)sqlite3_column_int64(st, 0);
		if (used > want)
			break;
		want = used + 1;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s, err, rc, "reading leases");
	if (want <= INT64_MAX) {
		*found = want <= hi;
		*out = want;
		return 0;
	}
slow:;
	_cleanup_free_ uint64_t *used = NULL;
	size_t n_used;
	if ((ret = used_offsets(s, sc, key, family, &used, &n_used, err)) == 0)
		*found = ipam_pick_offset(lo, hi, used, n_used, out);
	return ret;
}

static char *owner_in(store *s, const lease_scope *sc, const char *key, const berth_addr *a)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *sql = xasprintf("SELECT owner FROM %s WHERE %s = ? AND addr = ?", sc->table, sc->key);
	char text[BERTH_ADDR_STRLEN];

	if (!prepare_or_none(s, sql, &st))
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, berth_addr_format(a, text), -1, SQLITE_STATIC);
	return first_text(st);
}

static int insert_lease(store *s, const lease_scope *sc, const char *key, const berth_prefix *subnet,
			const berth_addr *a, const char *owner, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	char text[BERTH_ADDR_STRLEN];
	int ret = prepare_in(s, sc, "INSERT INTO %s(%s, family, offset, addr, owner) VALUES (?,?,?,?,?)", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, a->family);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)prefix_offset_of(subnet, a));
	sqlite3_bind_text(st, 4, berth_addr_format(a, text), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, owner, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

static int take_in_transaction(store *s, const lease_scope *sc, const char *key, const berth_subnet *sn,
			       const char *owner, const berth_addr *want, berth_addr *out, berth_err *err)
{
	if (want) {
		_cleanup_free_ char *holder = owner_in(s, sc, key, want);
		if (holder) {
			char text[BERTH_ADDR_STRLEN];
			return berth_err_set(err, EADDRINUSE, "address %s is already in use (by %s)",
					     berth_addr_format(want, text), holder);
		}
		*out = *want;
		return insert_lease(s, sc, key, &sn->subnet, want, owner, err);
	}

	uint64_t lo, hi, offset;
	bool found;
	int ret;

	ipam_host_range(sn, &lo, &hi);
	if ((ret = pick_free_offset(s, sc, key, sn->subnet.addr.family, lo, hi, &offset, &found, err)) < 0)
		return ret;
	if (!found) {
		char sub[BERTH_PREFIX_STRLEN];
		return berth_err_set(err, ENOSPC, "no available addresses left in %s",
				     sn->has_ip_range ? berth_prefix_format(&sn->ip_range, sub) : berth_prefix_format(&sn->subnet, sub));
	}
	*out = prefix_addr_at(&sn->subnet, offset);
	return insert_lease(s, sc, key, &sn->subnet, out, owner, err);
}

static int take(store *s, const lease_scope *sc, const char *key, const berth_subnet *sn, const char *owner,
		const berth_addr *want, berth_addr *out, berth_err *err)
{
	bool own_transaction = !store_in_transaction(s);
	int ret;

	if (own_transaction && (ret = store_begin(s, err)) < 0)
		return ret;
	ret = take_in_transaction(s, sc, key, sn, owner, want, out, err);
	return own_transaction ? store_end(s, ret, err) : ret;
}

static int release(store *s, const lease_scope *sc, const char *key, const berth_addr *a, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	char text[BERTH_ADDR_STRLEN];
	int ret = prepare_in(s, sc, "DELETE FROM %s WHERE %s = ? AND addr = ?", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, berth_addr_format(a, text), -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int store_lease_take(store *s, const char *net_id, const berth_subnet *sn, const char *owner,
		     const berth_addr *want, berth_addr *out, berth_err *err)
{
	return take(s, &network_scope, net_id, sn, owner, want, out, err);
}

int store_lease_release(store *s, const char *net_id, const berth_addr *a, berth_err *err)
{
	return release(s, &network_scope, net_id, a, err);
}

char *store_lease_owner(store *s, const char *net_id, const berth_addr *a)
{
	return owner_in(s, &network_scope, net_id, a);
}

int store_pool_lease_take(store *s, const char *pool_id, const berth_subnet *sn, const char *owner,
			  const berth_addr *want, berth_addr *out, berth_err *err)
{
	return take(s, &pool_scope, pool_id, sn, owner, want, out, err);
}

int store_pool_lease_release(store *s, const char *pool_id, const berth_addr *a, berth_err *err)
{
	return release(s, &pool_scope, pool_id, a, err);
}

char *store_pool_lease_owner(store *s, const char *pool_id, const berth_addr *a)
{
	return owner_in(s, &pool_scope, pool_id, a);
}

int store_leases_load(store *s, store_lease **out, size_t *n, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc, ret = prepare(s, "SELECT network_id, addr, owner FROM leases ORDER BY network_id, family, offset", &st, err);

	*out = NULL;
	*n = 0;
	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_lease l = { 0 };
		snprintf(l.network_id, sizeof(l.network_id), "%s", col_text(st, 0));
		snprintf(l.owner, sizeof(l.owner), "%s", col_text(st, 2));
		if (!addr_parse(col_text(st, 1), &l.addr))
			continue; /* not an address: no endpoint can claim it either */
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = l;
	}
	return rc == SQLITE_DONE ? 0 : db_error(s, err, rc, "reading leases");
}
