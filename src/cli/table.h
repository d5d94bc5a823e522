/* Docker's table output (Go tabwriter with minwidth 10, padding 3). */
#ifndef BERTH_CLI_TABLE_H
#define BERTH_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef struct table table;

table *table_new(size_t columns, const char *const *header);
/* Copies the cells. */
void table_add(table *t, const char *const *cells);
void table_print(table *t, FILE *out);
void table_free(table *t);

#endif
