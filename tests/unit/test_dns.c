/* Unit tests for src/dns/msg.c and src/dns/zone.c: queries read, replies
 * made (and cut to TC when too big), reverse names, and the zone's
 * answers: only among the asker's networks, round robin, PTR. */
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "dns/msg.h"
#include "dns/zone.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* A query for name/type as dig makes one; edns: with an OPT of that size. */
static uint8_t *query_wire(const char *name, ldns_rr_type type, uint16_t edns, size_t *len)
{
	ldns_pkt *pkt = NULL;
	uint8_t *wire = NULL;

	assert_int_equal(ldns_pkt_query_new_frm_str(&pkt, name, type, LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_id(pkt, 0x1234);
	if (edns)
		ldns_pkt_set_edns_udp_size(pkt, edns);
	assert_int_equal(ldns_pkt2wire(&wire, pkt, len), LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
	return wire;
}

static ldns_pkt *parse_reply(const uint8_t *wire, size_t len)
{
	ldns_pkt *pkt = NULL;

	assert_int_equal(ldns_wire2pkt(&pkt, wire, len), LDNS_STATUS_OK);
	return pkt;
}

static void test_query_parse(void **state)
{
	(void)state;
	size_t len;
	uint8_t *wire = query_wire("Web.MyNet.", LDNS_RR_TYPE_AAAA, 4096, &len);
	dns_query q;

	assert_int_equal(dns_query_parse(wire, len, &q), 0);
	assert_int_equal(q.id, 0x1234);
	assert_string_equal(q.name, "web.mynet");
	assert_int_equal(q.type, LDNS_RR_TYPE_AAAA);
	assert_int_equal(q.rcode, 0);
	assert_true(q.edns);
	assert_int_equal(q.udp_size, DNS_UDP_MAX);
	free(wire);

	wire = query_wire("db.", LDNS_RR_TYPE_A, 0, &len);
	assert_int_equal(dns_query_parse(wire, len, &q), 0);
	assert_false(q.edns);
	assert_int_equal(q.udp_size, DNS_UDP_MIN);
	/* a reply is no query; a header alone is FORMERR */
	wire[2] |= 0x80;
	assert_int_equal(dns_query_parse(wire, len, &q), -EINVAL);
	assert_int_equal(dns_query_parse(wire, 5, &q), -EINVAL);
	wire[2] &= 0x7f;
	assert_int_equal(dns_query_parse(wire, LDNS_HEADER_SIZE + 3, &q), 0);
	assert_int_equal(q.rcode, LDNS_RCODE_FORMERR);
	free(wire);
}

static void test_reply_addresses(void **state)
{
	(void)state;
	size_t len, out_len;
	uint8_t *wire = query_wire("web.", LDNS_RR_TYPE_A, 0, &len), *out = NULL;
	berth_addr addrs[] = { A("10.0.0.2"), A("10.0.0.3") };
	dns_query q;

	assert_int_equal(dns_query_parse(wire, len, &q), 0);
	dns_reply_build(&q, &(dns_reply){ .authoritative = true, .addrs = addrs, .n_addrs = 2 }, DNS_UDP_MIN, &out,
			&out_len);
	ldns_pkt *r = parse_reply(out, out_len);
	assert_int_equal(ldns_pkt_id(r), 0x1234);
	assert_true(ldns_pkt_qr(r) && ldns_pkt_aa(r) && ldns_pkt_rd(r) && ldns_pkt_ra(r));
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_qdcount(r), 1);
	assert_int_equal(ldns_pkt_ancount(r), 2);
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(r), 1);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
	assert_int_equal(ldns_rr_ttl(rr), 0);
	assert_memory_equal(ldns_rdf_data(ldns_rr_rdf(rr, 0)), addrs[1].bytes, 4);
	ldns_pkt_free(r);
	free(out);
	free(wire);
}

static void test_reply_truncated(void **state)
{
	(void)state;
	size_t len, out_len;
	uint8_t *wire = query_wire("many.", LDNS_RR_TYPE_AAAA, 0, &len), *out = NULL;
	berth_addr addrs[40];
	dns_query q;

	for (size_t i = 0; i < 40; i++) {
		addrs[i] = A("fd00::1");
		addrs[i].bytes[15] = (uint8_t)i;
	}
	assert_int_equal(dns_query_parse(wire, len, &q), 0);
	/* 40 AAAA records are over 512 bytes: none of them, and TC */
	dns_reply_build(&q, &(dns_reply){ .addrs = addrs, .n_addrs = 40 }, q.udp_size, &out, &out_len);
	assert_true(out_len <= DNS_UDP_MIN);
	ldns_pkt *r = parse_reply(out, out_len);
	assert_true(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(ldns_pkt_qdcount(r), 1);
	ldns_pkt_free(r);
	free(out);
	/* over TCP they all fit */
	dns_reply_build(&q, &(dns_reply){ .addrs = addrs, .n_addrs = 40 }, 65535, &out, &out_len);
	r = parse_reply(out, out_len);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), 40);
	ldns_pkt_free(r);
	free(out);
	free(wire);
}

static void test_reply_badvers_and_ptr(void **state)
{
	(void)state;
	size_t len, out_len;
	uint8_t *wire = query_wire("2.0.0.10.in-addr.arpa.", LDNS_RR_TYPE_PTR, 1232, &len), *out = NULL;
	dns_query q;

	assert_int_equal(dns_query_parse(wire, len, &q), 0);
	dns_reply_build(&q, &(dns_reply){ .authoritative = true, .ptr = "web.mynet" }, q.udp_size, &out, &out_len);
	ldns_pkt *r = parse_reply(out, out_len);
	assert_int_equal(ldns_pkt_ancount(r), 1);
	char *target = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(r), 0), 0));
	assert_string_equal(target, "web.mynet.");
	free(target);
	assert_true(ldns_pkt_edns(r)); /* an OPT back for the one that came */
	ldns_pkt_free(r);
	free(out);

	/* EDNS version 1: BADVERS, no answer */
	ldns_pkt *pkt = parse_reply(wire, len);
	ldns_pkt_set_edns_version(pkt, 1);
	free(wire);
	assert_int_equal(ldns_pkt2wire(&wire, pkt, &len), LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
	assert_int_equal(dns_query_parse(wire, len, &q), 0);
	dns_reply_build(&q, &(dns_reply){ .ptr = "web.mynet" }, q.udp_size, &out, &out_len);
	r = parse_reply(out, out_len);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(ldns_pkt_edns_extended_rcode(r), 1);
	ldns_pkt_free(r);
	free(out);
	free(wire);
}

static void test_reverse_name(void **state)
{
	(void)state;
	berth_addr a, want = A("10.2.3.4");

	assert_true(dns_reverse_name("4.3.2.10.in-addr.arpa", &a));
	assert_true(berth_addr_equal(&a, &want));
	assert_false(dns_reverse_name("3.2.10.in-addr.arpa", &a));
	assert_false(dns_reverse_name("04.3.2.10.in-addr.arpa", &a));
	assert_false(dns_reverse_name("256.3.2.10.in-addr.arpa", &a));
	assert_false(dns_reverse_name("in-addr.arpa", &a));
	assert_true(dns_reverse_name("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.d.f.ip6.arpa", &a));
	want = A("fd00:1::2");
	assert_true(berth_addr_equal(&a, &want));
	assert_false(dns_reverse_name("2.0.0.ip6.arpa", &a));
	assert_false(dns_reverse_name("example.com", &a));
}

/* Two networks: web and db on net1, db and cache on net2 ("shared" is an
 * alias of web and of db on net1). */
static dns_zone *two_networks(void)
{
	static const char *const web_aliases[] = { "shared", "WWW" }, *const db_aliases[] = { "shared" };
	store_dns_row rows[] = {
		{ .container_id = "aaaaaaaaaaaa1111", .container_name = "web", .own_netns = true, .network_id = "n1",
		  .network_name = "net1", .addr = A("10.0.1.2"), .addr6 = A("fd00:1::2"),
		  .aliases = (char **)web_aliases, .n_aliases = 2 },
		{ .container_id = "bbbbbbbbbbbb2222", .container_name = "db", .own_netns = true, .network_id = "n1",
		  .network_name = "net1", .addr = A("10.0.1.3"), .aliases = (char **)db_aliases, .n_aliases = 1 },
		{ .container_id = "bbbbbbbbbbbb2222", .container_name = "db", .own_netns = true, .network_id = "n2",
		  .network_name = "net2", .internal = true, .addr = A("10.0.2.3") },
		{ .container_id = "cccccccccccc3333", .container_name = "cache", .own_netns = true,
		  .network_id = "n2", .network_name = "net2", .internal = true, .addr = A("10.0.2.4") },
	};
	return dns_zone_new(rows, 4);
}

static void test_zone_scope(void **state)
{
	(void)state;
	dns_zone *z = two_networks();
	const dns_sandbox *web = dns_zone_sandbox(z, "aaaaaaaaaaaa1111"), *cache = dns_zone_sandbox(z, "cccccccccccc3333");
	const dns_sandbox *db = dns_zone_sandbox(z, "bbbbbbbbbbbb2222");
	berth_addr *addrs;
	size_t n;

	assert_non_null(web);
	assert_true(web->forward);
	assert_false(cache->forward); /* only on an internal network */
	assert_true(db->forward);
	assert_int_equal(dns_zone_lookup(z, web, "db", AF_INET, &addrs, &n), DNS_FOUND);
	assert_int_equal(n, 1); /* its address on net1 only */
	berth_addr want = A("10.0.1.3");
	assert_true(berth_addr_equal(&addrs[0], &want));
	free(addrs);
	/* web is not on net2: cache is another network's */
	assert_int_equal(dns_zone_lookup(z, web, "cache", AF_INET, &addrs, &n), DNS_ELSEWHERE);
	assert_int_equal(n, 0);
	free(addrs);
	assert_int_equal(dns_zone_lookup(z, web, "example.com", AF_INET, &addrs, &n), DNS_UNKNOWN);
	free(addrs);
	/* db is on both: both addresses; a name without AAAA is still found */
	assert_int_equal(dns_zone_lookup(z, cache, "db", AF_INET, &addrs, &n), DNS_FOUND);
	assert_int_equal(n, 1);
	free(addrs);
	assert_int_equal(dns_zone_lookup(z, db, "db", AF_INET6, &addrs, &n), DNS_FOUND);
	assert_int_equal(n, 0);
	free(addrs);
	/* short ID, alias case, NAME.NETWORK */
	assert_int_equal(dns_zone_lookup(z, db, "aaaaaaaaaaaa", AF_INET6, &addrs, &n), DNS_FOUND);
	assert_int_equal(n, 1);
	free(addrs);
	assert_int_equal(dns_zone_lookup(z, db, "www", AF_INET, &addrs, &n), DNS_FOUND);
	free(addrs);
	assert_int_equal(dns_zone_lookup(z, cache, "db.net2", AF_INET, &addrs, &n), DNS_FOUND);
	free(addrs);
	assert_int_equal(dns_zone_lookup(z, cache, "db.net1", AF_INET, &addrs, &n), DNS_ELSEWHERE);
	free(addrs);
	dns_zone_free(z);
}

static void test_zone_round_robin_and_reverse(void **state)
{
	(void)state;
	dns_zone *z = two_networks();
	const dns_sandbox *db = dns_zone_sandbox(z, "bbbbbbbbbbbb2222"), *cache = dns_zone_sandbox(z, "cccccccccccc3333");
	berth_addr *first, *second;
	size_t n;

	assert_int_equal(dns_zone_lookup(z, db, "shared", AF_INET, &first, &n), DNS_FOUND);
	assert_int_equal(n, 2);
	assert_int_equal(dns_zone_lookup(z, db, "shared", AF_INET, &second, &n), DNS_FOUND);
	assert_int_equal(n, 2);
	assert_true(berth_addr_equal(&first[0], &second[1]) && berth_addr_equal(&first[1], &second[0]));
	free(first);
	free(second);
	berth_addr a = A("10.0.1.2");
	const char *name;
	assert_int_equal(dns_zone_reverse(z, db, &a, &name), DNS_FOUND);
	assert_string_equal(name, "web.net1");
	assert_int_equal(dns_zone_reverse(z, cache, &a, &name), DNS_ELSEWHERE);
	assert_null(name);
	a = A("fd00:1::2");
	assert_int_equal(dns_zone_reverse(z, db, &a, &name), DNS_FOUND);
	assert_string_equal(name, "web.net1");
	a = A("10.0.9.9");
	assert_int_equal(dns_zone_reverse(z, db, &a, &name), DNS_UNKNOWN);
	assert_null(dns_zone_sandbox(z, "dddd"));
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_parse),
		cmocka_unit_test(test_reply_addresses),
		cmocka_unit_test(test_reply_truncated),
		cmocka_unit_test(test_reply_badvers_and_ptr),
		cmocka_unit_test(test_reverse_name),
		cmocka_unit_test(test_zone_scope),
		cmocka_unit_test(test_zone_round_robin_and_reverse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
