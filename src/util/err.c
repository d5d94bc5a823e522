#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_message(berth_err *err, int code, char *msg)
{
	free(err->msg);
	err->msg = msg;
	err->code = code > 0 ? code : (code < 0 ? -code : EIO);
	return -err->code;
}

int berth_err_set(berth_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	return set_message(err, code, msg);
}

int berth_err_sys(berth_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", what, strerror(code));
	free(what);
	return set_message(err, code, msg);
}

int berth_err_wrap(berth_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", ctx, err->msg ? err->msg : "unknown error");
	free(ctx);
	return set_message(err, err->code, msg);
}

int berth_err_append(berth_err *err, const berth_err *more)
{
	if (!more->msg)
		return err->code ? -err->code : 0;
	if (!err->msg)
		return set_message(err, more->code, xstrdup(more->msg));
	return set_message(err, err->code, xasprintf("%s; %s", err->msg, more->msg));
}

void berth_err_clear(berth_err *err)
{
	free(err->msg);
	err->msg = NULL;
	err->code = 0;
}

int berth_err_collect(berth_err *all, int ret, berth_err *one)
{
	if (ret < 0 && !one->msg)
		berth_err_set(one, -ret, "%s", strerror(-ret));
	if (ret < 0)
		berth_err_append(all, one);
	berth_err_clear(one);
	return ret < 0 ? ret : 0;
}
