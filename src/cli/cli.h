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
	bool runs_command;	   /* run, exec: what follows the first operand is the command's */
} cli_cmd;

extern const cli_cmd network_commands[];
extern const cli_cmd container_commands[]; /* run, exec, ps, ... at the top level */
extern const cli_cmd system_commands[];
extern const cli_cmd dns_commands[];
extern const cli_cmd plugin_commands[];

/* Repeated flags (-o, -e, --label): the strings stay argv's. */
typedef struct str_list {
	const char **items;
	size_t n;
} str_list;

void str_list_add(str_list *l, const char *s);

/* Runs argv[0] of `cmds` (a group's table); `path` is e.g. "berth network". */
int cli_dispatch(cli_env *env, const cli_cmd *cmds, const char *path, int argc, char **argv);
/* The command of that name (or alias) in cmds, or NULL. */
const cli_cmd *cli_find(const cli_cmd *cmds, const char *name);
int cli_help(const cli_cmd *cmds, const char *path, int argc, char **argv);
void cli_print_group(FILE *out, const cli_cmd *cmds, const char *path);

/* Prints "berth: error: MSG" and clears err; returns the exit code 1. */
int cli_fail(berth_err *err);
/* A usage error: message and a pointer to --help; returns 2. */
int cli_usage(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens the library, printing why not on failure (returns an exit code). */
int cli_open(cli_env *env, berth_ctx **ctx);
void cli_close(berth_ctx *ctx);
/* True when argv holds -h/--help before a "--" (and, for commands that
 * run a command, before the first operand). */
bool cli_wants_help(int argc, char **argv, bool stop_at_operand);
/* getopt_long, reset for a new subcommand's arguments. */
void cli_reset_getopt(void);
int cli_bad_flag(const char *path, char **argv);
/* The network (or container) name an endpoint's ID belongs to, for output. */
const char *cli_network_name(berth_network **nets, size_t n, const char *id);

#endif
