#!/usr/bin/env bats
#
# macvlan modes (issue 6), seen from the containers: in bridge mode two
# containers on one parent reach each other inside the host; in private mode
# they do not (not even when the LAN switch reflects their frames), while
# each still reaches the LAN; in vepa mode their traffic goes out to the LAN
# switch, so they reach each other only when the switch port reflects it
# (hairpin); passthru gives the parent whole to one container (berth makes
# the parent promiscuous and says so) and refuses a second one.
#
# Test bed (macvlan_helpers.bash): hosta and hostb, eth1 each, on br-lan;
# hostb holds a bridge-mode container on each subnet, the LAN peer.
# Subnets: 10.192.0.0/16.

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

# lan_peer SUBNET: on hostb, a bridge-mode macvlan network "peer" on eth1
# with SUBNET (a /24), and container b1 at .20 of it.
lan_peer() {
    mv_create_net hostb -d macvlan --subnet "$1" -o parent=eth1 peer || return 1
    mv_run_d hostb --name b1 --network peer --ip "${1%.0/24}.20" -- sleep 3600
}

# assert_mode HOST CTR MODE: the container's eth0 is a macvlan link in MODE.
assert_mode() {
    mv_ok "$1" exec "$2" ip -d -o link show dev eth0 || return 1
    assert_contains "$output" "macvlan mode $3 " "ip -d link show eth0 in $2"
}

@test "bridge mode: two containers on one parent reach each other" {
    lan_peer 10.192.0.0/24
    mv_create_net hosta -d macvlan --subnet 10.192.0.0/24 -o parent=eth1 -o macvlan_mode=bridge mbr
    assert_eq "$(mv_net_opt hosta mbr macvlan_mode)" bridge "Options.macvlan_mode"
    mv_run_d hosta --name m1 --network mbr --ip 10.192.0.11 -- sleep 3600
    mv_run_d hosta --name m2 --network mbr --ip 10.192.0.12 -- sleep 3600
    assert_mode hosta m1 bridge
    assert_ping hosta m1 10.192.0.12
    assert_ping hosta m2 10.192.0.11
    assert_ping hosta m1 10.192.0.20
    assert_ping hostb b1 10.192.0.12
}

@test "private mode: two containers on one parent cannot reach each other, each reaches the LAN" {
    lan_peer 10.192.1.0/24
    mv_create_net hosta -d macvlan --subnet 10.192.1.0/24 -o parent=eth1 -o macvlan_mode=private priv
    assert_eq "$(mv_net_opt hosta priv macvlan_mode)" private "Options.macvlan_mode"
    mv_run_d hosta --name p1 --network priv --ip 10.192.1.11 -- sleep 3600
    mv_run_d hosta --name p2 --network priv --ip 10.192.1.12 -- sleep 3600
    assert_mode hosta p1 private
    assert_mode hosta p2 private
    assert_ping hosta p1 10.192.1.20
    assert_ping hosta p2 10.192.1.20
    assert_ping hostb b1 10.192.1.11
    refute_ping hosta p1 10.192.1.12
    refute_ping hosta p2 10.192.1.11
    # not even when the LAN switch sends their frames back (unlike vepa)
    lan_hairpin hosta eth1 on
    refute_ping hosta p1 10.192.1.12
    refute_ping hosta p2 10.192.1.11
}

@test "vepa mode: two containers on one parent reach each other only when the LAN switch port hairpins" {
    lan_peer 10.192.2.0/24
    mv_create_net hosta -d macvlan --subnet 10.192.2.0/24 -o parent=eth1 -o macvlan_mode=vepa vep
    assert_eq "$(mv_net_opt hosta vep macvlan_mode)" vepa "Options.macvlan_mode"
    mv_run_d hosta --name v1 --network vep --ip 10.192.2.11 -- sleep 3600
    mv_run_d hosta --name v2 --network vep --ip 10.192.2.12 -- sleep 3600
    assert_mode hosta v1 vepa
    assert_ping hosta v1 10.192.2.20
    assert_ping hosta v2 10.192.2.20
    # br-lan does not send a frame back out of the port it came in by
    refute_ping hosta v1 10.192.2.12
    refute_ping hosta v2 10.192.2.11
    lan_hairpin hosta eth1 on
    assert_ping hosta v1 10.192.2.12
    assert_ping hosta v2 10.192.2.11
    # and off again: the way between them is the switch, nothing else
    lan_hairpin hosta eth1 off
    refute_ping hosta v1 10.192.2.12
}

@test "passthru: the parent made promiscuous (with a warning), one container reaches the LAN, a second is refused and leaves nothing" {
    lan_peer 10.192.3.0/24
    refute_link_flag hosta eth1 PROMISC
    mv_create_net hosta -d macvlan --subnet 10.192.3.0/24 -o parent=eth1 -o macvlan_mode=passthru pt
    assert_eq "$stderr" "berth: warning: set parent interface eth1 promiscuous for macvlan network pt (passthru)" \
        "stderr of network create"
    assert_link_flag hosta eth1 PROMISC
    assert_eq "$(mv_net_opt hosta pt macvlan_mode)" passthru "Options.macvlan_mode"
    mv_run_d hosta --name p1 --network pt --ip 10.192.3.10 -- sleep 3600
    local p1=$cid
    assert_mode hosta p1 passthru
    # whatever MAC eth0 has in passthru (the kernel gives it the parent's),
    # inspect shows that one
    local mac
    mac=$(on_a berth exec p1 ip -o link show dev eth0 | sed -n 's|.* link/ether \([0-9a-f:]*\) .*|\1|p')
    assert_eq "$(mv_net_get hosta pt "d['Containers']['$p1']['MacAddress']")" "$mac" \
        "Containers.MacAddress of p1 (eth0 has $mac)"
    assert_ping hosta p1 10.192.3.20
    assert_ping hostb b1 10.192.3.10
    mv_snapshot_save hosta
    mv_fails hosta 1 "macvlan network pt is in passthru mode: it takes the parent whole and already has container p1" \
        run -d --name p2 --network pt --ip 10.192.3.11 -- sleep 3600
    mv_fails hosta 1 "macvlan network pt is in passthru mode: it takes the parent whole and already has container p1" \
        run --name p3 --network pt -- true
    assert_mv_unchanged hosta
    refute_container hosta p2
    assert_eq "$(mv_net_get hosta pt 'sorted(d["Containers"])')" "[\"$p1\"]" "Containers of pt"
    assert_ping hosta p1 10.192.3.20
    # the parent is free again once p1 is gone
    mv_ok hosta rm -f p1
    mv_run_d hosta --name p4 --network pt --ip 10.192.3.11 -- sleep 3600
    assert_ping hosta p4 10.192.3.20
}
