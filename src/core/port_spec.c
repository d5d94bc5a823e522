/* Docker's -p/--publish specs, read as go-connections' nat.ParsePortSpec
 * reads them and refused with its messages word for word, so what users
 * and scripts learnt on Docker works unchanged. Pure: nothing here touches
 * the store or the kernel, so a refused spec has changed nothing. */
#include "core/port_spec.h"
#include "ipam/cidr.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/proto.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* A spec cut into its parts; each points into one writable copy. */
typedef struct spec_fields {
	const char *ip;   /* "" when not given */
	const char *host; /* "" when not given */
	const char *container;
	const char *proto; /* "" when not given */
} spec_fields;

/* What a valid spec asks for, before its ranges are expanded. */
typedef struct port_request {
	berth_addr ip;
	int proto;
	unsigned container_lo, container_hi;
	unsigned host_lo, host_hi; /* both 0: any free port */
} port_request;

/* Where Docker cuts: the container part after the last colon, the host
 * port before it, and everything before that is the IP (an IPv6 address
 * brings colons of its own); then the protocol after the container part's
 * first slash. */
static void split_fields(char *buf, spec_fields *f)
{
	char *colon = strrchr(buf, ':');
	char *slash;

	f->ip = f->host = f->proto = "";
	f->container = buf;
	if (colon) {
		*colon = '\0';
		f->container = colon + 1;
		f->host = buf;
		if ((colon = strrchr(buf, ':'))) {
			*colon = '\0';
			f->host = colon + 1;
			f->ip = buf;
		}
	}
	if ((slash = strchr(f->container, '/'))) {
		*slash = '\0';
		f->proto = slash + 1;
	}
}

static int parse_proto(const char *name, int *proto, berth_err *err)
{
	*proto = *name ? port_proto_from_name(name) : IPPROTO_TCP;
	if (*proto >= 0)
		return 0;
	/* Docker lowercases the name before it checks it, and names it so */
	_cleanup_free_ char *lower = xstrdup(name);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return berth_err_set(err, EINVAL, "invalid proto: %s", lower);
}

static int parse_host_ip(const char *text, berth_addr *ip, berth_err *err)
{
	size_t len = strlen(text);

	*ip = (berth_addr){ .family = AF_INET };
	if (!len)
		return 0;
	bool bracketed = text[0] == '[';
	if (bracketed && (len < 2 || text[len - 1] != ']'))
		return berth_err_set(err, EINVAL, "invalid IP address: %s", text);
	_cleanup_free_ char *bare = bracketed ? xstrndup(text + 1, len - 2) : xstrdup(text);
	if (!addr_parse(bare, ip))
		return berth_err_set(err, EINVAL, "invalid IP address: %s", *bare ? bare : text);
	/* a connection to ::1 cannot be sent on to a container: IPv6 has no
	 * route_localnet, and the kernel drops ::1 on any other interface */
	static const uint8_t loopback6[16] = { [15] = 1 };
	if (ip->family == AF_INET6 && !memcmp(ip->bytes, loopback6, 16))
		return berth_err_set(err, EINVAL,
				     "cannot publish on ::1: Linux cannot forward connections to the IPv6 loopback address "
				     "into a container; publish on [::] or on an address of the host (clients of "
				     "localhost fall back to 127.0.0.1)");
	return 0;
}

/* Decimal digits only, at most 65535, like Go's ParseUint(s, 10, 16):
 * strtoul alone would take " 80" and "+80". */
static bool parse_number(const char *s, size_t len, unsigned *out)
{
	unsigned long v = 0;

	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > 65535)
			return false;
	}
	*out = (unsigned)v;
	return true;
}

/* "N" or "N-M" with N <= M. */
static bool parse_range(const char *text, unsigned *lo, unsigned *hi)
{
	const char *dash = strchr(text, '-');

	if (!parse_number(text, dash ? (size_t)(dash - text) : strlen(text), lo))
		return false;
	*hi = *lo;
	return !dash || (parse_number(dash + 1, strlen(dash + 1), hi) && *hi >= *lo);
}

static int parse_ports(const spec_fields *f, port_request *r, berth_err *err)
{
	if (!parse_range(f->container, &r->container_lo, &r->container_hi) || !r->container_lo)
		return berth_err_set(err, EINVAL, "invalid containerPort: %s", f->container);
	r->host_lo = r->host_hi = 0;
	if (!*f->host)
		return 0;
	/* 0 alone asks for any port, as in Docker; a range from 0 asks nothing sensible */
	if (!parse_range(f->host, &r->host_lo, &r->host_hi) || (!r->host_lo && r->host_hi))
		return berth_err_set(err, EINVAL, "invalid hostPort: %s", f->host);
	/* a host range for a single container port is where to pick its host port */
	if (r->container_hi != r->container_lo && r->host_hi - r->host_lo != r->container_hi - r->container_lo)
		return berth_err_set(err, EINVAL, "invalid ranges specified for container and host Ports: %s and %s",
				     f->container, f->host);
	return 0;
}

/* Docker's order of checks, so a spec with two faults names the same one. */
static int parse_request(const char *spec, const spec_fields *f, port_request *r, berth_err *err)
{
	int ret;

	if (strchr(f->ip, ':') && f->ip[0] != '[')
		return berth_err_set(err, EINVAL, "invalid port specification: \"%s\"", spec);
	if (!*f->container)
		return berth_err_set(err, EINVAL, "no port specified: %s<empty>", spec);
	if ((ret = parse_proto(f->proto, &r->proto, err)) < 0 || (ret = parse_host_ip(f->ip, &r->ip, err)) < 0 ||
	    (ret = parse_ports(f, r, err)) < 0)
		return ret;
	return 0;
}

/* The i-th container port of the request and the host port it asks for. */
static berth_port port_at(const port_request *r, unsigned i)
{
	berth_port p = {
		.host_ip = r->ip,
		.proto = r->proto,
		.container_port = (uint16_t)(r->container_lo + i),
	};

	if (r->container_lo == r->container_hi) {
		p.host_port_min = (uint16_t)r->host_lo;
		p.host_port_max = (uint16_t)r->host_hi;
	} else if (r->host_lo) {
		p.host_port_min = p.host_port_max = (uint16_t)(r->host_lo + i);
	}
	return p;
}

int port_spec_parse(const char *spec, berth_port **ports, size_t *n, berth_err *err)
{
	_cleanup_free_ char *buf = xstrdup(spec);
	spec_fields f;
	port_request r;
	int ret;

	split_fields(buf, &f);
	if ((ret = parse_request(spec, &f, &r, err)) < 0)
		return ret;
	unsigned count = r.container_hi - r.container_lo + 1;
	*ports = xrealloc(*ports, (*n + count) * sizeof(**ports));
	for (unsigned i = 0; i < count; i++)
		(*ports)[*n + i] = port_at(&r, i);
	*n += count;
	return 0;
}

bool port_spec_names_no_address(const char *spec)
{
	_cleanup_free_ char *buf = xstrdup(spec);
	spec_fields f;

	split_fields(buf, &f);
	return !*f.ip;
}
