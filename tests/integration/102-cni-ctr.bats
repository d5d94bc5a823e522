#!/usr/bin/env bats
#
# containerd 1.6's `ctr run --cni` runs containers on a berth network
# (issue 15), the real client exec'ing berth's plugin from /opt/cni/bin with
# the configuration in /etc/cni/net.d.  ctr sends ADD and DEL only: no
# VERSION, no runtimeConfig, a DEL with an empty CNI_NETNS (the task has
# gone), and no DEL at all for `ctr run -d`, whose attachment `berth system
# reconcile` releases once the namespace is gone.  A ctr container and a
# `berth run` container on the network reach each other.
#
# Test bed (cni_helpers.bash): the clients' state hidden from the host,
# containerd with its state in $CNI_DIR/ctrd, network cnet 10.77.3.0/24.

# bats and helpers set status, output, stderr, lines, cid
# shellcheck disable=SC2154

load helpers
load fw_helpers
load cni_helpers

setup_file() {
    cni_setup_file
    ctrd_setup "$(cni_conflist cnet 10.77.3.0/24 10.77.3.1)"
}

teardown_file() {
    cni_teardown_file
}

setup() {
    : >"$BATS_TEST_TMPDIR/fw-bg.pids"
}

teardown() {
    fw_bg_kill
    ctrd_rm_all
    containers_rm_all
}

# ctr_kill NAME: SIGKILL task NAME and wait for it to stop.
ctr_kill() {
    ctrc_ok task kill -s KILL "$1" || return 1
    wait_until 10 ctr_task_ended "$1"
}

@test "ctr run --rm --cni: berth's address on eth0 while it runs, the container in berth network inspect; the DEL with an empty CNI_NETNS gives it back, the namespace still alive" {
    ctr_bg t1 sleep 3600
    local addr bridge
    addr=$(ctr_addr t1)
    assert_match "$addr" '^10\.77\.3\.[0-9]+/24$' "eth0's address in the ctr container"
    assert_eq "$(net_get cnet '[d["Labels"].get("berth.cni"), d["IPAM"]["Config"][0]["Subnet"]]')" \
        '["1", "10.77.3.0/24"]' "label and subnet of berth network inspect cnet"
    assert_eq "$(net_endpoints cnet | wc -l)" 1 "entries in the Containers of cnet: $(net_endpoints cnet)"
    [ -n "$(endpoint_with cnet "$addr")" ] || fail "no container with $addr in cnet: $(net_endpoints cnet)" || return 1
    bridge=$(net_bridge cnet)
    assert_eq "$(veths_on "$bridge" | wc -l)" 1 "links on cnet's bridge"

    hold_netns "/proc/$(ctr_task_field t1 PID)/ns/net"
    ctr_kill t1
    wait_until 10 ctr_bg_done t1 || fail "ctr run --rm did not end: $(cat "$CNI_DIR/ctr-t1.log")" || return 1
    assert_eq "$(cat "$CNI_DIR/ctr-t1.rc")" 137 "the exit status of ctr run --rm (the task's SIGKILL): $(cat "$CNI_DIR/ctr-t1.log")"
    refute_contains "$(cat "$CNI_DIR/ctr-t1.log")" "level=error" "what ctr run --rm wrote"
    assert_eq "$(net_endpoints cnet)" "" "the Containers of cnet after the DEL"
    wait_until 10 links_on_are "$bridge" 0 || fail "links left on $bridge: $(veths_on "$bridge")" || return 1
    assert_address_free cnet "${addr%/*}"
}

@test "a ctr container and a berth run container on cnet reach each other, each seeing the other's own address" {
    ctr_bg web httpd -f -p 80 -h /www
    ctr_server cli --network cnet -- tcp:7000
    local web_ip cli_ip
    web_ip=$(ctr_addr web)
    web_ip=${web_ip%/*}
    cli_ip=$(ctr_ip cli cnet)

    run ctrc task exec --exec-id nc1 web nc -w 3 "$cli_ip" 7000
    assert_eq "$output" "$web_ip" "the address the berth container saw the ctr container connect from"
    wait_until 5 answered_peer "$cli_ip" peer_http berth exec cli -- "$web_ip" 80 ||
        fail "the berth container got no answer from the ctr container's server: $(peer_http berth exec cli -- "$web_ip" 80 2>&1)"
}

@test "ctr run -d never sends DEL: once its task is killed and removed, berth releases the endpoint, its link and its address (berth system reconcile at the latest)" {
    ctrc_ok run -d --cni --env PATH=/bin --rootfs "$ROOTFS" t3 sleep 3600
    wait_until 10 ctr_task_running t3 || fail "the task of t3 does not run" || return 1
    local addr bridge
    addr=$(ctr_addr t3)
    assert_match "$addr" '^10\.77\.3\.[0-9]+/24$' "eth0's address in the ctr container"
    [ -n "$(endpoint_with cnet "$addr")" ] || fail "no container with $addr in cnet: $(net_endpoints cnet)" || return 1
    bridge=$(net_bridge cnet)

    ctr_kill t3
    ctrc_ok task rm t3
    ctrc_ok container rm t3
    berth_ok system reconcile
    assert_eq "$(net_endpoints cnet)" "" "the Containers of cnet after berth system reconcile"
    wait_until 10 links_on_are "$bridge" 0 || fail "links left on $bridge: $(veths_on "$bridge")" || return 1
    assert_address_free cnet "${addr%/*}"
}
