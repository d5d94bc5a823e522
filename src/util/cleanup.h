/* Scope-bound resources (systemd/crun style). Ownership leaves a variable
 * only through steal_ptr()/steal_fd(), so every other path frees it. */
#ifndef BERTH_UTIL_CLEANUP_H
#define BERTH_UTIL_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

#define steal_ptr(p)                      \
	({                                \
		__typeof__(p) _tmp_ = (p); \
		(p) = NULL;               \
		_tmp_;                    \
	})

#define steal_fd(fd)            \
	({                      \
		int _tmp_ = (fd); \
		(fd) = -1;      \
		_tmp_;          \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
