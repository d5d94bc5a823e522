/* The pools Docker's IPAM driver asks berth for (RequestPool): rows of
 * their own, made before the network that will have the subnet; asked
 * for again (dockerd retries a request it did not hear answered), the
 * same row, not a second reference that one ReleasePool would leave
 * behind. Their addresses are leases of the pool's (store/lease.c). */
#include "store/store.h"
#include "store/internal.h"
#include "ipam/cidr.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void store_pool_clear(store_pool *p)
{
	free(p->address_space);
	memset(p, 0, sizeof(*p));
}

static bool parse_prefix(const char *text, berth_prefix *out)
{
	bool bad_len;

	return text && prefix_parse(text, out, &bad_len);
}

int store_pool_get(store *s, const char *id, store_pool *out, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc, ret = prepare(s, "SELECT id, address_space, subnet, ip_range FROM pools WHERE id = ?", &st, err);

	memset(out, 0, sizeof(*out));
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return berth_err_set(err, ENOENT, "no pool %s", id);
	if (rc != SQLITE_ROW)
		return db_error(s, err, rc, "reading a pool");
	snprintf(out->id, sizeof(out->id), "%s", col_text(st, 0));
	out->address_space = xstrdup(col_text(st, 1));
	if (!parse_prefix(col_text(st, 2), &out->sn.subnet)) {
		store_pool_clear(out);
		return berth_err_set(err, EIO, "pool %s has no readable subnet in the store", id);
	}
	out->sn.has_ip_range = parse_prefix(col_text(st, 3), &out->sn.ip_range);
	return 0;
}

int store_pool_add(store *s, const store_pool *p, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	char subnet[BERTH_PREFIX_STRLEN], range[BERTH_PREFIX_STRLEN];
	int ret = prepare(s,
			  "INSERT INTO pools(id, address_space, family, subnet, ip_range, created_sec) VALUES (?,?,?,?,?,?)"
			  " ON CONFLICT(id) DO NOTHING",
			  &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->address_space, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, p->sn.subnet.addr.family);
	sqlite3_bind_text(st, 4, berth_prefix_format(&p->sn.subnet, subnet), -1, SQLITE_STATIC);
	bind_text_or_null(st, 5, p->sn.has_ip_range ? berth_prefix_format(&p->sn.ip_range, range) : NULL);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	return step_done(s, st, err);
}

int store_pool_drop(store *s, const char *id, berth_err *err)
{
	/* the pool's leases go with it (ON DELETE CASCADE) */
	return run_on_id(s, "DELETE FROM pools WHERE id = ?", id, err);
}

int store_pool_drop_subnet(store *s, const berth_prefix *subnet, berth_err *err)
{
	char text[BERTH_PREFIX_STRLEN];

	return run_on_id(s, "DELETE FROM pools WHERE subnet = ?", berth_prefix_format(subnet, text), err);
}

int store_pool_subnets(store *s, berth_prefix **out, size_t *n, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc, ret = prepare(s, "SELECT subnet FROM pools ORDER BY id", &st, err);

	*out = NULL;
	*n = 0;
	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		berth_prefix p;
		if (!parse_prefix(col_text(st, 0), &p))
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = p;
	}
	if (rc == SQLITE_DONE)
		return 0;
	free(*out);
	*out = NULL;
	*n = 0;
	return db_error(s, err, rc, "reading pools");
}
