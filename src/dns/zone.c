#include "dns/zone.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct zone_net {
	char id[BERTH_ID_HEX + 1];
	bool internal;
} zone_net;

/* One name of one endpoint. */
typedef struct zone_name {
	char *name; /* lower case */
	size_t net;
	size_t endpoint;
} zone_name;

typedef struct zone_endpoint {
	size_t net;
	berth_addr addr, addr6;
	char *fqdn; /* NAME.NETWORK, what PTR answers */
} zone_endpoint;

struct dns_zone {
	zone_net *nets;
	size_t n_nets;
	zone_endpoint *endpoints;
	size_t n_endpoints;
	zone_name *names;
	size_t n_names;
	dns_sandbox *sandboxes;
	size_t n_sandboxes;
	unsigned turn; /* round robin */
};

static char *lower(const char *s)
{
	char *l = xstrdup(s);

	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

static int compare_net_ids(const void *a, const void *b)
{
	return strcmp(((const zone_net *)a)->id, ((const zone_net *)b)->id);
}

static size_t net_index(const dns_zone *z, const char *id)
{
	zone_net key = { 0 };

	snprintf(key.id, sizeof(key.id), "%s", id);
	const zone_net *found = bsearch(&key, z->nets, z->n_nets, sizeof(*z->nets), compare_net_ids);
	return (size_t)(found - z->nets);
}

static void collect_nets(dns_zone *z, const store_dns_row *rows, size_t n)
{
	z->nets = xzalloc((n ? n : 1) * sizeof(*z->nets));
	for (size_t i = 0; i < n; i++) {
		snprintf(z->nets[z->n_nets].id, sizeof(z->nets->id), "%s", rows[i].network_id);
		z->nets[z->n_nets++].internal = rows[i].internal;
	}
	if (z->n_nets)
		qsort(z->nets, z->n_nets, sizeof(*z->nets), compare_net_ids);
	size_t kept = 0;
	for (size_t i = 0; i < z->n_nets; i++)
		if (!kept || strcmp(z->nets[kept - 1].id, z->nets[i].id))
			z->nets[kept++] = z->nets[i];
	z->n_nets = kept;
}

/* The arrays are sized once by dns_zone_new: grown by one element at a
 * time, among the strings allocated in between, they were copied again
 * and again (a quarter of a reload's time at 1,000 containers). */
static void add_name(dns_zone *z, char *name, size_t net, size_t endpoint)
{
	z->names[z->n_names++] = (zone_name){ .name = name, .net = net, .endpoint = endpoint };
}

static void add_endpoint(dns_zone *z, const store_dns_row *r)
{
	size_t net = net_index(z, r->network_id), e = z->n_endpoints;

	z->endpoints[e] = (zone_endpoint){ .net = net, .addr = r->addr, .addr6 = r->addr6 };
	z->endpoints[e].fqdn = lower(r->container_name);
	char *fqdn = xasprintf("%s.%s", z->endpoints[e].fqdn, r->network_name);
	free(z->endpoints[e].fqdn);
	z->endpoints[e].fqdn = lower(fqdn);
	free(fqdn);
	z->n_endpoints++;
	add_name(z, lower(r->container_name), net, e);
	add_name(z, xstrndup(r->container_id, BERTH_SHORT_ID_HEX), net, e);
	add_name(z, xstrdup(z->endpoints[e].fqdn), net, e);
	for (size_t i = 0; i < r->n_aliases; i++)
		add_name(z, lower(r->aliases[i]), net, e);
}

static int compare_names(const void *a, const void *b)
{
	const zone_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->net < y->net ? -1 : x->net > y->net;
}

static int compare_sizes(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Rows come by container: one sandbox per run of a container's rows. */
static void add_sandbox(dns_zone *z, const store_dns_row *rows, size_t n)
{
	dns_sandbox *sb;

	sb = memset(&z->sandboxes[z->n_sandboxes++], 0, sizeof(*sb));
	snprintf(sb->container_id, sizeof(sb->container_id), "%s", rows[0].container_id);
	sb->nets = xzalloc(n * sizeof(*sb->nets));
	for (size_t i = 0; i < n; i++) {
		sb->nets[sb->n_nets++] = net_index(z, rows[i].network_id);
		sb->forward |= !rows[i].internal;
	}
	qsort(sb->nets, sb->n_nets, sizeof(*sb->nets), compare_sizes);
	sb->dns = strv_copy((const char *const *)rows[0].dns, rows[0].n_dns);
	sb->n_dns = rows[0].n_dns;
}

dns_zone *dns_zone_new(const store_dns_row *rows, size_t n)
{
	dns_zone *z = xzalloc(sizeof(*z));
	size_t n_names = 0;

	for (size_t i = 0; i < n; i++)
		n_names += 3 + rows[i].n_aliases; /* see add_endpoint */
	z->names = xmalloc((n_names ? n_names : 1) * sizeof(*z->names));
	z->endpoints = xmalloc((n ? n : 1) * sizeof(*z->endpoints));
	z->sandboxes = xmalloc((n ? n : 1) * sizeof(*z->sandboxes));
	collect_nets(z, rows, n);
	for (size_t i = 0; i < n; i++)
		add_endpoint(z, &rows[i]);
	if (z->n_names)
		qsort(z->names, z->n_names, sizeof(*z->names), compare_names);
	for (size_t i = 0, run; i < n; i += run) {
		for (run = 1; i + run < n && !strcmp(rows[i + run].container_id, rows[i].container_id); run++)
			;
		if (rows[i].own_netns)
			add_sandbox(z, &rows[i], run);
	}
	return z;
}

void dns_zone_free(dns_zone *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->n_names; i++)
		free(z->names[i].name);
	for (size_t i = 0; i < z->n_endpoints; i++)
		free(z->endpoints[i].fqdn);
	for (size_t i = 0; i < z->n_sandboxes; i++) {
		free(z->sandboxes[i].nets);
		strv_free(z->sandboxes[i].dns);
	}
	free(z->names);
	free(z->endpoints);
	free(z->nets);
	free(z->sandboxes);
	free(z);
}

const dns_sandbox *dns_zone_sandboxes(const dns_zone *z, size_t *n)
{
	*n = z->n_sandboxes;
	return z->sandboxes;
}

static int compare_sandbox_id(const void *key, const void *elem)
{
	return strcmp(key, ((const dns_sandbox *)elem)->container_id);
}

const dns_sandbox *dns_zone_sandbox(const dns_zone *z, const char *container_id)
{
	if (!z->n_sandboxes)
		return NULL;
	return bsearch(container_id, z->sandboxes, z->n_sandboxes, sizeof(*z->sandboxes), compare_sandbox_id);
}

static bool on_nets(const dns_sandbox *sb, size_t net)
{
	return bsearch(&net, sb->nets, sb->n_nets, sizeof(*sb->nets), compare_sizes) != NULL;
}

static bool listed(const berth_addr *addrs, size_t n, const berth_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (berth_addr_equal(&addrs[i], a))
			return true;
	return false;
}

/* The first entry of `name` (names are sorted by name). */
static size_t first_of(const dns_zone *z, const char *name)
{
	size_t lo = 0, hi = z->n_names;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(z->names[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void rotate(berth_addr *addrs, size_t n, unsigned by)
{
	if (n < 2 || !(by %= (unsigned)n))
		return;
	berth_addr *copy = xmemdup(addrs, n * sizeof(*addrs));
	for (size_t i = 0; i < n; i++)
		addrs[i] = copy[(i + by) % n];
	free(copy);
}

dns_found dns_zone_lookup(dns_zone *z, const dns_sandbox *sb, const char *name, int family, berth_addr **addrs,
			  size_t *n)
{
	dns_found found = DNS_UNKNOWN;

	*addrs = NULL;
	*n = 0;
	for (size_t i = first_of(z, name); i < z->n_names && !strcmp(z->names[i].name, name); i++) {
		if (!on_nets(sb, z->names[i].net)) {
			if (found == DNS_UNKNOWN)
				found = DNS_ELSEWHERE;
			continue;
		}
		found = DNS_FOUND;
		const zone_endpoint *e = &z->endpoints[z->names[i].endpoint];
		const berth_addr *a = family == AF_INET ? &e->addr : &e->addr6;
		if (a->family && !listed(*addrs, *n, a)) {
			*addrs = xrealloc(*addrs, (*n + 1) * sizeof(**addrs));
			(*addrs)[(*n)++] = *a;
		}
	}
	rotate(*addrs, *n, z->turn++);
	return found;
}

dns_found dns_zone_reverse(const dns_zone *z, const dns_sandbox *sb, const berth_addr *a, const char **name)
{
	dns_found found = DNS_UNKNOWN;

	*name = NULL;
	for (size_t i = 0; i < z->n_endpoints; i++) {
		const zone_endpoint *e = &z->endpoints[i];
		if (!berth_addr_equal(&e->addr, a) && !berth_addr_equal(&e->addr6, a))
			continue;
		if (on_nets(sb, e->net)) {
			*name = e->fqdn;
			return DNS_FOUND;
		}
		found = DNS_ELSEWHERE;
	}
	return found;
}
