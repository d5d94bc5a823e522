#include "util/sysctl.h"
#include "util/cleanup.h"
#include "util/crashpoint.h"
#include "util/err.h"
#include "util/netns_enter.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* net.ipv4.conf.br-1.route_localnet: the dots of the key are path
 * separators, but an interface name may hold dots of its own, so only
 * the known prefix's dots are converted */
static char *sysctl_path(const char *key)
{
	static const char *const prefixes[] = { "net.ipv4.conf.", "net.ipv6.conf." };
	char *path = xasprintf("/proc/sys/%s", key);
	char *p = path + strlen("/proc/sys/"), *stop = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(p, prefixes[i], strlen(prefixes[i])))
			stop = p + strlen(prefixes[i]);
	for (; *p; p++) {
		if (stop && p >= stop) {
			/* the interface name runs to the last dot */
			char *last = strrchr(p, '.');
			if (last)
				*last = '/';
			break;
		}
		if (*p == '.')
			*p = '/';
	}
	return path;
}

int sysctl_read(const char *key, char *buf, size_t size, berth_err *err)
{
	_cleanup_free_ char *path = sysctl_path(key);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || (n = read(fd, buf, size - 1)) < 0)
		return berth_err_sys(err, errno, "reading %s", path);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

typedef struct link_setting {
	const char *name, *value;
} link_setting;

/* The sysctl tree of the caller's network namespace, from a procfs
 * instance of our own, never attached anywhere and gone once closed;
 * /proc/sys where one cannot be made (a kernel before 5.2, no right to).
 * Why: /proc/sys/net/ipv6 is a dentry of each network namespace that
 * ever looked at it, all on one hash chain of /proc's, so a lookup there
 * walks one entry per container (and a new namespace's first lookup
 * twice, the slow way): berth writes IPv6 settings in every container it
 * starts. A private instance holds only ours: the same cost at the
 * 1,000th container as at the first. */
static int sysctl_root_open(void)
{
	int fs = fsopen("proc", FSOPEN_CLOEXEC), mnt = -1, root;

	if (fs >= 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (fs >= 0)
		close(fs);
	root = mnt >= 0 ? openat(mnt, "sys", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (mnt >= 0)
		close(mnt);
	return root >= 0 ? root : open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Each setting of net/ipv6/conf/IFNAME in the caller's network
 * namespace. A link without IPv6 (a kernel without it, an MTU below
 * IPv6's 1280, where the kernel keeps none for it) has nothing to set. */
static int link_ipv6_write_all(const char *ifname, const link_setting *set, size_t n, berth_err *err)
{
	_cleanup_free_ char *dir = xasprintf("net/ipv6/conf/%s", ifname);
	_cleanup_close_ int root = sysctl_root_open();
	_cleanup_close_ int dfd = root >= 0 ? openat(root, dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;

	if (dfd < 0)
		return errno == ENOENT ? 0 : berth_err_sys(err, errno, "opening /proc/sys/%s", dir);
	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int fd = openat(dfd, set[i].name, O_WRONLY | O_CLOEXEC);
		size_t len = strlen(set[i].value);
		if (fd < 0 || write(fd, set[i].value, len) != (ssize_t)len)
			return berth_err_sys(err, errno, "writing /proc/sys/%s/%s", dir, set[i].name);
		crash_point("sysctl");
	}
	return 0;
}

int sysctl_link_ipv6_default_off(berth_err *err)
{
	static const link_setting set[] = { { "disable_ipv6", "1" } };

	return link_ipv6_write_all("default", set, 1, err);
}

int sysctl_port_no_ipv6(const char *ifname, berth_err *err)
{
	static const link_setting set[] = { { "disable_ipv6", "1" } };

	return link_ipv6_write_all(ifname, set, 1, err);
}

int sysctl_link_no_ra(const char *ifname, bool ipv6, berth_err *err)
{
	static const link_setting set[] = { { "accept_ra", "0" }, { "disable_ipv6", "1" } };

	return link_ipv6_write_all(ifname, set, ipv6 ? 1 : 2, err);
}

int sysctl_write(const char *key, const char *value, berth_err *err)
{
	_cleanup_free_ char *path = sysctl_path(key);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);

	if (fd < 0 || write(fd, value, len) != (ssize_t)len)
		return berth_err_sys(err, errno, "writing %s", path);
	crash_point("sysctl");
	return 0;
}

/* What berth wants of a container's link on a network with IPv6, in
 * this order, IPv6 turned on last: no router advertisement heeded (any
 * other container may send one), no duplicate address detection (berth
 * owns every address of the subnet, and an address under DAD is not
 * usable when `run` returns), no router solicitations sent (nothing
 * answers them; each is multicast flooded to every port of the bridge). */
static const link_setting owned_ipv6_conf[] = {
	{ "accept_ra", "0" },
	{ "accept_dad", "0" },
	{ "router_solicitations", "0" },
	{ "disable_ipv6", "0" },
};

static int write_owned_ipv6_conf(void *ifname, berth_err *err)
{
	return link_ipv6_write_all(ifname, owned_ipv6_conf, ARRAY_SIZE(owned_ipv6_conf), err);
}

int sysctl_link_ipv6_owned(int netns_fd, const char *ifname, berth_err *err)
{
	return in_netns(netns_fd, write_owned_ipv6_conf, (void *)ifname, err);
}

/* With forwarding on, the kernel heeds router advertisements only where
 * accept_ra is 2: an interface at 1 (the kernel's default) would lose
 * the default route it learned from them (docker/for-linux#844). Each
 * such interface, and the default for those to come, is moved to 2,
 * which accepts exactly what 1 did before forwarding. */
static int keep_accepting_ras(char ***moved, size_t *n_moved, berth_err *err)
{
	_cleanup_closedir_ DIR *dir = opendir("/proc/sys/net/ipv6/conf");
	struct dirent *d;

	if (!dir)
		return berth_err_sys(err, errno, "listing /proc/sys/net/ipv6/conf");
	while ((d = readdir(dir))) {
		char v[16];
		berth_err ignored = { 0 };
		/* "all" is not read for accept_ra; lo hears no advertisement */
		if (d->d_name[0] == '.' || !strcmp(d->d_name, "all") || !strcmp(d->d_name, "lo"))
			continue;
		_cleanup_free_ char *key = xasprintf("net.ipv6.conf.%s.accept_ra", d->d_name);
		/* an interface gone meanwhile has nothing to keep */
		if (sysctl_read(key, v, sizeof(v), &ignored) < 0) {
			berth_err_clear(&ignored);
			continue;
		}
		if (strcmp(v, "1"))
			continue;
		if (sysctl_write(key, "2", err) < 0)
			return -err->code;
		strv_push(moved, n_moved, xstrdup(d->d_name));
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sysctl_ipv6_forwarding_on(bool *turned_on, char ***moved, size_t *n_moved, berth_err *err)
{
	char v[16];
	int ret = sysctl_read("net.ipv6.conf.all.forwarding", v, sizeof(v), err);

	*turned_on = false;
	*moved = NULL;
	*n_moved = 0;
	if (ret < 0 || !strcmp(v, "1"))
		return ret;
	ret = keep_accepting_ras(moved, n_moved, err);
	if (*n_moved > 1)
		qsort(*moved, *n_moved, sizeof(**moved), cmp_names);
	if (ret == 0 &&
	    (ret = sysctl_write("net.ipv6.conf.all.forwarding", "1", err)) == 0)
		*turned_on = true;
	return ret;
}
