/* How the berth table in the kernel differs from what a rebuild from the
 * store puts in: one line per set or map that differs, for `system
 * reconcile` to report. */
#ifndef BERTH_FW_DIFF_H
#define BERTH_FW_DIFF_H

#include "fw/nft.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends to *lines (*n of them, NULL-terminated) a line for each set or
 * map whose elements in `listing` (the "nftables" array of a JSON listing
 * of the table; NULL when there is no table) are not those that `cmds` (a
 * rebuild's commands) add. Pure. */
void fw_diff_listing(json_t *listing, json_t *cmds, char ***lines, size_t *n);

/* The same for the table the kernel holds now. */
void fw_diff_table(nft_runner *r, json_t *cmds, char ***lines, size_t *n);

/* One owner's elements (a network's, a container's published ports), as
 * the "add" element commands of a rebuild. */
typedef struct fw_owner {
	json_t *cmds;
	bool required; /* they must be there; else (being made or removed) they may */
} fw_owner;

/* An element that differs: wanted by owners[owner] and not in the kernel,
 * or in the kernel and wanted by none (owner -1). */
typedef struct fw_elem_diff {
	const char *set;
	char *text; /* as nft writes it: "tcp . 8080 : 10.0.0.2" */
	long owner;
} fw_elem_diff;

/* The elements of `listing` (the "nftables" array of a JSON listing of
 * the table) that differ from what the owners want, set by set in the
 * ruleset's order. Pure. */
void fw_diff_owners(json_t *listing, const fw_owner *owners, size_t n_owners, fw_elem_diff **out, size_t *n);
void fw_elem_diffs_free(fw_elem_diff *d, size_t n);

#endif
