#include "util/proc.h"

#include <stdio.h>
#include <string.h>

static bool read_line(const char *path, char *line, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(line, (int)size, f);

	if (f)
		fclose(f);
	return ok;
}

unsigned long long proc_start_time(int pid)
{
	char path[64], line[1024];
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!read_line(path, line, sizeof(line)))
		return 0;
	/* comm may hold spaces and parentheses: fields start after the last ')' */
	const char *p = strrchr(line, ')');
	if (!p)
		return 0;
	/* after ')' come: state(3) ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime(22) */
	char state;
	if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &state, &start) != 2)
		return 0;
	/* a zombie has exited: its parent (a dead monitor's reaper) just has
	 * not collected it yet */
	return state == 'Z' || state == 'X' ? 0 : start;
}

bool proc_is_alive(int pid, unsigned long long start_time)
{
	return pid > 0 && proc_start_time(pid) == start_time && start_time != 0;
}
