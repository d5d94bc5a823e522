/* Unit tests for src/fw/nft.c's nft_error_text: libnftables' error
 * buffer as one line of berth's error. The buffers are what nftables
 * 1.0.6 writes for a JSON batch (and for text, when a buffer is not JSON
 * at all and it falls back to its text parser). */
#include <stdlib.h>

#include "unit.h"

#include "fw/nft.h"

static void expect_text(const char *buffer, const char *want)
{
	char *text = nft_error_text(buffer);

	assert_string_equal(text, want);
	free(text);
}

static void test_kernel_refusal_without_location(void **state)
{
	(void)state;
	expect_text("internal:0:0-0: Error: Could not process rule: No such file or directory\n\n",
		    "Could not process rule: No such file or directory");
}

static void test_every_cause_kept_with_the_failing_index(void **state)
{
	(void)state;
	expect_text("internal:0:0-0: Error: Unknown object passed to add command.\n\n"
		    "internal:0:0-0: Error: Parsing command array at index 4 failed.\n\n",
		    "Unknown object passed to add command; Parsing command array at index 4 failed");
}

static void test_text_parser_command_and_underline_dropped(void **state)
{
	(void)state;
	expect_text("/dev/stdin:2:28-28: Error: syntax error, unexpected '}'\n"
		    "add chain inet t c { bogus }\n"
		    "                           ^\n"
		    "/dev/stdin:3:1-1: Error: syntax error, unexpected end of file\n"
		    "add chain inet t c { bogus }\n"
		    "^\n",
		    "syntax error, unexpected '}'; syntax error, unexpected end of file");
}

static void test_no_cause_keeps_the_first_line(void **state)
{
	(void)state;
	expect_text("something nft says\nmore of it\n", "something nft says");
	expect_text("internal:0:0-0: Error: \n", "internal:0:0-0: Error: ");
}

static void test_nothing_said(void **state)
{
	(void)state;
	expect_text(NULL, "the transaction failed");
	expect_text("", "the transaction failed");
	expect_text("\n", "the transaction failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_refusal_without_location),
		cmocka_unit_test(test_every_cause_kept_with_the_failing_index),
		cmocka_unit_test(test_text_parser_command_and_underline_dropped),
		cmocka_unit_test(test_no_cause_keeps_the_first_line),
		cmocka_unit_test(test_nothing_said),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
