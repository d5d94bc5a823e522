/* The network a CNI configuration names: berth's network of that name,
 * made on the first ADD (labelled berth.cni=1) from the configuration's
 * subnet, gateway, driver and options, and refused when the one berth has
 * is another (its subnet or driver differs). */
#ifndef BERTH_CNI_NETWORK_H
#define BERTH_CNI_NETWORK_H

#include "cni/conf.h"

#include <berth.h>

int cni_network_ensure(berth_ctx *ctx, const cni_conf *conf, berth_network **out, cni_error *e);
/* berth's network of exactly that name (not an ID or a prefix of one);
 * *out NULL when there is none. */
int cni_network_named(berth_ctx *ctx, const char *name, berth_network **out, berth_err *err);

#endif
