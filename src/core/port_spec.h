/* Docker's -p/--publish specs. */
#ifndef BERTH_CORE_PORT_SPEC_H
#define BERTH_CORE_PORT_SPEC_H

#include "berth.h"

#include <stddef.h>

/* Parses one -p spec "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]" and
 * appends what it publishes to *ports (realloc'd; *n updated). Ranges expand
 * to one berth_port per container port. Returns 0 or -EINVAL with Docker's message. */
int port_spec_parse(const char *spec, berth_port **ports, size_t *n, berth_err *err);

/* The spec gives no host address: Docker then publishes on every address
 * of both families (0.0.0.0 and ::), where the network has both. */
bool port_spec_names_no_address(const char *spec);

#endif
