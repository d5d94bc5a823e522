/* cnm-endpoint: berth's endpoints made before their container, one call
 * per run, as Docker's network driver protocol (CreateEndpoint, Join,
 * Leave, DeleteEndpoint) makes them.
 *
 *     cnm-endpoint [-r ROOT] [-d RUN_DIR] create NETWORK ENDPOINT_ID ADDRESS|- MAC|-
 *     cnm-endpoint [-r ROOT] [-d RUN_DIR] join ENDPOINT_ID CONTAINER_ID NETNS_PATH
 *     cnm-endpoint [-r ROOT] [-d RUN_DIR] leave ENDPOINT_ID
 *     cnm-endpoint [-r ROOT] [-d RUN_DIR] delete ENDPOINT_ID
 *     cnm-endpoint [-r ROOT] [-d RUN_DIR] get ENDPOINT_ID
 *
 * create prints the host end of the veth, the container's end (left in
 * the host), the MAC and the address with its prefix length; join prints
 * the container's end, for the runtime to move into NETNS_PATH, and the
 * gateway; get prints the container's ID (- while staged), the host end
 * and the MAC. "-" is none: the next free address, the MAC made from it.
 * ROOT and RUN_DIR default to $BERTH_ROOT and $BERTH_RUNDIR, then to
 * /var/lib/berth and /run/berth.
 *
 * Only <berth.h> is used. Build it with
 *
 *     cc -o cnm-endpoint cnm-endpoint.c $(pkg-config --cflags --libs berth) */
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
	fprintf(stderr, "usage: cnm-endpoint [-r ROOT] [-d RUN_DIR] create NETWORK ENDPOINT_ID ADDRESS|- MAC|-\n"
			"       cnm-endpoint [-r ROOT] [-d RUN_DIR] join ENDPOINT_ID CONTAINER_ID NETNS_PATH\n"
			"       cnm-endpoint [-r ROOT] [-d RUN_DIR] leave|delete|get ENDPOINT_ID\n");
	return 2;
}

static int create(berth_ctx *ctx, char **arg, berth_err *err)
{
	berth_endpoint_spec spec = { .network = arg[0], .id = arg[1], .ip = or_none(arg[2]), .mac = or_none(arg[3]) };
	berth_endpoint *ep = NULL;
	int ret = berth_endpoint_create(ctx, &spec, &ep, err);

	if (ret == 0) {
		char addr[BERTH_ADDR_STRLEN];
		printf("%s %s %s %s/%u\n", ep->host_ifname, ep->ifname, ep->mac, berth_addr_format(&ep->addr, addr),
		       ep->prefix_len);
	}
	berth_endpoint_free(ep);
	return ret;
}

static int join(berth_ctx *ctx, char **arg, berth_err *err)
{
	berth_join_spec spec = { .endpoint_id = arg[0], .external_id = arg[1], .netns_path = arg[2] };
	berth_endpoint *ep = NULL;
	int ret = berth_endpoint_join(ctx, &spec, &ep, err);

	if (ret == 0) {
		char gw[BERTH_ADDR_STRLEN];
		printf("%s %s\n", ep->ifname, berth_addr_format(&ep->gateway, gw));
	}
	berth_endpoint_free(ep);
	return ret;
}

static int get(berth_ctx *ctx, char **arg, berth_err *err)
{
	berth_endpoint *ep = NULL;
	int ret = berth_endpoint_get(ctx, arg[0], &ep, err);

	if (ret == 0)
		printf("%s %s %s\n", ep->container_id[0] ? ep->container_id : "-", ep->host_ifname, ep->mac);
	berth_endpoint_free(ep);
	return ret;
}

/* The call `cmd` names, with its n_args arguments at arg. */
static int call(berth_ctx *ctx, const char *cmd, char **arg, int n_args, berth_err *err)
{
	if (!strcmp(cmd, "create") && n_args == 4)
		return create(ctx, arg, err);
	if (!strcmp(cmd, "join") && n_args == 3)
		return join(ctx, arg, err);
	if (!strcmp(cmd, "leave") && n_args == 1)
		return berth_endpoint_leave(ctx, arg[0], err);
	if (!strcmp(cmd, "delete") && n_args == 1)
		return berth_endpoint_delete(ctx, arg[0], err);
	if (!strcmp(cmd, "get") && n_args == 1)
		return get(ctx, arg, err);
	return 1;
}

int main(int argc, char **argv)
{
	return example_main(argc, argv, "cnm-endpoint", call, usage);
}
