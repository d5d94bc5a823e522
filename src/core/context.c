#include "core/context.h"
#include "fw/nft.h"
#include "util/cleanup.h"
#include "util/dir.h"
#include "util/err.h"
#include "util/proc.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_ROOT "/var/lib/berth"
#define DEFAULT_RUN_DIR "/run/berth"

static const char *pick(const char *flag, const char *env, const char *fallback)
{
	const char *v = flag ? flag : getenv(env);

	return v && *v ? v : fallback;
}

/* mkdir -p, private to root: the store and netns mounts are not for others. */
static int make_dir(const char *path, berth_err *err)
{
	_cleanup_free_ char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return berth_err_sys(err, errno, "creating directory %s", copy);
		*p = '/';
	}
	return dir_ensure_own(copy, 0700, err);
}

static int open_resources(berth_ctx *ctx, berth_err *err)
{
	_cleanup_free_ char *db = xasprintf("%s/berth.db", ctx->root);
	int ret;

	if ((ret = make_dir(ctx->root, err)) < 0 || (ret = make_dir(ctx->run_dir, err)) < 0)
		return ret;
	if ((ret = store_open(db, &ctx->store, err)) < 0)
		return ret;
	return nl_open(&ctx->nl, err);
}

int ctx_open(const berth_config *cfg, berth_ctx **out, berth_err *err)
{
	berth_ctx *ctx = xzalloc(sizeof(*ctx));
	int ret;

	ctx->root = xstrdup(pick(cfg ? cfg->root : NULL, "BERTH_ROOT", DEFAULT_ROOT));
	ctx->run_dir = xstrdup(pick(cfg ? cfg->run_dir : NULL, "BERTH_RUNDIR", DEFAULT_RUN_DIR));
	ctx->self.pid = getpid();
	ctx->self.start = proc_start_time(ctx->self.pid);
	if ((ret = open_resources(ctx, err)) < 0) {
		berth_close(ctx);
		return ret;
	}
	*out = ctx;
	return 0;
}

void ctx_warn(berth_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx->warnings = xrealloc(ctx->warnings, (ctx->n_warnings + 1) * sizeof(*ctx->warnings));
	ctx->warnings[ctx->n_warnings++] = xvasprintf(fmt, ap);
	va_end(ap);
}

const char *const *berth_warnings(berth_ctx *ctx, size_t *n)
{
	*n = ctx->n_warnings;
	return (const char *const *)ctx->warnings;
}

void berth_close(berth_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < ctx->n_warnings; i++)
		free(ctx->warnings[i]);
	free(ctx->warnings);

	store_close(ctx->store);
	nl_close(ctx->nl);
	nft_runner_free_detached(ctx->nft);
	free(ctx->root);
	free(ctx->run_dir);
	free(ctx);
}
