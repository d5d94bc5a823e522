/* port_spec_parse (-p/--publish) and the PORTS text of ps and `port`. A
 * refused spec appends nothing and says why; an accepted one gives
 * consecutive container ports, each of which, written back as a spec of
 * its own, parses to the same port. */
#include "fuzz.h"

#include "cli/port_text.h"
#include "core/port_spec.h"
#include "util/err.h"
#include "util/proto.h"

#include <errno.h>
#include <sys/socket.h>

/* Only the first ports are checked one by one: a range can give 65535. */
#define CHECKED_PORTS 16

static bool same_port(const berth_port *a, const berth_port *b)
{
	return berth_addr_equal(&a->host_ip, &b->host_ip) && a->proto == b->proto &&
	       a->container_port == b->container_port && a->host_port_min == b->host_port_min &&
	       a->host_port_max == b->host_port_max && a->host_port == b->host_port;
}

/* The spec that asks for exactly p. */
static char *spec_of(const berth_port *p)
{
	char ip[BERTH_ADDR_STRLEN];
	char *host = p->host_port_min == p->host_port_max ? xasprintf("%u", p->host_port_min)
							  : xasprintf("%u-%u", p->host_port_min, p->host_port_max);
	bool v6 = p->host_ip.family == AF_INET6;
	char *spec = xasprintf("%s%s%s:%s:%u/%s", v6 ? "[" : "", berth_addr_format(&p->host_ip, ip), v6 ? "]" : "",
			       host, p->container_port, port_proto_name(p->proto));

	free(host);
	return spec;
}

static void check_port(const berth_port *p, const char *spec)
{
	berth_port *again = NULL;
	size_t n = 0;
	berth_err err = { 0 };

	FUZZ_CHECK(p->container_port && (p->host_ip.family == AF_INET || p->host_ip.family == AF_INET6) &&
			   port_proto_name(p->proto) &&
			   p->host_port_min <= p->host_port_max && !p->host_port,
		   "\"%s\": port %u", spec, p->container_port);
	char *text = spec_of(p);
	FUZZ_CHECK(port_spec_parse(text, &again, &n, &err) == 0 && n == 1 && same_port(p, again),
		   "\"%s\" gave a port whose spec \"%s\" reads otherwise (%s)", spec, text, err.msg ? err.msg : "");
	free(text);
	free(again);
	berth_port shown = *p;
	shown.host_port = p->host_port_max;
	free(port_line(&shown));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_text(data, size);
	berth_port *ports = NULL;
	size_t n = 0;
	berth_err err = { 0 };
	int ret = port_spec_parse(spec, &ports, &n, &err);

	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL && err.msg && *err.msg && !ports && !n, "\"%s\": refused with %d", spec, ret);
	} else {
		FUZZ_CHECK(n >= 1 && n <= 65535 && err.msg == NULL, "\"%s\": %zu ports", spec, n);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(ports[i].container_port == ports[0].container_port + i, "\"%s\": port %zu", spec, i);
		for (size_t i = 0; i < n && i < CHECKED_PORTS; i++)
			check_port(&ports[i], spec);
		free(port_list_text(ports, n));
	}
	berth_err_clear(&err);
	free(ports);
	free(spec);
	return 0;
}
