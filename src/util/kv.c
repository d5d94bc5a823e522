#include "util/kv.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

const char *berth_kv_get(const berth_kv_list *list, const char *key)
{
	for (size_t i = 0; i < list->n; i++)
		if (!strcmp(list->items[i].key, key))
			return list->items[i].value;
	return NULL;
}

const char *kv_get(const berth_kv_list *list, const char *key)
{
	for (size_t i = 0; i < list->n; i++)
		if (!strcmp(list->items[i].key, key))
			return list->items[i].value;
	return NULL;
}

void kv_set(berth_kv_list *list, const char *key, const char *value)
{
	for (size_t i = 0; i < list->n; i++) {
		if (!strcmp(list->items[i].key, key)) {
			free(list->items[i].value);
			list->items[i].value = xstrdup(value);
			return;
		}
	}
	list->items = xrealloc(list->items, (list->n + 1) * sizeof(*list->items));
	list->items[list->n].key = xstrdup(key);
	list->items[list->n].value = xstrdup(value);
	list->n++;
}

void kv_free(berth_kv_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->items[i].key);
		free(list->items[i].value);
	}
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

json_t *kv_to_json(const berth_kv_list *list)
{
	json_t *obj = json_object();

	for (size_t i = 0; i < list->n; i++)
		json_object_set_new(obj, list->items[i].key, json_string(list->items[i].value));
	return obj;
}

bool kv_from_json(const char *text, berth_kv_list *out)
{
	json_t *obj = json_loads(text, JSON_DECODE_ANY, NULL);
	bool ok = json_is_object(obj);

	if (ok) {
		const char *key;
		json_t *value;

		json_object_foreach (obj, key, value) {
			if (!json_is_string(value)) {
				ok = false;
				break;
			}
			kv_set(out, key, json_string_value(value));
		}
	}
	json_decref(obj);
	return ok;
}
