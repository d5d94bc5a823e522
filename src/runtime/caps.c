#include "runtime/caps.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#define ALL_CAPS "ALL"

static cap_mask bit(cap_value_t v)
{
	return (cap_mask)1 << v;
}

cap_mask caps_default(void)
{
	return bit(CAP_CHOWN) | bit(CAP_DAC_OVERRIDE) | bit(CAP_FSETID) | bit(CAP_FOWNER) | bit(CAP_MKNOD) |
	       bit(CAP_NET_RAW) | bit(CAP_SETGID) | bit(CAP_SETUID) | bit(CAP_SETFCAP) | bit(CAP_SETPCAP) |
	       bit(CAP_NET_BIND_SERVICE) | bit(CAP_SYS_CHROOT) | bit(CAP_KILL) | bit(CAP_AUDIT_WRITE);
}

/* libcap asks the kernel how many it has, once, when it is loaded */
static cap_value_t kernel_caps(void)
{
	cap_value_t n = (cap_value_t)cap_max_bits();

	return n > 64 ? 64 : n;
}

/* Our own permitted set: what the kernel has, less what berth's own
 * environment took away (a container, a systemd unit's bounding set).
 * Nothing outside it can be given, as in Docker. */
cap_mask caps_all(void)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (capget(&head, data) < 0)
		return 0;
	return (cap_mask)data[1].permitted << 32 | data[0].permitted;
}

/* cap_from_name also takes numbers ("12"): Docker takes only names */
static bool is_cap_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static char *upper_with_prefix(const char *name)
{
	char *s = strncasecmp(name, "CAP_", 4) ? xasprintf("CAP_%s", name) : xstrdup(name);

	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

static int normalize_one(const char *name, const char *flag, char **out, berth_err *err)
{
	cap_value_t v;

	if (!strcasecmp(name, ALL_CAPS)) {
		*out = xstrdup(ALL_CAPS);
		return 0;
	}
	char *s = upper_with_prefix(name);
	if (!is_cap_word(s + 4) || cap_from_name(s, &v) < 0) {
		int ret = berth_err_set(err, EINVAL, "invalid %s \"%s\": unknown capability \"%s\"", flag, name, s);
		free(s);
		return ret;
	}
	if (!(caps_all() & bit(v))) {
		int ret = berth_err_set(err, EINVAL,
					"invalid %s \"%s\": capability %s is not supported by this kernel or not held by "
					"berth",
					flag, name, s);
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int caps_normalize(const char *const *names, size_t n, const char *flag, char ***out, size_t *n_out, berth_err *err)
{
	char **v = NULL, *name = NULL;
	size_t count = 0;

	*out = NULL;
	*n_out = 0;
	for (size_t i = 0; i < n; i++) {
		int ret = normalize_one(names[i], flag, &name, err);
		if (ret < 0) {
			strv_free(v);
			return ret;
		}
		if (strv_contains(v, name))
			free(name);
		else
			strv_push(&v, &count, name);
	}
	if (strv_contains(v, ALL_CAPS)) {
		strv_free(v);
		v = NULL;
		count = 0;
		strv_push(&v, &count, xstrdup(ALL_CAPS));
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), by_name);
	*out = v;
	*n_out = count;
	return 0;
}

static bool has_all(char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], ALL_CAPS))
			return true;
	return false;
}

/* The named capabilities, ALL aside. */
static int mask_of(char *const *names, size_t n, cap_mask *out, berth_err *err)
{
	cap_value_t v;

	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(names[i], ALL_CAPS))
			continue;
		if (cap_from_name(names[i], &v) < 0 || v >= 64)
			return berth_err_set(err, EINVAL, "unknown capability \"%s\"", names[i]);
		*out |= bit(v);
	}
	return 0;
}

int caps_resolve(char *const *add, size_t n_add, char *const *drop, size_t n_drop, bool privileged, cap_mask *out,
		 berth_err *err)
{
	cap_mask added, dropped;
	int ret;

	if (privileged) {
		*out = caps_all();
		return 0;
	}
	if ((ret = mask_of(add, n_add, &added, err)) < 0 || (ret = mask_of(drop, n_drop, &dropped, err)) < 0)
		return ret;
	if (has_all(add, n_add))
		*out = ~dropped;
	else if (has_all(drop, n_drop))
		*out = added;
	else
		*out = (caps_default() & ~dropped) | added;
	/* one of Docker's defaults berth does not hold is not given */
	*out &= caps_all();
	return 0;
}

/* Only system calls from here: this runs in a child forked from a
 * process that may have had threads, where malloc is not safe. */
static int drop_bounding(cap_mask mask)
{
	for (cap_value_t v = 0; v < kernel_caps(); v++)
		if (!(mask & bit(v)) && prctl(PR_CAPBSET_DROP, (unsigned long)v, 0, 0, 0) < 0)
			return -errno;
	return 0;
}

/* The inheritable set stays empty, as Docker's since CVE-2022-24769:
 * with it, a process that is not root could regain capabilities through
 * a file's inheritable capabilities. Root's exec still gets the bounding
 * set as permitted and effective. */
static int set_sets(cap_mask mask)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	for (int i = 0; i < 2; i++)
		data[i].permitted = data[i].effective = (uint32_t)(mask >> (32 * i));
	return capset(&head, data) < 0 ? -errno : 0;
}

int caps_apply(cap_mask mask, bool no_new_privs, const char **what)
{
	int ret;

	/* the bounding set first: dropping from it needs CAP_SETPCAP */
	if ((ret = drop_bounding(mask)) < 0) {
		*what = "dropping capabilities from the bounding set";
		return ret;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		*what = "clearing the ambient capabilities";
		return -errno;
	}
	if ((ret = set_sets(mask)) < 0) {
		*what = "setting the capabilities";
		return ret;
	}
	if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*what = "setting no_new_privs";
		return -errno;
	}
	return 0;
}
