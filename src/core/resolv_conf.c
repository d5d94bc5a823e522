#include "core/resolv_conf.h"
#include "dns/resolver.h"
#include "ipam/cidr.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/resolv_file.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_domain(const char *s)
{
	size_t len = strlen(s);

	if (!strcmp(s, "."))
		return true; /* Docker's "no search domain" */
	if (!len || len > 253 || s[0] == '.' || s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == len;
}

int resolv_check_spec(const berth_run_spec *spec, berth_err *err)
{
	berth_addr a;

	for (size_t i = 0; i < spec->n_dns; i++)
		if (!addr_parse(spec->dns[i], &a))
			return berth_err_set(err, EINVAL, "invalid --dns \"%s\": not an IP address", spec->dns[i]);
	for (size_t i = 0; i < spec->n_dns_search; i++)
		if (!is_domain(spec->dns_search[i]))
			return berth_err_set(err, EINVAL, "invalid --dns-search \"%s\": not a domain name",
					     spec->dns_search[i]);
	for (size_t i = 0; i < spec->n_dns_options; i++) {
		const char *o = spec->dns_options[i];
		if (!*o || strpbrk(o, " \t\r\n#;"))
			return berth_err_set(err, EINVAL, "invalid --dns-option \"%s\": an option has no blanks", o);
	}
	return 0;
}

static bool loopback(const char *addr)
{
	berth_addr a;

	if (!addr_parse(addr, &a))
		return false;
	return a.family == AF_INET ? a.bytes[0] == 127 : berth_addr_equal(&a, &(berth_addr){ AF_INET6, { [15] = 1 } });
}

/* *text, then a, then b. */
static void append(char **text, const char *a, const char *b)
{
	char *next = xasprintf("%s%s%s", *text, a, b);

	free(*text);
	*text = next;
}

/* A word to a list of words. */
static void add_word(char **text, const char *word)
{
	append(text, **text ? " " : "", word);
}

static char *words(char *const *v, size_t n)
{
	char *text = xstrdup("");

	for (size_t i = 0; i < n; i++)
		add_word(&text, v[i]);
	return text;
}

static char *servers_text(char *const *servers, size_t n, bool skip_loopback)
{
	char *text = xstrdup("");

	for (size_t i = 0; i < n; i++)
		if (!skip_loopback || !loopback(servers[i]))
			append(&text, "nameserver ", servers[i]), append(&text, "\n", "");
	return text;
}

static bool has_ndots(const char *options)
{
	return !strncmp(options, "ndots:", 6) || strstr(options, " ndots:");
}

static char *first_lines(const berth_container *c, const resolv_file *host, bool with_resolver)
{
	if (with_resolver)
		return xasprintf("# berth's resolver: containers' names here, other names from %s\n"
				 "nameserver " DNS_RESOLVER_ADDR "\n",
				 c->n_dns ? "--dns" : "the host's servers");
	if (c->n_dns)
		return servers_text(c->dns, c->n_dns, false);
	/* the host's less loopback ones (unreachable from the container);
	 * Docker's public defaults when none is left */
	char *text = servers_text(host->servers, host->n_servers, true);
	if (!*text)
		append(&text, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n", "");
	return text;
}

char *resolv_conf_text(const berth_container *c, bool with_resolver)
{
	resolv_file host;

	resolv_file_read("/etc/resolv.conf", &host);
	char *text = first_lines(c, &host, with_resolver);
	_cleanup_free_ char *search = c->n_dns_search ? words(c->dns_search, c->n_dns_search) : xstrdup(host.search);
	_cleanup_free_ char *options = xstrdup(host.options);
	for (size_t i = 0; i < c->n_dns_options; i++)
		add_word(&options, c->dns_options[i]);
	/* single-label names are the containers': asked as they are first
	 * (Docker writes ndots:0 too) */
	if (with_resolver && !has_ndots(options))
		add_word(&options, "ndots:0");
	if (*search && strcmp(search, "."))
		append(&text, "search ", search), append(&text, "\n", "");
	if (*options)
		append(&text, "options ", options), append(&text, "\n", "");
	resolv_file_clear(&host);
	return text;
}
