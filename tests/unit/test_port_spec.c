/* Unit tests for src/core/port_spec.c (Docker's -p specs, and its error
 * messages word for word) and src/cli/port_text.c (ps PORTS, port lines). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "cli/port_text.h"
#include "core/port_spec.h"

/* Parses spec into a fresh list and checks it yields `want` ports. */
static berth_port *parse_ok(const char *spec, size_t want)
{
	berth_port *ports = NULL;
	size_t n = 0;
	berth_err err = { 0 };

	if (port_spec_parse(spec, &ports, &n, &err) < 0)
		fail_msg("port_spec_parse(\"%s\") refused it: %s", spec, err.msg);
	if (n != want)
		fail_msg("port_spec_parse(\"%s\") gave %zu ports, expected %zu", spec, n, want);
	return ports;
}

/* The spec is refused with exactly `msg`, and nothing is appended. */
static void expect_error(const char *spec, const char *msg)
{
	berth_port *ports = NULL;
	size_t n = 0;
	berth_err err = { 0 };

	int ret = port_spec_parse(spec, &ports, &n, &err);
	if (ret != -EINVAL)
		fail_msg("port_spec_parse(\"%s\") returned %d, expected -EINVAL", spec, ret);
	if (!err.msg || strcmp(err.msg, msg))
		fail_msg("port_spec_parse(\"%s\") said \"%s\", expected \"%s\"", spec, err.msg ? err.msg : "(none)",
			 msg);
	assert_null(ports);
	assert_int_equal(n, 0);
	berth_err_clear(&err);
}

static void check_port(const berth_port *p, const char *ip, int proto, unsigned cport, unsigned min, unsigned max)
{
	berth_addr want = A(ip);

	assert_true(berth_addr_equal(&p->host_ip, &want));
	assert_int_equal(p->proto, proto);
	assert_int_equal(p->container_port, cport);
	assert_int_equal(p->host_port, 0); /* chosen later, when published */
	assert_int_equal(p->host_port_min, min);
	assert_int_equal(p->host_port_max, max);
}

/* The spec gives one port with these fields. */
static void check_one(const char *spec, const char *ip, int proto, unsigned cport, unsigned min, unsigned max)
{
	berth_port *p = parse_ok(spec, 1);

	check_port(p, ip, proto, cport, min, max);
	free(p);
}

/* ---- the accepted forms -------------------------------------------- */

static void test_container_port_only(void **state)
{
	(void)state;
	check_one("80", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_one("1", "0.0.0.0", IPPROTO_TCP, 1, 0, 0);
	check_one("65535", "0.0.0.0", IPPROTO_TCP, 65535, 0, 0);
	/* Go's ParseUint takes leading zeros */
	check_one("080", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
}

static void test_host_and_container(void **state)
{
	(void)state;
	check_one("8080:80", "0.0.0.0", IPPROTO_TCP, 80, 8080, 8080);
	check_one("65535:1", "0.0.0.0", IPPROTO_TCP, 1, 65535, 65535);
}

static void test_ip_host_container(void **state)
{
	(void)state;
	check_one("127.0.0.1:8080:80", "127.0.0.1", IPPROTO_TCP, 80, 8080, 8080);
	check_one("0.0.0.0:8080:80", "0.0.0.0", IPPROTO_TCP, 80, 8080, 8080);
}

/* An empty host port is a random one, with or without an IP. */
static void test_random_host_port(void **state)
{
	(void)state;
	check_one("127.0.0.1::80", "127.0.0.1", IPPROTO_TCP, 80, 0, 0);
	check_one(":80", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_one("::80", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
}

static void test_host_port_zero(void **state)
{
	(void)state;
	check_one("0:80", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_one("0-0:80", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_one("10.0.0.1:0:80/udp", "10.0.0.1", IPPROTO_UDP, 80, 0, 0);
}

static void test_protocols(void **state)
{
	(void)state;
	check_one("80/udp", "0.0.0.0", IPPROTO_UDP, 80, 0, 0);
	check_one("8080:80/sctp", "0.0.0.0", IPPROTO_SCTP, 80, 8080, 8080);
	check_one("80/tcp", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_one("127.0.0.1:53:53/udp", "127.0.0.1", IPPROTO_UDP, 53, 53, 53);
}

static void test_protocol_any_case(void **state)
{
	(void)state;
	check_one("80/TCP", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_one("80/Udp", "0.0.0.0", IPPROTO_UDP, 80, 0, 0);
	check_one("8080:80/SCTP", "0.0.0.0", IPPROTO_SCTP, 80, 8080, 8080);
}

/* "80/" has an empty protocol, which Docker reads as tcp. */
static void test_protocol_empty_is_tcp(void **state)
{
	(void)state;
	check_one("80/", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_one("8080:80/", "0.0.0.0", IPPROTO_TCP, 80, 8080, 8080);
}

/* Docker strips the brackets and takes whatever address is inside. */
static void test_bracketed_ipv4(void **state)
{
	(void)state;
	check_one("[127.0.0.1]:8080:80", "127.0.0.1", IPPROTO_TCP, 80, 8080, 8080);
}

/* ---- ranges -------------------------------------------------------- */

static void test_range_pairs_ports(void **state)
{
	(void)state;
	berth_port *p = parse_ok("8000-8002:80-82/udp", 3);

	for (unsigned i = 0; i < 3; i++)
		check_port(&p[i], "0.0.0.0", IPPROTO_UDP, 80 + i, 8000 + i, 8000 + i);
	free(p);
}

static void test_range_with_ip(void **state)
{
	(void)state;
	berth_port *p = parse_ok("127.0.0.1:5000-5001:6000-6001", 2);

	check_port(&p[0], "127.0.0.1", IPPROTO_TCP, 6000, 5000, 5000);
	check_port(&p[1], "127.0.0.1", IPPROTO_TCP, 6001, 5001, 5001);
	free(p);
}

static void test_range_container_only(void **state)
{
	(void)state;
	berth_port *p = parse_ok("80-82", 3);

	for (unsigned i = 0; i < 3; i++)
		check_port(&p[i], "0.0.0.0", IPPROTO_TCP, 80 + i, 0, 0);
	free(p);
	p = parse_ok("127.0.0.1::80-81/sctp", 2);
	check_port(&p[0], "127.0.0.1", IPPROTO_SCTP, 80, 0, 0);
	check_port(&p[1], "127.0.0.1", IPPROTO_SCTP, 81, 0, 0);
	free(p);
}

/* A host range for one container port: any free one of them. */
static void test_host_range_one_container_port(void **state)
{
	(void)state;
	check_one("8000-8010:80", "0.0.0.0", IPPROTO_TCP, 80, 8000, 8010);
	check_one("127.0.0.1:8000-8001:80/udp", "127.0.0.1", IPPROTO_UDP, 80, 8000, 8001);
}

static void test_range_of_one(void **state)
{
	(void)state;
	check_one("8080-8080:80", "0.0.0.0", IPPROTO_TCP, 80, 8080, 8080);
	check_one("80-80", "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_one("8080-8080:80-80", "0.0.0.0", IPPROTO_TCP, 80, 8080, 8080);
}

static void test_range_to_top(void **state)
{
	(void)state;
	berth_port *p = parse_ok("65530-65535:65530-65535", 6);

	check_port(&p[5], "0.0.0.0", IPPROTO_TCP, 65535, 65535, 65535);
	free(p);
}

static void test_range_mismatch(void **state)
{
	(void)state;
	expect_error("8000-8001:80-82", "invalid ranges specified for container and host Ports: 80-82 and 8000-8001");
	expect_error("8000:80-82/udp", "invalid ranges specified for container and host Ports: 80-82 and 8000");
	expect_error("0:80-81", "invalid ranges specified for container and host Ports: 80-81 and 0");
}

static void test_range_reversed(void **state)
{
	(void)state;
	expect_error("82-80", "invalid containerPort: 82-80");
	expect_error("8010-8000:80", "invalid hostPort: 8010-8000");
}

static void test_range_malformed(void **state)
{
	(void)state;
	expect_error("80-", "invalid containerPort: 80-");
	expect_error("-80", "invalid containerPort: -80");
	expect_error("80-81-82", "invalid containerPort: 80-81-82");
	expect_error("0-2", "invalid containerPort: 0-2");
	expect_error("8000-:80", "invalid hostPort: 8000-");
	expect_error("0-10:80", "invalid hostPort: 0-10");
}

/* ---- refusals ------------------------------------------------------ */

static void test_invalid_container_port(void **state)
{
	(void)state;
	expect_error("0", "invalid containerPort: 0");
	expect_error("65536", "invalid containerPort: 65536");
	expect_error("99999999999999999999", "invalid containerPort: 99999999999999999999");
	expect_error("http", "invalid containerPort: http");
	expect_error("8080:0", "invalid containerPort: 0");
	expect_error("8080:abc/udp", "invalid containerPort: abc");
	expect_error("127.0.0.1:8080:8o", "invalid containerPort: 8o");
}

/* Digits only: what strtoul alone would let through. */
static void test_container_port_digits_only(void **state)
{
	(void)state;
	expect_error(" 80", "invalid containerPort:  80");
	expect_error("+80", "invalid containerPort: +80");
	expect_error("80 ", "invalid containerPort: 80 ");
	expect_error("0x50", "invalid containerPort: 0x50");
	expect_error("8080: 80", "invalid containerPort:  80");
}

static void test_invalid_host_port(void **state)
{
	(void)state;
	expect_error("65536:80", "invalid hostPort: 65536");
	expect_error("web:80", "invalid hostPort: web");
	expect_error("+8080:80", "invalid hostPort: +8080");
	expect_error(" 8080:80", "invalid hostPort:  8080");
	expect_error("-1:80", "invalid hostPort: -1");
	expect_error("127.0.0.1:80/tcp:80", "invalid hostPort: 80/tcp");
}

static void test_invalid_proto(void **state)
{
	(void)state;
	expect_error("80/icmp", "invalid proto: icmp");
	expect_error("8080:80/ICMP", "invalid proto: icmp");
	expect_error("80/tcp/udp", "invalid proto: tcp/udp");
	expect_error("80/tcp ", "invalid proto: tcp ");
}

static void test_invalid_ip(void **state)
{
	(void)state;
	expect_error("localhost:8080:80", "invalid IP address: localhost");
	expect_error("1.2.3:8080:80", "invalid IP address: 1.2.3");
	expect_error("10.0.0.256:8080:80", "invalid IP address: 10.0.0.256");
	expect_error("01.2.3.4:8080:80", "invalid IP address: 01.2.3.4");
	expect_error("[10.0.0.x]:8080:80", "invalid IP address: 10.0.0.x");
	expect_error("[::1:8080:80", "invalid IP address: [::1");
	expect_error("[]:8080:80", "invalid IP address: []");
}

#define LOOPBACK6_REFUSED                                                                                          \
	"cannot publish on ::1: Linux cannot forward connections to the IPv6 loopback address into a container; "  \
	"publish on [::] or on an address of the host (clients of localhost fall back to 127.0.0.1)"

/* IPv6 host addresses in brackets; ::1 refused with the reason. */
static void test_ipv6(void **state)
{
	(void)state;
	check_one("[::]:80:80", "::", IPPROTO_TCP, 80, 80, 80);
	check_one("[2001:db8::1]::80/udp", "2001:db8::1", IPPROTO_UDP, 80, 0, 0);
	check_one("[fd00:250::1]:8000-8010:80", "fd00:250::1", IPPROTO_TCP, 80, 8000, 8010);
	expect_error("[::1]:8080:80", LOOPBACK6_REFUSED);
	expect_error("[0:0:0:0:0:0:0:1]:8080:80", LOOPBACK6_REFUSED);
}

static void test_names_no_address(void **state)
{
	(void)state;
	assert_true(port_spec_names_no_address("80"));
	assert_true(port_spec_names_no_address("8080:80/udp"));
	assert_true(port_spec_names_no_address("::80"));
	assert_false(port_spec_names_no_address("0.0.0.0:8080:80"));
	assert_false(port_spec_names_no_address("[::]:8080:80"));
	assert_false(port_spec_names_no_address("127.0.0.1::80"));
}

/* Without brackets the colons of an IPv6 address are taken for parts. */
static void test_too_many_parts(void **state)
{
	(void)state;
	expect_error("::1:8080:80", "invalid port specification: \"::1:8080:80\"");
	expect_error("1:2:3:4", "invalid port specification: \"1:2:3:4\"");
	expect_error("2001:db8::1:80:80/udp", "invalid port specification: \"2001:db8::1:80:80/udp\"");
}

static void test_no_port(void **state)
{
	(void)state;
	expect_error("", "no port specified: <empty>");
	expect_error("/tcp", "no port specified: /tcp<empty>");
	expect_error("8080:", "no port specified: 8080:<empty>");
	expect_error("127.0.0.1:8080:/udp", "no port specified: 127.0.0.1:8080:/udp<empty>");
}

/* Docker's order of checks: protocol, then IP, then container port, then
 * host port, so a spec with several faults is refused for the same one. */
static void test_error_order(void **state)
{
	(void)state;
	expect_error("1.2.3.x:y:z/icmp", "invalid proto: icmp");
	expect_error("1.2.3.x:y:z", "invalid IP address: 1.2.3.x");
	expect_error("[::1]:y:z", LOOPBACK6_REFUSED);
	expect_error("y:z", "invalid containerPort: z");
	expect_error("8000-8001:80-82/icmp", "invalid proto: icmp");
}

/* ---- appending ----------------------------------------------------- */

static void test_appends_in_order(void **state)
{
	(void)state;
	berth_port *ports = NULL;
	size_t n = 0;
	berth_err err = { 0 };

	assert_int_equal(port_spec_parse("80", &ports, &n, &err), 0);
	assert_int_equal(port_spec_parse("9000-9001:90-91/udp", &ports, &n, &err), 0);
	assert_int_equal(port_spec_parse("127.0.0.1:53:53/sctp", &ports, &n, &err), 0);
	assert_int_equal(n, 4);
	check_port(&ports[0], "0.0.0.0", IPPROTO_TCP, 80, 0, 0);
	check_port(&ports[1], "0.0.0.0", IPPROTO_UDP, 90, 9000, 9000);
	check_port(&ports[2], "0.0.0.0", IPPROTO_UDP, 91, 9001, 9001);
	check_port(&ports[3], "127.0.0.1", IPPROTO_SCTP, 53, 53, 53);
	assert_null(err.msg);
	free(ports);
}

static void test_refused_appends_nothing(void **state)
{
	(void)state;
	static const char *const bad[] = { "8000-8001:80-82", "80/icmp", "[::1]:80:80", "x:80", "", "1:2:3:4" };
	berth_port *ports = NULL;
	size_t n = 0;
	berth_err err = { 0 };

	assert_int_equal(port_spec_parse("8080-8081:80-81", &ports, &n, &err), 0);
	berth_port *before = ports;
	berth_port saved[2];
	memcpy(saved, ports, sizeof(saved));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(port_spec_parse(bad[i], &ports, &n, &err), -EINVAL);
		assert_non_null(err.msg);
		berth_err_clear(&err);
		assert_ptr_equal(ports, before);
		assert_int_equal(n, 2);
		assert_memory_equal(ports, saved, sizeof(saved));
	}
	free(ports);
}

/* ---- port_list_text and port_line ---------------------------------- */

static berth_port published(const char *ip, int proto, unsigned host, unsigned cport)
{
	return (berth_port){
		.host_ip = A(ip),
		.proto = proto,
		.container_port = (uint16_t)cport,
		.host_port = (uint16_t)host,
		.host_port_min = (uint16_t)host,
		.host_port_max = (uint16_t)host,
	};
}

static void check_list(const berth_port *ports, size_t n, const char *want)
{
	char *s = port_list_text(ports, n);

	assert_string_equal(s, want);
	free(s);
}

static void test_list_text_none(void **state)
{
	(void)state;
	check_list(NULL, 0, "");
}

static void test_list_text_singles(void **state)
{
	(void)state;
	const berth_port ports[] = {
		published("0.0.0.0", IPPROTO_TCP, 8080, 80),
		published("127.0.0.1", IPPROTO_UDP, 8081, 81),
	};

	check_list(ports, 1, "0.0.0.0:8080->80/tcp");
	check_list(ports, 2, "0.0.0.0:8080->80/tcp, 127.0.0.1:8081->81/udp");
}

static void test_list_text_groups_runs(void **state)
{
	(void)state;
	const berth_port ports[] = {
		published("0.0.0.0", IPPROTO_TCP, 8000, 80),
		published("0.0.0.0", IPPROTO_TCP, 8001, 81),
		published("0.0.0.0", IPPROTO_TCP, 8002, 82),
		published("0.0.0.0", IPPROTO_SCTP, 9000, 9000),
		published("0.0.0.0", IPPROTO_SCTP, 9001, 9001),
	};

	check_list(ports, 3, "0.0.0.0:8000-8002->80-82/tcp");
	check_list(ports, 5, "0.0.0.0:8000-8002->80-82/tcp, 0.0.0.0:9000-9001->9000-9001/sctp");
}

/* Runs need both sides to step by one, and stay in the order given. */
static void test_list_text_not_consecutive(void **state)
{
	(void)state;
	const berth_port gap[] = {
		published("0.0.0.0", IPPROTO_TCP, 8080, 80),
		published("0.0.0.0", IPPROTO_TCP, 8082, 82),
		published("0.0.0.0", IPPROTO_TCP, 8083, 83),
	};
	const berth_port host_only[] = {
		published("0.0.0.0", IPPROTO_TCP, 8080, 80),
		published("0.0.0.0", IPPROTO_TCP, 8081, 90),
	};
	const berth_port container_only[] = {
		published("0.0.0.0", IPPROTO_TCP, 8080, 80),
		published("0.0.0.0", IPPROTO_TCP, 9000, 81),
	};
	const berth_port descending[] = {
		published("0.0.0.0", IPPROTO_TCP, 8081, 81),
		published("0.0.0.0", IPPROTO_TCP, 8080, 80),
	};

	check_list(gap, 3, "0.0.0.0:8080->80/tcp, 0.0.0.0:8082-8083->82-83/tcp");
	check_list(host_only, 2, "0.0.0.0:8080->80/tcp, 0.0.0.0:8081->90/tcp");
	check_list(container_only, 2, "0.0.0.0:8080->80/tcp, 0.0.0.0:9000->81/tcp");
	check_list(descending, 2, "0.0.0.0:8081->81/tcp, 0.0.0.0:8080->80/tcp");
}

/* A different protocol or host IP ends a run. */
static void test_list_text_mixed(void **state)
{
	(void)state;
	const berth_port ports[] = {
		published("0.0.0.0", IPPROTO_TCP, 8000, 80),
		published("0.0.0.0", IPPROTO_UDP, 8001, 81),
		published("0.0.0.0", IPPROTO_UDP, 8002, 82),
		published("127.0.0.1", IPPROTO_UDP, 8003, 83),
		published("0.0.0.0", IPPROTO_TCP, 8004, 84),
	};

	check_list(ports, 5,
		   "0.0.0.0:8000->80/tcp, 0.0.0.0:8001-8002->81-82/udp, 127.0.0.1:8003->83/udp, "
		   "0.0.0.0:8004->84/tcp");
}

/* A host port not chosen yet: Docker shows the container port alone. */
static void test_list_text_unchosen(void **state)
{
	(void)state;
	const berth_port ports[] = {
		published("0.0.0.0", IPPROTO_TCP, 0, 80),
		published("0.0.0.0", IPPROTO_TCP, 0, 81),
		published("0.0.0.0", IPPROTO_TCP, 8082, 82),
	};

	check_list(ports, 3, "80-81/tcp, 0.0.0.0:8082->82/tcp");
}

static void test_list_text_top_port(void **state)
{
	(void)state;
	const berth_port ports[] = {
		published("0.0.0.0", IPPROTO_TCP, 65534, 65534),
		published("0.0.0.0", IPPROTO_TCP, 65535, 65535),
		published("0.0.0.0", IPPROTO_TCP, 1, 1),
	};

	check_list(ports, 3, "0.0.0.0:65534-65535->65534-65535/tcp, 0.0.0.0:1->1/tcp");
}

static void test_port_line(void **state)
{
	(void)state;
	const berth_port tcp = published("0.0.0.0", IPPROTO_TCP, 8080, 80);
	const berth_port udp = published("127.0.0.1", IPPROTO_UDP, 5353, 53);
	const berth_port v6 = published("::", IPPROTO_SCTP, 9000, 90);
	char *s;

	assert_string_equal(s = port_line(&tcp), "80/tcp -> 0.0.0.0:8080");
	free(s);
	assert_string_equal(s = port_line(&udp), "53/udp -> 127.0.0.1:5353");
	free(s);
	/* IPv6 in brackets, as Go's JoinHostPort prints it */
	assert_string_equal(s = port_line(&v6), "90/sctp -> [::]:9000");
	free(s);
}

/* What a parsed spec looks like once its host ports are chosen. */
static void test_parse_then_text(void **state)
{
	(void)state;
	berth_port *p = parse_ok("127.0.0.1:8000-8002:80-82/udp", 3);

	for (size_t i = 0; i < 3; i++)
		p[i].host_port = p[i].host_port_min;
	check_list(p, 3, "127.0.0.1:8000-8002->80-82/udp");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_port_only),
		cmocka_unit_test(test_host_and_container),
		cmocka_unit_test(test_ip_host_container),
		cmocka_unit_test(test_random_host_port),
		cmocka_unit_test(test_host_port_zero),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_protocol_any_case),
		cmocka_unit_test(test_protocol_empty_is_tcp),
		cmocka_unit_test(test_bracketed_ipv4),
		cmocka_unit_test(test_range_pairs_ports),
		cmocka_unit_test(test_range_with_ip),
		cmocka_unit_test(test_range_container_only),
		cmocka_unit_test(test_host_range_one_container_port),
		cmocka_unit_test(test_range_of_one),
		cmocka_unit_test(test_range_to_top),
		cmocka_unit_test(test_range_mismatch),
		cmocka_unit_test(test_range_reversed),
		cmocka_unit_test(test_range_malformed),
		cmocka_unit_test(test_invalid_container_port),
		cmocka_unit_test(test_container_port_digits_only),
		cmocka_unit_test(test_invalid_host_port),
		cmocka_unit_test(test_invalid_proto),
		cmocka_unit_test(test_invalid_ip),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_names_no_address),
		cmocka_unit_test(test_too_many_parts),
		cmocka_unit_test(test_no_port),
		cmocka_unit_test(test_error_order),
		cmocka_unit_test(test_appends_in_order),
		cmocka_unit_test(test_refused_appends_nothing),
		cmocka_unit_test(test_list_text_none),
		cmocka_unit_test(test_list_text_singles),
		cmocka_unit_test(test_list_text_groups_runs),
		cmocka_unit_test(test_list_text_not_consecutive),
		cmocka_unit_test(test_list_text_mixed),
		cmocka_unit_test(test_list_text_unchosen),
		cmocka_unit_test(test_list_text_top_port),
		cmocka_unit_test(test_port_line),
		cmocka_unit_test(test_parse_then_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
