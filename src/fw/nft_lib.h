/* libnftables, opened when berth first writes or lists the table, not
 * when a berth process starts: with what it pulls in (libnftnl,
 * libxtables, libgmp) it cost every process 0.45 ms before main, and most
 * never use it (a CNI ADD or DEL without ports, ps, inspect, the DNS
 * resolver). The functions fw/nft.c calls, by the names libnftables
 * gives them. */
#ifndef BERTH_FW_NFT_LIB_H
#define BERTH_FW_NFT_LIB_H

#include "berth.h"

#include <nftables/libnftables.h>

typedef struct nft_lib {
	struct nft_ctx *(*nft_ctx_new)(uint32_t flags);
	void (*nft_ctx_free)(struct nft_ctx *ctx);
	void (*nft_ctx_output_set_flags)(struct nft_ctx *ctx, unsigned int flags);
	int (*nft_ctx_buffer_output)(struct nft_ctx *ctx);
	int (*nft_ctx_buffer_error)(struct nft_ctx *ctx);
	const char *(*nft_ctx_get_output_buffer)(struct nft_ctx *ctx);
	const char *(*nft_ctx_get_error_buffer)(struct nft_ctx *ctx);
	int (*nft_run_cmd_from_buffer)(struct nft_ctx *nft, const char *buf);
} nft_lib;

/* The library, loaded once (thread-safe); -ELIBACC, with the loader's
 * reason, when it cannot be. */
int nft_lib_get(const nft_lib **out, berth_err *err);

/* The soname opened: the one berth was built against. */
#define NFT_LIB_SONAME "libnftables.so.1"

#endif
