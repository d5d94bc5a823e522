#include "util/proc.h"
#include "util/cleanup.h"

#include <stdio.h>
#include <string.h>

unsigned long long proc_start_time(int pid)
{
	char path[64], line[1024];
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f || !fgets(line, sizeof(line), f))
		return 0;
	/* comm may hold spaces and parentheses: fields start after the last ')' */
	char *p = strrchr(line, ')');
	if (!p)
		return 0;
	/* after ')' come: state(3) ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime(22) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

bool proc_is_alive(int pid, unsigned long long start_time)
{
	return pid > 0 && proc_start_time(pid) == start_time && start_time != 0;
}
