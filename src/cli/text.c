#include "cli/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
	char *s;
	size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void put_escape(buf *b, uint32_t c)
{
	static const char short_escapes[] = "\a" "a" "\b" "b" "\f" "f" "\n" "n" "\r" "r" "\t" "t" "\v" "v" "\"" "\"" "\\" "\\";
	char e[12];

	for (size_t i = 0; i < sizeof(short_escapes) - 1; i += 2)
		if ((uint32_t)(unsigned char)short_escapes[i] == c) {
			e[0] = '\\';
			e[1] = short_escapes[i + 1];
			put(b, e, 2);
			return;
		}
	snprintf(e, sizeof(e), c < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)c);
	put(b, e, strlen(e));
}

char *text_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	buf b = { 0 };
	uint32_t cp;

	put(&b, "\"", 1);
	while (*p) {
		size_t n = utf8_decode(p, &cp);
		if (n == 0) {
			char e[5];
			snprintf(e, sizeof(e), "\\x%02x", *p);
			put(&b, e, 4);
			n = 1;
		} else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == '"' || cp == '\\') {
			put_escape(&b, cp);
		} else {
			put(&b, (const char *)p, n);
		}
		p += n;
	}
	put(&b, "\"", 1);
	return b.s;
}

char *text_ellipsis(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0, cut = 0;
	uint32_t cp;

	while (*p) {
		size_t n = utf8_decode(p, &cp);
		if (chars + 1 == max)
			cut = (size_t)((const char *)p - s);
		chars++;
		p += n ? n : 1;
	}
	if (max == 0 || chars <= max)
		return xstrdup(s);
	return xasprintf("%.*s…", (int)cut, s);
}

char *text_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	buf b = { 0 };
	uint32_t cp;

	put(&b, "", 0);
	while (*p) {
		size_t n = utf8_decode(p, &cp);
		if (n)
			put(&b, (const char *)p, n);
		else
			put(&b, "\xEF\xBF\xBD", 3);
		p += n ? n : 1;
	}
	return b.s;
}
