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
	fw_network_elems(cmds, "add", &net, &(fw_net_policy){ .masquerade4 = true });
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

/* ---- fw_diff_owners: element by element, with owners ---------------------- */

/* Two owners: network br-a (required) and its published port (as given). */
static void owners_of(fw_owner o[2], bool port_required)
{
	berth_subnet sn = { .subnet = P("10.0.0.0/24") };
	berth_network net = { .name = "a", .driver = "bridge", .ifname = "br-a", .subnets = &sn, .n_subnets = 1 };
	berth_port port = { .host_ip = A("0.0.0.0"), .proto = IPPROTO_TCP, .container_port = 80, .host_port = 8080 };
	berth_addr target = A("10.0.0.2");

	o[0] = (fw_owner){ .cmds = json_array(), .required = true };
	o[1] = (fw_owner){ .cmds = json_array(), .required = port_required };
	fw_network_elems(o[0].cmds, "add", &net, &(fw_net_policy){ .masquerade4 = true });
	fw_port_elems(o[1].cmds, "add", &port, &target);
}

/* fw_diff_owners' differences as "set|text|owner" lines, joined by '\n'. */
static char *owner_diffs(json_t *list, const fw_owner *o, size_t n_owners)
{
	fw_elem_diff *d = NULL;
	size_t n = 0;
	char *text = xstrdup("");

	fw_diff_owners(list, o, n_owners, &d, &n);
	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%s|%s|%ld\n", text, d[i].set, d[i].text, d[i].owner);
		free(text);
		text = next;
	}
	fw_elem_diffs_free(d, n);
	return text;
}

static void owners_free(fw_owner o[2])
{
	json_decref(o[0].cmds);
	json_decref(o[1].cmds);
}

static void test_owners_agree(void **state)
{
	fw_owner o[2];
	json_t *list = listing("[\"br-a\"]");

	(void)state;
	owners_of(o, true);
	_cleanup_free_ char *d = owner_diffs(list, o, 2);
	assert_string_equal(d, "");
	json_decref(list);
	owners_free(o);
}

static void test_missing_named_by_owner_stray_by_none(void **state)
{
	fw_owner o[2];
	json_t *list = listing("[\"br-x\"]");

	(void)state;
	owners_of(o, true);
	/* the port's map elements gone from the listing too */
	json_array_remove(list, json_array_size(list) - 1);
	json_array_remove(list, json_array_size(list) - 1);
	_cleanup_free_ char *d = owner_diffs(list, o, 2);
	assert_string_equal(d, "bridges|br-a|0\n"
			       "bridges|br-x|-1\n"
			       "ports4_any|tcp . 8080 : 10.0.0.2|1\n"
			       "ports4_any_port|tcp . 8080 : 80|1\n");
	json_decref(list);
	owners_free(o);
}

static void test_owner_not_required_may_lack_them(void **state)
{
	fw_owner o[2];
	json_t *list = listing("[\"br-a\"]");

	(void)state;
	/* a container being started: its port's elements may be there or not */
	owners_of(o, false);
	_cleanup_free_ char *with = owner_diffs(list, o, 2);
	/* without the port as an owner, its elements are nobody's: stray */
	_cleanup_free_ char *unowned = owner_diffs(list, o, 1);
	json_array_remove(list, json_array_size(list) - 1);
	json_array_remove(list, json_array_size(list) - 1);
	_cleanup_free_ char *without = owner_diffs(list, o, 2);
	assert_string_equal(with, "");
	assert_string_equal(without, "");
	assert_string_equal(unowned, "ports4_any|tcp . 8080 : 10.0.0.2|-1\n"
				     "ports4_any_port|tcp . 8080 : 80|-1\n");
	json_decref(list);
	owners_free(o);
}

static void test_no_table_everything_missing(void **state)
{
	fw_owner o[2];

	(void)state;
	owners_of(o, true);
	_cleanup_free_ char *d = owner_diffs(NULL, o, 1);
	assert_string_equal(d, "bridges|br-a|0\n"
			       "bridge_pairs|br-a . br-a|0\n"
			       "masq4|10.0.0.0/24|0\n"
			       "subnets4|10.0.0.0/24 . br-a|0\n");
	owners_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_elements_report_nothing),
		cmocka_unit_test(test_missing_and_stray_are_counted),
		cmocka_unit_test(test_sets_in_order_of_the_ruleset),
		cmocka_unit_test(test_missing_table),
		cmocka_unit_test(test_set_without_a_name_is_not_berths),
		cmocka_unit_test(test_owners_agree),
		cmocka_unit_test(test_missing_named_by_owner_stray_by_none),
		cmocka_unit_test(test_owner_not_required_may_lack_them),
		cmocka_unit_test(test_no_table_everything_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
