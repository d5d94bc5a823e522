/* The resolver's loop: sockets of every served sandbox, its control
 * socket and c-ares' sockets in one epoll set; the names from the
 * store, read again whenever another process committed (PRAGMA
 * data_version, asked once per batch of queries read, after the read),
 * so a name is there from the moment `run` commits it and gone from the
 * moment `rm` does. Nothing
 * is reloaded by tearing down: sockets of sandboxes that stay are kept
 * (aardvark-dns lost queries while it rebound them, its issue 389). */
#include "dns/batch.h"
#include "dns/control.h"
#include "dns/forward.h"
#include "dns/listen.h"
#include "dns/msg.h"
#include "dns/resolver.h"
#include "dns/watch.h"
#include "dns/zone.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/fd.h"
#include "util/resolv_file.h"
#include "util/xalloc.h"

#include <errno.h>
#include <malloc.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A TCP asker that says nothing for this long is let go. */
#define TCP_IDLE_SECONDS 10
#define TCP_MAX 65535
/* What one sandbox may have at once: more forwarded queries get SERVFAIL
 * at once, more TCP connections are closed, so that a container that
 * floods its resolver cannot take the memory or the descriptors the
 * others need (Docker's resolver caps forwarding at 1024 in all). */
#define SANDBOX_FORWARDS_MAX 256
#define SANDBOX_CONNS_MAX 32
/* With nobody to answer it stays this long: a container replaced at once
 * (restarted; a CNI runtime's DEL and ADD) finds it running, instead of
 * waiting for it to start (4 ms of that ADD). */
#define LINGER_MS 5000
/* The store's pages kept in memory: a reload reads them all, from the
 * kernel's page cache when not from here, in microseconds */
#define STORE_CACHE_KIB 64

typedef struct server server;

/* One served sandbox: its two sockets. */
typedef struct served {
	dns_watch udp_w, tcp_w;
	server *srv;
	dns_listener l;
	unsigned refs; /* the server's, and one per forwarded query */
	unsigned forwards, conns; /* under way, open */
	bool closed;
	struct served *next_dead;
} served;

/* A TCP asker. */
typedef struct conn {
	dns_watch w;
	served *sv;
	int fd;
	size_t have;
	time_t last;
	unsigned refs;
	bool closed;
	struct conn *next, *next_dead;
	uint8_t buf[2 + TCP_MAX];
} conn;

struct server {
	int epfd;
	const char *run_dir;
	store *st;
	long long data_version, dns_generation;
	dns_zone *zone;
	served **served; /* sorted by container ID */
	size_t n_served;
	forwarder *fwd;
	resolv_file host;
	struct stat host_stat;
	dns_watch control_w, signal_w;
	int control_fd, signal_fd;
	conn *conns;
	dns_inbox *inbox;
	dns_outbox *outbox;
	served *batching; /* whose replies go to the outbox */
	served *dead_served;
	conn *dead_conns;
	long long idle_since_ms; /* -1: it has sandboxes to serve */
	bool stop;
};

/* Its log (the run dir's DNS_LOG_FILE when berth started it). */
static void complain(const char *what)
{
	fprintf(stderr, "berth dns: %s\n", what);
}

static void watch_fd(server *srv, int fd, uint32_t events, dns_watch *w)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* ---- objects freed once no event of this round can name them ---------- */

static void served_unref(served *sv)
{
	if (--sv->refs == 0) {
		sv->next_dead = sv->srv->dead_served;
		sv->srv->dead_served = sv;
	}
}

static void served_close(served *sv)
{
	sv->closed = true;
	dns_listener_close(&sv->l); /* out of the epoll set with them */
	served_unref(sv);
}

static void conn_unref(server *srv, conn *c)
{
	if (--c->refs == 0) {
		c->next_dead = srv->dead_conns;
		srv->dead_conns = c;
	}
}

static void conn_close(server *srv, conn *c)
{
	if (c->closed)
		return;
	c->closed = true;
	close(c->fd);
	for (conn **p = &srv->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	c->sv->conns--;
	served_unref(c->sv);
	conn_unref(srv, c);
}

static void reap(server *srv)
{
	while (srv->dead_conns) {
		conn *c = srv->dead_conns;
		srv->dead_conns = c->next_dead;
		free(c);
	}
	while (srv->dead_served) {
		served *sv = srv->dead_served;
		srv->dead_served = sv->next_dead;
		free(sv);
	}
}

/* ---- replies ------------------------------------------------------------- */

static void send_udp(server *srv, served *sv, const struct sockaddr_in *to, const uint8_t *msg, size_t len)
{
	if (sv->closed || (srv->batching == sv && dns_outbox_add(srv->outbox, to, msg, len)))
		return;
	sendto(sv->l.udp, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)to, sizeof(*to));
}

static void send_tcp(server *srv, conn *c, const uint8_t *msg, size_t len)
{
	uint8_t head[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	struct iovec iov[2] = { { head, 2 }, { (void *)msg, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	if (c->closed)
		return;
	/* a reply the socket cannot take whole now: the asker is gone or
	 * does not read; it may ask again */
	if (sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)(len + 2))
		conn_close(srv, c);
}

typedef struct asker {
	served *sv;
	conn *c; /* NULL: over UDP, from `from` */
	struct sockaddr_in from;
} asker;

static void reply(server *srv, const asker *a, const uint8_t *msg, size_t len)
{
	if (a->c)
		send_tcp(srv, a->c, msg, len);
	else
		send_udp(srv, a->sv, &a->from, msg, len);
}

static void reply_own(server *srv, const asker *a, const dns_query *q, const dns_reply *r)
{
	_cleanup_free_ uint8_t *wire = NULL;
	size_t len;

	dns_reply_build(q, r, a->c ? TCP_MAX : q->udp_size, &wire, &len);
	reply(srv, a, wire, len);
}

/* ---- the store ----------------------------------------------------------- */

static int compare_id_served(const void *key, const void *elem)
{
	return strcmp(key, (*(served *const *)elem)->l.container_id);
}

static void sock_ready(server *srv, served *sv, bool tcp);

static void udp_ready(dns_watch *w, uint32_t events)
{
	served *sv = (served *)((char *)w - offsetof(served, udp_w));

	(void)events;
	sock_ready(sv->srv, sv, false);
}

static void tcp_ready(dns_watch *w, uint32_t events)
{
	served *sv = (served *)((char *)w - offsetof(served, tcp_w));

	(void)events;
	sock_ready(sv->srv, sv, true);
}

static served *serve_sandbox(server *srv, const char *container_id)
{
	_cleanup_free_ char *path = xasprintf("%s/netns/%s", srv->run_dir, container_id);
	served *sv = xzalloc(sizeof(*sv));
	berth_err err = { 0 };

	*sv = (served){ .udp_w.ready = udp_ready, .tcp_w.ready = tcp_ready, .srv = srv, .refs = 1 };
	snprintf(sv->l.container_id, sizeof(sv->l.container_id), "%s", container_id);
	if (dns_listener_open(path, &sv->l, &err) < 0) {
		/* gone meanwhile, most likely: its removal is committed next */
		complain(err.msg);
		berth_err_clear(&err);
		free(sv);
		return NULL;
	}
	watch_fd(srv, sv->l.udp, EPOLLIN, &sv->udp_w);
	watch_fd(srv, sv->l.tcp, EPOLLIN, &sv->tcp_w);
	return sv;
}

static void redirect_failed(dns_listener *l, const char *why)
{
	served *sv = (served *)((char *)l - offsetof(served, l));
	_cleanup_free_ char *msg = xasprintf("container %.12s: %s", l->container_id, why);

	complain(msg);
	served_close(sv);
}

/* Port 53 of each new sandbox to its sockets; those that failed are
 * dropped from srv's. */
static void redirect_new(server *srv, served *const *fresh, size_t n_fresh)
{
	_cleanup_free_ dns_listener **ls = xzalloc((n_fresh ? n_fresh : 1) * sizeof(*ls));
	size_t kept = 0;

	for (size_t i = 0; i < n_fresh; i++)
		ls[i] = &fresh[i]->l;
	dns_listeners_redirect(ls, n_fresh, redirect_failed);
	for (size_t i = 0; i < srv->n_served; i++)
		if (!srv->served[i]->closed)
			srv->served[kept++] = srv->served[i];
	srv->n_served = kept;
}

/* Sockets for the sandboxes the zone has and had not; none for those it
 * no longer has. */
static void match_sandboxes(server *srv)
{
	size_t n, n_fresh = 0;
	const dns_sandbox *sbs = dns_zone_sandboxes(srv->zone, &n);
	served **next = xzalloc((n ? n : 1) * sizeof(*next));
	_cleanup_free_ served **fresh = xzalloc((n ? n : 1) * sizeof(*fresh));
	bool *kept_old = xzalloc((srv->n_served ? srv->n_served : 1) * sizeof(*kept_old));
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		served **old = srv->n_served ? bsearch(sbs[i].container_id, srv->served, srv->n_served,
						       sizeof(*srv->served), compare_id_served)
					     : NULL;
		served *sv = old ? *old : serve_sandbox(srv, sbs[i].container_id);
		if (old)
			kept_old[old - srv->served] = true;
		else if (sv)
			fresh[n_fresh++] = sv;
		if (sv)
			next[kept++] = sv;
	}
	for (size_t i = 0; i < srv->n_served; i++)
		if (!kept_old[i])
			served_close(srv->served[i]);
	free(kept_old);
	free(srv->served);
	srv->served = next;
	srv->n_served = kept;
	/* the zone's sandboxes are sorted by ID, and so are these */
	redirect_new(srv, fresh, n_fresh);
}

static int reload(server *srv, berth_err *err)
{
	store_dns_row *rows;
	size_t n;
	int ret;

	/* the version and the generation first, in that order: a commit
	 * after either is seen at the next batch */
	if ((ret = store_data_version(srv->st, &srv->data_version, err)) < 0 ||
	    (ret = store_dns_generation(srv->st, &srv->dns_generation, err)) < 0 ||
	    (ret = store_dns_rows(srv->st, &rows, &n, err)) < 0)
		return ret;
	dns_zone_free(srv->zone);
	srv->zone = dns_zone_new(rows, n);
	store_dns_rows_free(rows, n);
	match_sandboxes(srv);
	/* what the old zone and the rows took (and libnftables, for new
	 * sandboxes) lies between what stays: given back, or the heap only
	 * grows with each change */
	malloc_trim(0);
	return 0;
}

static void keep_fresh(server *srv)
{
	long long v, g;
	berth_err err = { 0 };

	if (store_data_version(srv->st, &v, &err) == 0 && v == srv->data_version)
		return;
	/* a commit, but none of names (the container's state, say): the
	 * version read before the generation, so one of names after it is
	 * seen by the next check */
	if (!err.msg && store_dns_generation(srv->st, &g, &err) == 0 && g == srv->dns_generation) {
		srv->data_version = v;
		return;
	}
	if (!err.msg && reload(srv, &err) == 0)
		return;
	if (err.msg)
		complain(err.msg);
	berth_err_clear(&err);
}

/* ---- forwarding ---------------------------------------------------------- */

typedef struct pending {
	server *srv;
	asker a;
	uint16_t id;
	size_t len;
	uint8_t *query; /* for a SERVFAIL with its question */
} pending;

static void forwarded(void *arg, const uint8_t *answer, size_t len)
{
	pending *p = arg;
	server *srv = p->srv;

	if (answer) {
		_cleanup_free_ uint8_t *copy = xmemdup(answer, len);
		dns_set_id(copy, len, p->id);
		reply(srv, &p->a, copy, len);
	} else {
		/* every server failed: the asker hears it now, not at its timeout */
		dns_query q;
		if (dns_query_parse(p->query, p->len, &q) == 0)
			reply_own(srv, &p->a, &q, &(dns_reply){ .rcode = ns_r_servfail });
	}
	free(p->query);
	if (p->a.c)
		conn_unref(srv, p->a.c);
	p->a.sv->forwards--;
	served_unref(p->a.sv);
	free(p);
}

/* The host's servers, as its resolv.conf says now. */
static const resolv_file *host_servers(server *srv)
{
	struct stat now = { 0 };

	stat("/etc/resolv.conf", &now);
	if (now.st_ino != srv->host_stat.st_ino || now.st_dev != srv->host_stat.st_dev ||
	    now.st_size != srv->host_stat.st_size || now.st_mtim.tv_sec != srv->host_stat.st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != srv->host_stat.st_mtim.tv_nsec || !srv->host.servers) {
		resolv_file_clear(&srv->host);
		resolv_file_read("/etc/resolv.conf", &srv->host);
		srv->host_stat = now;
	}
	return &srv->host;
}

static void forward(server *srv, const asker *a, const dns_sandbox *sb, const dns_query *q, const uint8_t *buf,
		    size_t len)
{
	static char *const fallback[] = { "8.8.8.8", "8.8.4.4" };
	const resolv_file *host = host_servers(srv);
	char *const *servers = sb->n_dns ? sb->dns : host->n_servers ? host->servers : fallback;
	size_t n = sb->n_dns ? sb->n_dns : host->n_servers ? host->n_servers : 2;
	pending *p;

	if (a->sv->forwards >= SANDBOX_FORWARDS_MAX) {
		reply_own(srv, a, q, &(dns_reply){ .rcode = ns_r_servfail });
		return;
	}
	p = xzalloc(sizeof(*p));
	a->sv->forwards++;
	*p = (pending){ .srv = srv, .a = *a, .id = q->id, .len = len, .query = xmemdup(buf, len) };
	p->a.sv->refs++;
	if (p->a.c)
		p->a.c->refs++;
	forwarder_send(srv->fwd, servers, n, a->c != NULL, buf, len, forwarded, p);
}

/* ---- answering ----------------------------------------------------------- */

static bool own_reverse(server *srv, const dns_sandbox *sb, const dns_query *q, dns_reply *r)
{
	berth_addr a;

	if (q->type != ns_t_ptr || !dns_reverse_name(q->name, &a))
		return false;
	dns_found found = dns_zone_reverse(srv->zone, sb, &a, &r->ptr);
	/* never forwarded: another network's addresses stay on the host */
	if (found == DNS_ELSEWHERE)
		r->rcode = ns_r_nxdomain;
	return found != DNS_UNKNOWN;
}

/* A name of berth's: answered here, with or without records. */
static bool own_name(server *srv, const dns_sandbox *sb, const dns_query *q, dns_reply *r, berth_addr **addrs)
{
	int family = q->type == ns_t_aaaa ? AF_INET6 : AF_INET;
	dns_found found = dns_zone_lookup(srv->zone, sb, q->name, family, addrs, &r->n_addrs);

	if (found == DNS_UNKNOWN)
		return false;
	r->authoritative = true;
	if (found == DNS_ELSEWHERE) {
		/* never forwarded: another network's names stay on the host */
		r->rcode = ns_r_nxdomain;
		r->n_addrs = 0;
	} else if (q->type != ns_t_a && q->type != ns_t_aaaa) {
		r->n_addrs = 0; /* a name without records of that type */
	}
	r->addrs = *addrs;
	return true;
}

static void answer(server *srv, const asker *a, const uint8_t *buf, size_t len)
{
	dns_query q;
	dns_reply r = { 0 };
	_cleanup_free_ berth_addr *addrs = NULL;

	if (dns_query_parse(buf, len, &q) < 0)
		return;
	const dns_sandbox *sb = dns_zone_sandbox(srv->zone, a->sv->l.container_id);
	if (q.rcode || !sb) {
		/* a sandbox being removed is answered no more */
		r.rcode = sb ? 0 : ns_r_refused;
		reply_own(srv, a, &q, &r);
	} else if (q.klass == ns_c_in && (own_reverse(srv, sb, &q, &r) || own_name(srv, sb, &q, &r, &addrs))) {
		r.authoritative = true;
		reply_own(srv, a, &q, &r);
	} else if (!sb->forward) {
		/* only --internal networks: no query leaves the host
		 * (Docker's CVE-2024-29018) */
		reply_own(srv, a, &q, &(dns_reply){ .rcode = ns_r_refused });
	} else {
		forward(srv, a, sb, &q, buf, len);
	}
}

/* ---- sockets ------------------------------------------------------------- */

/* Two batches at most, then the other sandboxes' turn. */
static void read_udp(server *srv, served *sv)
{
	for (int round = 0; round < 2 && !sv->closed; round++) {
		size_t n = dns_inbox_read(srv->inbox, sv->l.udp);
		if (n == 0)
			return;
		/* once for the batch, after it came: whatever was committed
		 * before one of its queries was sent is seen */
		keep_fresh(srv);
		srv->batching = sv;
		for (size_t i = 0; i < n; i++) {
			size_t len;
			const uint8_t *msg = dns_inbox_msg(srv->inbox, i, &len);
			answer(srv, &(asker){ .sv = sv, .from = srv->inbox->peer[i] }, msg, len);
		}
		srv->batching = NULL;
		if (sv->closed)
			srv->outbox->n = 0;
		else
			dns_outbox_flush(srv->outbox, sv->l.udp);
		if (n < DNS_BATCH)
			return;
	}
}

static void conn_ready(dns_watch *w, uint32_t events);

static void accept_tcp(server *srv, served *sv)
{
	int fd;

	while (!sv->closed && (fd = accept4(sv->l.tcp, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (sv->conns >= SANDBOX_CONNS_MAX) {
			close(fd);
			continue;
		}
		fd = fd_move_high(fd);
		conn *c = xzalloc(sizeof(*c));
		*c = (conn){ .w.ready = conn_ready, .sv = sv, .fd = fd, .last = time(NULL), .refs = 1, .next = srv->conns };
		sv->refs++;
		sv->conns++;
		srv->conns = c;
		watch_fd(srv, fd, EPOLLIN, &c->w);
	}
}

static void sock_ready(server *srv, served *sv, bool tcp)
{
	if (tcp)
		accept_tcp(srv, sv);
	else
		read_udp(srv, sv);
}

/* Each message whole: its two-byte length, then itself (RFC 7766). */
static void conn_ready(dns_watch *w, uint32_t events)
{
	conn *c = (conn *)w;
	server *srv = c->sv->srv;
	ssize_t n;

	(void)events;
	if (c->closed)
		return;
	n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
	if (n <= 0) {
		if (n == 0 || errno != EAGAIN)
			conn_close(srv, c);
		return;
	}
	c->have += (size_t)n;
	c->last = time(NULL);
	while (!c->closed && c->have >= 2) {
		size_t len = (size_t)c->buf[0] << 8 | c->buf[1];
		if (c->have < 2 + len)
			break;
		keep_fresh(srv);
		answer(srv, &(asker){ .sv = c->sv, .c = c }, c->buf + 2, len);
		memmove(c->buf, c->buf + 2 + len, c->have - 2 - len);
		c->have -= 2 + len;
	}
}

static void close_idle(server *srv)
{
	time_t now = time(NULL);

	for (conn *c = srv->conns, *next; c; c = next) {
		next = c->next;
		if (now - c->last > TCP_IDLE_SECONDS)
			conn_close(srv, c);
	}
}

/* ---- control ------------------------------------------------------------- */

static int sync_now(void *arg, berth_err *err)
{
	return reload(arg, err);
}

static void control_ready(dns_watch *w, uint32_t events)
{
	server *srv = (server *)((char *)w - offsetof(server, control_w));

	(void)events;
	dns_control_answer(srv->control_fd, sync_now, srv);
}

static void signal_ready(dns_watch *w, uint32_t events)
{
	server *srv = (server *)((char *)w - offsetof(server, signal_w));
	struct signalfd_siginfo si;

	(void)events;
	if (read(srv->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		srv->stop = true;
}

static int open_control(server *srv, berth_err *err)
{
	int ret = dns_control_listen(srv->run_dir, &srv->control_fd, err);

	if (ret < 0)
		return ret;
	srv->control_w.ready = control_ready;
	watch_fd(srv, srv->control_fd, EPOLLIN, &srv->control_w);
	return 0;
}

static int open_signals(server *srv, berth_err *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (srv->signal_fd < 0)
		return berth_err_sys(err, errno, "creating a signalfd");
	srv->signal_w.ready = signal_ready;
	watch_fd(srv, srv->signal_fd, EPOLLIN, &srv->signal_w);
	return 0;
}

/* Two sockets per container, and their TCP askers: more than the usual
 * soft limit of 1024 on a busy host. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Nobody left to answer for LINGER_MS: a berth command starts it again. */
static bool idle_too_long(server *srv)
{
	if (srv->n_served) {
		srv->idle_since_ms = -1;
		return false;
	}
	if (srv->idle_since_ms < 0)
		srv->idle_since_ms = monotonic_ms();
	return monotonic_ms() - srv->idle_since_ms >= LINGER_MS;
}

static void loop(server *srv)
{
	struct epoll_event evs[64];

	while (!srv->stop) {
		int n = epoll_wait(srv->epfd, evs, 64, forwarder_timeout_ms(srv->fwd, 1000));
		for (int i = 0; i < n; i++)
			((dns_watch *)evs[i].data.ptr)->ready(evs[i].data.ptr, evs[i].events);
		forwarder_expire(srv->fwd);
		close_idle(srv);
		reap(srv);
		dns_listeners_reap();
		if (idle_too_long(srv))
			srv->stop = true;
	}
}

static void server_free(server *srv)
{
	while (srv->conns)
		conn_close(srv, srv->conns);
	for (size_t i = 0; i < srv->n_served; i++)
		served_close(srv->served[i]);
	free(srv->served);
	forwarder_free(srv->fwd);
	reap(srv);
	dns_zone_free(srv->zone);
	resolv_file_clear(&srv->host);
	store_close(srv->st);
	free(srv->inbox);
	free(srv->outbox);
	if (srv->control_fd >= 0)
		close(srv->control_fd);
	if (srv->signal_fd >= 0)
		close(srv->signal_fd);
	close(srv->epfd);
}

int dns_serve(const char *root, const char *run_dir, berth_err *err)
{
	_cleanup_free_ char *db = xasprintf("%s/berth.db", root);
	_cleanup_free_ char *pid_path = xasprintf("%s/" DNS_PID_FILE, run_dir);
	_cleanup_free_ char *sock_path = xasprintf("%s/" DNS_CONTROL_SOCKET, run_dir);
	_cleanup_close_ int lock = -1;
	server srv = { .run_dir = run_dir, .control_fd = -1, .signal_fd = -1, .idle_since_ms = -1 };
	int ret = dns_control_lock(run_dir, &lock, err);

	if (ret < 0)
		return ret;
	raise_fd_limit();
	srv.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv.epfd < 0)
		return berth_err_sys(err, errno, "creating an epoll set");
	srv.fwd = forwarder_new(srv.epfd);
	srv.inbox = xmalloc(sizeof(*srv.inbox)); /* pages touched as they are used */
	srv.outbox = xmalloc(sizeof(*srv.outbox));
	srv.outbox->n = 0;
	if ((ret = store_open(db, &srv.st, err)) == 0)
		store_limit_cache(srv.st, STORE_CACHE_KIB);
	if (ret == 0 && (ret = open_signals(&srv, err)) == 0 &&
	    (ret = open_control(&srv, err)) == 0 && (ret = reload(&srv, err)) == 0) {
		dns_control_write_pid(run_dir);
		loop(&srv);
		/* the pid file first: one without a resolver means it died */
		unlink(pid_path);
		unlink(sock_path);
	}
	server_free(&srv);
	return ret;
}
