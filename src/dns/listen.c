#include "dns/listen.h"
#include "dns/resolver.h"
#include "fw/dns_redirect.h"
#include "fw/nft.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/netns_enter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bound to a port the kernel picks that is free for both protocols. */
static int bind_pair(dns_listener *l, berth_err *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int one = 1;

	inet_pton(AF_INET, DNS_RESOLVER_ADDR, &sa.sin_addr);
	l->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	l->tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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

static int open_inside(void *arg, berth_err *err)
{
	dns_listener *l = arg;
	int ret = -EADDRINUSE;

	/* a UDP port taken for TCP by the container: another one */
	for (int tries = 0; tries < 8 && ret == -EADDRINUSE; tries++) {
		if (tries)
			berth_err_clear(err);
		dns_listener_close(l);
		ret = bind_pair(l, err);
	}
	if (ret < 0)
		return ret;
	/* made here: libnftables talks to the namespace its socket is in */
	nft_runner *nft = nft_runner_new();
	json_t *cmds = fw_dns_redirect(DNS_RESOLVER_ADDR, l->port);
	ret = nft_run(nft, cmds, err);
	json_decref(cmds);
	nft_runner_free(nft);
	return ret < 0 ? berth_err_wrap(err, "redirecting port 53 to the resolver") : 0;
}

int dns_listener_open(const char *netns_path, dns_listener *l, berth_err *err)
{
	_cleanup_close_ int ns = open(netns_path, O_RDONLY | O_CLOEXEC);
	int ret;

	l->udp = l->tcp = -1;
	if (ns < 0)
		return berth_err_sys(err, errno, "opening %s", netns_path);
	ret = in_netns(ns, open_inside, l, err);
	if (ret < 0)
		dns_listener_close(l);
	return ret;
}

void dns_listener_close(dns_listener *l)
{
	if (l->udp >= 0)
		close(l->udp);
	if (l->tcp >= 0)
		close(l->tcp);
	l->udp = l->tcp = -1;
}
