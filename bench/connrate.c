/* New TCP connections per second, for bench/fw_ports.sh.
 *
 *   connrate serve PORT            accept, write one byte, close; forever
 *                                  (on [::], IPv4 too)
 *   connrate run HOST PORT SECONDS connect, read the byte, close; repeat;
 *                                  prints connections per second (HOST
 *                                  IPv4 or IPv6)
 *
 * C rather than a script so that the measurement is the kernel's path
 * (conntrack, NAT lookups), not an interpreter's. SO_LINGER 0 on the
 * client: no TIME_WAIT pile-up to run out of ports during a run. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int serve(int port)
{
	int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };

	signal(SIGPIPE, SIG_IGN);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1024) < 0) {
		perror("connrate serve");
		return 1;
	}
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		if (write(c, "x", 1) < 0)
			perror("write");
		close(c);
	}
}

static int run(const char *host, int port, double seconds)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	struct sockaddr *a = (struct sockaddr *)&a4;
	socklen_t len = sizeof(a4);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	unsigned long n = 0, failed = 0;
	double t0 = now(), t;
	char b;

	if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
		a = (struct sockaddr *)&a6;
		len = sizeof(a6);
	} else if (inet_pton(AF_INET, host, &a4.sin_addr) != 1) {
		fprintf(stderr, "connrate: bad address %s\n", host);
		return 1;
	}
	do {
		int s = socket(a->sa_family, SOCK_STREAM, 0);
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(s, a, len) == 0 && read(s, &b, 1) == 1)
			n++;
		else
			failed++;
		close(s);
		t = now();
	} while (t - t0 < seconds);
	printf("%.0f\n", (double)n / (t - t0));
	if (failed)
		fprintf(stderr, "connrate: %lu connections failed\n", failed);
	return failed > n / 100;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "run"))
		return run(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: connrate serve PORT | connrate run HOST PORT SECONDS\n");
	return 2;
}
