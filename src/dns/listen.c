#include "dns/listen.h"
#include "dns/resolver.h"
#include "fw/dns_redirect.h"
#include "nl/detached.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/fd.h"
#include "util/netns_enter.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bound to a port the kernel picks that is free for both protocols. */
static int bind_pair(dns_listener *l, berth_err *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int one = 1;

	inet_pton(AF_INET, DNS_RESOLVER_ADDR, &sa.sin_addr);
	l->udp = fd_move_high(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	l->tcp = fd_move_high(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (l->udp < 0 || l->tcp < 0)
		return berth_err_sys(err, errno, "creating the resolver's sockets");
	if (bind(l->udp, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(l->udp, (struct sockaddr *)&sa, &len) < 0)
		return berth_err_sys(err, errno, "binding the resolver's UDP socket to " DNS_RESOLVER_ADDR);
	setsockopt(l->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->tcp, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l->tcp, 64) < 0)
		return berth_err_sys(err, errno, "binding the resolver's TCP socket to " DNS_RESOLVER_ADDR ":%u",
				     ntohs(sa.sin_port));
	l->port = ntohs(sa.sin_port);
	return 0;
}

static void close_sockets(dns_listener *l)
{
	if (l->udp >= 0)
		close(l->udp);
	if (l->tcp >= 0)
		close(l->tcp);
	l->udp = l->tcp = -1;
}

static int open_inside(void *arg, berth_err *err)
{
	dns_listener *l = arg;
	int ret = -EADDRINUSE;

	/* a UDP port taken for TCP by the container: another one */
	for (int tries = 0; tries < 8 && ret == -EADDRINUSE; tries++) {
		if (tries)
			berth_err_clear(err);
		close_sockets(l);
		ret = bind_pair(l, err);
	}
	return ret;
}

int dns_listener_open(const char *netns_path, dns_listener *l, berth_err *err)
{
	int ret;

	l->udp = l->tcp = -1;
	l->netns = fd_move_high(open(netns_path, O_RDONLY | O_CLOEXEC));
	if (l->netns < 0)
		return berth_err_sys(err, errno, "opening %s", netns_path);
	ret = in_netns(l->netns, open_inside, l, err);
	if (ret < 0)
		dns_listener_close(l);
	return ret;
}

/* ---- the redirects ------------------------------------------------------ */

/* One table per namespace, each a transaction on a socket made there.
 * The sockets are closed by reapers, NL_HAND_OFF_MAX at a time: the last
 * close of such a socket waits for the kernel to finish its transaction
 * (an RCU grace period, 13 ms on a small VM), and the first close of a
 * batch pays it for all (520 tables one by one took 7 s, 0.4 s so). */
void dns_listeners_redirect(dns_listener *const *ls, size_t n, void (*failed)(dns_listener *l, const char *why))
{
	nl_sock *open[NL_HAND_OFF_MAX];
	size_t n_open = 0;

	for (size_t i = 0; i < n; i++) {
		berth_err err = { 0 };
		nl_sock *nl = NULL;
		int ret = nl_open_netfilter_in_netns(ls[i]->netns, &nl, &err);
		if (ret == 0 && (ret = fw_dns_redirect(nl, DNS_RESOLVER_ADDR, ls[i]->port, &err)) < 0)
			berth_err_wrap(&err, "redirecting port 53 to the resolver");
		if (nl)
			open[n_open++] = nl;
		if (n_open == NL_HAND_OFF_MAX) {
			nl_close_detached(open, n_open);
			n_open = 0;
		}
		if (ret < 0)
			failed(ls[i], err.msg ? err.msg : strerror(-ret));
		berth_err_clear(&err);
		if (ls[i]->netns >= 0)
			close(ls[i]->netns);
		ls[i]->netns = -1;
	}
	nl_close_detached(open, n_open);
}

void dns_listeners_reap(void)
{
	nl_detached_reap();
}

void dns_listener_close(dns_listener *l)
{
	close_sockets(l);
	if (l->netns >= 0)
		close(l->netns);
	l->netns = -1;
}
