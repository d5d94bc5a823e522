#include "util/proto.h"
#include "util/cleanup.h"

#include <netinet/in.h>
#include <strings.h>

static const struct {
	int proto;
	const char *name;
} protos[] = {
	{ IPPROTO_TCP, "tcp" },
	{ IPPROTO_UDP, "udp" },
	{ IPPROTO_SCTP, "sctp" },
};

const char *port_proto_name(int proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

int port_proto_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++)
		if (!strcasecmp(protos[i].name, name))
			return protos[i].proto;
	return -1;
}
