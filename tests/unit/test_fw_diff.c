/* Unit tests for src/fw/diff.c: what system reconcile reports when the
 * kernel's berth table differs from what a rebuild from the store puts
 * in. The listings are written as `nft -j list table inet berth` prints
 * them (nftables 1.0.6); the wanted side is built by fw/ruleset.c. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "fw/diff.h"
#include "fw/ruleset.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* A rebuild's commands for one bridge network br-a (10.0.0.0/24,
 * masqueraded) with 0.0.0.0:8080 -> 10.0.0.2:80/tcp published. */
static json_t *rebuild_cmds(void)
{
	berth_subnet sn = { .subnet = P("10.0.0.0/24") };
	berth_network net = { .name = "a", .driver = "bridge", .ifname = "br-a", .subnets = &sn, .n_subnets = 1 };
	berth_port port = { .host_ip = A("0.0.0.0"), .proto = IPPROTO_TCP, .container_port = 80, .host_port = 8080 };
	berth_addr target = A("10.0.0.2");
	json_t *cmds = json_array();

	fw_ruleset_cmds(cmds, true);
	fw_network_elems(cmds, "add", &net, true, false);
	fw_port_elems(cmds, "add", &port, &target);
	return cmds;
}

/* A set (or map) of the listing, with its elements as JSON text. */
static const char *set_obj(char *buf, size_t size, const char *kind, const char *name, const char *elems)
{
	snprintf(buf, size, "{\"%s\": {\"family\": \"inet\", \"name\": \"%s\", \"table\": \"berth\", \"elem\": %s}}",
		 kind, name, elems);
	return buf;
}

/* The listing of a table that holds exactly rebuild_cmds()'s elements,
 * each set's in its own order, with `bridges` replaced by bridges_elems. */
static json_t *listing(const char *bridges_elems)
{
	char b[5][256];
	const char *parts[] = {
		set_obj(b[0], sizeof(b[0]), "set", "bridges", bridges_elems),
		set_obj(b[1], sizeof(b[1]), "set", "bridge_pairs", "[{\"concat\": [\"br-a\", \"br-a\"]}]"),
		set_obj(b[2], sizeof(b[2]), "set", "masq4", "[{\"prefix\": {\"addr\": \"10.0.0.0\", \"len\": 24}}]"),
		set_obj(b[3], sizeof(b[3]), "map", "ports4_any", "[[{\"concat\": [\"tcp\", 8080]}, \"10.0.0.2\"]]"),
		set_obj(b[4], sizeof(b[4]), "map", "ports4_any_port", "[[{\"concat\": [\"tcp\", 8080]}, 80]]"),
	};
	json_error_t jerr;
	_cleanup_free_ char *text = xasprintf("[{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"table\": {\"family\": \"inet\", \"name\": "
			 "\"berth\"}}, {\"set\": {\"family\": \"inet\", \"name\": \"subnets4\", \"table\": \"berth\", "
			 "\"elem\": [{\"concat\": [{\"prefix\": {\"addr\": \"10.0.0.0\", \"len\": 24}}, \"br-a\"]}]}}, "
			 "%s, %s, %s, %s, %s]",
			 parts[0], parts[1], parts[2], parts[3], parts[4]);
	json_t *l = json_loads(text, 0, &jerr);
	if (!l)
		fail_msg("test setup: bad listing: %s", jerr.text);
	return l;
}

/* fw_diff_listing's lines, checked against want (NULL-terminated). */
static void expect_lines(json_t *list, json_t *cmds, const char *const *want)
{
	char **lines = NULL;
	size_t n = 0, k = 0;

	fw_diff_listing(list, cmds, &lines, &n);
	for (; want[k]; k++) {
		if (k >= n)
			fail_msg("line %zu missing: expected \"%s\"", k, want[k]);
		assert_string_equal(lines[k], want[k]);
	}
	if (n != k)
		fail_msg("%zu line(s), expected %zu; first extra: \"%s\"", n, k, lines[k]);
	assert_null(n ? lines[n] : NULL);
	strv_free(lines);
}

static void test_same_elements_report_nothing(void **state)
{
	json_t *cmds = rebuild_cmds(), *list = listing("[\"br-a\"]");

	(void)state;
	expect_lines(list, cmds, (const char *const[]){ NULL });
	json_decref(list);
	json_decref(cmds);
}

static void test_missing_and_stray_are_counted(void **state)
{
	json_t *cmds = rebuild_cmds(), *list = listing("[\"br-x\", \"br-y\"]");

	(void)state;
	expect_lines(list, cmds,
		     (const char *const[]){ "firewall: bridges: 1 element(s) missing, 2 stray: rebuilt from the store",
					    NULL });
	json_decref(list);
	json_decref(cmds);
}

static void test_sets_in_order_of_the_ruleset(void **state)
{
	json_t *cmds = rebuild_cmds(), *list = listing("[]");

	(void)state;
	/* the network became internal: the set the listing lacks has an element */
	json_array_append_new(cmds, fw_elem_cmd("add", "internal", json_pack("[s]", "br-a")));
	expect_lines(list, cmds,
		     (const char *const[]){ "firewall: bridges: 1 element(s) missing, 0 stray: rebuilt from the store",
					    "firewall: internal: 1 element(s) missing, 0 stray: rebuilt from the store",
					    NULL });
	json_decref(list);
	json_decref(cmds);
}

static void test_missing_table(void **state)
{
	json_t *cmds = rebuild_cmds(), *empty = json_array();

	(void)state;
	expect_lines(NULL, cmds,
		     (const char *const[]){ "firewall: table inet berth was missing: rebuilt from the store", NULL });
	/* no element wanted: no table wanted either */
	fw_ruleset_cmds(empty, true);
	expect_lines(NULL, empty, (const char *const[]){ NULL });
	json_decref(empty);
	json_decref(cmds);
}

/* Found by tests/fuzz/fuzz_nft_listing: a set or map whose name is missing
 * or not a string (another nftables' listing) crashed reconcile; it is no
 * set of berth's. */
static void test_set_without_a_name_is_not_berths(void **state)
{
	json_t *cmds = rebuild_cmds(), *list = listing("[\"br-a\"]");

	(void)state;
	json_array_append_new(list, json_pack("{s:{s:s,s:s,s:[s]}}", "set", "family", "inet", "table", "berth", "elem",
					      "br-x"));
	json_array_append_new(list, json_pack("{s:{s:i,s:[]}}", "map", "name", 7, "elem"));
	expect_lines(list, cmds, (const char *const[]){ NULL });
	json_decref(list);
	json_decref(cmds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_elements_report_nothing),
		cmocka_unit_test(test_missing_and_stray_are_counted),
		cmocka_unit_test(test_sets_in_order_of_the_ruleset),
		cmocka_unit_test(test_missing_table),
		cmocka_unit_test(test_set_without_a_name_is_not_berths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
