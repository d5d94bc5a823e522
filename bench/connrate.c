/* New TCP connections per second, for bench/fw_ports.sh.
 *
 *   connrate serve PORT            accept, write one byte, close; forever
 *   connrate run HOST PORT SECONDS connect, read the byte, close; repeat;
 *                                  prints connections per second
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
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	signal(SIGPIPE, SIG_IGN);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
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
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	unsigned long n = 0, failed = 0;
	double t0 = now(), t;
	char b;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "connrate: bad address %s\n", host);
		return 1;
	}
	do {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 && read(s, &b, 1) == 1)
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
