/* Reading what an nf_tables table holds, over netlink: which chains have
 * how many rules, which sets exist. Cheap enough for every berth command
 * (elements are not read), so a table someone flushed is noticed at once.
 * berth writes its own table only through libnftables (fw/). */
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

/* The generation of the namespace's whole ruleset: every change to any
 * table moves it on. */
int nft_generation(uint32_t *gen, berth_err *err);

/* The handle of a table (it names that table, not one made again under
 * its name); -ENOENT when there is none. */
int nft_table_handle(nl_sock *nl, const char *family, const char *table, uint64_t *handle, berth_err *err);

/* A socket that hears every change made to nf_tables in its namespace. */
int nft_events_open(nl_sock **out, berth_err *err);
/* Reads all it heard, without waiting: whether any of it deleted a table
 * named `table`, or a chain, rule or set of one (or notifications were
 * lost, so that one may have). Element changes are not deletions. */
bool nft_events_deleted_from(nl_sock *events, const char *table);

/* Writing, for what libnftables would cost too much to start for (see
 * fw/dns_redirect.c): requests gathered in `buf` and committed as one
 * transaction. A request is filled between nft_batch_add and the next
 * call; every one is acked. */
typedef struct nft_batch {
	struct mnl_nlmsg_batch *b;
	struct nlmsghdr *open; /* the request being filled */
	unsigned n;
	bool overflow;
} nft_batch;

void nft_batch_start(nft_batch *b, void *buf, size_t size);
/* NULL when the buffer is full; the batch then fails to commit. */
struct nlmsghdr *nft_batch_add(nft_batch *b, int msg, int flags, int family);
/* Sends the batch on `nl` (a netfilter socket: nl_open_netfilter) and
 * waits for the kernel's verdict on all of it; b is done with. */
int nft_batch_commit(nl_sock *nl, nft_batch *b, berth_err *err);
/* Or: the batch as bytes to send (the buffer given to nft_batch_start),
 * then nft_batch_end once they are sent. */
int nft_batch_finish(nft_batch *b, const void **buf, size_t *len, berth_err *err);
void nft_batch_end(nft_batch *b);

#endif
