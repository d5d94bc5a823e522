/* The list berth_check hands out, as the layers that look fill it. */
#ifndef BERTH_UTIL_FINDINGS_H
#define BERTH_UTIL_FINDINGS_H

#include "berth.h"
#include "util/err.h"

typedef struct findings {
	berth_finding *items;
	size_t n;
} findings;

void findings_add(findings *f, berth_finding_kind kind, const char *fmt, ...) BERTH_PRINTF(3, 4);

#endif
