#include "util/resolv_file.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line's keyword and what follows it. */
static bool line_is(const char *line, const char *keyword, const char **rest)
{
	size_t len = strlen(keyword);

	line += strspn(line, " \t");
	if (strncmp(line, keyword, len) || (line[len] != ' ' && line[len] != '\t'))
		return false;
	*rest = line + len + strspn(line + len, " \t");
	return true;
}

static void append_words(char **text, const char *words)
{
	char *next = xasprintf("%s%s%s", *text, **text ? " " : "", words);

	free(*text);
	*text = next;
}

void resolv_file_read(const char *path, resolv_file *out)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[1024], word[256];
	const char *rest;

	memset(out, 0, sizeof(*out));
	out->servers = xzalloc(sizeof(*out->servers));
	out->search = xstrdup("");
	out->options = xstrdup("");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "#;\r\n")] = '\0';
		if (line_is(line, "nameserver", &rest) && sscanf(rest, "%255s", word) == 1) {
			out->servers = xrealloc(out->servers, (out->n_servers + 2) * sizeof(*out->servers));
			out->servers[out->n_servers++] = xstrdup(word);
			out->servers[out->n_servers] = NULL;
		} else if (line_is(line, "search", &rest) || line_is(line, "domain", &rest)) {
			free(out->search);
			out->search = xstrdup(rest);
		} else if (line_is(line, "options", &rest)) {
			append_words(&out->options, rest);
		}
	}
}

void resolv_file_clear(resolv_file *r)
{
	strv_free(r->servers);
	free(r->search);
	free(r->options);
	memset(r, 0, sizeof(*r));
}
