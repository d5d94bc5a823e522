/* Reading a resolv.conf(5): the host's, for its servers (berth's
 * resolver forwards to them) and its search and options lines (a
 * container's file carries them on). */
#ifndef BERTH_UTIL_RESOLV_FILE_H
#define BERTH_UTIL_RESOLV_FILE_H

#include <stddef.h>

typedef struct resolv_file {
	char **servers; /* every nameserver line's address, in order */
	size_t n_servers;
	char *search;  /* the last search (or domain) line's words; "" for none */
	char *options; /* every options line's words, joined by blanks */
} resolv_file;

/* A file that cannot be read is one with nothing in it. */
void resolv_file_read(const char *path, resolv_file *out);
void resolv_file_clear(resolv_file *r);

#endif
