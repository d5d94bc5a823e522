/* Ordered KEY=VALUE lists (options, labels) and their JSON form. */
#ifndef BERTH_UTIL_KV_H
#define BERTH_UTIL_KV_H

#include "berth.h"

#include <jansson.h>

/* The value of key, or NULL. */
const char *kv_get(const berth_kv_list *list, const char *key);
/* Replaces the value when the key exists (the last -o wins, as in Docker). */
void kv_set(berth_kv_list *list, const char *key, const char *value);
void kv_free(berth_kv_list *list);
/* A JSON object with the entries in order (new reference). */
json_t *kv_to_json(const berth_kv_list *list);
/* Entries of a JSON object of strings; false if it is not one. */
bool kv_from_json(const char *text, berth_kv_list *out);

#endif
