/* berth run|exec|ps|inspect|stop|rm|logs */
#include "cli/cli.h"
#include "cli/container_json.h"
#include "cli/port_text.h"
#include "cli/table.h"
#include "cli/text.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/proto.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


/* The repeatable flags of `run`. */
typedef struct run_lists {
	str_list aliases, envs, publish, cap_add, cap_drop, dns, dns_search, dns_options;
} run_lists;

static void run_lists_free(run_lists *l)
{
	str_list *all[] = { &l->aliases, &l->envs,	&l->publish,	&l->cap_add,
			    &l->cap_drop, &l->dns, &l->dns_search, &l->dns_options };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		free(all[i]->items);
}

static void run_lists_to_spec(const run_lists *l, berth_run_spec *spec)
{
	spec->cap_add = l->cap_add.items;
	spec->n_cap_add = l->cap_add.n;
	spec->cap_drop = l->cap_drop.items;
	spec->n_cap_drop = l->cap_drop.n;
	spec->publish = l->publish.items;
	spec->n_publish = l->publish.n;
	spec->aliases = l->aliases.items;
	spec->n_aliases = l->aliases.n;
	spec->env = l->envs.items;
	spec->n_env = l->envs.n;
	spec->dns = l->dns.items;
	spec->n_dns = l->dns.n;
	spec->dns_search = l->dns_search.items;
	spec->n_dns_search = l->dns_search.n;
	spec->dns_options = l->dns_options.items;
	spec->n_dns_options = l->dns_options.n;
}

/* One flag into spec or l; false for one `run` does not know. */
static bool run_flag(int c, berth_run_spec *spec, run_lists *l)
{
	switch (c) {
	case 'd': spec->detach = true; break;
	case 'R': spec->auto_remove = true; break;
	case 'n': spec->name = optarg; break;
	case 'h': spec->hostname = optarg; break;
	case 'N': spec->network = optarg; break;
	case 'i': spec->ip = optarg; break;
	case '6': spec->ip6 = optarg; break;
	case 'm': spec->mac = optarg; break;
	case 'a': str_list_add(&l->aliases, optarg); break;
	case 'e': str_list_add(&l->envs, optarg); break;
	case 'r': spec->rootfs = optarg; break;
	case 'p': str_list_add(&l->publish, optarg); break;
	case 'A': str_list_add(&l->cap_add, optarg); break;
	case 'D': str_list_add(&l->cap_drop, optarg); break;
	case 'P': spec->privileged = true; break;
	case 'S': str_list_add(&l->dns, optarg); break;
	case 's': str_list_add(&l->dns_search, optarg); break;
	case 'o': str_list_add(&l->dns_options, optarg); break;
	default: return false;
	}
	return true;
}

static int run_spec(cli_env *env, const berth_run_spec *spec)
{
	berth_ctx *ctx;
	berth_container *ct = NULL;
	berth_err err = { 0 };
	int code = 0, ret = cli_open(env, &ctx);

	if (ret != 0)
		return ret;
	if (berth_run(ctx, spec, &ct, &code, &err) < 0) {
		cli_fail(&err);
		ret = code ? code : 1;
	} else {
		if (spec->detach)
			printf("%s\n", ct->id);
		ret = code;
	}
	berth_container_free(ct);
	cli_close(ctx);
	return ret;
}

static int run_main(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "detach", no_argument, NULL, 'd' },	       { "rm", no_argument, NULL, 'R' },
		{ "name", required_argument, NULL, 'n' },      { "hostname", required_argument, NULL, 'h' },
		{ "network", required_argument, NULL, 'N' },   { "net", required_argument, NULL, 'N' },
		{ "ip", required_argument, NULL, 'i' },	       { "ip6", required_argument, NULL, '6' },
		{ "mac-address", required_argument, NULL, 'm' },
		{ "network-alias", required_argument, NULL, 'a' }, { "env", required_argument, NULL, 'e' },
		{ "rootfs", required_argument, NULL, 'r' },    { "publish", required_argument, NULL, 'p' },
		{ "cap-add", required_argument, NULL, 'A' },   { "cap-drop", required_argument, NULL, 'D' },
		{ "privileged", no_argument, NULL, 'P' },      { "dns", required_argument, NULL, 'S' },
		{ "dns-search", required_argument, NULL, 's' }, { "dns-option", required_argument, NULL, 'o' },
		{ "dns-opt", required_argument, NULL, 'o' },   { NULL, 0, NULL, 0 },
	};
	berth_run_spec spec = { 0 };
	run_lists lists = { 0 };
	int c, ret;

	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "+de:h:p:", opts, NULL)) != -1) {
		if (!run_flag(c, &spec, &lists)) {
			run_lists_free(&lists);
			return cli_bad_flag("berth run", argv);
		}
	}
	run_lists_to_spec(&lists, &spec);
	spec.argv = argv + optind;
	spec.argc = (size_t)(argc - optind);
	spec.forward_signals = true; /* Ctrl-C goes to the container, as with docker run */
	ret = spec.argc ? run_spec(env, &spec) : cli_usage("berth run", "\"run\" requires a command to run");
	run_lists_free(&lists);
	return ret;
}

static int exec_main(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = { { "env", required_argument, NULL, 'e' },
					      { "privileged", no_argument, NULL, 'P' },
					      { NULL, 0, NULL, 0 } };
	const char *path = "berth exec";
	berth_exec_spec spec = { 0 };
	str_list envs = { 0 };
	int c, ret;

	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "+e:it", opts, NULL)) != -1) {
		if (c == 'i' || c == 't')
			continue; /* stdin and the terminal are passed through as they are */
		if (c == 'P') {
			spec.privileged = true;
			continue;
		}
		if (c != 'e') {
			free(envs.items);
			return cli_bad_flag(path, argv);
		}
		str_list_add(&envs, optarg);
	}
	if (argc - optind < 2) {
		free(envs.items);
		return cli_usage(path, "\"exec\" requires a container and a command");
	}
	const char *ref = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	berth_ctx *ctx;
	berth_err err = { 0 };
	int code = 0;
	if ((ret = cli_open(env, &ctx)) == 0) {
		spec.argv = argv + optind;
		spec.env = envs.items;
		spec.n_env = envs.n;
		if (berth_exec(ctx, ref, &spec, &code, &err) < 0)
			ret = cli_fail(&err);
		else
			ret = code;
		cli_close(ctx);
	}
	free(envs.items);
	return ret;
}

/* For commands taking only names: no flags but those given. */
static int parse_refs(const char *path, int argc, char **argv, const char *shortopts, const struct option *opts,
		      int (*on_flag)(int c, void *data), void *data)
{
	int c;

	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1)
		if (!on_flag || on_flag(c, data) < 0)
			return cli_bad_flag(path, argv);
	if (optind >= argc)
		return cli_usage(path, "requires at least 1 argument");
	return 0;
}

static int timeout_flag(int c, void *data)
{
	char *end;

	if (c != 't')
		return -1;
	long v = strtol(optarg, &end, 10);
	if (*end || v < 0 || end == optarg)
		return -1;
	*(unsigned *)data = (unsigned)v;
	return 0;
}

static int stop_main(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = { { "time", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 } };
	unsigned timeout = 10;
	berth_ctx *ctx;
	int ret = parse_refs("berth stop", argc, argv, "t:", opts, timeout_flag, &timeout);

	if (ret || (ret = cli_open(env, &ctx)))
		return ret;
	for (int i = optind; i < argc; i++) {
		berth_err err = { 0 };
		if (berth_container_stop(ctx, argv[i], timeout, &err) < 0)
			ret = cli_fail(&err);
		else
			printf("%s\n", argv[i]);
	}
	cli_close(ctx);
	return ret;
}

static int force_flag(int c, void *data)
{
	if (c != 'f')
		return -1;
	*(bool *)data = true;
	return 0;
}

static int rm_main(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
	bool force = false;
	berth_ctx *ctx;
	int ret = parse_refs("berth rm", argc, argv, "f", opts, force_flag, &force);

	if (ret || (ret = cli_open(env, &ctx)))
		return ret;
	for (int i = optind; i < argc; i++) {
		berth_err err = { 0 };
		if (berth_container_remove(ctx, argv[i], force, &err) < 0)
			ret = cli_fail(&err);
		else
			printf("%s\n", argv[i]);
	}
	cli_close(ctx);
	return ret;
}

static int logs_main(cli_env *env, int argc, char **argv)
{
	berth_ctx *ctx;
	berth_container *c;
	berth_err err = { 0 };
	int ret = parse_refs("berth logs", argc, argv, "", (const struct option[]){ { NULL, 0, NULL, 0 } }, NULL, NULL);

	if (ret || (ret = cli_open(env, &ctx)))
		return ret;
	if (berth_container_find(ctx, argv[optind], &c, &err) < 0) {
		ret = cli_fail(&err);
	} else {
		_cleanup_free_ char *path = berth_container_log_path(ctx, c);
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		char buf[65536];
		ssize_t n;
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		berth_container_free(c);
	}
	cli_close(ctx);
	return ret;
}

static int inspect_main(cli_env *env, int argc, char **argv)
{
	berth_ctx *ctx;
	berth_network **nets = NULL;
	size_t n_nets = 0;
	berth_err err = { 0 };
	int ret = parse_refs("berth inspect", argc, argv, "", (const struct option[]){ { NULL, 0, NULL, 0 } }, NULL,
			     NULL);

	if (ret || (ret = cli_open(env, &ctx)))
		return ret;
	if (berth_network_list(ctx, &nets, &n_nets, &err) < 0) {
		ret = cli_fail(&err);
		cli_close(ctx);
		return ret;
	}
	json_t *all = json_array();
	for (int i = optind; i < argc; i++) {
		berth_container *c;
		if (berth_container_find(ctx, argv[i], &c, &err) < 0) {
			ret = cli_fail(&err);
			continue;
		}
		json_array_append_new(all, container_inspect_json(ctx, c, nets, n_nets));
		berth_container_free(c);
	}
	json_dumpf(all, stdout, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(all);
	berth_network_list_free(nets, n_nets);
	cli_close(ctx);
	return ret;
}

typedef struct ps_opts {
	bool all, quiet, no_trunc, json;
} ps_opts;

static char *command_text(const berth_container *c, bool no_trunc)
{
	/* a CNI runtime's: its command is the runtime's to know; which
	 * container of the runtime's it is, is berth's (unquoted: no command) */
	if (c->external_id && c->argc == 0)
		return xasprintf("(CNI %.12s)", c->external_id);
	char *s = xstrdup("");

	for (size_t i = 0; i < c->argc; i++) {
		char *next = xasprintf("%s%s%s", s, i ? " " : "", c->argv[i]);
		free(s);
		s = next;
	}
	/* docker ps: cut to 20 characters, then Go's quoting, so that a
	 * command's newlines and escape sequences reach no terminal */
	_cleanup_free_ char *cut = no_trunc ? xstrdup(s) : text_ellipsis(s, 20);
	free(s);
	return text_quote(cut);
}

static char *status_text(const berth_container *c)
{
	char d[64];
	time_t now = time(NULL);

	if (c->state == BERTH_CONTAINER_RUNNING) {
		human_duration(now - c->started_sec, d);
		return xasprintf("Up %s", d);
	}
	if (c->state == BERTH_CONTAINER_EXITED) {
		human_duration(now - c->finished_sec, d);
		return xasprintf("Exited (%d) %s ago", c->exit_code, d);
	}
	return xstrdup("Created");
}

/* "net1,net2" and "10.1.0.2,10.2.0.2" (an endpoint's IPv6 address after
 * its IPv4 one) */
static void networks_text(const berth_container *c, berth_network **nets, size_t n, char **names, char **ips)
{
	*names = xstrdup(c->n_endpoints ? "" : (!strncmp(c->network_mode, "container:", 10) ? "container" : c->network_mode));
	*ips = xstrdup("");
	if (!strcmp(*names, "default")) {
		free(*names);
		*names = xstrdup("");
	}
	for (size_t i = 0; i < c->n_endpoints; i++) {
		const berth_endpoint *ep = &c->endpoints[i];
		char v4[BERTH_ADDR_STRLEN] = "", v6[BERTH_ADDR_STRLEN] = "";
		if (ep->addr.family)
			berth_addr_format(&ep->addr, v4);
		if (ep->addr6.family)
			berth_addr_format(&ep->addr6, v6);
		char *nn = xasprintf("%s%s%s", *names, i ? "," : "", cli_network_name(nets, n, ep->network_id));
		char *ni = xasprintf("%s%s%s%s%s", *ips, i ? "," : "", v4, *v4 && *v6 ? "," : "", v6);
		free(*names);
		free(*ips);
		*names = nn;
		*ips = ni;
	}
}

static void print_ps(berth_container **cs, size_t n, berth_network **nets, size_t n_nets, const ps_opts *o)
{
	static const char *const header[] = { "CONTAINER ID", "NAME",     "COMMAND", "CREATED",
					      "STATUS",	      "PORTS",    "NETWORKS", "IPS" };
	table *t = o->quiet || o->json ? NULL : table_new(8, header);

	for (size_t i = 0; i < n; i++) {
		const berth_container *c = cs[i];
		char id[BERTH_ID_HEX + 1], ago[64], created[80];
		if (!o->all && c->state != BERTH_CONTAINER_RUNNING)
			continue;
		snprintf(id, sizeof(id), "%.*s", o->no_trunc ? BERTH_ID_HEX : BERTH_SHORT_ID_HEX, c->id);
		if (o->quiet) {
			printf("%s\n", id);
			continue;
		}
		_cleanup_free_ char *cmd = command_text(c, o->no_trunc || o->json);
		_cleanup_free_ char *status = status_text(c);
		_cleanup_free_ char *names = NULL, *ips = NULL;
		_cleanup_free_ char *ports = port_list_text(c->ports, c->n_ports);
		networks_text(c, nets, n_nets, &names, &ips);
		human_duration(time(NULL) - c->created_sec, ago);
		snprintf(created, sizeof(created), "%s ago", ago);
		if (o->json) {
			json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "Names",
					      c->name, "Command", cmd, "RunningFor", created, "State", berth_container_state_name(c->state), "Status",
					      status, "Ports", ports, "Networks", names, "IPs", ips);
			json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			putchar('\n');
			json_decref(j);
		} else {
			const char *row[] = { id, c->name, cmd, created, status, ports, names, ips };
			table_add(t, row);
		}
	}
	if (t)
		table_print(t, stdout);
	table_free(t);
}

static int ps_main(cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },	   { "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'n' }, { "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "berth ps";
	ps_opts o = { 0 };
	int c, ret;

	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "aq", opts, NULL)) != -1) {
		switch (c) {
		case 'a': o.all = true; break;
		case 'q': o.quiet = true; break;
		case 'n': o.no_trunc = true; break;
		case 'F':
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return cli_usage(path, "unsupported format \"%s\" (table or json)", optarg);
			o.json = !strcmp(optarg, "json");
			break;
		default: return cli_bad_flag(path, argv);
		}
	}
	if (optind != argc)
		return cli_usage(path, "\"ps\" accepts no arguments");
	berth_ctx *ctx;
	berth_container **cs = NULL;
	berth_network **nets = NULL;
	size_t n = 0, n_nets = 0;
	berth_err err = { 0 };
	if ((ret = cli_open(env, &ctx)))
		return ret;
	if (berth_container_list(ctx, &cs, &n, &err) < 0 || berth_network_list(ctx, &nets, &n_nets, &err) < 0)
		ret = cli_fail(&err);
	else
		print_ps(cs, n, nets, n_nets, &o);
	berth_container_list_free(cs, n);
	berth_network_list_free(nets, n_nets);
	cli_close(ctx);
	return ret;
}

static bool port_matches(const berth_port *p, const char *want)
{
	_cleanup_free_ char *key = NULL;

	if (!want)
		return true;
	/* "80" means 80/tcp, as in Docker */
	key = xasprintf("%u/%s", p->container_port, port_proto_name(p->proto));
	return !strcmp(key, want) || (strchr(want, '/') == NULL && p->proto == IPPROTO_TCP &&
				      (unsigned)strtoul(want, NULL, 10) == p->container_port && *want);
}

static int print_ports(const berth_container *c, const char *want)
{
	bool any = false;

	for (size_t i = 0; i < c->n_ports; i++) {
		const berth_port *p = &c->ports[i];
		if (!port_matches(p, want))
			continue;
		any = true;
		if (want) {
			_cleanup_free_ char *line = port_line(p);
			/* only the host side: "0.0.0.0:8080" */
			const char *arrow = strstr(line, " -> ");
			printf("%s\n", arrow ? arrow + 4 : line);
		} else {
			_cleanup_free_ char *line = port_line(p);
			printf("%s\n", line);
		}
	}
	if (!any && want) {
		fprintf(stderr, "berth: error: No public port '%s%s' published for %s\n", want,
			strchr(want, '/') ? "" : "/tcp", c->name);
		return 1;
	}
	return 0;
}

static int port_main(cli_env *env, int argc, char **argv)
{
	const char *path = "berth port";
	int ret;

	cli_reset_getopt();
	if (getopt_long(argc, argv, "", (const struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return cli_bad_flag(path, argv);
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage(path, "\"port\" requires a container and at most one port");
	berth_ctx *ctx;
	berth_container *c = NULL;
	berth_err err = { 0 };
	if ((ret = cli_open(env, &ctx)))
		return ret;
	if (berth_container_find(ctx, argv[optind], &c, &err) < 0)
		ret = cli_fail(&err);
	else
		ret = print_ports(c, argc - optind == 2 ? argv[optind + 1] : NULL);
	berth_container_free(c);
	cli_close(ctx);
	return ret;
}

const cli_cmd container_commands[] = {
	{ "exec", NULL, exec_main, "Run a command in a running container",
	  "[OPTIONS] CONTAINER [--] COMMAND [ARG...]\n\n"
	  "Options:\n"
	  "  -e, --env KEY=VALUE   Set environment variables (repeatable)\n"
	  "      --privileged      Give the command every capability (default: the container's)\n",
	  NULL, true },
	{ "inspect", NULL, inspect_main, "Display detailed information on one or more containers",
	  "CONTAINER [CONTAINER...]\n", NULL, false },
	{ "logs", NULL, logs_main, "Fetch the output of a detached container", "CONTAINER\n", NULL, false },
	{ "port", NULL, port_main, "List port mappings or a specific mapping for the container",
	  "CONTAINER [PRIVATE_PORT[/PROTO]]\n", NULL, false },
	{ "ps", NULL, ps_main, "List containers",
	  "[OPTIONS]\n\n"
	  "Options:\n"
	  "  -a, --all             Show all containers (default shows just running)\n"
	  "      --format string   table (default) or json (one object per line)\n"
	  "      --no-trunc        Do not truncate output\n"
	  "  -q, --quiet           Only display container IDs\n",
	  NULL, false },
	{ "rm", NULL, rm_main, "Remove one or more containers",
	  "[OPTIONS] CONTAINER [CONTAINER...]\n\nOptions:\n  -f, --force   Force the removal of a running container\n",
	  NULL, false },
	{ "run", NULL, run_main, "Create and run a new container",
	  "[OPTIONS] [--] COMMAND [ARG...]\n\n"
	  "Options:\n"
	  "      --cap-add CAP            Add a capability to Docker's default set, or ALL (repeatable)\n"
	  "      --cap-drop CAP           Drop a capability from it, or ALL (repeatable)\n"
	  "  -d, --detach                 Run in the background and print the container ID\n"
	  "      --dns IP                 Where names that are no container's are asked (repeatable;\n"
	  "                               default: the host's servers)\n"
	  "      --dns-option OPTION      Add an options word to resolv.conf (repeatable)\n"
	  "      --dns-search DOMAIN      Set resolv.conf's search domains (repeatable)\n"
	  "  -e, --env KEY=VALUE          Set environment variables (repeatable)\n"
	  "  -h, --hostname string        Container host name (default: the ID's first 12 hex)\n"
	  "      --ip string              IPv4 address (networks with a user subnet only)\n"
	  "      --ip6 string             IPv6 address (networks with a user subnet only)\n"
	  "      --mac-address string     MAC address (default: 02:42 and the IPv4 address)\n"
	  "      --name string            Assign a name to the container\n"
	  "      --network string         bridge (default), a network, host, none or container:NAME\n"
	  "      --network-alias string   Add a network-scoped alias (repeatable)\n"
	  "      --privileged             Give the container every capability and no no_new_privs\n"
	  "  -p, --publish SPEC           Publish [HOST_IP:][HOST_PORT:]PORT[/PROTO] (repeatable;\n"
	  "                               ranges like 8000-8002:80-82)\n"
	  "      --rm                     Remove the container when it exits\n"
	  "      --rootfs DIR             Root filesystem; default: the host's files\n",
	  NULL, true },
	{ "stop", NULL, stop_main, "Stop one or more running containers",
	  "[OPTIONS] CONTAINER [CONTAINER...]\n\nOptions:\n  -t, --time int   Seconds to wait before killing it (default 10)\n",
	  NULL, false },
	{ NULL, NULL, NULL, NULL, NULL, NULL, false },
};
