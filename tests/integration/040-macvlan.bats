#!/usr/bin/env bats
#
# macvlan networks (issue 6): the seed scenario, two hosts on one LAN whose
# containers sit on the LAN itself, with addresses of its subnet, and ping
# each other across the hosts.  What the kernel and berth show of it: eth0 a
# macvlan child of the parent (MAC 02:42 + the IPv4 bytes, the subnet's
# prefix, default route via the gateway), no bridge, no veth, nothing in
# nftables; inspect's Driver, Options and Containers; rm refused while
# attached; nothing left after.  Without -o parent berth makes an isolated
# parent of its own (dm-<12 hex>).  No -p.  Two macvlan networks on two
# parents do not reach each other; a container on both has eth0 and eth1.
# The seed over IPv6 too (issue 13): a dual-stack macvlan network.
#
# Test bed (macvlan_helpers.bash): hosta and hostb, eth1 each, on br-lan.
# Subnets: 10.190.0.0/16, 10.191.0.0/16, fd00:190::/32.

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

# the seed's network, the same on both hosts
MV1=(-d macvlan --subnet 10.190.0.0/24 --gateway 10.190.0.1 -o parent=eth1 macvlan1)

# ifindex_of HOST DEV: DEV's ifindex in HOST's namespace.
ifindex_of() { in_ns "$1" ip -o link show dev "$2" | cut -d: -f1; }

# ctr_link_peer HOST CTR DEV: the ifindex N of DEV@ifN in the container
# (the parent's ifindex in the host, for a macvlan child).
ctr_link_peer() {
    on "$1" berth exec "$2" ip -o link show dev "$3" | sed -n 's/^[0-9]*: [^@:]*@if\([0-9]*\):.*/\1/p'
}

# ---- the seed scenario ------------------------------------------------------

@test "seed: one macvlan network on two hosts, their containers ping each other across the LAN" {
    mv_create_net hosta "${MV1[@]}"
    mv_create_net hostb "${MV1[@]}"
    mv_run_d hosta --name ca --network macvlan1 --ip 10.190.0.100 -- sleep 3600
    mv_run_d hostb --name cb --network macvlan1 --ip 10.190.0.200 -- sleep 3600
    assert_eq "$(mv_ctr_ip hosta ca macvlan1)" 10.190.0.100 "IPAddress of ca"
    assert_eq "$(mv_ctr_ip hostb cb macvlan1)" 10.190.0.200 "IPAddress of cb"
    assert_ping hosta ca 10.190.0.200
    assert_ping hostb cb 10.190.0.100
    # an address nobody has does not answer (the checks above can fail)
    refute_ping hosta ca 10.190.0.150
}

@test "the seed over IPv6: a dual-stack macvlan network on two hosts; their containers reach each other over both families" {
    local mv6=(-d macvlan --ipv6 --subnet 10.190.6.0/24 --gateway 10.190.6.1 --subnet fd00:190:6::/64
        --gateway fd00:190:6::1 -o parent=eth1 macvlan6)
    mv_create_net hosta "${mv6[@]}"
    mv_create_net hostb "${mv6[@]}"
    mv_run_d hosta --name c6a --network macvlan6 --ip 10.190.6.100 --ip6 fd00:190:6::100 -- sleep 3600
    mv_run_d hostb --name c6b --network macvlan6 --ip 10.190.6.200 --ip6 fd00:190:6::200 -- sleep 3600
    assert_eq "$(mv_ctr_get hosta c6a 'd["NetworkSettings"]["Networks"]["macvlan6"]["GlobalIPv6Address"]')" \
        fd00:190:6::100 "GlobalIPv6Address of c6a"
    # at once: no DAD on either side
    mv_ping hosta c6a fd00:190:6::200 || fail "c6a cannot ping c6b over IPv6 right after run"
    assert_ping hostb c6b fd00:190:6::100
    assert_ping hosta c6a 10.190.6.200
    refute_ping hosta c6a fd00:190:6::150
    assert_eq "$(on_a berth exec c6a ip -6 route show default | awk '{ print $1, $2, $3 }')" "default via fd00:190:6::1" \
        "c6a's default IPv6 route"
}

@test "inspect: Driver macvlan, Options parent and macvlan_mode (bridge by default), Containers with the address" {
    mv_create_net hosta "${MV1[@]}"
    local id=$net_id
    mv_run_d hosta --name ca --network macvlan1 --ip 10.190.0.100 -- sleep 3600
    assert_eq "$(mv_net_get hosta macvlan1 'd["Driver"]')" macvlan "Driver"
    assert_eq "$(mv_net_get hosta macvlan1 'd["Id"]')" "$id" "Id"
    assert_eq "$(mv_net_opt hosta macvlan1 parent)" eth1 "Options.parent"
    assert_eq "$(mv_net_opt hosta macvlan1 macvlan_mode)" bridge "Options.macvlan_mode"
    assert_eq "$(mv_net_get hosta macvlan1 'd["IPAM"]["Config"][0]["Subnet"]')" 10.190.0.0/24 "Subnet"
    assert_eq "$(mv_net_get hosta macvlan1 'd["IPAM"]["Config"][0]["Gateway"]')" 10.190.0.1 "Gateway"
    assert_eq "$(mv_net_get hosta macvlan1 'sorted(d["Containers"])')" "[\"$cid\"]" "Containers"
    assert_eq "$(mv_net_get hosta macvlan1 "d['Containers']['$cid']['Name']")" ca "Containers.Name"
    assert_eq "$(mv_net_get hosta macvlan1 "d['Containers']['$cid']['IPv4Address']")" 10.190.0.100/24 \
        "Containers.IPv4Address"
    assert_eq "$(mv_net_get hosta macvlan1 "d['Containers']['$cid']['MacAddress']")" 02:42:0a:be:00:64 \
        "Containers.MacAddress"
    mv_ok hosta network ls -q --no-trunc -f driver=macvlan
    assert_eq "$output" "$id" "berth network ls -f driver=macvlan"
    assert_eq "$(mv_ctr_get hosta ca "d['NetworkSettings']['Networks']['macvlan1']['MacAddress']")" \
        02:42:0a:be:00:64 "MacAddress in berth inspect ca"
}

@test "the container's eth0 is a macvlan child of eth1: MAC 02:42 + address, /24, default route via the gateway" {
    mv_create_net hosta "${MV1[@]}"
    mv_run_d hosta --name ca --network macvlan1 --ip 10.190.0.100 -- sleep 3600
    mv_ok hosta exec ca ip -d -o link show dev eth0
    assert_contains "$output" "macvlan mode bridge" "ip -d link show eth0 in ca"
    assert_contains "$output" "link/ether 02:42:0a:be:00:64 " "ip -d link show eth0 in ca"
    assert_eq "$(ctr_link_peer hosta ca eth0)" "$(ifindex_of hosta eth1)" "the link of eth0 (eth0@ifN: the parent)"
    mv_ok hosta exec ca ip -4 -o addr show dev eth0
    assert_eq "$(awk '{ print $4 }' <<<"$output")" 10.190.0.100/24 "addresses of eth0 in ca"
    mv_ok hosta exec ca ip -4 route show default
    assert_eq "${output% }" "default via 10.190.0.1 dev eth0" "default route in ca"
    mv_ok hosta exec ca ip -o link show
    assert_eq "$(awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' <<<"$output" | sort | paste -sd' ')" "eth0 lo" \
        "links in ca"
}

@test "no bridge, no veth on the host, nothing in table inet berth" {
    local links sets
    # the table exists (for the predefined bridge network): the checks can fail
    mv_nft_set hosta bridges | grep -qF '"berth0"' || fail "set bridges lacks berth0" "$(mv_nft_sets hosta)"
    mv_masq4_covers hosta 172.17.0.2 || fail "masq4 does not cover the predefined network"
    links=$(mv_links hosta)
    sets=$(mv_nft_sets hosta)
    mv_create_net hosta "${MV1[@]}"
    mv_run_d hosta --name ca --network macvlan1 --ip 10.190.0.100 -- sleep 3600
    mv_run_d hosta --name cc --network macvlan1 -- sleep 3600
    assert_eq "$(mv_links hosta)" "$links" "links of hosta"
    ! mv_masq4_covers hosta 10.190.0.100 || fail "masq4 covers the macvlan subnet"
    assert_eq "$(mv_nft_set hosta bridges)" '"berth0"' "elements of set bridges"
    assert_eq "$(mv_nft_sets hosta)" "$sets" "the sets and maps of table inet berth"
}

@test "network rm is refused while a container is attached; after rm -f and network rm nothing is left" {
    mv_snapshot_save hosta
    mv_create_net hostb "${MV1[@]}"
    mv_run_d hostb --name cb --network macvlan1 --ip 10.190.0.200 -- sleep 3600
    mv_create_net hosta "${MV1[@]}"
    mv_run_d hosta --name ca --network macvlan1 --ip 10.190.0.100 -- sleep 3600
    local c=$cid
    mv_fails hosta 1 "network macvlan1 has active endpoints (1)" network rm macvlan1
    assert_eq "$(mv_net_names hosta | grep -cx macvlan1)" 1 "macvlan1 in berth network ls"
    assert_ping hosta ca 10.190.0.200
    mv_ok hosta rm -f ca
    mv_ok hosta network rm macvlan1
    assert_eq "$output" macvlan1 "stdout of network rm"
    # the networks, containers, links and addresses of before; eth1 (the
    # user's) is still there, and up
    assert_mv_unchanged hosta
    assert_link_flag hosta eth1 UP
    [ ! -e "$(mv_state hosta)/run/netns/$c" ] || fail "the sandbox of ca is left behind"
}

# ---- a parent of berth's own ------------------------------------------------

@test "without -o parent: berth makes dm-<12 hex>, shows it in inspect, and removes it with the network" {
    mv_snapshot_save hosta
    mv_create_net hosta -d macvlan --subnet 10.190.1.0/24 solo
    local dm="dm-${net_id:0:12}"
    assert_mv_link hosta "$dm"
    assert_link_flag hosta "$dm" UP
    assert_eq "$(mv_net_opt hosta solo parent)" "$dm" "Options.parent"
    assert_eq "$(mv_net_opt hosta solo macvlan_mode)" bridge "Options.macvlan_mode"
    mv_run_d hosta --name s1 --network solo --ip 10.190.1.11 -- sleep 3600
    mv_run_d hosta --name s2 --network solo --ip 10.190.1.12 -- sleep 3600
    assert_eq "$(ctr_link_peer hosta s1 eth0)" "$(ifindex_of hosta "$dm")" "the link of s1's eth0"
    assert_ping hosta s1 10.190.1.12
    assert_ping hosta s2 10.190.1.11
    # isolated: the same subnet on the LAN (a container of hostb, which
    # hosta itself reaches over eth1) is out of reach
    mv_create_net hostb -d macvlan --subnet 10.190.1.0/24 -o parent=eth1 solo
    mv_run_d hostb --name sb --network solo --ip 10.190.1.20 -- sleep 3600
    in_ns hosta ip addr add 10.190.1.250/24 dev eth1
    wait_until 5 host_ping hosta 10.190.1.20 || fail "hosta cannot ping sb over the LAN"
    in_ns hosta ip addr del 10.190.1.250/24 dev eth1
    refute_ping hosta s1 10.190.1.20
    mv_ok hosta rm -f s1 s2
    mv_ok hosta network rm solo
    refute_mv_link hosta "$dm"
    assert_mv_unchanged hosta
}

# ---- refused ----------------------------------------------------------------

@test "-p on a macvlan network is refused, and leaves no container" {
    mv_create_net hosta "${MV1[@]}"
    local sets
    sets=$(mv_nft_sets hosta)
    mv_snapshot_save hosta
    mv_fails hosta 1 "cannot publish ports on macvlan network macvlan1" \
        run -d --name pub --network macvlan1 -p 8080:80 -- sleep 3600
    mv_fails hosta 1 "cannot publish ports on macvlan network macvlan1" \
        run --name pub2 --network macvlan1 -p 127.0.0.1:8081:81/udp -- true
    assert_mv_unchanged hosta
    assert_eq "$(mv_nft_sets hosta)" "$sets" "the sets and maps of table inet berth"
}

# ---- two macvlan networks ---------------------------------------------------

@test "macvlan networks on two parents (eth1, eth2): their containers cannot reach each other, each reaches its own subnet on hostb" {
    local h
    for h in hosta hostb; do
        mv_add_iface "$h" eth2
        mv_create_net "$h" -d macvlan --subnet 10.191.0.0/24 -o parent=eth1 left
        mv_create_net "$h" -d macvlan --subnet 10.191.1.0/24 -o parent=eth2 right
    done
    mv_run_d hosta --name la --network left --ip 10.191.0.10 -- sleep 3600
    mv_run_d hosta --name ra --network right --ip 10.191.1.10 -- sleep 3600
    mv_run_d hostb --name lb --network left --ip 10.191.0.20 -- sleep 3600
    mv_run_d hostb --name rb --network right --ip 10.191.1.20 -- sleep 3600
    assert_eq "$(ctr_link_peer hosta ra eth0)" "$(ifindex_of hosta eth2)" "the link of ra's eth0"
    assert_ping hosta la 10.191.0.20
    assert_ping hosta ra 10.191.1.20
    assert_ping hostb lb 10.191.0.10
    assert_ping hostb rb 10.191.1.10
    refute_ping hosta la 10.191.1.10
    refute_ping hosta ra 10.191.0.10
    refute_ping hosta la 10.191.1.20
    refute_ping hostb rb 10.191.0.10
}

@test "network connect to a second macvlan network: eth1 on that parent, both subnets reached, the default route stays" {
    local h
    for h in hosta hostb; do
        mv_add_iface "$h" eth2
        mv_create_net "$h" -d macvlan --subnet 10.191.2.0/24 --gateway 10.191.2.1 -o parent=eth1 first
        mv_create_net "$h" -d macvlan --subnet 10.191.3.0/24 --gateway 10.191.3.1 -o parent=eth2 second
    done
    mv_run_d hostb --name fb --network first --ip 10.191.2.20 -- sleep 3600
    mv_run_d hostb --name sb --network second --ip 10.191.3.20 -- sleep 3600
    mv_run_d hosta --name both --network first --ip 10.191.2.10 -- sleep 3600
    refute_ping hosta both 10.191.3.20
    mv_ok hosta network connect --ip 10.191.3.10 second both
    mv_ok hosta exec both ip -d -o link show dev eth1
    assert_contains "$output" "macvlan mode bridge" "ip -d link show eth1 in both"
    assert_contains "$output" "link/ether 02:42:0a:bf:03:0a " "ip -d link show eth1 in both"
    assert_eq "$(ctr_link_peer hosta both eth1)" "$(ifindex_of hosta eth2)" "the link of eth1 (the parent eth2)"
    assert_ping hosta both 10.191.2.20
    assert_ping hosta both 10.191.3.20
    assert_ping hostb sb 10.191.3.10
    mv_ok hosta exec both ip -4 route show default
    assert_eq "${output% }" "default via 10.191.2.1 dev eth0" "default route in both"
    assert_eq "$(mv_net_get hosta second "sorted(c['IPv4Address'] for c in d['Containers'].values())")" \
        '["10.191.3.10/24"]' "Containers of second"
    mv_ok hosta network disconnect second both
    run on_a berth exec both ip link show dev eth1
    [ "$status" -ne 0 ] || fail "eth1 is still in the container after disconnect" "$output"
    refute_ping hosta both 10.191.3.20
    assert_ping hosta both 10.191.2.20
}
