/* The mount namespace containers are cloned from.
 *
 * A new mount namespace copies every mount of the one it comes from, and
 * the caller's holds one bind mount per sandbox (the netns files): cloning
 * from it would make each `run` slower as containers accumulate, and each
 * container would then have to unmount them all again. So berth keeps a
 * template: a mount namespace made once from the caller's, a slave of it
 * (mounts and unmounts the host propagates still arrive), with the netns
 * directory unmounted. Containers are copied from the template, whose
 * mount table does not grow with them. The template is held by a bind
 * mount of its nsfs file, like a netns file, so it outlives processes. */
#ifndef BERTH_RUNTIME_MNTNS_H
#define BERTH_RUNTIME_MNTNS_H

#include "berth.h"

/* Opens the template held at `path`, making it first if nothing holds it
 * (under a lock: concurrent callers make one). `hide_dir` is unmounted in
 * it. The directory of `path` is made a private mount, as a mount
 * namespace may not be bound on a mount that would propagate it into
 * itself. */
int mntns_template_open(const char *path, const char *hide_dir, int *fd, berth_err *err);

/* Drops the template at `path` (the next open makes a fresh one, which
 * sees the host's mounts as they are now). A missing one is success. */
int mntns_template_drop(const char *path, berth_err *err);

#endif
