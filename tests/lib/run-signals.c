/* run-signals plain|forward DIR: berth_run in the foreground, as an engine
 * embedding libberth would call it, with a SIGTERM handler of its own.
 * The container (network none) exits 42 on SIGTERM, or 7 once DIR/done
 * exists. A thread waits for DIR/ready, sends this process SIGTERM, waits
 * for the signal to land (in our handler or, forwarded, in the container),
 * then makes DIR/done. Prints the exit code, how many SIGTERMs our handler
 * saw and whether it is still the handler once berth_run has returned:
 * "plain" must leave it alone; "forward" must hand the signal to the
 * container and put the handler back. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <berth.h>

static volatile sig_atomic_t ours;
static const char *dir;

static void on_sigterm(int sig)
{
	(void)sig;
	ours++;
}

static bool exists_in_dir(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Polls for up to 20 s. */
static bool wait_for(bool (*cond)(void))
{
	struct timespec step = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 2000; i++) {
		if (cond())
			return true;
		nanosleep(&step, NULL);
	}
	return false;
}

static bool ready(void)
{
	return exists_in_dir("ready");
}

/* Ours saw it, or the container is ending on it. */
static bool landed(void)
{
	return ours > 0 || exists_in_dir("termed");
}

static void *signaller(void *unused)
{
	char path[4096];

	(void)unused;
	if (!wait_for(ready))
		return NULL;
	kill(getpid(), SIGTERM);
	wait_for(landed);
	snprintf(path, sizeof(path), "%s/done", dir);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "plain") && strcmp(argv[1], "forward"))) {
		fprintf(stderr, "usage: run-signals plain|forward DIR\n");
		return 2;
	}
	dir = argv[2];
	char script[8192];
	snprintf(script, sizeof(script),
		 "trap 'touch %s/termed; exit 42' TERM; touch %s/ready;"
		 " while [ ! -e %s/done ]; do sleep 0.05; done; exit 7",
		 dir, dir, dir);
	char *cargv[] = { "sh", "-c", script, NULL };
	berth_run_spec spec = { .network = "none", .argv = cargv, .argc = 3,
				.forward_signals = !strcmp(argv[1], "forward") };
	struct sigaction sa = { .sa_handler = on_sigterm }, now;
	berth_ctx *ctx = NULL;
	berth_container *c = NULL;
	berth_err err = { 0 };
	pthread_t t;
	int code = -1;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	if (berth_open(NULL, &ctx, &err) < 0) {
		fprintf(stderr, "berth_open: %s\n", err.msg);
		return 1;
	}
	pthread_create(&t, NULL, signaller, NULL);
	int ret = berth_run(ctx, &spec, &c, &code, &err);
	pthread_join(t, NULL);
	if (ret < 0)
		fprintf(stderr, "berth_run: %s\n", err.msg);
	sigaction(SIGTERM, NULL, &now);
	printf("exit %d\nours %d\nhandler %s\n", code, (int)ours, now.sa_handler == on_sigterm ? "ours" : "other");
	if (c)
		berth_container_remove(ctx, c->id, true, &err);
	berth_container_free(c);
	berth_err_clear(&err);
	berth_close(ctx);
	return ret < 0;
}
