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

/* What names one network namespace while it exists: nsfs's device and
 * inode. */
typedef struct netns_id {
	unsigned long long dev, ino;
} netns_id;
/* The namespace open at fd; EINVAL when fd is not a network namespace. */
int netns_id_of(int fd, netns_id *out, berth_err *err);
/* `path` still names that namespace. */
bool netns_path_is(const char *path, const netns_id *id);
/* Some process is in it. */
bool netns_in_use(const netns_id *id);
/* Binds the namespace open at fd at `path` (a file it creates), as
 * netns_create binds a new one. */
int netns_adopt(int fd, const char *path, berth_err *err);

#endif
