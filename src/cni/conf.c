#include "cni/conf.h"

#include "util/strv.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cni_error_set(cni_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int cni_code_of(int ret)
{
	switch (-ret) {
	case EINVAL:
	case EADDRINUSE:
	case EADDRNOTAVAIL:
	case ENOSPC:
	case EEXIST:
		return CNI_ERR_CONFIG;
	case EBUSY:
	case EAGAIN:
		return CNI_ERR_TRY_LATER;
	case ENOENT:
	case ENODEV:
		return CNI_ERR_UNKNOWN;
	case EIO:
		return CNI_ERR_IO;
	default:
		return CNI_ERR_BERTH;
	}
}

/* A key that must be a string when present; NULL when absent. */
static int string_key(const json_t *obj, const char *key, const char **out, cni_error *e)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return cni_error_set(e, CNI_ERR_CONFIG, "invalid network configuration: \"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

static int bool_key(const json_t *obj, const char *key, bool dflt, bool *out, cni_error *e)
{
	const json_t *v = json_object_get(obj, key);

	*out = dflt;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return cni_error_set(e, CNI_ERR_CONFIG, "invalid network configuration: \"%s\" must be true or false",
				     key);
	*out = json_is_true(v);
	return 0;
}

/* Where a subnet, gateway or range goes: by its family, as berth's
 * --subnet, --gateway and --ip-range take them (one of each family). */
static int add_addressing(cni_conf *conf, const json_t *obj, cni_error *e)
{
	const char *subnet, *gateway, *range;

	if (string_key(obj, "subnet", &subnet, e) < 0 || string_key(obj, "gateway", &gateway, e) < 0 ||
	    string_key(obj, "ipRange", &range, e) < 0)
		return -1;
	if (subnet && conf->n_subnets < 2)
		conf->subnets[conf->n_subnets++] = subnet;
	if (gateway && conf->n_gateways < 2)
		conf->gateways[conf->n_gateways++] = gateway;
	if (range && conf->n_ip_ranges < 2)
		conf->ip_ranges[conf->n_ip_ranges++] = range;
	return 0;
}

/* host-local's "ranges": [[{"subnet", "gateway"}, ...], ...], at the top
 * or under "ipam" (a configuration written for the bridge plugin): the
 * first range of each set, one set per family. */
static int read_ranges(cni_conf *conf, cni_error *e)
{
	const json_t *ranges = json_object_get(conf->json, "ranges"), *set;
	size_t i;

	if (!ranges)
		ranges = json_object_get(json_object_get(conf->json, "ipam"), "ranges");
	if (ranges && !json_is_array(ranges))
		return cni_error_set(e, CNI_ERR_CONFIG, "invalid network configuration: \"ranges\" must be a list of lists");
	json_array_foreach(ranges, i, set) {
		const json_t *first = json_array_get(set, 0);
		if (!json_is_object(first))
			return cni_error_set(e, CNI_ERR_CONFIG,
					     "invalid network configuration: each of \"ranges\" must be a list of ranges");
		if (add_addressing(conf, first, e) < 0)
			return -1;
	}
	return 0;
}

/* "subnet"/"gateway"/"ipRange" for one family, and "ipv6": {"subnet",
 * "gateway", "ipRange"} for the other when the network has both; or
 * host-local's "ranges". */
static int read_addressing(cni_conf *conf, cni_error *e)
{
	const json_t *v6 = json_object_get(conf->json, "ipv6");

	if (add_addressing(conf, conf->json, e) < 0 || read_ranges(conf, e) < 0)
		return -1;
	for (size_t i = 0; i < conf->n_subnets; i++)
		conf->ipv6 |= strchr(conf->subnets[i], ':') != NULL;
	if (json_is_object(v6)) {
		conf->ipv6 = true;
		return add_addressing(conf, v6, e);
	}
	bool asked;
	if (bool_key(conf->json, "ipv6", false, &asked, e) < 0)
		return -1;
	conf->ipv6 |= asked;
	return 0;
}

/* berth's "options" ({"KEY": "VALUE"}, as `network create -o`), then the
 * spec's usual keys, which are options of berth's bridge driver. */
static int read_options(cni_conf *conf, cni_error *e)
{
	const json_t *opts = json_object_get(conf->json, "options"), *mtu = json_object_get(conf->json, "mtu");
	const char *key;
	json_t *value;
	bool masq, gateway;

	if (opts && !json_is_object(opts))
		return cni_error_set(e, CNI_ERR_CONFIG, "invalid network configuration: \"options\" must be an object");
	json_object_foreach((json_t *)opts, key, value) {
		if (!json_is_string(value))
			return cni_error_set(e, CNI_ERR_CONFIG,
					     "invalid network configuration: option \"%s\" must be a string", key);
		strv_push(&conf->options, &conf->n_options, xasprintf("%s=%s", key, json_string_value(value)));
	}
	if (mtu && !json_is_integer(mtu))
		return cni_error_set(e, CNI_ERR_CONFIG, "invalid network configuration: \"mtu\" must be a number");
	if (mtu)
		strv_push(&conf->options, &conf->n_options,
		     xasprintf("com.docker.network.driver.mtu=%lld", (long long)json_integer_value(mtu)));
	if (bool_key(conf->json, "ipMasq", true, &masq, e) < 0 || bool_key(conf->json, "isGateway", true, &gateway, e) < 0)
		return -1;
	if (!masq)
		strv_push(&conf->options, &conf->n_options, xasprintf("com.docker.network.bridge.enable_ip_masquerade=false"));
	if (!gateway)
		return cni_error_set(e, CNI_ERR_UNSUPPORTED,
				     "\"isGateway\": false is not supported: berth's bridge is always its network's gateway");
	return bool_key(conf->json, "internal", false, &conf->internal, e);
}

/* berth's resolver, for a runtime that wants names: "resolver" when
 * given, else whether the configuration declares the aliases capability
 * (Podman's does; the kubelet and containerd bring their own DNS, and a
 * table of berth's in their namespaces would only be in the way). */
static int read_resolver(cni_conf *conf, cni_error *e)
{
	const json_t *aliases = json_object_get(json_object_get(conf->json, "capabilities"), "aliases");

	return bool_key(conf->json, "resolver", json_is_true(aliases), &conf->resolver, e);
}

static int read_network(cni_conf *conf, cni_error *e)
{
	if (string_key(conf->json, "name", &conf->name, e) < 0 || string_key(conf->json, "driver", &conf->driver, e) < 0 ||
	    string_key(conf->json, "root", &conf->root, e) < 0 || string_key(conf->json, "runDir", &conf->run_dir, e) < 0)
		return -1;
	if (!conf->name || !*conf->name)
		return cni_error_set(e, CNI_ERR_CONFIG, "invalid network configuration: no network \"name\"");
	return read_addressing(conf, e) < 0 ? -1 : read_options(conf, e);
}

static bool valid_port(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 65535;
}

/* {hostPort, containerPort, protocol[, hostIP]} as `-p [HOST_IP:]HOST_PORT:CONTAINER_PORT/PROTO`. */
static int add_port(cni_conf *conf, const json_t *m, cni_error *e)
{
	const json_t *host = json_object_get(m, "hostPort"), *cont = json_object_get(m, "containerPort");
	const char *proto = json_string_value(json_object_get(m, "protocol"));
	const char *ip = json_string_value(json_object_get(m, "hostIP"));
	struct in6_addr a6;
	char hp[8] = "";

	if (!json_is_object(m) || !valid_port(host) || !valid_port(cont) || json_integer_value(cont) == 0)
		return cni_error_set(e, CNI_ERR_CONFIG,
				     "invalid runtimeConfig.portMappings: each needs hostPort and containerPort (0-65535)");
	if (json_integer_value(host))
		snprintf(hp, sizeof(hp), "%lld", (long long)json_integer_value(host));
	if (!proto || !*proto)
		proto = "tcp";
	if (ip && *ip && inet_pton(AF_INET6, ip, &a6) == 1)
		strv_push(&conf->publish, &conf->n_publish,
		     xasprintf("[%s]:%s:%lld/%s", ip, hp, (long long)json_integer_value(cont), proto));
	else if (ip && *ip)
		strv_push(&conf->publish, &conf->n_publish,
		     xasprintf("%s:%s:%lld/%s", ip, hp, (long long)json_integer_value(cont), proto));
	else if (*hp)
		strv_push(&conf->publish, &conf->n_publish, xasprintf("%s:%lld/%s", hp, (long long)json_integer_value(cont), proto));
	else
		strv_push(&conf->publish, &conf->n_publish, xasprintf("%lld/%s", (long long)json_integer_value(cont), proto));
	return 0;
}

static const char *keep(cni_conf *conf, char *s)
{
	strv_push(&conf->owned, &conf->n_owned, s);
	return s;
}

/* An address for IP= or runtimeConfig.ips ("ADDR" or "ADDR/LEN"): the
 * one of its family. */
static void add_ip(cni_conf *conf, const char *text)
{
	struct in6_addr a6;
	const char *addr = keep(conf, xasprintf("%.*s", (int)strcspn(text, "/"), text));

	if (inet_pton(AF_INET6, addr, &a6) == 1)
		conf->ip6 = addr;
	else
		conf->ip = addr;
}

static int read_runtime_config(cni_conf *conf, cni_error *e)
{
	const json_t *rc = json_object_get(conf->json, "runtimeConfig"), *v;
	const json_t *ports = json_object_get(rc, "portMappings"), *ips = json_object_get(rc, "ips");
	const json_t *aliases = json_object_get(json_object_get(rc, "aliases"), conf->name);
	size_t i;

	if (rc && !json_is_object(rc))
		return cni_error_set(e, CNI_ERR_CONFIG, "invalid runtimeConfig: not an object");
	json_array_foreach(ports, i, v)
		if (add_port(conf, v, e) < 0)
			return -1;
	json_array_foreach(ips, i, v) {
		if (!json_is_string(v))
			return cni_error_set(e, CNI_ERR_CONFIG, "invalid runtimeConfig.ips: not a list of addresses");
		add_ip(conf, json_string_value(v));
	}
	if (json_is_string(json_object_get(rc, "mac")))
		conf->mac = json_string_value(json_object_get(rc, "mac"));
	json_array_foreach(aliases, i, v) {
		if (!json_is_string(v))
			return cni_error_set(e, CNI_ERR_CONFIG, "invalid runtimeConfig.aliases: not lists of names");
		conf->aliases = xrealloc(conf->aliases, (conf->n_aliases + 1) * sizeof(*conf->aliases));
		conf->aliases[conf->n_aliases++] = json_string_value(v);
	}
	conf->valid_attachments = json_object_get(conf->json, "cni.dev/valid-attachments");
	return 0;
}

/* CNI_ARGS, "K=V;K=V": Podman's IP= (several, comma-separated), MAC= and
 * K8S_POD_NAME=; what else comes is not berth's (IgnoreUnknown or not). */
static void read_args(cni_conf *conf)
{
	const char *args = getenv("CNI_ARGS");
	char *save = NULL;

	if (!args || !*args)
		return;
	char *copy = (char *)keep(conf, xasprintf("%s", args));
	for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *value = strchr(kv, '=');
		if (!value)
			continue;
		*value++ = '\0';
		if (!strcmp(kv, "IP")) {
			char *s2 = NULL;
			for (char *ip = strtok_r(value, ",", &s2); ip; ip = strtok_r(NULL, ",", &s2))
				add_ip(conf, ip);
		} else if (!strcmp(kv, "MAC")) {
			conf->mac = value;
		} else if (!strcmp(kv, "K8S_POD_NAME")) {
			conf->pod_name = value;
		}
	}
}

int cni_conf_read(cni_conf *conf, FILE *in, cni_error *e)
{
	json_error_t jerr;

	memset(conf, 0, sizeof(*conf));
	conf->json = json_loadf(in, 0, &jerr);
	if (!conf->json) {
		cni_error_set(e, CNI_ERR_DECODE, "the network configuration on stdin is not JSON");
		snprintf(e->details, sizeof(e->details), "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(conf->json))
		return cni_error_set(e, CNI_ERR_CONFIG, "the network configuration is not a JSON object");
	conf->version = json_string_value(json_object_get(conf->json, "cniVersion"));
	if (!conf->version)
		return cni_error_set(e, CNI_ERR_CONFIG, "the network configuration has no cniVersion");
	return 0;
}

int cni_conf_read_rest(cni_conf *conf, cni_error *e)
{
	if (read_network(conf, e) < 0 || read_resolver(conf, e) < 0 || read_runtime_config(conf, e) < 0)
		return -1;
	read_args(conf);
	return 0;
}

void cni_conf_free(cni_conf *conf)
{
	for (size_t i = 0; i < conf->n_options; i++)
		free(conf->options[i]);
	free(conf->options);
	for (size_t i = 0; i < conf->n_publish; i++)
		free(conf->publish[i]);
	free(conf->publish);
	for (size_t i = 0; i < conf->n_owned; i++)
		free(conf->owned[i]);
	free(conf->owned);
	free(conf->aliases);
	json_decref(conf->json);
}
