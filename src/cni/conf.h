/* What a CNI invocation brings: the network configuration on stdin (the
 * spec's keys and berth's own), runtimeConfig, and the CNI_* variables,
 * read into plain strings for <berth.h>'s specs. */
#ifndef BERTH_CNI_CONF_H
#define BERTH_CNI_CONF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The spec's well-known error codes (SPEC.md, "Error"); 100 and up are
 * the plugin's own. */
enum {
	CNI_ERR_VERSION = 1,	    /* incompatible CNI version */
	CNI_ERR_UNSUPPORTED = 2,    /* unsupported field in network configuration */
	CNI_ERR_UNKNOWN = 3,	    /* container unknown or does not exist */
	CNI_ERR_ENV = 4,	    /* invalid necessary environment variables */
	CNI_ERR_IO = 5,		    /* I/O failure */
	CNI_ERR_DECODE = 6,	    /* failed to decode content */
	CNI_ERR_CONFIG = 7,	    /* invalid network config */
	CNI_ERR_TRY_LATER = 11,	    /* try again later */
	CNI_ERR_NOT_AVAILABLE = 50, /* STATUS: the plugin cannot serve ADDs */
	CNI_ERR_BERTH = 100,	    /* berth refused or failed; msg says why */
};

/* A failure to report: code, msg and, maybe, details. */
typedef struct cni_error {
	int code;
	char msg[512];
	char details[256];
} cni_error;

int cni_error_set(cni_error *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The spec's code for a failure of libberth's (a negative errno). */
int cni_code_of(int ret);

typedef struct cni_conf {
	json_t *json; /* the whole configuration; the strings below point into it */
	const char *version;
	const char *name; /* the network's */
	/* the network, made on the first ADD when berth has none of that name */
	const char *driver; /* "bridge" (default) or "macvlan" */
	const char *subnets[2], *gateways[2], *ip_ranges[2];
	size_t n_subnets, n_gateways, n_ip_ranges;
	bool ipv6, internal;
	char **options; /* "KEY=VALUE": berth's "options", mtu, ipMasq */
	size_t n_options;
	/* where berth's state is: a DEL from Podman's cleanup has none of
	 * the caller's environment */
	const char *root, *run_dir;
	/* runtimeConfig, and CNI_ARGS' IP=, MAC= and K8S_POD_NAME= */
	char **publish; /* portMappings, as -p specs */
	size_t n_publish;
	const char *ip, *ip6, *mac, *pod_name;
	const char **aliases; /* this network's */
	size_t n_aliases;
	/* berth's resolver in the namespace: "resolver", else whether the
	 * configuration declares the aliases capability */
	bool resolver;
	const json_t *valid_attachments; /* GC's cni.dev/valid-attachments */
	char **owned;			 /* strings the ones above point into */
	size_t n_owned;
} cni_conf;

/* Reads the configuration (the runtime gives it on stdin): JSON, an
 * object, a cniVersion (the caller checks it is one berth speaks).
 * cni_conf_free whatever this returns. */
int cni_conf_read(cni_conf *conf, FILE *in, cni_error *e);
/* Then the rest: the network's keys, runtimeConfig and CNI_ARGS. */
int cni_conf_read_rest(cni_conf *conf, cni_error *e);
void cni_conf_free(cni_conf *conf);

#endif
