#include "fw/diff.h"
#include "fw/ruleset.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/xalloc.h"

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

static void diff_sets(json_t *listing, json_t *want, char ***lines, size_t *n)
{
	size_t n_sets = 0, i;
	const char *const *sets = fw_ruleset_sets(&n_sets);
	json_t *o;

	for (size_t k = 0; k < n_sets; k++) {
		json_t *have = NULL, *w = json_object_get(want, sets[k]), *empty = json_array();
		json_array_foreach(listing, i, o) {
			json_t *set = json_object_get(o, "set") ? json_object_get(o, "set") : json_object_get(o, "map");
			/* NULL for a set without a name: not one of berth's */
			const char *name = json_string_value(json_object_get(set, "name"));
			if (name && !strcmp(name, sets[k]))
				have = json_object_get(set, "elem");
		}
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
