/* Shared by the store's files; not for other layers. */
#ifndef BERTH_STORE_INTERNAL_H
#define BERTH_STORE_INTERNAL_H

#include "store/stmt.h"
#include "store/store.h"
#include "util/cleanup.h"

#include <sqlite3.h>

struct store {
	sqlite3 *db;
	char *path;
};

int db_error(store *s, berth_err *err, int rc, const char *what);
int exec_sql(store *s, const char *sql, berth_err *err);
/* Statements are prepared once per connection (store/stmt.c): prepare()
 * lends one, and the cleanup of a _cleanup_stmt_ variable gives it back. */
int prepare(store *s, const char *sql, sqlite3_stmt **st, berth_err *err);
#define _cleanup_stmt_ _cleanup_(finalizep)
/* Runs a statement that returns no rows; a constraint is -EEXIST. */
int step_done(store *s, sqlite3_stmt *st, berth_err *err);
/* step_done for `sql` with one parameter, `id`. */
int run_on_id(store *s, const char *sql, const char *id, berth_err *err);
/* For lookups that answer "none" when the database cannot be asked:
 * prepares sql, false (and no statement) on failure. */
bool prepare_or_none(store *s, const char *sql, sqlite3_stmt **st);
/* The first column of the first row, copied; NULL without a row. */
char *first_text(sqlite3_stmt *st);
void bind_text_or_null(sqlite3_stmt *st, int i, const char *v);
const char *col_text(sqlite3_stmt *st, int i);
/* `PRAGMA pragma`'s value ("user_version", "data_version"). */
int pragma_value(store *s, const char *pragma, long long *value, berth_err *err);

#endif
