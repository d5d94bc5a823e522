#include "core/sandbox.h"
#include "core/resolv_conf.h"
#include "ipam/cidr.h"
#include "nl/link.h"
#include "runtime/mntns.h"
#include "runtime/netns.h"
#include "runtime/wait.h"
#include "util/cleanup.h"
#include "util/crashpoint.h"
#include "util/dir.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *sandbox_netns_path(berth_ctx *ctx, const char *container_id)
{
	return xasprintf("%s/netns/%s", ctx->run_dir, container_id);
}

char *sandbox_etc_dir(berth_ctx *ctx, const char *container_id)
{
	return xasprintf("%s/containers/%s", ctx->run_dir, container_id);
}

char *berth_container_sandbox_key(berth_ctx *ctx, const berth_container *c)
{
	if (!strcmp(c->network_mode, "host"))
		return xstrdup("");
	if (!strncmp(c->network_mode, "container:", 10))
		return sandbox_netns_path(ctx, c->network_mode + 10);
	return sandbox_netns_path(ctx, c->id);
}

bool sandbox_owns_netns(const berth_container *c)
{
	return strcmp(c->network_mode, "host") && strncmp(c->network_mode, "container:", 10);
}

/* Rewritten in place: the file is bind-mounted, a rename would not show. */
static int write_file(const char *dir, const char *name, const char *text, berth_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return berth_err_sys(err, errno, "writing %s", path);
	crash_point("sandbox file");
	return 0;
}

static char *hosts_text(const berth_container *c)
{
	char *text = xstrdup("127.0.0.1\tlocalhost\n"
			     "::1\tlocalhost ip6-localhost ip6-loopback\n"
			     "fe00::0\tip6-localnet\n"
			     "ff00::0\tip6-mcastprefix\n"
			     "ff02::1\tip6-allnodes\n"
			     "ff02::2\tip6-allrouters\n");

	/* each address of each endpoint, IPv4 first, as Docker writes them */
	for (size_t i = 0; i < c->n_endpoints; i++) {
		const berth_addr *addrs[] = { &c->endpoints[i].addr, &c->endpoints[i].addr6 };
		for (size_t j = 0; j < ARRAY_SIZE(addrs); j++) {
			char a[BERTH_ADDR_STRLEN];
			if (!addrs[j]->family)
				continue;
			char *next = xasprintf("%s%s\t%s %s\n", text, berth_addr_format(addrs[j], a), c->hostname,
					       c->name);
			free(text);
			text = next;
		}
	}
	return text;
}

/* The sandbox's directory (its /etc files, its markers), made when missing. */
static int make_etc_dir(berth_ctx *ctx, const char *dir, berth_err *err)
{
	_cleanup_free_ char *base = xasprintf("%s/containers", ctx->run_dir);
	int ret = dir_ensure_own(base, 0700, err);

	return ret < 0 ? ret : dir_ensure_own(dir, 0755, err);
}

int sandbox_write_etc(berth_ctx *ctx, const berth_container *c, bool with_resolver, berth_err *err)
{
	_cleanup_free_ char *dir = sandbox_etc_dir(ctx, c->id);
	_cleanup_free_ char *hosts = hosts_text(c);
	_cleanup_free_ char *resolv = resolv_conf_text(c, with_resolver);
	_cleanup_free_ char *hostname = xasprintf("%s\n", c->hostname);
	int ret;

	if ((ret = make_etc_dir(ctx, dir, err)) < 0)
		return ret;
	if ((ret = write_file(dir, "hosts", hosts, err)) < 0 || (ret = write_file(dir, "hostname", hostname, err)) < 0)
		return ret;
	return write_file(dir, "resolv.conf", resolv, err);
}

static char *template_path(berth_ctx *ctx)
{
	return xasprintf("%s/mnt/template", ctx->run_dir);
}

int sandbox_open_mount_template(berth_ctx *ctx, int *fd, berth_err *err)
{
	_cleanup_free_ char *netns_dir = xasprintf("%s/netns", ctx->run_dir);
	_cleanup_free_ char *path = template_path(ctx);
	int ret;

	/* first: were the netns directory made a mount after the template,
	 * it would be propagated into the template (and every netns file
	 * with it) */
	if ((ret = netns_dir_prepare(netns_dir, err)) < 0)
		return ret;
	return mntns_template_open(path, netns_dir, fd, err);
}

int sandbox_drop_mount_template(berth_ctx *ctx, berth_err *err)
{
	_cleanup_free_ char *path = template_path(ctx);

	return mntns_template_drop(path, err);
}

/* Every new namespace has lo, down. */
static int bring_lo_up(nl_sock *inside, berth_err *err)
{
	unsigned lo = 0;
	int ret = nl_link_find(inside, "lo", &lo, err);

	if (ret == 0 && !lo)
		ret = berth_err_set(err, ENODEV, "no lo in a new network namespace");
	return ret < 0 ? ret : nl_link_up(inside, lo, false, err);
}

int sandbox_create_netns(berth_ctx *ctx, const char *container_id, berth_err *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/netns", ctx->run_dir);
	_cleanup_free_ char *path = sandbox_netns_path(ctx, container_id);
	_cleanup_close_ int fd = -1;
	nl_sock *inside = NULL;
	int ret;

	if ((ret = netns_dir_prepare(dir, err)) < 0 || (ret = netns_create(path, err)) < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ret = berth_err_sys(err, errno, "opening %s", path);
	else if ((ret = nl_open_in_netns(fd, &inside, err)) == 0)
		ret = bring_lo_up(inside, err);
	nl_close(inside);
	if (ret < 0) {
		berth_err ignored = { 0 };
		if (netns_delete(path, &ignored) < 0)
			berth_err_clear(&ignored);
	}
	return ret;
}

/* In the sandbox's directory of a namespace a runtime made (a CNI ADD's):
 * what runs there is the runtime's, never berth's to kill. */
#define ADOPTED_MARKER "adopted"

static char *adopted_marker(berth_ctx *ctx, const char *container_id)
{
	_cleanup_free_ char *dir = sandbox_etc_dir(ctx, container_id);

	return xasprintf("%s/" ADOPTED_MARKER, dir);
}

/* Marked first: a crash before the bind leaves a marker of nothing, never
 * a namespace of someone else's that looks like berth's. */
int sandbox_adopt_netns(berth_ctx *ctx, const char *container_id, int fd, berth_err *err)
{
	_cleanup_free_ char *netns_dir = xasprintf("%s/netns", ctx->run_dir);
	_cleanup_free_ char *dir = sandbox_etc_dir(ctx, container_id);
	_cleanup_free_ char *marker = adopted_marker(ctx, container_id);
	_cleanup_free_ char *path = sandbox_netns_path(ctx, container_id);
	_cleanup_close_ int mark = -1;
	int ret;

	if ((ret = make_etc_dir(ctx, dir, err)) < 0 || (ret = netns_dir_prepare(netns_dir, err)) < 0)
		return ret;
	mark = open(marker, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (mark < 0)
		return berth_err_sys(err, errno, "creating %s", marker);
	if ((ret = netns_adopt(fd, path, err)) < 0)
		return ret;
	/* what the reference loopback plugin does, and what the resolver's
	 * 127.0.0.11 needs; a runtime that did it already loses nothing */
	nl_sock *inside = NULL;
	if ((ret = nl_open_in_netns(fd, &inside, err)) == 0)
		ret = bring_lo_up(inside, err);
	nl_close(inside);
	return ret;
}

static bool adopted(berth_ctx *ctx, const char *container_id)
{
	_cleanup_free_ char *marker = adopted_marker(ctx, container_id);

	return access(marker, F_OK) == 0;
}

#define PORTS_MARKER "ports-released"

char *sandbox_ports_marker(berth_ctx *ctx, const char *container_id)
{
	_cleanup_free_ char *dir = sandbox_etc_dir(ctx, container_id);

	return xasprintf("%s/" PORTS_MARKER, dir);
}

int sandbox_mark_ports_released(berth_ctx *ctx, const berth_container *c, berth_err *err)
{
	_cleanup_free_ char *path = sandbox_ports_marker(ctx, c->id);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	row_owner monitor = container_monitor(c);

	if (fd < 0)
		return berth_err_sys(err, errno, "creating %s", path);
	/* not woken (wait_wake): a monitor that is gone, its sockets with
	 * it, or one that would die of the signal, as one of a berth from
	 * before it would (that one watches the file itself) */
	wait_wake(monitor.pid, monitor.start, SANDBOX_PORTS_SIGNAL);
	return 0;
}

static void remove_dir(const char *dir)
{
	static const char *const files[] = { "hosts", "hostname", "resolv.conf", PORTS_MARKER, ADOPTED_MARKER };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

static int remove_sandbox(berth_ctx *ctx, const char *container_id, bool netns, berth_err *err)
{
	_cleanup_free_ char *etc = sandbox_etc_dir(ctx, container_id);
	int ret = 0;

	if (netns) {
		_cleanup_free_ char *path = sandbox_netns_path(ctx, container_id);
		ret = netns_delete(path, err);
	}
	/* a namespace still bound keeps its adopted marker: without it, a
	 * later clean-up would take the runtime's processes for berth's */
	if (ret == 0 || !adopted(ctx, container_id))
		remove_dir(etc);
	return ret;
}

int sandbox_destroy(berth_ctx *ctx, const berth_container *c, berth_err *err)
{
	return remove_sandbox(ctx, c->id, sandbox_owns_netns(c), err);
}

size_t sandbox_processes(berth_ctx *ctx, const char *container_id)
{
	_cleanup_free_ char *path = sandbox_netns_path(ctx, container_id);
	_cleanup_free_ int *pids = NULL;

	return netns_pids(path, &pids);
}

int sandbox_remove_orphan(berth_ctx *ctx, const char *container_id, size_t *killed, berth_err *err)
{
	_cleanup_free_ char *path = sandbox_netns_path(ctx, container_id);
	int ret = 0;

	*killed = 0;
	if (!adopted(ctx, container_id))
		ret = netns_kill_all(path, killed, err);
	return ret < 0 ? ret : remove_sandbox(ctx, container_id, true, err);
}

static void add_entries(const char *dir, char ***ids, size_t *n)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		bool seen = false;
		for (size_t i = 0; i < *n && !seen; i++)
			seen = !strcmp((*ids)[i], e->d_name);
		if (!seen)
			strv_push(ids, n, xstrdup(e->d_name));
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **sandbox_list(berth_ctx *ctx, size_t *n)
{
	_cleanup_free_ char *netns = xasprintf("%s/netns", ctx->run_dir);
	_cleanup_free_ char *etc = xasprintf("%s/containers", ctx->run_dir);
	char **ids = NULL;

	*n = 0;
	add_entries(netns, &ids, n);
	add_entries(etc, &ids, n);
	if (*n)
		qsort(ids, *n, sizeof(*ids), cmp_str);
	return ids;
}
