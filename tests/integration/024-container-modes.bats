#!/usr/bin/env bats
#
# Network modes: --network none (only lo), --network host (the host's
# namespace, no endpoint), --network container:NAME|ID (that container's
# sandbox: the same interfaces and addresses).

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

teardown() {
    container_teardown
}

# link_lines: "NAME FLAGS" of every link, in the order of `ip -o link`.
link_list() { awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }

# ---- none -------------------------------------------------------------------

@test "--network none: only lo, up, with 127.0.0.1" {
    snapshot_save
    berth_ok run --network none -- ip -o link show
    assert_eq "$(link_list <<<"$output")" lo "links"
    assert_match "$output" '<([A-Z_]+,)*UP(,[A-Z_]+)*>' "lo flags"
    berth_ok run --network none -- ip -4 -o addr show
    assert_eq "$(awk '{ print $2, $4 }' <<<"$output")" "lo 127.0.0.1/8" "addresses"
    berth_ok run --network none -- ping -c1 -W2 127.0.0.1
    berth_ok run --network none -- ip -4 route show
    assert_eq "$output" "" "routes"
    # no endpoint, no link, no address on the host
    assert_unchanged
}

@test "--network none: a network namespace of its own, no sandbox endpoint in inspect" {
    run_d --name nonet --network none -- sleep 3600
    local pid
    pid=$(ctr_pid nonet)
    [ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
        fail "the container is in the host's network namespace"
    assert_eq "$(ctr_get nonet 'sorted(k for k, v in d["NetworkSettings"]["Networks"].items() if v.get("IPAddress"))')" "[]" \
        "networks with an address"
    assert_eq "$(ctr_get nonet 'd["HostConfig"]["NetworkMode"]')" none "HostConfig.NetworkMode"
}

@test "--net is an alias of --network" {
    berth_ok run --net none -- ip -o link show
    assert_eq "$(link_list <<<"$output")" lo "links"
}

# ---- host -------------------------------------------------------------------

@test "--network host: the same interfaces and addresses as the host namespace" {
    add_veth hostprobe0
    ip addr add 10.150.0.1/24 dev hostprobe0
    snapshot_save
    local host_links host_addrs
    host_links=$(ip -o link show | link_list)
    host_addrs=$(ip -4 -o addr show | awk '{ print $2, $4 }' | sort)
    berth_ok run --network host -- ip -o link show
    assert_eq "$(link_list <<<"$output")" "$host_links" "links seen by the container"
    berth_ok run --network host -- ip -4 -o addr show
    assert_eq "$(awk '{ print $2, $4 }' <<<"$output" | sort)" "$host_addrs" "addresses seen by the container"
    berth_ok run --network host -- readlink /proc/self/ns/net
    assert_eq "$output" "$(readlink /proc/self/ns/net)" "network namespace"
    # no endpoint was made
    assert_unchanged
}

@test "--network host: the container can use the host's interfaces" {
    create_net --subnet 10.150.1.0/24 hnet
    run_d --name target --network hnet -- sleep 3600
    berth_ok run --network host -- ping -c1 -W2 "$(ctr_ip target hnet)"
}

@test "--network host: other namespaces are still the container's own; PID 1" {
    berth_ok run --network host -- sh -c 'echo $$; readlink /proc/self/ns/pid /proc/self/ns/mnt'
    assert_eq "${lines[0]}" 1 "PID"
    [ "${lines[1]}" != "$(readlink /proc/self/ns/pid)" ] || fail "shares the host's PID namespace"
    [ "${lines[2]}" != "$(readlink /proc/self/ns/mnt)" ] || fail "shares the host's mount namespace"
}

@test "--network host: no sandbox bind mount, no address taken" {
    run_d --name hosted --network host -- sleep 3600
    refute_sandbox "$cid"
    assert_eq "$(ctr_get hosted 'd["HostConfig"]["NetworkMode"]')" host "HostConfig.NetworkMode"
}

@test "--ip with --network host or none is refused" {
    snapshot_save
    run --separate-stderr berth run --network host --ip 10.150.2.5 -- true
    assert_eq "$status" 1 "exit status (host)"
    assert_match "$stderr" '^berth: error: ' "stderr (host)"
    run --separate-stderr berth run --network none --ip 10.150.2.5 -- true
    assert_eq "$status" 1 "exit status (none)"
    assert_match "$stderr" '^berth: error: ' "stderr (none)"
    assert_unchanged
    assert_eq "$(berth ps -aq)" "" "containers"
}

# ---- container:NAME|ID ------------------------------------------------------

@test "--network container:NAME: the same interfaces and addresses as NAME" {
    create_net --subnet 10.150.3.0/24 cnet
    local br
    br=$(bridge_of "$net_id")
    run_d --name base --network cnet --ip 10.150.3.10 -- sleep 3600
    local base_links base_addrs base_ns
    base_links=$(ctr_links base)
    base_addrs=$(berth exec base ip -4 -o addr show | awk '{ print $2, $4 }' | sort)
    base_ns=$(berth exec base readlink /proc/self/ns/net)
    assert_eq "$base_addrs" "eth0 10.150.3.10/24
lo 127.0.0.1/8" "addresses of base"
    local veths_before
    veths_before=$(veths_on "$br")

    berth_ok run --network container:base -- ip -o link show
    assert_eq "$(link_list <<<"$output")" "$base_links" "links of the joining container"
    berth_ok run --network container:base -- ip -4 -o addr show
    assert_eq "$(awk '{ print $2, $4 }' <<<"$output" | sort)" "$base_addrs" "addresses of the joining container"
    berth_ok run --network container:base -- readlink /proc/self/ns/net
    assert_eq "$output" "$base_ns" "network namespace"
    # no endpoint of its own
    assert_eq "$(veths_on "$br")" "$veths_before" "veths on the bridge"
}

@test "--network container:ID and container:<ID prefix>" {
    create_net --subnet 10.150.4.0/24 cnet2
    run_d --name base2 --network cnet2 --ip 10.150.4.10 -- sleep 3600
    local id=$cid
    berth_ok run --network "container:$id" -- ip -4 -o addr show dev eth0
    assert_contains "$output" " 10.150.4.10/24 " "eth0 via container:ID"
    berth_ok run --network "container:${id:0:12}" -- ip -4 -o addr show dev eth0
    assert_contains "$output" " 10.150.4.10/24 " "eth0 via container:<12 hex>"
}

@test "a joined container reaches others through the sandbox it shares" {
    create_net --subnet 10.150.5.0/24 cnet3
    run_d --name base3 --network cnet3 -- sleep 3600
    run_d --name peer3 --network cnet3 -- sleep 3600
    berth_ok run --network container:base3 -- ping -c1 -W2 "$(ctr_ip peer3 cnet3)"
    berth_ok exec peer3 ping -c1 -W2 "$(ctr_ip base3 cnet3)"
}

@test "the joining container's exit leaves the sandbox and its address alone" {
    create_net --subnet 10.150.6.0/24 cnet4
    run_d --name base4 --network cnet4 --ip 10.150.6.10 -- sleep 3600
    local veth
    veth=$(host_veth base4)
    run_d --name joiner --network container:base4 -- sleep 3600
    berth_ok exec joiner ip -4 -o addr show dev eth0
    assert_contains "$output" " 10.150.6.10/24 " "eth0 seen by joiner"
    berth_ok rm -f joiner
    assert_link "$veth"
    assert_sandbox base4
    berth_ok exec base4 ip -4 -o addr show dev eth0
    assert_contains "$output" " 10.150.6.10/24 " "eth0 of base4 after joiner is gone"
    ping -c1 -W2 10.150.6.10 || fail "base4 no longer answers"
    # and the joiner never took an address: the next container gets .2 or
    # another free one, and 10.150.6.10 is still base4's
    run --separate-stderr berth run -d --network cnet4 --ip 10.150.6.10 -- true
    assert_eq "$status" 1 "exit status of a run with base4's address"
    assert_contains "$stderr" "address 10.150.6.10 is already in use on network cnet4" "stderr"
}

@test "container: of a missing or stopped container is refused" {
    snapshot_save
    berth_fails 1 "No such container: nosuch" run --network container:nosuch -- true
    run_d --name stopped5 --network none -- true
    wait_until 10 ctr_is_exited stopped5
    run --separate-stderr berth run --network container:stopped5 -- true
    assert_eq "$status" 1 "exit status"
    assert_match "$stderr" '^berth: error: ' "stderr"
    assert_unchanged
    assert_eq "$(berth ps -q)" "" "running containers"
}
