/* Unit tests for src/runtime/caps.c: --cap-add/--cap-drop names as Docker
 * records them, and the set a container gets from them (moby's rules). */
#include <linux/capability.h>
#include <stdlib.h>

#include "unit.h"

#include "runtime/caps.h"
#include "util/strv.h"

#define BIT(c) ((cap_mask)1 << (c))

/* normalize: the names as given, or NULL and the error's message */
static char **normalize(const char *const *names, size_t n, size_t *n_out, char **msg)
{
	berth_err err = { 0 };
	char **out = NULL;

	*msg = NULL;
	if (caps_normalize(names, n, "--cap-add", &out, n_out, &err) < 0)
		*msg = err.msg;
	else
		berth_err_clear(&err);
	return out;
}

static void test_names_as_docker_records_them(void **state)
{
	const char *const in[] = { "net_admin", "Sys_Time", "CAP_NET_ADMIN", "cap_chown" };
	size_t n;
	char *msg;
	char **out = normalize(in, 4, &n, &msg);

	(void)state;
	assert_null(msg);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "CAP_CHOWN");
	assert_string_equal(out[1], "CAP_NET_ADMIN");
	assert_string_equal(out[2], "CAP_SYS_TIME");
	assert_null(out[3]);
	strv_free(out);
}

static void test_all_stands_alone(void **state)
{
	const char *const in[] = { "net_admin", "all" };
	size_t n;
	char *msg;
	char **out = normalize(in, 2, &n, &msg);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "ALL");
	strv_free(out);
	out = normalize(NULL, 0, &n, &msg);
	assert_null(out);
	assert_int_equal(n, 0);
}

static void test_unknown_names_refused(void **state)
{
	const char *const bad[] = { "FOO", "12", "cap_", "", "net-admin", "CAP_NET_ADMIN " };
	size_t n;
	char *msg;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(normalize(&bad[i], 1, &n, &msg));
		assert_non_null(msg);
		free(msg);
	}
	assert_null(normalize((const char *const[]){ "foo" }, 1, &n, &msg));
	assert_string_equal(msg, "invalid --cap-add \"foo\": unknown capability \"CAP_FOO\"");
	free(msg);
}

static cap_mask resolve(char *const *add, size_t n_add, char *const *drop, size_t n_drop, bool privileged)
{
	berth_err err = { 0 };
	cap_mask m = 0;

	assert_int_equal(caps_resolve(add, n_add, drop, n_drop, privileged, &m, &err), 0);
	return m;
}

static void test_resolve_as_moby(void **state)
{
	char *net_admin[] = { "CAP_NET_ADMIN", NULL }, *all[] = { "ALL", NULL };
	char *nbs[] = { "CAP_NET_BIND_SERVICE", NULL }, *mknod[] = { "CAP_MKNOD", NULL };
	cap_mask held = caps_all();

	(void)state;
	/* Docker's default set, as /proc shows it for a docker run */
	assert_int_equal(caps_default(), 0xa80425fbULL);
	assert_int_equal(resolve(NULL, 0, NULL, 0, false), caps_default() & held);
	assert_int_equal(resolve(net_admin, 1, NULL, 0, false), (caps_default() | BIT(CAP_NET_ADMIN)) & held);
	assert_int_equal(resolve(NULL, 0, mknod, 1, false), caps_default() & ~BIT(CAP_MKNOD) & held);
	assert_int_equal(resolve(nbs, 1, all, 1, false), BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(resolve(all, 1, net_admin, 1, false), held & ~BIT(CAP_NET_ADMIN));
	assert_int_equal(resolve(NULL, 0, all, 1, true), held);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_as_docker_records_them),
		cmocka_unit_test(test_all_stands_alone),
		cmocka_unit_test(test_unknown_names_refused),
		cmocka_unit_test(test_resolve_as_moby),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
