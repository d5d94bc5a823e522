#include "util/proc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Whether thread tid of process pid blocks sig. */
static bool thread_blocks(int pid, int tid, int sig)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "SigBlk: %llx", &mask) == 1;
	if (f)
		fclose(f);
	return found && sig >= 1 && sig <= 64 && (mask >> (sig - 1) & 1);
}

bool proc_blocks_signal(int pid, int sig)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	bool all;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	all = d != NULL;
	while (all && (e = readdir(d)))
		all = e->d_name[0] == '.' || thread_blocks(pid, atoi(e->d_name), sig);
	if (d)
		closedir(d);
	return all;
}

/* The lowest descriptor in keep above `after`; -1 for none. */
static int next_kept(const int *keep, size_t n, int after)
{
	int best = -1;

	for (size_t i = 0; i < n; i++)
		if (keep[i] > after && (best < 0 || keep[i] < best))
			best = keep[i];
	return best;
}

void close_fds_except(const int *keep, size_t n)
{
	int from = 3;

	for (int k = next_kept(keep, n, 2); k >= 0; k = next_kept(keep, n, k)) {
		if (k > from)
			close_range((unsigned)from, (unsigned)k - 1, 0);
		from = k + 1;
	}
	close_range((unsigned)from, ~0U, 0);
}
