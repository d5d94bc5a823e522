/* /proc/sys, as seen from the network namespace the process is in. */
#ifndef BERTH_UTIL_SYSCTL_H
#define BERTH_UTIL_SYSCTL_H

#include "berth.h"

/* Reads the first line of /proc/sys/<key> (dots are slashes) into buf. */
int sysctl_read(const char *key, char *buf, size_t size, berth_err *err);
int sysctl_write(const char *key, const char *value, berth_err *err);

/* For a link berth made, before it is up: it never accepts IPv6 router
 * advertisements (a container's RA would give the host a default route
 * and an address: Docker's CVE-2020-13401), and without `ipv6` it has no
 * IPv6 at all. A link without IPv6 (a kernel without it, an MTU below
 * 1280) has nothing to turn off. */
int sysctl_link_no_ra(const char *ifname, bool ipv6, berth_err *err);
/* For the host end of a veth berth made a bridge port, before it is up:
 * no IPv6 of its own. A port bridges IPv6 without it; with it, each port
 * gives the host one more multicast route (every multicast packet the
 * host sends or receives looks through one per container, with RTNL
 * held when the kernel's address work sends them), joins the routers'
 * groups and sends MLD reports. */
int sysctl_port_no_ipv6(const char *ifname, berth_err *err);
/* In the caller's network namespace: links born there later start with
 * IPv6 disabled (net.ipv6.conf.default.disable_ipv6=1). A kernel
 * without IPv6 has nothing to disable. */
int sysctl_link_ipv6_default_off(berth_err *err);

/* For a container's link `ifname` in the network namespace `netns_fd`,
 * before it is up, on a network with IPv6: IPv6 on, with no router
 * advertisement accepted, no DAD and no router solicitation. */
int sysctl_link_ipv6_owned(int netns_fd, const char *ifname, berth_err *err);

/* Turns IPv6 forwarding on (net.ipv6.conf.all.forwarding=1), unless it
 * is on. Before that, every interface (and the default for new ones)
 * that accepts router advertisements with accept_ra=1 gets accept_ra=2,
 * which keeps accepting them with forwarding on: a host that learned its
 * IPv6 default route from them keeps it. `moved` lists those interfaces
 * ("default" among them), also when a later step failed. */
int sysctl_ipv6_forwarding_on(bool *turned_on, char ***moved, size_t *n_moved, berth_err *err);

#endif
