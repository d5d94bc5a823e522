/* Containers as Docker prints them: inspect's schema, ps's JSON lines and
 * its human durations. */
#ifndef BERTH_CLI_CONTAINER_JSON_H
#define BERTH_CLI_CONTAINER_JSON_H

#include "berth.h"

#include <jansson.h>

json_t *container_inspect_json(berth_ctx *ctx, const berth_container *c, berth_network **nets, size_t n_nets);
/* "5 seconds", "About a minute", "3 hours" (Docker's units.HumanDuration) */
void human_duration(time_t seconds, char buf[64]);
void format_time(time_t sec, long nsec, char buf[64]);

#endif
