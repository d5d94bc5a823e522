/* What berth's resolver answers from (dns/): read-only, and cheap to ask
 * whether anything changed. */
#include "ipam/cidr.h"
#include "store/internal.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One number, with no read transaction left open after it. */
static int one_number(store *s, const char *sql, const char *what, long long *out, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, sql, &st, err);

	if (ret < 0)
		return ret;
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_error(s, err, SQLITE_ERROR, what);
	*out = sqlite3_column_int64(st, 0);
	return 0;
}

int store_data_version(store *s, long long *version, berth_err *err)
{
	return one_number(s, "PRAGMA data_version", "reading the data version", version, err);
}

int store_dns_generation(store *s, long long *generation, berth_err *err)
{
	return one_number(s, "SELECT n FROM dns_generation", "reading the DNS generation", generation, err);
}

bool store_container_on_user_network(store *s, const char *container_id)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (!prepare_or_none(s,
			     "SELECT 1 FROM endpoints e JOIN networks n ON n.id = e.network_id"
			     " JOIN containers c ON c.id = e.container_id"
			     " WHERE e.container_id = ? AND n.predefined = 0 AND c.resolver LIMIT 1",
			     &st))
		return false;
	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW;
}

static void row_from(sqlite3_stmt *st, store_dns_row *r)
{
	const char *v4 = col_text(st, 6), *v6 = col_text(st, 7);

	memset(r, 0, sizeof(*r));
	snprintf(r->container_id, sizeof(r->container_id), "%s", col_text(st, 0));
	r->container_name = xstrdup(col_text(st, 1));
	r->own_netns = sqlite3_column_int(st, 2);
	snprintf(r->network_id, sizeof(r->network_id), "%s", col_text(st, 3));
	r->network_name = xstrdup(col_text(st, 4));
	r->internal = sqlite3_column_int(st, 5);
	if (v4)
		addr_parse(v4, &r->addr);
	if (v6)
		addr_parse(v6, &r->addr6);
	r->aliases = strv_from_json_text(col_text(st, 8), &r->n_aliases);
	r->dns = strv_from_json_text(col_text(st, 9), &r->n_dns);
}

int store_dns_rows(store *s, store_dns_row **out, size_t *n, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	/* a container being set up (created) is asked for by its own first
	 * query: its sandbox is served before its process starts */
	int rc, ret = prepare(s,
			      "SELECT c.id, c.name,"
			      " c.resolver AND c.network_mode NOT IN ('host') AND c.network_mode NOT LIKE 'container:%',"
			      " n.id, n.name, n.internal, e.ipv4, e.ipv6, e.aliases, c.dns"
			      " FROM endpoints e JOIN containers c ON c.id = e.container_id"
			      " JOIN networks n ON n.id = e.network_id"
			      " WHERE n.predefined = 0 AND c.state IN ('created', 'running')"
			      " ORDER BY c.id, e.ordinal",
			      &st, err);

	*out = NULL;
	*n = 0;
	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n % 64 == 0)
			*out = xrealloc(*out, (*n + 64) * sizeof(**out));
		row_from(st, &(*out)[(*n)++]);
	}
	if (rc == SQLITE_DONE)
		return 0;
	store_dns_rows_free(*out, *n);
	*out = NULL;
	*n = 0;
	return db_error(s, err, rc, "reading the names of containers");
}

void store_dns_rows_free(store_dns_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].container_name);
		free(rows[i].network_name);
		strv_free(rows[i].aliases);
		strv_free(rows[i].dns);
	}
	free(rows);
}
