/* berth plugin serve: runs berth-plugin, the Docker plugin's server (a
 * binary of its own: its HTTP library is loaded by it alone). */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Next to berth in a build directory; PREFIX/libexec/berth/ once
 * installed (PREFIX/bin/berth). */
static bool find_server(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(out, len, "%s/berth-plugin", self);
	if (access(out, X_OK) == 0)
		return true;
	snprintf(out, len, "%s/../libexec/berth/berth-plugin", self);
	return access(out, X_OK) == 0;
}

static int serve_main(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "docker-host", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "berth plugin serve", *socket_path = NULL, *docker_host = NULL;
	char server[PATH_MAX + 32];
	char *args[10];
	int c, n = 0;

	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			socket_path = optarg;
		else if (c == 'H')
			docker_host = optarg;
		else
			return cli_bad_flag(path, argv);
	}
	if (optind != argc)
		return cli_usage(path, "\"plugin serve\" accepts no arguments");
	if (!find_server(server, sizeof(server))) {
		fprintf(stderr, "berth: error: the plugin server berth-plugin is not installed next to berth or in "
				"../libexec/berth/\n");
		return 1;
	}
	args[n++] = server;
	if (socket_path) {
		args[n++] = "--socket";
		args[n++] = (char *)socket_path;
	}
	if (docker_host) {
		args[n++] = "--docker-host";
		args[n++] = (char *)docker_host;
	}
	if (env->cfg.root) {
		args[n++] = "--root";
		args[n++] = (char *)env->cfg.root;
	}
	if (env->cfg.run_dir) {
		args[n++] = "--run-dir";
		args[n++] = (char *)env->cfg.run_dir;
	}
	args[n] = NULL;
	execv(server, args);
	fprintf(stderr, "berth: error: running %s: %s\n", server, strerror(errno));
	return 1;
}

const cli_cmd plugin_commands[] = {
	{ "serve", NULL, serve_main, "Serve dockerd as its network and IPAM driver \"berth\"",
	  "[--socket PATH] [--docker-host unix://PATH]\n\n"
	  "Answers libnetwork's remote driver API on a unix socket until SIGTERM: dockerd finds the\n"
	  "driver berth by its socket (docker network create -d berth --ipam-driver berth ...), and\n"
	  "its networks, addresses, containers' interfaces and -p ports are berth's. Under systemd's\n"
	  "socket activation, serves the socket it passes. At start, and when dockerd activates it,\n"
	  "removes the networks dockerd dropped while it was down (dockerd's API says 404).\n\n"
	  "      --socket PATH              the socket to listen on (default /run/docker/plugins/berth.sock)\n"
	  "      --docker-host unix://PATH  dockerd's API (default $DOCKER_HOST, then /run/docker.sock)\n",
	  NULL, false },
	{ NULL, NULL, NULL, NULL, NULL, NULL, false },
};
