#include "fw/nft.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nft_runner {
	struct nft_ctx *nft;
};

nft_runner *nft_runner_new(void)
{
	nft_runner *r = xzalloc(sizeof(*r));

	r->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!r->nft)
		abort(); /* only fails on allocation */
	/* libnftables 1.0.6 parses a JSON buffer only with JSON output on */
	nft_ctx_output_set_flags(r->nft, NFT_CTX_OUTPUT_JSON);
	nft_ctx_buffer_output(r->nft);
	nft_ctx_buffer_error(r->nft);
	return r;
}

void nft_runner_free(nft_runner *r)
{
	if (!r)
		return;
	nft_ctx_free(r->nft);
	free(r);
}

/* nft's error text is several lines (message, the offending command, a
 * caret line): the first line says what went wrong. */
static int nft_failed(nft_runner *r, berth_err *err)
{
	const char *text = nft_ctx_get_error_buffer(r->nft);
	size_t len = text ? strcspn(text, "\n") : 0;
	const char *cause = len ? strstr(text, "Error: ") : NULL;

	/* "internal:0:0-0: Error: <cause>": the location means nothing here */
	if (cause && cause < text + len) {
		len -= (size_t)(cause + 7 - text);
		text = cause + 7;
	}
	return berth_err_set(err, EIO, "nftables: %.*s", (int)len, len ? text : "the transaction failed");
}

static int run_text(nft_runner *r, json_t *cmds, berth_err *err)
{
	json_t *doc = json_pack("{s:O}", "nftables", cmds);
	_cleanup_free_ char *text = json_dumps(doc, JSON_COMPACT);

	json_decref(doc);
	if (!text)
		abort();
	if (nft_run_cmd_from_buffer(r->nft, text) != 0)
		return nft_failed(r, err);
	return 0;
}

int nft_run(nft_runner *r, json_t *cmds, berth_err *err)
{
	return run_text(r, cmds, err);
}

int nft_list(nft_runner *r, json_t *cmd, json_t **out, berth_err *err)
{
	json_t *cmds = json_pack("[O]", cmd);
	int ret = run_text(r, cmds, err);
	json_error_t jerr;

	json_decref(cmds);
	*out = NULL;
	if (ret < 0)
		return ret;
	json_t *doc = json_loads(nft_ctx_get_output_buffer(r->nft), 0, &jerr);
	json_t *list = doc ? json_object_get(doc, "nftables") : NULL;
	if (!json_is_array(list)) {
		json_decref(doc);
		return berth_err_set(err, EIO, "nftables: unreadable list output");
	}
	*out = json_incref(list);
	json_decref(doc);
	return 0;
}
