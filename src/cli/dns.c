/* berth dns serve */
#include "cli/cli.h"

static int serve_main(cli_env *env, int argc, char **argv)
{
	berth_err err = { 0 };

	(void)argv;
	if (argc != 1)
		return cli_usage("berth dns serve", "\"dns serve\" accepts no arguments");
	return berth_dns_serve(&env->cfg, &err) < 0 ? cli_fail(&err) : 0;
}

const cli_cmd dns_commands[] = {
	{ "serve", NULL, serve_main, "Answer the containers' DNS queries (berth starts it when needed)",
	  "\n\nServes, in the foreground, every container on a network of the user's: their names from the\n"
	  "state store, other names forwarded to the host's servers. Exits once no container has\n"
	  "needed it for 5 s. berth starts it itself; this is for running it under a supervisor.\n",
	  NULL, false },
	{ NULL, NULL, NULL, NULL, NULL, NULL, false },
};
