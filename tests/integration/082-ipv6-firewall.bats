#!/usr/bin/env bats
#
# Firewall over IPv6 (issue 13, third step), in the same table inet berth:
# NAT66 out of a network's IPv6 subnet by default, none with
# gateway_mode_ipv6=routed (the outside then reaches every port directly)
# or enable_ip_masquerade=false; from outside, no unpublished port by
# routing in nat mode; isolation between networks, --internal and
# enable_icc=false hold for IPv6 as for IPv4. The first IPv6 network turns
# IPv6 forwarding on, first moving every interface that accepted router
# advertisements with accept_ra=1 to accept_ra=2, so that the host keeps
# the default route it learned from them.
#
# Test bed (fw_helpers.bash): host uplink 10.250.0.1, fd00:250::1 <->
# outside 10.250.0.2, fd00:250::2.
# Subnets: 10.202.0.0/16, fd00:82::/32.

# bats and helpers set status, output, stderr, lines, cid, net_id
# shellcheck disable=SC2154

load helpers
load fw_helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() {
    # a new namespace may inherit the machine's: start from off
    sysctl -qw net.ipv6.conf.all.forwarding=0
}

setup() {
    fw_setup
}

teardown() {
    fw_teardown
}

ctr_ip6() { ctr_net "$1" "$2" GlobalIPv6Address; }
ra_route_on_uplink() { ip -6 route show default dev uplink | grep -q "via fe80::bad"; }
outside_sends_ra() {
    in_outside python3 "$REPO/tests/lib/send-ra.py" eth0 2001:db8:82:: >/dev/null || return 1
    ra_route_on_uplink
}

# Must stay the first test of the file: no IPv6 network exists before it.
@test "the first IPv6 network turns IPv6 forwarding on; the uplink keeps heeding router advertisements (accept_ra=2)" {
    assert_eq "$(sysctl -n net.ipv6.conf.uplink.accept_ra)" 1 "accept_ra of the uplink before"
    wait_until 10 outside_sends_ra || fail "the host never took the outside's router advertisement"
    berth_ok network create --subnet 10.202.0.0/24 four
    assert_eq "$(sysctl -n net.ipv6.conf.all.forwarding)" 0 "IPv6 forwarding after an IPv4 network"

    berth_ok network create --ipv6 --subnet 10.202.1.0/24 --subnet fd00:82:1::/64 first6
    assert_eq "$stderr" "berth: warning: set accept_ra=2 on default, uplink: with IPv6 forwarding on, they keep heeding router advertisements (and a default route learned from them)
berth: warning: enabled IPv6 forwarding (net.ipv6.conf.all.forwarding=1) for bridge networks with IPv6" \
        "stderr of the first IPv6 network create"
    assert_eq "$(sysctl -n net.ipv6.conf.all.forwarding)" 1 "IPv6 forwarding"
    assert_eq "$(sysctl -n net.ipv6.conf.uplink.accept_ra) $(sysctl -n net.ipv6.conf.default.accept_ra)" "2 2" \
        "accept_ra of the uplink and of new interfaces"
    ra_route_on_uplink || fail "the RA-learned default route is gone"
    # a route learned from now on is taken too
    ip -6 route del default dev uplink
    wait_until 10 outside_sends_ra || fail "with forwarding on, the host took no more router advertisement"

    berth_ok network create --ipv6 --subnet 10.202.2.0/24 --subnet fd00:82:2::/64 second6
    assert_eq "$stderr" "" "stderr of the second IPv6 network create"
}

@test "NAT66: a container reaches the outside as the host's uplink address; containers of one network keep their addresses" {
    create_net --ipv6 --subnet 10.202.3.0/24 --subnet fd00:82:3::/64 nat6
    local br
    br=$(bridge_of "$net_id")
    outside_server tcp6:8082 udp6:8082
    run_d --name n1 --network nat6 -- sleep 3600
    ctr_server n2 --network nat6 -- tcp6:9082
    assert_peer "tcp n1 -> outside" "$HOST_IP6" peer_from_ctr n1 tcp "$OUT_IP6" 8082
    assert_peer "udp n1 -> outside" "$HOST_IP6" peer_from_ctr n1 udp "$OUT_IP6" 8082
    assert_peer "tcp n1 -> n2" "$(ctr_ip6 n1 nat6)" peer_from_ctr n1 tcp "$(ctr_ip6 n2 nat6)" 9082
    assert_elem masq6 fd00:82:3::/64
    assert_elem subnets6 "fd00:82:3::/64 . $br"
    refute_elem direct6 "$br"
    berth_ok rm -f n1 n2
    berth_ok network rm nat6
    refute_elem masq6 fd00:82:3::/64
    refute_elem subnets6 "fd00:82:3::/64 . $br"
}

# forwarding_works NET SUBNET6: a container on the routed network NET reaches
# the outside and the outside it (the control of a test that something is
# not reached)
forwarding_works() {
    create_net --ipv6 --subnet "$2" -o com.docker.network.bridge.gateway_mode_ipv6=routed "$1" || return 1
    ctr_server "ctl-$1" --network "$1" -- tcp6:9099 || return 1
    outside_route "$2"
    assert_peer "tcp outside -> ctl-$1" "$OUT_IP6" peer_from_outside tcp "${2%/*}2" 9099
}

@test "from outside, with a route via the host, no unpublished port over IPv6 (nat mode); the packets did arrive" {
    create_net --ipv6 --subnet 10.202.4.0/24 --subnet fd00:82:4::/64 closed6
    ctr_server c4 --network closed6 -- tcp6:9084 udp6:9084
    forwarding_works ctl4 fd00:82:14::/64
    outside_route fd00:82:4::/64
    probe_add uplink ip6 daddr fd00:82:4::2
    refute_reach "tcp outside -> c4" peer_from_outside tcp fd00:82:4::2 9084
    refute_reach "udp outside -> c4" peer_from_outside udp fd00:82:4::2 9084
    [ "$(probe_count uplink)" -gt 0 ] || fail "no probe packet reached the host's uplink"
    # the host itself reaches it
    assert_peer "tcp host -> c4" fd00:82:4::1 peer_from_host tcp fd00:82:4::2 9084
}

@test "gateway_mode_ipv6=routed: the outside reaches every port directly and the container leaves unmasqueraded; IPv4 stays nat" {
    create_net --ipv6 --subnet 10.202.5.0/24 --subnet fd00:82:5::/64 \
        -o com.docker.network.bridge.gateway_mode_ipv6=routed routed6
    local br
    br=$(bridge_of "$net_id")
    ctr_server r5 --network routed6 -- tcp6:9085 tcp:9085
    outside_route fd00:82:5::/64
    outside_route 10.202.5.0/24
    outside_server tcp6:8085 tcp:8085
    assert_peer "tcp outside -> r5 (IPv6)" "$OUT_IP6" peer_from_outside tcp fd00:82:5::2 9085
    refute_reach "tcp outside -> r5 (IPv4)" peer_from_outside tcp 10.202.5.2 9085
    assert_peer "tcp r5 -> outside (IPv6)" fd00:82:5::2 peer_from_ctr r5 tcp "$OUT_IP6" 8085
    assert_peer "tcp r5 -> outside (IPv4)" "$HOST_IP" peer_from_ctr r5 tcp "$OUT_IP" 8085
    assert_elem direct6 "$br"
    refute_elem direct "$br"
    refute_elem masq6 fd00:82:5::/64
    assert_elem masq4 10.202.5.0/24
}

@test "enable_ip_masquerade=false: no NAT66 either; a bad gateway_mode_ipv6 is refused" {
    create_net --ipv6 --subnet 10.202.6.0/24 --subnet fd00:82:6::/64 \
        -o com.docker.network.bridge.enable_ip_masquerade=false nomasq6
    run_d --name m6 --network nomasq6 -- sleep 3600
    outside_route fd00:82:6::/64
    outside_server tcp6:8086
    assert_peer "tcp m6 -> outside" fd00:82:6::2 peer_from_ctr m6 tcp "$OUT_IP6" 8086
    refute_elem masq6 fd00:82:6::/64
    snapshot_save
    berth_fails 1 'invalid value "bogus" for option com.docker.network.bridge.gateway_mode_ipv6: must be nat, nat-unprotected or routed' \
        network create --ipv6 --subnet fd00:82:7::/64 -o com.docker.network.bridge.gateway_mode_ipv6=bogus bad6
    assert_unchanged
}

@test "isolation over IPv6: containers on two networks cannot reach each other; one on both reaches both" {
    create_net --ipv6 --subnet 10.202.8.0/24 --subnet fd00:82:8::/64 left6
    create_net --ipv6 --subnet 10.202.9.0/24 --subnet fd00:82:9::/64 right6
    ctr_server l1 --network left6 -- tcp6:9088 udp6:9088
    ctr_server r1 --network right6 -- tcp6:9088 udp6:9088
    forwarding_works ctl8 fd00:82:18::/64
    refute_reach "tcp l1 -> r1" peer_from_ctr l1 tcp fd00:82:9::2 9088
    refute_reach "udp l1 -> r1" peer_from_ctr l1 udp fd00:82:9::2 9088
    refute_reach "tcp r1 -> l1" peer_from_ctr r1 tcp fd00:82:8::2 9088
    ! ctr_ping l1 fd00:82:9::2 || fail "l1 pings r1"
    run_d --name both --network left6 -- sleep 3600
    berth_ok network connect right6 both
    assert_peer "tcp both -> l1" "$(ctr_ip6 both left6)" peer_from_ctr both tcp fd00:82:8::2 9088
    assert_peer "tcp both -> r1" "$(ctr_ip6 both right6)" peer_from_ctr both tcp fd00:82:9::2 9088
}

@test "--internal over IPv6: no way out, none in by routing; its containers reach each other" {
    create_net --ipv6 --internal --subnet 10.202.10.0/24 --subnet fd00:82:10::/64 int6
    ctr_server i1 --network int6 -- tcp6:9090
    run_d --name i2 --network int6 -- sleep 3600
    forwarding_works ctl10 fd00:82:20::/64
    outside_server tcp6:8090
    outside_route fd00:82:10::/64
    refute_reach "tcp i2 -> outside" peer_from_ctr i2 tcp "$OUT_IP6" 8090
    refute_reach "tcp outside -> i1" peer_from_outside tcp fd00:82:10::2 9090
    assert_peer "tcp i2 -> i1" fd00:82:10::3 peer_from_ctr i2 tcp fd00:82:10::2 9090
    refute_elem masq6 fd00:82:10::/64
}

@test "enable_icc=false over IPv6: containers of the network cannot reach each other, but reach the gateway and the outside" {
    create_net --ipv6 --subnet 10.202.11.0/24 --subnet fd00:82:11::/64 -o com.docker.network.bridge.enable_icc=false noicc6
    ctr_server c1 --network noicc6 -- tcp6:9091
    run_d --name c2 --network noicc6 -- sleep 3600
    outside_server tcp6:8091
    refute_reach "tcp c2 -> c1" peer_from_ctr c2 tcp fd00:82:11::2 9091
    ! ctr_ping c2 fd00:82:11::2 || fail "c2 pings c1"
    ctr_ping c2 fd00:82:11::1 || fail "c2 cannot ping the gateway"
    assert_peer "tcp c2 -> outside" "$HOST_IP6" peer_from_ctr c2 tcp "$OUT_IP6" 8091
}
