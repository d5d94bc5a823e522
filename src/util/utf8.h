/* UTF-8, strictly (RFC 3629): what JSON and Docker's API can carry. */
#ifndef BERTH_UTIL_UTF8_H
#define BERTH_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The code point at s and the length of its sequence in bytes; 0 when s
 * does not start a valid sequence (overlong, a surrogate, above U+10FFFF,
 * cut short). */
size_t utf8_decode(const unsigned char *s, uint32_t *cp);
bool utf8_valid(const char *s);
/* A copy of s for a message: what cannot be printed (a newline, an escape
 * sequence, a byte of UTF-8) as \xNN, so that it cannot add a line or
 * move the cursor in a terminal or a log. */
char *text_escaped(const char *s);

#endif
