/* Unit tests for src/cli/text.c and src/util/utf8.c: user text on its way
 * to a terminal (docker ps's quoting) and to JSON (valid UTF-8 only). */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "cli/text.h"
#include "util/utf8.h"

static void assert_text(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void quote_as_go(void **state)
{
	(void)state;
	assert_text(text_quote("sleep 3600"), "\"sleep 3600\"");
	assert_text(text_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
	assert_text(text_quote("l1\nl2\t\r"), "\"l1\\nl2\\t\\r\"");
	assert_text(text_quote("\x1b[31mred"), "\"\\x1b[31mred\"");
	assert_text(text_quote("del\x7f"), "\"del\\x7f\"");
	assert_text(text_quote("caf\xc3\xa9 \xe2\x9c\x93"), "\"caf\xc3\xa9 \xe2\x9c\x93\"");
	assert_text(text_quote("bad\xff\xc3"), "\"bad\\xff\\xc3\"");
	assert_text(text_quote("c1\xc2\x85"), "\"c1\\u0085\"");
	assert_text(text_quote(""), "\"\"");
}

static void ellipsis_counts_characters(void **state)
{
	(void)state;
	assert_text(text_ellipsis("short", 20), "short");
	assert_text(text_ellipsis("12345678901234567890", 20), "12345678901234567890");
	assert_text(text_ellipsis("123456789012345678901", 20), "1234567890123456789…");
	/* 25 two-byte characters: cut after 19 characters, not 19 bytes */
	assert_text(text_ellipsis("ééééééééééééééééééééééééé", 20), "ééééééééééééééééééé…");
}

static void utf8_replaced_for_json(void **state)
{
	(void)state;
	assert_text(text_utf8("ok é"), "ok é");
	assert_text(text_utf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
	assert_text(text_utf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
	assert_text(text_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* a surrogate */
}

static void utf8_validity(void **state)
{
	(void)state;
	assert_true(utf8_valid(""));
	assert_true(utf8_valid("plain"));
	assert_true(utf8_valid("\xf0\x9f\x98\x80"));
	assert_false(utf8_valid("\xf4\x90\x80\x80")); /* above U+10FFFF */
	assert_false(utf8_valid("\xe2\x9c"));	      /* cut short */
	assert_false(utf8_valid("\x80"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quote_as_go),
		cmocka_unit_test(ellipsis_counts_characters),
		cmocka_unit_test(utf8_replaced_for_json),
		cmocka_unit_test(utf8_validity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
