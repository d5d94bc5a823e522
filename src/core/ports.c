#include "core/ports.h"
#include "core/context.h"
#include "ipam/cidr.h"
#include "nl/addr.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/id.h"
#include "util/proto.h"
#include "util/xalloc.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define EPHEMERAL_MIN 32768
#define EPHEMERAL_MAX 60999

static char *binding_text(const berth_port *p, unsigned port)
{
	char a[BERTH_ADDR_STRLEN];

	berth_addr_format(&p->host_ip, a);
	if (p->host_ip.family == AF_INET6)
		return xasprintf("[%s]:%u/%s", a, port, port_proto_name(p->proto));
	return xasprintf("%s:%u/%s", a, port, port_proto_name(p->proto));
}

static int refuse_taken(berth_ctx *ctx, const berth_port *p, const char *holder, berth_err *err)
{
	_cleanup_free_ char *what = binding_text(p, p->host_port_min);
	_cleanup_free_ char *name = store_container_name(ctx->store, holder);

	return berth_err_set(err, EADDRINUSE, "Bind for %s failed: port is already allocated by container %s", what,
			     name ? name : holder);
}

/* A process of the host listens there (sshd on 22, a database on
 * 127.0.0.1): the DNAT would take its traffic away. Docker's proxy fails
 * to bind then, and so does berth, by trying to. */
static int port_socket(const berth_port *p)
{
	int type = p->proto == IPPROTO_UDP ? SOCK_DGRAM : p->proto == IPPROTO_SCTP ? SOCK_SEQPACKET : SOCK_STREAM;
	int fd = socket(p->host_ip.family, type | SOCK_CLOEXEC, p->proto), one = 1;

	/* [::] is IPv6's own: 0.0.0.0 is published (and held) apart */
	if (fd >= 0 && p->host_ip.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	return fd;
}

static int port_bind(int fd, const berth_port *p, unsigned port)
{
	if (p->host_ip.family == AF_INET6) {
		struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
		memcpy(&sa6.sin6_addr, p->host_ip.bytes, 16);
		return bind(fd, (struct sockaddr *)&sa6, sizeof(sa6));
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	memcpy(&sa.sin_addr, p->host_ip.bytes, 4);
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

static bool host_port_in_use(const berth_port *p, unsigned port)
{
	int fd = port_socket(p), one = 1;
	bool used;

	if (fd < 0)
		return false; /* no such protocol here (sctp): nothing can listen */
	/* a TIME_WAIT leftover is no listener */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	used = port_bind(fd, p, port) < 0 && errno == EADDRINUSE;
	close(fd);
	return used;
}

/* Without SO_REUSEADDR, so that no other socket can bind the port, with
 * SO_REUSEADDR or without; never listening, so no connection waits on it;
 * and a datagram socket takes next to nothing in (DNAT sends the port's
 * traffic on before any socket sees it). */
static int hold_one(const berth_port *p, int *fd, berth_err *err)
{
	int min = 1;

	*fd = port_socket(p);
	if (*fd < 0 && (errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT))
		return 0; /* no such protocol here (sctp): nothing else can bind it either */
	if (*fd < 0)
		return berth_err_sys(err, errno, "holding host port %u", p->host_port);
	setsockopt(*fd, SOL_SOCKET, SO_RCVBUF, &min, sizeof(min));
	if (port_bind(*fd, p, p->host_port) == 0)
		return 0;
	int e = errno;
	_cleanup_free_ char *what = binding_text(p, p->host_port);
	close(*fd);
	*fd = -1;
	if (e == EADDRINUSE)
		return berth_err_set(err, EADDRINUSE, "Bind for %s failed: port is already in use by a process of the host",
				     what);
	return berth_err_sys(err, e, "holding host port %s", what);
}

int ports_hold(const berth_port *ports, size_t n, int **fds, berth_err *err)
{
	int ret = 0;

	*fds = xmalloc((n ? n : 1) * sizeof(**fds));
	for (size_t i = 0; i < n; i++)
		(*fds)[i] = -1;
	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = hold_one(&ports[i], &(*fds)[i], err);
	for (size_t i = 0; ret < 0 && i < n; i++)
		if ((*fds)[i] >= 0)
			close((*fds)[i]);
	if (ret < 0) {
		free(*fds);
		*fds = NULL;
	}
	return ret;
}

/* By an earlier -p of this same run (not yet in the store). */
static bool taken_by_this_run(const berth_port *ports, size_t upto, const berth_port *p, unsigned port)
{
	for (size_t i = 0; i < upto; i++) {
		const berth_port *q = &ports[i];
		if (q->proto == p->proto && q->host_port == port && q->host_ip.family == p->host_ip.family &&
		    (addr_is_any(&q->host_ip) || addr_is_any(&p->host_ip) || berth_addr_equal(&q->host_ip, &p->host_ip)))
			return true;
	}
	return false;
}

static bool port_taken(berth_ctx *ctx, const berth_port *ports, size_t upto, const berth_port *p, unsigned port)
{
	_cleanup_free_ char *holder = store_port_holder(ctx->store, p->proto, port, &p->host_ip);

	return holder || host_port_in_use(p, port) || taken_by_this_run(ports, upto, p, port);
}

/* A free port in min..max (the ephemeral range when both are 0), from a
 * random start so that concurrent runs rarely want the same one. */
static int choose_port(berth_ctx *ctx, berth_port *ports, size_t i, berth_err *err)
{
	berth_port *p = &ports[i];
	unsigned lo = p->host_port_min ? p->host_port_min : EPHEMERAL_MIN;
	unsigned hi = p->host_port_max ? p->host_port_max : EPHEMERAL_MAX;
	unsigned span = hi - lo + 1, start;

	/* from a random start: concurrent runs rarely want the same port, and
	 * the k-th random port does not cost k lookups */
	random_bytes(&start, sizeof(start));
	start %= span;

	for (unsigned k = 0; k < span; k++) {
		unsigned port = lo + (start + k) % span;
		if (!port_taken(ctx, ports, i, p, port)) {
			p->host_port = (uint16_t)port;
			return 0;
		}
	}
	return berth_err_set(err, EADDRINUSE, "no free host port in %u-%u for %u/%s", lo, hi, p->container_port,
			     port_proto_name(p->proto));
}

/* [::] published beside 0.0.0.0 by the same -p (the twin check_publish
 * adds): the host port 0.0.0.0 got, as in Docker. */
static const berth_port *ipv4_twin(const berth_port *ports, size_t upto, const berth_port *p)
{
	if (p->host_ip.family != AF_INET6 || !addr_is_any(&p->host_ip))
		return NULL;
	for (size_t i = 0; i < upto; i++) {
		const berth_port *q = &ports[i];
		if (q->host_ip.family == AF_INET && addr_is_any(&q->host_ip) && q->proto == p->proto &&
		    q->container_port == p->container_port && q->host_port_min == p->host_port_min &&
		    q->host_port_max == p->host_port_max)
			return q;
	}
	return NULL;
}

int ports_pick(berth_ctx *ctx, const char *container_id, berth_port *ports, size_t n, berth_err *err)
{
	for (size_t i = 0; i < n; i++) {
		berth_port *p = &ports[i];
		const berth_port *twin = ipv4_twin(ports, i, p);
		int ret;
		if (twin) {
			berth_port want = *p;
			want.host_port_min = want.host_port_max = twin->host_port;
			if ((ret = ports_pick(ctx, container_id, &want, 1, err)) < 0)
				return ret;
			if (taken_by_this_run(ports, i, &want, want.host_port))
				return refuse_taken(ctx, &want, container_id, err);
			p->host_port = want.host_port;
		} else if (p->host_port_min && p->host_port_min == p->host_port_max) {
			_cleanup_free_ char *holder =
				store_port_holder(ctx->store, p->proto, p->host_port_min, &p->host_ip);
			if (holder)
				return refuse_taken(ctx, p, holder, err);
			if (host_port_in_use(p, p->host_port_min)) {
				_cleanup_free_ char *what = binding_text(p, p->host_port_min);
				return berth_err_set(err, EADDRINUSE,
						     "Bind for %s failed: port is already in use by a process of the host",
						     what);
			}
			p->host_port = p->host_port_min;
			if (taken_by_this_run(ports, i, p, p->host_port))
				return refuse_taken(ctx, p, container_id, err);
		} else if ((ret = choose_port(ctx, ports, i, err)) < 0) {
			return ret;
		}
	}
	return 0;
}

typedef struct local_check {
	const berth_addr *want;
	bool found;
} local_check;

static void match_local(const berth_prefix *p, unsigned ifindex, const char *ifname, void *data)
{
	local_check *lc = data;

	(void)ifindex;
	(void)ifname;
	lc->found |= berth_addr_equal(&p->addr, lc->want);
}

/* Docker's proxy would fail to bind an address the host does not have:
 * so does berth, before anything is recorded. */
int ports_check_host_addresses(berth_ctx *ctx, const berth_port *ports, size_t n, berth_err *err)
{
	for (size_t i = 0; i < n; i++) {
		local_check lc = { .want = &ports[i].host_ip };
		int ret;
		if (addr_is_any(&ports[i].host_ip))
			continue;
		if ((ret = nl_addr_each(ctx->nl, ports[i].host_ip.family, match_local, &lc, err)) < 0)
			return ret;
		if (!lc.found) {
			char a[BERTH_ADDR_STRLEN];
			_cleanup_free_ char *what = binding_text(&ports[i], ports[i].host_port_min);
			return berth_err_set(err, EADDRNOTAVAIL, "Bind for %s failed: %s is not an address of this host",
					     what, berth_addr_format(&ports[i].host_ip, a));
		}
	}
	return 0;
}
