/* Putting the kernel back in line with the store at start-up: rows left
 * half-made by a berth process that died, and kernel objects that a
 * reboot took away while the store (on disk) kept them. */
#include "core/context.h"
#include "core/firewall.h"
#include "driver/driver.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/proc.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static bool abandoned(const berth_network *net)
{
	return strcmp(net->state, "active") && !proc_is_alive(net->owner_pid, net->owner_start);
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
		if (!strcmp(nets[i]->id, id) && abandoned(nets[i])) {
			ret = store_network_set_state(ctx->store, id, "removing", ctx->pid, ctx->start_time, err);
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
		if (!abandoned(nets[i]) || (ret = claim(ctx, nets[i]->id, &claimed, err)) < 0 || !claimed)
			continue;
		if ((ret = network_unmake(ctx, nets[i], err)) < 0)
			berth_err_wrap(err, "rolling back network %s left by berth process %d", nets[i]->name,
				       nets[i]->owner_pid);
	}
	berth_network_list_free(nets, n);
	return ret;
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
		const driver_ops *ops = driver_find(nets[i]->driver);
		berth_err one = { 0 };
		/* only what is made: a pending network is its owner's to make */
		if (!ops || strcmp(nets[i]->state, "active") || ops->exists(ctx->nl, nets[i]))
			continue;
		/* EEXIST: another berth process, started with us, restored it */
		driver_notes notes = { 0 };
		if ((ops->create(ctx->nl, nets[i], &notes, &one) < 0 && one.code != EEXIST) ||
		    fw_network_up(ctx, nets[i], &one) < 0)
			ctx_warn(ctx, "restoring network %s: %s", nets[i]->name, one.msg);
		driver_notes_free(&notes);
		berth_err_clear(&one);
	}
	berth_network_list_free(nets, n);
	_cleanup_close_ int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return berth_err_sys(err, errno, "creating %s", marker);
	return 0;
}
