/* Unit tests for src/util/mac.c: MAC text, and Docker's MAC of an address. */
#include <string.h>

#include "unit.h"

#include "ipam/cidr.h"
#include "util/mac.h"

static void test_parse(void **state)
{
	(void)state;
	uint8_t mac[6];

	assert_true(mac_parse("02:42:0a:00:00:02", mac));
	assert_int_equal(mac[0], 0x02);
	assert_int_equal(mac[2], 0x0a);
	assert_int_equal(mac[5], 0x02);
	assert_true(mac_parse("AA:bb:CC:dd:EE:ff", mac));
	assert_int_equal(mac[1], 0xbb);
}

static void test_parse_refuses(void **state)
{
	(void)state;
	uint8_t mac[6];

	assert_false(mac_parse("", mac));
	assert_false(mac_parse("02:42:0a:00:00", mac));
	assert_false(mac_parse("02:42:0a:00:00:02:03", mac));
	assert_false(mac_parse("02:42:0a:00:00:2", mac));
	assert_false(mac_parse("02-42-0a-00-00-02", mac));
	assert_false(mac_parse("02:42:0a:00:00:0g", mac));
	assert_false(mac_parse(" 2:42:0a:00:00:02", mac));
	assert_false(mac_parse("+2:42:0a:00:00:02", mac));
	assert_false(mac_parse("02:42:0a:00:00:-1", mac));
	assert_false(mac_parse("02:42:0a:00:00:02\n", mac));
	/* multicast: never an interface's address */
	assert_false(mac_parse("01:00:5e:00:00:01", mac));
	assert_false(mac_parse("ff:ff:ff:ff:ff:ff", mac));
}

static void test_format(void **state)
{
	(void)state;
	const uint8_t mac[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0xff };
	char text[MAC_STRLEN];

	mac_format(mac, text);
	assert_string_equal(text, "02:42:ac:11:00:ff");
}

static void test_of_addr(void **state)
{
	(void)state;
	berth_addr a;
	uint8_t mac[6];
	char text[MAC_STRLEN];

	assert_true(addr_parse("172.17.0.2", &a));
	mac_of_addr(&a, mac);
	mac_format(mac, text);
	assert_string_equal(text, "02:42:ac:11:00:02");
	assert_true(addr_parse("fd00::1:a0b:c0d", &a));
	mac_of_addr(&a, mac);
	mac_format(mac, text);
	assert_string_equal(text, "02:42:0a:0b:0c:0d");
	mac_of_addr(&(berth_addr){ 0 }, mac);
	mac_format(mac, text);
	assert_string_equal(text, "02:42:00:00:00:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_of_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
