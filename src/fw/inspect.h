/* Looking at the kernel's ruleset without changing it: whether berth's
 * table is whole, and other tables that would drop what it accepts. */
#ifndef BERTH_FW_INSPECT_H
#define BERTH_FW_INSPECT_H

#include "fw/nft.h"

#include <stdbool.h>
#include <stddef.h>

/* The table exists with berth's rules and sets (a flush by someone else
 * empties or removes them). Cheap: elements are not read. True when the
 * kernel cannot tell (the cause is in err): a table is then left alone.
 * `known` (NULL: always look) names a file that remembers the ruleset's
 * generation when the table was last found whole: while no table of the
 * namespace has changed since, it is whole without a look (every berth
 * command asks, and reading the rules was a tenth of a CNI ADD's CPU). */
bool fw_table_whole(const char *known, berth_err *err);

/* Appends to *warnings (*n of them, NULL-terminated) one for each chain of
 * another table whose forward hook has policy drop, unless `warned_file`
 * already names that chain; names it there. */
void fw_foreign_drops(nft_runner *r, const char *warned_file, char ***warnings, size_t *n);

#endif
