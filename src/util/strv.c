#include "util/strv.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

char **strv_copy(const char *const *v, size_t n)
{
	char **copy = xzalloc((n + 1) * sizeof(*copy));

	for (size_t i = 0; i < n; i++)
		copy[i] = xstrdup(v[i]);
	return copy;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

void strv_remove(char **v, size_t *n, const char *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < *n; i++) {
		if (strcmp(v[i], s))
			v[kept++] = v[i];
		else
			free(v[i]);
	}
	if (v)
		v[kept] = NULL;
	*n = kept;
}

void strv_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

char *strv_to_json_text(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	char *text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (!text)
		abort();
	return text;
}

char **strv_from_json_text(const char *text, size_t *n)
{
	json_t *a = json_loads(text ? text : "", 0, NULL);
	char **v = NULL;

	*n = 0;
	if (json_is_array(a)) {
		v = xzalloc((json_array_size(a) + 1) * sizeof(*v));
		for (size_t i = 0; i < json_array_size(a); i++) {
			const char *s = json_string_value(json_array_get(a, i));
			v[(*n)++] = xstrdup(s ? s : "");
		}
	}
	json_decref(a);
	return v;
}

char *strv_join(char *const *v, size_t n, const char *sep)
{
	size_t len = 1;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + (i ? strlen(sep) : 0);
	char *out = xmalloc(len), *p = out;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p = stpcpy(stpcpy(p, i ? sep : ""), v[i]);
	return out;
}
