#include "cli/cli.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

void str_list_add(str_list *l, const char *s)
{
	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n++] = s;
}

int cli_fail(berth_err *err)
{
	fprintf(stderr, "berth: error: %s\n", err->msg ? err->msg : "unknown error");
	berth_err_clear(err);
	return 1;
}

int cli_usage(const char *path, const char *fmt, ...)
{
	va_list ap;

	fputs("berth: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee '%s --help'.\n", path);
	return EXIT_USAGE;
}

static void print_warnings(berth_ctx *ctx)
{
	size_t n;
	const char *const *w = berth_warnings(ctx, &n);

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "berth: warning: %s\n", w[i]);
}

int cli_open(cli_env *env, berth_ctx **ctx)
{
	berth_err err = { 0 };

	if (berth_open(&env->cfg, ctx, &err) < 0)
		return cli_fail(&err);
	return 0;
}

void cli_close(berth_ctx *ctx)
{
	if (ctx)
		print_warnings(ctx);
	berth_close(ctx);
}

bool cli_wants_help(int argc, char **argv, bool stop_at_operand)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		/* run and exec take -h for --hostname, as Docker's */
		if ((!stop_at_operand && !strcmp(argv[i], "-h")) || !strcmp(argv[i], "--help"))
			return true;
		if (stop_at_operand && argv[i][0] != '-')
			return false;
	}
	return false;
}

void cli_reset_getopt(void)
{
	optind = 0; /* glibc: full re-initialisation */
	opterr = 0;
}

int cli_bad_flag(const char *path, char **argv)
{
	return cli_usage(path, "unknown flag or missing value: %s", argv[optind - 1]);
}

const char *cli_network_name(berth_network **nets, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(nets[i]->id, id))
			return nets[i]->name;
	return id;
}

const cli_cmd *cli_find(const cli_cmd *cmds, const char *name)
{
	for (const cli_cmd *c = cmds; c->name; c++)
		if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
			return c;
	return NULL;
}

void cli_print_group(FILE *out, const cli_cmd *cmds, const char *path)
{
	fprintf(out, "Usage: %s COMMAND\n\nCommands:\n", path);
	for (const cli_cmd *c = cmds; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\nRun '%s COMMAND --help' for more information on a command.\n", path);
}

static void print_cmd_help(const cli_cmd *c, const char *path)
{
	char sub[256];

	snprintf(sub, sizeof(sub), "%s %s", path, c->name);
	if (c->sub) {
		cli_print_group(stdout, c->sub, sub);
	} else {
		printf("Usage: %s %s\n", sub, c->help);
	}
}

int cli_help(const cli_cmd *cmds, const char *path, int argc, char **argv)
{
	char sub[256];

	if (argc == 0) {
		cli_print_group(stdout, cmds, path);
		return 0;
	}
	const cli_cmd *c = cli_find(cmds, argv[0]);
	if (!c)
		return cli_usage(path, "unknown command \"%s\"", argv[0]);
	if (argc == 1 || !c->sub) {
		print_cmd_help(c, path);
		return 0;
	}
	snprintf(sub, sizeof(sub), "%s %s", path, c->name);
	return cli_help(c->sub, sub, argc - 1, argv + 1);
}

int cli_dispatch(cli_env *env, const cli_cmd *cmds, const char *path, int argc, char **argv)
{
	char sub[256];

	if (argc < 1) {
		cli_print_group(stderr, cmds, path);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		cli_print_group(stdout, cmds, path);
		return 0;
	}
	const cli_cmd *c = cli_find(cmds, argv[0]);
	if (!c)
		return cli_usage(path, "unknown command \"%s\"", argv[0]);
	snprintf(sub, sizeof(sub), "%s %s", path, c->name);
	if (c->sub)
		return cli_dispatch(env, c->sub, sub, argc - 1, argv + 1);
	if (cli_wants_help(argc, argv, c->runs_command)) {
		print_cmd_help(c, path);
		return 0;
	}
	return c->fn(env, argc, argv);
}
