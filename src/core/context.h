/* What one berth invocation holds open: the state store, a netlink socket
 * and where state and runtime files live. */
#ifndef BERTH_CORE_CONTEXT_H
#define BERTH_CORE_CONTEXT_H

#include "berth.h"
#include "nl/nl.h"
#include "store/store.h"

struct berth_ctx {
	char *root;
	char *run_dir;
	store *store;
	nl_sock *nl;
	struct nft_runner *nft; /* made on first use (fw/nft.h) */
	bool fw_restored;	/* opening found the firewall table broken and rebuilt it */
	int pid;
	unsigned long long start_time; /* of this process, to own pending rows */
	char **warnings; /* for the front end to show; the library never prints */
	size_t n_warnings;

};

void ctx_warn(berth_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Predefined networks (core/predefined.c). */
int predefined_ensure(berth_ctx *ctx, berth_err *err);

/* Crash recovery and restore after a reboot (core/recover.c). */
int recover_abandoned(berth_ctx *ctx, berth_err *err);
int restore_after_boot(berth_ctx *ctx, berth_err *err);

/* Shared by create, predefined and recovery (core/network.c). */
int network_add(berth_ctx *ctx, berth_network *net, berth_err *err);
int network_unmake(berth_ctx *ctx, const berth_network *net, berth_err *err);
/* A new network with a random 64-hex ID, created now. */
berth_network *network_new(void);

#endif
