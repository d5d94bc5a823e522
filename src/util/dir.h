/* Directories of berth's own (state root, run dir and what it makes
 * in them): anyone else who could write there could plant a symlink that
 * a bind mount or a file of ours would follow, or read the store. */
#ifndef BERTH_UTIL_DIR_H
#define BERTH_UTIL_DIR_H

#include "berth.h"

#include <sys/types.h>

/* Makes `path` with `mode` if it is missing; then it must be a directory
 * itself (not a symlink to one), owned by this user, and writable by
 * nobody else: otherwise EPERM, naming the path and what is wrong. Read
 * and search bits for others beyond `mode` are taken away. */
int dir_ensure_own(const char *path, mode_t mode, berth_err *err);

#endif
