/* Turning what the user typed for `network create` into a network, or a
 * refusal that names the bad value. Pure: nothing here touches the store
 * or the kernel, so a refused create has changed nothing. */
#include "core/network_spec.h"
#include "driver/driver.h"
#include "ipam/cidr.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/kv.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#define CIDR_EXAMPLE "(e.g. 10.1.0.0/24 or fd00:1::/64)"

static bool name_char(char c, bool first)
{
	return isalnum((unsigned char)c) || (!first && (c == '_' || c == '.' || c == '-'));
}

int check_network_name(const char *name, berth_err *err)
{
	if (strlen(name) > BERTH_NAME_MAX)
		return berth_err_set(err, EINVAL, "invalid network name \"%s\": longer than %d characters", name,
				     BERTH_NAME_MAX);
	for (const char *p = name; *p; p++)
		if (!name_char(*p, p == name))
			goto bad;
	if (*name)
		return 0;
bad:
	return berth_err_set(err, EINVAL, "invalid network name \"%s\": must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
			     name);
}

/* ::ffff:a.b.c.d, an IPv4 address dressed as IPv6 */
static bool v4_mapped(const berth_addr *a)
{
	static const uint8_t head[12] = { [10] = 0xff, [11] = 0xff };

	return a->family == AF_INET6 && !memcmp(a->bytes, head, sizeof(head));
}

/* A zone index (fe80::1%eth0) names one interface's link-local scope:
 * nothing a network, its gateway or its range can be in. */
static int refuse_zone(const char *what, const char *text, berth_err *err)
{
	const char *pct = strchr(text, '%');

	if (!pct)
		return 0;
	return berth_err_set(err, EINVAL, "invalid %s \"%s\": %.*s is a zone index, which only a link-local address of one interface has",
			     what, text, (int)strcspn(pct, "/"), pct);
}

/* A CIDR given for `what` (subnet, ip-range): well formed, not IPv4
 * dressed as IPv6, and written as the network address. */
int parse_network_prefix(const char *what, const char *text, berth_prefix *out, berth_err *err)
{
	bool bad_len;
	int ret = refuse_zone(what, text, err);

	if (ret < 0)
		return ret;
	if (!prefix_parse(text, out, &bad_len)) {
		if (bad_len)
			return berth_err_set(err, EINVAL, "invalid %s \"%s\": prefix length must be 0-%u for %s", what,
					     text, addr_bits(out->addr.family), addr_family_name(out->addr.family));
		return berth_err_set(err, EINVAL, "invalid %s \"%s\": not a CIDR address " CIDR_EXAMPLE, what, text);
	}
	if (v4_mapped(&out->addr))
		return berth_err_set(err, EINVAL, "invalid %s \"%s\": an IPv4-mapped IPv6 address; give the IPv4 %s itself",
				     what, text, what);
	if (!prefix_is_network(out)) {
		berth_prefix net = prefix_network(out);
		char fixed[BERTH_PREFIX_STRLEN];
		return berth_err_set(err, EINVAL, "invalid %s \"%s\": host bits are set (did you mean %s?)", what, text,
				     berth_prefix_format(&net, fixed));
	}
	return 0;
}

/* IPv6: a network is one link, whose standard size is /64 (the longest
 * prefix berth hands out, and what its addresses are counted in); /127
 * and /128 leave no address for a container. */
int check_subnet_size(const berth_prefix *p, berth_err *err)
{
	bool v6 = p->addr.family == AF_INET6;
	unsigned lo = v6 ? 64 : 8, hi = v6 ? 126 : 30;

	if (p->len < lo || p->len > hi) {
		char text[BERTH_PREFIX_STRLEN];
		return berth_err_set(err, EINVAL, "subnet %s: %s prefix length must be between /%u and /%u%s",
				     berth_prefix_format(p, text), addr_family_name(p->addr.family), lo, hi,
				     v6 ? " (one link is a /64 at most; /127 and /128 leave no address for a container)"
					: "");
	}
	return 0;
}

/* Ranges whose addresses the kernel gives a meaning of their own: a
 * bridge with a loopback subnet moves the host's own 127.0.0.1 traffic to
 * it, and no host routes unspecified, link-local or multicast addresses
 * to containers. */
static const struct {
	const char *prefix;
	const char *what;
} reserved[] = {
	{ "0.0.0.0/8", "\"this network\" (unspecified)" },
	{ "127.0.0.0/8", "loopback" },
	{ "169.254.0.0/16", "link-local" },
	{ "224.0.0.0/4", "multicast" },
	{ "::/128", "the unspecified address" },
	{ "::1/128", "loopback" },
	{ "fe80::/10", "link-local" },
	{ "ff00::/8", "multicast" },
};

static int check_subnet_scope(const berth_prefix *p, berth_err *err)
{
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		berth_prefix r;
		bool bad_len;
		/* prefix_overlaps compares families: IPv6 rows never match IPv4 */
		if (prefix_parse(reserved[i].prefix, &r, &bad_len) && prefix_overlaps(p, &r)) {
			char text[BERTH_PREFIX_STRLEN];
			return berth_err_set(err, EINVAL, "subnet %s overlaps %s, which is %s: containers cannot use it",
					     berth_prefix_format(p, text), reserved[i].prefix, reserved[i].what);
		}
	}
	return 0;
}

/* The subnets given, at most one of each family: [0] IPv4, [1] IPv6. */
typedef struct given_subnets {
	berth_subnet sn[2];
	char text[2][BERTH_PREFIX_STRLEN]; /* as berth writes them */
	const char *gateway[2], *ip_range[2]; /* as given */
	bool have[2];
} given_subnets;

static int family_index(int family)
{
	return family == AF_INET6;
}

static int add_subnet(const berth_network_spec *spec, const char *text, given_subnets *g, berth_err *err)
{
	berth_prefix p;
	int ret;

	if ((ret = parse_network_prefix("subnet", text, &p, err)) < 0 || (ret = check_subnet_size(&p, err)) < 0 ||
	    (ret = check_subnet_scope(&p, err)) < 0)
		return ret;
	int f = family_index(p.addr.family);
	if (f && !spec->ipv6)
		return berth_err_set(err, EINVAL, "subnet %s is IPv6: add --ipv6 to give the network IPv6", text);
	if (g->have[f])
		return berth_err_set(err, EINVAL, "subnets %s and %s: a network has one %s subnet", g->text[f], text,
				     addr_family_name(p.addr.family));
	g->have[f] = true;
	berth_prefix_format(&p, g->text[f]);
	g->sn[f].subnet = p;
	return 0;
}

/* Which given subnet `a` is in; -1 after an error naming `what`. */
static int subnet_of(const given_subnets *g, const char *what, const char *text, const berth_prefix *a,
		     berth_err *err)
{
	for (int f = 0; f < 2; f++)
		if (g->have[f] && prefix_within(&g->sn[f].subnet, a))
			return f;
	if (!g->have[0] && !g->have[1])
		return berth_err_set(err, EINVAL, "--%s requires --subnet", what), -1;
	if (g->have[0] && g->have[1])
		return berth_err_set(err, EINVAL, "%s %s is in neither subnet %s nor %s", what, text, g->text[0],
				     g->text[1]),
		       -1;
	return berth_err_set(err, EINVAL, "%s %s is outside subnet %s", what, text, g->text[g->have[1]]), -1;
}

static int add_gateway(const char *text, given_subnets *g, berth_err *err)
{
	berth_addr a;
	int ret = refuse_zone("gateway", text, err);

	if (ret < 0)
		return ret;
	if (!addr_parse(text, &a) || v4_mapped(&a))
		return berth_err_set(err, EINVAL, "invalid gateway \"%s\": not an IP address", text);
	int f = subnet_of(g, "gateway", text, &(berth_prefix){ .addr = a, .len = addr_bits(a.family) }, err);
	if (f < 0)
		return -EINVAL;
	const berth_prefix *subnet = &g->sn[f].subnet;
	if (g->gateway[f])
		return berth_err_set(err, EINVAL, "gateways %s and %s: subnet %s has one", g->gateway[f], text, g->text[f]);
	uint64_t offset = prefix_offset_of(subnet, &a);
	if (offset == 0)
		return berth_err_set(err, EINVAL, "gateway %s is the network address of subnet %s", text, g->text[f]);
	if (a.family == AF_INET && offset == prefix_last_offset(subnet))
		return berth_err_set(err, EINVAL, "gateway %s is the broadcast address of subnet %s", text, g->text[f]);
	g->gateway[f] = text;
	g->sn[f].gateway = a;
	return 0;
}

static int add_ip_range(const char *text, given_subnets *g, berth_err *err)
{
	berth_prefix r;
	int ret = parse_network_prefix("ip-range", text, &r, err);

	if (ret < 0)
		return ret;
	int f = subnet_of(g, "ip-range", text, &r, err);
	if (f < 0)
		return -EINVAL;
	if (g->ip_range[f])
		return berth_err_set(err, EINVAL, "ip-ranges %s and %s: subnet %s has one", g->ip_range[f], text,
				     g->text[f]);
	g->ip_range[f] = text;
	g->sn[f].ip_range = r;
	g->sn[f].has_ip_range = true;
	return 0;
}

/* The subnets given (IPv4 first), their gateways and ranges. Those not
 * given are picked when the network is made (network_add): IPv4 when no
 * subnet is given at all (an IPv6 subnet alone makes an IPv6-only
 * network), IPv6 with --ipv6. */
static int spec_subnets(const berth_network_spec *spec, berth_network *net, berth_err *err)
{
	given_subnets g = { 0 };
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < spec->n_subnets; i++)
		ret = add_subnet(spec, spec->subnets[i], &g, err);
	for (size_t i = 0; ret == 0 && i < spec->n_gateways; i++)
		ret = add_gateway(spec->gateways[i], &g, err);
	for (size_t i = 0; ret == 0 && i < spec->n_ip_ranges; i++)
		ret = add_ip_range(spec->ip_ranges[i], &g, err);
	if (ret < 0)
		return ret;
	net->subnets = xzalloc(2 * sizeof(*net->subnets));
	for (int f = 0; f < 2; f++) {
		if (!g.have[f])
			continue;
		if (!g.gateway[f])
			g.sn[f].gateway = prefix_addr_at(&g.sn[f].subnet, 1);
		net->subnets[net->n_subnets++] = g.sn[f];
	}
	net->user_subnet = net->n_subnets > 0;
	net->enable_ipv6 = spec->ipv6;
	return 0;
}

/* "KEY=VALUE"; labels may leave out "=VALUE" (empty value, as Docker). */
static int parse_pairs(const char *const *items, size_t n, bool value_optional, const char *what,
		       berth_kv_list *out, berth_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(items[i], '=');
		if (eq == items[i] || (!eq && !value_optional) || !items[i][0])
			return berth_err_set(err, EINVAL, "invalid %s \"%s\": expected %s", what, items[i],
					     value_optional ? "KEY[=VALUE]" : "KEY=VALUE");
		/* inspect is JSON, and Docker's API: nothing else fits */
		if (!utf8_valid(items[i]))
			return berth_err_set(err, EINVAL, "invalid %s: not valid UTF-8", what);
		_cleanup_free_ char *key = eq ? xstrndup(items[i], (size_t)(eq - items[i])) : xstrdup(items[i]);
		kv_set(out, key, eq ? eq + 1 : "");
	}
	return 0;
}

static int spec_driver(const berth_network_spec *spec, berth_network *net, const driver_ops **ops, berth_err *err)
{
	const char *name = spec->driver ? spec->driver : DRIVER_DEFAULT;

	*ops = driver_find(name);
	if (!*ops) {
		char names[128];
		driver_creatable_names(names, sizeof(names), ", ");
		return berth_err_set(err, EINVAL, "unknown network driver \"%s\" (available: %s)", name, names);
	}
	if ((*ops)->single_instance)
		return berth_err_set(err, EINVAL, "only one instance of \"%s\" network is allowed", name);
	net->driver = xstrdup(name);
	return 0;
}

/* dockerd's NetworkID kept as the network's: one ID in both tools. */
static int spec_identity(const berth_network_spec *spec, berth_network *net, berth_err *err)
{
	if (spec->id) {
		if (strlen(spec->id) != BERTH_ID_HEX || strspn(spec->id, "0123456789abcdef") != BERTH_ID_HEX)
			return berth_err_set(err, EINVAL, "network ID \"%.80s\": 64 lowercase hexadecimal digits expected",
					     spec->id);
		snprintf(net->id, sizeof(net->id), "%s", spec->id);
	}
	if (spec->made_for && strcmp(spec->made_for, "docker"))
		return berth_err_set(err, EINVAL, "network made for \"%.80s\": only \"docker\" is known", spec->made_for);
	net->made_for = spec->made_for ? xstrdup(spec->made_for) : NULL;
	return 0;
}

int network_from_spec(const berth_network_spec *spec, berth_network *net, berth_err *err)
{
	const driver_ops *ops;
	int ret;

	if ((ret = check_network_name(spec->name, err)) < 0 || (ret = spec_identity(spec, net, err)) < 0 ||
	    (ret = spec_driver(spec, net, &ops, err)) < 0 ||
	    (ret = parse_pairs(spec->options, spec->n_options, false, "option", &net->options, err)) < 0 ||
	    (ret = parse_pairs(spec->labels, spec->n_labels, true, "label", &net->labels, err)) < 0 ||
	    (ret = spec_subnets(spec, net, err)) < 0)
		return ret;
	net->name = xstrdup(spec->name);
	net->internal = spec->internal;
	net->attachable = spec->attachable;
	return ops->configure(net, err);
}
