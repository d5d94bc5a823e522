#include "cni/cni.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The spec's well-known error codes (SPEC.md, "Error") */
enum {
	CNI_ERR_VERSION = 1,   /* incompatible CNI version */
	CNI_ERR_ENV = 4,       /* invalid necessary environment variables */
	CNI_ERR_DECODE = 6,    /* failed to decode content */
	CNI_ERR_CONFIG = 7,    /* invalid network config */
	CNI_ERR_NOT_YET = 100, /* berth's own: not served yet */
};

#define CNI_LATEST "1.1.0"
static const char *const supported[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", CNI_LATEST };
#define N_SUPPORTED (sizeof(supported) / sizeof(*supported))

static bool version_supported(const char *v)
{
	for (size_t i = 0; i < N_SUPPORTED; i++)
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

/* The spec's error result, in the version asked for when it is one of
 * ours; the exit status is never 0. */
static int fail(const char *version, int code, const char *msg, const char *details)
{
	json_t *j = json_pack("{s:s,s:i,s:s}", "cniVersion", version && version_supported(version) ? version : CNI_LATEST,
			      "code", code, "msg", msg);

	if (details)
		json_object_set_new(j, "details", json_string(details));
	emit(j);
	return 1;
}

bool cni_invoked(int argc)
{
	return argc == 1 && getenv("CNI_COMMAND") != NULL;
}

/* The configuration on stdin: a JSON object with a cniVersion (which
 * the caller checks). NULL after saying why. */
static json_t *read_config(int *status)
{
	json_error_t jerr;
	json_t *conf = json_loadf(stdin, 0, &jerr);
	const char *version;

	if (!conf) {
		char details[256];
		snprintf(details, sizeof(details), "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		*status = fail(NULL, CNI_ERR_DECODE, "the network configuration on stdin is not JSON", details);
		return NULL;
	}
	if (!json_is_object(conf)) {
		json_decref(conf);
		*status = fail(NULL, CNI_ERR_CONFIG, "the network configuration is not a JSON object", NULL);
		return NULL;
	}
	version = json_string_value(json_object_get(conf, "cniVersion"));
	if (!version) {
		json_decref(conf);
		*status = fail(NULL, CNI_ERR_CONFIG, "the network configuration has no cniVersion", NULL);
		return NULL;
	}
	return conf;
}

/* VERSION: the versions berth speaks, whatever the configuration's. */
static int answer_version(void)
{
	json_t *versions = json_array();

	for (size_t i = 0; i < N_SUPPORTED; i++)
		json_array_append_new(versions, json_string(supported[i]));
	return emit(json_pack("{s:s,s:o}", "cniVersion", CNI_LATEST, "supportedVersions", versions));
}

int cni_main(void)
{
	static const char *const commands[] = { "ADD", "DEL", "CHECK", "GC", "STATUS" };
	const char *cmd = getenv("CNI_COMMAND"), *version;
	int status = 0;
	json_t *conf;
	char msg[160];

	if (!strcmp(cmd, "VERSION"))
		return answer_version();
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		if (strcmp(cmd, commands[i]))
			continue;
		if (!(conf = read_config(&status)))
			return status;
		version = json_string_value(json_object_get(conf, "cniVersion"));
		if (!version_supported(version)) {
			snprintf(msg, sizeof(msg), "cniVersion \"%.40s\" is not one berth speaks (0.3.0 to " CNI_LATEST ")",
				 version);
			status = fail(NULL, CNI_ERR_VERSION, msg, NULL);
		} else {
			snprintf(msg, sizeof(msg), "CNI_COMMAND %s is not served yet by this build of berth", cmd);
			status = fail(version, CNI_ERR_NOT_YET, msg, NULL);
		}
		json_decref(conf);
		return status;
	}
	snprintf(msg, sizeof(msg), "CNI_COMMAND \"%.40s\": not one of ADD, DEL, CHECK, GC, STATUS, VERSION", cmd);
	return fail(NULL, CNI_ERR_ENV, msg, NULL);
}
