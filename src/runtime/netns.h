/* Network namespaces that outlive processes: bind-mounted files under
 * the run dir, as `ip netns add` makes them. */
#ifndef BERTH_RUNTIME_NETNS_H
#define BERTH_RUNTIME_NETNS_H

#include "berth.h"

/* Makes `dir` a shared mount, so that a netns file unmounted later is
 * unmounted in the containers' mount namespaces too (they are slaves). */
int netns_dir_prepare(const char *dir, berth_err *err);
/* A new, empty network namespace (only lo, down) bound at `path`. */
int netns_create(const char *path, berth_err *err);
/* The processes in the network namespace bound at `path` (a plain file
 * has none); *pids is the caller's to free. */
size_t netns_pids(const char *path, int **pids);
/* SIGKILLs them and waits (5 s at most) until they are gone; *n: how many. */
int netns_kill_all(const char *path, size_t *n, berth_err *err);
/* Unmounts and unlinks; a missing file is success. */
int netns_delete(const char *path, berth_err *err);

#endif
