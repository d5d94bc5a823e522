#include "util/mac.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Docker's prefix for the MACs it derives from addresses */
static const uint8_t docker_prefix[2] = { 0x02, 0x42 };

/* Exactly "xx:xx:xx:xx:xx:xx": sscanf alone would take " 2", "+2" or
 * "-1" for a byte. */
static bool mac_shaped(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool mac_parse(const char *s, uint8_t mac[6])
{
	unsigned b[6];

	if (!mac_shaped(s) || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return !(mac[0] & 1);
}

void mac_format(const uint8_t mac[6], char out[MAC_STRLEN])
{
	snprintf(out, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void mac_of_addr(const berth_addr *a, uint8_t mac[6])
{
	memcpy(mac, docker_prefix, sizeof(docker_prefix));
	memset(mac + 2, 0, 4);
	if (a->family == AF_INET)
		memcpy(mac + 2, a->bytes, 4);
	else if (a->family == AF_INET6)
		memcpy(mac + 2, a->bytes + 12, 4);
}
