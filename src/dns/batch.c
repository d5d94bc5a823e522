#include "dns/batch.h"

#include <errno.h>
#include <string.h>

/* Datagram i's header: its buffer, len bytes of it, and its peer. */
static void point_at(dns_datagrams *d, size_t i, size_t len)
{
	d->iov[i] = (struct iovec){ d->buf[i], len };
	d->msgs[i].msg_hdr = (struct msghdr){ .msg_name = &d->peer[i],
					      .msg_namelen = sizeof(d->peer[i]),
					      .msg_iov = &d->iov[i],
					      .msg_iovlen = 1 };
}

size_t dns_inbox_read(dns_inbox *in, int fd)
{
	/* again each time: recvmmsg writes the address lengths */
	for (size_t i = 0; i < DNS_BATCH; i++)
		point_at(in, i, sizeof(in->buf[i]));
	int n = recvmmsg(fd, in->msgs, DNS_BATCH, MSG_DONTWAIT, NULL);
	in->n = n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < in->n; i++)
		if (in->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
			in->msgs[i].msg_len = 0;
	return in->n;
}

const uint8_t *dns_inbox_msg(const dns_inbox *in, size_t i, size_t *len)
{
	*len = in->msgs[i].msg_len;
	return in->buf[i];
}

bool dns_outbox_add(dns_outbox *out, const struct sockaddr_in *to, const uint8_t *msg, size_t len)
{
	size_t i = out->n;

	if (i == DNS_BATCH || len > sizeof(out->buf[i]))
		return false;
	memcpy(out->buf[i], msg, len);
	out->peer[i] = *to;
	point_at(out, i, len);
	out->n++;
	return true;
}

void dns_outbox_flush(dns_outbox *out, int fd)
{
	size_t sent = 0;

	while (sent < out->n) {
		int n = sendmmsg(fd, out->msgs + sent, (unsigned)(out->n - sent), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			sent += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			/* this one failed (no room, the asker's address
			 * unreachable): the others may still go */
			sent++;
		}
	}
	out->n = 0;
}
