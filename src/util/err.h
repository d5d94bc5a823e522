/* Error object passed down every fallible call (crun's libcrun_error_t).
 * Functions return 0 or a negative errno and fill *err; callers add context
 * with berth_err_wrap() on the way up; only front ends print. */
#ifndef BERTH_UTIL_ERR_H
#define BERTH_UTIL_ERR_H

#include <stdarg.h>


#include "berth.h"

#define BERTH_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Sets the error and returns -code so callers can `return berth_err_set(...)`. */
int berth_err_set(berth_err *err, int code, const char *fmt, ...) BERTH_PRINTF(3, 4);
/* Like berth_err_set, appending ": strerror(code)". */
int berth_err_sys(berth_err *err, int code, const char *fmt, ...) BERTH_PRINTF(3, 4);
/* Prefixes the message with "context: " and returns -code. */
int berth_err_wrap(berth_err *err, const char *fmt, ...) BERTH_PRINTF(2, 3);
/* For teardown: keeps going and joins every failure with "; ". */
int berth_err_append(berth_err *err, const berth_err *more);
/* One teardown step (netavark's error list): `ret` is what the step
 * returned and `one` what it said. A failure joins *all, after what is
 * there already (an undo never replaces the error that caused it), and
 * `one` is emptied for the next step. Returns `ret` (0 or the failure):
 *     failed |= berth_err_collect(err, step(..., &one), &one) < 0; */
int berth_err_collect(berth_err *all, int ret, berth_err *one);
void berth_err_clear(berth_err *err);

#endif
