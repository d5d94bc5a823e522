#include "driver/driver.h"

#include <string.h>

static const driver_ops *const drivers[] = {
	&driver_bridge,
	&driver_host,
	&driver_null,
};

const driver_ops *driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

const char *driver_creatable_names(void)
{
	return "bridge";
}
