/* Reading what an nf_tables table holds, over netlink: which chains have
 * how many rules, which sets exist. Cheap enough for every berth command
 * (elements are not read), so a table someone flushed is noticed at once.
 * berth writes its table only through libnftables (fw/). */
#ifndef BERTH_NL_NFTABLES_H
#define BERTH_NL_NFTABLES_H

#include "berth.h"
#include "nl/nl.h"

typedef struct nft_table_summary {
	bool exists;
	char **chains; /* one entry per rule: the chain it is in */
	size_t n_rules;
	char **sets;
	size_t n_sets;
} nft_table_summary;

/* family: "ip", "ip6", "inet". A missing table is success with exists false. */
int nft_table_summarize(const char *family, const char *table, nft_table_summary *out, berth_err *err);
unsigned nft_summary_rules(const nft_table_summary *s, const char *chain);
bool nft_summary_has_set(const nft_table_summary *s, const char *set);
void nft_table_summary_free(nft_table_summary *s);

/* A socket that hears every change made to nf_tables in its namespace. */
int nft_events_open(nl_sock **out, berth_err *err);
/* Reads all it heard, without waiting: whether any of it deleted a table
 * named `table`, or a chain, rule or set of one (or notifications were
 * lost, so that one may have). Element changes are not deletions. */
bool nft_events_deleted_from(nl_sock *events, const char *table);

#endif
