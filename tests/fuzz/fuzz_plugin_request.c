/* What berth-plugin reads of dockerd's requests before it calls berth:
 * CreateNetwork's body as a network spec, and a portmap as -p specs. The
 * input is a JSON body; a request read as a spec never crashes nor leaks,
 * and every -p spec made of a mapping is one berth's own -p parser takes,
 * with the mapping's container port and protocol. */
#include "fuzz.h"

#include "../../src/plugin/network_driver.c"

#include "core/port_spec.h"
#include "util/err.h"

#include <errno.h>

static void check_network_request(const json_t *req)
{
	network_request nr;
	const char *bad = NULL;
	bool ok = read_network_request(&nr, req, &bad);

	FUZZ_CHECK(ok || bad, "a request refused without a reason");
	FUZZ_CHECK(nr.spec.n_subnets <= 2 && nr.spec.n_gateways <= nr.spec.n_subnets, "%zu subnets, %zu gateways",
		   nr.spec.n_subnets, nr.spec.n_gateways);
	network_request_free(&nr);
}

static void check_spec(const json_t *m, const char *spec)
{
	berth_port *ports = NULL;
	size_t n = 0;
	berth_err err = { 0 };
	json_int_t port = json_integer_value(json_object_get(m, "Port"));
	json_int_t proto = json_integer_value(json_object_get(m, "Proto"));

	bool bad = false;
	int ret = port_spec_parse(spec, &ports, &n, &err);

	/* a host address berth cannot publish on (::1) is refused, saying why */
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL && err.msg && plugin_str(m, "HostIP", &bad), "\"%s\" refused: %s", spec,
			   err.msg ? err.msg : "");
		berth_err_clear(&err);
		return;
	}
	FUZZ_CHECK(n == 1 && ports[0].container_port == port && ports[0].proto == proto, "\"%s\": port %u proto %d",
		   spec, ports[0].container_port, ports[0].proto);
	free(ports);
}

static void check_portmap(const json_t *map)
{
	size_t n = 0;
	char **specs = specs_of_portmap(map, &n);

	if (!specs)
		return;
	FUZZ_CHECK(n == json_array_size(map), "%zu specs of %zu mappings", n, json_array_size(map));
	for (size_t i = 0; i < n; i++)
		check_spec(json_array_get(map, i), specs[i]);
	specs_free(specs, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *req = json_loadb((const char *)data, size, 0, NULL);

	if (json_is_object(req)) {
		check_network_request(req);
		const json_t *map = json_object_get(json_object_get(req, "Options"), OPT_PORTMAP);
		if (json_is_array(map))
			check_portmap(map);
	}
	json_decref(req);
	return 0;
}
