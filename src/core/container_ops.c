/* What berth does to containers once they exist: find, list, stop, rm,
 * exec, network connect/disconnect, and cleaning up after dead monitors. */
#include "core/container.h"
#include "core/endpoint.h"
#include "core/firewall.h"
#include "core/sandbox.h"
#include "fw/ruleset.h"
#include "nl/nl.h"
#include "runtime/spawn.h"
#include "util/cleanup.h"
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

int berth_container_list(berth_ctx *ctx, berth_container ***out, size_t *n, berth_err *err)
{
	int ret = containers_recover_quietly(ctx, err);

	return ret < 0 ? ret : store_container_load_all(ctx->store, out, n, err);
}

/* Docker's order: full ID, exact name, then a unique ID prefix. */
int berth_container_find(berth_ctx *ctx, const char *ref, berth_container **out, berth_err *err)
{
	berth_container **cs;
	size_t n, found = SIZE_MAX, matches = 0;
	int ret = berth_container_list(ctx, &cs, &n, err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n && found == SIZE_MAX; i++)
		if (!strcmp(cs[i]->id, ref) || !strcmp(cs[i]->name, ref))
			found = i;
	for (size_t i = 0; found == SIZE_MAX && is_hex_string(ref) && i < n; i++)
		matches += !strncmp(cs[i]->id, ref, strlen(ref));
	for (size_t i = 0; matches == 1 && found == SIZE_MAX && i < n; i++)
		if (!strncmp(cs[i]->id, ref, strlen(ref)))
			found = i;
	if (matches > 1)
		ret = berth_err_set(err, EINVAL, "container %s is ambiguous (%zu matches found based on ID prefix)", ref,
				    matches);
	else if (found == SIZE_MAX)
		ret = berth_err_set(err, ENOENT, "No such container: %s", ref);
	else
		*out = steal_ptr(cs[found]);
	berth_container_list_free(cs, n);
	return ret;
}

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

/* Stops a running container and returns once its resources are free. */
static int stop_container(berth_ctx *ctx, berth_container *c, unsigned timeout, berth_err *err)
{
	if (strcmp(c->state, "running"))
		return 0;
	if (container_alive(c)) {
		kill(c->pid, SIGTERM);
		if (!wait_gone(c->pid, c->pid_start, (int)timeout * 1000)) {
			kill(c->pid, SIGKILL);
			wait_gone(c->pid, c->pid_start, 10000);
		}
	}
	/* the monitor exits once it has released the container; if it died
	 * before, recovery releases it */
	wait_gone(c->owner_pid, c->owner_start, 5000);
	return containers_recover_quietly(ctx, err);
}

int berth_container_stop(berth_ctx *ctx, const char *ref, unsigned timeout, berth_err *err)
{
	berth_container *c = NULL;
	int ret = berth_container_find(ctx, ref, &c, err);

	if (ret == 0)
		ret = stop_container(ctx, c, timeout, err);
	berth_container_free(c);
	return ret;
}

int berth_container_remove(berth_ctx *ctx, const char *ref, bool force, berth_err *err)
{
	berth_container *c;
	int ret = berth_container_find(ctx, ref, &c, err);

	if (ret < 0)
		return ret;
	if (!strcmp(c->state, "running") && !force)
		ret = berth_err_set(err, EBUSY,
				    "cannot remove container \"%s\": container is running: stop the container before "
				    "removing or force remove",
				    c->name);
	else if ((ret = stop_container(ctx, c, 0, err)) == 0)
		ret = container_forget(ctx, c, err);
	berth_container_free(c);
	return ret;
}

static bool owner_gone(const berth_container *c)
{
	return !proc_is_alive(c->owner_pid, c->owner_start);
}

typedef enum orphan { NOT_ORPHAN, HALF_MADE, UNWATCHED_DEAD } orphan;

static orphan orphan_of(const berth_container *c)
{
	if (!owner_gone(c))
		return NOT_ORPHAN;
	if (!strcmp(c->state, "created"))
		return HALF_MADE;
	return !strcmp(c->state, "running") && !container_alive(c) ? UNWATCHED_DEAD : NOT_ORPHAN;
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
	ret = store_container_load_all(ctx->store, &cs, &n, err);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (strcmp(cs[i]->id, id) || (*kind = orphan_of(cs[i])) == NOT_ORPHAN)
			continue;
		cs[i]->owner_pid = ctx->pid;
		cs[i]->owner_start = ctx->start_time;
		if ((ret = store_container_update(ctx->store, cs[i], err)) == 0)
			*out = steal_ptr(cs[i]);
	}
	berth_container_list_free(cs, n);
	return store_end(ctx->store, ret, err);
}

int containers_recover(berth_ctx *ctx, char ***fixed, size_t *n_fixed, berth_err *err)
{
	berth_container **cs = NULL;
	size_t n = 0;
	int ret = store_container_load_all(ctx->store, &cs, &n, err);

	*fixed = NULL;
	*n_fixed = 0;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		berth_container *c = NULL;
		orphan kind;
		if (orphan_of(cs[i]) == NOT_ORPHAN || (ret = claim_orphan(ctx, cs[i]->id, &c, &kind, err)) < 0 || !c)
			continue;
		/* the exit code died with the monitor; 255 says "unknown" */
		c->auto_remove |= kind == HALF_MADE;
		if (container_release(ctx, c, 255, err) < 0)
			ret = -err->code;
		*fixed = xrealloc(*fixed, (*n_fixed + 1) * sizeof(**fixed));
		(*fixed)[(*n_fixed)++] = xasprintf("container %s: %s", c->name,
						   kind == HALF_MADE ? "left half-made by a dead berth process, removed"
								     : "exited while its monitor was dead, released");
		berth_container_free(c);
	}
	berth_container_list_free(cs, n);
	return ret;
}

int berth_reconcile(berth_ctx *ctx, char ***fixed, size_t *n, berth_err *err)
{
	/* containers started from now on see the host's mounts as they are
	 * now, even those a private mount tree did not propagate */
	int ret = sandbox_drop_mount_template(ctx, err);
	char **fw = NULL;
	size_t n_fw = 0;

	if (ret == 0)
		ret = containers_recover(ctx, fixed, n, err);
	/* after the containers: a released one's ports are gone from the store */
	if (ret == 0)
		ret = fw_reconcile(ctx, &fw, &n_fw, err);
	if (ctx->fw_restored) {
		*fixed = xrealloc(*fixed, (*n + 1) * sizeof(**fixed));
		(*fixed)[(*n)++] = xstrdup("firewall: table " FW_FAMILY " " FW_TABLE
					   " was missing or altered: rebuilt from the store");
	}
	*fixed = xrealloc(*fixed, (*n + n_fw + 1) * sizeof(**fixed));
	for (size_t i = 0; i < n_fw; i++)
		(*fixed)[(*n)++] = fw[i];
	free(fw);
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

int berth_exec(berth_ctx *ctx, const char *ref, char *const *argv, const char *const *env, size_t n_env,
	       int *exit_code, berth_err *err)
{
	berth_container *c;
	pid_t pid;
	int ret = berth_container_find(ctx, ref, &c, err);

	if (ret < 0)
		return ret;
	if (!container_alive(c)) {
		ret = berth_err_set(err, EINVAL, "container %s is not running", c->name);
	} else {
		char **envp = container_envp(c, env, n_env);
		ret = spawn_in_namespaces(c->pid, argv, envp, &pid, err);
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

static int connect_to(berth_ctx *ctx, berth_container *c, const berth_network *net, const char *ip,
		      const char *const *aliases, size_t n_aliases, berth_err *err)
{
	_cleanup_free_ char *path = sandbox_netns_path(ctx, c->id);
	_cleanup_close_ int fd = -1;
	int next = 0, ret;

	if (!network_takes_endpoints(net))
		return berth_err_set(err, EINVAL, "container cannot be disconnected from host network or connected to "
						  "host network");
	if (endpoint_on(c, net->id))
		return berth_err_set(err, EEXIST, "endpoint with name %s already exists in network %s", c->name,
				     net->name);
	for (size_t i = 0; i < c->n_endpoints; i++)
		if (c->endpoints[i].ordinal >= next)
			next = c->endpoints[i].ordinal + 1;
	endpoint_request req = { .net = net, .ip = ip, .aliases = aliases, .n_aliases = n_aliases,
				 .ordinal = next, .default_route = c->n_endpoints == 0 };
	if ((ret = endpoint_check(&req, err)) < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err_sys(err, errno, "opening %s", path);
	c->endpoints = xrealloc(c->endpoints, (c->n_endpoints + 1) * sizeof(*c->endpoints));
	if ((ret = endpoint_attach(ctx, c, fd, &req, &c->endpoints[c->n_endpoints], err)) < 0)
		return ret;
	c->n_endpoints++;
	return sandbox_write_etc(ctx, c, err);
}

int berth_network_connect(berth_ctx *ctx, const char *net_ref, const char *container_ref, const char *ip,
			  const char *const *aliases, size_t n_aliases, berth_err *err)
{
	berth_network *net = NULL;
	berth_container *c = NULL;
	int ret;

	if ((ret = berth_network_find(ctx, net_ref, &net, err)) == 0 &&
	    (ret = berth_container_find(ctx, container_ref, &c, err)) == 0 &&
	    (ret = running_with_own_netns(c, err)) == 0)
		ret = connect_to(ctx, c, net, ip, aliases, n_aliases, err);
	berth_network_free(net);
	berth_container_free(c);
	return ret;
}

static int disconnect_from(berth_ctx *ctx, berth_container *c, const berth_network *net, bool force,
			   berth_err *err)
{
	const berth_endpoint *ep = endpoint_on(c, net->id);
	bool live = container_alive(c);
	int ret;

	if (!ep)
		return berth_err_set(err, ENOENT, "container %s is not connected to network %s", c->name, net->name);
	if (!live && !force && !strcmp(c->state, "running"))
		return berth_err_set(err, EINVAL, "container %s is not running", c->name);
	size_t i = (size_t)(ep - c->endpoints);
	/* published ports lead to the first network's address: not past it */
	if (i == 0 && c->n_ports && (ret = fw_ports_unpublish(ctx, c->id, err)) < 0)
		return ret;
	if ((ret = endpoint_detach(ctx, ep, live, err)) < 0)
		return ret;
	strv_free(c->endpoints[i].aliases);
	memmove(&c->endpoints[i], &c->endpoints[i + 1], (c->n_endpoints - i - 1) * sizeof(*c->endpoints));
	c->n_endpoints--;
	return live ? sandbox_write_etc(ctx, c, err) : 0;
}

int berth_network_disconnect(berth_ctx *ctx, const char *net_ref, const char *container_ref, bool force,
			     berth_err *err)
{
	berth_network *net = NULL;
	berth_container *c = NULL;
	int ret;

	if ((ret = berth_network_find(ctx, net_ref, &net, err)) == 0 &&
	    (ret = berth_container_find(ctx, container_ref, &c, err)) == 0)
		ret = disconnect_from(ctx, c, net, force, err);
	/* the link's deletion overlapped the bookkeeping: gone before we return */
	int settled = nl_settle(ctx->nl, err);
	if (ret == 0)
		ret = settled;
	berth_network_free(net);
	berth_container_free(c);
	return ret;
}
