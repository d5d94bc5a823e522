#include "cli/container_json.h"
#include "cli/cli.h"
#include "cli/text.h"
#include "util/cleanup.h"
#include "util/proto.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

void format_time(time_t sec, long nsec, char buf[64])
{
	struct tm tm;
	char date[40];

	if (!sec) {
		snprintf(buf, 64, "0001-01-01T00:00:00Z");
		return;
	}
	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 64, "%s.%09ldZ", date, nsec);
}

void human_duration(time_t s, char buf[64])
{
	if (s < 1)
		snprintf(buf, 64, "Less than a second");
	else if (s == 1)
		snprintf(buf, 64, "1 second");
	else if (s < 60)
		snprintf(buf, 64, "%ld seconds", (long)s);
	else if (s < 120)
		snprintf(buf, 64, "About a minute");
	else if (s < 3600)
		snprintf(buf, 64, "%ld minutes", (long)(s / 60));
	else if (s < 7200)
		snprintf(buf, 64, "About an hour");
	else if (s < 48 * 3600)
		snprintf(buf, 64, "%ld hours", (long)(s / 3600));
	else
		snprintf(buf, 64, "%ld days", (long)(s / 86400));
}

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();

	/* a command or environment may hold any byte; JSON only UTF-8 */
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = text_utf8(v[i]);
		json_array_append_new(a, json_string(text));
	}
	return a;
}

/* Docker's CapAdd and CapDrop: null when there are none */
static json_t *strv_or_null_json(char *const *v, size_t n)
{
	return n ? strv_json(v, n) : json_null();
}

/* "" for no address, as Docker shows one */
static const char *addr_or_empty(const berth_addr *a, char buf[BERTH_ADDR_STRLEN])
{
	return a->family ? berth_addr_format(a, buf) : "";
}

static json_t *endpoint_json(const berth_endpoint *ep)
{
	char addr[BERTH_ADDR_STRLEN], gw[BERTH_ADDR_STRLEN], addr6[BERTH_ADDR_STRLEN], gw6[BERTH_ADDR_STRLEN];

	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:o, s:s}", "NetworkID", ep->network_id,
			 "EndpointID", ep->id, "Gateway", addr_or_empty(&ep->gateway, gw), "IPAddress",
			 addr_or_empty(&ep->addr, addr), "IPPrefixLen", (int)ep->prefix_len, "IPv6Gateway",
			 addr_or_empty(&ep->gateway6, gw6), "GlobalIPv6Address", addr_or_empty(&ep->addr6, addr6),
			 "GlobalIPv6PrefixLen", (int)ep->prefix_len6, "MacAddress", ep->mac, "Aliases",
			 strv_json(ep->aliases, ep->n_aliases), "Interface", ep->ifname);
}

static json_t *networks_json(const berth_container *c, berth_network **nets, size_t n_nets)
{
	json_t *obj = json_object();

	for (size_t i = 0; i < c->n_endpoints; i++)
		json_object_set_new(obj, cli_network_name(nets, n_nets, c->endpoints[i].network_id),
				    endpoint_json(&c->endpoints[i]));
	return obj;
}

/* Docker's NetworkSettings.Ports: {"80/tcp": [{"HostIp": ..., "HostPort": "8080"}]} */
static json_t *ports_json(const berth_container *c)
{
	json_t *obj = json_object();

	for (size_t i = 0; i < c->n_ports; i++) {
		const berth_port *p = &c->ports[i];
		char key[32], host[BERTH_ADDR_STRLEN], port[8];
		snprintf(key, sizeof(key), "%u/%s", p->container_port, port_proto_name(p->proto));
		snprintf(port, sizeof(port), "%u", p->host_port);
		json_t *list = json_object_get(obj, key);
		if (!list)
			json_object_set_new(obj, key, list = json_array());
		json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp", berth_addr_format(&p->host_ip, host),
						      "HostPort", port));
	}
	return obj;
}

json_t *container_inspect_json(berth_ctx *ctx, const berth_container *c, berth_network **nets, size_t n_nets)
{
	char created[64], started[64], finished[64];
	_cleanup_free_ char *name = xasprintf("/%s", c->name);
	_cleanup_free_ char *log = berth_container_log_path(ctx, c);
	_cleanup_free_ char *sandbox = berth_container_sandbox_key(ctx, c);
	bool running = c->state == BERTH_CONTAINER_RUNNING;
	_cleanup_free_ char *path = text_utf8(c->argc ? c->argv[0] : "");

	format_time(c->created_sec, c->created_nsec, created);
	format_time(c->started_sec, 0, started);
	format_time(c->finished_sec, 0, finished);
	json_t *obj = json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:b, s:i, s:i, s:i, s:s, s:s}, s:s, s:s,"
			 " s:{s:s, s:b, s:o, s:o, s:b, s:o, s:o, s:o},"
			 " s:{s:s, s:o, s:o, s:s*}, s:{s:s, s:o, s:o}}",
			 "Id", c->id, "Created", created, "Path", path, "Args",
			 strv_json(c->argv + (c->argc ? 1 : 0), c->argc ? c->argc - 1 : 0), "State", "Status",
			 berth_container_state_name(c->state), "Running", running, "Pid", running ? c->pid : 0, "MonitorPid",
			 running ? c->monitor_pid : 0, "ExitCode", c->exit_code, "StartedAt", started, "FinishedAt",
			 finished, "Name", name, "LogPath", log, "HostConfig", "NetworkMode", c->network_mode,
			 "AutoRemove", c->auto_remove, "CapAdd", strv_or_null_json(c->cap_add, c->n_cap_add), "CapDrop",
			 strv_or_null_json(c->cap_drop, c->n_cap_drop), "Privileged", c->privileged, "Dns",
			 strv_json(c->dns, c->n_dns), "DnsSearch", strv_json(c->dns_search, c->n_dns_search), "DnsOptions",
			 strv_json(c->dns_options, c->n_dns_options), "Config",
			 "Hostname", c->hostname, "Env", strv_json(c->env, c->n_env), "Cmd", strv_json(c->argv, c->argc), "Rootfs", c->rootfs,
			 "NetworkSettings", "SandboxKey", sandbox, "Ports", ports_json(c), "Networks",
			 networks_json(c, nets, n_nets));

	/* berth's own key: a runtime's container, attached through CNI */
	if (c->external_id)
		json_object_set_new(obj, "CNI", json_pack("{s:s, s:s}", "ContainerID", c->external_id, "NetNS",
							  c->external_netns ? c->external_netns : ""));
	return obj;
}
