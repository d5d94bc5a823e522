/* network create's options as the library takes them (network_from_spec:
 * name, driver, --subnet, --gateway, --ip-range, -o KEY=VALUE, --label),
 * and the driver's reading of them. The input is lines: name, driver,
 * subnet, gateway, ip-range (an empty line: not given), then "o..." an
 * option, "l..." a label, "i" --internal. What is accepted must be what
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

static void read_spec(char **lines, size_t n, berth_network_spec *spec, const char **opts, const char **labels)
{
	spec->name = n ? lines[0] : "";
	spec->driver = given(lines, n, 1);
	spec->subnet = given(lines, n, 2);
	spec->gateway = given(lines, n, 3);
	spec->ip_range = given(lines, n, 4);
	spec->options = opts;
	spec->labels = labels;
	for (size_t i = 5; i < n; i++) {
		if (lines[i][0] == 'o')
			opts[spec->n_options++] = lines[i] + 1;
		else if (lines[i][0] == 'l')
			labels[spec->n_labels++] = lines[i] + 1;
		else if (lines[i][0] == 'i')
			spec->internal = true;
	}
}

static void check_subnet(const berth_network *net)
{
	const berth_subnet *sn = &net->subnets[0];
	char text[BERTH_PREFIX_STRLEN];

	berth_prefix_format(&sn->subnet, text);
	FUZZ_CHECK(net->n_subnets == 1 && sn->subnet.addr.family == AF_INET && prefix_is_network(&sn->subnet) &&
			   sn->subnet.len >= 8 && sn->subnet.len <= 30,
		   "subnet %s", text);
	uint64_t gw = prefix_offset_of(&sn->subnet, &sn->gateway);
	FUZZ_CHECK(prefix_contains(&sn->subnet, &sn->gateway) && gw && gw != prefix_last_offset(&sn->subnet),
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
	if (net->n_subnets)
		check_subnet(net);
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

	read_spec(lines, n, &spec, opts, labels);
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
