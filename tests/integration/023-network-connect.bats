#!/usr/bin/env bats
#
# berth network connect / disconnect of running containers (eth1, eth2, ...
# added and removed live), network inspect's Containers map, and network rm
# refused while a network has endpoints.

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

teardown() {
    container_teardown
}

# two_nets: netA 10.140.0.0/24 and netB 10.141.0.0/24; bridges in $br_a, $br_b.
two_nets() {
    create_net --subnet 10.140.0.0/24 netA
    br_a=$(bridge_of "$net_id")
    create_net --subnet 10.141.0.0/24 netB
    br_b=$(bridge_of "$net_id")
}

eth1_gone() { ! berth exec "$1" ip link show dev eth1 >/dev/null 2>&1; }

@test "connect adds eth1 live, with an address on the second network, reaching its containers" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    run_d --name b1 --network netB -- sleep 3600
    local ip_b1 veth0
    ip_b1=$(ctr_ip b1 netB)
    veth0=$(host_veth c1)
    # not reachable before
    run berth exec c1 ping -c1 -W1 "$ip_b1"
    [ "$status" -ne 0 ] || fail "c1 reaches $ip_b1 before connect"

    berth_ok network connect netB c1
    assert_eq "$output" "" "stdout of connect"
    local ip1
    ip1=$(ctr_ip c1 netB)
    assert_match "$ip1" '^10\.141\.0\.[0-9]+$' "IPAddress of c1 on netB"
    [ "$ip1" != "$ip_b1" ] || fail "c1 got b1's address"
    berth_ok exec c1 ip -4 -o addr show dev eth1
    assert_eq "$(awk '{ print $4 }' <<<"$output")" "$ip1/24" "eth1 address"
    berth_ok exec c1 ip -o link show dev eth1
    assert_contains "$output" "link/ether $(mac_of_ip "$ip1") " "eth1 MAC"
    assert_eq "$(ctr_links c1)" "eth0
eth1
lo" "links of c1"
    # eth0 and the default route via the first network are unchanged
    berth_ok exec c1 ip -4 route show default
    assert_match "$output" '^default via 10\.140\.0\.1 dev eth0( |$)' "default route"
    assert_eq "$(host_veth c1 eth0)" "$veth0" "host veth of eth0"
    # the host end of eth1 is a veth on netB's bridge
    local veth1
    veth1=$(host_veth c1 eth1)
    assert_match "$veth1" '^veth[0-9a-f]{7}$' "host veth of eth1"
    assert_eq "$(veths_on "$br_b")" "$(printf '%s\n' "$veth1" "$(host_veth b1)" | sort)" "veths on netB's bridge"

    berth_ok exec c1 ping -c1 -W2 "$ip_b1"
    berth_ok exec b1 ping -c1 -W2 "$ip1"
}

@test "connect --ip gives that address; its errors are run's" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    run_d --name c2 --network netA -- sleep 3600
    berth_ok network connect --ip 10.141.0.50 netB c1
    assert_eq "$(ctr_ip c1 netB)" 10.141.0.50 "IPAddress"
    berth_ok exec c1 ip -4 -o addr show dev eth1
    assert_contains "$output" " 10.141.0.50/24 " "eth1"
    ping -c1 -W2 10.141.0.50 || fail "the host cannot ping 10.141.0.50"

    snapshot_save
    berth_fails 1 "address 10.141.0.50 is already in use on network netB" network connect --ip 10.141.0.50 netB c2
    assert_unchanged
    berth_fails 1 "address 10.141.0.1 is the gateway of network netB" network connect --ip 10.141.0.1 netB c2
    assert_unchanged
    berth_fails 1 "invalid address 10.140.0.9: it does not belong to any of this network's subnets" \
        network connect --ip 10.140.0.9 netB c2
    assert_unchanged
    berth_fails 1 'invalid IP address "x"' network connect --ip x netB c2
    assert_unchanged
    run berth exec c2 ip link show dev eth1
    [ "$status" -ne 0 ] || fail "c2 has an eth1 after refused connects"
}

@test "connect --ip on a network without a user subnet: Docker's message" {
    create_net --subnet 10.140.1.0/24 netA
    create_net nosub
    run_d --name c1 --network netA -- sleep 3600
    snapshot_save
    berth_fails 1 "user specified IP address is supported only when connecting to networks with user configured subnets" \
        network connect --ip 10.140.1.9 nosub c1
    assert_unchanged
}

@test "a third network is eth2" {
    two_nets
    create_net --subnet 10.142.0.0/24 netC
    run_d --name c1 --network netA -- sleep 3600
    berth_ok network connect netB c1
    berth_ok network connect --ip 10.142.0.7 netC c1
    berth_ok exec c1 ip -4 -o addr show dev eth2
    assert_contains "$output" " 10.142.0.7/24 " "eth2"
    assert_eq "$(ctr_links c1)" "eth0
eth1
eth2
lo" "links of c1"
}

@test "disconnect removes eth1 and its veth and frees the address" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    run_d --name b1 --network netB -- sleep 3600
    berth_ok network connect --ip 10.141.0.60 netB c1
    local veth1 ip_b1
    veth1=$(host_veth c1 eth1)
    ip_b1=$(ctr_ip b1 netB)
    berth_ok exec c1 ping -c1 -W2 "$ip_b1"

    berth_ok network disconnect netB c1
    assert_eq "$output" "" "stdout of disconnect"
    # gone when disconnect returns, though the kernel frees them later
    eth1_gone c1 || fail "c1 still has eth1 after disconnect returned"
    refute_link "$veth1"
    assert_eq "$(veths_on "$br_b")" "$(host_veth b1)" "veths on netB's bridge"
    assert_eq "$(ctr_links c1)" "eth0
lo" "links of c1"
    assert_eq "$(ctr_get c1 'sorted(d["NetworkSettings"]["Networks"])')" '["netA"]' "networks of c1"
    run berth exec c1 ping -c1 -W1 "$ip_b1"
    [ "$status" -ne 0 ] || fail "c1 still reaches $ip_b1"
    # eth0 still works
    ping -c1 -W2 "$(ctr_ip c1 netA)" || fail "eth0 of c1 no longer answers"
    # the address is free
    run_d --name c3 --network netB --ip 10.141.0.60 -- sleep 3600
    assert_eq "$(ctr_ip c3 netB)" 10.141.0.60 "IPAddress of c3"
}

@test "disconnect -f works; connect after disconnect works again" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    berth_ok network connect netB c1
    berth_ok network disconnect -f netB c1
    wait_until 10 eth1_gone c1
    berth_ok network connect --ip 10.141.0.61 netB c1
    assert_eq "$(ctr_ip c1 netB)" 10.141.0.61 "IPAddress after reconnect"
    berth_ok exec c1 ping -c1 -W2 10.141.0.1
}

@test "connect and disconnect in a row: eth1 again each time, never seen after disconnect" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    local round veth  # not i: bats' run sets it
    for round in 1 2 3 4 5; do
        berth_ok network connect netB c1
        berth_ok exec c1 ip -4 -o addr show dev eth1
        assert_contains "$output" " 10.141.0." "round $round: eth1's address"
        veth=$(host_veth c1 eth1)
        berth_ok network disconnect netB c1
        assert_eq "$(ctr_links c1)" "eth0
lo" "round $round: links of c1 right after disconnect"
        refute_link "$veth"
        assert_eq "$(veths_on "$br_b")" "" "round $round: ports of netB's bridge"
    done
}

@test "connect errors: unknown network, unknown container, already connected" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    snapshot_save
    berth_fails 1 "network nosuch not found" network connect nosuch c1
    berth_fails 1 "No such container: nosuch" network connect netB nosuch
    assert_unchanged
    run --separate-stderr berth network connect netA c1
    assert_eq "$status" 1 "exit status of connecting to a network c1 is on"
    assert_match "$stderr" '^berth: error: ' "stderr"
    assert_unchanged
    berth_usage_error network connect netB
}

@test "disconnect errors: not connected, unknown container" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    snapshot_save
    run --separate-stderr berth network disconnect netB c1
    assert_eq "$status" 1 "exit status of disconnecting a network c1 is not on"
    assert_match "$stderr" '^berth: error: ' "stderr"
    berth_fails 1 "No such container: nosuch" network disconnect netA nosuch
    berth_fails 1 "network nosuch not found" network disconnect nosuch c1
    assert_unchanged
}

@test "network inspect: the Containers map" {
    two_nets
    local id_a
    id_a=$(net_id_of netA)
    run_d --name c1 --network netA --ip 10.140.0.12 -- sleep 3600
    local c1=$cid
    berth_ok network connect --ip 10.141.0.13 netB c1
    local json
    json=$(berth network inspect netA)
    assert_eq "$(jeval "$json" 'sorted(d[0]["Containers"])')" "[\"$c1\"]" "container IDs on netA"
    assert_eq "$(jeval "$json" "d[0]['Containers']['$c1']['Name']")" c1 "Name"
    assert_match "$(jeval "$json" "d[0]['Containers']['$c1']['EndpointID']")" "$HEX64" "EndpointID"
    assert_eq "$(jeval "$json" "d[0]['Containers']['$c1']['MacAddress']")" 02:42:0a:8c:00:0c "MacAddress"
    assert_eq "$(jeval "$json" "d[0]['Containers']['$c1']['IPv4Address']")" 10.140.0.12/24 "IPv4Address"
    assert_eq "$(jeval "$json" "d[0]['Containers']['$c1']['IPv6Address']")" "" "IPv6Address"
    local ep_a
    ep_a=$(jeval "$json" "d[0]['Containers']['$c1']['EndpointID']")
    assert_eq "$(ctr_net c1 netA EndpointID)" "$ep_a" "EndpointID in the container's inspect"
    assert_eq "$(ctr_net c1 netA NetworkID)" "$id_a" "NetworkID in the container's inspect"

    json=$(berth network inspect netB)
    assert_eq "$(jeval "$json" "d[0]['Containers']['$c1']['IPv4Address']")" 10.141.0.13/24 "IPv4Address on netB"
    local ep_b
    ep_b=$(jeval "$json" "d[0]['Containers']['$c1']['EndpointID']")
    [ "$ep_a" != "$ep_b" ] || fail "both endpoints have ID $ep_a"

    berth_ok network disconnect netB c1
    assert_eq "$(net_get netB 'd["Containers"]')" "{}" "Containers of netB after disconnect"
    berth_ok rm -f c1
    assert_eq "$(net_get netA 'd["Containers"]')" "{}" "Containers of netA after rm -f"
}

@test "network rm is refused while endpoints exist" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    run_d --name c2 --network netA -- sleep 3600
    berth_ok network connect netB c1
    snapshot_save
    berth_fails 1 "network netA has active endpoints (2)" network rm netA
    berth_fails 1 "network netB has active endpoints (1)" network rm netB
    assert_unchanged
    berth_ok exec c1 ping -c1 -W2 10.141.0.1

    berth_ok network disconnect netB c1
    berth_ok network rm netB
    refute_link "$br_b"
    berth_ok rm -f c1 c2
    berth_ok network rm netA
    refute_link "$br_a"
}

@test "network prune keeps networks with containers" {
    two_nets
    run_d --name c1 --network netA -- sleep 3600
    berth_ok network prune -f
    assert_eq "$output" "Deleted Networks:
netB" "stdout of prune"
    assert_bridge_up "$br_a"
    berth_ok exec c1 ping -c1 -W2 10.140.0.1
}

@test "connect of a --network none or host container is refused" {
    two_nets
    run_d --name lonely --network none -- sleep 3600
    run_d --name hosty --network host -- sleep 3600
    snapshot_save
    run --separate-stderr berth network connect netB lonely
    assert_eq "$status" 1 "exit status (none)"
    assert_match "$stderr" '^berth: error: ' "stderr (none)"
    run --separate-stderr berth network connect netB hosty
    assert_eq "$status" 1 "exit status (host)"
    assert_match "$stderr" '^berth: error: ' "stderr (host)"
    assert_unchanged
}

@test "connect of an exited container is refused and changes nothing" {
    two_nets
    run_d --name done1 --network netA -- true
    wait_until 10 ctr_is_exited done1
    snapshot_save
    run --separate-stderr berth network connect netB done1
    assert_eq "$status" 1 "exit status"
    assert_match "$stderr" '^berth: error: ' "stderr"
    assert_unchanged
}

@test "stopping a connected container releases both endpoints" {
    two_nets
    run_d --name c1 --network netA --ip 10.140.0.30 -- sleep 3600
    berth_ok network connect --ip 10.141.0.30 netB c1
    local v0 v1
    v0=$(host_veth c1 eth0)
    v1=$(host_veth c1 eth1)
    berth_ok stop -t 1 c1
    wait_link_gone "$v0"
    wait_link_gone "$v1"
    run_d --name n1 --network netA --ip 10.140.0.30 -- sleep 3600
    run_d --name n2 --network netB --ip 10.141.0.30 -- sleep 3600
}
