/* What every fuzz target shares. A target takes libFuzzer's bytes as the
 * text a parser gets (argv and the store's text columns hold no NUL, so the
 * text ends at the first one) and checks what the parser claims with
 * FUZZ_CHECK, which aborts: libFuzzer then keeps the input as a crash. */
#ifndef BERTH_TESTS_FUZZ_H
#define BERTH_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                            \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: broken: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                    \
			fputc('\n', stderr);                                             \
			abort();                                                         \
		}                                                                        \
	} while (0)

/* The input as a C string (caller frees). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Cuts text at each '\n' in place: at most max lines in lines[]; the
 * count. One input then carries several fields (a name, options, ...). */
static inline size_t fuzz_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;

	for (char *p = text; n < max; p++) {
		lines[n++] = p;
		if (!(p = strchr(p, '\n')))
			break;
		*p = '\0';
	}
	return n;
}

#endif
