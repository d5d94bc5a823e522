/* User text on its way out: commands, environments and labels may hold
 * any byte, and a terminal or a JSON parser must not choke on them. */
#ifndef BERTH_CLI_TEXT_H
#define BERTH_CLI_TEXT_H

#include <stddef.h>

/* Go's strconv.Quote, as `docker ps` prints COMMAND: in double quotes,
 * with \" \\ \n \t ..., \x1b for other control bytes and for bytes that
 * are not UTF-8, \u0085 for C1 controls. */
char *text_quote(const char *s);
/* At most max characters (not bytes), the last one "…" when cut. */
char *text_ellipsis(const char *s, size_t max);
/* s with each byte that is not part of valid UTF-8 replaced by U+FFFD, as
 * Go's JSON encoder does (jansson refuses such strings). */
char *text_utf8(const char *s);

#endif
