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
#include "plugin/held.h"
#include "plugin/call.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_DOCKER_SOCKET "/run/docker.sock"
#define ASK_TIMEOUT_MS 2000L
/* a network dockerd is still storing after its CreateNetwork may not be
 * known to its API for a moment: younger ones are left for next time */
#define YOUNG_SEC 5
#define BODY_KEPT 512

/* DOCKER_HOST's socket when it names one (unix://PATH), dockerd's default
 * without one; NULL for another kind (tcp://): not asked. */
static const char *docker_socket(const char *docker_host)
{
	const char *host = docker_host ? docker_host : getenv("DOCKER_HOST");

	if (!host || !*host)
		return DEFAULT_DOCKER_SOCKET;
	return !strncmp(host, "unix://", 7) && host[7] ? host + 7 : NULL;
}

/* What came back: the body's start, and whether the headers say dockerd
 * (Api-Version, and not Podman's Libpod-Api-Version). */
typedef struct answer {
	char body[BODY_KEPT];
	size_t len;
	bool api_version, libpod;
} answer;

static size_t keep_body(char *data, size_t size, size_t n, void *user)
{
	answer *a = user;
	size_t room = sizeof(a->body) - 1 - a->len, take = size * n < room ? size * n : room;

	memcpy(a->body + a->len, data, take);
	a->len += take;
	a->body[a->len] = '\0';
	return size * n;
}

static size_t read_header(char *data, size_t size, size_t n, void *user)
{
	answer *a = user;

	if (size * n >= 12 && !strncasecmp(data, "Api-Version:", 12))
		a->api_version = true;
	if (size * n >= 19 && !strncasecmp(data, "Libpod-Api-Version:", 19))
		a->libpod = true;
	return size * n;
}

/* The HTTP status of GET path on dockerd's socket, 0 when it could not be
 * asked. */
static long ask(CURL *curl, const char *socket_path, const char *path, answer *a)
{
	char url[128];
	long status = 0;

	memset(a, 0, sizeof(*a));
	snprintf(url, sizeof(url), "http://docker%s", path);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ASK_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, a);
	if (curl_easy_perform(curl) != CURLE_OK)
		return 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* What answers there is dockerd: a 404 of anything else (Podman's
 * Docker-compatible socket) proves nothing about dockerd's networks. */
static bool is_dockerd(CURL *curl, const char *socket_path)
{
	answer a;

	return ask(curl, socket_path, "/_ping", &a) == 200 && a.api_version && !a.libpod;
}

/* Gone for certain: dockerd's 404 for that network, saying so. */
static bool network_gone(CURL *curl, const char *socket_path, const char *id, bool *asked)
{
	char path[96];
	answer a;

	snprintf(path, sizeof(path), "/networks/%s", id);
	long status = ask(curl, socket_path, path, &a);
	*asked = status != 0;
	return status == 404 && strstr(a.body, "not found");
}

static void remove_orphan(berth_ctx *ctx, const berth_network *net)
{
	berth_err err = { 0 };

	if (berth_network_remove_made_for(ctx, net->id, PLUGIN_MADE_FOR, true, &err) < 0)
		fprintf(stderr, "berth-plugin: warning: network %s is gone from dockerd, but could not be removed: %s\n",
			net->name, err.msg ? err.msg : "failed");
	else
		fprintf(stderr, "berth-plugin: network %s was removed by dockerd while the plugin was down: removed\n",
			net->name);
	berth_err_clear(&err);
}

static bool dockerds(const berth_network *net)
{
	return plugin_network_is_dockerds(net) && time(NULL) - net->created_sec >= YOUNG_SEC;
}

/* Asks dockerd about each of its networks; stops at the first question
 * it does not answer (it may be starting: its Activate must not wait). */
static int sweep(berth_ctx *ctx, CURL *curl, const char *socket_path, berth_network **nets, size_t n)
{
	int removed = 0;

	for (size_t i = 0; i < n; i++) {
		bool asked = false;
		if (!dockerds(nets[i]))
			continue;
		if (network_gone(curl, socket_path, nets[i]->id, &asked)) {
			remove_orphan(ctx, nets[i]);
			removed++;
		} else if (!asked) {
			fprintf(stderr, "berth-plugin: warning: dockerd (%s) stopped answering: the rest of its networks are kept\n",
				socket_path);
			break;
		}
	}
	return removed;
}

/* Asks dockerd, when it can be asked, about each of its networks. */
static int sweep_if_asked(berth_ctx *ctx, const char *socket_path, berth_network **nets, size_t n)
{
	size_t mine = 0;
	int removed = 0;

	for (size_t i = 0; i < n; i++)
		mine += dockerds(nets[i]);
	if (!mine)
		return 0;
	if (!socket_path) {
		fprintf(stderr, "berth-plugin: warning: DOCKER_HOST is not a unix socket: networks dockerd dropped "
				"while the plugin was down are kept (--docker-host unix://PATH)\n");
		return 0;
	}
	CURL *curl = curl_easy_init();
	if (curl && is_dockerd(curl, socket_path))
		removed = sweep(ctx, curl, socket_path, nets, n);
	else
		fprintf(stderr, "berth-plugin: warning: dockerd (%s) could not say which of its networks are gone "
				"(no answer, or not dockerd): they are kept\n",
			socket_path);
	curl_easy_cleanup(curl);
	return removed;
}

int plugin_orphans_sweep(const plugin_state *st)
{
	berth_network **nets = NULL;
	berth_err err = { 0 };
	berth_ctx *ctx = NULL;
	size_t n = 0;
	int removed = 0;

	if (berth_open(&st->cfg, &ctx, &err) < 0 || berth_network_list(ctx, &nets, &n, &err) < 0) {
		fprintf(stderr, "berth-plugin: warning: looking for networks dockerd dropped: %s\n",
			err.msg ? err.msg : "failed");
		berth_err_clear(&err);
		berth_close(ctx);
		return 0;
	}
	removed = sweep_if_asked(ctx, docker_socket(st->docker_host), nets, n);
	/* the ports of what is left are held, none of what went */
	held_resync(ctx);
	berth_network_list_free(nets, n);
	berth_close(ctx);
	return removed;
}
