#!/usr/bin/env bats
#
# A container must not reconfigure the host with an IPv6 router
# advertisement (Docker's CVE-2020-13401): a container with CAP_NET_RAW
# (Docker's default set) sends an RA from fe80::bad with prefix
# 2001:db8:bad::/64 out of its eth0. A host link that accepts RAs gains a
# default route via fe80::bad and a SLAAC address from it; berth's bridge
# does neither. The control: a veth the test itself plugs into the same
# bridge, with the kernel's defaults, on which the host does take the RA,
# so the test knows the RA was sent, valid and flooded.

# bats and helpers set status, output, stderr, lines, cid, net_id
# shellcheck disable=SC2154

load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

teardown() {
    container_teardown
    ip link del ctl-a 2>/dev/null || true
}

v6_default_routes() { ip -6 route show default dev "$1" 2>/dev/null; }
v6_global_addrs() { ip -6 -o addr show dev "$1" scope global 2>/dev/null | awk '{ print $4 }'; }
has_v6_default() { [ -n "$(v6_default_routes "$1")" ]; }
has_link_local() { ip -6 -o addr show dev "$1" scope link | grep -q fe80; }

# plug_control BRIDGE: ctl-a in this namespace, its peer a port of BRIDGE,
# with IPv6 and accept_ra as the kernel makes them
plug_control() {
    ip link add ctl-a type veth peer name ctl-b
    ip link set ctl-b master "$1" up
    ip link set ctl-a up
    wait_until 10 has_link_local ctl-a || fail "ctl-a has no link-local address"
}

# send_ra_until_control CTR: RAs from CTR's eth0 until the control link
# has taken one (10 s)
ra_taken() {
    berth exec "$1" python3 "$REPO/tests/lib/send-ra.py" eth0 >/dev/null || return 1
    has_v6_default ctl-a
}

@test "a container's router advertisement gives berth's bridge no route and no address" {
    create_net --subnet 10.180.0.0/24 ranet
    local br
    br=$(bridge_of "$net_id")
    run_d --name rogue --network ranet -- sleep 3600
    plug_control "$br"
    wait_until 10 ra_taken rogue || fail "the control link never took the RA"
    assert_contains "$(v6_default_routes ctl-a)" "via fe80::bad" "the control's default route"
    assert_eq "$(v6_default_routes "$br")" "" "IPv6 default routes via $br"
    assert_eq "$(v6_global_addrs "$br")" "" "global IPv6 addresses of $br"
    assert_eq "$(sysctl -n "net.ipv6.conf.$br.accept_ra")" 0 "accept_ra of $br"
    assert_eq "$(sysctl -n "net.ipv6.conf.$br.disable_ipv6")" 1 "disable_ipv6 of $br (an IPv4-only network)"
}

@test "the default bridge network ignores router advertisements too" {
    run_d --name rogue0 -- sleep 3600
    assert_eq "$(sysctl -n net.ipv6.conf.berth0.accept_ra)" 0 "accept_ra of berth0"
    assert_eq "$(sysctl -n net.ipv6.conf.berth0.disable_ipv6)" 1 "disable_ipv6 of berth0"
    plug_control berth0
    wait_until 10 ra_taken rogue0 || fail "the control link never took the RA"
    assert_eq "$(v6_default_routes berth0)" "" "IPv6 default routes via berth0"
    assert_eq "$(v6_global_addrs berth0)" "" "global IPv6 addresses of berth0"
}
