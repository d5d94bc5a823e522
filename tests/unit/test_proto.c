/* Unit tests for src/util/proto.c: protocol names as -p spells them. */
#include <netinet/in.h>

#include "unit.h"

#include "util/proto.h"

static void test_proto_names(void **state)
{
	(void)state;
	assert_string_equal(port_proto_name(IPPROTO_TCP), "tcp");
	assert_string_equal(port_proto_name(IPPROTO_UDP), "udp");
	assert_string_equal(port_proto_name(IPPROTO_SCTP), "sctp");
	assert_null(port_proto_name(IPPROTO_ICMP));
	assert_int_equal(port_proto_from_name("tcp"), IPPROTO_TCP);
	assert_int_equal(port_proto_from_name("udp"), IPPROTO_UDP);
	assert_int_equal(port_proto_from_name("sctp"), IPPROTO_SCTP);
	assert_int_equal(port_proto_from_name("SCTP"), IPPROTO_SCTP);
	assert_int_equal(port_proto_from_name("icmp"), -1);
	assert_int_equal(port_proto_from_name(""), -1);
	assert_int_equal(port_proto_from_name("tcp "), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proto_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
