/* What libnftables hands back: the JSON listing of berth's table that
 * system reconcile compares with the store (fw_diff_listing), the listing
 * of every chain that berth reads for other tables' drop policies
 * (fw_foreign_drops: its static reader, reached by including the file),
 * and the error text a refused transaction leaves (nft_error_text). All
 * come from another program's version of nftables, so whatever shape
 * they take must give a report, never a crash: at most a line per set, a
 * warning per dropping chain, and an error of one line. */
#include "fuzz.h"

#include "fw/diff.h"
#include "fw/inspect.c"
#include "fw/nft.h"
#include "fw/ruleset.h"
#include "ipam/cidr.h"
#include "util/strv.h"

#include <netinet/in.h>

/* A rebuild's commands for one bridge network with a published port. */
static json_t *rebuild_cmds(void)
{
	berth_subnet sn = { .gateway = { .family = AF_INET, .bytes = { 10, 0, 0, 1 } } };
	berth_network net = { .name = "a", .driver = "bridge", .ifname = "br-a", .subnets = &sn, .n_subnets = 1 };
	berth_port port = { .host_ip = { .family = AF_INET }, .proto = IPPROTO_TCP, .container_port = 80, .host_port = 8080 };
	berth_addr target = { .family = AF_INET, .bytes = { 10, 0, 0, 2 } };
	bool bad_len;
	json_t *cmds = json_array();

	prefix_parse("10.0.0.0/24", &sn.subnet, &bad_len);
	fw_ruleset_cmds(cmds, true);
	fw_network_elems(cmds, "add", &net, &(fw_net_policy){ .masquerade4 = true });
	fw_port_elems(cmds, "add", &port, &target);
	return cmds;
}

/* As fw_foreign_drops reads `nft list chains`; /dev/null: nothing was
 * warned of before, and nothing is kept. */
static void check_chains(json_t *listing)
{
	char **warnings = NULL;
	size_t n = 0, dropping = 0, i;
	json_t *o;

	json_array_foreach(listing, i, o) {
		json_t *chain = json_object_get(o, "chain");
		if (!chain)
			continue;
		const char *policy = json_string_value(json_object_get(chain, "policy"));
		dropping += policy && !strcmp(policy, "drop");
		warn_if_dropping(chain, "/dev/null", &warnings, &n);
	}
	FUZZ_CHECK(n <= dropping, "%zu warnings for %zu chains with policy drop", n, dropping);
	strv_free(warnings);
}

static void check_listing(const char *text, json_t *cmds)
{
	json_t *doc = json_loads(text, 0, NULL);
	/* nft_list hands on the "nftables" array of nft's output */
	json_t *listing = json_object_get(doc, "nftables");
	char **lines = NULL;
	size_t n = 0, n_sets = 0;

	if (json_is_array(listing)) {
		fw_ruleset_sets(&n_sets);
		fw_diff_listing(listing, cmds, &lines, &n);
		FUZZ_CHECK(n <= n_sets, "%zu lines for %zu sets", n, n_sets);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(!strncmp(lines[i], "firewall: ", 10), "line \"%s\"", lines[i]);
		check_chains(listing);
	}
	strv_free(lines);
	json_decref(doc);
}

static void check_error_text(const char *text)
{
	char *line = nft_error_text(text);

	FUZZ_CHECK(*line && !strchr(line, '\n'), "error text \"%s\"", line);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *cmds;
	char *text = fuzz_text(data, size);

	if (!cmds)
		cmds = rebuild_cmds();
	check_listing(text, cmds);
	check_error_text(text);
	free(text);
	return 0;
}
