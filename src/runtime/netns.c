#include "runtime/netns.h"
#include "util/cleanup.h"
#include "util/dir.h"
#include "util/err.h"
#include "util/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int netns_dir_prepare(const char *dir, berth_err *err)
{
	int ret = dir_ensure_own(dir, 0755, err);

	if (ret < 0)
		return ret;
	if (mount(NULL, dir, NULL, MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	/* not a mount point yet: make it one (iproute2's netns_add does this) */
	if (errno != EINVAL || mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, dir, NULL, MS_SHARED | MS_REC, NULL) < 0)
		return berth_err_sys(err, errno, "making %s a shared mount", dir);
	return 0;
}

/* Links born here later (a container's eth0, eth1, ...) start with IPv6
 * disabled, as Docker's do on networks without IPv6: no link-local
 * address, no autoconfiguration, nothing answered over IPv6. lo, made
 * with the namespace, keeps ::1. A network with IPv6 turns it on for its
 * own link. */
static int ipv6_off_by_default(berth_err *err)
{
	int ret = sysctl_write("net.ipv6.conf.default.disable_ipv6", "1", err);

	if (ret == -ENOENT) { /* a kernel without IPv6 */
		berth_err_clear(err);
		ret = 0;
	}
	return ret;
}

static int bind_new_netns(const char *path, berth_err *err)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (self < 0)
		return berth_err_sys(err, errno, "opening the current network namespace");
	if (unshare(CLONE_NEWNET) < 0)
		return berth_err_sys(err, errno, "creating a network namespace");
	if ((ret = ipv6_off_by_default(err)) == 0 && mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		ret = berth_err_sys(err, errno, "binding the network namespace to %s", path);
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* cannot go on in the wrong namespace */
	return ret;
}

int netns_create(const char *path, berth_err *err)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	int ret;

	if (fd < 0)
		return berth_err_sys(err, errno, "creating %s", path);
	close(fd);
	if ((ret = bind_new_netns(path, err)) < 0)
		unlink(path);
	return ret;
}

int netns_delete(const char *path, berth_err *err)
{
	/* MNT_DETACH: a process still inside keeps it alive; we need not wait */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berth_err_sys(err, errno, "unmounting %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berth_err_sys(err, errno, "removing %s", path);
	return 0;
}
