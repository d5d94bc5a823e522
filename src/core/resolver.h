/* Keeping berth's resolver (dns/) in step with the store: started by the
 * first command that puts a container on a network of the user's, told
 * of every change that adds or removes a sandbox it serves, started
 * again by the next command when it died, and said so. */
#ifndef BERTH_CORE_RESOLVER_H
#define BERTH_CORE_RESOLVER_H

#include "core/context.h"

/* Writes c's /etc files and tells the resolver, starting it when c is on
 * a network of the user's: once this returns, c's queries are answered
 * and its names resolve. dropped: c just left a network (the resolver
 * lets go of it when that was its last of the user's). */
int resolver_configure(berth_ctx *ctx, const berth_container *c, bool dropped, berth_err *err);
/* After a sandbox lost a network or went: the resolver lets go of it
 * (its sockets hold the namespace). Nothing when none runs. */
void resolver_release(berth_ctx *ctx);
/* A container needs the resolver and none runs (one died). */
bool resolver_missing(berth_ctx *ctx);
/* Starts it when resolver_missing; the error says why it could not. */
int resolver_start(berth_ctx *ctx, berth_err *err);

#endif
