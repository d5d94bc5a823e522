#include "fw/nft.h"
#include "fw/nft_lib.h"
#include "nl/detached.h"
#include "util/cleanup.h"
#include "util/crashpoint.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct nft_runner {
	const nft_lib *lib; /* NULL: libnftables could not be loaded */
	struct nft_ctx *nft;
	bool ran; /* a transaction went to the kernel */
};

nft_runner *nft_runner_new(void)
{
	nft_runner *r = xzalloc(sizeof(*r));
	berth_err later = { 0 };

	/* a library that cannot be loaded is said by the first command run */
	if (nft_lib_get(&r->lib, &later) < 0) {
		berth_err_clear(&later);
		return r;
	}
	r->nft = r->lib->nft_ctx_new(NFT_CTX_DEFAULT);
	if (!r->nft)
		abort(); /* only fails on allocation */
	/* libnftables 1.0.6 parses a JSON buffer only with JSON output on */
	r->lib->nft_ctx_output_set_flags(r->nft, NFT_CTX_OUTPUT_JSON);
	r->lib->nft_ctx_buffer_output(r->nft);
	r->lib->nft_ctx_buffer_error(r->nft);
	return r;
}

void nft_runner_free(nft_runner *r)
{
	if (!r)
		return;
	if (r->nft)
		r->lib->nft_ctx_free(r->nft);
	free(r);
}

void nft_runner_free_detached(nft_runner *r)
{
	berth_err ignored = { 0 };
	int token = -1;

	/* failing, the close just waits here */
	if (r && r->ran && nl_hand_off_netfilter(&token, &ignored) < 0)
		berth_err_clear(&ignored);
	nft_runner_free(r);
	if (token >= 0)
		close(token);
}

/* A line of nft's error text with its cause: "LOCATION: Error: CAUSE".
 * The location means nothing here (JSON input has none: "internal:0:0-0"),
 * nor does a trailing full stop once the causes are joined. */
static bool error_cause(const char *line, size_t len, const char **cause, size_t *cause_len)
{
	const char *e = memmem(line, len, "Error: ", 7);

	if (!e)
		return false;
	*cause = e + 7;
	*cause_len = len - (size_t)(*cause - line);
	if (*cause_len && (*cause)[*cause_len - 1] == '.')
		(*cause_len)--;
	return *cause_len > 0;
}

char *nft_error_text(const char *buffer)
{
	char *text = NULL;
	size_t len;

	/* the other lines repeat the command and underline where it failed */
	for (const char *line = buffer; line && *line; line += len + (line[len] == '\n')) {
		const char *cause;
		size_t n;
		len = strcspn(line, "\n");
		if (!error_cause(line, len, &cause, &n))
			continue;
		char *more = text ? xasprintf("%s; %.*s", text, (int)n, cause) : xstrndup(cause, n);
		free(text);
		text = more;
	}
	if (text)
		return text;
	/* no cause in nft's words: its first line, whatever it says */
	len = buffer ? strcspn(buffer, "\n") : 0;
	return len ? xstrndup(buffer, len) : xstrdup("the transaction failed");
}

static int nft_failed(nft_runner *r, berth_err *err)
{
	_cleanup_free_ char *text = nft_error_text(r->lib->nft_ctx_get_error_buffer(r->nft));

	return berth_err_set(err, EIO, "nftables: %s", text);
}

static int run_text(nft_runner *r, json_t *cmds, berth_err *err)
{
	if (!r->lib)
		return nft_lib_get(&r->lib, err);
	json_t *doc = json_pack("{s:O}", "nftables", cmds);
	_cleanup_free_ char *text = json_dumps(doc, JSON_COMPACT);

	json_decref(doc);
	if (!text)
		abort();
	if (r->lib->nft_run_cmd_from_buffer(r->nft, text) != 0)
		return nft_failed(r, err);
	return 0;
}

int nft_run(nft_runner *r, json_t *cmds, berth_err *err)
{
	int ret = run_text(r, cmds, err);

	r->ran = true;
	if (ret == 0)
		crash_point("nftables");
	return ret;
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
	json_t *doc = json_loads(r->lib->nft_ctx_get_output_buffer(r->nft), 0, &jerr);
	json_t *list = doc ? json_object_get(doc, "nftables") : NULL;
	if (!json_is_array(list)) {
		json_decref(doc);
		return berth_err_set(err, EIO, "nftables: unreadable list output");
	}
	*out = json_incref(list);
	json_decref(doc);
	return 0;
}
