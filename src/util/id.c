#include "util/id.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

bool is_hex_string(const char *s)
{
	return *s && strspn(s, "0123456789abcdef") == strlen(s);
}

void random_bytes(void *out, size_t n)
{
	if (getrandom(out, n, 0) != (ssize_t)n)
		abort(); /* the kernel's pool is always ready after boot */
}

void random_hex(char *out, size_t digits)
{
	uint8_t raw[32];

	for (size_t done = 0; done < digits; done += 2 * sizeof(raw)) {
		random_bytes(raw, sizeof(raw));
		for (size_t i = 0; i < 2 * sizeof(raw) && done + i < digits; i++)
			out[done + i] = "0123456789abcdef"[(raw[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	}
	out[digits] = '\0';
}
