#include "cli/network_json.h"
#include "util/cleanup.h"
#include "util/kv.h"
#include "util/xalloc.h"

#include <string.h>

void format_created(const berth_network *net, char buf[64])
{
	struct tm tm;
	char date[40];

	gmtime_r(&net->created_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 64, "%s.%09ldZ", date, net->created_nsec);
}

static json_t *ipam_config(const berth_network *net)
{
	json_t *config = json_array();
	char text[BERTH_PREFIX_STRLEN];

	for (size_t i = 0; i < net->n_subnets; i++) {
		const berth_subnet *sn = &net->subnets[i];
		json_t *c = json_object();
		json_object_set_new(c, "Subnet", json_string(berth_prefix_format(&sn->subnet, text)));
		if (sn->has_ip_range)
			json_object_set_new(c, "IPRange", json_string(berth_prefix_format(&sn->ip_range, text)));
		if (sn->gateway.family)
			json_object_set_new(c, "Gateway", json_string(berth_addr_format(&sn->gateway, text)));
		json_array_append_new(config, c);
	}
	return config;
}

/* "10.1.0.2/24", "" for no address (Docker's) */
static const char *cidr_or_empty(const berth_addr *a, unsigned len, char buf[BERTH_PREFIX_STRLEN])
{
	berth_prefix p = { .addr = *a, .len = len };

	return a->family ? berth_prefix_format(&p, buf) : (*buf = '\0', buf);
}

static json_t *containers_json(const berth_network *net, berth_container **cs, size_t n)
{
	json_t *obj = json_object();

	for (size_t i = 0; i < n; i++)
		for (size_t e = 0; e < cs[i]->n_endpoints; e++) {
			const berth_endpoint *ep = &cs[i]->endpoints[e];
			char v4[BERTH_PREFIX_STRLEN], v6[BERTH_PREFIX_STRLEN];
			if (strcmp(ep->network_id, net->id))
				continue;
			json_object_set_new(obj, cs[i]->id,
					    json_pack("{s:s, s:s, s:s, s:s, s:s}", "Name", cs[i]->name, "EndpointID",
						      ep->id, "MacAddress", ep->mac, "IPv4Address",
						      cidr_or_empty(&ep->addr, ep->prefix_len, v4), "IPv6Address",
						      cidr_or_empty(&ep->addr6, ep->prefix_len6, v6)));
		}
	return obj;
}

json_t *network_inspect_json(const berth_network *net, berth_container **containers, size_t n_containers)
{
	char created[64];

	format_created(net, created);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:o, s:o}, s:b, s:b, s:b, s:{s:s}, s:b, s:o, s:o, s:o}",
			 "Name", net->name, "Id", net->id, "Created", created, "Scope", "local", "Driver",
			 net->driver, "EnableIPv6", net->enable_ipv6, "IPAM", "Driver", "default", "Options",
			 json_object(), "Config", ipam_config(net), "Internal", net->internal, "Attachable",
			 net->attachable, "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly", 0, "Containers",
			 containers_json(net, containers, n_containers), "Options", kv_to_json(&net->options), "Labels", kv_to_json(&net->labels));
}

static char *labels_text(const berth_kv_list *labels)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < labels->n; i++) {
		char *next = xasprintf("%s%s%s=%s", s, i ? "," : "", labels->items[i].key, labels->items[i].value);
		free(s);
		s = next;
	}
	return s;
}

json_t *network_ls_json(const berth_network *net, bool no_trunc)
{
	char created[64], id[BERTH_ID_HEX + 1];
	_cleanup_free_ char *labels = labels_text(&net->labels);

	format_created(net, created);
	snprintf(id, sizeof(id), "%.*s", no_trunc ? BERTH_ID_HEX : BERTH_SHORT_ID_HEX, net->id);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "CreatedAt", created, "Driver", net->driver, "ID",
			 id, "IPv6", net->enable_ipv6 ? "true" : "false", "Internal",
			 net->internal ? "true" : "false", "Labels", labels, "Name", net->name, "Scope", "local");
}
