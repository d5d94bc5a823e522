/* The berth table as nftables JSON commands (libnftables-json(5)).
 *
 * The rules never change; networks, containers and ports are elements of
 * the sets and maps below, so publishing a port or starting a container
 * adds elements only and the rule count stays the same at any scale. In
 * nft's own syntax the table is:
 *
 *   table inet berth {
 *     set bridges      { type ifname; }
 *     set bridge_pairs { type ifname . ifname; }     # br . br, per bridge
 *     set internal     { type ifname; }
 *     set direct       { type ifname; }             # gateway_mode_ipv4 routed, nat-unprotected
 *     set direct6      { type ifname; }             # gateway_mode_ipv6 routed, nat-unprotected
 *     set masq4        { type ipv4_addr; flags interval; }
 *     set subnets4     { type ipv4_addr . ifname; flags interval; }  # subnet . its bridge
 *     set masq6        { type ipv6_addr; flags interval; }
 *     set subnets6     { type ipv6_addr . ifname; flags interval; }
 *     map ports4_any       { type inet_proto . inet_service : ipv4_addr; }
 *     map ports4_any_port  { type inet_proto . inet_service : inet_service; }
 *     map ports4_addr      { type ipv4_addr . inet_proto . inet_service : ipv4_addr; }
 *     map ports4_addr_port { type ipv4_addr . inet_proto . inet_service : inet_service; }
 *     map ports6_any, ports6_any_port, ports6_addr, ports6_addr_port   # the same for IPv6
 *     chain berth-user { }                           # the admin's; never rewritten
 *     chain guard { type filter hook prerouting priority -300;
 *       iifname @bridges ip daddr 127.0.0.0/8 drop
 *       iifname @bridges ip saddr 127.0.0.0/8 drop
 *       iifname @bridges ip6 daddr ::1 drop
 *       iifname @bridges ip6 saddr ::1 drop }
 *     chain prerouting { type nat hook prerouting priority -100;
 *       fib daddr type local ip daddr != 127.0.0.0/8 jump publish4
 *       fib daddr type local ip6 daddr != ::1 jump publish6 }
 *     chain output { type nat hook output priority -100;
 *       meta nfproto ipv4 fib daddr type local jump publish4
 *       fib daddr type local ip6 daddr != ::1 jump publish6 }
 *     chain publish4 {
 *       dnat ip to ip daddr . meta l4proto . th dport map @ports4_addr :
 *                  ip daddr . meta l4proto . th dport map @ports4_addr_port
 *       dnat ip to meta l4proto . th dport map @ports4_any : meta l4proto . th dport map @ports4_any_port }
 *     chain publish6 { the same with ip6 daddr and dnat ip6, through ports6_addr, then ports6_any }
 *     chain postrouting { type nat hook postrouting priority 100;
 *       ct status dnat ip saddr . oifname @subnets4 masquerade
 *       oifname @bridges ip saddr 127.0.0.0/8 masquerade
 *       ip saddr @masq4 oifname != @bridges masquerade
 *       ct status dnat ip6 saddr . oifname @subnets6 masquerade
 *       ip6 saddr @masq6 oifname != @bridges masquerade }
 *     chain forward { type filter hook forward priority 0;
 *       jump berth-user
 *       iifname @internal iifname . oifname != @bridge_pairs drop
 *       oifname @internal iifname . oifname != @bridge_pairs drop
 *       oifname @bridges ct status dnat accept
 *       meta nfproto ipv4 oifname @bridges iifname != @bridges oifname != @direct
 *         ct state != { established, related } drop
 *       meta nfproto ipv6 oifname @bridges iifname != @bridges oifname != @direct6
 *         ct state != { established, related } drop
 *       iifname @bridges oifname @bridges iifname . oifname != @bridge_pairs drop }
 *   }
 */
#ifndef BERTH_FW_RULESET_H
#define BERTH_FW_RULESET_H

#include "berth.h"

#include <jansson.h>
#include <stdbool.h>

#define FW_FAMILY "inet"
#define FW_TABLE "berth"
#define FW_USER_CHAIN "berth-user"

/* Appends to cmds what makes the table whole whatever state it is in:
 * table, chains and sets added (a no-op where they exist), berth's own
 * chains flushed and their rules added again, and, with flush_sets, the
 * sets and maps emptied (for a rebuild that re-adds every element). The
 * berth-user chain is added but never flushed. */
void fw_ruleset_cmds(json_t *cmds, bool flush_sets);

/* The chains whose rules are berth's, and how many each has. */
typedef struct fw_chain_rules {
	const char *chain;
	unsigned rules;
} fw_chain_rules;
const fw_chain_rules *fw_ruleset_expected(size_t *n);
/* The names of the sets and maps. */
const char *const *fw_ruleset_sets(size_t *n);

/* One element command: verb "add" or "delete" on set `set`. Steals elems. */
json_t *fw_elem_cmd(const char *verb, const char *set, json_t *elems);

/* What the firewall does for a network, per family. */
typedef struct fw_net_policy {
	bool masquerade4, masquerade6; /* its subnets leave the host as the host's address */
	bool direct4, direct6;	       /* the outside reaches its containers by routing, not only published ports */
} fw_net_policy;

/* The elements a bridge network contributes, appended to cmds with
 * `verb`: its bridge, its subnets (subnets4, subnets6), those
 * masqueraded (masq4, masq6), and its bridge in direct or direct6 where
 * the outside reaches its containers by routing. */
void fw_network_elems(json_t *cmds, const char *verb, const berth_network *net, const fw_net_policy *policy);

/* The map element of one published port to target:port (the port's
 * family: ports4_* or ports6_*). */
void fw_port_elems(json_t *cmds, const char *verb, const berth_port *p, const berth_addr *target);

/* The command that deletes the whole table. */
json_t *fw_delete_table_cmd(void);

#endif
