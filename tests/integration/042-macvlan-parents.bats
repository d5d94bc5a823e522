#!/usr/bin/env bats
#
# macvlan parents and options (issue 6): what is refused (a parent that does
# not exist, a bad mode, an unknown option, a parent another macvlan network
# has), each with its message and nothing made; a parent that is down is
# brought up, with a warning; a VLAN parent eth1.10 (made and removed by
# berth where the kernel has 802.1Q, a clear error where it has not); the
# host shim, through which the host reaches its own macvlan containers (the
# kernel keeps a parent from reaching its children), and whose address no
# container ever gets.
#
# Test bed (macvlan_helpers.bash): hosta and hostb, eth1 each, on br-lan.
# Subnets: 10.194.0.0/16 .. 10.197.0.0/16.

# bats and helpers set status, output, stderr, lines, cid, net_id
# shellcheck disable=SC2154

load helpers
load macvlan_helpers

setup() {
    mv_setup
}

teardown() {
    mv_teardown
}

# lan_peer SUBNET: on hostb, a macvlan network "peer" on eth1 with SUBNET
# (a /24), and container b1 at .20 of it.
lan_peer() {
    mv_create_net hostb -d macvlan --subnet "$1" -o parent=eth1 peer || return 1
    mv_run_d hostb --name b1 --network peer --ip "${1%.0/24}.20" -- sleep 3600
}

# refused_create MESSAGE ARGS...: berth network create ARGS on hosta fails
# with MESSAGE, and nothing changed on hosta.
refused_create() {
    local msg=$1
    shift
    mv_snapshot_save hosta
    mv_fails hosta 1 "$msg" network create "$@" || return 1
    assert_mv_unchanged hosta
}

# ---- refused ----------------------------------------------------------------

@test "a parent that does not exist is refused" {
    refused_create "parent interface eth9 of macvlan network mnet does not exist" \
        -d macvlan --subnet 10.194.0.0/24 -o parent=eth9 mnet
    refute_network hosta mnet
    refute_mv_link hosta eth9
}

@test "the loopback, a container's veth and another network's shim are refused as parents" {
    refused_create 'parent interface lo cannot carry a macvlan network: it is the loopback interface' \
        -d macvlan --subnet 10.194.0.0/24 -o parent=lo mnet
    refused_create "parent interface veth0a1b2c3 cannot carry a macvlan network: it is the host end of a container's veth" \
        -d macvlan --subnet 10.194.0.0/24 -o parent=veth0a1b2c3 mnet
    refused_create 'parent interface mvs-0123456789a cannot carry a macvlan network: it is the host shim of another macvlan network' \
        -d macvlan --subnet 10.194.0.0/24 -o parent=mvs-0123456789a mnet
    refused_create "invalid parent interface name \"eth\"1\": an interface name is 1-15 characters of A-Z, a-z, 0-9, '_', '.' and '-'" \
        -d macvlan --subnet 10.194.0.0/24 -o 'parent=eth"1' mnet
    refute_network hosta mnet
}

@test "a bad macvlan_mode is refused" {
    refused_create 'invalid macvlan mode "x": must be bridge, private, vepa or passthru' \
        -d macvlan --subnet 10.194.0.0/24 -o parent=eth1 -o macvlan_mode=x mnet
    refused_create 'invalid macvlan mode "x": must be bridge, private, vepa or passthru' \
        -d macvlan -o macvlan_mode=x mnet
    refute_network hosta mnet
}

@test "an unknown option is refused, a bridge option too" {
    refused_create 'unknown option "foo" for driver macvlan' \
        -d macvlan --subnet 10.194.0.0/24 -o parent=eth1 -o foo=bar mnet
    refused_create 'unknown option "com.docker.network.bridge.name" for driver macvlan' \
        -d macvlan --subnet 10.194.0.0/24 -o parent=eth1 -o com.docker.network.bridge.name=brx mnet
    refute_network hosta mnet
    refute_mv_link hosta brx
}

@test "a second macvlan network on the same parent is refused; another parent is fine, and so is the first once it is free" {
    mv_create_net hosta -d macvlan --subnet 10.194.1.0/24 -o parent=eth1 first
    assert_eq "$stderr" "" "stderr of network create (eth1 is up)"
    refused_create "parent interface eth1 is already used by macvlan network first" \
        -d macvlan --subnet 10.194.2.0/24 -o parent=eth1 second
    refused_create "parent interface eth1 is already used by macvlan network first" \
        -d macvlan --subnet 10.194.2.0/24 -o parent=eth1 -o macvlan_mode=private second
    refute_network hosta second
    mv_add_iface hosta eth2
    mv_create_net hosta -d macvlan --subnet 10.194.2.0/24 -o parent=eth2 second
    assert_eq "$(mv_net_opt hosta second parent)" eth2 "Options.parent of second"
    mv_ok hosta network rm first
    mv_create_net hosta -d macvlan --subnet 10.194.3.0/24 -o parent=eth1 third
    assert_eq "$(mv_net_opt hosta third parent)" eth1 "Options.parent of third"
}

# ---- a parent that is down --------------------------------------------------

@test "a parent that is down is brought up, with a warning; the container then reaches the LAN" {
    lan_peer 10.194.4.0/24
    in_ns hosta ip link set eth1 down
    refute_link_flag hosta eth1 UP
    mv_create_net hosta -d macvlan --subnet 10.194.4.0/24 -o parent=eth1 downnet
    assert_eq "$stderr" "berth: warning: brought parent interface eth1 up for macvlan network downnet" \
        "stderr of network create"
    assert_link_flag hosta eth1 UP
    mv_run_d hosta --name d1 --network downnet --ip 10.194.4.10 -- sleep 3600
    assert_ping hosta d1 10.194.4.20
    assert_ping hostb b1 10.194.4.10
}

# ---- VLAN parents -----------------------------------------------------------

@test "parent eth1.10 where the kernel has no 802.1Q: refused with the reason, nothing left" {
    if mv_vlan_supported; then
        skip "the kernel makes VLAN links (8021q): this error cannot happen here"
    fi
    refused_create "cannot create VLAN interface eth1.10 for macvlan network vnet: the kernel has no 802.1Q support (module 8021q)" \
        -d macvlan --subnet 10.195.0.0/24 -o parent=eth1.10 vnet
    refute_network hosta vnet
    refute_mv_link hosta eth1.10
    assert_mv_link hosta eth1
}

@test "parent eth1.10: berth makes the VLAN link, containers on two hosts talk over VLAN 10, network rm removes the link (not one the user made)" {
    if ! mv_vlan_supported; then
        skip "the kernel cannot make VLAN links (ip link add ... type vlan id 10 failed: no module 8021q)"
    fi
    local h
    for h in hosta hostb; do
        mv_create_net "$h" -d macvlan --subnet 10.195.1.0/24 -o parent=eth1.10 vl
        assert_eq "$(mv_net_opt "$h" vl parent)" eth1.10 "Options.parent on $h"
        assert_mv_link "$h" eth1.10
        assert_link_flag "$h" eth1.10 UP
        run in_ns "$h" ip -d -o link show dev eth1.10
        assert_contains "$output" "vlan protocol 802.1Q id 10 " "ip -d link show eth1.10 on $h"
        assert_no_ra "$h" eth1.10
        # its maker's mark, by which a network rolled back after berth was
        # killed before recording the link still finds and deletes it
        assert_contains "$output" "alias berth network $net_id" "ip -d link show eth1.10 on $h"
    done
    mv_run_d hosta --name va --network vl --ip 10.195.1.10 -- sleep 3600
    mv_run_d hostb --name vb --network vl --ip 10.195.1.20 -- sleep 3600
    assert_ping hosta va 10.195.1.20
    assert_ping hostb vb 10.195.1.10
    mv_ok hosta rm -f va
    mv_ok hosta network rm vl
    refute_mv_link hosta eth1.10
    assert_mv_link hosta eth1
    # a VLAN link that was there before the network stays after it
    in_ns hosta ip link add link eth1 name eth1.20 type vlan id 20
    in_ns hosta ip link set eth1.20 up
    mv_create_net hosta -d macvlan --subnet 10.195.3.0/24 -o parent=eth1.20 vl20
    mv_ok hosta network rm vl20
    assert_mv_link hosta eth1.20
}

# ---- the host shim ----------------------------------------------------------

# assert_no_ra HOST LINK: a link berth made takes no router advertisement
# and, on an IPv4-only network, has no IPv6 (035 sends a real RA to a bridge)
assert_no_ra() {
    assert_eq "$(in_ns "$1" sysctl -n "net.ipv6.conf.$2.accept_ra")" 0 "accept_ra of $2 on $1" || return 1
    assert_eq "$(in_ns "$1" sysctl -n "net.ipv6.conf.$2.disable_ipv6")" 1 "disable_ipv6 of $2 on $1"
}

@test "without a host shim the host cannot reach its own macvlan container (it reaches hostb's)" {
    lan_peer 10.196.0.0/24
    mv_create_net hosta -d macvlan --subnet 10.196.0.0/24 -o parent=eth1 noshim
    mv_run_d hosta --name c1 --network noshim --ip 10.196.0.10 -- sleep 3600
    assert_eq "$(mv_net_opt hosta noshim berth.macvlan.host_shim_ip)" "<absent>" "Options.berth.macvlan.host_shim_ip"
    assert_eq "$(mv_links hosta | grep '^mvs-')" "" "mvs- links on hosta"
    # hosta on the LAN with an address of the subnet: it reaches hostb's
    # container through eth1, not its own
    in_ns hosta ip addr add 10.196.0.250/24 dev eth1
    wait_until 5 host_ping hosta 10.196.0.20 || fail "hosta cannot ping b1 on hostb"
    ! host_ping hosta 10.196.0.10 || fail "hosta pings its own container c1 without a shim"
}

@test "host shim: mvs-<11 hex> on the parent with the last host address; the host reaches its containers; removed with the network" {
    mv_snapshot_save hosta
    mv_create_net hosta -d macvlan --subnet 10.196.1.0/24 -o parent=eth1 -o berth.macvlan.host_shim=true shim
    local mvs="mvs-${net_id:0:11}"
    assert_mv_link hosta "$mvs"
    assert_link_flag hosta "$mvs" UP
    assert_eq "$(mv_addrs hosta "$mvs")" 10.196.1.254/24 "addresses of $mvs"
    run in_ns hosta ip -d -o link show dev "$mvs"
    assert_contains "$output" "$mvs@eth1:" "ip -d link show $mvs (its parent)"
    assert_contains "$output" "macvlan mode bridge " "ip -d link show $mvs"
    assert_no_ra hosta "$mvs"
    assert_eq "$(mv_net_opt hosta shim berth.macvlan.host_shim_ip)" 10.196.1.254 "Options.berth.macvlan.host_shim_ip"
    mv_run_d hosta --name c1 --network shim --ip 10.196.1.10 -- sleep 3600
    wait_until 5 host_ping hosta 10.196.1.10 || fail "hosta cannot ping c1 through the shim"
    assert_ping hosta c1 10.196.1.254
    mv_ok hosta rm -f c1
    mv_ok hosta network rm shim
    refute_mv_link hosta "$mvs"
    assert_mv_unchanged hosta
}

@test "host shim with host_shim_ip: that address on the shim, in inspect, and not for containers" {
    mv_create_net hosta -d macvlan --subnet 10.196.2.0/24 -o parent=eth1 \
        -o berth.macvlan.host_shim=true -o berth.macvlan.host_shim_ip=10.196.2.250 shim2
    local mvs="mvs-${net_id:0:11}"
    assert_eq "$(mv_addrs hosta "$mvs")" 10.196.2.250/24 "addresses of $mvs"
    assert_eq "$(mv_net_opt hosta shim2 berth.macvlan.host_shim_ip)" 10.196.2.250 "Options.berth.macvlan.host_shim_ip"
    mv_run_d hosta --name c1 --network shim2 --ip 10.196.2.254 -- sleep 3600
    wait_until 5 host_ping hosta 10.196.2.254 || fail "hosta cannot ping c1 through the shim"
    run --separate-stderr on_a berth run -d --name taken --network shim2 --ip 10.196.2.250 -- sleep 3600
    assert_eq "$status" 1 "exit status of run --ip 10.196.2.250 (the shim's)"
    assert_match "$stderr" '^berth: error: .*10\.196\.2\.250' "stderr of run --ip 10.196.2.250"
    refute_container hosta taken
}

@test "host shim on a /29: the containers get .2-.5, never the shim's .6; then the network is full" {
    mv_create_net hosta -d macvlan --subnet 10.196.3.0/29 -o parent=eth1 -o berth.macvlan.host_shim=true small
    local mvs="mvs-${net_id:0:11}" n ips=()
    assert_eq "$(mv_net_opt hosta small berth.macvlan.host_shim_ip)" 10.196.3.6 "Options.berth.macvlan.host_shim_ip"
    assert_eq "$(mv_addrs hosta "$mvs")" 10.196.3.6/29 "addresses of $mvs"
    # .0 network, .1 gateway, .7 broadcast, .6 the shim: four left
    # (not $i: bats' run sets a variable i of its own)
    for n in 1 2 3 4; do
        mv_run_d hosta --name "s$n" --network small -- sleep 3600
        ips+=("$(mv_ctr_ip hosta "s$n" small)")
    done
    assert_eq "$(printf '%s\n' "${ips[@]}" | sort | paste -sd' ')" "10.196.3.2 10.196.3.3 10.196.3.4 10.196.3.5" \
        "addresses of the four containers"
    mv_fails hosta 1 "no available IPv4 addresses on network small" run -d --name s5 --network small -- sleep 3600
    refute_container hosta s5
    run --separate-stderr on_a berth run -d --name s6 --network small --ip 10.196.3.6 -- sleep 3600
    assert_eq "$status" 1 "exit status of run --ip 10.196.3.6 (the shim's)"
    assert_match "$stderr" '^berth: error: .*10\.196\.3\.6' "stderr of run --ip 10.196.3.6"
    refute_container hosta s6
    wait_until 5 host_ping hosta 10.196.3.5 || fail "hosta cannot ping s4's address through the shim"
}
