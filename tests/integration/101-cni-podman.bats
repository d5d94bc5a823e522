#!/usr/bin/env bats
#
# Podman 4.3 with its CNI backend runs containers on berth's networks
# (issue 15): the real client execs berth's plugin, as it would on a user's
# machine.  A network of a CNI configuration is berth's network (label
# berth.cni=1, in berth network inspect with its containers); a Podman
# container and a `berth run` container on it reach each other and find
# each other's names; --ip, --mac-address, --network-alias and -p 8080:80
# do what they do on Podman's own networks; network connect/disconnect add
# and take eth1; stop, restart and rm (whose DEL comes from `podman
# container cleanup`, which conmon starts without the caller's environment)
# give the address and the ports back; an ADD berth refuses fails `podman
# run` with berth's message and leaves nothing.
#
# Test bed (cni_helpers.bash): the clients' state hidden from the host,
# berth's plugin in $CNI_PLUGINS, networks pnet 10.77.1.0/24 and pnet2
# 10.77.2.0/24 in Podman's configuration directory; fw_helpers' outside
# machine 10.250.0.2 behind the host's uplink 10.250.0.1.

# bats and helpers set status, output, stderr, lines, cid
# shellcheck disable=SC2154

load helpers
load fw_helpers
load cni_helpers

setup_file() {
    cni_setup_file
    pod_setup
    cni_conflist pnet 10.77.1.0/24 10.77.1.1 >"$CNI_DIR/net.d/pnet.conflist"
    cni_conflist pnet2 10.77.2.0/24 10.77.2.1 >"$CNI_DIR/net.d/pnet2.conflist"
}

teardown_file() {
    cni_teardown_file
}

setup() {
    : >"$BATS_TEST_TMPDIR/fw-bg.pids"
}

teardown() {
    fw_bg_kill
    pod rm -af -t 0 >/dev/null 2>&1 || true
    containers_rm_all
}

# pod_short_id NAME: the 12-hex short ID Podman gives NAME as an alias.
pod_short_id() { pod inspect -f '{{.Id}}' "$1" | cut -c1-12; }

@test "podman run --network pnet: an address of the configuration's subnet, the default route via its gateway, and the network is berth's" {
    pod_httpd web --network pnet
    local addr mac
    addr=$(pod_addr web)
    assert_match "$addr" '^10\.77\.1\.[0-9]+/24$' "eth0's address in the Podman container"
    mac=$(pod_mac web)
    assert_contains "$(pod exec web ip route)" "default via 10.77.1.1 dev eth0" "the container's routes"

    berth_ok network ls
    assert_eq "$(awk '$2 == "pnet" { print $3 }' <<<"$output")" bridge "pnet's DRIVER in berth network ls"
    assert_eq "$(net_get pnet '[d["Labels"].get("berth.cni"), d["IPAM"]["Config"][0]["Subnet"], d["IPAM"]["Config"][0]["Gateway"]]')" \
        '["1", "10.77.1.0/24", "10.77.1.1"]' "label, subnet and gateway of berth network inspect pnet"
    assert_eq "$(net_endpoints pnet)" "web $addr $mac" "the Containers of pnet (Name is Podman's container name)"
    assert_eq "$(veths_on "$(net_bridge pnet)" | wc -l)" 1 "links on pnet's bridge"
}

@test "two Podman containers on pnet ping each other" {
    pod_run_d p1 --network pnet -- sleep 3600
    pod_run_d p2 --network pnet -- sleep 3600
    local ip1 ip2
    ip1=$(pod_addr p1)
    ip2=$(pod_addr p2)
    [ "$ip1" != "$ip2" ] || fail "p1 and p2 both have $ip1" || return 1
    run pod exec p1 ping -c1 -W2 "${ip2%/*}"
    assert_eq "$status" 0 "p1 pinging p2 (${ip2%/*}): $output"
    run pod exec p2 ping -c1 -W2 "${ip1%/*}"
    assert_eq "$status" 0 "p2 pinging p1 (${ip1%/*}): $output"
}

@test "a Podman container and a berth run container on pnet reach each other, each seeing the other's own address" {
    pod_httpd web --network pnet
    ctr_server cli --network pnet -- tcp:7000
    local web_ip cli_ip
    web_ip=$(pod_addr web)
    web_ip=${web_ip%/*}
    cli_ip=$(ctr_ip cli pnet)
    assert_eq "$(endpoint_of pnet cli | cut -d' ' -f1)" "$cli_ip/24" "cli in the Containers of pnet"

    run pod exec web nc -w 3 "$cli_ip" 7000
    assert_eq "$output" "$web_ip" "the address the berth container saw the Podman container connect from"
    wait_until 5 answered_peer "$cli_ip" peer_http berth exec cli -- "$web_ip" 80 ||
        fail "the berth container got no answer from the Podman container's server: $(peer_http berth exec cli -- "$web_ip" 80 2>&1)"
}

@test "--ip, --mac-address and --network-alias: berth gives that address and MAC, and its resolver answers the alias, the name and the short ID" {
    pod_run_d fixed --network pnet --ip 10.77.1.50 --mac-address 02:00:00:00:01:50 --network-alias db -- sleep 3600
    assert_eq "$(pod_addr fixed)" 10.77.1.50/24 "eth0's address"
    assert_eq "$(pod_mac fixed)" 02:00:00:00:01:50 "eth0's MAC address"
    assert_eq "$(endpoint_of pnet fixed)" "10.77.1.50/24 02:00:00:00:01:50" "fixed in the Containers of pnet"

    run_d --name cli --network pnet -- sleep 3600
    local n short
    short=$(pod_short_id fixed)
    for n in db fixed "$short"; do
        run berth exec cli dig +short +tries=1 +time=3 "$n"
        assert_eq "$output" 10.77.1.50 "the answer to $n asked in a berth container" || return 1
    done
}

@test "the Podman container finds a berth run container by its name" {
    pod_run_d web --network pnet -- sleep 3600
    run_d --name cli --network pnet -- sleep 3600
    local cli_ip
    cli_ip=$(ctr_ip cli pnet)
    run pod exec web nslookup cli
    assert_eq "$status" 0 "nslookup cli in the Podman container (resolv.conf: $(pod exec web cat /etc/resolv.conf | paste -sd'|' -)): $output"
    assert_contains "$output" "Address: $cli_ip" "nslookup cli in the Podman container"
}

@test "-p 8080:80: the outside reaches the container through the host's address, seen as itself; one element in berth's port map, no rule per port; rm takes it out" {
    pod_run_d plain --network pnet -- sleep 3600
    local rules ip
    rules=$(fw_rule_count)
    pod_httpd pub --network pnet -p 8080:80
    ip=$(pod_addr pub)
    ip=${ip%/*}
    assert_elem ports4_any "tcp . 8080 : $ip . 80"
    assert_eq "$(fw_rule_count)" "$rules" "rules in table inet berth after publishing a port"

    wait_until 5 answered_peer "$OUT_IP" peer_http ip netns exec "$OUT_NS" -- "$HOST_IP" 8080 ||
        fail "the outside did not reach $HOST_IP:8080 (or was seen as another address): $(peer_http ip netns exec "$OUT_NS" -- "$HOST_IP" 8080 2>&1)" ||
        return 1
    run peer_http -- "$HOST_IP" 8080
    assert_eq "$status" 0 "the host connecting to its own address $HOST_IP:8080: $output"

    pod_ok rm -f -t 0 pub
    refute_elem ports4_any "tcp . 8080 : $ip . 80"
    run peer_http ip netns exec "$OUT_NS" -- "$HOST_IP" 8080
    [ "$status" -ne 0 ] || fail "the outside still reaches $HOST_IP:8080 after podman rm: $output"
}

@test "podman network connect and disconnect: eth1 on pnet2, in both networks' Containers, taken out of pnet2 only" {
    pod_run_d multi --network pnet -- sleep 3600
    local e0 e1
    e0=$(endpoint_of pnet multi)
    pod_ok network connect pnet2 multi
    e1=$(pod_addr multi eth1)
    assert_match "$e1" '^10\.77\.2\.[0-9]+/24$' "eth1's address"
    assert_eq "$(endpoint_of pnet2 multi | cut -d' ' -f1)" "$e1" "multi in the Containers of pnet2"
    assert_eq "$(endpoint_of pnet multi)" "$e0" "multi in the Containers of pnet"

    pod_ok network disconnect pnet2 multi
    run pod exec multi ip link show eth1
    [ "$status" -ne 0 ] || fail "eth1 is still in the container after podman network disconnect" "$output" || return 1
    wait_until 5 no_endpoint pnet2 multi || fail "multi is still in the Containers of pnet2: $(net_endpoints pnet2)" || return 1
    assert_eq "$(endpoint_of pnet multi)" "$e0" "multi in the Containers of pnet"
    assert_address_free pnet2 "${e1%/*}"
}

@test "stop, start, restart, rm: the DEL of podman container cleanup (no caller environment) gives the address back; start and restart attach again" {
    local bridge links
    pod_run_d life --network pnet --ip 10.77.1.60 -- sleep 3600
    bridge=$(net_bridge pnet)
    links=$(veths_on "$bridge" | wc -l)
    assert_eq "$(endpoint_of pnet life | cut -d' ' -f1)" 10.77.1.60/24 "life in the Containers of pnet"

    hold_netns "$(pod_netns life)"
    pod_ok stop -t 0 life
    wait_until 10 no_endpoint pnet life || fail "life is still in the Containers of pnet after podman stop" || return 1
    wait_until 10 links_on_are "$bridge" $((links - 1)) ||
        fail "links on $bridge after stop: $(veths_on "$bridge" | paste -sd' ' -)" || return 1
    assert_address_free pnet 10.77.1.60

    pod_ok start life
    assert_eq "$(pod_addr life)" 10.77.1.60/24 "eth0's address after podman start"
    assert_eq "$(endpoint_of pnet life | cut -d' ' -f1)" 10.77.1.60/24 "life in the Containers of pnet after start"

    pod_ok restart -t 0 life
    assert_eq "$(pod_addr life)" 10.77.1.60/24 "eth0's address after podman restart"
    assert_eq "$(net_endpoints pnet | awk '$1 == "life"' | wc -l)" 1 "life's entries in the Containers of pnet after restart"
    assert_eq "$(veths_on "$bridge" | wc -l)" "$links" "links on $bridge after restart"

    hold_netns "$(pod_netns life)"
    pod_ok rm -f -t 0 life
    wait_until 10 no_endpoint pnet life || fail "life is still in the Containers of pnet after podman rm" || return 1
    assert_address_free pnet 10.77.1.60
}

@test "podman run --rm: the address is berth's while it runs and free once it has gone" {
    run --separate-stderr pod run --rm --network pnet --cgroup-parent "/$CNI_TAG" --rootfs "$ROOTFS" ip -4 -o addr show dev eth0
    assert_eq "$status" 0 "podman run --rm (stderr: $stderr)"
    local addr
    addr=$(awk '{ print $4 }' <<<"$output")
    assert_match "$addr" '^10\.77\.1\.[0-9]+/24$' "eth0's address"
    wait_until 10 no_endpoint_with pnet "$addr" ||
        fail "$addr is still in the Containers of pnet: $(net_endpoints pnet)" || return 1
    assert_address_free pnet "${addr%/*}"
}

@test "an ADD berth refuses (--ip outside the subnet, --ip taken) fails podman run with berth's message and leaves nothing behind" {
    pod_run_d holder --network pnet --ip 10.77.1.70 -- sleep 3600
    local bridge before
    bridge=$(net_bridge pnet)
    before=$(net_endpoints pnet; veths_on "$bridge")
    snapshot_save

    run --separate-stderr pod run --rm --network pnet --ip 10.99.0.5 --cgroup-parent "/$CNI_TAG" --rootfs "$ROOTFS" true
    [ "$status" -ne 0 ] || fail "podman run --ip 10.99.0.5 succeeded" || return 1
    assert_contains "$stderr" 'plugin type="berth" failed (add)' "podman's error for --ip 10.99.0.5"
    assert_contains "$stderr" 10.99.0.5 "podman's error for --ip 10.99.0.5"

    run --separate-stderr pod run --rm --network pnet --ip 10.77.1.70 --cgroup-parent "/$CNI_TAG" --rootfs "$ROOTFS" true
    [ "$status" -ne 0 ] || fail "podman run --ip 10.77.1.70 (taken) succeeded" || return 1
    assert_contains "$stderr" 'plugin type="berth" failed (add)' "podman's error for --ip 10.77.1.70"
    assert_contains "$stderr" 10.77.1.70 "podman's error for --ip 10.77.1.70"

    assert_eq "$(net_endpoints pnet; veths_on "$bridge")" "$before" "pnet's Containers and the links on its bridge"
    links_settle
    assert_eq "$(pod ps -aq | wc -l)" 1 "Podman's containers"
}
