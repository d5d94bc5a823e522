/* Statements prepared once per connection. A berth command runs a few
 * dozen queries, most of them several times (every network is read five
 * times in a CNI ADD), and SQLite's parser was a quarter of the command's
 * CPU: a statement handed back is reset and kept for the next caller of
 * the same SQL.
 *
 * The cleanup of a `_cleanup_stmt_` variable knows only the statement, so
 * the connections that keep statements are listed here, under a lock: the
 * release finds the statement's through sqlite3_db_handle(). */
#include "store/stmt.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* More distinct statements than a command uses (a CNI ADD: 25); one past
 * the last is prepared and finalized as before. */
#define KEPT_MAX 64

struct kept_stmt {
	char *sql;
	sqlite3_stmt *st;
	bool lent; /* held by a caller until its release */
};

struct stmt_cache {
	const sqlite3 *db;
	struct kept_stmt kept[KEPT_MAX];
	size_t n;
	struct stmt_cache *next;
};

static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stmt_cache *caches;
static pthread_once_t fork_handlers_once = PTHREAD_ONCE_INIT;

/* A child forked while another thread of a libberth user held the lock
 * would never get it (berth's monitors and resolver close their store
 * after the fork): the lock is taken across every fork. */
static void lock_for_fork(void)
{
	pthread_mutex_lock(&caches_lock);
}

static void unlock_after_fork(void)
{
	pthread_mutex_unlock(&caches_lock);
}

static void add_fork_handlers(void)
{
	pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork);
}

static struct stmt_cache *cache_of_db(const sqlite3 *db)
{
	for (struct stmt_cache *c = caches; c; c = c->next)
		if (c->db == db)
			return c;
	return NULL;
}

void stmt_cache_start(const sqlite3 *db)
{
	struct stmt_cache *c = xzalloc(sizeof(*c));

	c->db = db;
	pthread_once(&fork_handlers_once, add_fork_handlers);
	pthread_mutex_lock(&caches_lock);
	c->next = caches;
	caches = c;
	pthread_mutex_unlock(&caches_lock);
}

/* Before the connection closes: SQLite refuses to close one with
 * statements left. */
void stmt_cache_end(const sqlite3 *db)
{
	pthread_mutex_lock(&caches_lock);
	for (struct stmt_cache **p = &caches; *p; p = &(*p)->next) {
		struct stmt_cache *c = *p;
		if (c->db != db)
			continue;
		*p = c->next;
		for (size_t i = 0; i < c->n; i++) {
			sqlite3_finalize(c->kept[i].st);
			free(c->kept[i].sql);
		}
		free(c);
		break;
	}
	pthread_mutex_unlock(&caches_lock);
}

sqlite3_stmt *stmt_lend(const sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	pthread_mutex_lock(&caches_lock);
	struct stmt_cache *c = cache_of_db(db);
	for (size_t i = 0; c && i < c->n && !st; i++) {
		struct kept_stmt *k = &c->kept[i];
		if (!k->lent && !strcmp(k->sql, sql)) {
			k->lent = true;
			st = k->st;
		}
	}
	pthread_mutex_unlock(&caches_lock);
	return st;
}

void stmt_keep(const sqlite3 *db, const char *sql, sqlite3_stmt *st)
{
	pthread_mutex_lock(&caches_lock);
	struct stmt_cache *c = cache_of_db(db);
	if (c && c->n < KEPT_MAX)
		c->kept[c->n++] = (struct kept_stmt){ .sql = xstrdup(sql), .st = st, .lent = true };
	pthread_mutex_unlock(&caches_lock);
}

/* A kept statement goes back reset, its parameters cleared, so that it
 * holds no read transaction and no caller's strings; any other is
 * finalized. */
void finalizep(sqlite3_stmt **st)
{
	if (!*st)
		return;
	pthread_mutex_lock(&caches_lock);
	struct stmt_cache *c = cache_of_db(sqlite3_db_handle(*st));
	struct kept_stmt *found = NULL;
	for (size_t i = 0; c && i < c->n && !found; i++)
		if (c->kept[i].st == *st)
			found = &c->kept[i];
	if (found) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		found->lent = false;
	} else {
		sqlite3_finalize(*st);
	}
	pthread_mutex_unlock(&caches_lock);
	*st = NULL;
}
