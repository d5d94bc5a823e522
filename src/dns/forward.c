#include "dns/forward.h"
#include "dns/watch.h"
#include "ipam/cidr.h"
#include "util/xalloc.h"

#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

/* How long one server has to answer. Docker gives each 4 s,
 * aardvark-dns 5 s split among them: a client's own timeout (glibc: 5 s)
 * then fires before it hears SERVFAIL (aardvark-dns issue 482). */
#define SERVER_TIMEOUT_MS 1500

typedef struct channel channel;

/* One socket c-ares opened, in the epoll set. */
typedef struct sock_watch {
	dns_watch w;
	channel *ch;
	ares_socket_t fd;
	struct sock_watch *next;
} sock_watch;

struct channel {
	char *key; /* the servers, and "/tcp" */
	ares_channel ares;
	forwarder *f;
	sock_watch *socks;
	channel *next;
};

struct forwarder {
	int epfd;
	channel *channels;
	/* watches of sockets c-ares closed: freed once the loop is done
	 * with the events it has (one may still name them) */
	sock_watch *dead;
};

static void sock_ready(dns_watch *w, uint32_t events)
{
	sock_watch *s = (sock_watch *)w;
	ares_socket_t fd = s->fd;

	if (!s->ch)
		return; /* closed by c-ares since the events came */
	ares_process_fd(s->ch->ares, (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? fd : ARES_SOCKET_BAD,
			(events & EPOLLOUT) ? fd : ARES_SOCKET_BAD);
}

static sock_watch **find_sock(channel *ch, ares_socket_t fd)
{
	sock_watch **p = &ch->socks;

	while (*p && (*p)->fd != fd)
		p = &(*p)->next;
	return p;
}

/* c-ares says which of its sockets to wait on, and for what. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	channel *ch = data;
	sock_watch **p = find_sock(ch, fd), *s = *p;
	struct epoll_event ev = { .events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0) };

	if (!readable && !writable) {
		if (s) {
			epoll_ctl(ch->f->epfd, EPOLL_CTL_DEL, fd, NULL);
			*p = s->next;
			s->ch = NULL;
			s->next = ch->f->dead;
			ch->f->dead = s;
		}
		return;
	}
	if (!s) {
		s = xzalloc(sizeof(*s));
		*s = (sock_watch){ .w.ready = sock_ready, .ch = ch, .fd = fd, .next = ch->socks };
		ch->socks = s;
		ev.data.ptr = s;
		epoll_ctl(ch->f->epfd, EPOLL_CTL_ADD, fd, &ev);
		return;
	}
	ev.data.ptr = s;
	epoll_ctl(ch->f->epfd, EPOLL_CTL_MOD, fd, &ev);
}

forwarder *forwarder_new(int epfd)
{
	forwarder *f = xzalloc(sizeof(*f));

	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		abort();
	f->epfd = epfd;
	return f;
}

static void free_socks(sock_watch *s)
{
	while (s) {
		sock_watch *next = s->next;
		free(s);
		s = next;
	}
}

void forwarder_free(forwarder *f)
{
	if (!f)
		return;
	for (channel *ch = f->channels, *next; ch; ch = next) {
		next = ch->next;
		ares_destroy(ch->ares);
		free_socks(ch->socks);
		free(ch->key);
		free(ch);
	}
	free_socks(f->dead);
	free(f);
	ares_library_cleanup();
}

static struct ares_addr_port_node *server_nodes(char *const *servers, size_t n, struct ares_addr_port_node *nodes)
{
	struct ares_addr_port_node *first = NULL, **tail = &first;

	for (size_t i = 0; i < n; i++) {
		berth_addr a;
		if (!addr_parse(servers[i], &a))
			continue;
		struct ares_addr_port_node *node = &nodes[i];
		memset(node, 0, sizeof(*node));
		node->family = a.family;
		memcpy(a.family == AF_INET ? (void *)&node->addr.addr4 : (void *)&node->addr.addr6, a.bytes,
		       a.family == AF_INET ? 4 : 16);
		node->udp_port = node->tcp_port = 53;
		*tail = node;
		tail = &node->next;
	}
	return first;
}

static channel *channel_new(forwarder *f, const char *key, char *const *servers, size_t n, bool tcp)
{
	struct ares_options o = { .flags = tcp ? ARES_FLAG_USEVC : ARES_FLAG_IGNTC,
				  .timeout = SERVER_TIMEOUT_MS,
				  .tries = 1,
				  .sock_state_cb = sock_state };
	struct ares_addr_port_node *nodes = xzalloc((n ? n : 1) * sizeof(*nodes));
	struct ares_addr_port_node *list = server_nodes(servers, n, nodes);
	channel *ch = xzalloc(sizeof(*ch));

	if (!list) {
		free(nodes);
		free(ch);
		return NULL;
	}
	o.sock_state_cb_data = ch;
	if (ares_init_options(&ch->ares, &o,
			      ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB) !=
		    ARES_SUCCESS ||
	    ares_set_servers_ports(ch->ares, list) != ARES_SUCCESS)
		abort(); /* only fails on allocation */
	free(nodes);
	ch->key = xstrdup(key);
	ch->f = f;
	ch->next = f->channels;
	f->channels = ch;
	return ch;
}

static char *channel_key(char *const *servers, size_t n, bool tcp)
{
	char *key = xstrdup(tcp ? "tcp" : "udp");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s %s", key, servers[i]);
		free(key);
		key = next;
	}
	return key;
}

static channel *channel_for(forwarder *f, char *const *servers, size_t n, bool tcp)
{
	char *key = channel_key(servers, n, tcp);
	channel *ch = f->channels;

	while (ch && strcmp(ch->key, key))
		ch = ch->next;
	if (!ch)
		ch = channel_new(f, key, servers, n, tcp);
	free(key);
	return ch;
}

typedef struct sent {
	forward_done done;
	void *arg;
} sent;

static void answered(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	sent *s = arg;

	(void)timeouts;
	if (status != ARES_EDESTRUCTION)
		s->done(s->arg, status == ARES_SUCCESS ? abuf : NULL, status == ARES_SUCCESS ? (size_t)alen : 0);
	free(s);
}

void forwarder_send(forwarder *f, char *const *servers, size_t n, bool tcp, const uint8_t *query, size_t len,
		    forward_done done, void *arg)
{
	channel *ch = channel_for(f, servers, n, tcp);
	sent *s;

	if (!ch) {
		done(arg, NULL, 0);
		return;
	}
	s = xzalloc(sizeof(*s));
	*s = (sent){ .done = done, .arg = arg };
	ares_send(ch->ares, query, (int)len, answered, s);
}

int forwarder_timeout_ms(forwarder *f, int max_ms)
{
	struct timeval max = { .tv_sec = max_ms / 1000, .tv_usec = (max_ms % 1000) * 1000 }, tv;
	int ms = max_ms;

	for (channel *ch = f->channels; ch; ch = ch->next) {
		const struct timeval *t = ares_timeout(ch->ares, &max, &tv);
		int this = (int)(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000);
		if (this < ms)
			ms = this;
	}
	return ms;
}

void forwarder_expire(forwarder *f)
{
	for (channel *ch = f->channels; ch; ch = ch->next)
		ares_process_fd(ch->ares, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	free_socks(f->dead);
	f->dead = NULL;
}
