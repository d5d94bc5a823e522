/* Unit tests for src/fw/ruleset.c: the nftables JSON berth sends, against
 * golden files in tests/unit/golden/ (libnftables-json(5) commands, one
 * per line). A change of the table shows here as a diff of one of them,
 * for review; after a deliberate change, BERTH_UPDATE_GOLDEN=1 and a run
 * of this test rewrite them. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "fw/ruleset.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#ifndef GOLDEN_DIR
#error "the Makefile defines GOLDEN_DIR"
#endif

/* One command per line, keys sorted: stable and easy to diff. */
static char *cmds_text(const json_t *cmds)
{
	size_t i;
	json_t *cmd;
	char *text = xstrdup("");

	json_array_foreach(cmds, i, cmd) {
		_cleanup_free_ char *line = json_dumps(cmd, JSON_SORT_KEYS | JSON_COMPACT);
		char *next = xasprintf("%s%s\n", text, line);
		free(text);
		text = next;
	}
	return text;
}

static char *read_file(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t size = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &size, '\0', f) < 0) {
		free(buf);
		return xstrdup("");
	}
	return buf;
}

static void assert_golden(json_t *cmds, const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", GOLDEN_DIR, name);
	_cleanup_free_ char *got = cmds_text(cmds);

	json_decref(cmds);
	if (getenv("BERTH_UPDATE_GOLDEN")) {
		_cleanup_fclose_ FILE *f = fopen(path, "w");
		if (!f || fputs(got, f) < 0)
			fail_msg("writing %s", path);
		return;
	}
	_cleanup_free_ char *want = read_file(path);
	if (!want)
		fail_msg("no golden file %s (BERTH_UPDATE_GOLDEN=1 writes it)", path);
	if (strcmp(got, want))
		fail_msg("the commands differ from %s\n--- got:\n%s--- want:\n%s", path, got, want);
}

static void table_whole(void **state)
{
	(void)state;
	json_t *cmds = json_array();

	fw_ruleset_cmds(cmds, false);
	assert_golden(cmds, "ruleset.json");
}

static void table_rebuilt_with_sets_emptied(void **state)
{
	(void)state;
	json_t *cmds = json_array();

	fw_ruleset_cmds(cmds, true);
	assert_golden(cmds, "ruleset-rebuild.json");
}

/* Two subnets, one of them IPv6: each in its family's sets, and in masq6
 * only where IPv6 is masqueraded too. */
static void network_masqueraded(void **state)
{
	(void)state;
	berth_subnet sn[] = { { .subnet = P("10.1.0.0/24") }, { .subnet = P("fd00:1::/64") } };
	berth_network net = { .name = "a", .driver = "bridge", .ifname = "br-a", .subnets = sn, .n_subnets = 2 };
	json_t *cmds = json_array();

	fw_network_elems(cmds, "add", &net, &(fw_net_policy){ .masquerade4 = true });
	assert_golden(cmds, "network-masq.json");
	cmds = json_array();
	fw_network_elems(cmds, "add", &net, &(fw_net_policy){ .masquerade4 = true, .masquerade6 = true, .direct6 = true });
	assert_golden(cmds, "network-masq6.json");
}

/* Internal: in the internal set and never masqueraded, whatever is asked. */
static void network_internal_deleted(void **state)
{
	(void)state;
	berth_subnet sn = { .subnet = P("10.2.0.0/16") };
	berth_network net = { .name = "b", .driver = "bridge", .ifname = "br-b", .internal = true,
			      .subnets = &sn, .n_subnets = 1 };
	json_t *cmds = json_array();

	fw_network_elems(cmds, "delete", &net, &(fw_net_policy){ .masquerade4 = true });
	assert_golden(cmds, "network-internal.json");
}

/* gateway_mode_ipv4=routed: direct, not masqueraded. */
static void network_routed(void **state)
{
	(void)state;
	berth_subnet sn = { .subnet = P("10.3.0.0/24") };
	berth_network net = { .name = "c", .driver = "bridge", .ifname = "br-c", .subnets = &sn, .n_subnets = 1 };
	json_t *cmds = json_array();

	fw_network_elems(cmds, "add", &net, &(fw_net_policy){ .direct4 = true });
	assert_golden(cmds, "network-direct.json");
}

/* Every host address and one, for each protocol. */
static void ports(void **state)
{
	(void)state;
	berth_port ps[] = {
		{ .host_ip = A("0.0.0.0"), .proto = IPPROTO_TCP, .container_port = 80, .host_port = 8080 },
		{ .host_ip = A("192.0.2.7"), .proto = IPPROTO_UDP, .container_port = 53, .host_port = 5353 },
		{ .host_ip = A("0.0.0.0"), .proto = IPPROTO_SCTP, .container_port = 9, .host_port = 32768 },
	};
	berth_addr target = A("10.1.0.2");
	json_t *cmds = json_array();

	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		fw_port_elems(cmds, "add", &ps[i], &target);
	assert_golden(cmds, "ports.json");
}

static void table_deleted(void **state)
{
	(void)state;
	json_t *cmds = json_array();

	json_array_append_new(cmds, fw_delete_table_cmd());
	assert_golden(cmds, "delete-table.json");
}

/* What the wholeness check counts is what the table has. */
static void expected_counts_match_rules(void **state)
{
	(void)state;
	json_t *cmds = json_array(), *cmd;
	size_t n, i;
	const fw_chain_rules *want = fw_ruleset_expected(&n);

	fw_ruleset_cmds(cmds, false);
	for (size_t c = 0; c < n; c++) {
		unsigned rules = 0;
		json_array_foreach(cmds, i, cmd) {
			json_t *rule = json_object_get(json_object_get(cmd, "add"), "rule");
			const char *chain = json_string_value(json_object_get(rule, "chain"));
			rules += chain && !strcmp(chain, want[c].chain);
		}
		assert_int_equal(rules, want[c].rules);
	}
	json_decref(cmds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_whole),
		cmocka_unit_test(table_rebuilt_with_sets_emptied),
		cmocka_unit_test(network_masqueraded),
		cmocka_unit_test(network_internal_deleted),
		cmocka_unit_test(network_routed),
		cmocka_unit_test(ports),
		cmocka_unit_test(table_deleted),
		cmocka_unit_test(expected_counts_match_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
