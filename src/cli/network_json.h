/* Networks as Docker prints them: inspect's schema and ls's JSON lines. */
#ifndef BERTH_CLI_NETWORK_JSON_H
#define BERTH_CLI_NETWORK_JSON_H

#include "berth.h"

#include <jansson.h>

/* RFC 3339 with nanoseconds, UTC: 2021-10-23T07:07:47.870947684Z */
void format_created(const berth_network *net, char buf[64]);
/* containers: every container, to fill "Containers" with those attached */
json_t *network_inspect_json(const berth_network *net, berth_container **containers, size_t n_containers);
json_t *network_ls_json(const berth_network *net, bool no_trunc);

#endif
