/* bridge, host and none exist from the first use, as in Docker. */
#include "core/predefined.h"
#include "core/network.h"
#include "driver/driver.h"
#include "util/err.h"
#include "util/kv.h"
#include "util/xalloc.h"

#include <errno.h>
#include <string.h>

static bool have_network(berth_network **nets, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(nets[i]->name, name))
			return true;
	return false;
}

/* Another berth process, started at the same time, made it first: that
 * is what we wanted. */
static bool made_by_another(berth_ctx *ctx, const char *name)
{
	berth_network **nets = NULL;
	size_t n = 0;
	berth_err ignored = { 0 };
	bool found = store_network_load_all(ctx->store, &nets, &n, &ignored) == 0 && have_network(nets, n, name);

	berth_network_list_free(nets, n);
	berth_err_clear(&ignored);
	return found;
}

static int add_predefined(berth_ctx *ctx, const char *name, const char *driver, berth_err *err)
{
	berth_network *net = network_new();
	int ret;

	net->name = xstrdup(name);
	net->driver = xstrdup(driver);
	net->predefined = true;
	if (!strcmp(name, "bridge")) { /* Docker's default network, on a device of berth's name */
		kv_set(&net->options, "com.docker.network.bridge.default_bridge", "true");
		kv_set(&net->options, "com.docker.network.bridge.name", DEFAULT_BRIDGE_IFNAME);
	}
	ret = driver_find(driver)->configure(net, err);
	if (ret == 0)
		ret = network_add(ctx, net, err);
	berth_network_free(net);
	if (ret < 0 && made_by_another(ctx, name)) {
		berth_err_clear(err);
		return 0;
	}
	return ret < 0 ? berth_err_wrap(err, "creating the predefined network %s", name) : 0;
}

int predefined_ensure(berth_ctx *ctx, berth_err *err)
{
	static const struct {
		const char *name, *driver;
	} predefined[] = { { "bridge", "bridge" }, { "host", "host" }, { "none", "null" } };
	berth_network **nets = NULL;
	size_t n = 0;
	int ret = store_network_load_all(ctx->store, &nets, &n, err);

	for (size_t i = 0; ret == 0 && i < sizeof(predefined) / sizeof(predefined[0]); i++)
		if (!have_network(nets, n, predefined[i].name))
			ret = add_predefined(ctx, predefined[i].name, predefined[i].driver, err);
	berth_network_list_free(nets, n);
	return ret;
}
