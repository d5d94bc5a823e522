/* ipam-pool: berth's address pools, one call per run, as an IPAM driver
 * (Docker's protocol: RequestPool, RequestAddress, ReleaseAddress,
 * ReleasePool) would make them.
 *
 *     ipam-pool [-r ROOT] [-d RUN_DIR] request-pool SPACE POOL|- SUB_POOL|- 4|6
 *     ipam-pool [-r ROOT] [-d RUN_DIR] release-pool POOL_ID
 *     ipam-pool [-r ROOT] [-d RUN_DIR] request-address POOL_ID ADDRESS|- HOLDER
 *     ipam-pool [-r ROOT] [-d RUN_DIR] release-address POOL_ID ADDRESS
 *     ipam-pool [-r ROOT] [-d RUN_DIR] create-network NAME NETWORK_ID SUBNET GATEWAY
 *
 * create-network is dockerd's next call, CreateNetwork, to the network
 * driver: a network of that ID (dockerd's) on the pool's subnet, made for
 * dockerd, which alone then attaches containers to it.
 *
 * "-" is none: berth picks a subnet, or the lowest free address. A pool
 * request prints the pool's ID and subnet, an address request the address
 * with the pool's prefix length. ROOT and RUN_DIR default to $BERTH_ROOT
 * and $BERTH_RUNDIR, then to /var/lib/berth and /run/berth.
 *
 * Only <berth.h> is used. Build it with
 *
 *     cc -o ipam-pool ipam-pool.c $(pkg-config --cflags --libs berth) */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include <berth.h>

#include "example_main.h"

static const char *or_none(const char *arg)
{
	return strcmp(arg, "-") ? arg : NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: ipam-pool [-r ROOT] [-d RUN_DIR] request-pool SPACE POOL|- SUB_POOL|- 4|6\n"
			"       ipam-pool [-r ROOT] [-d RUN_DIR] release-pool POOL_ID\n"
			"       ipam-pool [-r ROOT] [-d RUN_DIR] request-address POOL_ID ADDRESS|- HOLDER\n"
			"       ipam-pool [-r ROOT] [-d RUN_DIR] release-address POOL_ID ADDRESS\n"
			"       ipam-pool [-r ROOT] [-d RUN_DIR] create-network NAME NETWORK_ID SUBNET GATEWAY\n");
	return 2;
}

static int request_pool(berth_ctx *ctx, char **arg, berth_err *err)
{
	berth_pool_spec spec = { .address_space = arg[0], .pool = or_none(arg[1]), .sub_pool = or_none(arg[2]),
				 .v6 = !strcmp(arg[3], "6") };
	berth_pool *pool = NULL;
	int ret = berth_pool_request(ctx, &spec, &pool, err);

	if (ret == 0) {
		char subnet[BERTH_PREFIX_STRLEN];
		printf("%s %s\n", pool->id, berth_prefix_format(&pool->subnet, subnet));
	}
	berth_pool_free(pool);
	return ret;
}

static int request_address(berth_ctx *ctx, char **arg, berth_err *err)
{
	berth_prefix got;
	int ret = berth_pool_address_take(ctx, arg[0], or_none(arg[1]), arg[2], &got, err);

	if (ret == 0) {
		char text[BERTH_PREFIX_STRLEN];
		printf("%s\n", berth_prefix_format(&got, text));
	}
	return ret;
}

static int create_network(berth_ctx *ctx, char **arg, berth_err *err)
{
	const char *subnets[] = { arg[2] }, *gateways[] = { arg[3] };
	berth_network_spec spec = { .name = arg[0], .id = arg[1], .made_for = "docker", .subnets = subnets,
				    .n_subnets = 1, .gateways = gateways, .n_gateways = 1 };
	berth_network *net = NULL;
	int ret = berth_network_create(ctx, &spec, &net, err);

	if (ret == 0)
		printf("%s %s\n", net->id, net->ifname ? net->ifname : "");
	berth_network_free(net);
	return ret;
}

/* The call `cmd` names, with its n_args arguments at arg. */
static int call(berth_ctx *ctx, const char *cmd, char **arg, int n_args, berth_err *err)
{
	if (!strcmp(cmd, "request-pool") && n_args == 4)
		return request_pool(ctx, arg, err);
	if (!strcmp(cmd, "release-pool") && n_args == 1)
		return berth_pool_release(ctx, arg[0], err);
	if (!strcmp(cmd, "request-address") && n_args == 3)
		return request_address(ctx, arg, err);
	if (!strcmp(cmd, "release-address") && n_args == 2)
		return berth_pool_address_release(ctx, arg[0], arg[1], err);
	if (!strcmp(cmd, "create-network") && n_args == 4)
		return create_network(ctx, arg, err);
	return 1;
}

int main(int argc, char **argv)
{
	return example_main(argc, argv, "ipam-pool", call, usage);
}
