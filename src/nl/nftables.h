/* Reading what an nf_tables table holds, over netlink: which chains have
 * how many rules, which sets exist. Cheap enough for every berth command
 * (elements are not read), so a table someone flushed is noticed at once.
 * berth writes its table only through libnftables (fw/). */
#ifndef BERTH_NL_NFTABLES_H
#define BERTH_NL_NFTABLES_H

#include "berth.h"

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

#endif
