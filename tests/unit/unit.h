/* What every unit test includes: cmocka and address literals. */
#ifndef BERTH_TESTS_UNIT_H
#define BERTH_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ipam/cidr.h"

/* An address or prefix literal; a typo in a test fails it loudly. */
static inline berth_addr A(const char *s)
{
	berth_addr a;

	if (!addr_parse(s, &a))
		fail_msg("test setup: addr_parse(\"%s\") failed", s);
	return a;
}

static inline berth_prefix P(const char *s)
{
	berth_prefix p;
	bool bad_len = false;

	if (!prefix_parse(s, &p, &bad_len))
		fail_msg("test setup: prefix_parse(\"%s\") failed", s);
	return p;
}

#endif
