#include "cni/network.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CNI_LABEL "berth.cni=1"

/* By its name only: berth_network_find would also take an ID prefix. */
static int find_named(berth_ctx *ctx, const char *name, berth_network **out)
{
	berth_err err = { 0 };
	int ret = berth_network_find(ctx, name, out, &err);

	berth_err_clear(&err);
	if (ret == 0 && strcmp((*out)->name, name)) {
		berth_network_free(*out);
		*out = NULL;
		return -ENOENT;
	}
	return ret;
}

static bool has_subnet(const berth_network *net, const char *text)
{
	char have[BERTH_PREFIX_STRLEN];

	for (size_t i = 0; i < net->n_subnets; i++)
		if (!strcmp(berth_prefix_format(&net->subnets[i].subnet, have), text))
			return true;
	return false;
}

/* The configuration may name the network berth has, never another. */
static int check_same(const cni_conf *conf, const berth_network *net, cni_error *e)
{
	char have[BERTH_PREFIX_STRLEN] = "none";

	if (conf->driver && strcmp(conf->driver, net->driver))
		return cni_error_set(e, CNI_ERR_CONFIG,
				     "network %s exists in berth with driver %s; the configuration asks for %s", net->name,
				     net->driver, conf->driver);
	for (size_t i = 0; i < conf->n_subnets; i++) {
		if (has_subnet(net, conf->subnets[i]))
			continue;
		if (net->n_subnets)
			berth_prefix_format(&net->subnets[0].subnet, have);
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

int cni_network_ensure(berth_ctx *ctx, const cni_conf *conf, berth_network **out, cni_error *e)
{
	berth_err err = { 0 };
	int ret = find_named(ctx, conf->name, out);

	if (ret == -ENOENT && (ret = create(ctx, conf, out, &err)) == -EEXIST) {
		/* another ADD made it first */
		berth_err_clear(&err);
		ret = find_named(ctx, conf->name, out);
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

int cni_code_of(int ret)
{
	switch (-ret) {
	case EINVAL:
	case EADDRINUSE:
	case EADDRNOTAVAIL:
	case ENOSPC:
		return CNI_ERR_CONFIG;
	case EBUSY:
	case EAGAIN:
		return CNI_ERR_TRY_LATER;
	case ENOENT:
	case ENODEV:
		return CNI_ERR_UNKNOWN;
	case EIO:
		return CNI_ERR_IO;
	default:
		return CNI_ERR_BERTH;
	}
}
