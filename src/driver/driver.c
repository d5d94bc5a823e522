#include "driver/driver.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const driver_ops *const drivers[] = {
	&driver_bridge,
	&driver_macvlan,
	&driver_host,
	&driver_null,
};

void driver_note(driver_notes *notes, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	notes->items = xrealloc(notes->items, (notes->n + 1) * sizeof(*notes->items));
	notes->items[notes->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void driver_notes_free(driver_notes *notes)
{
	for (size_t i = 0; i < notes->n; i++)
		free(notes->items[i]);
	free(notes->items);
	notes->items = NULL;
	notes->n = 0;
}

const driver_ops *driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

const char *driver_creatable_names(void)
{
	return "bridge, macvlan";
}
