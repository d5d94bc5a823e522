/* berth system reconcile */
#include "cli/cli.h"

#include <stdlib.h>

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
	{ "reconcile", NULL, reconcile_main, "Make the kernel match the state store, and say what differed",
	  "\n\nReleases containers whose monitor died and removes what a killed berth left half-made.\n", NULL,
	  false },
	{ NULL, NULL, NULL, NULL, NULL, NULL, false },
};
