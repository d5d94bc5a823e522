#include "dns/msg.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

/* The extended code BADVERS (16, RFC 6891): its upper eight bits go in
 * the OPT record, the lower four (0) in the header. */
#define EDNS_BADVERS_HIGH 1

static void owner_text(const ldns_rr *question, char *name)
{
	char *text = ldns_rdf2str(ldns_rr_owner(question));
	size_t len = text ? strlen(text) : 0;

	if (len && text[len - 1] == '.')
		len--;
	if (len > DNS_NAME_MAX)
		len = 0; /* cannot be a name of berth's */
	for (size_t i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)text[i]);
	name[len] = '\0';
	free(text);
}

static int header_rcode(const ldns_pkt *pkt)
{
	if (ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY)
		return LDNS_RCODE_NOTIMPL;
	if (ldns_pkt_qdcount(pkt) != 1 || ldns_pkt_ancount(pkt) || ldns_pkt_nscount(pkt))
		return LDNS_RCODE_FORMERR;
	return 0;
}

int dns_query_parse(const uint8_t *buf, size_t len, dns_query *q)
{
	ldns_pkt *pkt = NULL;

	memset(q, 0, sizeof(*q));
	if (len < LDNS_HEADER_SIZE || LDNS_QR_WIRE(buf))
		return -EINVAL;
	q->id = LDNS_ID_WIRE(buf);
	q->udp_size = DNS_UDP_MIN;
	if (ldns_wire2pkt(&pkt, buf, len) != LDNS_STATUS_OK) {
		/* a header, but no message: said so (RFC 1035 4.1.1) */
		q->rcode = LDNS_RCODE_FORMERR;
		return 0;
	}
	q->pkt = pkt;
	if ((q->rcode = header_rcode(pkt)))
		return 0;
	const ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	owner_text(question, q->name);
	q->type = (uint16_t)ldns_rr_get_type(question);
	q->klass = (uint16_t)ldns_rr_get_class(question);
	if ((q->edns = ldns_pkt_edns(pkt))) {
		size_t size = ldns_pkt_edns_udp_size(pkt);
		q->udp_size = size < DNS_UDP_MIN ? DNS_UDP_MIN : size > DNS_UDP_MAX ? DNS_UDP_MAX : size;
		if (ldns_pkt_edns_version(pkt) > 0)
			q->rcode = -EDNS_BADVERS_HIGH; /* marks BADVERS for the reply */
	}
	return 0;
}

void dns_query_clear(dns_query *q)
{
	ldns_pkt_free(q->pkt);
	q->pkt = NULL;
}

static ldns_rr *answer_rr(const ldns_rr *question, ldns_rdf *data)
{
	ldns_rr *rr = ldns_rr_new();

	ldns_rr_set_owner(rr, ldns_rdf_clone(ldns_rr_owner(question)));
	ldns_rr_set_type(rr, ldns_rdf_get_type(data) == LDNS_RDF_TYPE_A	     ? LDNS_RR_TYPE_A
			     : ldns_rdf_get_type(data) == LDNS_RDF_TYPE_AAAA ? LDNS_RR_TYPE_AAAA
									     : LDNS_RR_TYPE_PTR);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	/* 0: a container gone is gone for every asker at once */
	ldns_rr_set_ttl(rr, 0);
	ldns_rr_push_rdf(rr, data);
	return rr;
}

static void add_answers(ldns_pkt *pkt, const ldns_rr *question, const dns_reply *r)
{
	for (size_t i = 0; i < r->n_addrs; i++) {
		bool v4 = r->addrs[i].family == AF_INET;
		ldns_rdf *data = ldns_rdf_new_frm_data(v4 ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA, v4 ? 4 : 16,
						       r->addrs[i].bytes);
		ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, answer_rr(question, data));
	}
	if (r->ptr) {
		_cleanup_free_ char *fqdn = xasprintf("%s.", r->ptr);
		ldns_rdf *data = ldns_dname_new_frm_str(fqdn);
		if (data)
			ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, answer_rr(question, data));
	}
}

static ldns_pkt *reply_pkt(const dns_query *q, const dns_reply *r, bool with_answers)
{
	ldns_pkt *pkt = ldns_pkt_new();
	const ldns_pkt *asked = q->pkt;
	int rcode = q->rcode ? q->rcode : r->rcode;

	ldns_pkt_set_id(pkt, q->id);
	ldns_pkt_set_qr(pkt, true);
	ldns_pkt_set_opcode(pkt, asked ? ldns_pkt_get_opcode(asked) : LDNS_PACKET_QUERY);
	ldns_pkt_set_rd(pkt, asked && ldns_pkt_rd(asked));
	ldns_pkt_set_cd(pkt, asked && ldns_pkt_cd(asked));
	ldns_pkt_set_ra(pkt, true);
	ldns_pkt_set_aa(pkt, r->authoritative && !q->rcode);
	ldns_pkt_set_rcode(pkt, rcode > 0 ? (uint8_t)rcode : 0);
	if (asked && q->rcode != LDNS_RCODE_FORMERR && q->rcode != LDNS_RCODE_NOTIMPL) {
		const ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(asked), 0);
		ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
		if (with_answers && !q->rcode)
			add_answers(pkt, question, r);
	}
	/* an OPT record back for one that came (RFC 6891 7) */
	if (q->edns) {
		ldns_pkt_set_edns_udp_size(pkt, DNS_UDP_MAX);
		if (rcode < 0)
			ldns_pkt_set_edns_extended_rcode(pkt, (uint8_t)-rcode);
	}
	return pkt;
}

static int to_wire(ldns_pkt *pkt, uint8_t **out, size_t *len)
{
	ldns_status st = ldns_pkt2wire(out, pkt, len);

	ldns_pkt_free(pkt);
	if (st != LDNS_STATUS_OK)
		abort(); /* only fails on allocation */
	return 0;
}

int dns_reply_build(const dns_query *q, const dns_reply *r, size_t max, uint8_t **out, size_t *len)
{
	ldns_pkt *pkt = reply_pkt(q, r, true);

	to_wire(pkt, out, len);
	if (*len <= max)
		return 0;
	/* whole record sets or none (RFC 2181 9): none, and TC */
	free(*out);
	pkt = reply_pkt(q, r, false);
	ldns_pkt_set_tc(pkt, true);
	return to_wire(pkt, out, len);
}

void dns_set_id(uint8_t *buf, size_t len, uint16_t id)
{
	if (len >= 2) {
		buf[0] = (uint8_t)(id >> 8);
		buf[1] = (uint8_t)id;
	}
}

static bool reverse_v4(const char *labels, berth_addr *out)
{
	unsigned b[4];
	char tail;

	if (sscanf(labels, "%3u.%3u.%3u.%3u%c", &b[3], &b[2], &b[1], &b[0], &tail) != 4)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = AF_INET;
	for (int i = 0; i < 4; i++) {
		if (b[i] > 255)
			return false;
		out->bytes[i] = (uint8_t)b[i];
	}
	/* "1.2.3.4" once more, so that "01" or "+1" (sscanf's) do not pass */
	char again[INET_ADDRSTRLEN + 1];
	snprintf(again, sizeof(again), "%u.%u.%u.%u", b[3], b[2], b[1], b[0]);
	return !strcmp(again, labels);
}

static bool reverse_v6(const char *labels, berth_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = AF_INET6;
	/* 32 nibbles, least significant first, each "x." */
	if (strlen(labels) != 63)
		return false;
	for (int i = 0; i < 32; i++) {
		const char *p = labels + 2 * i;
		if (!isxdigit((unsigned char)p[0]) || (i < 31 && p[1] != '.'))
			return false;
		unsigned v = (unsigned)(isdigit((unsigned char)p[0]) ? p[0] - '0' : tolower((unsigned char)p[0]) - 'a' + 10);
		int nib = 31 - i;
		out->bytes[nib / 2] |= (uint8_t)(nib % 2 ? v : v << 4);
	}
	return true;
}

bool dns_reverse_name(const char *name, berth_addr *out)
{
	static const char v4[] = ".in-addr.arpa", v6[] = ".ip6.arpa";
	size_t len = strlen(name);
	char labels[DNS_NAME_MAX + 1];

	if (len > sizeof(v4) - 1 && !strcmp(name + len - (sizeof(v4) - 1), v4)) {
		snprintf(labels, sizeof(labels), "%.*s", (int)(len - (sizeof(v4) - 1)), name);
		return reverse_v4(labels, out);
	}
	if (len > sizeof(v6) - 1 && !strcmp(name + len - (sizeof(v6) - 1), v6)) {
		snprintf(labels, sizeof(labels), "%.*s", (int)(len - (sizeof(v6) - 1)), name);
		return reverse_v6(labels, out);
	}
	return false;
}
