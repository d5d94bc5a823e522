/* berth run: check everything, record the container, build its sandbox
 * and endpoints, start it, and watch it until it exits (the monitor). */
#include "core/container.h"
#include "core/ports.h"
#include "core/endpoint.h"
#include "core/firewall.h"
#include "core/fw_guard.h"
#include "core/resolver.h"
#include "core/resolv_conf.h"
#include "core/port_spec.h"
#include "core/sandbox.h"
#include "driver/driver.h"
#include "ipam/pool.h"
#include "runtime/caps.h"
#include "runtime/netns.h"
#include "runtime/spawn.h"
#include "runtime/wait.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/id.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Another runtime's container lives as long as its namespace does: the
 * path it gave still names it (Podman's /run/netns file, containerd's
 * /proc/PID/ns/net), or, should that path be out of sight (another mount
 * namespace), some process is still in it. berth's own bind of it does
 * not count. */
static bool external_alive(const berth_container *c)
{
	const container_rec *rec = container_rec_of(c);
	netns_id id = { rec->netns_dev, rec->netns_ino };

	/* joined before its namespace was made (dockerd's): the runtime's
	 * Leave ends it, or the plugin's pass over networks dockerd dropped */
	if (!id.dev && !id.ino)
		return true;
	return netns_path_is(c->external_netns, &id) || netns_in_use(&id);
}

bool container_alive(const berth_container *c)
{
	if (c->external_id)
		return external_alive(c);
	return c->pid > 0 && proc_is_alive(c->pid, container_rec_of(c)->pid_start);
}

bool container_name_valid(const char *name)
{
	bool ok = name && isalnum((unsigned char)name[0]) && strlen(name) > 1;

	for (const char *p = ok ? name + 1 : ""; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr("_.-", *p);
	return ok;
}

int container_next_ordinal(const berth_container *c)
{
	int next = 0;

	for (size_t i = 0; i < c->n_endpoints; i++)
		if (c->endpoints[i].ordinal >= next)
			next = c->endpoints[i].ordinal + 1;
	return next;
}

static int check_container_name(const char *name, berth_err *err)
{
	if (!container_name_valid(name))
		return berth_err_set(err, EINVAL, "invalid container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				     name);
	return 0;
}

/* The store and inspect keep them as JSON, which carries UTF-8 only, as
 * Docker's API does: anything else would be lost on the way. */
static int check_text(const berth_run_spec *spec, berth_err *err)
{
	for (size_t i = 0; i < spec->argc; i++)
		if (!utf8_valid(spec->argv[i]))
			return berth_err_set(err, EINVAL, "invalid argument %zu of the command: not valid UTF-8", i + 1);
	for (size_t i = 0; i < spec->n_env; i++)
		if (!utf8_valid(spec->env[i]))
			return berth_err_set(err, EINVAL, "invalid environment variable %zu: not valid UTF-8", i + 1);
	return 0;
}

static bool is_hostname_label(const char *label, size_t len)
{
	if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)label[i]) && label[i] != '-')
			return false;
	return true;
}

/* RFC 1123 host names, as the kernel takes them (at most HOST_NAME_MAX,
 * 64 bytes): the name also goes into the container's /etc/hosts, where a
 * newline or a blank would add a line or an alias of the caller's. */
static int check_hostname(const char *name, berth_err *err)
{
	bool ok = strlen(name) <= HOST_NAME_MAX;
	size_t len;

	for (const char *label = name; ok; label += len + 1) {
		len = strcspn(label, ".");
		ok = is_hostname_label(label, len);
		if (!label[len])
			break;
	}
	if (ok)
		return 0;
	_cleanup_free_ char *shown = text_escaped(name);
	return berth_err_set(err, EINVAL,
			     "invalid hostname \"%s\": expected RFC 1123 labels of letters, digits and '-' (not first or "
			     "last), at most 63 characters each, joined by '.', %d characters in all",
			     shown, HOST_NAME_MAX);
}

static int check_env(const berth_run_spec *spec, berth_err *err)
{
	for (size_t i = 0; i < spec->n_env; i++)
		if (!strchr(spec->env[i], '=') || spec->env[i][0] == '=')
			return berth_err_set(err, EINVAL, "invalid environment variable \"%s\": expected KEY=VALUE",
					     spec->env[i]);
	return 0;
}

/* What --network asks for, resolved before anything changes. */
typedef struct net_choice {
	berth_network *net;	/* a bridge network, or NULL */
	berth_container *peer; /* container:NAME */
	char *mode;
	berth_port *ports; /* -p, parsed */
	size_t n_ports;
} net_choice;

static void net_choice_free(net_choice *ch)
{
	berth_network_free(ch->net);
	berth_container_free(ch->peer);
	free(ch->mode);
	free(ch->ports);
}

/* -p: Docker's syntax and, per network mode, Docker's answers. */
/* A port of a family the network has no address of leads nowhere. */
static int check_port_family(const berth_network *net, const berth_port *p, berth_err *err)
{
	if (ipam_subnet_of(net->subnets, net->n_subnets, p->host_ip.family))
		return 0;
	char a[BERTH_ADDR_STRLEN];
	berth_addr_format(&p->host_ip, a);
	if (p->host_ip.family == AF_INET6)
		return berth_err_set(err, EINVAL, "cannot publish on [%s]: network %s has no IPv6 (create it with --ipv6)",
				     a, net->name);
	return berth_err_set(err, EINVAL, "cannot publish on %s: network %s is IPv6-only", a, net->name);
}

/* As Docker: a -p without a host address publishes on 0.0.0.0 and on ::
 * where the network has both families, on :: alone on an IPv6-only one.
 * The [::] twins come after the spec's IPv4 ports, each taking the host
 * port its IPv4 one gets (ports_pick). */
static void publish_on_both_families(const berth_network *net, berth_port **ports, size_t *n, size_t from)
{
	bool v4 = ipam_subnet_of(net->subnets, net->n_subnets, AF_INET) != NULL;
	bool v6 = ipam_subnet_of(net->subnets, net->n_subnets, AF_INET6) != NULL;
	size_t end = *n;

	for (size_t i = from; v6 && i < end; i++) {
		berth_port twin = (*ports)[i];
		twin.host_ip = (berth_addr){ .family = AF_INET6 };
		if (!v4) {
			(*ports)[i] = twin;
			continue;
		}
		*ports = xrealloc(*ports, (*n + 1) * sizeof(**ports));
		(*ports)[(*n)++] = twin;
	}
}

static int parse_publish(const berth_network *net, const char *const *publish, size_t n, berth_port **ports,
			 size_t *n_ports, berth_err *err)
{
	for (size_t i = 0; i < n; i++) {
		size_t from = *n_ports;
		int ret = port_spec_parse(publish[i], ports, n_ports, err);
		if (ret < 0)
			return ret;
		if (net && port_spec_names_no_address(publish[i]))
			publish_on_both_families(net, ports, n_ports, from);
	}
	return 0;
}

/* What a network of endpoints says to publishing on it. */
static int check_ports_on(const berth_network *net, const berth_port *ports, size_t n, berth_err *err)
{
	int ret = 0;

	if (net->internal)
		return berth_err_set(err, EINVAL, "cannot publish ports on internal network %s", net->name);
	if (!driver_find(net->driver)->in_firewall)
		return berth_err_set(err, EINVAL, "cannot publish ports on %s network %s", net->driver, net->name);
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = check_port_family(net, &ports[i], err);
	return ret;
}

int container_ports_for(const berth_network *net, const char *const *publish, size_t n, berth_port **out,
			size_t *n_out, berth_err *err)
{
	int ret = parse_publish(net, publish, n, out, n_out, err);

	if (ret == 0 && *n_out)
		ret = check_ports_on(net, *out, *n_out, err);
	if (ret < 0) {
		free(*out);
		*out = NULL;
		*n_out = 0;
	}
	return ret;
}

static int check_publish(berth_ctx *ctx, const berth_run_spec *spec, net_choice *ch, berth_err *err)
{
	int ret = parse_publish(ch->net, spec->publish, spec->n_publish, &ch->ports, &ch->n_ports, err);

	if (ret < 0 || ch->n_ports == 0)
		return ret;
	if (ch->peer)
		return berth_err_set(err, EINVAL, "conflicting options: port publishing and the container type network mode");
	if (!strcmp(ch->mode, "host")) {
		ctx_warn(ctx, "Published ports are discarded when using host network mode");
		free(ch->ports);
		ch->ports = NULL;
		ch->n_ports = 0;
		return 0;
	}
	if (!ch->net)
		return berth_err_set(err, EINVAL, "cannot publish ports with --network %s", ch->mode);
	return check_ports_on(ch->net, ch->ports, ch->n_ports, err);
}

static int choose_network(berth_ctx *ctx, const berth_run_spec *spec, net_choice *ch, berth_err *err)
{
	const char *want = spec->network ? spec->network : "bridge";
	int ret;

	if (!strncmp(want, "container:", 10)) {
		if ((ret = container_find(ctx, want + 10, &ch->peer, err)) < 0)
			return ret;
		if (ch->peer->state != BERTH_CONTAINER_RUNNING)
			return berth_err_set(err, EINVAL, "cannot join the network of container %s: it is not running",
					     ch->peer->name);
		ch->mode = xasprintf("container:%s", ch->peer->id);
	} else {
		if ((ret = berth_network_find(ctx, want, &ch->net, err)) < 0)
			return ret;
		/* the predefined host and none networks are modes, not endpoints */
		bool endpoints = network_takes_endpoints(ch->net);
		ch->mode = xstrdup(endpoints ? "default" : ch->net->name);
		if (!endpoints) {
			berth_network_free(ch->net);
			ch->net = NULL; /* host or null: no endpoint */
		}
	}
	if ((spec->ip || spec->ip6 || spec->mac || spec->n_aliases) && !ch->net) {
		char names[128];
		driver_creatable_names(names, sizeof(names), " or ");
		return berth_err_set(err, EINVAL, "--ip, --ip6, --mac-address and --network-alias need a %s network, not %s",
				     names, want);
	}
	return 0;
}

static berth_container *container_new(const berth_run_spec *spec, const char *mode, berth_ctx *ctx)
{
	berth_container *c = container_alloc();
	struct timespec now;

	random_hex(c->id, BERTH_ID_HEX);
	clock_gettime(CLOCK_REALTIME, &now);
	c->created_sec = now.tv_sec;
	c->created_nsec = now.tv_nsec;
	c->name = spec->name ? xstrdup(spec->name) : xasprintf("berth_%.8s", c->id);
	/* "" is no hostname, as in Docker */
	c->hostname = spec->hostname && *spec->hostname ? xstrdup(spec->hostname) : xstrndup(c->id, BERTH_SHORT_ID_HEX);
	c->argv = strv_copy((const char *const *)spec->argv, spec->argc);
	c->argc = spec->argc;
	c->env = strv_copy(spec->env, spec->n_env);
	c->n_env = spec->n_env;
	c->dns = strv_copy(spec->dns, spec->n_dns);
	c->n_dns = spec->n_dns;
	c->dns_search = strv_copy(spec->dns_search, spec->n_dns_search);
	c->n_dns_search = spec->n_dns_search;
	c->dns_options = strv_copy(spec->dns_options, spec->n_dns_options);
	c->n_dns_options = spec->n_dns_options;
	c->rootfs = spec->rootfs ? realpath(spec->rootfs, NULL) : NULL;
	c->network_mode = xstrdup(mode);
	c->auto_remove = spec->auto_remove;
	c->detach = spec->detach;
	c->state = BERTH_CONTAINER_CREATED;
	container_set_monitor(c, ctx->self);
	return c;
}

/* --cap-add and --cap-drop as Docker's CLI records them: one both added
 * and dropped is added. */
static int choose_caps(berth_container *c, const berth_run_spec *spec, berth_err *err)
{
	int ret = caps_normalize(spec->cap_add, spec->n_cap_add, "--cap-add", &c->cap_add, &c->n_cap_add, err);

	if (ret == 0)
		ret = caps_normalize(spec->cap_drop, spec->n_cap_drop, "--cap-drop", &c->cap_drop, &c->n_cap_drop, err);
	for (size_t i = 0; ret == 0 && i < c->n_cap_add; i++)
		strv_remove(c->cap_drop, &c->n_cap_drop, c->cap_add[i]);
	c->privileged = spec->privileged;
	return ret;
}

int container_privs(const berth_container *c, bool privileged, spawn_privs *out, berth_err *err)
{
	privileged |= c->privileged;
	out->no_new_privs = !privileged;
	if (caps_resolve(c->cap_add, c->n_cap_add, c->cap_drop, c->n_cap_drop, privileged, &out->caps, err) < 0)
		return berth_err_wrap(err, "container %s", c->name);
	return 0;
}

/* Docker's order: full ID, exact name, then a unique ID prefix. */
int container_find(berth_ctx *ctx, const char *ref, berth_container **out, berth_err *err)
{
	berth_container **cs;
	size_t n, found = SIZE_MAX, matches = 0;
	int ret = store_container_candidates(ctx->store, ref, &cs, &n, err);

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

/* The name's uniqueness is the table's: no scan of every container. A
 * name held by a dead --rm container is berth_run's to free (it
 * recovers and retries). */
static int record_container(berth_ctx *ctx, const berth_container *c, berth_err *err)
{
	int ret = store_container_insert(ctx->store, c, err);
	berth_container *holder = NULL;

	if (ret != -EEXIST)
		return ret;
	berth_err_clear(err);
	if (container_find(ctx, c->name, &holder, err) < 0) {
		/* its holder went meanwhile */
		berth_err_clear(err);
		return store_container_insert(ctx->store, c, err);
	}
	ret = berth_err_set(err, EEXIST, "container name \"/%s\" is already in use by container \"%s\"", c->name,
			    holder->id);
	berth_container_free(holder);
	return ret;
}

static int open_netns(berth_ctx *ctx, const berth_container *c, const net_choice *ch, int *fd, berth_err *err)
{
	_cleanup_free_ char *path = NULL;

	*fd = -1;
	if (!strcmp(c->network_mode, "host"))
		return 0;
	path = sandbox_netns_path(ctx, ch->peer ? ch->peer->id : c->id);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	return *fd < 0 ? berth_err_sys(err, errno, "opening %s", path) : 0;
}

/* The sandbox and the first endpoint; undone by container_release. */
static int build_sandbox(berth_ctx *ctx, berth_container *c, const berth_run_spec *spec, const net_choice *ch,
			 int *netns_fd, berth_err *err)
{
	int ret = 0;

	if (sandbox_owns_netns(c) && (ret = sandbox_create_netns(ctx, c->id, err)) < 0)
		return ret;
	if ((ret = open_netns(ctx, c, ch, netns_fd, err)) < 0)
		return ret;
	if (ch->net) {
		endpoint_request req = { .net = ch->net, .ip = spec->ip, .ip6 = spec->ip6, .mac = spec->mac, .aliases = spec->aliases,
					 .n_aliases = spec->n_aliases, .ordinal = 0, .default_route = true };
		c->endpoints = xzalloc(sizeof(*c->endpoints));
		if ((ret = endpoint_attach(ctx, c, *netns_fd, &req, &c->endpoints[0], err)) < 0)
			return ret;
		c->n_endpoints = 1;
		/* the first network's address is where published ports lead */
		if ((ret = fw_ports_publish(ctx, c, ch->ports, ch->n_ports, &c->endpoints[0], err)) < 0)
			return ret;
		c->ports = xmemdup(ch->ports, ch->n_ports * sizeof(*ch->ports));
		c->n_ports = ch->n_ports;
	}
	return strcmp(c->network_mode, "host") ? resolver_configure(ctx, c, false, err) : 0;
}

char **container_envp(const berth_container *c, const char *const *extra, size_t n_extra)
{
	size_t n = 0;
	char **envp = xzalloc((c->n_env + n_extra + 3) * sizeof(*envp));

	envp[n++] = xstrdup(DEFAULT_PATH);
	envp[n++] = xasprintf("HOSTNAME=%s", c->hostname);
	for (size_t i = 0; i < c->n_env; i++)
		envp[n++] = xstrdup(c->env[i]);
	for (size_t i = 0; i < n_extra; i++)
		envp[n++] = xstrdup(extra[i]);
	return envp;
}

/* Where a container keeps what outlives a reboot: its log. */
static char *state_dir(berth_ctx *ctx, const berth_container *c)
{
	return xasprintf("%s/containers/%s", ctx->root, c->id);
}

char *berth_container_log_path(berth_ctx *ctx, const berth_container *c)
{
	return xasprintf("%s/containers/%s/log", ctx->root, c->id);
}

int container_forget(berth_ctx *ctx, const berth_container *c, berth_err *err)
{
	_cleanup_free_ char *log = berth_container_log_path(ctx, c);
	_cleanup_free_ char *dir = state_dir(ctx, c);

	unlink(log);
	rmdir(dir);
	return store_container_delete(ctx->store, c->id, err);
}

static int open_log(berth_ctx *ctx, const berth_container *c, int *fd, berth_err *err)
{
	_cleanup_free_ char *base = xasprintf("%s/containers", ctx->root);
	_cleanup_free_ char *dir = state_dir(ctx, c);
	_cleanup_free_ char *path = berth_container_log_path(ctx, c);

	if ((mkdir(base, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
		return berth_err_sys(err, errno, "creating %s", dir);
	*fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	return *fd < 0 ? berth_err_sys(err, errno, "opening %s", path) : 0;
}

/* The ports signal (core/sandbox.h) a monitor listens for, and the
 * signal mask it had before blocking it. */
typedef struct wake_mask {
	int sig; /* 0: none, its container publishes no port */
	sigset_t old;
} wake_mask;

/* Records the container's process as running, owned by this process (its
 * monitor). From the moment the store says so, a disconnect may wake the
 * monitor with the ports signal, so it is blocked before: its default
 * action would end the monitor. Blocked only now, after the fork: the
 * container's process would inherit the block. */
static int record_running(berth_ctx *ctx, berth_container *c, wake_mask *mask, berth_err *err)
{
	int ret;

	mask->sig = c->n_ports ? SANDBOX_PORTS_SIGNAL : 0;
	wait_signal_block(mask->sig, &mask->old);
	container_set_monitor(c, ctx->self);
	c->started_sec = time(NULL);
	c->state = BERTH_CONTAINER_RUNNING;
	if ((ret = store_container_update(ctx->store, c, err)) < 0) {
		/* the store would not know it runs, and nothing would ever
		 * stop it: it must not outlive this failure */
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->state = BERTH_CONTAINER_CREATED;
		wait_signal_restore(mask->sig, &mask->old, false);
	}
	return ret;
}

/* Starts the container's process and records it (record_running); this
 * process, its monitor, holds its published host ports until they are
 * released. */
static int start_process(berth_ctx *ctx, berth_container *c, int netns_fd, const int stdio[3], int *exec_failed,
			 wake_mask *mask, berth_err *err)
{
	_cleanup_free_ char *etc = strcmp(c->network_mode, "host") ? sandbox_etc_dir(ctx, c->id) : NULL;
	_cleanup_close_ int mntns_fd = -1;
	pid_t pid;
	int ret = ports_hold(c->ports, c->n_ports, &container_rec_of(c)->held_ports, err);

	if (ret == 0)
		ret = sandbox_open_mount_template(ctx, &mntns_fd, err);

	spawn_opts o = { .argv = c->argv, .hostname = c->hostname, .netns_fd = netns_fd, .rootfs = c->rootfs,
			 .etc_dir = etc, .stdio = { stdio[0], stdio[1], stdio[2] }, .mntns_fd = mntns_fd };

	if (ret == 0 && (ret = container_privs(c, false, &o.privs, err)) == 0) {
		char **envp = container_envp(c, NULL, 0);
		o.envp = envp;
		ret = spawn_container(&o, &pid, exec_failed, err);
		strv_free(envp);
	}
	if (ret < 0)
		return berth_err_wrap(err, "starting container %s", c->name);
	c->pid = pid;
	container_rec_of(c)->pid_start = proc_start_time(pid);
	return record_running(ctx, c, mask, err);
}

/* What a foreground run forwards when the caller asks (berth.h), and the
 * handlers it had before, put back when the container has exited. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

typedef struct saved_handlers {
	bool set;
	struct sigaction old[ARRAY_SIZE(forwarded)];
} saved_handlers;

static volatile sig_atomic_t forward_to;
/* Taken before the container had a pid to forward them to: sent to it
 * once it has one, or raised for the caller if it never starts. */
static volatile sig_atomic_t pending[ARRAY_SIZE(forwarded)];
/* Someone's ports signal (not a wake) taken while the caller's was
 * blocked: the caller's, raised once its mask is back. */
static volatile sig_atomic_t held_for_caller;

static void forward_signal(int sig)
{
	pid_t to = forward_to;

	if (to > 0) {
		kill(to, sig);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		if (forwarded[i] == sig)
			pending[i] = 1;
}

/* Installed before the container starts: a signal sent the instant it
 * runs (its program may already be waiting for one) is not the caller's. */
static void forward_signals(saved_handlers *saved)
{
	struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };

	forward_to = 0;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++) {
		pending[i] = 0;
		sigaction(forwarded[i], &sa, &saved->old[i]);
	}
	saved->set = true;
}

/* The container has a pid: what came before goes to it now. */
static void forward_pending_to(pid_t pid)
{
	forward_to = pid;
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		if (pending[i]) {
			pending[i] = 0;
			kill(pid, forwarded[i]);
		}
}

/* Puts the caller's handlers back; a signal that found no container to
 * go to is the caller's after all. */
static void restore_signals(saved_handlers *saved)
{
	for (size_t i = 0; saved->set && i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &saved->old[i], NULL);
	forward_to = 0;
	for (size_t i = 0; saved->set && i < ARRAY_SIZE(forwarded); i++)
		if (pending[i]) {
			pending[i] = 0;
			raise(forwarded[i]);
		}
}

typedef struct waiter {
	berth_container *c;
	fw_guard *guard;
} waiter;

static void unhold_ports(void *arg)
{
	container_unhold_ports(((waiter *)arg)->c);
}

/* Someone's SIGUSR1 (the ports signal, but not a wake) during a
 * foreground run: forwarded if the caller asked, else kept for it. */
static void pass_on(void *arg)
{
	(void)arg;
	if (forward_to > 0)
		forward_signal(SANDBOX_PORTS_SIGNAL);
	else
		held_for_caller = 1;
}

static int guard_ready(void *arg)
{
	waiter *w = arg;

	fw_guard_ready(w->guard);
	return fw_guard_fd(w->guard);
}

/* Waits for the container's end. Meanwhile the host ports it holds go
 * once a disconnect has unpublished them (sandbox_mark_ports_released:
 * record_running blocked its signal), and it takes its turn guarding the
 * firewall table (core/fw_guard.h). */
static int wait_exit(const berth_config *cfg, const char *marker, berth_container *c)
{
	/* without the guard, route_localnet stays as the last command left it */
	waiter w = { .c = c, .guard = fw_guard_join(cfg) };
	int code;

	code = wait_exit_watching(c->pid, &(wait_watch){ .marker = c->n_ports ? marker : NULL,
							 .wake = SANDBOX_PORTS_SIGNAL,
							 .on_marker = unhold_ports,
							 .on_other = pass_on,
							 .event_fd = w.guard ? fw_guard_fd(w.guard) : -1,
							 .on_event = guard_ready,
							 .arg = &w });
	fw_guard_leave(w.guard);
	return code;
}

/* The monitor's job: wait, then release. */
static int watch(berth_ctx *ctx, berth_container *c, int *exit_code, berth_err *err)
{
	_cleanup_free_ char *marker = sandbox_ports_marker(ctx, c->id);
	berth_config cfg = { .root = ctx->root, .run_dir = ctx->run_dir };

	*exit_code = wait_exit(&cfg, marker, c);
	return container_release(ctx, c, *exit_code, err);
}

static int run_foreground(berth_ctx *ctx, berth_container *c, int netns_fd, bool forward, int *exit_code,
			  berth_err *err)
{
	static const int inherit[3] = { -1, -1, -1 };
	saved_handlers saved = { 0 };
	wake_mask mask;
	int ret;

	if (forward)
		forward_signals(&saved);
	ret = start_process(ctx, c, netns_fd, inherit, exit_code, &mask, err);
	if (ret < 0) {
		restore_signals(&saved);
		return ret;
	}
	if (forward)
		forward_pending_to(c->pid);
	held_for_caller = 0;
	ret = watch(ctx, c, exit_code, err);
	restore_signals(&saved);
	/* after the release, not right after the wait: a disconnect that
	 * found the container running has most likely sent its wake by then
	 * (dropped here); one still under way finds the signal unblocked and
	 * sends none (wait_wake), but for the instant between its check and
	 * its send */
	wait_signal_restore(mask.sig, &mask.old, held_for_caller);
	return ret;
}

/* What the monitor tells `berth run -d` once the container runs. */
typedef struct start_report {
	int code;
	int exec_failed;
	char msg[480];
} start_report;

__attribute__((noreturn)) static void monitor_main(berth_ctx *parent, berth_container *c, int netns_fd, int report_fd)
{
	berth_config cfg = { .root = parent->root, .run_dir = parent->run_dir };
	berth_ctx *ctx = NULL;
	berth_err err = { 0 };
	start_report r = { 0 };
	wake_mask mask; /* blocked until it exits */
	int log_fd = -1, null_fd, code;
	_cleanup_free_ char *marker = sandbox_ports_marker(parent, c->id);

	/* The parent's store and netlink handles are not ours to use; but
	 * they must go: a monitor that keeps the parent's mapping of SQLite's
	 * shared-memory index makes every later truncation of it walk one
	 * more address space (each command slower as containers accumulate).
	 * No transaction is open across the fork, so no lock is inherited. */
	store_close(parent->store);
	parent->store = NULL;
	/* nor may the caller's descriptors stay: `run -d` in a pipeline
	 * would not end before the container did */
	close_fds_except((const int[]){ report_fd, netns_fd }, 2);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int ret = ctx_open(&cfg, &ctx, &err);
	if (ret == 0 && (ret = open_log(ctx, c, &log_fd, &err)) == 0) {
		int stdio[3] = { null_fd, log_fd, log_fd };
		ret = start_process(ctx, c, netns_fd, stdio, &r.exec_failed, &mask, &err);
	}
	if (ret < 0) {
		r.code = err.code ? err.code : EIO;
		snprintf(r.msg, sizeof(r.msg), "%s", err.msg ? err.msg : "unknown error");
	}
	if (write(report_fd, &r, sizeof(r)) != (ssize_t)sizeof(r) && ret == 0)
		kill(c->pid, SIGKILL); /* nobody will know it runs: end it */
	close(report_fd);
	for (int i = 0; i < 3; i++)
		dup2(null_fd, i);
	berth_err_clear(&err);
	berth_close(ctx);
	if (ret < 0)
		_exit(1);
	/* Nothing held open while it waits (hours, maybe): with hundreds of
	 * monitors, open store connections would keep SQLite from ever
	 * resetting its WAL, and each command would read a longer one. */
	code = wait_exit(&cfg, marker, c);
	if (ctx_open(&cfg, &ctx, &err) == 0) {
		container_release(ctx, c, code, &err);
		berth_close(ctx);
	}
	_exit(0);
}

/* Double fork: the monitor is nobody's child but init's (or the
 * subreaper's), in a session of its own, so `berth run -d` can return. */
static int run_detached(berth_ctx *ctx, berth_container *c, int netns_fd, int *exec_failed, berth_err *err)
{
	int fds[2];
	start_report r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_err_sys(err, errno, "creating a pipe");
	pid_t child = fork();
	if (child == 0) {
		close(fds[0]);
		setsid();
		if (fork() == 0)
			monitor_main(ctx, c, netns_fd, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	if (child > 0)
		waitpid(child, NULL, 0);
	ssize_t n = child > 0 ? TEMP_FAILURE_RETRY(read(fds[0], &r, sizeof(r))) : -1;
	close(fds[0]);
	if (n != (ssize_t)sizeof(r))
		return berth_err_set(err, EIO, "the monitor of container %s did not start", c->name);
	*exec_failed = r.exec_failed;
	return r.code ? berth_err_set(err, r.code, "%s", r.msg) : 0;
}

static int check_spec(berth_ctx *ctx, const berth_run_spec *spec, net_choice *ch, berth_err *err)
{
	int ret;

	if (spec->argc == 0)
		return berth_err_set(err, EINVAL, "\"run\" requires a command to run");
	if (spec->name && (ret = check_container_name(spec->name, err)) < 0)
		return ret;
	if (spec->hostname && *spec->hostname && (ret = check_hostname(spec->hostname, err)) < 0)
		return ret;
	if ((ret = check_text(spec, err)) < 0 || (ret = check_env(spec, err)) < 0 ||
	    (ret = resolv_check_spec(spec, err)) < 0 ||
	    (ret = choose_network(ctx, spec, ch, err)) < 0 ||
	    (ret = check_publish(ctx, spec, ch, err)) < 0)
		return ret;
	if (spec->rootfs && access(spec->rootfs, X_OK) < 0)
		return berth_err_sys(err, errno, "rootfs %s", spec->rootfs);
	if (ch->net) {
		endpoint_request req = { .net = ch->net, .ip = spec->ip, .ip6 = spec->ip6, .mac = spec->mac };
		return endpoint_check(&req, err);
	}
	return 0;
}

int container_run(berth_ctx *ctx, const berth_run_spec *spec, berth_container **out, int *exit_code, berth_err *err)
{
	net_choice ch = { 0 };
	berth_container *c = NULL;
	int netns_fd = -1, ret;

	*exit_code = 0;
	if ((ret = check_spec(ctx, spec, &ch, err)) < 0)
		goto out;
	c = container_new(spec, ch.mode, ctx);
	if ((ret = choose_caps(c, spec, err)) < 0 || (ret = record_container(ctx, c, err)) < 0)
		goto out;
	ret = build_sandbox(ctx, c, spec, &ch, &netns_fd, err);
	if (ret == 0)
		ret = spec->detach ? run_detached(ctx, c, netns_fd, exit_code, err)
				   : run_foreground(ctx, c, netns_fd, spec->forward_signals, exit_code, err);
	if (ret < 0 && c->state == BERTH_CONTAINER_CREATED) {
		/* never started: nothing of it may stay */
		c->auto_remove = true;
		container_release(ctx, c, 0, err);
	}
out:
	if (netns_fd >= 0)
		close(netns_fd);
	net_choice_free(&ch);
	if (ret == 0 && out)
		*out = c;
	else
		berth_container_free(c);
	return ret;
}

int container_drop_endpoint(berth_ctx *ctx, berth_container *c, size_t i, berth_err *err)
{
	bool live = container_alive(c);
	int ret;

	/* published ports lead to the first network's address: not past it */
	if (i == 0 && c->n_ports) {
		/* and the monitor lets go of the host ports (core/sandbox.h) */
		if ((ret = fw_ports_unpublish(ctx, c->id, err)) < 0 ||
		    (live && !c->external_id && (ret = sandbox_mark_ports_released(ctx, c, err)) < 0))
			return ret;
		container_unhold_ports(c);
		free(c->ports);
		c->ports = NULL;
		c->n_ports = 0;
	}
	if ((ret = endpoint_detach(ctx, &c->endpoints[i], live, err)) < 0)
		return ret;
	strv_free(c->endpoints[i].aliases);
	memmove(&c->endpoints[i], &c->endpoints[i + 1], (c->n_endpoints - i - 1) * sizeof(*c->endpoints));
	c->n_endpoints--;
	return live ? resolver_configure(ctx, c, true, err) : 0;
}

int container_release(berth_ctx *ctx, berth_container *c, int exit_code, berth_err *err)
{
	berth_err one = { 0 };
	bool failed = false;

	/* the ports first: no published port may lead to a freed address */
	failed |= berth_err_collect(err, fw_ports_unpublish(ctx, c->id, &one), &one) < 0;
	container_unhold_ports(c);
	failed |= berth_err_collect(err, store_container_reload_endpoints(ctx->store, c, &one), &one) < 0;
	/* Unplugged, not left to the namespace's end: the kernel destroys a
	 * namespace in a work queue of its own, tens of milliseconds (or, busy,
	 * seconds) later, and until then the host's end of each veth stays on
	 * its bridge, an interface of no endpoint's for anyone who looks
	 * (`system check` right after `rm` did). */
	for (size_t i = 0; i < c->n_endpoints; i++)
		failed |= berth_err_collect(err, endpoint_detach(ctx, &c->endpoints[i], true, &one), &one) < 0;
	failed |= berth_err_collect(err, sandbox_destroy(ctx, c, &one), &one) < 0;
	/* its sockets there keep the namespace: let go now */
	resolver_release(ctx);
	if (c->auto_remove) {
		failed |= berth_err_collect(err, container_forget(ctx, c, &one), &one) < 0;
	} else {
		c->state = BERTH_CONTAINER_EXITED;
		c->exit_code = exit_code;
		c->finished_sec = time(NULL);
		c->pid = 0;
		container_set_monitor(c, (row_owner){ 0 });
		failed |= berth_err_collect(err, store_container_update(ctx->store, c, &one), &one) < 0;
	}
	return failed ? -err->code : 0;
}
