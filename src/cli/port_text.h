/* Published ports as the CLI prints them (Docker's ps PORTS, `port`). */
#ifndef BERTH_CLI_PORT_TEXT_H
#define BERTH_CLI_PORT_TEXT_H

#include "berth.h"

#include <stddef.h>

/* Docker's ps PORTS text: "0.0.0.0:8080->80/tcp, 127.0.0.1:8081->81/udp";
 * consecutive ports with the same host IP and protocol whose host and container
 * ports both step by one are grouped "0.0.0.0:8000-8002->80-82/tcp". Order: as given.
 * A port whose host port is not chosen yet shows as "80/tcp".
 * Returns a heap string ("" for none). */
char *port_list_text(const berth_port *ports, size_t n);
/* One `berth port` line: "80/tcp -> 0.0.0.0:8080" */
char *port_line(const berth_port *p);

#endif
