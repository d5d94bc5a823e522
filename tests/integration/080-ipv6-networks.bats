#!/usr/bin/env bats
#
# IPv6 networks (issue 13, first step): `network create --ipv6` with
# Docker's repeated --subnet/--gateway/--ip-range (one IPv4 and one IPv6
# set, in any order, each gateway and range for the subnet it is in), an
# IPv6-only network, and without an IPv6 subnet a /64 of a unique local
# /48 berth picks once per host (RFC 4193), skipping what the host uses.
# The bridge carries the IPv6 gateway at once (no DAD) and still accepts
# no router advertisement. Bad input is refused with the value and the
# cause, changing nothing. Containers on them: 081-ipv6-containers.bats.
#
# Subnets: 10.200.0.0/16, fd00:80::/32.

# bats and helpers set status, output, stderr, lines, net_id
# shellcheck disable=SC2154

load helpers

teardown() {
    containers_rm_all
    berth_cleanup
}

# ipam_config NET: its IPAM Config entries, "SUBNET GATEWAY" each, in order
ipam_config() { net_get "$1" '" ; ".join(c["Subnet"] + " " + c["Gateway"] for c in d["IPAM"]["Config"])'; }
v6_addrs_of() { ip -6 -o addr show dev "$1" scope global | awk '{ print $4, ($0 ~ /nodad/ ? "nodad" : "dad") }'; }
ula_of() { sqlite3 "$BERTH_ROOT/berth.db" "SELECT value FROM settings WHERE key = 'ula_prefix'"; }

@test "without --ipv6 nothing changes: no IPv6 subnet, no IPv6 on the bridge, no ULA chosen (the first test: none is yet)" {
    create_net --subnet 10.200.10.0/24 plain
    assert_eq "$(net_get plain 'd["EnableIPv6"]')" false "EnableIPv6"
    assert_eq "$(ipam_config plain)" "10.200.10.0/24 10.200.10.1" "IPAM Config"
    assert_eq "$(sysctl -n "net.ipv6.conf.$(bridge_of "$net_id").disable_ipv6")" 1 "disable_ipv6 of the bridge"
    assert_eq "$(ula_of)" "" "the ULA prefix"
}

@test "--ipv6 with an IPv4 and an IPv6 subnet in any order: both in inspect (IPv4 first), the bridge has both gateways, IPv6 at once" {
    create_net --ipv6 --subnet fd00:80:1::/64 --gateway fd00:80:1::fe --subnet 10.200.1.0/24 --ip-range fd00:80:1::100/120 dual
    assert_eq "$(net_get dual 'd["EnableIPv6"]')" true "EnableIPv6"
    assert_eq "$(ipam_config dual)" "10.200.1.0/24 10.200.1.1 ; fd00:80:1::/64 fd00:80:1::fe" "IPAM Config"
    assert_eq "$(net_get dual 'd["IPAM"]["Config"][1]["IPRange"]')" "fd00:80:1::100/120" "IPRange of the IPv6 subnet"
    local br
    br=$(bridge_of "$net_id")
    assert_addr "$br" 10.200.1.1/24
    assert_eq "$(v6_addrs_of "$br")" "fd00:80:1::fe/64 nodad" "IPv6 addresses of $br"
    assert_eq "$(sysctl -n "net.ipv6.conf.$br.disable_ipv6")" 0 "disable_ipv6 of $br"
    assert_eq "$(sysctl -n "net.ipv6.conf.$br.accept_ra")" 0 "accept_ra of $br"
    berth_ok system check
}

@test "--ipv6 alone: an IPv4 subnet from the pools and a /64 of one unique local /48, kept for every network" {
    create_net --ipv6 ula1
    local ula
    ula=$(ula_of)
    assert_match "$ula" '^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::/48$' "the host's ULA prefix"
    local base=${ula%::/48}
    assert_match "$(ipam_config ula1)" "^172\.[0-9]+\.0\.0/16 172\.[0-9]+\.0\.1 ; $base::/64 $base::1$" "IPAM Config of ula1"
    create_net --ipv6 --subnet 10.200.2.0/24 ula2
    assert_eq "$(ipam_config ula2)" "10.200.2.0/24 10.200.2.1 ; $base:1::/64 $base:1::1" "IPAM Config of ula2"
    # the prefix stays the host's: a network made later takes the first free /64 of it
    berth_ok network rm ula1
    assert_eq "$(ula_of)" "$ula" "the ULA prefix after network rm"
    # one the host uses is skipped
    add_veth hostv6
    ip -6 addr add "$base::5/64" dev hostv6 nodad
    create_net --ipv6 ula3
    assert_eq "$(net_get ula3 'd["IPAM"]["Config"][1]["Subnet"]')" "$base:2::/64" "ula3's subnet ($base::/64 is the host's)"
    assert_eq "$(v6_addrs_of "$(bridge_of "$net_id")")" "$base:2::1/64 nodad" "IPv6 addresses of ula3's bridge"
}

@test "an IPv6 subnet alone makes an IPv6-only network: its bridge has the IPv6 gateway and no IPv4" {
    create_net --ipv6 --subnet fd00:80:3::/64 only6
    assert_eq "$(ipam_config only6)" "fd00:80:3::/64 fd00:80:3::1" "IPAM Config"
    local br
    br=$(bridge_of "$net_id")
    assert_addr "$br" ""
    assert_eq "$(v6_addrs_of "$br")" "fd00:80:3::1/64 nodad" "IPv6 addresses of $br"
}

@test "an IPv6 network's bad input: each value refused with its cause, nothing changed" {
    create_net --ipv6 --subnet fd00:80:4::/64 taken
    snapshot_save
    berth_fails 1 'subnet fd00:80:5::/64 is IPv6: add --ipv6 to give the network IPv6' \
        network create --subnet fd00:80:5::/64 bad
    berth_fails 1 'invalid subnet "fe80::%eth0/64": %eth0 is a zone index, which only a link-local address of one interface has' \
        network create --ipv6 --subnet 'fe80::%eth0/64' bad
    berth_fails 1 'invalid gateway "fe80::1%eth0": %eth0 is a zone index, which only a link-local address of one interface has' \
        network create --subnet 10.200.5.0/24 --gateway 'fe80::1%eth0' bad
    berth_fails 1 'invalid subnet "::ffff:10.0.0.0/104": an IPv4-mapped IPv6 address; give the IPv4 subnet itself' \
        network create --ipv6 --subnet ::ffff:10.0.0.0/104 bad
    berth_fails 1 'invalid subnet "fd00:80:5::1/64": host bits are set (did you mean fd00:80:5::/64?)' \
        network create --ipv6 --subnet fd00:80:5::1/64 bad
    berth_fails 1 'subnet fd00:80:4::/64 overlaps with network "taken" (fd00:80:4::/64)' \
        network create --ipv6 --subnet fd00:80:4::/64 bad
    local why='(one link is a /64 at most; /127 and /128 leave no address for a container)'
    berth_fails 1 "subnet fd00:80::/48: IPv6 prefix length must be between /64 and /126 $why" \
        network create --ipv6 --subnet fd00:80::/48 bad
    berth_fails 1 "subnet fd00:80:5::/127: IPv6 prefix length must be between /64 and /126 $why" \
        network create --ipv6 --subnet fd00:80:5::/127 bad
    berth_fails 1 'subnet fe80::/64 overlaps fe80::/10, which is link-local: containers cannot use it' \
        network create --ipv6 --subnet fe80::/64 bad
    berth_fails 1 'subnet ff02::/64 overlaps ff00::/8, which is multicast: containers cannot use it' \
        network create --ipv6 --subnet ff02::/64 bad
    berth_fails 1 'subnet ::/64 overlaps ::/128, which is the unspecified address: containers cannot use it' \
        network create --ipv6 --subnet ::/64 bad
    berth_fails 1 'subnets fd00:80:6::/64 and fd00:80:7::/64: a network has one IPv6 subnet' \
        network create --ipv6 --subnet fd00:80:6::/64 --subnet fd00:80:7::/64 bad
    berth_fails 1 'subnets 10.200.6.0/24 and 10.200.7.0/24: a network has one IPv4 subnet' \
        network create --subnet 10.200.6.0/24 --subnet 10.200.7.0/24 bad
    berth_fails 1 'gateway 10.200.8.1 is outside subnet fd00:80:8::/64' \
        network create --ipv6 --subnet fd00:80:8::/64 --gateway 10.200.8.1 bad
    berth_fails 1 'gateway fd00:80:9::1 is in neither subnet 10.200.8.0/24 nor fd00:80:8::/64' \
        network create --ipv6 --subnet fd00:80:8::/64 --subnet 10.200.8.0/24 --gateway fd00:80:9::1 bad
    berth_fails 1 'gateway fd00:80:8:: is the network address of subnet fd00:80:8::/64' \
        network create --ipv6 --subnet fd00:80:8::/64 --gateway fd00:80:8:: bad
    berth_fails 1 'gateways fd00:80:8::1 and fd00:80:8::2: subnet fd00:80:8::/64 has one' \
        network create --ipv6 --subnet fd00:80:8::/64 --gateway fd00:80:8::1 --gateway fd00:80:8::2 bad
    berth_fails 1 'ip-ranges fd00:80:8::/80 and fd00:80:8:0:1::/80: subnet fd00:80:8::/64 has one' \
        network create --ipv6 --subnet fd00:80:8::/64 --ip-range fd00:80:8::/80 --ip-range fd00:80:8:0:1::/80 bad
    berth_fails 1 'ip-range fd00:80:9::/80 is outside subnet fd00:80:8::/64' \
        network create --ipv6 --subnet fd00:80:8::/64 --ip-range fd00:80:9::/80 bad
    berth_fails 1 '--gateway requires --subnet' network create --ipv6 --gateway fd00:80:8::1 bad
    assert_unchanged
}
