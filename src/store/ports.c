#include "ipam/cidr.h"
#include "store/internal.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int store_port_insert(store *s, const published_port *p, size_t idx, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	char host[BERTH_ADDR_STRLEN], target[BERTH_ADDR_STRLEN];
	int ret = prepare(s,
			  "INSERT INTO ports(container_id, host_ip, proto, host_port, container_port, target, idx)"
			  " VALUES (?,?,?,?,?,?,?)",
			  &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, p->container_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, berth_addr_format(&p->port.host_ip, host), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, p->port.proto);
	sqlite3_bind_int(st, 4, p->port.host_port);
	sqlite3_bind_int(st, 5, p->port.container_port);
	sqlite3_bind_text(st, 6, berth_addr_format(&p->target, target), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)idx);
	return step_done(s, st, err);
}

char *store_port_holder(store *s, int proto, unsigned port, const berth_addr *host_ip)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	char host[BERTH_ADDR_STRLEN];

	/* ?4 is the family's any address: 0.0.0.0 and :: are apart, as
	 * IPv6-only sockets are */
	if (!prepare_or_none(s,
			     "SELECT container_id FROM ports WHERE proto = ?1 AND host_port = ?2"
			     " AND (host_ip = ?3 OR host_ip = ?4 OR ?3 = ?4) LIMIT 1",
			     &st))
		return NULL;
	berth_addr_format(host_ip, host);
	sqlite3_bind_int(st, 1, proto);
	sqlite3_bind_int(st, 2, (int)port);
	sqlite3_bind_text(st, 3, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, host_ip->family == AF_INET6 ? "::" : "0.0.0.0", -1, SQLITE_STATIC);
	return first_text(st);
}

static void row_to_port(sqlite3_stmt *st, published_port *p)
{
	snprintf(p->container_id, sizeof(p->container_id), "%s", col_text(st, 0));
	addr_parse(col_text(st, 1), &p->port.host_ip);
	p->port.proto = sqlite3_column_int(st, 2);
	p->port.host_port = (uint16_t)sqlite3_column_int(st, 3);
	p->port.container_port = (uint16_t)sqlite3_column_int(st, 4);
	addr_parse(col_text(st, 5), &p->target);
}

int store_ports_load(store *s, const char *container_id, published_port **out, size_t *n, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s,
			  container_id ? "SELECT container_id, host_ip, proto, host_port, container_port, target FROM ports"
					 " WHERE container_id = ? ORDER BY idx"
				       : "SELECT container_id, host_ip, proto, host_port, container_port, target FROM ports"
					 " ORDER BY container_id, idx",
			  &st, err);
	int rc;

	*out = NULL;
	*n = 0;
	if (ret < 0)
		return ret;
	if (container_id)
		sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		memset(&(*out)[*n], 0, sizeof(**out));
		row_to_port(st, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return db_error(s, err, rc, "reading published ports");
	}
	return 0;
}

int store_ports_delete(store *s, const char *container_id, berth_err *err)
{
	return run_on_id(s, "DELETE FROM ports WHERE container_id = ?", container_id, err);
}
