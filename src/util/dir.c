#include "util/dir.h"
#include "util/err.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

int dir_ensure_own(const char *path, mode_t mode, berth_err *err)
{
	struct stat st;

	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return berth_err_sys(err, errno, "creating directory %s", path);
	if (lstat(path, &st) < 0)
		return berth_err_sys(err, errno, "checking directory %s", path);
	if (S_ISLNK(st.st_mode))
		return berth_err_set(err, EPERM, "%s is a symbolic link: berth uses a directory there, not what a link points to",
				     path);
	if (!S_ISDIR(st.st_mode))
		return berth_err_set(err, ENOTDIR, "%s is not a directory", path);
	if (st.st_uid != geteuid())
		return berth_err_set(err, EPERM, "directory %s belongs to uid %u, not to uid %u that runs berth", path,
				     (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return berth_err_set(err, EPERM, "directory %s is writable by %s: berth keeps its state only where no one else can write (chmod go-w)",
				     path, st.st_mode & S_IWOTH ? "everyone" : "its group");
	if ((st.st_mode & 07777 & ~mode) && chmod(path, st.st_mode & mode & 07777) < 0)
		return berth_err_sys(err, errno, "restricting directory %s to mode %o", path, (unsigned)mode);
	return 0;
}
