/* Where berth has just changed the kernel or the store: a point at which
 * a crash leaves a state that the next command or `system reconcile` must
 * cope with. The product's crash_point does nothing. The crash test's
 * build of the CLI (build/berth-crash) links tests/lib/crash_at.c
 * instead, which counts these points and, with BERTH_CRASH_AT=N, dies by
 * SIGKILL right after the N-th (tests/integration/070-crash-points.bats). */
#ifndef BERTH_UTIL_CRASHPOINT_H
#define BERTH_UTIL_CRASHPOINT_H

/* `what` names the step for the test's trace (a static string). */
void crash_point(const char *what);

#endif
