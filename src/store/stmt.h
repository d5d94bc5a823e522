/* Statements prepared once per connection (see stmt.c); store.c's
 * prepare() lends them, and finalizep() gives them back. */
#ifndef BERTH_STORE_STMT_H
#define BERTH_STORE_STMT_H

#include <sqlite3.h>

void stmt_cache_start(const sqlite3 *db);
/* Finalizes the kept statements: before the connection closes. */
void stmt_cache_end(const sqlite3 *db);
/* A kept statement of sql that no caller holds, lent now; NULL if none. */
sqlite3_stmt *stmt_lend(const sqlite3 *db, const char *sql);
/* Keeps st, just prepared for sql and lent to its caller (unless the
 * cache is full: then finalizep() finalizes it). */
void stmt_keep(const sqlite3 *db, const char *sql, sqlite3_stmt *st);
/* Gives a kept statement back, reset and unbound; finalizes any other. */
void finalizep(sqlite3_stmt **st);

#endif
