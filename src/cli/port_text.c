/* Published ports in Docker's words, so what parses `docker ps` and
 * `docker port` output parses berth's. */
#include "cli/port_text.h"
#include "util/cleanup.h"
#include "util/proto.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <sys/socket.h>

/* Go's net.JoinHostPort, which Docker prints addresses with: IPv6 in brackets. */
static char *join_host_port(const berth_addr *ip, const char *port)
{
	char a[BERTH_ADDR_STRLEN];

	berth_addr_format(ip, a);
	return ip->family == AF_INET6 ? xasprintf("[%s]:%s", a, port) : xasprintf("%s:%s", a, port);
}

static char *range_text(unsigned first, unsigned last)
{
	return first == last ? xasprintf("%u", first) : xasprintf("%u-%u", first, last);
}

/* b carries on a's run: same address and protocol, both ports one up
 * (or still no host port). */
static bool continues(const berth_port *a, const berth_port *b)
{
	return b->proto == a->proto && berth_addr_equal(&b->host_ip, &a->host_ip) &&
	       b->container_port == a->container_port + 1 &&
	       (a->host_port ? b->host_port == a->host_port + 1 : !b->host_port);
}

static char *run_text(const berth_port *first, const berth_port *last)
{
	_cleanup_free_ char *cports = range_text(first->container_port, last->container_port);

	/* Docker shows a port without a host side as the container port alone */
	if (!first->host_port)
		return xasprintf("%s/%s", cports, port_proto_name(first->proto));
	_cleanup_free_ char *hports = range_text(first->host_port, last->host_port);
	_cleanup_free_ char *host = join_host_port(&first->host_ip, hports);
	return xasprintf("%s->%s/%s", host, cports, port_proto_name(first->proto));
}

char *port_list_text(const berth_port *ports, size_t n)
{
	char *s = xstrdup("");

	for (size_t i = 0, j; i < n; i = j + 1) {
		for (j = i; j + 1 < n && continues(&ports[j], &ports[j + 1]); j++)
			;
		_cleanup_free_ char *run = run_text(&ports[i], &ports[j]);
		char *next = xasprintf("%s%s%s", s, i ? ", " : "", run);
		free(s);
		s = next;
	}
	return s;
}

char *port_line(const berth_port *p)
{
	_cleanup_free_ char *port = xasprintf("%u", p->host_port);
	_cleanup_free_ char *host = join_host_port(&p->host_ip, port);

	return xasprintf("%u/%s -> %s", p->container_port, port_proto_name(p->proto), host);
}
