/* The firewall of bridge networks: core's side of fw/. Every change to
 * the berth table happens while this process holds the store's write
 * lock, so a rebuild from the store never interleaves with a change and
 * the table stays a function of the store. When an element change fails
 * (the table was flushed, an element is already gone or stale), the
 * whole table is rebuilt from the store in one transaction instead. */
#ifndef BERTH_CORE_FIREWALL_H
#define BERTH_CORE_FIREWALL_H

#include "core/context.h"
#include "util/findings.h"

/* A bridge network's elements in, with the table made if needed, and
 * forwarding and then route_localnet on. */
int fw_network_up(berth_ctx *ctx, const berth_network *net, berth_err *err);
/* Its elements out; the table goes with the last bridge network. */
int fw_network_down(berth_ctx *ctx, const berth_network *net, berth_err *err);

/* Records the ports (refusing taken ones, choosing free host ports) and
 * publishes them to the endpoint's address of each port's family; all or
 * nothing. */
int fw_ports_publish(berth_ctx *ctx, const berth_container *c, berth_port *ports, size_t n,
		     const berth_endpoint *to, berth_err *err);
/* Unpublishes and forgets every port of the container. */
int fw_ports_unpublish(berth_ctx *ctx, const char *container_id, berth_err *err);

/* Rebuilds the table from the store in one transaction. */
int fw_rebuild(berth_ctx *ctx, berth_err *err);
/* Rebuilds the table from the store, reporting (one line each) the
 * sets whose elements differed. */
int fw_reconcile(berth_ctx *ctx, char ***lines, size_t *n, berth_err *err);
/* What `system check` says of the table, changing nothing: missing or
 * not berth's, each element a network or a published port needs that is
 * not there, and each element no row wants. */
int fw_audit(berth_ctx *ctx, findings *f, berth_err *err);
/* route_localnet stays on only while the table guards it (firewall.c):
 * the host's guard (core/fw_guard.c) hears the table's changes on
 * *events and calls fw_guard_heard whenever it is readable, which turns
 * route_localnet off on every bridge when the table lost part of itself
 * (fw_guard_check: when it is not whole now). fw_rebuild (the next
 * command's fw_check) turns it back on. */
int fw_guard_watch(nl_sock **events, berth_err *err);
void fw_guard_heard(nl_sock *events, const berth_config *cfg);
void fw_guard_check(const berth_config *cfg);

/* Restores the table if it is gone or its rules are not berth's (a
 * flush by someone else); *restored tells. Cheap when all is well. */
int fw_check(berth_ctx *ctx, bool *restored, berth_err *err);

#endif
