/* The network a CNI configuration names: berth's network of that name,
 * made on the first ADD (labelled berth.cni=1) from the configuration's
 * subnet, gateway, driver and options, and refused when the one berth has
 * is another (its subnet or driver differs). */
#ifndef BERTH_CNI_NETWORK_H
#define BERTH_CNI_NETWORK_H

#include "cni/conf.h"

#include <berth.h>

int cni_network_ensure(berth_ctx *ctx, const cni_conf *conf, berth_network **out, cni_error *e);
/* The spec's code for a failure of libberth's (a negative errno). */
int cni_code_of(int ret);

#endif
