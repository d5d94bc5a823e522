/* Networks dockerd dropped while the plugin was down. dockerd removes a
 * network even when its driver does not answer (it logs the error), and
 * never sends that DeleteNetwork again, nor replays CreateNetwork for a
 * remote driver: from the host alone such a network looks like a live,
 * empty one. So dockerd is asked, on its API socket (GET
 * /networks/<id>), about each network made for it; only its 404 proves a
 * network gone, and only then does berth remove it, with whatever
 * endpoints dockerd left on it. Unreachable, or any other answer: the
 * network stays. HTTP over the unix socket is libcurl's. */
#include "plugin/orphans.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MADE_FOR "docker"
#define DEFAULT_DOCKER_SOCKET "/run/docker.sock"
#define ASK_TIMEOUT_MS 5000L

/* DOCKER_HOST's socket when it names one (unix://PATH), else dockerd's
 * default. */
static const char *docker_socket(const char *docker_host)
{
	const char *host = docker_host ? docker_host : getenv("DOCKER_HOST");

	if (host && !strncmp(host, "unix://", 7) && host[7])
		return host + 7;
	return DEFAULT_DOCKER_SOCKET;
}

static size_t discard(char *data, size_t size, size_t n, void *user)
{
	(void)data;
	(void)user;
	return size * n;
}

/* dockerd's HTTP status for the network, 0 when it could not be asked. */
static long ask_dockerd(CURL *curl, const char *socket_path, const char *id)
{
	char url[128];
	long status = 0;

	snprintf(url, sizeof(url), "http://docker/networks/%s", id);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ASK_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(curl) != CURLE_OK)
		return 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static void remove_orphan(berth_ctx *ctx, const berth_network *net)
{
	berth_err err = { 0 };

	if (berth_network_remove_made_for(ctx, net->id, MADE_FOR, true, &err) < 0)
		fprintf(stderr, "berth-plugin: warning: network %s is gone from dockerd, but could not be removed: %s\n",
			net->name, err.msg ? err.msg : "failed");
	else
		fprintf(stderr, "berth-plugin: network %s was removed by dockerd while the plugin was down: removed\n",
			net->name);
	berth_err_clear(&err);
}

int plugin_orphans_sweep(const plugin_state *st)
{
	const char *socket_path = docker_socket(st->docker_host);
	berth_network **nets = NULL;
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	size_t n = 0, removed = 0;
	bool warned = false;

	if (berth_open(&st->cfg, &ctx, &err) < 0 || berth_network_list(ctx, &nets, &n, &err) < 0) {
		fprintf(stderr, "berth-plugin: warning: looking for networks dockerd dropped: %s\n",
			err.msg ? err.msg : "failed");
		berth_err_clear(&err);
		berth_close(ctx);
		return 0;
	}
	CURL *curl = curl_easy_init();
	for (size_t i = 0; curl && i < n; i++) {
		if (!nets[i]->made_for || strcmp(nets[i]->made_for, MADE_FOR))
			continue;
		long status = ask_dockerd(curl, socket_path, nets[i]->id);
		if (status == 404) {
			remove_orphan(ctx, nets[i]);
			removed++;
		} else if (status != 200 && !warned) {
			fprintf(stderr, "berth-plugin: warning: dockerd (%s) could not say which of its networks are gone "
					"(%s): they are kept\n",
				socket_path, status ? "an unexpected answer" : "no answer");
			warned = true;
		}
	}
	curl_easy_cleanup(curl);
	berth_network_list_free(nets, n);
	berth_close(ctx);
	return (int)removed;
}
