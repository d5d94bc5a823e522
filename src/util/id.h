#ifndef BERTH_UTIL_ID_H
#define BERTH_UTIL_ID_H

#include <stdbool.h>
#include <stddef.h>

/* `digits` random hex digits and a NUL (IDs, veth names). */
void random_hex(char *out, size_t digits);
/* n random bytes (n at most 256) */
void random_bytes(void *out, size_t n);
/* Non-empty and lower-case hex only: could be (a prefix of) an ID. */
bool is_hex_string(const char *s);

#endif
