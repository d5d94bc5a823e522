/* berth network create|ls|inspect|rm|prune */
#include "cli/cli.h"
#include "cli/network_json.h"
#include "cli/table.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static int next_opt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

static int network_create(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' }, { "subnet", required_argument, NULL, 's' },
		{ "gateway", required_argument, NULL, 'g' }, { "ip-range", required_argument, NULL, 'r' },
		{ "internal", no_argument, NULL, 'i' },      { "attachable", no_argument, NULL, 'a' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "opt", required_argument, NULL, 'o' },     { "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "berth network create";
	berth_network_spec spec = { 0 };
	_cleanup_free_ const char **options = NULL, **labels = NULL, **subnets = NULL, **gateways = NULL,
				   **ranges = NULL;
	str_list o = { 0 }, l = { 0 }, s = { 0 }, g = { 0 }, r = { 0 };
	int c;

	cli_reset_getopt();
	while ((c = next_opt(argc, argv, "+d:o:", opts)) != -1) {
		switch (c) {
		case 'd': spec.driver = optarg; break;
		case 's': str_list_add(&s, optarg); break;
		case 'g': str_list_add(&g, optarg); break;
		case 'r': str_list_add(&r, optarg); break;
		case '6': spec.ipv6 = true; break;
		case 'i': spec.internal = true; break;
		case 'a': spec.attachable = true; break;
		case 'o': str_list_add(&o, optarg); break;
		case 'l': str_list_add(&l, optarg); break;
		default:
			free(o.items), free(l.items), free(s.items), free(g.items), free(r.items);
			return cli_bad_flag(path, argv);
		}
	}
	options = o.items;
	labels = l.items;
	subnets = s.items;
	gateways = g.items;
	ranges = r.items;
	if (argc - optind != 1)
		return cli_usage(path, "\"network create\" requires exactly 1 argument (the network name)");
	spec.name = argv[optind];
	spec.options = options;
	spec.n_options = o.n;
	spec.labels = labels;
	spec.n_labels = l.n;
	spec.subnets = subnets;
	spec.n_subnets = s.n;
	spec.gateways = gateways;
	spec.n_gateways = g.n;
	spec.ip_ranges = ranges;
	spec.n_ip_ranges = r.n;

	berth_ctx *ctx;
	berth_network *net;
	berth_err err = { 0 };
	int ret = cli_open(env, &ctx);
	if (ret)
		return ret;
	if (berth_network_create(ctx, &spec, &net, &err) < 0)
		ret = cli_fail(&err);
	else
		printf("%s\n", net->id);
	if (!ret)
		berth_network_free(net);
	cli_close(ctx);
	return ret;
}

typedef struct ls_filter {
	char *key, *value;
} ls_filter;

static bool label_matches(const berth_network *net, const char *want)
{
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *key = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
	const char *have = berth_kv_get(&net->labels, key);

	return have && (!eq || !strcmp(have, eq + 1));
}

static bool filter_matches(const berth_network *net, const ls_filter *f)
{
	if (!strcmp(f->key, "name"))
		return strstr(net->name, f->value) != NULL;
	if (!strcmp(f->key, "id"))
		return !strncmp(net->id, f->value, strlen(f->value));
	if (!strcmp(f->key, "driver"))
		return !strcmp(net->driver, f->value);
	if (!strcmp(f->key, "label"))
		return label_matches(net, f->value);
	/* type: checked to be builtin or custom when parsed */
	return net->predefined == !strcmp(f->value, "builtin");
}

static int parse_filter(const char *text, ls_filter *f)
{
	static const char *const keys[] = { "name", "id", "driver", "label", "type" };
	const char *eq = strchr(text, '=');

	if (!eq)
		return cli_usage("berth network ls", "bad format of filter \"%s\" (expected name=value)", text);
	f->key = xstrndup(text, (size_t)(eq - text));
	f->value = xstrdup(eq + 1);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(f->key, keys[i]))
			return !strcmp(f->key, "type") && strcmp(f->value, "builtin") && strcmp(f->value, "custom")
				       ? cli_usage("berth network ls", "invalid filter 'type=%s' (builtin or custom)", f->value)
				       : 0;
	return cli_usage("berth network ls", "invalid filter '%s' (name, id, driver, label or type)", f->key);
}

typedef struct ls_opts {
	bool quiet, no_trunc, json;
	ls_filter *filters;
	size_t n_filters;
} ls_opts;

static bool wanted(const berth_network *net, const ls_opts *o)
{
	for (size_t i = 0; i < o->n_filters; i++)
		if (!filter_matches(net, &o->filters[i]))
			return false;
	return true;
}

static void print_networks(berth_network **nets, size_t n, const ls_opts *o)
{
	static const char *const header[] = { "NETWORK ID", "NAME", "DRIVER", "SCOPE" };
	table *t = o->quiet || o->json ? NULL : table_new(4, header);
	int id_len = o->no_trunc ? BERTH_ID_HEX : BERTH_SHORT_ID_HEX;

	for (size_t i = 0; i < n; i++) {
		char id[BERTH_ID_HEX + 1];
		if (!wanted(nets[i], o))
			continue;
		snprintf(id, sizeof(id), "%.*s", id_len, nets[i]->id);
		if (o->quiet) {
			printf("%s\n", id);
		} else if (o->json) {
			json_t *j = network_ls_json(nets[i], o->no_trunc);
			json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			putchar('\n');
			json_decref(j);
		} else {
			const char *row[] = { id, nets[i]->name, nets[i]->driver, "local" };
			table_add(t, row);
		}
	}
	if (t)
		table_print(t, stdout);
	table_free(t);
}

static void free_filters(ls_opts *o)
{
	for (size_t i = 0; i < o->n_filters; i++) {
		free(o->filters[i].key);
		free(o->filters[i].value);
	}
	free(o->filters);
}

static int parse_ls(int argc, char **argv, ls_opts *o)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },	     { "no-trunc", no_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'F' }, { "filter", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "berth network ls";
	int c, ret;

	cli_reset_getopt();
	while ((c = next_opt(argc, argv, "qf:", opts)) != -1) {
		switch (c) {
		case 'q': o->quiet = true; break;
		case 'n': o->no_trunc = true; break;
		case 'F':
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return cli_usage(path, "unsupported format \"%s\" (table or json)", optarg);
			o->json = !strcmp(optarg, "json");
			break;
		case 'f':
			o->filters = xrealloc(o->filters, (o->n_filters + 1) * sizeof(*o->filters));
			memset(&o->filters[o->n_filters], 0, sizeof(*o->filters));
			if ((ret = parse_filter(optarg, &o->filters[o->n_filters++])) != 0)
				return ret;
			break;
		default: return cli_bad_flag(path, argv);
		}
	}
	if (optind != argc)
		return cli_usage(path, "\"network ls\" accepts no arguments");
	return 0;
}

static int network_ls(cli_env *env, int argc, char **argv)
{
	ls_opts o = { 0 };
	berth_ctx *ctx = NULL;
	berth_network **nets;
	size_t n;
	berth_err err = { 0 };
	int ret = parse_ls(argc, argv, &o);

	if (ret == 0 && (ret = cli_open(env, &ctx)) == 0) {
		if (berth_network_list(ctx, &nets, &n, &err) < 0) {
			ret = cli_fail(&err);
		} else {
			print_networks(nets, n, &o);
			berth_network_list_free(nets, n);
		}
		cli_close(ctx);
	}
	free_filters(&o);
	return ret;
}

static int no_flags(const char *path, int argc, char **argv, int min_args)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };

	cli_reset_getopt();
	if (next_opt(argc, argv, "+", opts) != -1)
		return cli_bad_flag(path, argv);
	if (argc - optind < min_args)
		return cli_usage(path, "requires at least %d argument", min_args);
	return 0;
}

/* Docker's words where a command names networks to look at or remove
 * (connect, disconnect and run keep "network X not found", as Docker). */
static int fail_network(const char *ref, berth_err *err)
{
	if (err->code != ENOENT)
		return cli_fail(err);
	fprintf(stderr, "berth: error: No such network: %s\n", ref);
	berth_err_clear(err);
	return 1;
}

static int network_inspect(cli_env *env, int argc, char **argv)
{
	berth_ctx *ctx;
	int ret = no_flags("berth network inspect", argc, argv, 1);

	berth_container **cs = NULL;
	size_t n_cs = 0;
	berth_err list_err = { 0 };

	if (ret || (ret = cli_open(env, &ctx)))
		return ret;
	if (berth_container_list(ctx, &cs, &n_cs, &list_err) < 0) {
		ret = cli_fail(&list_err);
		cli_close(ctx);
		return ret;
	}
	json_t *all = json_array();
	berth_err *errs = xzalloc((size_t)argc * sizeof(*errs));
	for (int i = optind; i < argc; i++) {
		berth_network *net;
		if (berth_network_find(ctx, argv[i], &net, &errs[i]) < 0)
			continue;
		json_array_append_new(all, network_inspect_json(net, cs, n_cs));
		berth_network_free(net);
	}
	/* as Docker: what was found (maybe `[]`) first, then what was not */
	json_dumpf(all, stdout, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	putchar('\n');
	fflush(stdout);
	for (int i = optind; i < argc; i++)
		if (errs[i].code)
			ret = fail_network(argv[i], &errs[i]);
	free(errs);
	json_decref(all);
	berth_container_list_free(cs, n_cs);
	cli_close(ctx);
	return ret;
}

static int network_rm(cli_env *env, int argc, char **argv)
{
	berth_ctx *ctx;
	int ret = no_flags("berth network rm", argc, argv, 1);

	if (ret || (ret = cli_open(env, &ctx)))
		return ret;
	for (int i = optind; i < argc; i++) {
		berth_err err = { 0 };
		if (berth_network_remove(ctx, argv[i], &err) < 0)
			ret = fail_network(argv[i], &err);
		else
			printf("%s\n", argv[i]);
	}
	cli_close(ctx);
	return ret;
}

static bool confirmed(void)
{
	char answer[16] = "";

	fputs("WARNING! This will remove all custom networks not used by at least one container.\n"
	      "Are you sure you want to continue? [y/N] ",
	      stdout);
	fflush(stdout);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

static int network_prune(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
	const char *path = "berth network prune";
	bool force = false;
	int c;

	cli_reset_getopt();
	while ((c = next_opt(argc, argv, "f", opts)) != -1) {
		if (c != 'f')
			return cli_bad_flag(path, argv);
		force = true;
	}
	if (optind != argc)
		return cli_usage(path, "\"network prune\" accepts no arguments");
	if (!force && !confirmed())
		return 0;

	berth_ctx *ctx;
	char **names;
	size_t n;
	berth_err err = { 0 };
	int ret = cli_open(env, &ctx);
	if (ret)
		return ret;
	if (berth_network_prune(ctx, &names, &n, &err) < 0)
		ret = cli_fail(&err);
	if (n) {
		printf("Deleted Networks:\n");
		for (size_t i = 0; i < n; i++)
			printf("%s\n", names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	cli_close(ctx);
	return ret;
}

static int network_connect(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "ip6", required_argument, NULL, '6' },
		{ "alias", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "berth network connect";
	berth_connect_spec spec = { 0 };
	str_list aliases = { 0 };
	int c, ret;

	cli_reset_getopt();
	while ((c = next_opt(argc, argv, "", opts)) != -1) {
		if (c == 'i') {
			spec.ip = optarg;
		} else if (c == '6') {
			spec.ip6 = optarg;
		} else if (c == 'a') {
			str_list_add(&aliases, optarg);
		} else {
			free(aliases.items);
			return cli_bad_flag(path, argv);
		}
	}
	if (argc - optind != 2) {
		free(aliases.items);
		return cli_usage(path, "\"network connect\" requires exactly 2 arguments (NETWORK CONTAINER)");
	}
	berth_ctx *ctx;
	berth_err err = { 0 };
	if ((ret = cli_open(env, &ctx)) == 0) {
		spec.aliases = aliases.items;
		spec.n_aliases = aliases.n;
		if (berth_network_connect(ctx, argv[optind], argv[optind + 1], &spec, &err) < 0)
			ret = cli_fail(&err);
		cli_close(ctx);
	}
	free(aliases.items);
	return ret;
}

static int network_disconnect(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
	const char *path = "berth network disconnect";
	bool force = false;
	int c, ret;

	cli_reset_getopt();
	while ((c = next_opt(argc, argv, "f", opts)) != -1) {
		if (c != 'f')
			return cli_bad_flag(path, argv);
		force = true;
	}
	if (argc - optind != 2)
		return cli_usage(path, "\"network disconnect\" requires exactly 2 arguments (NETWORK CONTAINER)");
	berth_ctx *ctx;
	berth_err err = { 0 };
	if ((ret = cli_open(env, &ctx)) == 0) {
		if (berth_network_disconnect(ctx, argv[optind], argv[optind + 1], force, &err) < 0)
			ret = cli_fail(&err);
		cli_close(ctx);
	}
	return ret;
}

const cli_cmd network_commands[] = {
	{ "connect", NULL, network_connect, "Connect a container to a network",
	  "[OPTIONS] NETWORK CONTAINER\n\n"
	  "Options:\n"
	  "      --alias string   Add a network-scoped alias (repeatable)\n"
	  "      --ip string      IPv4 address (networks with a user subnet only)\n"
	  "      --ip6 string     IPv6 address (networks with a user subnet only)\n",
	  NULL, false },
	{ "create", NULL, network_create, "Create a network",
	  "[OPTIONS] NETWORK\n\n"
	  "Create a network\n\n"
	  "Options:\n"
	  "      --attachable          Enable manual container attachment\n"
	  "  -d, --driver string       Driver to manage the network (default \"bridge\")\n"
	  "      --gateway string      Gateway of the subnet it is in (default: the\n"
	  "                            subnet's first address; repeatable)\n"
	  "      --internal            Restrict external access to the network\n"
	  "      --ip-range string     Allocate container addresses from a sub-range\n"
	  "                            of the subnet it is in (repeatable)\n"
	  "      --ipv6                Enable IPv6 (an IPv6 subnet, or a /64 of the\n"
	  "                            host's unique local /48)\n"
	  "      --label KEY[=VALUE]   Set metadata on a network (repeatable)\n"
	  "  -o, --opt KEY=VALUE       Set driver specific options (repeatable):\n"
	  "                              com.docker.network.bridge.name=NAME  bridge device name\n"
	  "                              com.docker.network.driver.mtu=N      MTU (68-65535)\n"
	  "      --subnet string       Subnet in CIDR format, one IPv4 and one IPv6 at\n"
	  "                            most (default: a free one of 172.17-31.0.0/16,\n"
	  "                            then 192.168.0.0/16 in /20s)\n",
	  NULL, false },
	{ "disconnect", NULL, network_disconnect, "Disconnect a container from a network",
	  "[OPTIONS] NETWORK CONTAINER\n\nOptions:\n  -f, --force   Force the container to disconnect\n", NULL, false },
	{ "inspect", NULL, network_inspect, "Display detailed information on one or more networks",
	  "NETWORK [NETWORK...]\n\nDisplay detailed information on one or more networks, as a JSON array\n", NULL, false },
	{ "ls", "list", network_ls, "List networks",
	  "[OPTIONS]\n\n"
	  "List networks\n\n"
	  "Aliases: ls, list\n\n"
	  "Options:\n"
	  "  -f, --filter KEY=VALUE    Filter output (name, id, driver, label, type=builtin|custom)\n"
	  "      --format string       table (default) or json (one object per line)\n"
	  "      --no-trunc            Do not truncate the output\n"
	  "  -q, --quiet               Only display network IDs\n",
	  NULL, false },
	{ "prune", NULL, network_prune, "Remove all unused networks",
	  "[OPTIONS]\n\nRemove all unused networks\n\nOptions:\n  -f, --force   Do not prompt for confirmation\n", NULL, false },
	{ "rm", "remove", network_rm, "Remove one or more networks",
	  "NETWORK [NETWORK...]\n\nRemove one or more networks\n\nAliases: rm, remove\n", NULL, false },
	{ NULL, NULL, NULL, NULL, NULL, NULL, false },
};
