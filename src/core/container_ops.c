/* What berth does to containers once they exist: stop, rm, exec,
 * network connect/disconnect (their public entry points, which recover
 * first, are in core/entry.c). */
#include "core/container_ops.h"
#include "core/attach.h"
#include "core/container.h"
#include "core/recover.h"
#include "core/endpoint.h"
#include "core/firewall.h"
#include "core/resolver.h"
#include "core/sandbox.h"
#include "fw/ruleset.h"
#include "nl/nl.h"
#include "runtime/spawn.h"
#include "util/cleanup.h"
#include "util/crashpoint.h"
#include "util/err.h"
#include "util/id.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Waits up to `ms` for a process to end. A pidfd turns readable the
 * moment it dies: no polling. */
static bool wait_gone(int pid, unsigned long long start, int ms)
{
	_cleanup_close_ int fd = pid > 0 ? pidfd_open(pid, 0) : -1;

	if (fd < 0 || !proc_is_alive(pid, start))
		return !proc_is_alive(pid, start);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, ms) == 1;
}

/* Another runtime's container is the runtime's to stop, exec in and
 * connect: berth only detaches it (rm --force, as a DEL would). */
static int refuse_external(const berth_container *c, const char *what, berth_err *err)
{
	if (!c->external_id)
		return 0;
	return berth_err_set(err, EINVAL, "cannot %s container %s: it is run by another runtime, which attached it "
					  "through CNI (as %s); do it there",
			     what, c->name, c->external_id);
}

/* Stops a running container and returns once its resources are free. */
static int stop_container(berth_ctx *ctx, berth_container *c, unsigned timeout, berth_err *err)
{
	unsigned long long pid_start = container_rec_of(c)->pid_start;
	row_owner monitor = container_monitor(c);

	if (c->state != BERTH_CONTAINER_RUNNING)
		return 0;
	if (container_alive(c)) {
		kill(c->pid, SIGTERM);
		crash_point("container signalled");
		if (!wait_gone(c->pid, pid_start, (int)timeout * 1000)) {
			kill(c->pid, SIGKILL);
			wait_gone(c->pid, pid_start, 10000);
		}
	}
	/* the monitor exits once it has released the container; if it died
	 * before, recovery releases it */
	wait_gone(monitor.pid, monitor.start, 5000);
	return container_recover_named(ctx, c->id, err);
}

int container_stop(berth_ctx *ctx, const char *ref, unsigned timeout, berth_err *err)
{
	berth_container *c = NULL;
	int ret = container_find(ctx, ref, &c, err);

	if (ret == 0 && (ret = refuse_external(c, "stop", err)) == 0)
		ret = stop_container(ctx, c, timeout, err);
	berth_container_free(c);
	return ret;
}

int container_remove(berth_ctx *ctx, const char *ref, bool force, berth_err *err)
{
	berth_container *c;
	int ret = container_find(ctx, ref, &c, err);

	if (ret < 0)
		return ret;
	if (c->state == BERTH_CONTAINER_RUNNING && !force)
		ret = berth_err_set(err, EBUSY,
				    "cannot remove container \"%s\": container is running: stop the container before "
				    "removing or force remove",
				    c->name);
	else if (c->external_id) /* detached, not stopped: its processes are its runtime's */
		ret = detach_external(ctx, c->external_id, NULL, NULL, err);
	else if ((ret = stop_container(ctx, c, 0, err)) == 0)
		ret = container_forget(ctx, c, err);
	berth_container_free(c);
	return ret;
}

int container_exec(berth_ctx *ctx, const char *ref, const berth_exec_spec *spec, int *exit_code, berth_err *err)
{
	berth_container *c;
	spawn_privs privs;
	pid_t pid;
	int ret = container_find(ctx, ref, &c, err);

	if (ret < 0)
		return ret;
	ret = refuse_external(c, "exec in", err);
	if (ret == 0 && !container_alive(c)) {
		ret = berth_err_set(err, EINVAL, "container %s is not running", c->name);
	} else if (ret == 0 && (ret = container_privs(c, spec->privileged, &privs, err)) == 0) {
		char **envp = container_envp(c, spec->env, spec->n_env);
		ret = spawn_in_namespaces(c->pid, spec->argv, envp, &privs, &pid, err);
		strv_free(envp);
		if (ret == 0) {
			int status = 0;
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			*exit_code = exit_code_of(status);
		}
	}
	berth_container_free(c);
	return ret;
}

static int running_with_own_netns(const berth_container *c, berth_err *err)
{
	int ret = refuse_external(c, "connect", err);

	if (ret < 0)
		return ret;
	if (!container_alive(c))
		return berth_err_set(err, EINVAL, "container %s is not running", c->name);
	if (!strcmp(c->network_mode, "none"))
		return berth_err_set(err, EINVAL, "container %s runs with --network none: it cannot be connected to "
						  "networks",
				     c->name);
	if (!sandbox_owns_netns(c))
		return berth_err_set(err, EINVAL, "container %s shares the network namespace of %s: it cannot be "
						  "connected or disconnected",
				     c->name, !strcmp(c->network_mode, "host") ? "the host" : "another container");
	return 0;
}

static const berth_endpoint *endpoint_on(const berth_container *c, const char *net_id)
{
	for (size_t i = 0; i < c->n_endpoints; i++)
		if (!strcmp(c->endpoints[i].network_id, net_id))
			return &c->endpoints[i];
	return NULL;
}

static int connect_to(berth_ctx *ctx, berth_container *c, const berth_network *net, const berth_connect_spec *spec,
		      berth_err *err)
{
	_cleanup_free_ char *path = sandbox_netns_path(ctx, c->id);
	_cleanup_close_ int fd = -1;
	int ret;

	if (!network_takes_endpoints(net))
		return berth_err_set(err, EINVAL, "container cannot be disconnected from host network or connected to "
						  "host network");
	if (endpoint_on(c, net->id))
		return berth_err_set(err, EEXIST, "endpoint with name %s already exists in network %s", c->name,
				     net->name);
	endpoint_request req = { .net = net, .ip = spec->ip, .ip6 = spec->ip6, .aliases = spec->aliases,
				 .n_aliases = spec->n_aliases, .ordinal = container_next_ordinal(c), .default_route = c->n_endpoints == 0 };
	if ((ret = endpoint_check(&req, err)) < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err_sys(err, errno, "opening %s", path);
	c->endpoints = xrealloc(c->endpoints, (c->n_endpoints + 1) * sizeof(*c->endpoints));
	if ((ret = endpoint_attach(ctx, c, fd, &req, &c->endpoints[c->n_endpoints], err)) < 0)
		return ret;
	c->n_endpoints++;
	return resolver_configure(ctx, c, false, err);
}

int container_connect(berth_ctx *ctx, const char *net_ref, const char *container_ref, const berth_connect_spec *spec,
		      berth_err *err)
{
	berth_network *net = NULL;
	berth_container *c = NULL;
	int ret;

	if ((ret = berth_network_find(ctx, net_ref, &net, err)) == 0 &&
	    (ret = container_find(ctx, container_ref, &c, err)) == 0 &&
	    (ret = running_with_own_netns(c, err)) == 0)
		ret = connect_to(ctx, c, net, spec, err);
	berth_network_free(net);
	berth_container_free(c);
	return ret;
}

static int disconnect_from(berth_ctx *ctx, berth_container *c, const berth_network *net, bool force,
			   berth_err *err)
{
	const berth_endpoint *ep = endpoint_on(c, net->id);
	bool live = container_alive(c);

	if (!ep)
		return berth_err_set(err, ENOENT, "container %s is not connected to network %s", c->name, net->name);
	if (c->external_id && !force)
		return refuse_external(c, "disconnect", err);
	if (!live && !force && c->state == BERTH_CONTAINER_RUNNING)
		return berth_err_set(err, EINVAL, "container %s is not running", c->name);
	return container_drop_endpoint(ctx, c, (size_t)(ep - c->endpoints), err);
}

int container_disconnect(berth_ctx *ctx, const char *net_ref, const char *container_ref, bool force,
			     berth_err *err)
{
	berth_network *net = NULL;
	berth_container *c = NULL;
	int ret;

	if ((ret = berth_network_find(ctx, net_ref, &net, err)) == 0 &&
	    (ret = container_find(ctx, container_ref, &c, err)) == 0)
		ret = disconnect_from(ctx, c, net, force, err);
	/* the link's deletion overlapped the bookkeeping: gone before we return */
	int settled = nl_settle(ctx->nl, err);
	if (ret == 0)
		ret = settled;
	berth_network_free(net);
	berth_container_free(c);
	return ret;
}
