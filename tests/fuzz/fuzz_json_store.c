/* The JSON the store keeps in text columns, read back on every lookup:
 * options and labels (kv_from_json), argv, env and aliases
 * (strv_from_json_text). A corrupt row must not crash berth, and what
 * they read must survive being written and read again, as each update of
 * a row does. */
#include "fuzz.h"

#include "util/kv.h"
#include "util/strv.h"

static bool same_kv(const berth_kv_list *a, const berth_kv_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i].key, b->items[i].key) || strcmp(a->items[i].value, b->items[i].value))
			return false;
	return true;
}

static void check_kv(const char *text)
{
	berth_kv_list kv = { 0 }, again = { 0 };

	if (kv_from_json(text, &kv)) {
		for (size_t i = 0; i < kv.n; i++)
			FUZZ_CHECK(kv_get(&kv, kv.items[i].key) == kv.items[i].value, "key %zu twice", i);
		/* as store.c writes it */
		json_t *obj = kv_to_json(&kv);
		char *written = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(obj);
		FUZZ_CHECK(written && kv_from_json(written, &again) && same_kv(&kv, &again), "%s read back otherwise",
			   written ? written : "(not written)");
		free(written);
	}
	kv_free(&kv);
	kv_free(&again);
}

static void check_strv(const char *text)
{
	size_t n, n_again;
	char **v = strv_from_json_text(text, &n);

	if (!v) {
		FUZZ_CHECK(n == 0, "no vector, %zu strings", n);
		return;
	}
	FUZZ_CHECK(strv_len(v) == n, "%zu strings, %zu counted", n, strv_len(v));
	char *written = strv_to_json_text(v, n);
	char **again = strv_from_json_text(written, &n_again);
	FUZZ_CHECK(again && n_again == n, "%s read back as %zu strings", written, n_again);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(!strcmp(v[i], again[i]), "%s: string %zu read back otherwise", written, i);
	free(written);
	strv_free(v);
	strv_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);

	check_kv(text);
	check_strv(text);
	free(text);
	return 0;
}
