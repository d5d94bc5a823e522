#include "util/findings.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>

void findings_add(findings *f, berth_finding_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->items = xrealloc(f->items, (f->n + 1) * sizeof(*f->items));
	f->items[f->n++] = (berth_finding){ .kind = kind, .text = xvasprintf(fmt, ap) };
	va_end(ap);
}

void berth_findings_free(berth_finding *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].text);
	free(list);
}
