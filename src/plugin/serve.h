/* berth as dockerd's network and IPAM driver (issue 16): libnetwork's
 * remote driver API, HTTP POSTs of JSON on a unix socket that dockerd
 * finds in /run/docker/plugins (the socket's name is the driver's:
 * berth.sock, driver "berth"). A resident front end over <berth.h>, like
 * the CLI and the CNI plugin; its state is berth's store. */
#ifndef BERTH_PLUGIN_SERVE_H
#define BERTH_PLUGIN_SERVE_H

#include <berth.h>
#include <stddef.h>

#define PLUGIN_DEFAULT_SOCKET "/run/docker/plugins/berth.sock"

/* Serves on `socket_path` (or on the socket systemd passes, LISTEN_FDS)
 * until SIGTERM or SIGINT; then the socket file goes. docker_host
 * (unix://PATH; NULL: $DOCKER_HOST, then /run/docker.sock) is dockerd's
 * API, asked about networks dockerd may have dropped meanwhile. 0, or -1 with the
 * reason in why. */
int plugin_serve(const berth_config *cfg, const char *socket_path, const char *docker_host, char *why,
		 size_t why_len);

#endif
