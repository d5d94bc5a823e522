#include "util/netns_enter.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

int in_netns(int netns_fd, netns_step step, void *arg, berth_err *err)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int ret;

	if (self < 0)
		return berth_err_sys(err, errno, "opening the current network namespace");
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		ret = berth_err_sys(err, errno, "entering the container's network namespace");
		close(self);
		return ret;
	}
	ret = step(arg, err);
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* cannot go on in the wrong namespace */
	close(self);
	return ret;
}
