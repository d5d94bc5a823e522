#ifndef BERTH_UTIL_ID_H
#define BERTH_UTIL_ID_H

#include <stddef.h>

/* `digits` random hex digits and a NUL (IDs, veth names). */
void random_hex(char *out, size_t digits);

#endif
