#!/usr/bin/env bats
#
# Containers on IPv6 networks (issue 13, second step): an IPv6 address
# from the pool or --ip6 (run and network connect), the gateway as the
# default IPv6 route, a link-local address, everything usable as soon as
# `run` returns (no DAD inside the container: berth owns the subnet), no
# router advertisement heeded and no solicitation sent; Docker's fields
# in inspect; both addresses in ps and /etc/hosts; IPv6-only networks
# (published ports on IPv6: 083-ipv6-ports.bats);
# IPv4-only networks keep IPv6 off inside the container; leases of both
# families released, checked and reconciled. Bad --ip6/--ip values are
# refused with the value and the cause, changing nothing.
#
# Subnets: 10.201.0.0/16, fd00:81::/32.

# bats and helpers set status, output, stderr, lines, net_id, cid
# shellcheck disable=SC2154

load helpers

teardown() {
    containers_rm_all
    berth_cleanup
}

# v6_of REF [IF]: "ADDR/LEN scope FLAGS..." of IF's IPv6 addresses, one per line
v6_of() { in_sandbox "$1" ip -6 -o addr show dev "${2:-eth0}" | awk '{ $1 = $2 = $3 = ""; sub(/^ +/, ""); sub(/ *\\? *valid_lft.*/, ""); print }'; }
conf6() { in_sandbox "$1" cat "/proc/sys/net/ipv6/conf/${2:-eth0}/$3"; }
lease_of() { sqlite3 "$BERTH_ROOT/berth.db" "SELECT owner FROM leases WHERE addr = '$1'"; }

@test "a dual-stack container: its IPv6 address, a link-local one and the default IPv6 route, none tentative, usable when run returns" {
    create_net --ipv6 --subnet 10.201.1.0/24 --subnet fd00:81:1::/64 ds
    run_d --name d1 --network ds -- sleep 3600
    run_d --name d2 --network ds -- sleep 3600
    # at once: no DAD to wait for, on either side
    berth_ok exec d2 ping -6 -c1 -W2 fd00:81:1::2
    berth_ok exec d1 ping -6 -c1 -W2 fd00:81:1::1
    berth_ok exec d1 ping -4 -c1 -W2 10.201.1.3
    local addrs
    addrs=$(v6_of d1)
    assert_match "$addrs" '^fd00:81:1::2/64 scope global nodad'$'\n''fe80::[0-9a-f:]+/64 scope link$' "IPv6 addresses of d1's eth0"
    refute_contains "$addrs" tentative "IPv6 addresses of d1's eth0"
    assert_eq "$(in_sandbox d1 ip -6 route show default)" "default via fd00:81:1::1 dev eth0 metric 1024 pref medium" \
        "d1's default IPv6 route"
    assert_eq "$(in_sandbox d1 ip -4 route show default | xargs)" "default via 10.201.1.1 dev eth0" "d1's default IPv4 route"
    local k
    for k in accept_ra accept_dad router_solicitations disable_ipv6; do
        assert_eq "$(conf6 d1 eth0 "$k")" 0 "net.ipv6.conf.eth0.$k in d1"
    done
    # the host side never heeds an RA either
    assert_eq "$(sysctl -n "net.ipv6.conf.$(bridge_of "$net_id").accept_ra")" 0 "accept_ra of the bridge"
}

@test "the host ends of the veths have no IPv6 of their own: no multicast route per container in the host's table" {
    create_net --ipv6 --subnet 10.201.9.0/24 --subnet fd00:81:9::/64 ds9
    run_d --name p1 --network ds9 -- sleep 3600
    run_d --name p2 --network ds9 -- sleep 3600
    local n veth
    for n in p1 p2; do
        veth=$(host_veth "$n")
        assert_eq "$(sysctl -n "net.ipv6.conf.$veth.disable_ipv6")" 1 "disable_ipv6 of $n's host end $veth"
        assert_eq "$(ip -6 route show table local dev "$veth")" "" "the host's local IPv6 routes on $veth"
        assert_eq "$(ip -6 -o addr show dev "$veth")" "" "IPv6 addresses of $veth"
    done
    # bridged IPv6 between the two and to the gateway is untouched
    berth_ok exec p1 ping -6 -c1 -W2 fd00:81:9::3
    berth_ok exec p2 ping -6 -c1 -W2 fd00:81:9::1
}

@test "inspect, network inspect, ps and /etc/hosts show both addresses, with Docker's fields" {
    create_net --ipv6 --subnet 10.201.2.0/24 --subnet fd00:81:2::/64 --gateway fd00:81:2::fe ds2
    run_d --name shown --network ds2 -- sleep 3600
    assert_eq "$(ctr_get shown 'd["NetworkSettings"]["Networks"]["ds2"]["GlobalIPv6Address"]')" "fd00:81:2::1" \
        "GlobalIPv6Address (the gateway is ::fe: ::1 is free)"
    assert_eq "$(ctr_get shown '[d["NetworkSettings"]["Networks"]["ds2"][k] for k in
        ("IPAddress", "IPPrefixLen", "Gateway", "GlobalIPv6PrefixLen", "IPv6Gateway", "MacAddress")]')" \
        '["10.201.2.2", 24, "10.201.2.1", 64, "fd00:81:2::fe", "02:42:0a:c9:02:02"]' "the endpoint's fields"
    assert_eq "$(net_get ds2 '[(c["IPv4Address"], c["IPv6Address"]) for c in d["Containers"].values()]')" \
        '[["10.201.2.2/24", "fd00:81:2::1/64"]]' "network inspect's Containers"
    assert_eq "$(berth ps | awk '$2 == "shown" { print $(NF-1), $NF }')" \
        "ds2 10.201.2.2,fd00:81:2::1" "NETWORKS and IPS of ps"
    berth_ok exec shown cat /etc/hosts
    assert_contains "$output" $'10.201.2.2\t'"${cid:0:12} shown"$'\n'$'fd00:81:2::1\t'"${cid:0:12} shown" "/etc/hosts"
}

@test "--ip6 and network connect --ip6 give the address asked for; taken, it is refused until freed" {
    create_net --ipv6 --subnet 10.201.3.0/24 --subnet fd00:81:3::/64 ds3
    create_net --ipv6 --subnet fd00:81:4::/64 only4
    run_d --name want --network ds3 --ip6 fd00:81:3::abcd -- sleep 3600
    assert_eq "$(v6_of want | head -1)" "fd00:81:3::abcd/64 scope global nodad" "want's IPv6 address"
    assert_eq "$(ctr_ip want ds3)" 10.201.3.2 "want's IPv4 address (from the pool)"
    berth_ok network connect --ip6 fd00:81:4::77 only4 want
    assert_eq "$(v6_of want eth1 | head -1)" "fd00:81:4::77/64 scope global nodad" "want's eth1"
    # the first network keeps the default routes
    assert_eq "$(in_sandbox want ip -6 route show default)" "default via fd00:81:3::1 dev eth0 metric 1024 pref medium" \
        "want's default IPv6 route"
    berth_ok exec want ping -6 -c1 -W2 fd00:81:4::1
    snapshot_save
    berth_fails 1 "address fd00:81:3::abcd is already in use on network ds3" \
        run -d --name again --network ds3 --ip6 fd00:81:3::abcd -- sleep 3600
    assert_unchanged
    berth_ok rm -f want
    run_d --name again --network ds3 --ip6 fd00:81:3::abcd -- sleep 3600
    berth_ok exec again ping -6 -c1 -W2 fd00:81:3::1
}

@test "bad --ip6 and --ip values: each refused with the value and the cause, nothing changed" {
    create_net --ipv6 --subnet 10.201.5.0/24 --subnet fd00:81:5::/64 ds5
    create_net --ipv6 --subnet fd00:81:6::/64 only6
    create_net --subnet 10.201.7.0/24 four
    create_net --subnet 10.201.8.0/24 other4
    run_d --name c81 --network other4 -- sleep 3600
    snapshot_save
    berth_fails 1 "--ip6 10.201.5.9: not an IPv6 address (give it with --ip)" run --network ds5 --ip6 10.201.5.9 -- true
    berth_fails 1 "--ip fd00:81:5::9: not an IPv4 address (give it with --ip6)" run --network ds5 --ip fd00:81:5::9 -- true
    berth_fails 1 'invalid IP address "fd00:81:5::zz"' run --network ds5 --ip6 fd00:81:5::zz -- true
    berth_fails 1 "invalid address fd00:81:6::9: it does not belong to any of this network's subnets" \
        run --network ds5 --ip6 fd00:81:6::9 -- true
    berth_fails 1 "address fd00:81:5::1 is the gateway of network ds5" run --network ds5 --ip6 fd00:81:5::1 -- true
    berth_fails 1 "address fd00:81:5:: is the network address of network ds5" run --network ds5 --ip6 fd00:81:5:: -- true
    berth_fails 1 "--ip6 fd00:81:7::9: network four has no IPv6 (create it with --ipv6)" \
        run --network four --ip6 fd00:81:7::9 -- true
    berth_fails 1 "--ip 10.201.6.9: network only6 is IPv6-only" run --network only6 --ip 10.201.6.9 -- true
    berth_fails 1 "user specified IP address is supported only when connecting to networks with user configured subnets" \
        run --ip6 fd00:81:5::9 -- true
    berth_fails 1 "--ip, --ip6, --mac-address and --network-alias need a bridge or macvlan network, not none" \
        run --network none --ip6 fd00:81:5::9 -- true
    berth_fails 1 "--ip6 fd00:81:5::9: network four has no IPv6 (create it with --ipv6)" \
        network connect --ip6 fd00:81:5::9 four c81
    berth_fails 1 "--ip6 10.201.5.9: not an IPv6 address (give it with --ip)" network connect --ip6 10.201.5.9 ds5 c81
    assert_unchanged
    assert_eq "$(berth ps -aq | wc -l)" 1 "containers"
    assert_eq "$(ctr_get c81 'sorted(d["NetworkSettings"]["Networks"])')" '["other4"]' "c81's networks"
}

@test "an IPv6-only network: containers get IPv6 only, a MAC from their IPv6 address; -p 0.0.0.0:... is refused" {
    create_net --ipv6 --subnet fd00:81:8::/64 v6only
    run_d --name o1 --network v6only -- sleep 3600
    run_d --name o2 --network v6only -- sleep 3600
    assert_eq "$(in_sandbox o1 ip -4 -o addr show dev eth0)" "" "o1's IPv4 addresses"
    assert_eq "$(in_sandbox o1 ip -4 route show)" "" "o1's IPv4 routes"
    assert_eq "$(ctr_get o1 '[d["NetworkSettings"]["Networks"]["v6only"][k] for k in
        ("IPAddress", "Gateway", "GlobalIPv6Address", "IPv6Gateway", "MacAddress")]')" \
        '["", "", "fd00:81:8::2", "fd00:81:8::1", "02:42:00:00:00:02"]' "o1's endpoint"
    berth_ok exec o2 ping -6 -c1 -W2 fd00:81:8::2
    assert_eq "$(berth ps | awk '$2 == "o2" { print $NF }')" "fd00:81:8::3" "IPS of o2 in ps"
    snapshot_save
    berth_fails 1 "cannot publish on 0.0.0.0: network v6only is IPv6-only" \
        run -d --network v6only -p 0.0.0.0:8081:80 -- sleep 3600
    assert_unchanged
}

@test "an IPv4-only network keeps IPv6 off inside the container: no address, not even link-local" {
    create_net --subnet 10.201.9.0/24 plain4
    run_d --name p4 --network plain4 -- sleep 3600
    assert_eq "$(conf6 p4 eth0 disable_ipv6)" 1 "net.ipv6.conf.eth0.disable_ipv6 in p4"
    assert_eq "$(in_sandbox p4 ip -6 -o addr show dev eth0)" "" "p4's IPv6 addresses on eth0"
    assert_eq "$(ctr_get p4 '[d["NetworkSettings"]["Networks"]["plain4"][k] for k in
        ("GlobalIPv6Address", "GlobalIPv6PrefixLen", "IPv6Gateway")]')" '["", 0, ""]' "p4's IPv6 fields"
}

@test "both leases: freed by rm and disconnect and given again; a lost IPv6 lease found by check and restored by reconcile" {
    create_net --ipv6 --subnet 10.201.10.0/24 --subnet fd00:81:10::/64 ds10
    create_net --ipv6 --subnet 10.201.11.0/24 --subnet fd00:81:11::/64 ds11
    run_d --name l1 --network ds10 -- sleep 3600
    assert_eq "$(lease_of fd00:81:10::2)" "$(ctr_net l1 ds10 EndpointID)" "the owner of fd00:81:10::2"
    berth_ok network connect ds11 l1
    berth_ok network disconnect ds11 l1
    assert_eq "$(lease_of fd00:81:11::2)$(lease_of 10.201.11.2)" "" "leases of the disconnected endpoint"
    berth_ok rm -f l1
    assert_eq "$(lease_of fd00:81:10::2)$(lease_of 10.201.10.2)" "" "leases of the removed container"
    run_d --name l2 --network ds10 -- sleep 3600
    assert_eq "$(ctr_net l2 ds10 GlobalIPv6Address) $(ctr_ip l2 ds10)" "fd00:81:10::2 10.201.10.2" "l2's addresses"

    sqlite3 "$BERTH_ROOT/berth.db" "DELETE FROM leases WHERE addr = 'fd00:81:10::2'"
    run --separate-stderr berth system check
    assert_eq "$status" 1 "exit status of system check (stderr: $stderr)"
    assert_eq "$output" "container l2: address fd00:81:10::2 on network ds10 has no lease of its own (a new container could be given it)" \
        "system check"
    berth_ok system reconcile
    assert_contains "$output" "leased to it" "system reconcile"
    assert_eq "$(lease_of fd00:81:10::2)" "$(ctr_net l2 ds10 EndpointID)" "the owner of fd00:81:10::2 after reconcile"
    berth_ok system check
    assert_eq "$output" "the store and the kernel agree" "system check after reconcile"
    run_d --name l3 --network ds10 -- sleep 3600
    assert_eq "$(ctr_net l3 ds10 GlobalIPv6Address)" "fd00:81:10::3" "l3's IPv6 address"
}
