/* A CNI network configuration as a runtime gives it (stdin) and CNI_ARGS:
 * read whole or refused with one of the spec's codes and a message; each
 * portMapping that is read becomes a -p spec that berth's own parser
 * takes or refuses with a message, never anything else. The first input
 * byte splits CNI_ARGS (before it) from the configuration (after). */
#include "fuzz.h"

#include "cni/conf.h"
#include "core/port_spec.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static void check_error(const cni_error *e)
{
	if (!e->msg[0] || e->code < 1 || e->code > 100)
		abort();
}

static void check_publish(const cni_conf *conf)
{
	for (size_t i = 0; i < conf->n_publish; i++) {
		berth_port *ports = NULL;
		size_t n = 0;
		berth_err err = { 0 };
		int ret = port_spec_parse(conf->publish[i], &ports, &n, &err);
		if (ret < 0 && (!err.msg || n))
			abort();
		if (ret == 0 && !n)
			abort();
		free(ports);
		berth_err_clear(&err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t split = size ? data[0] % (size < 64 ? size : 64) : 0;
	char *args = strndup((const char *)data + (size ? 1 : 0), split ? split - 1 : 0);
	size_t start = size ? 1 + (split ? split - 1 : 0) : 0;
	FILE *in = fmemopen((void *)(data + start), size - start, "r");
	cni_error e = { 0 };
	cni_conf conf;

	if (!in) {
		/* fmemopen of nothing: an empty stdin */
		in = fopen("/dev/null", "r");
	}
	setenv("CNI_ARGS", args, 1);
	if (cni_conf_read(&conf, in, &e) < 0 || cni_conf_read_rest(&conf, &e) < 0)
		check_error(&e);
	else
		check_publish(&conf);
	cni_conf_free(&conf);
	fclose(in);
	free(args);
	return 0;
}
