#include "util/id.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

bool is_hex_string(const char *s)
{
	return *s && strspn(s, "0123456789abcdef") == strlen(s);
}

void random_hex(char *out, size_t digits)
{
	uint8_t raw[32];

	for (size_t done = 0; done < digits; done += 2 * sizeof(raw)) {
		if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
			abort(); /* the kernel's pool is always ready after boot */
		for (size_t i = 0; i < 2 * sizeof(raw) && done + i < digits; i++)
			out[done + i] = "0123456789abcdef"[(raw[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	}
	out[digits] = '\0';
}
