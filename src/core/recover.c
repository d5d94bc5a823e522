/* Putting the kernel back in line with the store: rows left half-made by
 * a berth process that died, containers whose monitor died, and kernel
 * objects that a reboot took away while the store (on disk) kept them. */
#include "core/recover.h"
#include "core/container.h"
#include "core/firewall.h"
#include "core/network.h"
#include "driver/driver.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/proc.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

bool network_abandoned(const berth_network *net)
{
	const network_rec *rec = network_rec_of(net);

	return rec->state != NETWORK_ACTIVE && !proc_is_alive(rec->owner.pid, rec->owner.start);
}

/* Under the write lock, looks again and takes the row over: what we read
 * before may be stale (its owner may have finished, then exited). */
static int claim(berth_ctx *ctx, const char *id, bool *claimed, berth_err *err)
{
	berth_network **nets = NULL;
	size_t n = 0;
	int ret = store_begin(ctx->store, err);

	*claimed = false;
	if (ret < 0)
		return ret;
	ret = store_network_load_all(ctx->store, &nets, &n, err);
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (!strcmp(nets[i]->id, id) && network_abandoned(nets[i])) {
			ret = store_network_set_state(ctx->store, id, NETWORK_REMOVING, &ctx->self, err);
			*claimed = ret == 0;
		}
	berth_network_list_free(nets, n);
	return store_end(ctx->store, ret, err);
}

int recover_abandoned(berth_ctx *ctx, berth_err *err)
{
	berth_network **nets = NULL;
	size_t n = 0;
	int ret = store_network_load_all(ctx->store, &nets, &n, err);

	/* pending: its create never finished; removing: its rm never did.
	 * Either way the network goes. */
	for (size_t i = 0; ret == 0 && i < n; i++) {
		bool claimed;
		if (!network_abandoned(nets[i]) || (ret = claim(ctx, nets[i]->id, &claimed, err)) < 0 || !claimed)
			continue;
		if ((ret = network_unmake(ctx, nets[i], err)) < 0)
			berth_err_wrap(err, "rolling back network %s left by berth process %d", nets[i]->name,
				       network_rec_of(nets[i])->owner.pid);
	}
	berth_network_list_free(nets, n);
	return ret;
}

bool network_device_missing(berth_ctx *ctx, const berth_network *net)
{
	const driver_ops *ops = driver_find(net->driver);

	/* only what is made: a pending network is its owner's to make */
	return ops && network_rec_of(net)->state == NETWORK_ACTIVE && !ops->exists(ctx->nl, net);
}

int network_restore_device(berth_ctx *ctx, berth_network *net, berth_err *err)
{
	driver_notes notes = { 0 };
	int ret = driver_find(net->driver)->create(ctx->nl, net, &notes, err);

	/* EEXIST: another berth process, started with us, restored it */
	if (ret == -EEXIST) {
		berth_err_clear(err);
		ret = 0;
	}
	driver_notes_free(&notes);
	if (ret == 0)
		ret = fw_network_up(ctx, net, err);
	return ret < 0 ? berth_err_wrap(err, "restoring network %s", net->name) : 0;
}

/* The run dir lives on tmpfs: its marker is gone after a reboot, and so
 * are the bridges. */
int restore_after_boot(berth_ctx *ctx, berth_err *err)
{
	_cleanup_free_ char *marker = xasprintf("%s/restored", ctx->run_dir);
	berth_network **nets = NULL;
	size_t n = 0;
	int ret;

	if (access(marker, F_OK) == 0)
		return 0;
	if ((ret = store_network_load_all(ctx->store, &nets, &n, err)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		berth_err one = { 0 };
		if (network_device_missing(ctx, nets[i]) && network_restore_device(ctx, nets[i], &one) < 0)
			ctx_warn(ctx, "%s", one.msg);
		berth_err_clear(&one);
	}
	berth_network_list_free(nets, n);
	_cleanup_close_ int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return berth_err_sys(err, errno, "creating %s", marker);
	return 0;
}

static bool owner_gone(const berth_container *c)
{
	row_owner monitor = container_monitor(c);

	return !proc_is_alive(monitor.pid, monitor.start);
}

orphan orphan_of(const berth_container *c)
{
	if (!owner_gone(c))
		return NOT_ORPHAN;
	if (c->state == BERTH_CONTAINER_CREATED)
		return HALF_MADE;
	return c->state == BERTH_CONTAINER_RUNNING && !container_alive(c) ? UNWATCHED_DEAD : NOT_ORPHAN;
}

/* Under the write lock, looks again and becomes the owner: what we read
 * before may be stale (its monitor may have released it, then exited). */
static int claim_orphan(berth_ctx *ctx, const char *id, berth_container **out, orphan *kind, berth_err *err)
{
	berth_container **cs = NULL;
	size_t n = 0;
	int ret = store_begin(ctx->store, err);

	*kind = NOT_ORPHAN;
	if (ret < 0)
		return ret;
	ret = store_container_candidates(ctx->store, id, &cs, &n, err);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (strcmp(cs[i]->id, id) || (*kind = orphan_of(cs[i])) == NOT_ORPHAN)
			continue;
		container_set_monitor(cs[i], ctx->self);
		if ((ret = store_container_update(ctx->store, cs[i], err)) == 0)
			*out = steal_ptr(cs[i]);
	}
	berth_container_list_free(cs, n);
	return store_end(ctx->store, ret, err);
}

/* Takes over the orphan `id` and releases it; *fixed says what was done
 * (NULL when another process got there first). */
static int recover_orphan(berth_ctx *ctx, const char *id, char **fixed, berth_err *err)
{
	berth_container *c = NULL;
	orphan kind;
	int ret = claim_orphan(ctx, id, &c, &kind, err);

	*fixed = NULL;
	if (ret < 0 || !c)
		return ret;
	/* the exit code died with the monitor; 255 says "unknown" */
	c->auto_remove |= kind == HALF_MADE;
	ret = container_release(ctx, c, 255, err);
	*fixed = xasprintf("container %s: %s", c->name,
			   kind == HALF_MADE    ? "left half-made by a dead berth process, removed"
			   : c->external_id ? "its network namespace is gone and its runtime never detached it, released"
					      : "exited while its monitor was dead, released");
	berth_container_free(c);
	return ret;
}

int containers_recover(berth_ctx *ctx, char ***fixed, size_t *n_fixed, berth_err *err)
{
	berth_container **cs = NULL;
	size_t n = 0;
	int ret = store_container_load_all(ctx->store, &cs, &n, err);

	*fixed = NULL;
	*n_fixed = 0;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		char *line;
		if (orphan_of(cs[i]) == NOT_ORPHAN)
			continue;
		ret = recover_orphan(ctx, cs[i]->id, &line, err);
		if (!line)
			continue;
		*fixed = xrealloc(*fixed, (*n_fixed + 1) * sizeof(**fixed));
		(*fixed)[(*n_fixed)++] = line;
	}
	berth_container_list_free(cs, n);
	return ret;
}

int container_recover_named(berth_ctx *ctx, const char *ref, berth_err *err)
{
	berth_container *c = NULL;
	char *line = NULL;
	int ret = container_find(ctx, ref, &c, err);

	/* a reference to nothing, or to several, is the command's to report */
	if (ret == -ENOENT || ret == -EINVAL) {
		berth_err_clear(err);
		return 0;
	}
	if (ret == 0 && orphan_of(c) != NOT_ORPHAN)
		ret = recover_orphan(ctx, c->id, &line, err);
	free(line);
	berth_container_free(c);
	return ret;
}

int containers_recover_quietly(berth_ctx *ctx, berth_err *err)
{
	char **fixed;
	size_t n;
	int ret = containers_recover(ctx, &fixed, &n, err);

	for (size_t i = 0; i < n; i++)
		free(fixed[i]);
	free(fixed);
	return ret;
}
