#include "util/sysctl.h"
#include "util/cleanup.h"
#include "util/crashpoint.h"
#include "util/err.h"
#include "util/netns_enter.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

static int link_ipv6_write(const char *ifname, const char *what, const char *value, berth_err *err)
{
	_cleanup_free_ char *key = xasprintf("net.ipv6.conf.%s.%s", ifname, what);
	int ret = sysctl_write(key, value, err);

	/* no IPv6 on the link: a kernel without IPv6, or an MTU below
	 * IPv6's 1280, where the kernel keeps none for it */
	if (ret == -ENOENT) {
		berth_err_clear(err);
		return 0;
	}
	return ret;
}

int sysctl_link_no_ra(const char *ifname, bool ipv6, berth_err *err)
{
	int ret = link_ipv6_write(ifname, "accept_ra", "0", err);

	if (ret == 0 && !ipv6)
		ret = link_ipv6_write(ifname, "disable_ipv6", "1", err);
	return ret;
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
static const char *const owned_ipv6_conf[][2] = {
	{ "accept_ra", "0" },
	{ "accept_dad", "0" },
	{ "router_solicitations", "0" },
	{ "disable_ipv6", "0" },
};

static int write_owned_ipv6_conf(void *ifname, berth_err *err)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < ARRAY_SIZE(owned_ipv6_conf); i++) {
		_cleanup_free_ char *key = xasprintf("net.ipv6.conf.%s.%s", (const char *)ifname, owned_ipv6_conf[i][0]);
		ret = sysctl_write(key, owned_ipv6_conf[i][1], err);
	}
	return ret;
}

int sysctl_link_ipv6_owned(int netns_fd, const char *ifname, berth_err *err)
{
	return in_netns(netns_fd, write_owned_ipv6_conf, (void *)ifname, err);
}
