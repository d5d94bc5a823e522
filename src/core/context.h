/* What one berth invocation holds open: the state store, a netlink socket
 * and where state and runtime files live. */
#ifndef BERTH_CORE_CONTEXT_H
#define BERTH_CORE_CONTEXT_H

#include "berth.h"
#include "nl/nl.h"
#include "store/store.h"
#include "util/model.h"

struct berth_ctx {
	char *root;
	char *run_dir;
	store *store;
	nl_sock *nl;
	struct nft_runner *nft; /* made on first use (fw/nft.h) */
	bool fw_restored;	/* opening found the firewall table broken and rebuilt it */
	row_owner self; /* this process, to own the rows it changes */
	char **warnings; /* for the front end to show; the library never prints */
	size_t n_warnings;

};

/* The context alone: directories, the store, a netlink socket; nothing
 * put right (berth_open, core/entry.c, does that on top). What a monitor
 * needs, and all it opens. */
int ctx_open(const berth_config *cfg, berth_ctx **out, berth_err *err);
void ctx_warn(berth_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
