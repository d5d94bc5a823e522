#include "store/store.h"
#include "store/internal.h"
#include "ipam/cidr.h"
#include "ipam/pool.h"
#include "util/cleanup.h"
#include "util/crashpoint.h"
#include "util/err.h"
#include "util/kv.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>


/* Each entry moves the schema one version up (PRAGMA user_version). */
static const char *const migrations[] = {
	"CREATE TABLE networks ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  driver TEXT NOT NULL,"
	"  created_sec INTEGER NOT NULL,"
	"  created_nsec INTEGER NOT NULL,"
	"  internal INTEGER NOT NULL DEFAULT 0,"
	"  attachable INTEGER NOT NULL DEFAULT 0,"
	"  ipv6 INTEGER NOT NULL DEFAULT 0,"
	"  predefined INTEGER NOT NULL DEFAULT 0,"
	"  user_subnet INTEGER NOT NULL DEFAULT 0,"
	"  ifname TEXT,"
	"  mtu INTEGER NOT NULL DEFAULT 0,"
	"  options TEXT NOT NULL DEFAULT '{}',"
	"  labels TEXT NOT NULL DEFAULT '{}',"
	"  state TEXT NOT NULL,"
	"  owner_pid INTEGER NOT NULL DEFAULT 0,"
	"  owner_start INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX networks_ifname ON networks(ifname) WHERE ifname IS NOT NULL;"
	"CREATE TABLE subnets ("
	"  network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL,"
	"  subnet TEXT NOT NULL,"
	"  gateway TEXT,"
	"  ip_range TEXT,"
	"  PRIMARY KEY (network_id, idx));"
	"CREATE TABLE leases ("
	"  network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,"
	"  family INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  addr TEXT NOT NULL,"
	"  owner TEXT NOT NULL,"
	"  PRIMARY KEY (network_id, addr));"
	"CREATE INDEX leases_by_offset ON leases(network_id, family, offset);"
	/* No cascade: the database itself refuses to drop a network that
	 * still has endpoints. */
	"CREATE TABLE endpoints ("
	"  id TEXT PRIMARY KEY,"
	"  network_id TEXT NOT NULL REFERENCES networks(id),"
	"  container_id TEXT NOT NULL,"
	"  ifname TEXT,"
	"  mac TEXT,"
	"  ipv4 TEXT,"
	"  ipv6 TEXT,"
	"  host_ifname TEXT,"
	"  prefix_len INTEGER NOT NULL DEFAULT 0,"
	"  gateway TEXT,"
	"  aliases TEXT NOT NULL DEFAULT '[]',"
	"  ordinal INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX endpoints_by_container ON endpoints(container_id);"
	"CREATE INDEX endpoints_by_network ON endpoints(network_id);"
	"CREATE TABLE containers ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_sec INTEGER NOT NULL,"
	"  created_nsec INTEGER NOT NULL,"
	"  command TEXT NOT NULL,"
	"  env TEXT NOT NULL DEFAULT '[]',"
	"  hostname TEXT NOT NULL,"
	"  rootfs TEXT,"
	"  network_mode TEXT NOT NULL,"
	"  auto_remove INTEGER NOT NULL DEFAULT 0,"
	"  detach INTEGER NOT NULL DEFAULT 0,"
	"  state TEXT NOT NULL,"
	"  pid INTEGER NOT NULL DEFAULT 0,"
	"  pid_start INTEGER NOT NULL DEFAULT 0,"
	"  owner_pid INTEGER NOT NULL DEFAULT 0,"
	"  owner_start INTEGER NOT NULL DEFAULT 0,"
	"  exit_code INTEGER NOT NULL DEFAULT 0,"
	"  started_sec INTEGER NOT NULL DEFAULT 0,"
	"  finished_sec INTEGER NOT NULL DEFAULT 0);",
	/* v2: published ports, while their container runs. The key is what
	 * the kernel's map is keyed by; 0.0.0.0 against one address is
	 * checked by the code. */
	"CREATE TABLE ports ("
	"  container_id TEXT NOT NULL,"
	"  host_ip TEXT NOT NULL,"
	"  proto INTEGER NOT NULL,"
	"  host_port INTEGER NOT NULL,"
	"  container_port INTEGER NOT NULL,"
	"  target TEXT NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  PRIMARY KEY (proto, host_port, host_ip));"
	"CREATE INDEX ports_by_container ON ports(container_id);",
	/* v3: --cap-add, --cap-drop, --privileged. A container recorded
	 * before gets Docker's default set from then on (its `exec`s too). */
	"ALTER TABLE containers ADD COLUMN cap_add TEXT NOT NULL DEFAULT '[]';"
	"ALTER TABLE containers ADD COLUMN cap_drop TEXT NOT NULL DEFAULT '[]';"
	"ALTER TABLE containers ADD COLUMN privileged INTEGER NOT NULL DEFAULT 0;",
	/* v4: the berth process still making an endpoint (0 once made), so
	 * that `system check` leaves a connect in progress alone and rolls
	 * back one whose maker died */
	("ALTER TABLE endpoints ADD COLUMN owner_pid INTEGER NOT NULL DEFAULT 0;"
	 "ALTER TABLE endpoints ADD COLUMN owner_start INTEGER NOT NULL DEFAULT 0;"),
	/* v5: what is chosen once per host: the unique local IPv6 /48 */
	"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
	/* v6: an endpoint's IPv6 address (v1's ipv6 column) comes with its
	 * prefix length and gateway */
	("ALTER TABLE endpoints ADD COLUMN prefix_len6 INTEGER NOT NULL DEFAULT 0;"
	 "ALTER TABLE endpoints ADD COLUMN gateway6 TEXT;"),
	/* v7: --dns, --dns-search, --dns-option */
	("ALTER TABLE containers ADD COLUMN dns TEXT NOT NULL DEFAULT '[]';"
	 "ALTER TABLE containers ADD COLUMN dns_search TEXT NOT NULL DEFAULT '[]';"
	 "ALTER TABLE containers ADD COLUMN dns_options TEXT NOT NULL DEFAULT '[]';"),
	/* v8: a counter of changes to what the DNS resolver answers, kept by
	 * the database itself: the resolver reads its names again when it
	 * moved, not at every commit (a container's state going from created
	 * to running, a monitor's bookkeeping, a port) */
	("CREATE TABLE dns_generation (n INTEGER NOT NULL);"
	 "INSERT INTO dns_generation VALUES (0);"
	 "CREATE TRIGGER dns_gen_endpoint_add AFTER INSERT ON endpoints"
	 " BEGIN UPDATE dns_generation SET n = n + 1; END;"
	 "CREATE TRIGGER dns_gen_endpoint_del AFTER DELETE ON endpoints"
	 " BEGIN UPDATE dns_generation SET n = n + 1; END;"
	 "CREATE TRIGGER dns_gen_endpoint_set AFTER UPDATE OF network_id, container_id, ipv4, ipv6, aliases, ordinal"
	 " ON endpoints BEGIN UPDATE dns_generation SET n = n + 1; END;"
	 "CREATE TRIGGER dns_gen_container_add AFTER INSERT ON containers"
	 " BEGIN UPDATE dns_generation SET n = n + 1; END;"
	 "CREATE TRIGGER dns_gen_container_del AFTER DELETE ON containers"
	 " BEGIN UPDATE dns_generation SET n = n + 1; END;"
	 "CREATE TRIGGER dns_gen_container_set AFTER UPDATE OF id, name, network_mode, dns ON containers"
	 " BEGIN UPDATE dns_generation SET n = n + 1; END;"
	 /* created and running are both served: only leaving them counts */
	 "CREATE TRIGGER dns_gen_container_state AFTER UPDATE OF state ON containers"
	 " WHEN (old.state IN ('created', 'running')) != (new.state IN ('created', 'running'))"
	 " BEGIN UPDATE dns_generation SET n = n + 1; END;"
	 "CREATE TRIGGER dns_gen_network_set AFTER UPDATE OF id, name, internal, predefined ON networks"
	 " BEGIN UPDATE dns_generation SET n = n + 1; END;"
	 "CREATE TRIGGER dns_gen_network_del AFTER DELETE ON networks"
	 " BEGIN UPDATE dns_generation SET n = n + 1; END;"),
	/* v9: containers another runtime runs, attached through a CNI ADD:
	 * the runtime's ID for one (at most one row each), the namespace it
	 * gave and that namespace's identity (device, inode), which tells
	 * whether it still exists */
	("ALTER TABLE containers ADD COLUMN external_id TEXT;"
	 "ALTER TABLE containers ADD COLUMN external_netns TEXT;"
	 "ALTER TABLE containers ADD COLUMN netns_dev INTEGER NOT NULL DEFAULT 0;"
	 "ALTER TABLE containers ADD COLUMN netns_ino INTEGER NOT NULL DEFAULT 0;"
	 "CREATE UNIQUE INDEX containers_external ON containers(external_id) WHERE external_id IS NOT NULL;"),
	/* v10: whether berth's resolver serves the container's namespace
	 * (an attached one's runtime may bring its own DNS) */
	("ALTER TABLE containers ADD COLUMN resolver INTEGER NOT NULL DEFAULT 1;"),
	/* v11: the pools Docker's IPAM asks for (a Docker network's subnet,
	 * before the network), and the addresses given out of them */
	("CREATE TABLE pools ("
	 "  id TEXT PRIMARY KEY,"
	 "  address_space TEXT NOT NULL,"
	 "  family INTEGER NOT NULL,"
	 "  subnet TEXT NOT NULL,"
	 "  ip_range TEXT,"
	 "  created_sec INTEGER NOT NULL);"
	 "CREATE TABLE pool_leases ("
	 "  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,"
	 "  family INTEGER NOT NULL,"
	 "  offset INTEGER NOT NULL,"
	 "  addr TEXT NOT NULL,"
	 "  owner TEXT NOT NULL,"
	 "  PRIMARY KEY (pool_id, addr));"
	 "CREATE INDEX pool_leases_by_offset ON pool_leases(pool_id, family, offset);"),
	/* v12: a network made for dockerd ("docker"), not berth's own */
	("ALTER TABLE networks ADD COLUMN made_for TEXT;"),
};

/* How long a command waits for another's transaction before giving up */
#define BUSY_TIMEOUT_MS 30000

int db_error(store *s, berth_err *err, int rc, const char *what)
{
	int code = (rc & 0xff) == SQLITE_BUSY ? EBUSY : EIO;

	return berth_err_set(err, code, "state store %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

int exec_sql(store *s, const char *sql, berth_err *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(s, err, rc, "executing statement");
}

int prepare(store *s, const char *sql, sqlite3_stmt **st, berth_err *err)
{
	if ((*st = stmt_lend(s->db, sql)))
		return 0;
	/* kept for the connection's life: SQLite allocates it accordingly */
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
	if (rc != SQLITE_OK)
		return db_error(s, err, rc, "preparing statement");
	stmt_keep(s->db, sql, *st);
	return 0;
}

bool prepare_or_none(store *s, const char *sql, sqlite3_stmt **st)
{
	berth_err ignored = { 0 };
	bool ok = prepare(s, sql, st, &ignored) == 0;

	berth_err_clear(&ignored);
	return ok;
}

char *first_text(sqlite3_stmt *st)
{
	return sqlite3_step(st) == SQLITE_ROW ? xstrdup(col_text(st, 0)) : NULL;
}

/* Runs a statement that returns no rows. */
int step_done(store *s, sqlite3_stmt *st, berth_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE) {
		if (sqlite3_get_autocommit(s->db))
			crash_point("store write");
		return 0;
	}
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return berth_err_set(err, EEXIST, "state store: %s", sqlite3_errmsg(s->db));
	return db_error(s, err, rc, "writing");
}

int pragma_value(store *s, const char *pragma, long long *value, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *sql = xasprintf("PRAGMA %s", pragma);
	int ret = prepare(s, sql, &st, err);

	if (ret < 0)
		return ret;
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_error(s, err, SQLITE_ERROR, pragma);
	*value = sqlite3_column_int64(st, 0);
	return 0;
}

static int user_version(store *s, int *version, berth_err *err)
{
	long long v = 0;
	int ret = pragma_value(s, "user_version", &v, err);

	*version = (int)v;
	return ret;
}

static int migrate(store *s, berth_err *err)
{
	int version = 0, ret;

	if ((ret = store_begin(s, err)) < 0)
		return ret;
	if ((ret = user_version(s, &version, err)) == 0 && version > (int)ARRAY_SIZE(migrations))
		ret = berth_err_set(err, EPROTO, "state store %s: schema version %d is newer than this berth (%zu)",
				    s->path, version, ARRAY_SIZE(migrations));
	for (; ret == 0 && version < (int)ARRAY_SIZE(migrations); version++) {
		_cleanup_free_ char *bump = xasprintf("PRAGMA user_version = %d", version + 1);
		if ((ret = exec_sql(s, migrations[version], err)) == 0)
			ret = exec_sql(s, bump, err);
	}
	return store_end(s, ret, err);
}

/* The store holds containers' environments (-e values: secrets, often):
 * root's alone, 0600. SQLite gives its -wal and -shm files the mode of the
 * database; those of an older berth are narrowed too. Not through a
 * symlink: berth's directory is its own (util/dir.h), but a link may
 * have been planted before it was. */
static int make_private(const char *path, berth_err *err)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		_cleanup_free_ char *file = xasprintf("%s%s", path, suffixes[i]);
		_cleanup_close_ int fd = open(file, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (i ? 0 : O_CREAT), 0600);
		struct stat st;
		if (fd < 0 && i && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st) < 0 || ((st.st_mode & 0077) && fchmod(fd, 0600) < 0))
			return berth_err_sys(err, errno, "opening state store %s", file);
	}
	return 0;
}

/* Turning a new database to WAL needs it alone for a moment, and SQLite
 * answers SQLITE_BUSY at once, without its busy handler, when another
 * process converting the same new file could deadlock with this one (8
 * commands on a fresh host: one in 200 failed). So it is retried here,
 * for as long as the busy handler would wait. */
static int use_wal(store *s, berth_err *err)
{
	const struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	int rc;

	for (int waited_ms = 0; (rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL)) == SQLITE_BUSY &&
				waited_ms < BUSY_TIMEOUT_MS;
	     waited_ms += 10)
		nanosleep(&pause, NULL);
	return rc == SQLITE_OK ? 0 : db_error(s, err, rc, "turning on write-ahead logging");
}

void store_limit_cache(store *s, int kib)
{
	_cleanup_free_ char *sql = xasprintf("PRAGMA cache_size = -%d", kib);

	sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

int store_open(const char *path, store **out, berth_err *err)
{
	store *s = xzalloc(sizeof(*s));
	int ret;

	s->path = xstrdup(path);
	if ((ret = make_private(path, err)) < 0) {
		store_close(s);
		return ret;
	}
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ret = berth_err_set(err, EIO, "opening state store %s: %s", path,
				    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		store_close(s);
		return ret;
	}
	stmt_cache_start(s->db);
	/* Many berth processes may start at once (50 `run -d`): writers queue
	 * on the lock instead of failing. */
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* Each berth command is a short process, and the first to open the
	 * database rebuilds the WAL index by reading the whole WAL, so the
	 * WAL stays short: checkpointed every 64 pages (not SQLite's 1000),
	 * but not on every close, which cost each writing command two more
	 * fsyncs and a WAL restart. The file itself is kept, so it is not
	 * re-created, and the directory not synced, each time. A committed
	 * transaction survives berth's crash either way (it is in the WAL);
	 * synchronous=NORMAL may lose the last ones to a power cut, never
	 * the database's consistency. */
	int persist = 1;
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_wal_autocheckpoint(s->db, 64);
	sqlite3_exec(s->db, "PRAGMA journal_size_limit = 1048576", NULL, NULL, NULL);
	if ((ret = use_wal(s, err)) < 0 ||
	    (ret = exec_sql(s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err)) < 0 ||
	    (ret = migrate(s, err)) < 0) {
		store_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

void store_close(store *s)
{
	if (!s)
		return;
	stmt_cache_end(s->db);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_setting_get(store *s, const char *key, char **value, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, "SELECT value FROM settings WHERE key = ?", &st, err);

	*value = NULL;
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((ret = sqlite3_step(st)) == SQLITE_ROW)
		*value = xstrdup(col_text(st, 0));
	else if (ret != SQLITE_DONE)
		return db_error(s, err, ret, "reading a setting");
	return 0;
}

int store_setting_add(store *s, const char *key, const char *value, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, "INSERT INTO settings(key, value) VALUES (?, ?)", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int store_begin(store *s, berth_err *err)
{
	return exec_sql(s, "BEGIN IMMEDIATE", err);
}

int store_commit(store *s, berth_err *err)
{
	int ret = exec_sql(s, "COMMIT", err);

	if (ret == 0)
		crash_point("store commit");
	return ret;
}

void store_rollback(store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

bool store_in_transaction(store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int store_end(store *s, int ret, berth_err *err)
{
	if (ret == 0)
		ret = store_commit(s, err);
	if (ret < 0)
		store_rollback(s);
	return ret;
}

void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static char *json_text(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	if (!s)
		abort();
	return s;
}

static int insert_subnet(store *s, const char *net_id, int idx, const berth_subnet *sn, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	char sub[BERTH_PREFIX_STRLEN], gw[BERTH_ADDR_STRLEN], range[BERTH_PREFIX_STRLEN];
	int ret = prepare(s, "INSERT INTO subnets(network_id, idx, subnet, gateway, ip_range) VALUES (?,?,?,?,?)", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, net_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, idx);
	sqlite3_bind_text(st, 3, berth_prefix_format(&sn->subnet, sub), -1, SQLITE_STATIC);
	bind_text_or_null(st, 4, sn->gateway.family ? berth_addr_format(&sn->gateway, gw) : NULL);
	bind_text_or_null(st, 5, sn->has_ip_range ? berth_prefix_format(&sn->ip_range, range) : NULL);
	return step_done(s, st, err);
}

int store_network_insert(store *s, const berth_network *net, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *options = json_text(kv_to_json(&net->options));
	_cleanup_free_ char *labels = json_text(kv_to_json(&net->labels));
	const network_rec *rec = network_rec_of(net);
	int ret = prepare(s,
			  "INSERT INTO networks(id, name, driver, created_sec, created_nsec, internal, attachable,"
			  " ipv6, predefined, user_subnet, ifname, mtu, options, labels, state, owner_pid, owner_start,"
			  " made_for)"
			  " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			  &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, net->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, net->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, net->driver, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, net->created_sec);
	sqlite3_bind_int64(st, 5, net->created_nsec);
	sqlite3_bind_int(st, 6, net->internal);
	sqlite3_bind_int(st, 7, net->attachable);
	sqlite3_bind_int(st, 8, net->enable_ipv6);
	sqlite3_bind_int(st, 9, net->predefined);
	sqlite3_bind_int(st, 10, net->user_subnet);
	bind_text_or_null(st, 11, net->ifname);
	sqlite3_bind_int(st, 12, (int)net->mtu);
	sqlite3_bind_text(st, 13, options, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, labels, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, network_state_name(rec->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 16, rec->owner.pid);
	sqlite3_bind_int64(st, 17, (sqlite3_int64)rec->owner.start);
	bind_text_or_null(st, 18, net->made_for);
	if (step_done(s, st, err) < 0)
		return berth_err_wrap(err, "recording network %s", net->name);
	for (size_t i = 0; i < net->n_subnets; i++)
		if (insert_subnet(s, net->id, (int)i, &net->subnets[i], err) < 0)
			return berth_err_wrap(err, "recording network %s", net->name);
	return 0;
}

int run_on_id(store *s, const char *sql, const char *id, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, sql, &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int store_network_set_state(store *s, const char *id, network_state state, const row_owner *by, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, "UPDATE networks SET state = ?, owner_pid = ?, owner_start = ? WHERE id = ?", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, network_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, by->pid);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)by->start);
	sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int store_network_set_options(store *s, const berth_network *net, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *options = json_text(kv_to_json(&net->options));
	int ret = prepare(s, "UPDATE networks SET options = ? WHERE id = ?", &st, err);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, options, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, net->id, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

int store_network_delete(store *s, const char *id, berth_err *err)
{
	return run_on_id(s, "DELETE FROM networks WHERE id = ?", id, err);
}

const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : NULL;
}

static bool parse_subnet_row(sqlite3_stmt *st, berth_subnet *sn)
{
	const char *gw = col_text(st, 1), *range = col_text(st, 2);
	bool bad_len;

	memset(sn, 0, sizeof(*sn));
	if (!prefix_parse(col_text(st, 0), &sn->subnet, &bad_len))
		return false;
	if (gw && !addr_parse(gw, &sn->gateway))
		return false;
	sn->has_ip_range = range != NULL;
	return !range || prefix_parse(range, &sn->ip_range, &bad_len);
}

static int load_subnets(store *s, berth_network *net, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int ret = prepare(s, "SELECT subnet, gateway, ip_range FROM subnets WHERE network_id = ? ORDER BY idx", &st, err);
	int rc;

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, net->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		net->subnets = xrealloc(net->subnets, (net->n_subnets + 1) * sizeof(*net->subnets));
		if (!parse_subnet_row(st, &net->subnets[net->n_subnets]))
			return berth_err_set(err, EPROTO, "state store %s: network %s has a corrupt subnet row", s->path,
					     net->name);
		net->n_subnets++;
	}
	return rc == SQLITE_DONE ? 0 : db_error(s, err, rc, "reading subnets");
}

static berth_network *network_from_row(sqlite3_stmt *st)
{
	berth_network *net = network_alloc();
	network_rec *rec = network_rec_of(net);
	const char *ifname = col_text(st, 10);

	snprintf(net->id, sizeof(net->id), "%s", col_text(st, 0));
	net->name = xstrdup(col_text(st, 1));
	net->driver = xstrdup(col_text(st, 2));
	net->created_sec = (time_t)sqlite3_column_int64(st, 3);
	net->created_nsec = (long)sqlite3_column_int64(st, 4);
	net->internal = sqlite3_column_int(st, 5);
	net->attachable = sqlite3_column_int(st, 6);
	net->enable_ipv6 = sqlite3_column_int(st, 7);
	net->predefined = sqlite3_column_int(st, 8);
	net->user_subnet = sqlite3_column_int(st, 9);
	net->ifname = ifname ? xstrdup(ifname) : NULL;
	net->mtu = (unsigned)sqlite3_column_int(st, 11);
	kv_from_json(col_text(st, 12), &net->options);
	kv_from_json(col_text(st, 13), &net->labels);
	rec->state = network_state_from_name(col_text(st, 14));
	rec->owner.pid = sqlite3_column_int(st, 15);
	rec->owner.start = (unsigned long long)sqlite3_column_int64(st, 16);
	net->n_endpoints = (unsigned)sqlite3_column_int(st, 17);
	if (col_text(st, 18))
		net->made_for = xstrdup(col_text(st, 18));
	return net;
}

int store_network_load_all(store *s, berth_network ***out, size_t *n, berth_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	berth_network **nets = NULL;
	size_t count = 0;
	int rc, ret = prepare(s,
			      "SELECT id, name, driver, created_sec, created_nsec, internal, attachable, ipv6,"
			      " predefined, user_subnet, ifname, mtu, options, labels, state, owner_pid, owner_start,"
			      " (SELECT COUNT(*) FROM endpoints e WHERE e.network_id = n.id), made_for"
			      " FROM networks n ORDER BY name",
			      &st, err);

	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nets = xrealloc(nets, (count + 1) * sizeof(*nets));
		nets[count++] = network_from_row(st);
		if ((ret = load_subnets(s, nets[count - 1], err)) < 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_error(s, err, rc, "reading networks");
	if (ret < 0) {
		berth_network_list_free(nets, count);
		return ret;
	}
	*out = nets;
	*n = count;
	return 0;
}

