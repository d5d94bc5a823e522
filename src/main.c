/* berth: the command table and the global flags; nothing else. */
#include "cli/cli.h"
#include "cni/cni.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int version_main(cli_env *env, int argc, char **argv)
{
	(void)env;
	(void)argc;
	(void)argv;
	printf("berth version %s\n", BERTH_VERSION);
	return 0;
}

static int help_main(cli_env *env, int argc, char **argv);

static const cli_cmd commands[] = {
	{ "dns", NULL, NULL, "Run berth's DNS resolver", NULL, dns_commands, false },
	{ "help", NULL, help_main, "Help about any command", "[COMMAND...]\n", NULL, false },
	{ "network", NULL, NULL, "Manage networks", NULL, network_commands, false },
	{ "plugin", NULL, NULL, "Serve dockerd as a network plugin", NULL, plugin_commands, false },
	{ "system", NULL, NULL, "Manage berth itself", NULL, system_commands, false },
	{ "version", NULL, version_main, "Show the berth version", "\n", NULL, false },
	{ NULL, NULL, NULL, NULL, NULL, NULL, false },
};

static void usage(FILE *out);

static int help_main(cli_env *env, int argc, char **argv)
{
	(void)env;
	if (argc == 1) {
		usage(stdout);
		return 0;
	}
	const cli_cmd *table = cli_find(container_commands, argv[1]) ? container_commands : commands;
	return cli_help(table, "berth", argc - 1, argv + 1);
}

static void usage(FILE *out)
{
	fputs("berth: container networking for Linux\n\n"
	      "Usage: berth [GLOBAL OPTIONS] COMMAND\n\n"
	      "Global options:\n"
	      "      --root DIR      state directory (env BERTH_ROOT, default /var/lib/berth)\n"
	      "      --run-dir DIR   runtime directory (env BERTH_RUNDIR, default /run/berth)\n"
	      "  -h, --help          this help\n"
	      "  -v, --version       print the version\n\n",
	      out);
	cli_print_group(out, commands, "berth");
	fputs("\nContainer commands:\n", out);
	for (const cli_cmd *c = container_commands; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },  { "run-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },	    { "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	cli_env env = { 0 };
	int c;

	/* a runtime executing berth as its CNI plugin */
	if (cni_invoked(argc))
		return cni_main();

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case 'R': env.cfg.root = optarg; break;
		case 'D': env.cfg.run_dir = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'v': return version_main(&env, 0, NULL);
		default: return cli_usage("berth", "unknown flag or missing value: %s", argv[optind - 1]);
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* run, ps, ... stand at the top level, as in Docker */
	const cli_cmd *table = cli_find(container_commands, argv[optind]) ? container_commands : commands;
	return cli_dispatch(&env, table, "berth", argc - optind, argv + optind);
}
