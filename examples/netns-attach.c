/* netns-attach: libberth used from outside, as a container engine would.
 *
 *     netns-attach [-r ROOT] [-d RUN_DIR] NETWORK SUBNET
 *
 * Creates the bridge network NETWORK on SUBNET, makes a network namespace
 * of its own (a child process in it, as an engine's container would be),
 * attaches it to the network (what a CNI ADD does), prints the namespace
 * and the address it got, then detaches it and removes the network.
 * ROOT and RUN_DIR default to $BERTH_ROOT and $BERTH_RUNDIR, then to
 * /var/lib/berth and /run/berth.
 *
 * Only <berth.h> is used. Build it with
 *
 *     cc -o netns-attach netns-attach.c $(pkg-config --cflags --libs berth) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
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

/* A child in a network namespace of its own; it waits for the signal
 * to end. Its pipe says when it is there. */
static pid_t start_holder(void)
{
	int ready[2];
	char c;

	if (pipe(ready) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		close(ready[1]);
		pause();
		_exit(0);
	}
	close(ready[1]);
	/* the pipe closes once it has unshared (or died) */
	if (pid < 0 || read(ready[0], &c, 1) != 0) {
		close(ready[0]);
		return -1;
	}
	close(ready[0]);
	return pid;
}

/* Attaches the namespace to the network, prints it and detaches it. */
static int attach(berth_ctx *ctx, const berth_network *net, pid_t holder)
{
	char netns[64], id[64];
	berth_container *c = NULL;
	berth_err err = { 0 };
	int status = 0;

	snprintf(netns, sizeof(netns), "/proc/%d/ns/net", (int)holder);
	snprintf(id, sizeof(id), "netns-attach-%d", (int)holder);
	berth_attach_spec spec = { .external_id = id, .netns_path = netns, .ifname = "eth0", .network = net->id };
	if (berth_attach(ctx, &spec, &c, &err) < 0)
		return failed("attaching a namespace", &err);
	printf("namespace %s\n", netns);
	print_addr("address", &c->endpoints[0].addr, c->endpoints[0].prefix_len);
	if (berth_detach(ctx, id, NULL, NULL, &err) < 0)
		status = failed(id, &err);
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
		pid_t holder = start_holder();
		if (holder < 0) {
			fprintf(stderr, "netns-attach: could not make a network namespace\n");
			status = 1;
		} else {
			status = attach(ctx, net, holder);
			kill(holder, SIGTERM);
			waitpid(holder, NULL, 0);
		}
		if (berth_network_remove(ctx, net->id, &err) < 0)
			status = failed(net->name, &err);
		berth_network_free(net);
	}
	print_warnings(ctx);
	berth_close(ctx);
	return status;
}
