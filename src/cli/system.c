/* berth system check, berth system reconcile */
#include "cli/cli.h"

#include <stdlib.h>

/* Exit 0 when the store and the kernel agree, 1 with a line for each
 * disagreement (or with an error when it cannot look). */
static int check_main(cli_env *env, int argc, char **argv)
{
	berth_ctx *ctx = NULL;
	berth_finding *found = NULL;
	size_t n = 0;
	berth_err err = { 0 };
	int ret = 0;

	(void)argv;
	if (argc != 1)
		return cli_usage("berth system check", "\"system check\" accepts no arguments");
	/* as is: opening as every other command does would put some right */
	if (berth_open_as_is(&env->cfg, &ctx, &err) < 0)
		return cli_fail(&err);
	if (berth_check(ctx, &found, &n, &err) < 0)
		ret = cli_fail(&err);
	for (size_t i = 0; i < n; i++)
		printf("%s\n", found[i].text);
	if (!ret && !n)
		printf("the store and the kernel agree\n");
	berth_findings_free(found, n);
	cli_close(ctx);
	return ret ? ret : n ? 1 : 0;
}

static int reconcile_main(cli_env *env, int argc, char **argv)
{
	berth_ctx *ctx;
	char **fixed = NULL;
	size_t n = 0;
	berth_err err = { 0 };
	int ret;

	(void)argv;
	if (argc != 1)
		return cli_usage("berth system reconcile", "\"system reconcile\" accepts no arguments");
	if ((ret = cli_open(env, &ctx)))
		return ret;
	if (berth_reconcile(ctx, &fixed, &n, &err) < 0)
		ret = cli_fail(&err);
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", fixed[i]);
		free(fixed[i]);
	}
	free(fixed);
	if (!ret && !n)
		printf("nothing to fix\n");
	cli_close(ctx);
	return ret;
}

const cli_cmd system_commands[] = {
	{ "check", NULL, check_main, "Say where the state store and the kernel disagree, changing nothing",
	  "\n\nLists each disagreement on a line of its own and exits 1; exits 0 when there is none.\n", NULL,
	  false },
	{ "reconcile", NULL, reconcile_main, "Make the kernel match the state store, and say what differed",
	  "\n\nReleases containers whose monitor died, removes what a killed berth left half-made, and puts\n"
	  "right what \"system check\" finds.\n",
	  NULL, false },
	{ NULL, NULL, NULL, NULL, NULL, NULL, false },
};
