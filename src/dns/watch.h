/* What the resolver's epoll loop holds for each descriptor: a function
 * to call when it is ready. A struct embedding one starts with it. */
#ifndef BERTH_DNS_WATCH_H
#define BERTH_DNS_WATCH_H

#include <stdint.h>

typedef struct dns_watch dns_watch;
struct dns_watch {
	void (*ready)(dns_watch *w, uint32_t events);
};

#endif
