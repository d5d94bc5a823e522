/* The host ports of dockerd's containers, held by the resident server as
 * docker-proxy would hold them (and as berth run's monitor holds its
 * container's): a socket bound to each published port, not listening, so
 * that no daemon of the host can take a port whose connections berth's
 * map sends to a container. The sockets are the only state the plugin
 * keeps in memory; at start they are made again from the store. */
#include "plugin/held.h"
#include "plugin/call.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct hold {
	char container_id[BERTH_ID_HEX + 1];
	int *fds;
	size_t n;
} hold;

static pthread_mutex_t holds_lock = PTHREAD_MUTEX_INITIALIZER;
static hold *holds;
static size_t n_holds;

static void close_hold(hold *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->fds[i] >= 0)
			close(h->fds[i]);
	free(h->fds);
}

void held_release(const char *container_id)
{
	pthread_mutex_lock(&holds_lock);
	for (size_t i = 0; i < n_holds; i++)
		if (!strcmp(holds[i].container_id, container_id)) {
			close_hold(&holds[i]);
			holds[i] = holds[--n_holds];
			break;
		}
	pthread_mutex_unlock(&holds_lock);
}

static void keep(const char *container_id, int *fds, size_t n)
{
	pthread_mutex_lock(&holds_lock);
	hold *more = realloc(holds, (n_holds + 1) * sizeof(*holds));
	if (more) {
		holds = more;
		hold *h = &holds[n_holds++];
		snprintf(h->container_id, sizeof(h->container_id), "%s", container_id);
		h->fds = fds;
		h->n = n;
	} else {
		hold h = { .fds = fds, .n = n };
		close_hold(&h);
	}
	pthread_mutex_unlock(&holds_lock);
}

/* A port the kernel will not let us bind is reported, not fatal: the
 * container's traffic flows through berth's map either way. */
static void hold_container(const berth_container *c)
{
	berth_err err = { 0 };
	int *fds = NULL;

	held_release(c->id);
	if (!c->n_ports)
		return;
	if (berth_ports_hold(c->ports, c->n_ports, &fds, &err) < 0) {
		fprintf(stderr, "berth-plugin: warning: container %s: its host ports are published but not held: %s\n",
			c->name, err.msg ? err.msg : "failed");
		berth_err_clear(&err);
		return;
	}
	keep(c->id, fds, c->n_ports);
}

void held_take(berth_ctx *ctx, const char *container_id)
{
	berth_container *c = NULL;
	berth_err err = { 0 };

	if (berth_container_find(ctx, container_id, &c, &err) == 0)
		hold_container(c);
	else
		held_release(container_id);
	berth_err_clear(&err);
	berth_container_free(c);
}

void held_resync(berth_ctx *ctx)
{
	berth_container **cs = NULL;
	berth_err err = { 0 };
	size_t n = 0;

	if (berth_container_list(ctx, &cs, &n, &err) < 0) {
		berth_err_clear(&err);
		return;
	}
	/* what is held of containers gone (an orphan's) goes */
	pthread_mutex_lock(&holds_lock);
	for (size_t i = n_holds; i-- > 0;) {
		bool there = false;
		for (size_t j = 0; j < n && !there; j++)
			there = !strcmp(cs[j]->id, holds[i].container_id) && cs[j]->n_ports;
		if (!there) {
			close_hold(&holds[i]);
			holds[i] = holds[--n_holds];
		}
	}
	pthread_mutex_unlock(&holds_lock);
	for (size_t j = 0; j < n; j++)
		if (plugin_container_is_dockerds(cs[j]) && cs[j]->n_ports && !held_has(cs[j]->id))
			hold_container(cs[j]);
	berth_container_list_free(cs, n);
}

bool held_has(const char *container_id)
{
	bool has = false;

	pthread_mutex_lock(&holds_lock);
	for (size_t i = 0; i < n_holds && !has; i++)
		has = !strcmp(holds[i].container_id, container_id);
	pthread_mutex_unlock(&holds_lock);
	return has;
}
