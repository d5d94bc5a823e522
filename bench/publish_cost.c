/* The cost of publishing one more port, in process, for bench/fw_ports.sh:
 * what berth does for one -p (choose and record the port under the
 * store's lock, add the map elements in one nftables transaction),
 * timed alone with 1, 100 and 1,000 ports already published. A whole
 * `berth run` varies by milliseconds from one run to the next (process
 * starts, the kernel's namespace work); this isolates the part the
 * number of ports could make slower.
 *
 *   publish_cost SAMPLES [cold] (in a throwaway namespace, BERTH_ROOT and
 *                             BERTH_RUNDIR set; links build/libberth.a) */
#include "core/context.h"
#include "core/firewall.h"
#include "fw/nft.h"
#include "ipam/cidr.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void die(const char *what, berth_err *err)
{
	fprintf(stderr, "publish_cost: %s: %s\n", what, err->msg ? err->msg : "failed");
	exit(1);
}

/* Publishes ports first..first+n-1 for a container that never runs. */
static void fill(berth_ctx *ctx, unsigned first, unsigned n, const berth_endpoint *target)
{
	berth_container c = { 0 };
	berth_port *ports = calloc(n, sizeof(*ports));
	berth_err err = { 0 };

	snprintf(c.id, sizeof(c.id), "fill%060u", first);
	for (unsigned i = 0; i < n; i++) {
		ports[i].host_ip.family = AF_INET;
		ports[i].proto = IPPROTO_TCP;
		ports[i].container_port = 80;
		ports[i].host_port_min = ports[i].host_port_max = (uint16_t)(first + i);
	}
	if (fw_ports_publish(ctx, &c, ports, n, target, &err) < 0)
		die("filling", &err);
	free(ports);
}

/* cold: a fresh libnftables context per sample, as each berth command
 * has (its first command fetches the kernel's view of the table) */
static bool cold;

static void measure(berth_ctx *ctx, unsigned level, int samples, const berth_endpoint *target)
{
	double *t = calloc((size_t)samples, sizeof(*t));
	berth_container c = { 0 };
	berth_err err = { 0 };

	snprintf(c.id, sizeof(c.id), "%064d", 0);
	for (int i = 0; i < samples; i++) {
		berth_port p = { .host_ip.family = AF_INET, .proto = IPPROTO_TCP, .container_port = 80 };
		p.host_port_min = p.host_port_max = (uint16_t)(60000 + i % 900);
		if (cold) {
			nft_runner_free(ctx->nft);
			ctx->nft = NULL;
		}
		double t0 = now_us();
		if (fw_ports_publish(ctx, &c, &p, 1, target, &err) < 0)
			die("publishing", &err);
		t[i] = now_us() - t0;
		if (fw_ports_unpublish(ctx, c.id, &err) < 0)
			die("unpublishing", &err);
	}
	qsort(t, (size_t)samples, sizeof(*t), cmp);
	printf("publish one port (%s), %4u already published   median %8.3f ms  min %8.3f  max %8.3f  (n=%d)\n",
	       cold ? "cold" : "warm", level, t[samples / 2] / 1000, t[0] / 1000, t[samples - 1] / 1000, samples);
	free(t);
}

int main(int argc, char **argv)
{
	int samples = argc > 1 ? atoi(argv[1]) : 101;
	cold = argc > 2 && !strcmp(argv[2], "cold");
	const char *subnets[] = { "10.95.0.0/16" };
	berth_network_spec spec = { .name = "pc", .subnets = subnets, .n_subnets = 1 };
	berth_network *net = NULL;
	berth_ctx *ctx = NULL;
	berth_err err = { 0 };
	berth_endpoint target = { 0 }; /* the ports lead to its IPv4 address */

	if (berth_open(NULL, &ctx, &err) < 0)
		die("opening", &err);
	if (berth_network_create(ctx, &spec, &net, &err) < 0)
		die("creating a network", &err);
	addr_parse("10.95.0.2", &target.addr);
	fill(ctx, 10000, 1, &target);
	measure(ctx, 1, samples, &target);
	fill(ctx, 11000, 99, &target);
	measure(ctx, 100, samples, &target);
	fill(ctx, 12000, 900, &target);
	measure(ctx, 1000, samples, &target);
	berth_network_free(net);
	berth_close(ctx);
	return 0;
}
