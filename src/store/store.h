/* The state store: one SQLite database (WAL) under the state root.
 * Typed accessors only; the store never touches the kernel. Address
 * allocation happens here because it must be one transaction with the
 * read of the addresses in use: no address is handed out twice, also
 * when several berth processes run at once. */
#ifndef BERTH_STORE_STORE_H
#define BERTH_STORE_STORE_H

#include "berth.h"
#include "util/model.h"

typedef struct store store;

int store_open(const char *path, store **out, berth_err *err);
void store_close(store *s);
/* A page cache of at most kib KiB for this handle (SQLite's default is
 * 2 MiB): for a process that stays, where pages read again come from the
 * kernel's page cache at little cost. */
void store_limit_cache(store *s, int kib);

/* BEGIN IMMEDIATE: takes the write lock now, waiting for other writers. */
int store_begin(store *s, berth_err *err);
int store_commit(store *s, berth_err *err);
void store_rollback(store *s);
bool store_in_transaction(store *s);
/* Ends the transaction: commits when ret is 0, else rolls back. */
int store_end(store *s, int ret, berth_err *err);

int store_network_insert(store *s, const berth_network *net, berth_err *err);
/* by: the process now working on the row (pid 0: none). */
int store_network_set_state(store *s, const char *id, network_state state, const row_owner *by, berth_err *err);
/* What the driver recorded while making the network (a parent it made). */
int store_network_set_options(store *s, const berth_network *net, berth_err *err);
/* Deletes the network with its subnets and leases. */
int store_network_delete(store *s, const char *id, berth_err *err);
/* Every network, sorted by name, with subnets and endpoint counts. */
int store_network_load_all(store *s, berth_network ***out, size_t *n, berth_err *err);

/* Takes `want` (or the lowest free address of the subnet's host range when
 * want is NULL) for `owner`. In its own transaction unless one is open.
 * -EADDRINUSE when want is taken, -ENOSPC when the range is full. */
int store_lease_take(store *s, const char *net_id, const berth_subnet *sn, const char *owner,
		     const berth_addr *want, berth_addr *out, berth_err *err);
int store_lease_release(store *s, const char *net_id, const berth_addr *a, berth_err *err);
/* Owner of an address, or NULL when free (caller frees). */
char *store_lease_owner(store *s, const char *net_id, const berth_addr *a);

/* A pool of Docker's IPAM (store/pool.c): a subnet asked for in an
 * address space before any network has it, and, within it, the range
 * (--ip-range) its addresses come from. */
#define STORE_POOL_ID_MAX 160
typedef struct store_pool {
	char id[STORE_POOL_ID_MAX]; /* "SPACE/SUBNET[/RANGE]", as Docker's own IPAM names them */
	char *address_space;
	berth_subnet sn; /* subnet, ip_range; no gateway */
} store_pool;
/* -ENOENT when there is no such pool. */
int store_pool_get(store *s, const char *id, store_pool *out, berth_err *err);
/* Records the pool; one of that ID already there is it. */
int store_pool_add(store *s, const store_pool *p, berth_err *err);
/* The pool and its leases go. Nothing to drop is success. */
int store_pool_drop(store *s, const char *id, berth_err *err);
/* Every pool of exactly that subnet, with its leases. */
int store_pool_drop_subnet(store *s, const berth_prefix *subnet, berth_err *err);
/* The subnets of every pool, for conflicts and choices. */
int store_pool_subnets(store *s, berth_prefix **out, size_t *n, berth_err *err);
void store_pool_clear(store_pool *p);

/* Leases in a pool, as in a network, by the pool's ID. */
int store_pool_lease_take(store *s, const char *pool_id, const berth_subnet *sn, const char *owner,
			  const berth_addr *want, berth_addr *out, berth_err *err);
int store_pool_lease_release(store *s, const char *pool_id, const berth_addr *a, berth_err *err);
char *store_pool_lease_owner(store *s, const char *pool_id, const berth_addr *a);

/* One address lease, for looking them all over (system check). */
typedef struct store_lease {
	char network_id[BERTH_ID_HEX + 1];
	berth_addr addr;
	char owner[BERTH_ID_HEX + 1]; /* an endpoint's ID, "gateway", or a driver's holder */
} store_lease;
/* Every lease, by network and address. */
int store_leases_load(store *s, store_lease **out, size_t *n, berth_err *err);

/* Containers (store/container.c). */
int store_container_insert(store *s, const berth_container *c, berth_err *err);
/* Writes the mutable fields: state, pids, exit code, times. */
int store_container_update(store *s, const berth_container *c, berth_err *err);
/* The network namespace another runtime's container is known by (its
 * dev and inode), learnt after it was recorded. */
int store_container_set_netns(store *s, const berth_container *c, berth_err *err);
/* Deletes the container and its endpoint rows. */
int store_container_delete(store *s, const char *id, berth_err *err);
/* A container (its name) with an endpoint on the network, or NULL. */
char *store_network_endpoint_holder(store *s, const char *net_id);
/* The name of the container with this full ID, or NULL. */
char *store_container_name(store *s, const char *id);
/* The container another runtime calls external_id, with its endpoints
 * and ports; *out NULL when there is none. */
int store_container_external(store *s, const char *external_id, berth_container **out, berth_err *err);
/* Every container, by creation time, with its endpoints by ordinal. */
int store_container_load_all(store *s, berth_container ***out, size_t *n, berth_err *err);
/* The containers `ref` may name, by creation time: its ID, its name, or
 * an ID it starts; the caller picks by Docker's order. Reads only those,
 * so a lookup does not grow with the number of containers. */
int store_container_candidates(store *s, const char *ref, berth_container ***out, size_t *n, berth_err *err);

/* What is chosen once per host (the ULA /48): NULL when not yet. */
int store_setting_get(store *s, const char *key, char **value, berth_err *err);
/* EEXIST when another process set it first. */
int store_setting_add(store *s, const char *key, const char *value, berth_err *err);

/* Recorded as being made by `maker` until store_endpoint_made. */
int store_endpoint_insert(store *s, const berth_endpoint *ep, const row_owner *maker, berth_err *err);
int store_endpoint_made(store *s, const char *id, berth_err *err);
/* Who is making the endpoint: pid 0 once it is made (or gone). */
int store_endpoint_maker(store *s, const char *id, row_owner *out, berth_err *err);
/* Replaces c's endpoints with those the store has now (connect and
 * disconnect change them after the monitor read its copy). */
int store_container_reload_endpoints(store *s, berth_container *c, berth_err *err);
int store_endpoint_delete(store *s, const char *id, berth_err *err);
int store_endpoint_set_mac(store *s, const berth_endpoint *ep, berth_err *err);
/* Endpoints whose container has no row (store_container_load_all leaves
 * them out); not staged ones. */
int store_endpoints_of_no_container(store *s, berth_endpoint **out, size_t *n, berth_err *err);
/* Staged endpoints (core/staged.h): container_id "", made before their
 * container joins. */
int store_endpoints_staged(store *s, berth_endpoint **out, size_t *n, berth_err *err);
/* Every endpoint on the network, staged or in a container. */
int store_endpoints_on_network(store *s, const char *net_id, berth_endpoint **out, size_t *n, berth_err *err);
/* The endpoint of this ID in *out; *found false when there is none. */
int store_endpoint_get(store *s, const char *id, berth_endpoint *out, bool *found, berth_err *err);
/* Its container_id ("": staged again), ordinal and ifname. */
int store_endpoint_set_container(store *s, const berth_endpoint *ep, berth_err *err);

/* Published ports (store/ports.c). */
typedef struct published_port {
	char container_id[BERTH_ID_HEX + 1];
	berth_port port;
	berth_addr target; /* the container's address it leads to */
} published_port;

/* -EEXIST when the key (proto, host port, host address) is taken. */
int store_port_insert(store *s, const published_port *p, size_t idx, berth_err *err);
/* The container holding a binding that conflicts with (proto, port, ip):
 * the same address, or either being its family's any address (0.0.0.0,
 * ::). NULL when free. */
char *store_port_holder(store *s, int proto, unsigned port, const berth_addr *host_ip);
/* Of one container (NULL: all), in the order they were published. */
int store_ports_load(store *s, const char *container_id, published_port **out, size_t *n, berth_err *err);
int store_ports_delete(store *s, const char *container_id, berth_err *err);

/* What berth's resolver answers from (store/dns.c). */
typedef struct store_dns_row {
	char container_id[BERTH_ID_HEX + 1];
	char *container_name;
	bool own_netns; /* not host's, nor another container's, and the resolver's to serve */
	char network_id[BERTH_ID_HEX + 1];
	char *network_name;
	bool internal;
	berth_addr addr, addr6; /* family 0 when none */
	char **aliases;
	size_t n_aliases;
	char **dns; /* the container's --dns */
	size_t n_dns;
} store_dns_row;
/* One row per endpoint on a user's network (not a predefined one) of a
 * container being set up or running, by container. */
int store_dns_rows(store *s, store_dns_row **out, size_t *n, berth_err *err);
void store_dns_rows_free(store_dns_row *rows, size_t n);
/* Changes whenever another connection commits (PRAGMA data_version). */
int store_data_version(store *s, long long *version, berth_err *err);
/* Changes whenever what store_dns_rows returns may have (a counter the
 * database's triggers keep); asked after store_data_version moved. */
int store_dns_generation(store *s, long long *generation, berth_err *err);
/* c has an endpoint on a network of the user's, and berth's resolver serves
 * it (not a CNI runtime's container that brings its own DNS). */
bool store_container_on_user_network(store *s, const char *container_id);

#endif
