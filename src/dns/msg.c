#include "dns/msg.h"
#include "util/xalloc.h"

#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The extended code BADVERS (16, RFC 6891): its upper eight bits go in
 * the OPT record, the lower four (0) in the header. Marked by a negative
 * rcode in dns_query. */
#define EDNS_BADVERS_HIGH 1
#define OPT_RR_SIZE 11 /* root name, type, class, TTL, no data */

static void lower_name(const char *asked, char *name)
{
	size_t len = strlen(asked);

	if (len > DNS_NAME_MAX)
		len = 0; /* escapes made it long: cannot be a name of berth's */
	for (size_t i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)asked[i]);
	name[len] = '\0';
}

static void read_edns(ns_msg *m, dns_query *q)
{
	ns_rr rr;

	for (int i = 0; i < ns_msg_count(*m, ns_s_ar); i++) {
		if (ns_parserr(m, ns_s_ar, i, &rr) < 0 || ns_rr_type(rr) != ns_t_opt)
			continue;
		size_t size = ns_rr_class(rr);
		q->edns = true;
		q->udp_size = size < DNS_UDP_MIN ? DNS_UDP_MIN : size > DNS_UDP_MAX ? DNS_UDP_MAX : size;
		if ((ns_rr_ttl(rr) >> 16 & 0xff) > 0)
			q->rcode = -EDNS_BADVERS_HIGH;
		return;
	}
}

int dns_query_parse(const uint8_t *buf, size_t len, dns_query *q)
{
	ns_msg m;
	ns_rr rr;

	memset(q, 0, sizeof(*q));
	if (len < NS_HFIXEDSZ || (buf[2] & 0x80))
		return -EINVAL;
	q->id = (uint16_t)(buf[0] << 8 | buf[1]);
	q->opcode = (buf[2] >> 3) & 0xf;
	q->rd = buf[2] & 0x01;
	q->cd = buf[3] & 0x10;
	q->udp_size = DNS_UDP_MIN;
	if (q->opcode != ns_o_query) {
		q->rcode = ns_r_notimpl;
		return 0;
	}
	/* a header, but no message (RFC 1035 4.1.1) */
	if (ns_initparse(buf, (int)len, &m) < 0 || ns_msg_count(m, ns_s_qd) != 1 || ns_msg_count(m, ns_s_an) ||
	    ns_msg_count(m, ns_s_ns) || ns_parserr(&m, ns_s_qd, 0, &rr) < 0) {
		q->rcode = ns_r_formerr;
		return 0;
	}
	snprintf(q->asked, sizeof(q->asked), "%s", rr.name);
	lower_name(q->asked, q->name);
	q->type = ns_rr_type(rr);
	q->klass = ns_rr_class(rr);
	read_edns(&m, q);
	return 0;
}

/* A reply being written: where, and the names dn_comp may point back to. */
typedef struct writer {
	uint8_t *start, *at, *end;
	uint8_t *names[16];
	bool full;
} writer;

static void put16(writer *w, unsigned v)
{
	if (w->end - w->at < 2) {
		w->full = true;
		return;
	}
	ns_put16(v, w->at);
	w->at += 2;
}

static void put32(writer *w, unsigned long v)
{
	if (w->end - w->at < 4) {
		w->full = true;
		return;
	}
	ns_put32(v, w->at);
	w->at += 4;
}

static void put_bytes(writer *w, const void *p, size_t n)
{
	if ((size_t)(w->end - w->at) < n) {
		w->full = true;
		return;
	}
	memcpy(w->at, p, n);
	w->at += n;
}

static void put_name(writer *w, const char *name)
{
	int n = w->full ? -1 : dn_comp(name, w->at, (int)(w->end - w->at), w->names, w->names + 15);

	if (n < 0)
		w->full = true;
	else
		w->at += n;
}

/* An answer record for the question's name; its data after it. */
static void put_answer_head(writer *w, const dns_query *q, unsigned type)
{
	put_name(w, q->asked);
	put16(w, type);
	put16(w, ns_c_in);
	/* 0: a container gone is gone for every asker at once */
	put32(w, 0);
}

static unsigned put_answers(writer *w, const dns_query *q, const dns_reply *r)
{
	unsigned n = 0;

	for (size_t i = 0; i < r->n_addrs; i++, n++) {
		bool v4 = r->addrs[i].family == AF_INET;
		put_answer_head(w, q, v4 ? ns_t_a : ns_t_aaaa);
		put16(w, v4 ? 4 : 16);
		put_bytes(w, r->addrs[i].bytes, v4 ? 4 : 16);
	}
	if (r->ptr) {
		put_answer_head(w, q, ns_t_ptr);
		uint8_t *length = w->at;
		put16(w, 0);
		put_name(w, r->ptr);
		if (!w->full)
			ns_put16((unsigned)(w->at - length - 2), length);
		n++;
	}
	return n;
}

/* The reply in w; false when it did not fit. */
static bool write_reply(writer *w, const dns_query *q, const dns_reply *r, bool tc)
{
	int rcode = q->rcode ? q->rcode : r->rcode;
	bool question = q->rcode != ns_r_formerr && q->rcode != ns_r_notimpl;
	bool answers = question && !tc && !q->rcode;
	uint8_t *counts;

	w->at = w->start;
	w->full = false;
	memset(w->names, 0, sizeof(w->names));
	w->names[0] = w->start;
	put16(w, q->id);
	put_bytes(w,
		  (uint8_t[]){ (uint8_t)(0x80 | q->opcode << 3 | (r->authoritative && !q->rcode) << 2 | tc << 1 | q->rd),
			       (uint8_t)(0x80 | q->cd << 4 | (rcode > 0 ? rcode & 0xf : 0)) },
		  2);
	counts = w->at;
	put_bytes(w, (uint8_t[8]){ 0 }, 8);
	if (question) {
		put_name(w, q->asked);
		put16(w, q->type);
		put16(w, q->klass);
	}
	unsigned n = answers ? put_answers(w, q, r) : 0;
	/* an OPT record back for one that came (RFC 6891 7) */
	if (q->edns) {
		put_bytes(w, (uint8_t[]){ 0 }, 1);
		put16(w, ns_t_opt);
		put16(w, DNS_UDP_MAX);
		put32(w, rcode < 0 ? (unsigned long)-rcode << 24 : 0);
		put16(w, 0);
	}
	if (w->full)
		return false;
	ns_put16(question, counts);
	ns_put16(n, counts + 2);
	ns_put16(q->edns, counts + 6);
	return true;
}

int dns_reply_build(const dns_query *q, const dns_reply *r, size_t max, uint8_t **out, size_t *len)
{
	writer w = { .start = xmalloc(max) };

	w.end = w.start + max;
	/* whole record sets or none (RFC 2181 9): none, and TC */
	if (!write_reply(&w, q, r, false) && !write_reply(&w, q, r, true))
		abort(); /* a header and a question always fit 512 bytes */
	*out = w.start;
	*len = (size_t)(w.at - w.start);
	return 0;
}

void dns_set_id(uint8_t *buf, size_t len, uint16_t id)
{
	if (len >= 2)
		ns_put16(id, buf);
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
	char again[16];
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
