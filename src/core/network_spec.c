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

#define CIDR_EXAMPLE "(e.g. 10.1.0.0/24)"

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

/* A CIDR given for `what` (subnet, ip-range): well formed, IPv4, and
 * written as the network address. */
static int parse_network_prefix(const char *what, const char *text, berth_prefix *out, berth_err *err)
{
	bool bad_len;

	if (!prefix_parse(text, out, &bad_len)) {
		if (bad_len)
			return berth_err_set(err, EINVAL, "invalid %s \"%s\": prefix length must be 0-%u for %s", what,
					     text, addr_bits(out->addr.family),
					     out->addr.family == AF_INET ? "IPv4" : "IPv6");
		return berth_err_set(err, EINVAL, "invalid %s \"%s\": not a CIDR address " CIDR_EXAMPLE, what, text);
	}
	if (out->addr.family != AF_INET)
		return berth_err_set(err, EINVAL, "invalid %s \"%s\": IPv6 networks are not supported yet", what, text);
	if (!prefix_is_network(out)) {
		berth_prefix net = prefix_network(out);
		char fixed[BERTH_PREFIX_STRLEN];
		return berth_err_set(err, EINVAL, "invalid %s \"%s\": host bits are set (did you mean %s?)", what, text,
				     berth_prefix_format(&net, fixed));
	}
	return 0;
}

static int check_subnet_size(const berth_prefix *p, berth_err *err)
{
	if (p->len < 8 || p->len > 30) {
		char text[BERTH_PREFIX_STRLEN];
		return berth_err_set(err, EINVAL, "subnet %s: prefix length must be between /8 and /30",
				     berth_prefix_format(p, text));
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
} reserved_v4[] = {
	{ "0.0.0.0/8", "\"this network\" (unspecified)" },
	{ "127.0.0.0/8", "loopback" },
	{ "169.254.0.0/16", "link-local" },
	{ "224.0.0.0/4", "multicast" },
};

static int check_subnet_scope(const berth_prefix *p, berth_err *err)
{
	for (size_t i = 0; i < sizeof(reserved_v4) / sizeof(reserved_v4[0]); i++) {
		berth_prefix r;
		bool bad_len;
		if (prefix_parse(reserved_v4[i].prefix, &r, &bad_len) && prefix_overlaps(p, &r)) {
			char text[BERTH_PREFIX_STRLEN];
			return berth_err_set(err, EINVAL, "subnet %s overlaps %s, which is %s: containers cannot use it",
					     berth_prefix_format(p, text), reserved_v4[i].prefix, reserved_v4[i].what);
		}
	}
	return 0;
}

static int parse_gateway(const char *text, const berth_prefix *subnet, berth_addr *out, berth_err *err)
{
	char sub[BERTH_PREFIX_STRLEN];

	if (!addr_parse(text, out))
		return berth_err_set(err, EINVAL, "invalid gateway \"%s\": not an IP address", text);
	berth_prefix_format(subnet, sub);
	if (!prefix_contains(subnet, out))
		return berth_err_set(err, EINVAL, "gateway %s is outside subnet %s", text, sub);
	uint64_t offset = prefix_offset_of(subnet, out);
	if (offset == 0)
		return berth_err_set(err, EINVAL, "gateway %s is the network address of subnet %s", text, sub);
	if (offset == prefix_last_offset(subnet))
		return berth_err_set(err, EINVAL, "gateway %s is the broadcast address of subnet %s", text, sub);
	return 0;
}

static int parse_ip_range(const char *text, const berth_prefix *subnet, berth_prefix *out, berth_err *err)
{
	int ret = parse_network_prefix("ip-range", text, out, err);

	if (ret < 0)
		return ret;
	if (!prefix_within(subnet, out)) {
		char sub[BERTH_PREFIX_STRLEN];
		return berth_err_set(err, EINVAL, "ip-range %s is outside subnet %s", text, berth_prefix_format(subnet, sub));
	}
	return 0;
}

static int spec_subnet(const berth_network_spec *spec, berth_network *net, berth_err *err)
{
	berth_subnet sn = { 0 };
	int ret;

	if (!spec->subnet) {
		if (spec->gateway)
			return berth_err_set(err, EINVAL, "--gateway requires --subnet");
		if (spec->ip_range)
			return berth_err_set(err, EINVAL, "--ip-range requires --subnet");
		return 0; /* IPAM picks one from the default pools */
	}
	if ((ret = parse_network_prefix("subnet", spec->subnet, &sn.subnet, err)) < 0 ||
	    (ret = check_subnet_size(&sn.subnet, err)) < 0 || (ret = check_subnet_scope(&sn.subnet, err)) < 0)
		return ret;
	if (spec->gateway && (ret = parse_gateway(spec->gateway, &sn.subnet, &sn.gateway, err)) < 0)
		return ret;
	if (!spec->gateway)
		sn.gateway = prefix_addr_at(&sn.subnet, 1);
	if (spec->ip_range) {
		if ((ret = parse_ip_range(spec->ip_range, &sn.subnet, &sn.ip_range, err)) < 0)
			return ret;
		sn.has_ip_range = true;
	}
	net->subnets = xmalloc(sizeof(sn));
	net->subnets[0] = sn;
	net->n_subnets = 1;
	net->user_subnet = true;
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

int network_from_spec(const berth_network_spec *spec, berth_network *net, berth_err *err)
{
	const driver_ops *ops;
	int ret;

	if ((ret = check_network_name(spec->name, err)) < 0 || (ret = spec_driver(spec, net, &ops, err)) < 0 ||
	    (ret = parse_pairs(spec->options, spec->n_options, false, "option", &net->options, err)) < 0 ||
	    (ret = parse_pairs(spec->labels, spec->n_labels, true, "label", &net->labels, err)) < 0 ||
	    (ret = spec_subnet(spec, net, err)) < 0)
		return ret;
	net->name = xstrdup(spec->name);
	net->internal = spec->internal;
	net->attachable = spec->attachable;
	return ops->configure(net, err);
}
