/* The crash test's crash_point (src/util/crashpoint.h), linked into
 * build/berth-crash in place of the product's empty one.
 *
 *   BERTH_CRASH_AT=N     SIGKILL right after the N-th step
 *   BERTH_CRASH_STOP=1   SIGSTOP there instead: the command goes on at
 *                        SIGCONT (what other commands see meanwhile)
 *   BERTH_CRASH_TRACE=F  append "N what" for every step to the file F
 *
 * Only the process the command started counts: a container's monitor, a
 * reaper or a container's first process (forked or cloned from it) never
 * dies here, so the N-th step is the same one in every run. */
#include "util/crashpoint.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pid_t command_pid;
static unsigned long steps;

__attribute__((constructor)) static void note_command_pid(void)
{
	command_pid = getpid();
}

static void trace(unsigned long n, const char *what)
{
	const char *path = getenv("BERTH_CRASH_TRACE");
	FILE *f;

	if (!path || !*path || !(f = fopen(path, "ae")))
		return;
	fprintf(f, "%lu %s\n", n, what);
	fclose(f);
}

void crash_point(const char *what)
{
	const char *at = getenv("BERTH_CRASH_AT");

	if (getpid() != command_pid)
		return;
	steps++;
	trace(steps, what);
	if (at && strtoul(at, NULL, 10) == steps)
		raise(getenv("BERTH_CRASH_STOP") ? SIGSTOP : SIGKILL);
}
