/* detach-loop NETWORK CONTAINER N: libberth in a long-running process, as a
 * plugin would use it. Connects CONTAINER to NETWORK and disconnects it N
 * times in one context, waits until every child it has has ended, does
 * one round more, then prints how many processes this one still has as
 * children (running or not yet reaped) and how many SIGCHLDs it got.
 * Deleting a link leaves the kernel's slow part to a detached process: it
 * must neither pile up under a long-lived caller nor disturb the caller's
 * own child handling. */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <berth.h>

static volatile sig_atomic_t sigchlds;

static bool has_ended(int pid)
{
	char path[64], state = 'Z';
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");

	/* "PID (COMM) STATE ...": COMM may hold spaces, not ") " */
	if (f && fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 'Z';
	if (f)
		fclose(f);
	return state == 'Z' || state == 'X';
}

static int round_trip(berth_ctx *ctx, const char *net, const char *ctr, berth_err *err)
{
	if (berth_network_connect(ctx, net, ctr, &(berth_connect_spec){ 0 }, err) < 0)
		return -1;
	return berth_network_disconnect(ctx, net, ctr, false, err);
}

static void on_sigchld(int sig)
{
	(void)sig;
	sigchlds++;
}

/* Children of every thread of this process, from /proc; with
 * `running`, only those not ended yet (not zombies). */
static int count_children(bool running)
{
	DIR *tasks = opendir("/proc/self/task");
	struct dirent *t;
	int n = 0;

	while (tasks && (t = readdir(tasks))) {
		char path[300];
		if (t->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", t->d_name);
		FILE *f = fopen(path, "r");
		int pid;
		while (f && fscanf(f, "%d", &pid) == 1)
			n += !running || !has_ended(pid);
		if (f)
			fclose(f);
	}
	if (tasks)
		closedir(tasks);
	return n;
}

int main(int argc, char **argv)
{
	berth_config cfg = { 0 };
	berth_ctx *ctx = NULL;
	berth_err err = { 0 };
	struct sigaction sa = { .sa_handler = on_sigchld };

	if (argc != 4) {
		fprintf(stderr, "usage: detach-loop NETWORK CONTAINER N\n");
		return 2;
	}
	sigaction(SIGCHLD, &sa, NULL);
	if (berth_open(&cfg, &ctx, &err) < 0) {
		fprintf(stderr, "detach-loop: %s\n", err.msg);
		return 1;
	}
	int rounds = atoi(argv[3]);
	for (int i = 0; i <= rounds; i++) {
		if (i == rounds) /* up to 10 s for the kernel's slow part */
			for (int t = 0; t < 1000 && count_children(true) > 0; t++)
				usleep(10000);
		if (round_trip(ctx, argv[1], argv[2], &err) < 0) {
			fprintf(stderr, "detach-loop: round %d: %s\n", i + 1, err.msg);
			berth_err_clear(&err);
			berth_close(ctx);
			return 1;
		}
	}
	printf("children %d\nsigchld %d\n", count_children(false), (int)sigchlds);
	berth_close(ctx);
	return 0;
}
