#include "driver/driver.h"
#include "util/kv.h"
#include "util/xalloc.h"

#include <net/if.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const driver_ops *const drivers[] = {
	&driver_bridge,
	&driver_macvlan,
	&driver_host,
	&driver_null,
};

/* Go's strconv.ParseBool, which Docker reads these options with. */
static const char *const bool_words[] = { "1", "t", "T", "TRUE", "true", "True",
					  "0", "f", "F", "FALSE", "false", "False" };

bool option_bool_value(const char *v, bool *out)
{
	for (size_t i = 0; i < sizeof(bool_words) / sizeof(bool_words[0]); i++)
		if (!strcmp(v, bool_words[i])) {
			*out = i < 6;
			return true;
		}
	return false;
}

bool driver_valid_gateway_mode(const char *mode)
{
	return !strcmp(mode, "nat") || !strcmp(mode, "nat-unprotected") || !strcmp(mode, "routed");
}

net_fw_policy driver_fw_policy(const berth_network *net)
{
	const char *mode4 = kv_get(&net->options, OPT_GATEWAY_MODE4), *mode6 = kv_get(&net->options, OPT_GATEWAY_MODE6);
	/* enable_ip_masquerade=false turns NAT off for both, as in Docker */
	bool masquerade = network_option_bool(net, OPT_MASQUERADE, true);

	return (net_fw_policy){
		.masquerade4 = masquerade && !(mode4 && !strcmp(mode4, "routed")),
		.masquerade6 = masquerade && !(mode6 && !strcmp(mode6, "routed")),
		.direct4 = mode4 && strcmp(mode4, "nat"),
		.direct6 = mode6 && strcmp(mode6, "nat"),
	};
}

bool network_option_bool(const berth_network *net, const char *key, bool fallback)
{
	const char *text = kv_get(&net->options, key);
	bool v = fallback;

	if (text)
		option_bool_value(text, &v);
	return v;
}

bool driver_valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	/* Narrower than the kernel's rule: nft prints a name of the berth
	 * table's sets as it is, and `nft list ruleset` must load back (what
	 * nftables.service restores at boot); '%' would be a kernel template
	 * ("br%d"), '@' a set, '*' a wildcard, a quote the end of a string. */
	return strspn(s, IFNAME_CHARS) == n;
}

bool driver_hex_name(const char *name, const char *prefix, size_t hex)
{
	size_t n = strlen(prefix);

	return !strncmp(name, prefix, n) && strlen(name + n) == hex && strspn(name + n, "0123456789abcdef") == hex;
}

void driver_note(driver_notes *notes, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	notes->items = xrealloc(notes->items, (notes->n + 1) * sizeof(*notes->items));
	notes->items[notes->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void driver_notes_free(driver_notes *notes)
{
	for (size_t i = 0; i < notes->n; i++)
		free(notes->items[i]);
	free(notes->items);
	notes->items = NULL;
	notes->n = 0;
}

const driver_ops *driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

const driver_ops *driver_of_link(const driver_link *l, const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i]->made_link && drivers[i]->made_link(l, name))
			return drivers[i];
	return NULL;
}

void driver_creatable_names(char *buf, size_t size, const char *sep)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		if (drivers[i]->single_instance)
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? sep : "", drivers[i]->name);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
}
