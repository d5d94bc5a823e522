/* How the berth table in the kernel differs from what a rebuild from the
 * store puts in: one line per set or map that differs, for `system
 * reconcile` to report. */
#ifndef BERTH_FW_DIFF_H
#define BERTH_FW_DIFF_H

#include "fw/nft.h"

#include <jansson.h>
#include <stddef.h>

/* Appends to *lines (*n of them, NULL-terminated) a line for each set or
 * map whose elements in `listing` (the "nftables" array of a JSON listing
 * of the table; NULL when there is no table) are not those that `cmds` (a
 * rebuild's commands) add. Pure. */
void fw_diff_listing(json_t *listing, json_t *cmds, char ***lines, size_t *n);

/* The same for the table the kernel holds now. */
void fw_diff_table(nft_runner *r, json_t *cmds, char ***lines, size_t *n);

#endif
