#include "cni/cni.h"
#include "cni/commands.h"
#include "cni/conf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CNI_LATEST "1.1.0"
static const char *const supported[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", CNI_LATEST };
#define N_SUPPORTED (sizeof(supported) / sizeof(*supported))

static bool version_supported(const char *v)
{
	for (size_t i = 0; v && i < N_SUPPORTED; i++)
		if (!strcmp(v, supported[i]))
			return true;
	return false;
}

/* Prints j on stdout (and frees it); 0 when it went out whole. */
static int emit(json_t *j)
{
	int ret = json_dumpf(j, stdout, JSON_COMPACT) == 0 && fputc('\n', stdout) != EOF && fflush(stdout) == 0;

	json_decref(j);
	return ret ? 0 : 1;
}

/* JSON carries UTF-8 only, and a runtime logs the message: what is not
 * printable ASCII (a runtime's variable may hold anything) shows as '?'. */
static void make_printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}

/* The spec's error result, in the version asked for when it is one of
 * ours; the exit status is never 0. */
static int fail(const char *version, cni_error *e)
{
	make_printable(e->msg);
	make_printable(e->details);
	json_t *j = json_pack("{s:s,s:i,s:s}", "cniVersion", version_supported(version) ? version : CNI_LATEST, "code",
			      e->code, "msg", e->msg);

	if (*e->details)
		json_object_set_new(j, "details", json_string(e->details));
	emit(j);
	return 1;
}

bool cni_invoked(int argc)
{
	return argc == 1 && getenv("CNI_COMMAND") != NULL;
}

/* VERSION: the versions berth speaks, whatever the configuration's. */
static int answer_version(void)
{
	json_t *versions = json_array();

	for (size_t i = 0; i < N_SUPPORTED; i++)
		json_array_append_new(versions, json_string(supported[i]));
	return emit(json_pack("{s:s,s:o}", "cniVersion", CNI_LATEST, "supportedVersions", versions));
}

static int run(const char *cmd, const cni_conf *conf, cni_error *e)
{
	json_t *result = NULL;

	if (!strcmp(cmd, "ADD")) {
		if (cni_add(conf, &result, e) < 0)
			return -1;
		return emit(result) ? cni_error_set(e, CNI_ERR_IO, "writing the result") : 0;
	}
	if (!strcmp(cmd, "DEL"))
		return cni_del(conf, e);
	if (!strcmp(cmd, "CHECK"))
		return cni_check(conf, e);
	if (!strcmp(cmd, "GC"))
		return cni_gc(conf, e);
	return cni_status(conf, e);
}

int cni_main(void)
{
	static const char *const commands[] = { "ADD", "DEL", "CHECK", "GC", "STATUS" };
	const char *cmd = getenv("CNI_COMMAND");
	cni_error e = { 0 };
	cni_conf conf;
	bool known = false;
	int status = 0;

	if (!strcmp(cmd, "VERSION"))
		return answer_version();
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		known |= !strcmp(cmd, commands[i]);
	if (!known) {
		cni_error_set(&e, CNI_ERR_ENV, "CNI_COMMAND \"%.40s\": not one of ADD, DEL, CHECK, GC, STATUS, VERSION",
			      cmd);
		return fail(NULL, &e);
	}
	if (cni_conf_read(&conf, stdin, &e) < 0) {
		status = fail(NULL, &e);
	} else if (!version_supported(conf.version)) {
		cni_error_set(&e, CNI_ERR_VERSION, "cniVersion \"%.40s\" is not one berth speaks (0.3.0 to " CNI_LATEST ")",
			      conf.version);
		status = fail(NULL, &e);
	} else if (cni_conf_read_rest(&conf, &e) < 0 || run(cmd, &conf, &e) < 0) {
		status = fail(conf.version, &e);
	}
	cni_conf_free(&conf);
	return status;
}
