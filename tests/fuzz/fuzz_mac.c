/* mac_parse (--mac-address) and the MACs berth derives from addresses: a
 * MAC accepted prints back as the same bytes, a unicast one in the exact
 * shape is never refused, and every MAC berth derives is one it accepts. */
#include "fuzz.h"

#include "ipam/cidr.h"
#include "util/mac.h"

#include <ctype.h>

/* The shape mac_parse takes, said another way: six pairs of hex digits
 * joined by colons, and nothing after. */
static bool mac_shaped(const char *s)
{
	for (int i = 0; i < 6; i++, s += 3)
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) || s[2] != (i < 5 ? ':' : '\0'))
			return false;
	return true;
}

static void check_mac(const char *s)
{
	uint8_t mac[6], again[6];
	char text[MAC_STRLEN];

	if (!mac_parse(s, mac)) {
		/* refused: not the shape, or multicast (low bit of the first byte) */
		FUZZ_CHECK(!mac_shaped(s) || (strtoul(s, NULL, 16) & 1), "\"%s\" refused", s);
		return;
	}
	FUZZ_CHECK(mac_shaped(s) && !(mac[0] & 1), "\"%s\" accepted", s);
	mac_format(mac, text);
	FUZZ_CHECK(!strcasecmp(text, s), "\"%s\" printed as \"%s\"", s, text);
	FUZZ_CHECK(mac_parse(text, again) && !memcmp(mac, again, 6), "\"%s\" does not read back", text);
}

static void check_derived(const char *s)
{
	berth_addr a;
	uint8_t mac[6], again[6];
	char text[MAC_STRLEN];

	if (!addr_parse(s, &a))
		return;
	mac_of_addr(&a, mac);
	mac_format(mac, text);
	FUZZ_CHECK(mac_parse(text, again) && !memcmp(mac, again, 6), "MAC %s of %s refused", text, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);

	check_mac(s);
	check_derived(s);
	free(s);
	return 0;
}
