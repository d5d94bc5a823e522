/* host and null: the predefined networks without kernel objects of their
 * own (host shares the host's namespace; null gives only lo). */
#include "driver/driver.h"

static int nothing_to_configure(berth_network *net, berth_err *err)
{
	(void)net;
	(void)err;
	return 0;
}

static int nothing_in_kernel(nl_sock *nl, const berth_network *net, berth_err *err)
{
	(void)nl;
	(void)net;
	(void)err;
	return 0;
}

static int nothing_to_create(nl_sock *nl, berth_network *net, driver_notes *notes, berth_err *err)
{
	(void)notes;
	return nothing_in_kernel(nl, net, err);
}

static bool always_there(nl_sock *nl, const berth_network *net)
{
	(void)nl;
	(void)net;
	return true;
}

const driver_ops driver_host = {
	.name = "host",
	.single_instance = true,
	.configure = nothing_to_configure,
	.create = nothing_to_create,
	.remove = nothing_in_kernel,
	.exists = always_there,
};

const driver_ops driver_null = {
	.name = "null",
	.single_instance = true,
	.configure = nothing_to_configure,
	.create = nothing_to_create,
	.remove = nothing_in_kernel,
	.exists = always_there,
};
