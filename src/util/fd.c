#include "util/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/select.h>
#include <unistd.h>

int fd_move_high(int fd)
{
	int high;

	if (fd < 0 || fd >= FD_SETSIZE)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, FD_SETSIZE);
	if (high < 0)
		return fd;
	close(fd);
	return high;
}
