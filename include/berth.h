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
	/* Crash safety (DESIGN.md): a row is "pending" while its owner
	 * process creates it and "removing" while one removes it. */
	char state[16];
	int owner_pid;
	unsigned long long owner_start; /* owner's start time, against pid reuse */
} berth_network;

/* What `network create` asks for: strings exactly as the user gave them,
 * validated by berth_network_create before anything changes. */
typedef struct berth_network_spec {
	const char *name;
	const char *driver;   /* NULL: bridge */
	const char *subnet;   /* NULL: from the default pools */
	const char *gateway;  /* NULL: first host address */
	const char *ip_range; /* NULL: whole subnet */
	bool internal;
	bool attachable;
	const char *const *options; /* "KEY=VALUE" strings */
	size_t n_options;
	const char *const *labels; /* "KEY[=VALUE]" strings */
	size_t n_labels;
} berth_network_spec;

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
/* Removes every user network without endpoints; returns their names. */
int berth_network_prune(berth_ctx *ctx, char ***names, size_t *n, berth_err *err);

void berth_network_free(berth_network *net);
void berth_network_list_free(berth_network **nets, size_t n);
const char *berth_kv_get(const berth_kv_list *list, const char *key);

#endif
