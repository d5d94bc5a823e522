#!/usr/bin/env bats
#
# Automatic subnets: the first free pool of 172.17.0.0/16 ... 172.31.0.0/16,
# then 192.168.0.0/16 cut in /20s.  A pool is skipped when it overlaps another
# berth network or an address or route of the namespace berth runs in.
# 172.17.0.0/16 belongs to the predefined "bridge" network (berth0).

load helpers

# occupy_pools [PREFIX...]: a route for each pool (arguments, or one per line
# on stdin) on a veth "occ": cheaper than creating one network per pool.
occupy_pools() {
    link_exists occ || add_veth occ
    local p
    if [ $# -eq 0 ]; then
        while read -r p; do ip route add "$p" dev occ; done
    else
        for p in "$@"; do ip route add "$p" dev occ; done
    fi
}

all_172_pools() {
    local i
    for i in $(seq 18 31); do echo "172.$i.0.0/16"; done
}

all_192_pools() {
    local i
    for i in $(seq 0 16 240); do echo "192.168.$i.0/20"; done
}

setup() {
    # the predefined networks exist from the first command on
    berth_ok network ls
    assert_eq "$(net_subnet bridge)" 172.17.0.0/16 "subnet of the predefined bridge network"
}

teardown() {
    berth_cleanup
}

@test "automatic subnets go 172.18.0.0/16, 172.19.0.0/16, 172.20.0.0/16" {
    create_net auto1
    assert_eq "$(net_subnet auto1)" 172.18.0.0/16 "subnet of auto1"
    create_net auto2
    assert_eq "$(net_subnet auto2)" 172.19.0.0/16 "subnet of auto2"
    create_net auto3
    assert_eq "$(net_subnet auto3)" 172.20.0.0/16 "subnet of auto3"
}

@test "the gateway defaults to the first host address, in the store and on the bridge" {
    create_net gw1
    assert_eq "$(net_gateway gw1)" 172.18.0.1 "gateway of gw1"
    assert_addr "$(bridge_of "$net_id")" 172.18.0.1/16
}

@test "the gateway of an explicit subnet also defaults to its first host" {
    create_net --subnet 10.30.4.0/22 gw2
    assert_eq "$(net_gateway gw2)" 10.30.4.1 "gateway of gw2"
    assert_addr "$(bridge_of "$net_id")" 10.30.4.1/22
}

@test "--gateway is honoured" {
    create_net --subnet 10.30.8.0/24 --gateway 10.30.8.200 gw3
    assert_eq "$(net_gateway gw3)" 10.30.8.200 "gateway of gw3"
    assert_addr "$(bridge_of "$net_id")" 10.30.8.200/24
}

@test "a pool overlapping another berth network is skipped" {
    create_net --subnet 172.18.128.0/24 squatter
    create_net auto4
    assert_eq "$(net_subnet auto4)" 172.19.0.0/16 "subnet of auto4"
}

@test "a pool overlapping an address of the namespace is skipped" {
    add_veth occ
    ip addr add 172.18.5.1/24 dev occ
    create_net auto5
    assert_eq "$(net_subnet auto5)" 172.19.0.0/16 "subnet of auto5"
}

@test "a pool overlapping an address on a link that is down is skipped too" {
    ip link add occd type veth peer name occd-p
    ip addr add 172.18.9.1/24 dev occd
    create_net auto5d
    assert_eq "$(net_subnet auto5d)" 172.19.0.0/16 "subnet of auto5d"
}

@test "a pool overlapping a route of the namespace is skipped" {
    occupy_pools 172.18.0.0/16
    create_net auto6
    assert_eq "$(net_subnet auto6)" 172.19.0.0/16 "subnet of auto6"
}

@test "a pool overlapping a smaller route is skipped" {
    occupy_pools 172.18.200.0/24 172.19.0.0/30
    create_net auto7
    assert_eq "$(net_subnet auto7)" 172.20.0.0/16 "subnet of auto7"
}

@test "a default route does not make every pool overlap" {
    add_veth occ
    ip addr add 10.99.0.2/24 dev occ
    ip route add default via 10.99.0.1
    create_net auto8
    assert_eq "$(net_subnet auto8)" 172.18.0.0/16 "subnet of auto8"
}

@test "a wider route through a gateway (172.16.0.0/12) takes every 172 pool" {
    add_veth occ
    ip addr add 10.99.0.2/24 dev occ
    ip route add 172.16.0.0/12 via 10.99.0.1
    create_net auto9
    assert_eq "$(net_subnet auto9)" 192.168.0.0/20 "subnet of auto9"
}

@test "after 172.31.0.0/16 come 192.168.0.0/20, 192.168.16.0/20" {
    all_172_pools | occupy_pools
    create_net late1
    assert_eq "$(net_subnet late1)" 192.168.0.0/20 "subnet of late1"
    assert_eq "$(net_gateway late1)" 192.168.0.1 "gateway of late1"
    assert_addr "$(bridge_of "$net_id")" 192.168.0.1/20
    create_net late2
    assert_eq "$(net_subnet late2)" 192.168.16.0/20 "subnet of late2"
}

@test "172.31.0.0/16 is the last /16 pool used" {
    all_172_pools | grep -v '^172\.31\.' | occupy_pools
    create_net last16
    assert_eq "$(net_subnet last16)" 172.31.0.0/16 "subnet of last16"
}

@test "when every pool is taken, create fails and changes nothing" {
    { all_172_pools; all_192_pools; } | occupy_pools
    snapshot_save
    berth_fails 1 "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network" \
        network create nopool
    assert_unchanged
}

@test "the last free /20 is still found" {
    { all_172_pools; all_192_pools | grep -v '^192\.168\.240\.'; } | occupy_pools
    create_net lastpool
    assert_eq "$(net_subnet lastpool)" 192.168.240.0/20 "subnet of lastpool"
}

@test "removing a network frees its subnet for the next create" {
    create_net free1
    assert_eq "$(net_subnet free1)" 172.18.0.0/16 "subnet of free1"
    create_net free2
    assert_eq "$(net_subnet free2)" 172.19.0.0/16 "subnet of free2"
    berth_ok network rm free1
    create_net free3
    assert_eq "$(net_subnet free3)" 172.18.0.0/16 "subnet of free3"
    assert_addr "$(bridge_of "$net_id")" 172.18.0.1/16
}

@test "a refused create does not hold on to a pool" {
    berth_fails 1 'unknown option "foo" for driver bridge' network create -o foo=1 refused
    create_net after_refused
    assert_eq "$(net_subnet after_refused)" 172.18.0.0/16 "subnet of after_refused"
}

@test "10 creates in parallel all succeed with 10 distinct subnets" {
    local i pids=() failed=0
    for i in $(seq 1 10); do
        berth network create "par$i" >"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 10); do
        if ! wait "${pids[$((i - 1))]}"; then
            echo "create par$i failed: $(cat "$BATS_TEST_TMPDIR/err.$i")" >&2
            failed=1
        fi
    done
    [ "$failed" -eq 0 ]

    local subnets=() expected=()
    for i in $(seq 1 10); do
        assert_match "$(cat "$BATS_TEST_TMPDIR/out.$i")" "$HEX64" "ID printed by create par$i"
        subnets+=("$(net_subnet "par$i")")
        assert_addr "$(bridge_of "$(cat "$BATS_TEST_TMPDIR/out.$i")")" \
            "$(net_gateway "par$i")/16"
    done
    for i in $(seq 18 27); do expected+=("172.$i.0.0/16"); done
    assert_eq "$(printf '%s\n' "${subnets[@]}" | sort -V)" "$(printf '%s\n' "${expected[@]}")" \
        "subnets of the 10 networks"
    assert_eq "$(berth network ls -q | wc -l)" 13 "number of networks"
}
