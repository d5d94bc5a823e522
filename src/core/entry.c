/* The public entry points that put things right before they act or
 * refuse: opening recovers networks left by dead berth processes,
 * restores what a reboot took and checks the firewall; a command about
 * one container first cleans up after that container if its monitor
 * died, a listing after all such; and what is refused for want of
 * something such a container may still hold (a name, an address, a
 * passthru parent, a network's last endpoints) is retried once after a
 * clean-up of all. So no command about one container reads them all.
 * Nothing below this file recovers inside a lookup, and nothing below
 * calls up into it. */
#include "core/attach.h"
#include "core/staged.h"
#include "core/container.h"
#include "core/container_ops.h"
#include "core/firewall.h"
#include "core/network.h"
#include "core/pool.h"
#include "core/ports.h"
#include "core/predefined.h"
#include "core/recover.h"
#include "core/resolver.h"
#include "fw/ruleset.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Someone flushed the ruleset or reloaded a firewall: berth's table is
 * put back before the command does anything else. A table that cannot
 * be restored must not stop every command, system reconcile and network
 * rm included: said, not fatal. */
static void check_firewall(berth_ctx *ctx)
{
	bool restored = false;
	berth_err failed = { 0 };

	if (fw_check(ctx, &restored, &failed) < 0)
		ctx_warn(ctx, "the firewall table " FW_FAMILY " " FW_TABLE " could not be restored: %s", failed.msg);
	else if (restored)
		ctx_warn(ctx, "the firewall table " FW_FAMILY " " FW_TABLE " was missing or altered: restored it");
	berth_err_clear(&failed);
}

/* The resolver died: started again by the next command, which says so. */
static void revive_resolver(berth_ctx *ctx)
{
	berth_err failed = { 0 };

	if (!resolver_missing(ctx))
		return;
	if (resolver_start(ctx, &failed) == 0)
		ctx_warn(ctx, "the DNS resolver was not running (it died): started it again");
	else
		ctx_warn(ctx, "the DNS resolver was not running and could not be started: %s", failed.msg);
	berth_err_clear(&failed);
}

int berth_open(const berth_config *cfg, berth_ctx **out, berth_err *err)
{
	berth_ctx *ctx = NULL;
	int ret = ctx_open(cfg, &ctx, err);

	if (ret < 0)
		return ret;
	if ((ret = recover_abandoned(ctx, err)) < 0 || (ret = restore_after_boot(ctx, err)) < 0 ||
	    (ret = predefined_ensure(ctx, err)) < 0) {
		berth_close(ctx);
		return ret;
	}
	check_firewall(ctx);
	revive_resolver(ctx);
	*out = ctx;
	return 0;
}

int berth_open_as_is(const berth_config *cfg, berth_ctx **out, berth_err *err)
{
	return ctx_open(cfg, out, err);
}

/* After a refusal `ret`: when a dead container may be the cause, cleans
 * up after dead containers and says to try again (the refusal's error
 * cleared). A failed clean-up keeps the refusal, not its own error. */
static bool recovered_after(berth_ctx *ctx, int ret, berth_err *err)
{
	berth_err failed = { 0 };

	if (ret != -EEXIST && ret != -EADDRINUSE && ret != -ENOSPC && ret != -EBUSY)
		return false;
	if (containers_recover_quietly(ctx, &failed) < 0) {
		berth_err_clear(&failed);
		return false;
	}
	berth_err_clear(err);
	return true;
}

int berth_run(berth_ctx *ctx, const berth_run_spec *spec, berth_container **out, int *exit_code, berth_err *err)
{
	int ret = container_run(ctx, spec, out, exit_code, err);

	if (recovered_after(ctx, ret, err))
		ret = container_run(ctx, spec, out, exit_code, err);
	return ret;
}

int berth_network_connect(berth_ctx *ctx, const char *net_ref, const char *container_ref,
			  const berth_connect_spec *spec, berth_err *err)
{
	int ret = container_recover_named(ctx, container_ref, err);

	if (ret == 0 && recovered_after(ctx, ret = container_connect(ctx, net_ref, container_ref, spec, err), err))
		ret = container_connect(ctx, net_ref, container_ref, spec, err);
	return ret;
}

static int remove_found(berth_ctx *ctx, berth_network *net, berth_err *err)
{
	int ret = network_remove(ctx, net, err);

	if (recovered_after(ctx, ret, err))
		ret = network_remove(ctx, net, err);
	berth_network_free(net);
	return ret;
}

int berth_network_remove(berth_ctx *ctx, const char *ref, berth_err *err)
{
	berth_network *net = NULL;
	int ret = berth_network_find(ctx, ref, &net, err);

	if (ret == 0 && net->made_for) {
		ret = berth_err_set(err, EPERM, "network %s is dockerd's (made through berth plugin serve): use docker network rm",
				    net->name);
		berth_network_free(net);
	}
	return ret < 0 ? ret : remove_found(ctx, net, err);
}

int berth_network_remove_made_for(berth_ctx *ctx, const char *id, const char *made_for, bool orphaned,
				  berth_err *err)
{
	berth_network *net = NULL;
	int ret = berth_network_find(ctx, id, &net, err);

	if (ret == -ENOENT || (ret == 0 && strcmp(net->id, id))) {
		berth_err_clear(err); /* gone already: dockerd repeats */
		berth_network_free(net);
		return 0;
	}
	if (ret == 0 && (!net->made_for || strcmp(net->made_for, made_for))) {
		ret = berth_err_set(err, EPERM, "network %s is not %s's: berth network rm removes it", net->name,
				    made_for);
		berth_network_free(net);
	}
	if (ret < 0 || !orphaned)
		return ret < 0 ? ret : remove_found(ctx, net, err);
	size_t n = net->n_subnets;
	berth_subnet *subnets = xmemdup(net->subnets, n * sizeof(*subnets));
	if ((ret = staged_delete_on_network(ctx, net->id, err)) < 0)
		berth_network_free(net);
	else if ((ret = remove_found(ctx, net, err)) == 0)
		ret = pools_drop_subnets(ctx, subnets, n, err);
	free(subnets);
	return ret;
}

int berth_network_prune(berth_ctx *ctx, char ***names, size_t *n_names, berth_err *err)
{
	*names = NULL;
	*n_names = 0;
	/* first: prune passes over a network with endpoints without a word,
	 * so no refusal would say that a dead container holds one */
	int ret = containers_recover_quietly(ctx, err);

	if (ret == 0)
		ret = network_prune(ctx, names, n_names, err);
	if (recovered_after(ctx, ret, err))
		ret = network_prune(ctx, names, n_names, err);
	return ret;
}

int berth_container_list(berth_ctx *ctx, berth_container ***out, size_t *n, berth_err *err)
{
	int ret = containers_recover_quietly(ctx, err);

	return ret < 0 ? ret : store_container_load_all(ctx->store, out, n, err);
}

int berth_container_find(berth_ctx *ctx, const char *ref, berth_container **out, berth_err *err)
{
	int ret = container_recover_named(ctx, ref, err);

	return ret < 0 ? ret : container_find(ctx, ref, out, err);
}

int berth_container_stop(berth_ctx *ctx, const char *ref, unsigned timeout, berth_err *err)
{
	int ret = container_recover_named(ctx, ref, err);

	return ret < 0 ? ret : container_stop(ctx, ref, timeout, err);
}

int berth_container_remove(berth_ctx *ctx, const char *ref, bool force, berth_err *err)
{
	int ret = container_recover_named(ctx, ref, err);

	return ret < 0 ? ret : container_remove(ctx, ref, force, err);
}

int berth_exec(berth_ctx *ctx, const char *ref, const berth_exec_spec *spec, int *exit_code, berth_err *err)
{
	int ret = container_recover_named(ctx, ref, err);

	return ret < 0 ? ret : container_exec(ctx, ref, spec, exit_code, err);
}

int berth_network_disconnect(berth_ctx *ctx, const char *net_ref, const char *container_ref, bool force,
			     berth_err *err)
{
	int ret = container_recover_named(ctx, container_ref, err);

	return ret < 0 ? ret : container_disconnect(ctx, net_ref, container_ref, force, err);
}

int berth_attach(berth_ctx *ctx, const berth_attach_spec *spec, berth_container **out, berth_err *err)
{
	int ret = attach_external(ctx, spec, out, err);

	if (recovered_after(ctx, ret, err))
		ret = attach_external(ctx, spec, out, err);
	return ret;
}

int berth_detach(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname, berth_err *err)
{
	return detach_external(ctx, external_id, network, ifname, err);
}

int berth_endpoint_create(berth_ctx *ctx, const berth_endpoint_spec *spec, berth_endpoint **out, berth_err *err)
{
	int ret = staged_create(ctx, spec, out, err);

	if (recovered_after(ctx, ret, err))
		ret = staged_create(ctx, spec, out, err);
	return ret;
}

int berth_endpoint_join(berth_ctx *ctx, const berth_join_spec *spec, berth_endpoint **out, berth_err *err)
{
	return staged_join(ctx, spec, out, err);
}

int berth_endpoint_leave(berth_ctx *ctx, const char *endpoint_id, berth_err *err)
{
	return staged_leave(ctx, endpoint_id, err);
}

int berth_endpoint_delete(berth_ctx *ctx, const char *endpoint_id, berth_err *err)
{
	return staged_delete(ctx, endpoint_id, err);
}

int berth_endpoint_publish(berth_ctx *ctx, const char *endpoint_id, const char *const *publish, size_t n,
			   berth_err *err)
{
	int ret = staged_publish(ctx, endpoint_id, publish, n, err);

	if (recovered_after(ctx, ret, err))
		ret = staged_publish(ctx, endpoint_id, publish, n, err);
	return ret;
}

int berth_endpoint_unpublish(berth_ctx *ctx, const char *endpoint_id, berth_err *err)
{
	return staged_unpublish(ctx, endpoint_id, err);
}

int berth_ports_hold(const berth_port *ports, size_t n, int **fds, berth_err *err)
{
	return ports_hold(ports, n, fds, err);
}

int berth_endpoint_get(berth_ctx *ctx, const char *endpoint_id, berth_endpoint **out, berth_err *err)
{
	return staged_get(ctx, endpoint_id, out, err);
}

int berth_attachment_find(berth_ctx *ctx, const char *external_id, berth_container **out, berth_err *err)
{
	return attachment_find(ctx, external_id, out, err);
}

int berth_attachment_check(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
			   const char *netns_path, berth_err *err)
{
	return attachment_check(ctx, external_id, network, ifname, netns_path, err);
}
