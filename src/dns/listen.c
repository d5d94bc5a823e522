#include "dns/listen.h"
#include "dns/resolver.h"
#include "fw/dns_redirect.h"
#include "fw/nft.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/fd.h"
#include "util/netns_enter.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bound to a port the kernel picks that is free for both protocols. */
static int bind_pair(dns_listener *l, berth_err *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int one = 1;

	inet_pton(AF_INET, DNS_RESOLVER_ADDR, &sa.sin_addr);
	l->udp = fd_move_high(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	l->tcp = fd_move_high(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (l->udp < 0 || l->tcp < 0)
		return berth_err_sys(err, errno, "creating the resolver's sockets");
	if (bind(l->udp, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(l->udp, (struct sockaddr *)&sa, &len) < 0)
		return berth_err_sys(err, errno, "binding the resolver's UDP socket to " DNS_RESOLVER_ADDR);
	setsockopt(l->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->tcp, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l->tcp, 64) < 0)
		return berth_err_sys(err, errno, "binding the resolver's TCP socket to " DNS_RESOLVER_ADDR ":%u",
				     ntohs(sa.sin_port));
	l->port = ntohs(sa.sin_port);
	return 0;
}

static void close_sockets(dns_listener *l)
{
	if (l->udp >= 0)
		close(l->udp);
	if (l->tcp >= 0)
		close(l->tcp);
	l->udp = l->tcp = -1;
}

static int open_inside(void *arg, berth_err *err)
{
	dns_listener *l = arg;
	int ret = -EADDRINUSE;

	/* a UDP port taken for TCP by the container: another one */
	for (int tries = 0; tries < 8 && ret == -EADDRINUSE; tries++) {
		if (tries)
			berth_err_clear(err);
		close_sockets(l);
		ret = bind_pair(l, err);
	}
	return ret;
}

int dns_listener_open(const char *netns_path, dns_listener *l, berth_err *err)
{
	int ret;

	l->udp = l->tcp = -1;
	l->netns = fd_move_high(open(netns_path, O_RDONLY | O_CLOEXEC));
	if (l->netns < 0)
		return berth_err_sys(err, errno, "opening %s", netns_path);
	ret = in_netns(l->netns, open_inside, l, err);
	if (ret < 0)
		dns_listener_close(l);
	return ret;
}

/* ---- the redirects, written by a child ----------------------------------- */

/* Contexts closed together: closing a netfilter netlink socket after a
 * commit waits for an RCU grace period (the kernel's nft_rcv_nl_event
 * flushes its destroy work), 13 ms on a small VM, and the first close of
 * a batch pays it for all: 520 tables took 7 s one by one, 0.4 s so. */
#define REDIRECT_BATCH 64

typedef struct redirect_job {
	const dns_listener *l;
	nft_runner *nft; /* left open: freed with its batch */
} redirect_job;

static int redirect_inside(void *arg, berth_err *err)
{
	redirect_job *job = arg;
	/* made here: libnftables talks to the namespace its socket is in */
	job->nft = nft_runner_new();
	json_t *cmds = fw_dns_redirect(DNS_RESOLVER_ADDR, job->l->port);
	int ret = nft_run(job->nft, cmds, err);

	json_decref(cmds);
	return ret < 0 ? berth_err_wrap(err, "redirecting port 53 to the resolver") : 0;
}

static void free_runners(nft_runner **open, size_t *n_open)
{
	for (size_t i = 0; i < *n_open; i++)
		nft_runner_free(open[i]);
	*n_open = 0;
}

/* The child: a line per listener, "INDEX\t" and nothing more when its
 * table is there, or the reason it is not. */
__attribute__((noreturn)) static void write_redirects(dns_listener *const *ls, size_t n, int report)
{
	FILE *out = fdopen(report, "w");
	nft_runner *open[REDIRECT_BATCH];
	size_t n_open = 0;

	for (size_t i = 0; out && i < n; i++) {
		berth_err err = { 0 };
		redirect_job job = { .l = ls[i] };
		in_netns(ls[i]->netns, redirect_inside, &job, &err);
		if (job.nft)
			open[n_open++] = job.nft;
		if (n_open == REDIRECT_BATCH)
			free_runners(open, &n_open);
		fprintf(out, "%zu\t%s\n", i, err.msg ? err.msg : "");
		berth_err_clear(&err);
	}
	/* reported before the last contexts close: that close waits for the
	 * kernel to finish the transactions (10-20 ms), which the resolver,
	 * and the command waiting for it, need not */
	bool reported = out && fclose(out) == 0;
	free_runners(open, &n_open);
	_exit(reported ? 0 : 1);
}

/* Reads the child's lines; *done[i] once the table of ls[i] is there. */
static void read_report(dns_listener *const *ls, size_t n, int report, bool *done,
			void (*failed)(dns_listener *l, const char *why))
{
	FILE *in = fdopen(report, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!in) {
		close(report);
		return;
	}
	while ((len = getline(&line, &cap, in)) > 0) {
		char *tab = NULL;
		unsigned long long i = strtoull(line, &tab, 10);
		if (!tab || *tab != '\t' || i >= n || done[i])
			continue;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		done[i] = true;
		if (tab[1])
			failed(ls[i], tab + 1);
	}
	free(line);
	fclose(in);
}

void dns_listeners_redirect(dns_listener *const *ls, size_t n, void (*failed)(dns_listener *l, const char *why))
{
	_cleanup_free_ bool *done = xzalloc((n ? n : 1) * sizeof(*done));
	int pipe_fds[2], why = 0;
	pid_t child = -1;

	if (n == 0)
		return;
	if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
		why = errno;
	} else {
		child = fork();
		why = errno;
		if (child == 0) {
			/* the writer is a grandchild, init's once this child
			 * has ended: its own end (a slow close) is nobody's
			 * wait and leaves no zombie of the resolver's */
			close(pipe_fds[0]);
			if (fork() == 0)
				write_redirects(ls, n, pipe_fds[1]);
			_exit(0);
		}
		close(pipe_fds[1]);
		if (child > 0)
			read_report(ls, n, pipe_fds[0], done, failed);
		else
			close(pipe_fds[0]);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		if (!done[i])
			failed(ls[i], child > 0 ? "the process writing its redirect died" : strerror(why));
		if (ls[i]->netns >= 0)
			close(ls[i]->netns);
		ls[i]->netns = -1;
	}
}

void dns_listener_close(dns_listener *l)
{
	close_sockets(l);
	if (l->netns >= 0)
		close(l->netns);
	l->netns = -1;
}
