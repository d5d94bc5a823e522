/* NULL-terminated string vectors (argv, env, aliases) and their JSON form. */
#ifndef BERTH_UTIL_STRV_H
#define BERTH_UTIL_STRV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A copy, NULL-terminated. */
char **strv_copy(const char *const *v, size_t n);
void strv_free(char **v);
size_t strv_len(char *const *v);
/* v (NULL-terminated, or NULL) holds s. */
bool strv_contains(char *const *v, const char *s);
/* Removes every copy of s from v, which holds *n strings. */
void strv_remove(char **v, size_t *n, const char *s);
/* Appends s (the vector takes it) to *v, which holds *n strings and stays
 * NULL-terminated; *v may start NULL. */
void strv_push(char ***v, size_t *n, char *s);
/* The n strings of v, with sep between them (caller frees). */
char *strv_join(char *const *v, size_t n, const char *sep);
/* Compact JSON array text (caller frees). */
char *strv_to_json_text(char *const *v, size_t n);
/* NULL-terminated vector from a JSON array of strings; NULL if it is not one. */
char **strv_from_json_text(const char *text, size_t *n);

#endif
