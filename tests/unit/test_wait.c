/* Unit tests for src/runtime/wait.c: a waiting process hears a marker by
 * a signal (wait_wake), passes on someone else's signal of the same
 * number, and gives the caller its signal mask back without letting a
 * wake fire; wait_wake never signals a process that would die of it. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "runtime/wait.h"
#include "util/proc.h"

#define SIG SIGUSR1

/* What the waiting side saw: the "container" ends when it has. */
typedef struct seen {
	pid_t child;
	int markers;
	int others;
} seen;

static void on_marker(void *arg)
{
	seen *s = arg;

	s->markers++;
	kill(s->child, SIGKILL);
}

static void on_other(void *arg)
{
	seen *s = arg;

	s->others++;
	kill(s->child, SIGKILL);
}

static pid_t start_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	return pid;
}

static bool has_signalfd(pid_t pid)
{
	char dir[32], link[64], target[128];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	while (d && !found && (e = readdir(d))) {
		snprintf(link, sizeof(link), "%s/%.20s", dir, e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found = strstr(target, "signalfd") != NULL;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* A child that, once the parent listens (so that the signal, not the
 * check at the start, is what it hears), makes `marker` (unless NULL) and
 * signals the parent: by wait_wake, or by a plain kill. */
static pid_t start_sender(const char *marker, bool wake)
{
	pid_t pid = fork();

	if (pid == 0) {
		pid_t parent = getppid();
		while (!has_signalfd(parent))
			usleep(1000);
		if (marker)
			fclose(fopen(marker, "w"));
		if (wake)
			wait_wake(parent, proc_start_time(parent), SIG);
		else
			kill(parent, SIG);
		_exit(0);
	}
	assert_true(pid > 0);
	return pid;
}

static char *temp_marker(void)
{
	char dir[] = "/tmp/berth-wait-XXXXXX";
	char *path;

	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&path, "%s/marker", dir) > 0);
	return path;
}

static void remove_marker(char *path)
{
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

/* Waits for a sleeper, listening as a monitor does; returns its exit code. */
static int watch_sleeper(const char *marker, bool wake, seen *s)
{
	sigset_t old;
	pid_t sender;
	int code;

	wait_signal_block(SIG, &old);
	s->child = start_sleeper();
	sender = start_sender(marker, wake);
	code = wait_exit_watching(s->child, &(wait_watch){ .marker = marker ? marker : "/nonexistent/marker",
							   .wake = SIG,
							   .on_marker = on_marker,
							   .on_other = on_other,
							   .event_fd = -1,
							   .arg = s });
	waitpid(sender, NULL, 0);
	wait_signal_restore(SIG, &old, false);
	return code;
}

static void test_a_wake_with_the_marker_runs_on_marker(void **state)
{
	char *marker = temp_marker();
	seen s = { 0 };

	(void)state;
	assert_int_equal(watch_sleeper(marker, true, &s), 128 + SIGKILL);
	assert_int_equal(s.markers, 1);
	assert_int_equal(s.others, 0);
	remove_marker(marker);
}

static void test_a_marker_made_before_is_seen_at_the_start(void **state)
{
	char *marker = temp_marker();
	seen s = { 0 };
	sigset_t old;

	(void)state;
	fclose(fopen(marker, "w"));
	wait_signal_block(SIG, &old);
	s.child = start_sleeper();
	assert_int_equal(wait_exit_watching(s.child, &(wait_watch){ .marker = marker,
								    .wake = SIG,
								    .on_marker = on_marker,
								    .event_fd = -1,
								    .arg = &s }),
			 128 + SIGKILL);
	wait_signal_restore(SIG, &old, false);
	assert_int_equal(s.markers, 1);
	remove_marker(marker);
}

static void test_someone_elses_signal_goes_to_on_other(void **state)
{
	seen s = { 0 };

	(void)state;
	assert_int_equal(watch_sleeper(NULL, false, &s), 128 + SIGKILL);
	assert_int_equal(s.markers, 0);
	assert_int_equal(s.others, 1);
}

static volatile sig_atomic_t handled;

static void count(int sig)
{
	(void)sig;
	handled++;
}

static void test_restore_drops_a_wake_and_raises_the_callers_signal(void **state)
{
	struct sigaction sa = { .sa_handler = count }, old_sa;
	sigset_t old;

	(void)state;
	sigemptyset(&sa.sa_mask);
	sigaction(SIG, &sa, &old_sa);
	handled = 0;
	wait_signal_block(SIG, &old);
	wait_wake(getpid(), proc_start_time(getpid()), SIG);
	wait_signal_restore(SIG, &old, false);
	assert_int_equal(handled, 0);

	wait_signal_block(SIG, &old);
	kill(getpid(), SIG);
	wait_signal_restore(SIG, &old, false);
	assert_int_equal(handled, 1);

	wait_signal_block(SIG, &old);
	wait_signal_restore(SIG, &old, true);
	assert_int_equal(handled, 2);
	sigaction(SIG, &old_sa, NULL);
}

/* A process that does not block the signal (a monitor from before it
 * listened for one), or a pid that is not the one that started then. */
static void test_wake_spares_what_would_die_of_it(void **state)
{
	pid_t pid = start_sleeper();
	unsigned long long start = proc_start_time(pid);
	int status = 0;

	(void)state;
	assert_false(proc_blocks_signal(pid, SIG));
	wait_wake(pid, start, SIG);
	wait_wake(pid, start + 1, SIG);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_wake_with_the_marker_runs_on_marker),
		cmocka_unit_test(test_a_marker_made_before_is_seen_at_the_start),
		cmocka_unit_test(test_someone_elses_signal_goes_to_on_other),
		cmocka_unit_test(test_restore_drops_a_wake_and_raises_the_callers_signal),
		cmocka_unit_test(test_wake_spares_what_would_die_of_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
