/* A container's /etc/resolv.conf. On a network of the user's, berth's
 * resolver answers inside the container at DNS_RESOLVER_ADDR (dns/): the
 * file names it, with the host's search domains and options. On the
 * default bridge network alone, as in Docker, the container gets the
 * host's servers (less loopback ones, unreachable from it). --dns,
 * --dns-search and --dns-option change it as they do Docker's. */
#ifndef BERTH_CORE_RESOLV_CONF_H
#define BERTH_CORE_RESOLV_CONF_H

#include "berth.h"

/* Refuses a --dns that is no address, a --dns-search that is no domain,
 * a --dns-option with a blank: before anything changes. */
int resolv_check_spec(const berth_run_spec *spec, berth_err *err);
/* The file's text for c; with_resolver: c is on a network berth's
 * resolver serves. */
char *resolv_conf_text(const berth_container *c, bool with_resolver);

#endif
