/* A step run inside another network namespace: the calling thread
 * enters it and comes back, whatever the step does. What the step opens
 * there (a netlink socket, a /proc/sys/net file) keeps talking to that
 * namespace afterwards. */
#ifndef BERTH_UTIL_NETNS_ENTER_H
#define BERTH_UTIL_NETNS_ENTER_H

#include "berth.h"

typedef int (*netns_step)(void *arg, berth_err *err);

int in_netns(int netns_fd, netns_step step, void *arg, berth_err *err);

#endif
