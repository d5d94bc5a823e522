#ifndef BERTH_CORE_NETWORK_SPEC_H
#define BERTH_CORE_NETWORK_SPEC_H

#include "berth.h"

int check_network_name(const char *name, berth_err *err);
/* Fills net (whose id is set) from spec, or refuses with the reason. */
int network_from_spec(const berth_network_spec *spec, berth_network *net, berth_err *err);

#endif
