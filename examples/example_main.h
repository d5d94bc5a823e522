/* The part berth's examples share: -r ROOT and -d RUN_DIR, a context
 * opened with berth_open, one call, the error on stderr. ROOT and RUN_DIR
 * default to $BERTH_ROOT and $BERTH_RUNDIR, then to /var/lib/berth and
 * /run/berth. Only <berth.h> is used. */
#ifndef BERTH_EXAMPLE_MAIN_H
#define BERTH_EXAMPLE_MAIN_H

#include <stdio.h>
#include <unistd.h>

#include <berth.h>

/* Runs the call `cmd` names with its n_args arguments: 0, a negative
 * errno with err set, or 1 for a call it does not know. */
typedef int (*example_call)(berth_ctx *ctx, const char *cmd, char **arg, int n_args, berth_err *err);

static int example_main(int argc, char **argv, const char *name, example_call call, int (*usage)(void))
{
	berth_config cfg = { 0 };
	berth_ctx *ctx = NULL;
	berth_err err = { 0 };
	int opt;

	while ((opt = getopt(argc, argv, "r:d:")) != -1) {
		switch (opt) {
		case 'r':
			cfg.root = optarg;
			break;
		case 'd':
			cfg.run_dir = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	if (berth_open(&cfg, &ctx, &err) < 0) {
		fprintf(stderr, "%s: opening berth: %s\n", name, err.msg ? err.msg : "failed");
		berth_err_clear(&err);
		return 1;
	}
	int ret = call(ctx, argv[optind], argv + optind + 1, argc - optind - 1, &err);
	berth_close(ctx);
	if (ret == 1)
		return usage();
	if (ret < 0) {
		fprintf(stderr, "%s: %s: %s\n", name, argv[optind], err.msg ? err.msg : "failed");
		berth_err_clear(&err);
		return 1;
	}
	return 0;
}

#endif
