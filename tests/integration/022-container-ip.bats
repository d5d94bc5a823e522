#!/usr/bin/env bats
#
# berth run --ip: Docker's rules and messages (docs/cli.md), and that a
# refused run leaves nothing behind: no container, no veth, no sandbox, no
# address, and the lease free for the next run.

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

teardown() {
    container_teardown
}

# refused_run MESSAGE ARGS...: berth run -d ARGS fails with MESSAGE and
# changes nothing (store, links, addresses, containers, sandboxes).
refused_run() {
    local msg=$1
    shift
    local ps_before sb_before
    ps_before=$(berth ps -aq --no-trunc)
    sb_before=$(ls -A "$BERTH_RUNDIR/netns" 2>/dev/null || true)
    snapshot_save
    local rc=0
    # every check runs, so that a wrong message does not hide a leak
    berth_fails 1 "$msg" run -d "$@" -- sleep 3600 || rc=1
    assert_eq "$output" "" "stdout of the refused run" || rc=1
    assert_unchanged || rc=1
    assert_eq "$(berth ps -aq --no-trunc)" "$ps_before" "containers after the refused run" || rc=1
    assert_eq "$(ls -A "$BERTH_RUNDIR/netns" 2>/dev/null || true)" "$sb_before" "sandboxes after the refused run" || rc=1
    return $rc
}

@test "--ip in the subnet: the container gets it" {
    create_net --subnet 10.130.0.0/24 net1
    run_d --name fixed --network net1 --ip 10.130.0.77 -- sleep 3600
    assert_eq "$(ctr_ip fixed net1)" 10.130.0.77 "IPAddress"
    berth_ok exec fixed ip -4 -o addr show dev eth0
    assert_contains "$output" " 10.130.0.77/24 " "eth0"
    ping -c1 -W2 10.130.0.77 || fail "the host cannot ping 10.130.0.77"
}

@test "--ip (seed: --network=test_net2 --ip 173.20.0.4, here in a private range)" {
    create_net --subnet 172.20.0.0/16 --gateway 172.20.0.1 test_net2
    berth_ok run --network test_net2 --ip 172.20.0.4 -- ip -4 -o addr show dev eth0
    assert_contains "$output" " 172.20.0.4/16 " "eth0"
}

@test "a network without a user subnet: refused with Docker's message" {
    create_net nosub
    local subnet ip
    subnet=$(net_subnet nosub)
    ip="${subnet%.*/*}.10"
    refused_run "user specified IP address is supported only when connecting to networks with user configured subnets" \
        --network nosub --ip "$ip"
}

@test "the default bridge network (no user subnet): --ip refused" {
    local subnet ip
    subnet=$(net_subnet bridge)
    ip="${subnet%.*/*}.10"
    snapshot_save
    run --separate-stderr berth run -d --ip "$ip" -- sleep 3600
    assert_eq "$status" 1 "exit status"
    assert_match "$stderr" '^berth: error: user specified IP address is supported' "stderr"
    assert_unchanged
    assert_eq "$(berth ps -aq)" "" "containers"
}

@test "outside the subnet: refused" {
    create_net --subnet 10.130.1.0/24 net1
    refused_run "invalid address 172.20.0.2: it does not belong to any of this network's subnets" \
        --network net1 --ip 172.20.0.2
    refused_run "invalid address 10.130.2.1: it does not belong to any of this network's subnets" \
        --network net1 --ip 10.130.2.1
}

@test "an address in use: refused; free again once its container is removed" {
    create_net --subnet 10.130.3.0/24 net1
    run_d --name holder --network net1 --ip 10.130.3.5 -- sleep 3600
    refused_run "address 10.130.3.5 is already in use on network net1" --network net1 --ip 10.130.3.5
    berth_ok rm -f holder
    run_d --name taker --network net1 --ip 10.130.3.5 -- sleep 3600
    assert_eq "$(ctr_ip taker net1)" 10.130.3.5 "IPAddress of taker"
}

@test "an address a dynamically addressed container has: refused" {
    create_net --subnet 10.130.4.0/24 net1
    run_d --name dyn --network net1 -- sleep 3600
    local ip
    ip=$(ctr_ip dyn net1)
    refused_run "address $ip is already in use on network net1" --network net1 --ip "$ip"
}

@test "the gateway: refused" {
    create_net --subnet 10.130.5.0/24 net1
    refused_run "address 10.130.5.1 is the gateway of network net1" --network net1 --ip 10.130.5.1
}

@test "a custom gateway is refused, the first address is then allowed" {
    create_net --subnet 10.130.6.0/24 --gateway 10.130.6.254 net1
    refused_run "address 10.130.6.254 is the gateway of network net1" --network net1 --ip 10.130.6.254
    run_d --name first --network net1 --ip 10.130.6.1 -- sleep 3600
    assert_eq "$(ctr_ip first net1)" 10.130.6.1 "IPAddress"
    berth_ok exec first ip -4 route show default
    assert_match "$output" '^default via 10\.130\.6\.254 dev eth0' "default route"
}

@test "the network address: refused" {
    create_net --subnet 10.130.7.0/24 net1
    refused_run "address 10.130.7.0 is the network address of network net1" --network net1 --ip 10.130.7.0
}

@test "the broadcast address: refused" {
    create_net --subnet 10.130.8.0/24 net1
    refused_run "address 10.130.8.255 is the broadcast address of network net1" --network net1 --ip 10.130.8.255
}

@test "network and broadcast of a /16" {
    create_net --subnet 10.131.0.0/16 wide
    refused_run "address 10.131.0.0 is the network address of network wide" --network wide --ip 10.131.0.0
    refused_run "address 10.131.255.255 is the broadcast address of network wide" --network wide --ip 10.131.255.255
    run_d --name mid --network wide --ip 10.131.0.255 -- sleep 3600
    assert_eq "$(ctr_ip mid wide)" 10.131.0.255 "x.x.0.255 is a host address in a /16"
}

@test "not an address: refused" {
    create_net --subnet 10.130.9.0/24 net1
    refused_run 'invalid IP address "x"' --network net1 --ip x
    refused_run 'invalid IP address "10.130.9.300"' --network net1 --ip 10.130.9.300
}

@test "--ip and an unknown network: network foo not found" {
    refused_run "network foo not found" --network foo --ip 10.130.10.5
}

@test "the addresses a refused run named stay free: the same --ip then succeeds" {
    create_net --subnet 10.130.11.0/24 net1
    run_d --name dupname --network net1 --ip 10.130.11.20 -- sleep 3600
    local first=$cid
    # refused for its name, after the --ip was parsed
    refused_run "container name \"/dupname\" is already in use by container \"$first\"" \
        --name dupname --network net1 --ip 10.130.11.21
    # refused for its MAC
    snapshot_save
    run --separate-stderr berth run -d --network net1 --ip 10.130.11.22 --mac-address nonsense -- sleep 3600
    [ "$status" -ne 0 ] || fail "--mac-address nonsense accepted"
    assert_unchanged
    run_d --name second --network net1 --ip 10.130.11.21 -- sleep 3600
    run_d --name third --network net1 --ip 10.130.11.22 -- sleep 3600
    assert_eq "$(ctr_ip second net1)" 10.130.11.21 "IPAddress of second"
    assert_eq "$(ctr_ip third net1)" 10.130.11.22 "IPAddress of third"
}

@test "a container whose command cannot start releases its --ip" {
    create_net --subnet 10.130.12.0/24 net1
    local br
    br=$(bridge_of "$net_id")
    run -127 --separate-stderr berth run --network net1 --ip 10.130.12.8 -- /nonexistent/berth-no-such-cmd
    wait_until 10 bash -c "[ -z \"\$(ip -o link show master $br)\" ]"
    run_d --name after --network net1 --ip 10.130.12.8 -- sleep 3600
    assert_eq "$(ctr_ip after net1)" 10.130.12.8 "IPAddress"
}

@test "a foreground run with --ip releases it when it exits: twice in a row" {
    create_net --subnet 10.130.13.0/24 net1
    berth_ok run --network net1 --ip 10.130.13.9 -- true
    berth_ok run --network net1 --ip 10.130.13.9 -- true
    berth_ok run --rm --network net1 --ip 10.130.13.9 -- true
    berth_ok run --rm --network net1 --ip 10.130.13.9 -- true
}

@test "dynamic allocation skips an address given with --ip" {
    create_net --subnet 10.130.14.0/24 net1
    run_d --name pinned --network net1 --ip 10.130.14.2 -- sleep 3600
    run_d --name dynamic --network net1 -- sleep 3600
    local ip
    ip=$(ctr_ip dynamic net1)
    assert_match "$ip" '^10\.130\.14\.[0-9]+$' "IPAddress of dynamic"
    [ "$ip" != 10.130.14.2 ] || fail "dynamic got the pinned address"
    [ "$ip" != 10.130.14.1 ] || fail "dynamic got the gateway"
}

@test "--ip outside --ip-range but inside the subnet is allowed (as Docker)" {
    create_net --subnet 10.130.15.0/24 --ip-range 10.130.15.128/25 ranged
    run_d --name low --network ranged --ip 10.130.15.10 -- sleep 3600
    assert_eq "$(ctr_ip low ranged)" 10.130.15.10 "IPAddress of low"
    run_d --name inrange --network ranged -- sleep 3600
    local ip
    ip=$(ctr_ip inrange ranged)
    [ "${ip##*.}" -ge 128 ] || fail "dynamic address $ip is outside the ip-range"
}
