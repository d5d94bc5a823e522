#include "fw/diff.h"
#include "fw/ruleset.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Elements as canonical text, to compare what is with what should be. */
static char *elem_text(json_t *e)
{
	char *t = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (!t)
		abort();
	return t;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The elements as sorted canonical texts: one serialisation each. */
static char **sorted_texts(json_t *elems, size_t *n)
{
	char **t = xzalloc((json_array_size(elems) + 1) * sizeof(*t));
	size_t i;
	json_t *e;

	json_array_foreach(elems, i, e)
		t[i] = elem_text(e);
	*n = json_array_size(elems);
	qsort(t, *n, sizeof(*t), cmp_text);
	return t;
}

static void free_texts(char **t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

/* Elements of want not in have, and of have not in want: one merge of
 * two sorted lists, so reconcile stays fast at 10,000 ports. */
static void count_differences(json_t *want, json_t *have, size_t *missing, size_t *stray)
{
	size_t nw, nh, i = 0, j = 0;
	char **w = sorted_texts(want, &nw), **h = sorted_texts(have, &nh);

	*missing = *stray = 0;
	while (i < nw || j < nh) {
		int c = i == nw ? 1 : j == nh ? -1 : strcmp(w[i], h[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			(*missing)++;
			i++;
		} else {
			(*stray)++;
			j++;
		}
	}
	free_texts(w, nw);
	free_texts(h, nh);
}

/* The elements each set should hold, from the rebuild's commands. */
static json_t *wanted_elems(json_t *cmds)
{
	json_t *want = json_object(), *c;
	size_t i;

	json_array_foreach(cmds, i, c) {
		json_t *el = json_object_get(json_object_get(c, "add"), "element");
		if (!el)
			continue;
		const char *set = json_string_value(json_object_get(el, "name"));
		json_t *list = json_object_get(want, set);
		if (!list)
			json_object_set_new(want, set, list = json_array());
		json_array_extend(list, json_object_get(el, "elem"));
	}
	return want;
}

/* The elements of the set (or map) `name` in a listing; NULL for none. */
static json_t *listed_elems(json_t *listing, const char *name)
{
	json_t *o, *have = NULL;
	size_t i;

	json_array_foreach(listing, i, o) {
		json_t *set = json_object_get(o, "set") ? json_object_get(o, "set") : json_object_get(o, "map");
		const char *set_name = set ? json_string_value(json_object_get(set, "name")) : NULL;
		if (set_name && !strcmp(set_name, name))
			have = json_object_get(set, "elem");
	}
	return have;
}

static void diff_sets(json_t *listing, json_t *want, char ***lines, size_t *n)
{
	size_t n_sets = 0;
	const char *const *sets = fw_ruleset_sets(&n_sets);

	for (size_t k = 0; k < n_sets; k++) {
		json_t *have = listed_elems(listing, sets[k]), *w = json_object_get(want, sets[k]), *empty = json_array();
		size_t missing, stray;
		count_differences(w ? w : empty, have ? have : empty, &missing, &stray);
		if (missing || stray)
			strv_push(lines, n,
				  xasprintf("firewall: %s: %zu element(s) missing, %zu stray: rebuilt from the store",
					    sets[k], missing, stray));
		json_decref(empty);
	}
}

void fw_diff_listing(json_t *listing, json_t *cmds, char ***lines, size_t *n)
{
	json_t *want = wanted_elems(cmds);

	if (listing)
		diff_sets(listing, want, lines, n);
	else if (json_object_size(want))
		strv_push(lines, n, xstrdup("firewall: table " FW_FAMILY " " FW_TABLE " was missing: rebuilt from the store"));
	json_decref(want);
}

void fw_diff_table(nft_runner *r, json_t *cmds, char ***lines, size_t *n)
{
	json_t *list_cmd = json_pack("{s:{s:{s:s,s:s}}}", "list", "table", "family", FW_FAMILY, "name", FW_TABLE);
	json_t *listing = NULL;
	berth_err ignored = { 0 };

	/* a table that cannot be listed is not there */
	if (nft_list(r, list_cmd, &listing, &ignored) < 0)
		berth_err_clear(&ignored);
	fw_diff_listing(listing, cmds, lines, n);
	json_decref(listing);
	json_decref(list_cmd);
}

/* ---- element by element, with owners ---------------------------------- */

static void append(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **out, const char *fmt, ...)
{
	_cleanup_free_ char *more = NULL;
	va_list ap;

	va_start(ap, fmt);
	more = xvasprintf(fmt, ap);
	va_end(ap);
	char *next = xasprintf("%s%s", *out, more);
	free(*out);
	*out = next;
}

/* An element as nft writes it: "a . b" for a concatenation, "k : v" for
 * a map's, "10.0.0.0/24" for a prefix. */
static void render(json_t *e, char **out)
{
	json_t *part, *p = json_object_get(e, "prefix");
	size_t i;

	if (json_is_string(e)) {
		append(out, "%s", json_string_value(e));
	} else if (json_is_integer(e)) {
		append(out, "%lld", (long long)json_integer_value(e));
	} else if (json_is_array(e) && json_array_size(e) == 2) { /* a map's key : value */
		render(json_array_get(e, 0), out);
		append(out, " : ");
		render(json_array_get(e, 1), out);
	} else if (json_object_get(e, "concat")) {
		json_array_foreach(json_object_get(e, "concat"), i, part) {
			append(out, "%s", i ? " . " : "");
			render(part, out);
		}
	} else if (p) {
		append(out, "%s/%lld", json_string_value(json_object_get(p, "addr")),
		       (long long)json_integer_value(json_object_get(p, "len")));
	} else {
		_cleanup_free_ char *t = elem_text(e);
		append(out, "%s", t);
	}
}

static char *rendered(json_t *e)
{
	char *text = xstrdup("");

	render(e, &text);
	return text;
}

/* An element with its canonical text (to compare) and who wants it. */
typedef struct keyed {
	char *key;
	json_t *elem;
	long owner;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

static void keyed_add(keyed **v, size_t *n, json_t *elem, long owner)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (keyed){ .key = elem_text(elem), .elem = elem, .owner = owner };
}

static void keyed_free(keyed *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

/* What the owners want in set `name`, sorted. */
static keyed *wanted_in(const fw_owner *owners, size_t n_owners, const char *name, size_t *n)
{
	keyed *v = NULL;
	json_t *c, *e;
	size_t i, j;

	*n = 0;
	for (size_t o = 0; o < n_owners; o++) {
		json_array_foreach(owners[o].cmds, i, c) {
			json_t *el = json_object_get(json_object_get(c, "add"), "element");
			const char *set = json_string_value(json_object_get(el, "name"));
			if (!set || strcmp(set, name))
				continue;
			json_array_foreach(json_object_get(el, "elem"), j, e) {
				keyed_add(&v, n, e, (long)o);
			}
		}
	}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_keyed);
	return v;
}

static bool keyed_has(const keyed *v, size_t n, const char *key)
{
	const keyed probe = { .key = (char *)key };

	return n && bsearch(&probe, v, n, sizeof(*v), cmp_keyed);
}

static void diff_add(fw_elem_diff **out, size_t *n, const char *set, json_t *elem, long owner)
{
	*out = xrealloc(*out, (*n + 1) * sizeof(**out));
	(*out)[(*n)++] = (fw_elem_diff){ .set = set, .text = rendered(elem), .owner = owner };
}

static void diff_one_set(json_t *listing, const fw_owner *owners, size_t n_owners, const char *set,
			 fw_elem_diff **out, size_t *n)
{
	keyed *have = NULL;
	size_t n_want, n_have = 0, i;
	keyed *want = wanted_in(owners, n_owners, set, &n_want);
	json_t *e;

	json_array_foreach(listed_elems(listing, set), i, e) {
		keyed_add(&have, &n_have, e, -1);
	}
	if (n_have)
		qsort(have, n_have, sizeof(*have), cmp_keyed);
	for (i = 0; i < n_want; i++)
		if (owners[want[i].owner].required && !keyed_has(have, n_have, want[i].key))
			diff_add(out, n, set, want[i].elem, want[i].owner);
	for (i = 0; i < n_have; i++)
		if (!keyed_has(want, n_want, have[i].key))
			diff_add(out, n, set, have[i].elem, -1);
	keyed_free(want, n_want);
	keyed_free(have, n_have);
}

void fw_diff_owners(json_t *listing, const fw_owner *owners, size_t n_owners, fw_elem_diff **out, size_t *n)
{
	size_t n_sets = 0;
	const char *const *sets = fw_ruleset_sets(&n_sets);

	*out = NULL;
	*n = 0;
	for (size_t k = 0; k < n_sets; k++)
		diff_one_set(listing, owners, n_owners, sets[k], out, n);
}

void fw_elem_diffs_free(fw_elem_diff *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].text);
	free(d);
}
