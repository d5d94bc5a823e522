/* netns-attach: libberth used from outside, as a container engine would.
 *
 *     netns-attach [-r ROOT] [-d RUN_DIR] NETWORK SUBNET
 *
 * Creates the bridge network NETWORK on SUBNET, puts a network namespace on
 * it, prints the namespace and the address it got, then removes both.
 * ROOT and RUN_DIR default to $BERTH_ROOT and $BERTH_RUNDIR, then to
 * /var/lib/berth and /run/berth.
 *
 * Only <berth.h> is used. Its API cannot yet attach a namespace the caller
 * made (what a CNI ADD does), so the namespace is a sandbox berth makes for
 * a detached `sleep`, removed with it. Build it with
 *
 *     cc -o netns-attach netns-attach.c $(pkg-config --cflags --libs berth) */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <berth.h>

/* Says what failed and why; the exit status of a failure. */
static int failed(const char *what, berth_err *err)
{
	fprintf(stderr, "netns-attach: %s: %s\n", what, err->msg ? err->msg : "failed");
	berth_err_clear(err);
	return 1;
}

static void print_addr(const char *what, const berth_addr *addr, unsigned len)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(addr->family, addr->bytes, text, sizeof(text));
	printf("%s %s/%u\n", what, text, len);
}

/* Starts a sandbox on the network, prints it and removes it. */
static int attach(berth_ctx *ctx, const berth_network *net)
{
	char *const argv[] = { "sleep", "3600", NULL };
	berth_run_spec spec = { .network = net->id, .argv = argv, .argc = 2, .detach = true };
	berth_container *c = NULL;
	berth_err err = { 0 };
	int exit_code, status = 0;

	if (berth_run(ctx, &spec, &c, &exit_code, &err) < 0)
		return failed("attaching a namespace", &err);
	char *netns = berth_container_sandbox_key(ctx, c);
	printf("namespace %s\n", netns);
	free(netns);
	print_addr("address", &c->endpoints[0].addr, c->endpoints[0].prefix_len);
	if (berth_container_remove(ctx, c->id, true, &err) < 0)
		status = failed(c->name, &err);
	berth_container_free(c);
	return status;
}

static void print_warnings(berth_ctx *ctx)
{
	size_t n;
	const char *const *warnings = berth_warnings(ctx, &n);

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "netns-attach: warning: %s\n", warnings[i]);
}

int main(int argc, char **argv)
{
	berth_config cfg = { 0 };
	berth_ctx *ctx = NULL;
	berth_network *net = NULL;
	berth_err err = { 0 };
	int opt, status;

	while ((opt = getopt(argc, argv, "r:d:")) != -1) {
		if (opt == 'r')
			cfg.root = optarg;
		else if (opt == 'd')
			cfg.run_dir = optarg;
		else
			optind = argc + 1;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: netns-attach [-r ROOT] [-d RUN_DIR] NETWORK SUBNET\n");
		return 2;
	}
	const char *subnets[] = { argv[optind + 1] };
	berth_network_spec spec = { .name = argv[optind], .subnets = subnets, .n_subnets = 1 };

	if (berth_open(&cfg, &ctx, &err) < 0)
		return failed("opening the state", &err);
	if (berth_network_create(ctx, &spec, &net, &err) < 0) {
		status = failed(spec.name, &err);
	} else {
		print_addr("network", &net->subnets[0].subnet.addr, net->subnets[0].subnet.len);
		status = attach(ctx, net);
		if (berth_network_remove(ctx, net->id, &err) < 0)
			status = failed(net->name, &err);
		berth_network_free(net);
	}
	print_warnings(ctx);
	berth_close(ctx);
	return status;
}
