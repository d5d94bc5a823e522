/* berth-plugin: the Docker plugin's HTTP server, a binary of its own so
 * that libmicrohttpd (and its TLS libraries) is loaded by it alone, not by
 * every berth command. `berth plugin serve` runs it. */
#include "plugin/serve.h"

#include <getopt.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "run-dir", required_argument, NULL, 'd' },
		{ "docker-host", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	berth_config cfg = { 0 };
	const char *socket_path = PLUGIN_DEFAULT_SOCKET, *docker_host = NULL;
	char why[512];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': socket_path = optarg; break;
		case 'r': cfg.root = optarg; break;
		case 'd': cfg.run_dir = optarg; break;
		case 'H': docker_host = optarg; break;
		default:
			fprintf(stderr, "usage: berth-plugin [--socket PATH] [--docker-host unix://PATH] [--root DIR] [--run-dir DIR]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: berth-plugin [--socket PATH] [--docker-host unix://PATH] [--root DIR] [--run-dir DIR]\n");
		return 2;
	}
	if (plugin_serve(&cfg, socket_path, docker_host, why, sizeof(why)) < 0) {
		fprintf(stderr, "berth: error: %s\n", why);
		return 1;
	}
	return 0;
}
