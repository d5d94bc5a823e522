/* The objects of berth.h as the library holds them: the public struct
 * first, then what only berth uses. Every berth_network and
 * berth_container the library hands out is allocated here, so the private
 * part is always behind the public one. */
#ifndef BERTH_UTIL_MODEL_H
#define BERTH_UTIL_MODEL_H

#include "berth.h"

#include <stddef.h>

/* The process now changing a row, and its start time against pid reuse
 * (pid 0: none). */
typedef struct row_owner {
	int pid;
	unsigned long long start;
} row_owner;

/* Crash safety (DESIGN.md): a network row is pending while its owner
 * creates it and removing while one removes it. */
typedef enum network_state {
	NETWORK_PENDING,
	NETWORK_ACTIVE,
	NETWORK_REMOVING,
} network_state;

typedef struct network_rec {
	berth_network pub;
	network_state state;
	row_owner owner;
} network_rec;

typedef struct container_rec {
	berth_container pub;
	unsigned long long pid_start;
	unsigned long long monitor_start; /* with pub.monitor_pid, the owner */
	int *held_ports;		  /* in its monitor: a socket per pub.ports (core/ports.h) */
	/* an external container's namespace, as it was when attached */
	unsigned long long netns_dev, netns_ino;
} container_rec;

/* Closes the sockets that hold its published ports, if this process
 * holds them. */
void container_unhold_ports(berth_container *c);

/* Zeroed objects, freed with berth_network_free/berth_container_free. */
berth_network *network_alloc(void);
berth_container *container_alloc(void);

static inline network_rec *network_rec_of(const berth_network *net)
{
	return (network_rec *)((const char *)net - offsetof(network_rec, pub));
}

static inline container_rec *container_rec_of(const berth_container *c)
{
	return (container_rec *)((const char *)c - offsetof(container_rec, pub));
}

static inline row_owner container_monitor(const berth_container *c)
{
	return (row_owner){ c->monitor_pid, container_rec_of(c)->monitor_start };
}

static inline void container_set_monitor(berth_container *c, row_owner by)
{
	c->monitor_pid = by.pid;
	container_rec_of(c)->monitor_start = by.start;
}

/* Strings at the edges only (store, JSON); unknown text reads as pending
 * or exited, the states that claim nothing is set up or running. */
const char *network_state_name(network_state state);
network_state network_state_from_name(const char *name);
berth_container_state container_state_from_name(const char *name);

#endif
