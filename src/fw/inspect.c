#include "fw/inspect.h"
#include "fw/ruleset.h"
#include "nl/nftables.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What berth's table must hold, as a number: a stamp written by another
 * version of berth (the run dir lives through an upgrade) does not count. */
static uint64_t expected_fingerprint(void)
{
	size_t n_expected = 0, n_sets = 0;
	const fw_chain_rules *expected = fw_ruleset_expected(&n_expected);
	const char *const *sets = fw_ruleset_sets(&n_sets);
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < n_expected + n_sets; i++) {
		char item[128];
		if (i < n_expected)
			snprintf(item, sizeof(item), "%s %u;", expected[i].chain, expected[i].rules);
		else
			snprintf(item, sizeof(item), "set %s;", sets[i - n_expected]);
		for (const char *c = item; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	}
	return h;
}

/* "<netns inode> <generation> <fingerprint>": the ruleset as it is now, in
 * this thread's namespace; false when the kernel does not say. */
static bool ruleset_stamp(char *buf, size_t size)
{
	berth_err ignored = { 0 };
	struct stat st;
	uint32_t gen;

	if (stat("/proc/thread-self/ns/net", &st) < 0 || nft_generation(&gen, &ignored) < 0) {
		berth_err_clear(&ignored);
		return false;
	}
	snprintf(buf, size, "%llu %u %016llx\n", (unsigned long long)st.st_ino, gen,
		 (unsigned long long)expected_fingerprint());
	return true;
}

static bool file_holds(const char *file, const char *text)
{
	char buf[96] = "";
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	return n > 0 && (size_t)n == strlen(text) && !memcmp(buf, text, (size_t)n);
}

/* Another process may read it half-written: it then looks for itself. */
static void file_put(const char *file, const char *text)
{
	_cleanup_close_ int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd >= 0 && write(fd, text, strlen(text)) < 0)
		return;
}

/* 1: whole, 0: not, -1: the kernel cannot tell (the cause in err). */
static int table_state(berth_err *err)
{
	size_t n_expected = 0, n_sets = 0;
	const fw_chain_rules *expected = fw_ruleset_expected(&n_expected);
	const char *const *sets = fw_ruleset_sets(&n_sets);
	nft_table_summary sum = { 0 };
	bool whole;

	if (nft_table_summarize(FW_FAMILY, FW_TABLE, &sum, err) < 0)
		return -1;
	whole = sum.exists;
	for (size_t i = 0; whole && i < n_expected; i++)
		whole = nft_summary_rules(&sum, expected[i].chain) == expected[i].rules;
	for (size_t i = 0; whole && i < n_sets; i++)
		whole = nft_summary_has_set(&sum, sets[i]);
	nft_table_summary_free(&sum);
	return whole;
}

bool fw_table_whole(const char *known, berth_err *err)
{
	char stamp[96];
	/* taken before looking: a change made while we look moves it on, so
	 * the next command looks again */
	bool stamped = known && ruleset_stamp(stamp, sizeof(stamp));

	if (stamped && file_holds(known, stamp))
		return true;
	int state = table_state(err);
	/* only a table seen whole is remembered so, not one the kernel could
	 * not show */
	if (state == 1 && stamped)
		file_put(known, stamp);
	return state != 0; /* cannot tell: leave it */
}

static bool warned_before(const char *file, const char *line)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char buf[512];

	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, line, strlen(line)) && buf[strlen(line)] == '\n')
			return true;
	return false;
}

static void remember_warned(const char *file, const char *line)
{
	FILE *f = fopen(file, "ae");

	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

static void warn_if_dropping(json_t *chain, const char *file, char ***warnings, size_t *n)
{
	const char *family = json_string_value(json_object_get(chain, "family"));
	const char *table = json_string_value(json_object_get(chain, "table"));
	const char *name = json_string_value(json_object_get(chain, "name"));
	const char *hook = json_string_value(json_object_get(chain, "hook"));
	const char *policy = json_string_value(json_object_get(chain, "policy"));

	if (!family || !table || !name || !hook || !policy || strcmp(hook, "forward") || strcmp(policy, "drop") ||
	    (!strcmp(family, FW_FAMILY) && !strcmp(table, FW_TABLE)))
		return;
	_cleanup_free_ char *key = xasprintf("%s %s %s", family, table, name);
	if (warned_before(file, key))
		return;
	strv_push(warnings, n,
		  xasprintf("table %s %s, chain %s has policy drop on the forward hook: in nftables a drop in any "
			    "table wins, so it drops container traffic berth accepts; accept berth's bridges there "
			    "(e.g. iifname \"br-*\" accept; oifname \"br-*\" accept)",
			    family, table, name));
	remember_warned(file, key);
}

void fw_foreign_drops(nft_runner *r, const char *warned_file, char ***warnings, size_t *n)
{
	json_t *cmd = json_pack("{s:{s:n}}", "list", "chains"), *listing = NULL;
	berth_err ignored = { 0 };

	if (nft_list(r, cmd, &listing, &ignored) == 0) {
		size_t i;
		json_t *o;
		json_array_foreach(listing, i, o) {
			if (json_object_get(o, "chain"))
				warn_if_dropping(json_object_get(o, "chain"), warned_file, warnings, n);
		}
	}
	berth_err_clear(&ignored);
	json_decref(listing);
	json_decref(cmd);
}
