/* network create's options as the library takes them (network_from_spec:
 * name, driver, --subnet, --gateway, --ip-range, -o KEY=VALUE, --label),
 * and the driver's reading of them. The input is lines: name, driver,
 * subnets, gateways, ip-ranges (each space-separated; an empty line: not
 * given), then "o..." an option, "l..." a label, "i" --internal, "6"
 * --ipv6. What is accepted must be what
 * the rest of berth relies on: a subnet it can allocate in, a device name
 * the kernel and nft read back (fuzz_json_store covers how the store
 * keeps options and labels). */
#include "fuzz.h"

#include "core/network_spec.h"
#include "driver/driver.h"
#include "ipam/cidr.h"
#include "util/err.h"
#include "util/model.h"

#include <errno.h>
#include <sys/socket.h>

#define MAX_LINES 40

static const char *given(char **lines, size_t n, size_t i)
{
	return i < n && *lines[i] ? lines[i] : NULL;
}

#define MAX_WORDS 4

/* The space-separated words of line i into words[] (the line is cut). */
static size_t words_of(char **lines, size_t n, size_t i, const char **words)
{
	size_t k = 0;

	for (char *w = i < n ? strtok(lines[i], " ") : NULL; w && k < MAX_WORDS; w = strtok(NULL, " "))
		words[k++] = w;
	return k;
}

static void read_spec(char **lines, size_t n, berth_network_spec *spec, const char **opts, const char **labels,
		      const char *(*words)[MAX_WORDS])
{
	spec->name = n ? lines[0] : "";
	spec->driver = given(lines, n, 1);
	spec->n_subnets = words_of(lines, n, 2, words[0]);
	spec->subnets = words[0];
	spec->n_gateways = words_of(lines, n, 3, words[1]);
	spec->gateways = words[1];
	spec->n_ip_ranges = words_of(lines, n, 4, words[2]);
	spec->ip_ranges = words[2];
	spec->options = opts;
	spec->labels = labels;
	for (size_t i = 5; i < n; i++) {
		if (lines[i][0] == 'o')
			opts[spec->n_options++] = lines[i] + 1;
		else if (lines[i][0] == 'l')
			labels[spec->n_labels++] = lines[i] + 1;
		else if (lines[i][0] == 'i')
			spec->internal = true;
		else if (lines[i][0] == '6')
			spec->ipv6 = true;
	}
}

/* IPv4 first, then IPv6, one each at most; IPv6 only with --ipv6 */
static void check_subnet(const berth_network *net, size_t i)
{
	const berth_subnet *sn = &net->subnets[i];
	char text[BERTH_PREFIX_STRLEN];
	bool v6 = sn->subnet.addr.family == AF_INET6;

	berth_prefix_format(&sn->subnet, text);
	FUZZ_CHECK(net->n_subnets <= 2 && (sn->subnet.addr.family == AF_INET || (v6 && net->enable_ipv6)) &&
			   (i == 0 || (v6 && net->subnets[0].subnet.addr.family == AF_INET)) &&
			   prefix_is_network(&sn->subnet) && sn->subnet.len >= (v6 ? 64 : 8) &&
			   sn->subnet.len <= (v6 ? 126 : 30),
		   "subnet %s", text);
	uint64_t gw = prefix_offset_of(&sn->subnet, &sn->gateway);
	FUZZ_CHECK(prefix_contains(&sn->subnet, &sn->gateway) && gw && (v6 || gw != prefix_last_offset(&sn->subnet)),
		   "gateway of %s", text);
	FUZZ_CHECK(!sn->has_ip_range || (prefix_is_network(&sn->ip_range) && prefix_within(&sn->subnet, &sn->ip_range)),
		   "ip-range of %s", text);
}

static void check_network(const berth_network_spec *spec, berth_network *net)
{
	const driver_ops *ops = driver_find(net->driver);
	berth_err err = { 0 };

	FUZZ_CHECK(ops && !ops->single_instance && !strcmp(net->name, spec->name) &&
			   check_network_name(net->name, &err) == 0,
		   "network \"%s\" of driver %s", spec->name, net->driver);
	FUZZ_CHECK(net->ifname && driver_valid_ifname(net->ifname) && strcmp(net->ifname, "lo"),
		   "device \"%s\"", net->ifname ? net->ifname : "(none)");
	FUZZ_CHECK(!net->mtu || (net->mtu >= 68 && net->mtu <= 65535), "mtu %u", net->mtu);
	for (size_t i = 0; i < net->n_subnets; i++)
		check_subnet(net, i);
	driver_address own = { 0 };
	int ret = ops->own_address ? ops->own_address(net, &own, &err) : 0;
	FUZZ_CHECK(ret == 1 ? prefix_contains(&net->subnets[0].subnet, &own.addr) : ret == 0 || err.msg,
		   "own address: %d", ret);
	berth_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *lines[MAX_LINES];
	const char *opts[MAX_LINES], *labels[MAX_LINES];
	size_t n = fuzz_lines(text, lines, MAX_LINES);
	berth_network_spec spec = { 0 };
	berth_network *net = network_alloc();
	berth_err err = { 0 };
	const char *words[3][MAX_WORDS];

	read_spec(lines, n, &spec, opts, labels, words);
	memset(net->id, 'a', BERTH_ID_HEX); /* as network_new's random one */
	int ret = network_from_spec(&spec, net, &err);
	if (ret < 0)
		FUZZ_CHECK(ret == -EINVAL && err.msg && *err.msg, "refused with %d", ret);
	else
		check_network(&spec, net);
	berth_err_clear(&err);
	berth_network_free(net);
	free(text);
	return 0;
}
