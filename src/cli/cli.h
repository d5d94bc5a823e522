/* The command-line front end: parsing and output only; every operation
 * is a libberth call. */
#ifndef BERTH_CLI_CLI_H
#define BERTH_CLI_CLI_H

#include "berth.h"

#include <stdio.h>

#define EXIT_USAGE 2

typedef struct cli_env {
	berth_config cfg;
} cli_env;

typedef struct cli_cmd {
	const char *name;
	const char *alias;
	int (*fn)(cli_env *env, int argc, char **argv);
	const char *summary;
	const char *help; /* usage line and flags */
	const struct cli_cmd *sub; /* a group: its subcommands, NULL-terminated */
} cli_cmd;

extern const cli_cmd network_commands[];

/* Runs argv[0] of `cmds` (a group's table); `path` is e.g. "berth network". */
int cli_dispatch(cli_env *env, const cli_cmd *cmds, const char *path, int argc, char **argv);
int cli_help(const cli_cmd *cmds, const char *path, int argc, char **argv);
void cli_print_group(FILE *out, const cli_cmd *cmds, const char *path);

/* Prints "berth: error: MSG" and clears err; returns the exit code 1. */
int cli_fail(berth_err *err);
/* A usage error: message and a pointer to --help; returns 2. */
int cli_usage(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens the library, printing why not on failure (returns an exit code). */
int cli_open(cli_env *env, berth_ctx **ctx);
void cli_close(berth_ctx *ctx);
/* True when argv holds -h/--help before a "--". */
bool cli_wants_help(int argc, char **argv);

#endif
