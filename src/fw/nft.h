/* Running nftables commands through libnftables, as JSON built with
 * jansson: no user string is ever pasted into nft's text syntax. */
#ifndef BERTH_FW_NFT_H
#define BERTH_FW_NFT_H

#include "berth.h"

#include <jansson.h>

typedef struct nft_runner nft_runner;

nft_runner *nft_runner_new(void);
void nft_runner_free(nft_runner *r);
/* The same, for a process about to end: when a transaction of its went to
 * the kernel, the sockets' last close (which waits for the kernel to
 * finish it, 10-20 ms) is left to a detached process
 * (nl_hand_off_netfilter), not waited for here. */
void nft_runner_free_detached(nft_runner *r);

/* Runs `cmds` (a JSON array of nft commands: {"add": {...}}, ...) as one
 * transaction: all of it or nothing. The kernel's complaint, if any, is
 * in the error. Steals nothing: the caller still owns cmds. */
int nft_run(nft_runner *r, json_t *cmds, berth_err *err);

/* Runs one "list" command and returns the parsed JSON output ("nftables"
 * array) in *out (caller's reference). */
int nft_list(nft_runner *r, json_t *cmd, json_t **out, berth_err *err);

/* libnftables' error text as one line: the cause of each error it
 * reports (a batch can fail for several reasons, and a JSON parse error
 * names the failing command's index), joined with "; ". Caller frees. */
char *nft_error_text(const char *buffer);

#endif
