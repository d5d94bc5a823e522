#include "cni/network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CNI_LABEL "berth.cni=1"

int cni_network_named(berth_ctx *ctx, const char *name, berth_network **out, berth_err *err)
{
	berth_network **nets = NULL;
	size_t n = 0;
	int ret = berth_network_list(ctx, &nets, &n, err);

	*out = NULL;
	for (size_t i = 0; ret == 0 && i < n && !*out; i++)
		if (!strcmp(nets[i]->name, name)) {
			*out = nets[i];
			nets[i] = NULL;
		}
	berth_network_list_free(nets, n);
	return ret;
}

/* "ADDR/LEN" as a prefix; false when it is not one. */
static bool parse_prefix(const char *text, berth_prefix *p)
{
	char addr[64];
	char *end;
	const char *slash = strchr(text, '/');

	if (!slash || (size_t)(slash - text) >= sizeof(addr))
		return false;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - text), text);
	memset(p, 0, sizeof(*p));
	p->addr.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	p->len = (unsigned)strtoul(slash + 1, &end, 10);
	return *end == '\0' && inet_pton(p->addr.family, addr, p->addr.bytes) == 1;
}

/* The network's subnet of that family, or NULL. */
static const berth_subnet *subnet_of(const berth_network *net, int family)
{
	for (size_t i = 0; i < net->n_subnets; i++)
		if (net->subnets[i].subnet.addr.family == family)
			return &net->subnets[i];
	return NULL;
}

/* The configuration may name the network berth has, never another. */
static int check_same(const cni_conf *conf, const berth_network *net, cni_error *e)
{
	char have[BERTH_PREFIX_STRLEN] = "none";
	berth_prefix want;

	if (conf->driver && strcmp(conf->driver, net->driver))
		return cni_error_set(e, CNI_ERR_CONFIG,
				     "network %s exists in berth with driver %s; the configuration asks for %s", net->name,
				     net->driver, conf->driver);
	for (size_t i = 0; i < conf->n_subnets; i++) {
		if (!parse_prefix(conf->subnets[i], &want))
			return cni_error_set(e, CNI_ERR_CONFIG, "invalid subnet \"%s\" in the configuration of network %s",
					     conf->subnets[i], net->name);
		const berth_subnet *sn = subnet_of(net, want.addr.family);
		if (sn && sn->subnet.len == want.len && berth_addr_equal(&sn->subnet.addr, &want.addr))
			continue;
		if (sn)
			berth_prefix_format(&sn->subnet, have);
		return cni_error_set(e, CNI_ERR_CONFIG,
				     "network %s exists in berth with subnet %s; the configuration asks for %s", net->name,
				     have, conf->subnets[i]);
	}
	return 0;
}

static int create(berth_ctx *ctx, const cni_conf *conf, berth_network **out, berth_err *err)
{
	static const char *const labels[] = { CNI_LABEL };
	berth_network_spec spec = { .name = conf->name,
				    .driver = conf->driver,
				    .subnets = conf->subnets,
				    .n_subnets = conf->n_subnets,
				    .gateways = conf->gateways,
				    .n_gateways = conf->n_gateways,
				    .ip_ranges = conf->ip_ranges,
				    .n_ip_ranges = conf->n_ip_ranges,
				    .ipv6 = conf->ipv6,
				    .internal = conf->internal,
				    .options = (const char *const *)conf->options,
				    .n_options = conf->n_options,
				    .labels = labels,
				    .n_labels = 1 };

	return berth_network_create(ctx, &spec, out, err);
}

/* The name was taken as we made it: another ADD (Podman starts several
 * at once) is making the network; it shows once made. Two seconds at
 * most. */
static int wait_made(berth_ctx *ctx, const char *name, berth_network **out, berth_err *err)
{
	struct timespec step = { 0, 10 * 1000 * 1000 };
	int ret = 0;

	for (int i = 0; i < 200 && ret == 0 && !*out; i++) {
		if (i)
			nanosleep(&step, NULL);
		ret = cni_network_named(ctx, name, out, err);
	}
	return ret == 0 && !*out ? -EBUSY : ret;
}

int cni_network_ensure(berth_ctx *ctx, const cni_conf *conf, berth_network **out, cni_error *e)
{
	berth_err err = { 0 };
	int ret = cni_network_named(ctx, conf->name, out, &err);

	if (ret == 0 && !*out && (ret = create(ctx, conf, out, &err)) == -EEXIST) {
		berth_err_clear(&err);
		ret = wait_made(ctx, conf->name, out, &err);
	}
	if (ret == -EBUSY && !err.msg) {
		return cni_error_set(e, CNI_ERR_TRY_LATER,
				     "network %s: another berth process is making or removing it; try again", conf->name);
	}
	if (ret < 0) {
		cni_error_set(e, cni_code_of(ret), "network %s: %s", conf->name, err.msg ? err.msg : strerror(-ret));
		berth_err_clear(&err);
		return -1;
	}
	if (check_same(conf, *out, e) < 0) {
		berth_network_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
