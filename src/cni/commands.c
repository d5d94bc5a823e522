#include "cni/commands.h"
#include "cni/network.h"
#include "cni/result.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A CNI_* variable the command needs. */
static const char *need_env(const char *name, cni_error *e)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		cni_error_set(e, CNI_ERR_ENV, "%s is not set: the runtime must give it for CNI_COMMAND %s", name,
			      getenv("CNI_COMMAND"));
		return NULL;
	}
	return v;
}

/* libberth's failure as the spec's error; -1. */
static int failed(int ret, berth_err *err, cni_error *e, const char *what)
{
	cni_error_set(e, cni_code_of(ret), "%s: %s", what, err->msg ? err->msg : strerror(-ret));
	berth_err_clear(err);
	return -1;
}

/* The store the configuration names ("root", "runDir"), else the
 * environment's or berth's defaults. Warnings go to stderr: stdout is the
 * runtime's. */
static int open_berth(const cni_conf *conf, berth_ctx **ctx, cni_error *e)
{
	berth_config cfg = { .root = conf->root, .run_dir = conf->run_dir };
	berth_err err = { 0 };
	size_t n;

	if (berth_open(&cfg, ctx, &err) < 0) {
		int code = err.code == EBUSY ? CNI_ERR_TRY_LATER : CNI_ERR_IO;
		cni_error_set(e, code, "opening berth's store: %s", err.msg ? err.msg : strerror(err.code ? err.code : EIO));
		berth_err_clear(&err);
		return -1;
	}
	const char *const *warnings = berth_warnings(*ctx, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "berth: warning: %s\n", warnings[i]);
	return 0;
}

static int attach(berth_ctx *ctx, const cni_conf *conf, const berth_network *net, json_t **result, cni_error *e)
{
	const char *id = need_env("CNI_CONTAINERID", e), *netns = id ? need_env("CNI_NETNS", e) : NULL;
	const char *ifname = netns ? need_env("CNI_IFNAME", e) : NULL;
	berth_container *c = NULL;
	berth_err err = { 0 };

	if (!ifname)
		return -1;
	berth_attach_spec spec = { .external_id = id,
				   .name = conf->pod_name,
				   .netns_path = netns,
				   .ifname = ifname,
				   .network = net->id,
				   .ip = conf->ip,
				   .ip6 = conf->ip6,
				   .mac = conf->mac,
				   .aliases = conf->aliases,
				   .n_aliases = conf->n_aliases,
				   .publish = (const char *const *)conf->publish,
				   .n_publish = conf->n_publish,
				   .resolver = conf->resolver };
	int ret = berth_attach(ctx, &spec, &c, &err);
	if (ret < 0)
		return failed(ret, &err, e, "attaching");
	/* as the container is served, which its first attachment decided */
	*result = cni_result(conf->version, net, c, ifname, netns, !c->own_dns);
	berth_container_free(c);
	return 0;
}

int cni_add(const cni_conf *conf, json_t **result, cni_error *e)
{
	berth_ctx *ctx = NULL;
	berth_network *net = NULL;
	int ret = open_berth(conf, &ctx, e);

	if (ret == 0 && (ret = cni_network_ensure(ctx, conf, &net, e)) == 0)
		ret = attach(ctx, conf, net, result, e);
	berth_network_free(net);
	berth_close(ctx);
	return ret;
}

/* The configuration's network, by its exact name; *net NULL when berth
 * has none. */
static int named_network(berth_ctx *ctx, const cni_conf *conf, berth_network **net, cni_error *e)
{
	berth_err err = { 0 };
	int ret = cni_network_named(ctx, conf->name, net, &err);

	return ret < 0 ? failed(ret, &err, e, "reading the networks") : 0;
}

/* Idempotent, and needs no namespace (containerd's DEL has none); only
 * the configuration's network is touched. */
int cni_del(const cni_conf *conf, cni_error *e)
{
	const char *id = need_env("CNI_CONTAINERID", e), *ifname = id ? need_env("CNI_IFNAME", e) : NULL;
	berth_ctx *ctx = NULL;
	berth_network *net = NULL;
	berth_err err = { 0 };
	int ret;

	if (!ifname || open_berth(conf, &ctx, e) < 0)
		return -1;
	/* no such network: nothing of it to detach */
	if ((ret = named_network(ctx, conf, &net, e)) == 0 && net && (ret = berth_detach(ctx, id, net->id, ifname, &err)) < 0)
		ret = failed(ret, &err, e, "detaching");
	berth_network_free(net);
	berth_close(ctx);
	return ret;
}

int cni_check(const cni_conf *conf, cni_error *e)
{
	const char *id = need_env("CNI_CONTAINERID", e), *netns = id ? need_env("CNI_NETNS", e) : NULL;
	const char *ifname = netns ? need_env("CNI_IFNAME", e) : NULL;
	berth_ctx *ctx = NULL;
	berth_network *net = NULL;
	berth_err err = { 0 };
	int ret;

	if (!ifname || open_berth(conf, &ctx, e) < 0)
		return -1;
	if ((ret = named_network(ctx, conf, &net, e)) == 0 && !net)
		ret = cni_error_set(e, CNI_ERR_UNKNOWN, "checking: berth has no network %s", conf->name);
	else if (ret == 0 && (ret = berth_attachment_check(ctx, id, net->id, ifname, netns, &err)) < 0)
		ret = failed(ret, &err, e, "checking");
	berth_network_free(net);
	berth_close(ctx);
	return ret;
}

/* The attachment (container ID, interface) is one the runtime keeps. */
static bool is_valid(const json_t *valid, const char *id, const char *ifname)
{
	size_t i;
	const json_t *v;

	json_array_foreach(valid, i, v) {
		const char *vid = json_string_value(json_object_get(v, "containerID"));
		const char *vif = json_string_value(json_object_get(v, "ifname"));
		if (vid && !strcmp(vid, id) && (!vif || !strcmp(vif, ifname)))
			return true;
	}
	return false;
}

/* Detaches every attachment to this network that the runtime did not
 * name; listing the containers first releases those whose namespace is
 * gone. */
static int collect(berth_ctx *ctx, const cni_conf *conf, const berth_network *net, cni_error *e)
{
	berth_container **cs = NULL;
	berth_err err = { 0 };
	size_t n = 0;
	int ret = berth_container_list(ctx, &cs, &n, &err);

	if (ret < 0)
		return failed(ret, &err, e, "listing containers");
	for (size_t i = 0; ret == 0 && i < n; i++) {
		for (size_t j = 0; cs[i]->external_id && ret == 0 && j < cs[i]->n_endpoints; j++) {
			const berth_endpoint *ep = &cs[i]->endpoints[j];
			if (strcmp(ep->network_id, net->id) || is_valid(conf->valid_attachments, cs[i]->external_id, ep->ifname))
				continue;
			if ((ret = berth_detach(ctx, cs[i]->external_id, net->id, ep->ifname, &err)) < 0)
				ret = failed(ret, &err, e, "detaching");
		}
	}
	berth_container_list_free(cs, n);
	return ret;
}

int cni_gc(const cni_conf *conf, cni_error *e)
{
	berth_ctx *ctx = NULL;
	berth_network *net = NULL;
	int ret;

	if (conf->valid_attachments && !json_is_array(conf->valid_attachments))
		return cni_error_set(e, CNI_ERR_CONFIG, "cni.dev/valid-attachments is not a list");
	if (open_berth(conf, &ctx, e) < 0)
		return -1;
	/* no such network: nothing of it to collect */
	if ((ret = named_network(ctx, conf, &net, e)) == 0 && net)
		ret = collect(ctx, conf, net, e);
	berth_network_free(net);
	berth_close(ctx);
	return ret;
}

/* Ready when berth's store opens. */
int cni_status(const cni_conf *conf, cni_error *e)
{
	berth_ctx *ctx = NULL;

	if (open_berth(conf, &ctx, e) < 0) {
		e->code = CNI_ERR_NOT_AVAILABLE;
		return -1;
	}
	berth_close(ctx);
	return 0;
}
