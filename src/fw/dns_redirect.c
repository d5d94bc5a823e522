#include "fw/dns_redirect.h"

#define TABLE "berth_dns"

static json_t *table(void)
{
	return json_pack("{s:{s:s,s:s}}", "table", "family", "ip", "name", TABLE);
}

static json_t *redirect_rule(const char *proto, const char *addr, uint16_t port)
{
	json_t *daddr = json_pack("{s:{s:s,s:o,s:s}}", "match", "op", "==", "left",
				  json_pack("{s:{s:s,s:s}}", "payload", "protocol", "ip", "field", "daddr"), "right",
				  addr);
	json_t *dport = json_pack("{s:{s:s,s:o,s:i}}", "match", "op", "==", "left",
				  json_pack("{s:{s:s,s:s}}", "payload", "protocol", proto, "field", "dport"), "right",
				  53);
	json_t *dnat = json_pack("{s:{s:s,s:i}}", "dnat", "addr", addr, "port", (int)port);

	return json_pack("{s:{s:{s:s,s:s,s:s,s:[o,o,o]}}}", "add", "rule", "family", "ip", "table", TABLE, "chain",
			 "output", "expr", daddr, dport, dnat);
}

json_t *fw_dns_redirect(const char *addr, uint16_t port)
{
	/* add, delete, add: whatever was there goes, in the same transaction */
	return json_pack("[{s:o},{s:o},{s:o},{s:{s:{s:s,s:s,s:s,s:s,s:s,s:i,s:s}}},o,o]", "add", table(), "delete",
			 table(), "add", table(), "add", "chain", "family", "ip", "table", TABLE, "name", "output",
			 "type", "nat", "hook", "output", "prio", -100, "policy", "accept",
			 redirect_rule("udp", addr, port), redirect_rule("tcp", addr, port));
}

json_t *fw_dns_redirect_remove(void)
{
	/* add first: a delete of no table fails the transaction */
	return json_pack("[{s:o},{s:o}]", "add", table(), "delete", table());
}
