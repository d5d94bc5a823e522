#include "fw/ruleset.h"
#include "ipam/cidr.h"
#include "util/cleanup.h"
#include "util/proto.h"
#include "util/xalloc.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- expression builders (libnftables-json(5)) ------------------------ */

static json_t *meta(const char *key)
{
	return json_pack("{s:{s:s}}", "meta", "key", key);
}

static json_t *payload(const char *protocol, const char *field)
{
	return json_pack("{s:{s:s,s:s}}", "payload", "protocol", protocol, "field", field);
}

static json_t *prefix(const char *addr, unsigned len)
{
	return json_pack("{s:{s:s,s:i}}", "prefix", "addr", addr, "len", (int)len);
}

static json_t *concat2(json_t *a, json_t *b)
{
	return json_pack("{s:[o,o]}", "concat", a, b);
}

static json_t *concat3(json_t *a, json_t *b, json_t *c)
{
	return json_pack("{s:[o,o,o]}", "concat", a, b, c);
}

static json_t *match(const char *op, json_t *left, json_t *right)
{
	return json_pack("{s:{s:s,s:o,s:o}}", "match", "op", op, "left", left, "right", right);
}

static json_t *in_set(json_t *left, const char *set)
{
	return match("==", left, json_sprintf("@%s", set));
}

static json_t *ct_status_dnat(void)
{
	return match("in", json_pack("{s:{s:s}}", "ct", "key", "status"), json_string("dnat"));
}

static json_t *loopback_net(void)
{
	return prefix("127.0.0.0", 8);
}

static json_t *nfproto_is(const char *family)
{
	return match("==", meta("nfproto"), json_string(family));
}

static json_t *fib_daddr_local(void)
{
	return match("==", json_pack("{s:{s:s,s:[s]}}", "fib", "result", "type", "flags", "daddr"),
		     json_string("local"));
}

static json_t *verdict(const char *v)
{
	return json_pack("{s:n}", v);
}

static json_t *jump(const char *chain)
{
	return json_pack("{s:{s:s}}", "jump", "target", chain);
}

/* dnat FAMILY to KEY map @MAP : KEY map @MAP_port. One map to "address .
 * port" would do, but libnftables 1.0.6 crashes parsing that back from
 * JSON; two lookups of the same key cost the same. */
static json_t *dnat_maps(const char *family, json_t *(*key)(const char *), const char *map)
{
	const char *l3 = !strcmp(family, "ip6") ? "ip6" : "ip";

	return json_pack("{s:{s:s,s:{s:{s:o,s:s+}},s:{s:{s:o,s:s++}}}}", "dnat", "family", family, "addr", "map",
			 "key", key(l3), "data", "@", map, "port", "map", "key", key(l3), "data", "@", map, "_port");
}

static json_t *proto_dport(const char *l3)
{
	(void)l3;
	return concat2(meta("l4proto"), payload("th", "dport"));
}

static json_t *daddr_proto_dport(const char *l3)
{
	return concat3(payload(l3, "daddr"), meta("l4proto"), payload("th", "dport"));
}

static json_t *iif_oif(void)
{
	return concat2(meta("iifname"), meta("oifname"));
}

/* ---- table, chains, sets ---------------------------------------------- */

static json_t *obj(const char *verb, const char *kind, json_t *body)
{
	/* a format mistake in a json_pack above gives NULL: never silently
	 * a rule short */
	if (!body)
		abort();
	json_object_set_new(body, "family", json_string(FW_FAMILY));
	json_object_set_new(body, "table", json_string(FW_TABLE));
	return json_pack("{s:{s:o}}", verb, kind, body);
}

typedef struct base_chain {
	const char *name, *type, *hook;
	int prio;
} base_chain;

static const base_chain base_chains[] = {
	{ "guard", "filter", "prerouting", -300 },  { "prerouting", "nat", "prerouting", -100 },
	{ "output", "nat", "output", -100 },        { "postrouting", "nat", "postrouting", 100 },
	{ "forward", "filter", "forward", 0 },
};

static const char *const regular_chains[] = { "publish4", "publish6" };

static const char *const sets[] = { "bridges",	  "bridge_pairs",    "internal",    "direct",	       "direct6",
				     "masq4",	  "subnets4",	     "masq6",	    "subnets6",	       "ports4_any",
				     "ports4_any_port", "ports4_addr", "ports4_addr_port", "ports6_any", "ports6_any_port",
				     "ports6_addr", "ports6_addr_port" };

const char *const *fw_ruleset_sets(size_t *n)
{
	*n = sizeof(sets) / sizeof(sets[0]);
	return sets;
}

static void add_map(json_t *cmds, const char *name, json_t *key_type, const char *value_type)
{
	json_array_append_new(cmds, obj("add", "map", json_pack("{s:s,s:o,s:s}", "name", name, "type", key_type, "map",
								 value_type)));
}

static void add_sets(json_t *cmds)
{
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:s}", "name", "bridges", "type", "ifname")));
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:[s,s]}", "name", "bridge_pairs", "type",
								 "ifname", "ifname")));
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:s}", "name", "internal", "type", "ifname")));
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:s}", "name", "direct", "type", "ifname")));
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:s}", "name", "direct6", "type", "ifname")));
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:s,s:[s]}", "name", "masq4", "type",
								 "ipv4_addr", "flags", "interval")));
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:[s,s],s:[s]}", "name", "subnets4", "type",
								 "ipv4_addr", "ifname", "flags", "interval")));
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:s,s:[s]}", "name", "masq6", "type",
								 "ipv6_addr", "flags", "interval")));
	json_array_append_new(cmds, obj("add", "set", json_pack("{s:s,s:[s,s],s:[s]}", "name", "subnets6", "type",
								 "ipv6_addr", "ifname", "flags", "interval")));
	add_map(cmds, "ports4_any", json_pack("[s,s]", "inet_proto", "inet_service"), "ipv4_addr");
	add_map(cmds, "ports4_any_port", json_pack("[s,s]", "inet_proto", "inet_service"), "inet_service");
	add_map(cmds, "ports4_addr", json_pack("[s,s,s]", "ipv4_addr", "inet_proto", "inet_service"), "ipv4_addr");
	add_map(cmds, "ports4_addr_port", json_pack("[s,s,s]", "ipv4_addr", "inet_proto", "inet_service"),
		"inet_service");
	add_map(cmds, "ports6_any", json_pack("[s,s]", "inet_proto", "inet_service"), "ipv6_addr");
	add_map(cmds, "ports6_any_port", json_pack("[s,s]", "inet_proto", "inet_service"), "inet_service");
	add_map(cmds, "ports6_addr", json_pack("[s,s,s]", "ipv6_addr", "inet_proto", "inet_service"), "ipv6_addr");
	add_map(cmds, "ports6_addr_port", json_pack("[s,s,s]", "ipv6_addr", "inet_proto", "inet_service"),
		"inet_service");
}

static void flush_sets(json_t *cmds)
{
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		const char *kind = !strncmp(sets[i], "ports", 5) ? "map" : "set";
		json_array_append_new(cmds, obj("flush", kind, json_pack("{s:s}", "name", sets[i])));
	}
}

static void add_chains(json_t *cmds)
{
	/* berth-user first: only added, so an admin's rules in it stay */
	json_array_append_new(cmds, obj("add", "chain", json_pack("{s:s}", "name", FW_USER_CHAIN)));
	for (size_t i = 0; i < sizeof(regular_chains) / sizeof(regular_chains[0]); i++)
		json_array_append_new(cmds, obj("add", "chain", json_pack("{s:s}", "name", regular_chains[i])));
	for (size_t i = 0; i < sizeof(base_chains) / sizeof(base_chains[0]); i++) {
		const base_chain *b = &base_chains[i];
		json_array_append_new(cmds, obj("add", "chain",
						json_pack("{s:s,s:s,s:s,s:i,s:s}", "name", b->name, "type", b->type,
							  "hook", b->hook, "prio", b->prio, "policy", "accept")));
	}
}

static void flush_own_chains(json_t *cmds)
{
	for (size_t i = 0; i < sizeof(regular_chains) / sizeof(regular_chains[0]); i++)
		json_array_append_new(cmds, obj("flush", "chain", json_pack("{s:s}", "name", regular_chains[i])));
	for (size_t i = 0; i < sizeof(base_chains) / sizeof(base_chains[0]); i++)
		json_array_append_new(cmds, obj("flush", "chain", json_pack("{s:s}", "name", base_chains[i].name)));
}

/* ---- rules ------------------------------------------------------------- */

static void rule(json_t *cmds, const char *chain, json_t *expr)
{
	json_array_append_new(cmds, obj("add", "rule", json_pack("{s:s,s:o}", "chain", chain, "expr", expr)));
}

static void add_guard_rules(json_t *cmds)
{
	/* route_localnet is on for bridges (for 127.0.0.1 -> container): a
	 * container must not use it to reach the host's loopback services */
	rule(cmds, "guard",
	     json_pack("[o,o,o]", in_set(meta("iifname"), "bridges"),
		       match("==", payload("ip", "daddr"), loopback_net()), verdict("drop")));
	/* nor pass itself off as the host's loopback (rp_filter may be off) */
	rule(cmds, "guard",
	     json_pack("[o,o,o]", in_set(meta("iifname"), "bridges"),
		       match("==", payload("ip", "saddr"), loopback_net()), verdict("drop")));
	/* the same for ::1, which the kernel already refuses from a wire:
	 * said here too, so that no sysctl or kernel change opens it */
	rule(cmds, "guard",
	     json_pack("[o,o,o]", in_set(meta("iifname"), "bridges"),
		       match("==", payload("ip6", "daddr"), json_string("::1")), verdict("drop")));
	rule(cmds, "guard",
	     json_pack("[o,o,o]", in_set(meta("iifname"), "bridges"),
		       match("==", payload("ip6", "saddr"), json_string("::1")), verdict("drop")));
}

static void add_nat_rules(json_t *cmds)
{
	/* from outside only to real addresses: a packet for 127.0.0.1 that
	 * arrives on a wire stays a martian and is dropped by routing */
	rule(cmds, "prerouting",
	     json_pack("[o,o,o]", fib_daddr_local(), match("!=", payload("ip", "daddr"), loopback_net()),
		       jump("publish4")));
	rule(cmds, "output", json_pack("[o,o,o]", nfproto_is("ipv4"), fib_daddr_local(), jump("publish4")));
	/* IPv6: never ::1, which cannot be sent on to a container (there is
	 * no route_localnet for IPv6): a connection to [::1]:PORT meets the
	 * port's held socket, which does not listen, and is refused at once,
	 * so a client of localhost falls back to 127.0.0.1 */
	rule(cmds, "prerouting",
	     json_pack("[o,o,o]", fib_daddr_local(), match("!=", payload("ip6", "daddr"), json_string("::1")),
		       jump("publish6")));
	rule(cmds, "output",
	     json_pack("[o,o,o]", fib_daddr_local(), match("!=", payload("ip6", "daddr"), json_string("::1")),
		       jump("publish6")));

	rule(cmds, "publish4", json_pack("[o]", dnat_maps("ip", daddr_proto_dport, "ports4_addr")));
	rule(cmds, "publish4", json_pack("[o]", dnat_maps("ip", proto_dport, "ports4_any")));
	rule(cmds, "publish6", json_pack("[o]", dnat_maps("ip6", daddr_proto_dport, "ports6_addr")));
	rule(cmds, "publish6", json_pack("[o]", dnat_maps("ip6", proto_dport, "ports6_any")));

	/* hairpin: a container's call to a published port that leads back
	 * into its own network; the reply must come back through us, not
	 * straight from the peer (or from itself). Keyed by source subnet
	 * and out bridge, not by in and out interface: where br_netfilter
	 * bridges the DNAT'd frame, postrouting has no in interface. */
	rule(cmds, "postrouting",
	     json_pack("[o,o,o]", ct_status_dnat(), in_set(concat2(payload("ip", "saddr"), meta("oifname")), "subnets4"),
		       verdict("masquerade")));
	/* 127.0.0.1 -> container: the container cannot answer a loopback address */
	rule(cmds, "postrouting",
	     json_pack("[o,o,o]", in_set(meta("oifname"), "bridges"),
		       match("==", payload("ip", "saddr"), loopback_net()), verdict("masquerade")));
	rule(cmds, "postrouting",
	     json_pack("[o,o,o]", in_set(payload("ip", "saddr"), "masq4"),
		       match("!=", meta("oifname"), json_string("@bridges")), verdict("masquerade")));
	/* IPv6 the same way: NAT66 out of ULA and any other subnet whose
	 * network is not routed (Docker's default), hairpin for published
	 * ports */
	rule(cmds, "postrouting",
	     json_pack("[o,o,o]", ct_status_dnat(), in_set(concat2(payload("ip6", "saddr"), meta("oifname")), "subnets6"),
		       verdict("masquerade")));
	rule(cmds, "postrouting",
	     json_pack("[o,o,o]", in_set(payload("ip6", "saddr"), "masq6"),
		       match("!=", meta("oifname"), json_string("@bridges")), verdict("masquerade")));
}

/* From outside, new connections only to published ports (Docker 28): a
 * neighbour that routes a container subnet via this host reaches
 * nothing else, unless the network is direct for that family; replies
 * to the containers' own connections pass. */
static void add_unpublished_drop(json_t *cmds, const char *nfproto, const char *direct_set)
{
	rule(cmds, "forward",
	     json_pack("[o,o,o,o,o,o]", nfproto_is(nfproto), in_set(meta("oifname"), "bridges"),
		       match("!=", meta("iifname"), json_string("@bridges")),
		       match("!=", meta("oifname"), json_sprintf("@%s", direct_set)),
		       match("!=", json_pack("{s:{s:s}}", "ct", "key", "state"),
			     json_pack("{s:[s,s]}", "set", "established", "related")),
		       verdict("drop")));
}

static void add_forward_rules(json_t *cmds)
{
	rule(cmds, "forward", json_pack("[o]", jump(FW_USER_CHAIN)));
	/* internal: nothing in or out; traffic inside its bridge (seen here
	 * where br_netfilter is loaded) stays allowed */
	rule(cmds, "forward",
	     json_pack("[o,o,o]", in_set(meta("iifname"), "internal"),
		       match("!=", iif_oif(), json_string("@bridge_pairs")), verdict("drop")));
	rule(cmds, "forward",
	     json_pack("[o,o,o]", in_set(meta("oifname"), "internal"),
		       match("!=", iif_oif(), json_string("@bridge_pairs")), verdict("drop")));
	/* published ports are for everyone, other networks' containers too */
	rule(cmds, "forward",
	     json_pack("[o,o,o]", in_set(meta("oifname"), "bridges"), ct_status_dnat(), verdict("accept")));
	add_unpublished_drop(cmds, "ipv4", "direct");
	add_unpublished_drop(cmds, "ipv6", "direct6");
	/* isolation: nothing routed from one bridge to another */
	rule(cmds, "forward",
	     json_pack("[o,o,o,o]", in_set(meta("iifname"), "bridges"), in_set(meta("oifname"), "bridges"),
		       match("!=", iif_oif(), json_string("@bridge_pairs")), verdict("drop")));
}

static const fw_chain_rules expected[] = {
	{ "guard", 4 },	      { "prerouting", 2 },  { "output", 2 }, { "publish4", 2 },
	{ "publish6", 2 },    { "postrouting", 5 }, { "forward", 7 },
};

const fw_chain_rules *fw_ruleset_expected(size_t *n)
{
	*n = sizeof(expected) / sizeof(expected[0]);
	return expected;
}

void fw_ruleset_cmds(json_t *cmds, bool flush)
{
	json_array_append_new(cmds, json_pack("{s:{s:{s:s,s:s}}}", "add", "table", "family", FW_FAMILY, "name",
					      FW_TABLE));
	add_chains(cmds);
	add_sets(cmds);
	flush_own_chains(cmds);
	if (flush)
		flush_sets(cmds);
	add_guard_rules(cmds);
	add_nat_rules(cmds);
	add_forward_rules(cmds);
}

json_t *fw_delete_table_cmd(void)
{
	return json_pack("{s:{s:{s:s,s:s}}}", "delete", "table", "family", FW_FAMILY, "name", FW_TABLE);
}

/* ---- elements ---------------------------------------------------------- */

json_t *fw_elem_cmd(const char *verb, const char *set, json_t *elems)
{
	return obj(verb, "element", json_pack("{s:s,s:o}", "name", set, "elem", elems));
}

/* An element command, unless there is no element. Steals elems. */
static void append_elems(json_t *cmds, const char *verb, const char *set, json_t *elems)
{
	if (json_array_size(elems))
		json_array_append_new(cmds, fw_elem_cmd(verb, set, elems));
	else
		json_decref(elems);
}

/* A network's subnets of one family into `subnets_set` (subnet . bridge)
 * and, masqueraded, `masq_set`. */
static void subnet_elems(json_t *cmds, const char *verb, const berth_network *net, int family, bool masquerade,
			 const char *subnets_set, const char *masq_set)
{
	json_t *masq = json_array(), *subnets = json_array();

	for (size_t i = 0; i < net->n_subnets; i++) {
		const berth_prefix *p = &net->subnets[i].subnet;
		char a[BERTH_ADDR_STRLEN];
		if (p->addr.family != family)
			continue;
		berth_addr_format(&p->addr, a);
		json_array_append_new(subnets, concat2(prefix(a, p->len), json_string(net->ifname)));
		if (masquerade && !net->internal)
			json_array_append_new(masq, prefix(a, p->len));
	}
	append_elems(cmds, verb, subnets_set, subnets);
	append_elems(cmds, verb, masq_set, masq);
}

void fw_network_elems(json_t *cmds, const char *verb, const berth_network *net, const fw_net_policy *policy)
{
	const char *br = net->ifname;

	json_array_append_new(cmds, fw_elem_cmd(verb, "bridges", json_pack("[s]", br)));
	json_array_append_new(cmds, fw_elem_cmd(verb, "bridge_pairs", json_pack("[o]", concat2(json_string(br),
											       json_string(br)))));
	if (net->internal)
		json_array_append_new(cmds, fw_elem_cmd(verb, "internal", json_pack("[s]", br)));
	if (policy->direct4)
		json_array_append_new(cmds, fw_elem_cmd(verb, "direct", json_pack("[s]", br)));
	if (policy->direct6)
		json_array_append_new(cmds, fw_elem_cmd(verb, "direct6", json_pack("[s]", br)));
	subnet_elems(cmds, verb, net, AF_INET, policy->masquerade4, "subnets4", "masq4");
	subnet_elems(cmds, verb, net, AF_INET6, policy->masquerade6, "subnets6", "masq6");
}

static json_t *port_key(const berth_port *p)
{
	char host[BERTH_ADDR_STRLEN];
	json_t *proto = json_string(port_proto_name(p->proto));

	if (addr_is_any(&p->host_ip))
		return concat2(proto, json_integer(p->host_port));
	return concat3(json_string(berth_addr_format(&p->host_ip, host)), proto, json_integer(p->host_port));
}

void fw_port_elems(json_t *cmds, const char *verb, const berth_port *p, const berth_addr *target)
{
	char to[BERTH_ADDR_STRLEN];
	bool v6 = p->host_ip.family == AF_INET6;
	const char *map = addr_is_any(&p->host_ip) ? (v6 ? "ports6_any" : "ports4_any") : (v6 ? "ports6_addr" : "ports4_addr");
	json_t *to_addr = json_pack("[[o,s]]", port_key(p), berth_addr_format(target, to));
	json_t *to_port = json_pack("[[o,i]]", port_key(p), (int)p->container_port);
	_cleanup_free_ char *port_map = xasprintf("%s_port", map);

	json_array_append_new(cmds, fw_elem_cmd(verb, map, to_addr));
	json_array_append_new(cmds, fw_elem_cmd(verb, port_map, to_port));
}
