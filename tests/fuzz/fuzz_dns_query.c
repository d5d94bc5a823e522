/* dns_query_parse on any bytes a container can send, and the reply made
 * to what it accepts: the reply is itself a DNS message (ldns reads it
 * back) with the asker's ID, and fits the asker's UDP size. Also the
 * reverse-name reader on the name the query carries. */
#include "fuzz.h"

#include "dns/msg.h"

#include <ldns/ldns.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dns_query q;
	berth_addr addrs[3] = { { .family = AF_INET, .bytes = { 10, 0, 0, 2 } },
				{ .family = AF_INET, .bytes = { 10, 0, 0, 3 } },
				{ .family = AF_INET6, .bytes = { 0xfd, [15] = 1 } } };
	uint8_t *out = NULL;
	size_t len;

	if (dns_query_parse(data, size, &q) < 0)
		return 0;
	berth_addr rev;
	(void)dns_reverse_name(q.name, &rev);
	dns_reply_build(&q, &(dns_reply){ .addrs = addrs, .n_addrs = 3, .ptr = "web.net" }, q.udp_size, &out, &len);
	FUZZ_CHECK(len <= q.udp_size, "a reply of %zu bytes for an asker of %zu", len, q.udp_size);
	ldns_pkt *back = NULL;
	FUZZ_CHECK(ldns_wire2pkt(&back, out, len) == LDNS_STATUS_OK, "the reply does not parse");
	FUZZ_CHECK(ldns_pkt_id(back) == q.id, "the reply's ID %u is not the query's %u", ldns_pkt_id(back), q.id);
	FUZZ_CHECK(ldns_pkt_qr(back), "the reply is no reply");
	ldns_pkt_free(back);
	free(out);
	return 0;
}
