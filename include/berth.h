/* libberth: container networking for Linux.
 *
 * The CLI and the CNI front end are thin layers over this API. Every
 * fallible call returns 0 or a negative errno and fills a berth_err with a
 * message naming the object and the cause; nothing here prints or exits. */
#ifndef BERTH_H
#define BERTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct berth_err {
	int code;  /* positive errno-like cause, 0 when unset */
	char *msg; /* heap string, NULL when unset */
} berth_err;

void berth_err_clear(berth_err *err);

#define BERTH_VERSION "0.1.0"
#define BERTH_ID_HEX 64
#define BERTH_SHORT_ID_HEX 12
#define BERTH_NAME_MAX 64

/* An IP address of either family; bytes in network order, IPv4 in the
 * first four bytes. */
typedef struct berth_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
} berth_addr;

typedef struct berth_prefix {
	berth_addr addr;
	unsigned len;
} berth_prefix;

#define BERTH_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define BERTH_PREFIX_STRLEN (BERTH_ADDR_STRLEN + 4)

/* Text forms (inet_ntop's; "ADDR/LEN"); both return buf. */
const char *berth_addr_format(const berth_addr *a, char buf[BERTH_ADDR_STRLEN]);
const char *berth_prefix_format(const berth_prefix *p, char buf[BERTH_PREFIX_STRLEN]);
bool berth_addr_equal(const berth_addr *a, const berth_addr *b);

typedef struct berth_kv {
	char *key;
	char *value;
} berth_kv;

typedef struct berth_kv_list {
	berth_kv *items;
	size_t n;
} berth_kv_list;

typedef struct berth_subnet {
	berth_prefix subnet;
	berth_addr gateway;
	bool has_ip_range;
	berth_prefix ip_range;
} berth_subnet;

typedef struct berth_network {
	char id[BERTH_ID_HEX + 1];
	char *name;
	char *driver;
	time_t created_sec;
	long created_nsec;
	bool internal;
	bool attachable;
	bool enable_ipv6;
	bool predefined;
	bool user_subnet; /* the subnet was given with --subnet */
	char *ifname;     /* kernel device: bridge name; NULL for host/null */
	unsigned mtu;     /* 0: kernel default */
	berth_subnet *subnets;
	size_t n_subnets;
	berth_kv_list options;
	berth_kv_list labels;
	unsigned n_endpoints; /* filled by lookups */
	/* NULL: berth's own. "docker": made for dockerd (berth plugin serve),
	 * whose IPAM gives out its addresses: only dockerd attaches to it,
	 * and only dockerd removes it */
	char *made_for;
} berth_network;

/* What `network create` asks for: strings exactly as the user gave them,
 * validated by berth_network_create before anything changes. */
typedef struct berth_network_spec {
	const char *name;
	const char *driver; /* NULL: bridge */
	/* --subnet, in any order: one IPv4 and (with ipv6) one IPv6 at most.
	 * A family without one gets a subnet from the default pools: IPv4
	 * unless only an IPv6 subnet is given, IPv6 with ipv6. */
	const char *const *subnets;
	size_t n_subnets;
	/* --gateway and --ip-range, each for the subnet that contains it; a
	 * subnet without one has its first address as gateway and gives out
	 * all of itself */
	const char *const *gateways;
	size_t n_gateways;
	const char *const *ip_ranges;
	size_t n_ip_ranges;
	bool ipv6; /* --ipv6 */
	bool internal;
	bool attachable;
	const char *const *options; /* "KEY=VALUE" strings */
	size_t n_options;
	const char *const *labels; /* "KEY[=VALUE]" strings */
	size_t n_labels;
	const char *id;	      /* 64 lowercase hex (dockerd's NetworkID); NULL: a new one */
	const char *made_for; /* NULL, or "docker" (see berth_network) */
} berth_network_spec;

/* One attachment of a container to a network. */
typedef struct berth_endpoint {
	char id[BERTH_ID_HEX + 1];
	char network_id[BERTH_ID_HEX + 1];
	char container_id[BERTH_ID_HEX + 1];
	char ifname[16];      /* in the container: eth0, eth1, ... */
	char host_ifname[16]; /* bridge side: veth<7 hex> */
	char mac[18];
	berth_addr addr; /* IPv4; family 0 on an IPv6-only network */
	unsigned prefix_len;
	berth_addr gateway;
	int ordinal; /* N of ethN */
	char **aliases;
	size_t n_aliases;
	berth_addr addr6; /* IPv6; family 0 on a network without IPv6 */
	unsigned prefix_len6;
	berth_addr gateway6;
} berth_endpoint;

/* One published port. */
typedef struct berth_port {
	berth_addr host_ip; /* AF_INET 0.0.0.0: every host address */
	int proto;          /* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP */
	uint16_t container_port;
	uint16_t host_port; /* the published port; 0 until chosen */
	/* what was asked: both 0 = any free port in 32768-60999; equal = exactly that one;
	 * min < max = any free port in min..max (Docker's -p 8000-8010:80) */
	uint16_t host_port_min, host_port_max;
} berth_port;

typedef enum berth_container_state {
	BERTH_CONTAINER_CREATED, /* being set up */
	BERTH_CONTAINER_RUNNING,
	BERTH_CONTAINER_EXITED,
} berth_container_state;

/* "created", "running", "exited": Docker's words for them. */
const char *berth_container_state_name(berth_container_state state);

/* Networks and containers the library hands out are larger than these
 * structs: what only berth uses (who owns a row being changed, start times
 * against pid reuse) follows them. So they are never copied by value or
 * allocated by the caller; the library allocates and frees them. */
typedef struct berth_container {
	char id[BERTH_ID_HEX + 1];
	char *name;
	time_t created_sec;
	long created_nsec;
	char **argv;
	size_t argc;
	char **env;
	size_t n_env;
	char *hostname;
	char *rootfs;       /* NULL: the host's files */
	char *network_mode; /* "default" (networks), "host", "none", "container:<id>" */
	bool auto_remove;
	bool detach;
	berth_container_state state;
	int pid;         /* the container's init, in the host's PID namespace */
	int monitor_pid; /* the process that waits for it and releases it */
	int exit_code;
	time_t started_sec, finished_sec;
	berth_endpoint *endpoints;
	size_t n_endpoints;
	berth_port *ports; /* published, while it runs */
	size_t n_ports;
	/* --cap-add, --cap-drop as Docker records them: "CAP_NET_ADMIN" or
	 * "ALL", sorted, once each, none dropped that is also added */
	char **cap_add;
	size_t n_cap_add;
	char **cap_drop;
	size_t n_cap_drop;
	bool privileged;
	/* --dns (addresses), --dns-search, --dns-option, as given */
	char **dns;
	size_t n_dns;
	char **dns_search;
	size_t n_dns_search;
	char **dns_options;
	size_t n_dns_options;
	/* A container another runtime runs, attached through berth_attach
	 * (a CNI ADD): the runtime's ID for it and the network namespace it
	 * gave. NULL for berth's own. */
	char *external_id;
	char *external_netns;
	/* such a container's runtime brings its own DNS: berth's resolver
	 * does not serve its namespace (berth_attach_spec.resolver false on
	 * its first attachment) */
	bool own_dns;
} berth_container;

typedef struct berth_run_spec {
	const char *name;     /* NULL: berth_<8 hex> */
	const char *hostname; /* NULL: first 12 hex of the ID */
	const char *network;  /* NULL: bridge */
	const char *ip;  /* --ip */
	const char *ip6; /* --ip6 */
	const char *mac;
	const char *rootfs;
	const char *const *aliases;
	size_t n_aliases;
	const char *const *env; /* KEY=VALUE */
	size_t n_env;
	const char *const *publish; /* -p specs, as given */
	size_t n_publish;
	char *const *argv;
	size_t argc;
	bool detach;
	bool auto_remove;
	/* Foreground only: while the container runs, SIGINT, SIGTERM, SIGHUP,
	 * SIGQUIT, SIGUSR1 and SIGUSR2 sent to this process go to it (as
	 * `docker run` does). This sets the process's handlers for them until
	 * berth_run returns; without it no handler is touched. */
	bool forward_signals;
	/* The container's capabilities: Docker's default set, with these
	 * added and dropped ("NET_ADMIN", "cap_net_admin" or "ALL"; an added
	 * one is not dropped), or every one with `privileged`, which also
	 * leaves out no_new_privs. */
	const char *const *cap_add;
	size_t n_cap_add;
	const char *const *cap_drop;
	size_t n_cap_drop;
	bool privileged;
	/* --dns: the servers names are forwarded to (on a user network, by
	 * berth's resolver; on the default bridge network, the container's
	 * own resolv.conf names them); --dns-search, --dns-option: its
	 * resolv.conf's search and options lines */
	const char *const *dns;
	size_t n_dns;
	const char *const *dns_search;
	size_t n_dns_search;
	const char *const *dns_options;
	size_t n_dns_options;
} berth_run_spec;

/* What `berth exec` runs in a container. */
typedef struct berth_exec_spec {
	char *const *argv; /* NULL-terminated */
	const char *const *env; /* KEY=VALUE, after the container's */
	size_t n_env;
	/* every capability and no no_new_privs; otherwise the container's */
	bool privileged;
} berth_exec_spec;

typedef struct berth_ctx berth_ctx;

typedef struct berth_config {
	const char *root;    /* NULL: $BERTH_ROOT or /var/lib/berth */
	const char *run_dir; /* NULL: $BERTH_RUNDIR or /run/berth */
} berth_config;

int berth_open(const berth_config *cfg, berth_ctx **ctx, berth_err *err);
void berth_close(berth_ctx *ctx);
/* Things the caller should tell the user (e.g. a network that could not be
 * restored after a reboot); owned by ctx. */
const char *const *berth_warnings(berth_ctx *ctx, size_t *n);

int berth_network_create(berth_ctx *ctx, const berth_network_spec *spec, berth_network **out,
			 berth_err *err);
/* Finds by full ID, exact name, then unique ID prefix (Docker's order). */
int berth_network_find(berth_ctx *ctx, const char *ref, berth_network **out, berth_err *err);
int berth_network_list(berth_ctx *ctx, berth_network ***out, size_t *n, berth_err *err);
int berth_network_remove(berth_ctx *ctx, const char *ref, berth_err *err);
/* The front end a network was made for (berth_network_spec.made_for)
 * removes it by its full ID; berth_network_remove refuses. One gone
 * already is success (dockerd repeats). orphaned: the front end knows
 * the network is gone from its owner (dockerd dropped it while the
 * plugin was down): its endpoints go first, joined or not, and the pools
 * of exactly its subnets after it. */
int berth_network_remove_made_for(berth_ctx *ctx, const char *id, const char *made_for, bool orphaned,
				  berth_err *err);
/* Removes every user network without endpoints; returns their names. */
int berth_network_prune(berth_ctx *ctx, char ***names, size_t *n, berth_err *err);

/* Creates and starts a container. Detached: returns once it runs, with
 * its monitor watching it. Foreground: this process is the monitor; the
 * call returns when the container has exited, with its exit code. A
 * container that publishes ports lets go of them when it is disconnected
 * from its first network; a disconnect tells the monitor by SIGUSR1, so
 * meanwhile the calling thread blocks SIGUSR1 (its mask is back when the
 * call returns; someone else's SIGUSR1 is then raised, or forwarded with
 * forward_signals). In a process with other threads, those must block it
 * too, or the disconnect does not signal and the ports stay held until
 * the container exits. */
int berth_run(berth_ctx *ctx, const berth_run_spec *spec, berth_container **out, int *exit_code,
	      berth_err *err);
int berth_container_find(berth_ctx *ctx, const char *ref, berth_container **out, berth_err *err);
int berth_container_list(berth_ctx *ctx, berth_container ***out, size_t *n, berth_err *err);
/* SIGTERM, then SIGKILL after `timeout` seconds; returns once released. */
int berth_container_stop(berth_ctx *ctx, const char *ref, unsigned timeout, berth_err *err);
int berth_container_remove(berth_ctx *ctx, const char *ref, bool force, berth_err *err);
/* What `network connect` asks for besides the network and the container. */
typedef struct berth_connect_spec {
	const char *ip;  /* --ip: NULL, the next free IPv4 address */
	const char *ip6; /* --ip6: NULL, the next free IPv6 address */
	const char *const *aliases;
	size_t n_aliases;
} berth_connect_spec;

int berth_network_connect(berth_ctx *ctx, const char *net_ref, const char *container_ref,
			  const berth_connect_spec *spec, berth_err *err);
int berth_network_disconnect(berth_ctx *ctx, const char *net_ref, const char *container_ref, bool force,
			     berth_err *err);
/* Runs spec->argv in the container's namespaces, with the container's
 * capabilities and none of the caller's descriptors but 0-2; returns its
 * exit code. */
int berth_exec(berth_ctx *ctx, const char *ref, const berth_exec_spec *spec, int *exit_code, berth_err *err);
/* Where a detached container's output goes. */
char *berth_container_log_path(berth_ctx *ctx, const berth_container *c);
/* The network namespace file of its sandbox ("" with --network host). */
char *berth_container_sandbox_key(berth_ctx *ctx, const berth_container *c);
/* Makes the kernel match the store, reporting what it fixed (one line
 * each): cleans up after containers whose monitor died, and puts right
 * what berth_check finds. */
int berth_reconcile(berth_ctx *ctx, char ***fixed, size_t *n, berth_err *err);

/* What a runtime that made the container's network namespace itself (a
 * CNI ADD) asks for: an endpoint on `network`, named `ifname` in the
 * namespace at `netns_path`. Strings as given; all checked before
 * anything changes. */
typedef struct berth_attach_spec {
	const char *external_id; /* the runtime's ID for the container (CNI_CONTAINERID) */
	const char *name;	 /* its name (Podman's); NULL, invalid or taken: cni_<12 hex> */
	const char *netns_path;
	const char *ifname; /* NULL: eth0 */
	const char *network;
	const char *ip;	 /* as berth_run_spec's */
	const char *ip6;
	const char *mac;
	const char *const *aliases;
	size_t n_aliases;
	/* -p specs, as given; published on the first network attached */
	const char *const *publish;
	size_t n_publish;
	/* berth's resolver serves the namespace, at 127.0.0.11 (a table of
	 * berth's in it sends port 53 there), as for berth's own containers;
	 * false for a runtime that brings its own DNS. Its names resolve for
	 * others either way. Taken from the container's first attachment. */
	bool resolver;
} berth_attach_spec;

/* Attaches the namespace: one container per external_id, an endpoint per
 * interface; its namespace is held until it is detached. A container
 * known in another namespace (started again without a detach) is
 * released first. -EEXIST: that interface, or that network, is attached
 * already. *out (may be NULL) has every endpoint of the container. */
int berth_attach(berth_ctx *ctx, const berth_attach_spec *spec, berth_container **out, berth_err *err);
/* Detaches interface `ifname` (NULL: every one) of the container the
 * runtime calls external_id, when it is on `network` (ID or name; NULL:
 * any); with its last goes the container. Needs no namespace; nothing to
 * detach (no such network, interface or container) is success. */
int berth_detach(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
		 berth_err *err);
/* The container the runtime calls external_id; -ENOENT when none. */
int berth_attachment_find(berth_ctx *ctx, const char *external_id, berth_container **out, berth_err *err);
/* Checks that interface `ifname` of that container is attached to
 * `network` (NULL: any) and is in the namespace at netns_path, with its
 * addresses (a CNI CHECK). */
int berth_attachment_check(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
			   const char *netns_path, berth_err *err);

/* Address pools, as Docker's IPAM driver protocol asks for them: a
 * subnet taken in an address space before any network has it (dockerd's
 * RequestPool, then RequestAddress for the gateway, then CreateNetwork),
 * and the addresses given out of it. A pool overlaps no other pool and
 * no network of berth's; one asked for again (dockerd retries) is the
 * same pool, which one release takes away. Sizes as a network's. */
typedef struct berth_pool_spec {
	const char *address_space; /* NULL: "LocalDefault" */
	const char *pool;	   /* CIDR; NULL or "": a free subnet of berth's choosing */
	const char *sub_pool;	   /* CIDR within pool, where addresses come from (--ip-range) */
	bool v6;		   /* the family asked for */
} berth_pool_spec;

typedef struct berth_pool {
	char *id; /* "SPACE/SUBNET[/SUB_POOL]", as Docker's own IPAM names them */
	char *address_space;
	berth_prefix subnet;
	bool has_sub_pool;
	berth_prefix sub_pool;
} berth_pool;

int berth_pool_request(berth_ctx *ctx, const berth_pool_spec *spec, berth_pool **out, berth_err *err);
/* The pool and its addresses go. An unknown pool is success (dockerd
 * repeats). */
int berth_pool_release(berth_ctx *ctx, const char *pool_id, berth_err *err);
/* Takes `addr` (NULL: the lowest free one of the sub-pool, or of the
 * pool; the network and broadcast addresses never) for `holder` ("gateway"
 * or an owner's word); *out has the pool's prefix length. -EADDRINUSE,
 * -ENOSPC, -EINVAL for an address outside the pool. */
int berth_pool_address_take(berth_ctx *ctx, const char *pool_id, const char *addr, const char *holder,
			    berth_prefix *out, berth_err *err);
/* An address not taken is success. */
int berth_pool_address_release(berth_ctx *ctx, const char *pool_id, const char *addr, berth_err *err);
void berth_pool_free(berth_pool *pool);

/* Endpoints made before the container they are for, as Docker's network
 * driver protocol (libnetwork's CNM) makes them: CreateEndpoint leases
 * the addresses and makes the veth with both ends in the host; Join
 * records the runtime's container (its namespace adopted, as
 * berth_attach does) and hands over the container's end, which the
 * runtime moves into its sandbox, names and configures itself; Leave
 * takes the endpoint out of the container (the container goes with its
 * last endpoint); DeleteEndpoint deletes the veth and frees the
 * addresses. Bridge networks only. Every call may be repeated (dockerd
 * retries): an endpoint deleted already is success. */
typedef struct berth_endpoint_spec {
	const char *id;	     /* 64 hex digits: dockerd's EndpointID */
	const char *network; /* ID or name */
	const char *ip;	     /* as berth_run_spec's: NULL is the next free one */
	const char *ip6;
	const char *mac; /* NULL: 02:42 and the IPv4 address */
} berth_endpoint_spec;

int berth_endpoint_create(berth_ctx *ctx, const berth_endpoint_spec *spec, berth_endpoint **out, berth_err *err);

typedef struct berth_join_spec {
	const char *endpoint_id;
	const char *external_id; /* the runtime's ID for the container (its sandbox) */
	const char *name;	 /* NULL, invalid or taken: cni_<12 hex> */
	const char *netns_path;	 /* its network namespace (dockerd's SandboxKey) */
} berth_join_spec;

/* out->ifname is the container's end of the veth, in the host until the
 * runtime moves it (libnetwork's SrcName). */
int berth_endpoint_join(berth_ctx *ctx, const berth_join_spec *spec, berth_endpoint **out, berth_err *err);
int berth_endpoint_leave(berth_ctx *ctx, const char *endpoint_id, berth_err *err);
int berth_endpoint_delete(berth_ctx *ctx, const char *endpoint_id, berth_err *err);
/* Published ports (-p specs, as berth_run_spec's) leading to a joined
 * endpoint's addresses, as its container's (dockerd's
 * ProgramExternalConnectivity); asked again, they replace the former.
 * Unpublish takes them away (nothing published is success). */
int berth_endpoint_publish(berth_ctx *ctx, const char *endpoint_id, const char *const *publish, size_t n,
			   berth_err *err);
int berth_endpoint_unpublish(berth_ctx *ctx, const char *endpoint_id, berth_err *err);
/* Binds a socket to each port's host port (ports[i] -> (*fds)[i], -1 where
 * the kernel has no such protocol), not listening: while the caller keeps
 * them, a bind of the port by anyone else fails with EADDRINUSE, as with
 * docker-proxy, and nothing queues on them. All or none; the caller
 * closes them and frees *fds. For a resident front end (berth run's
 * monitor holds its container's itself). */
int berth_ports_hold(const berth_port *ports, size_t n, int **fds, berth_err *err);
/* -ENOENT when there is no such endpoint. */
int berth_endpoint_get(berth_ctx *ctx, const char *endpoint_id, berth_endpoint **out, berth_err *err);
void berth_endpoint_free(berth_endpoint *ep);

/* berth_open without putting anything right first: no roll-back of what
 * dead berth processes left, no restore after a reboot, no predefined
 * networks made, no firewall table repaired. For berth_check, to see
 * things as they are (on a context from berth_open, what opening put
 * right is no longer there to see). */
int berth_open_as_is(const berth_config *cfg, berth_ctx **ctx, berth_err *err);

/* What berth_check finds where the store and the kernel disagree. */
typedef enum berth_finding_kind {
	BERTH_FINDING_ABANDONED,       /* a row a berth process that died left half-changed */
	BERTH_FINDING_NO_INTERFACE,    /* an endpoint, or a network, whose interface is gone */
	BERTH_FINDING_NO_FIREWALL,     /* firewall elements a network or a published port needs are missing */
	BERTH_FINDING_STRAY_LINK,      /* a link of berth's that no row explains */
	BERTH_FINDING_STRAY_FIREWALL,  /* an element of berth's table that no row explains */
	BERTH_FINDING_ADDRESS,         /* an address held twice, held without a lease, or leased to nothing */
	BERTH_FINDING_STRAY_SANDBOX,   /* a sandbox (netns mount, /etc files) of no container */
	BERTH_FINDING_NO_RESOLVER,     /* containers need berth's DNS resolver, and it is not running */
} berth_finding_kind;

typedef struct berth_finding {
	berth_finding_kind kind;
	char *text; /* one line: the object, and what is wrong */
} berth_finding;

/* Compares the store with the kernel (links, addresses, the firewall
 * table, the sandboxes of the run dir) and changes nothing: one finding
 * per disagreement, none when they agree. berth_reconcile puts them
 * right. */
int berth_check(berth_ctx *ctx, berth_finding **out, size_t *n, berth_err *err);
void berth_findings_free(berth_finding *findings, size_t n);

/* berth's DNS resolver, in this process until no container needs it or
 * SIGTERM: what `berth dns serve` runs, and what berth starts by itself
 * for containers on networks of the user's. EBUSY when one runs. */
int berth_dns_serve(const berth_config *cfg, berth_err *err);
void berth_container_free(berth_container *c);
void berth_container_list_free(berth_container **cs, size_t n);

void berth_network_free(berth_network *net);
void berth_network_list_free(berth_network **nets, size_t n);
const char *berth_kv_get(const berth_kv_list *list, const char *key);

#ifdef __cplusplus
}
#endif

#endif
