#!/usr/bin/env bats
#
# Firewall (issue 5), outbound: a container reaches the outside through the
# host's uplink with its source masqueraded to the host's uplink address;
# traffic between containers of one bridge keeps its addresses; a network
# with enable_ip_masquerade=false is not masqueraded at all.  berth turns on
# IPv4 forwarding with the first bridge network and says so once.  Table
# inet berth has the sets, maps and chains of docs/firewall.md, and a
# network's elements go with it.
#
# Test bed (fw_helpers.bash): host uplink 10.250.0.1 <-> outside 10.250.0.2.
# Subnets: 10.180.0.0/16.

# bats and helpers set status, output, stderr, lines, cid, net_id
# shellcheck disable=SC2154

load helpers
load fw_helpers

setup_file() {
    # A new namespace may inherit forwarding from the machine: start from off,
    # before any berth command.
    sysctl -qw net.ipv4.ip_forward=0
}

setup() {
    fw_setup
}

teardown() {
    fw_teardown
}

FWD_WARNING="berth: warning: enabled IPv4 forwarding (net.ipv4.ip_forward=1) for bridge networks"

# ---- forwarding -------------------------------------------------------------

# Must stay the first test of the file: its first berth command is the first
# one of the namespace (setup_file and setup run none).
@test "the first berth command turns on IPv4 forwarding and warns once" {
    packet_path_free
    [ ! -e "$BERTH_ROOT/berth.db" ] ||
        fail "a berth command ran before this test: it must be the first of the file"
    assert_eq "$(sysctl -n net.ipv4.ip_forward)" 0 "net.ipv4.ip_forward before"
    berth_ok network ls
    assert_eq "$stderr" "$FWD_WARNING" "stderr of the first berth command"
    assert_eq "$(sysctl -n net.ipv4.ip_forward)" 1 "net.ipv4.ip_forward after"
    fw_table_exists || fail "no table inet berth after the first berth command"
    # not again
    berth_ok network create --subnet 10.180.0.0/24 fwdnet
    assert_eq "$stderr" "" "stderr of network create"
    berth_ok run --rm --network fwdnet -- true
    assert_eq "$stderr" "" "stderr of run"
    berth_ok ps
    assert_eq "$stderr" "" "stderr of ps"
    assert_eq "$(sysctl -n net.ipv4.ip_forward)" 1 "net.ipv4.ip_forward at the end"
}

# ---- the table --------------------------------------------------------------

# FW_LAYOUT: the sets, maps and chains of the JSON of table inet berth (stdin),
# one line each, sorted.
FW_LAYOUT='
import json, sys
def t(x):
    return " . ".join(x) if isinstance(x, list) else x
out = []
for o in json.load(sys.stdin)["nftables"]:
    if "set" in o:
        s = o["set"]
        out.append("set %s: %s%s" % (s["name"], t(s["type"]), " (interval)" if "interval" in s.get("flags", []) else ""))
    elif "map" in o:
        m = o["map"]
        out.append("map %s: %s : %s%s" % (m["name"], t(m["type"]), t(m["map"]), " (interval)" if "interval" in m.get("flags", []) else ""))
    elif "chain" in o:
        c = o["chain"]
        hook = " %s %s %s" % (c["type"], c["hook"], c["prio"]) if "hook" in c else ""
        out.append("chain %s%s" % (c["name"], hook))
print("\n".join(sorted(out)))
'

@test "table inet berth: the sets, maps and chains of docs/firewall.md, berth0 in them" {
    packet_path_free
    berth_ok network ls
    local json
    json=$(fw_json) || fail "no table inet berth"
    assert_eq "$(python3 -c "$FW_LAYOUT" <<<"$json")" "chain berth-user
chain forward filter forward 0
chain guard filter prerouting -300
chain output nat output -100
chain postrouting nat postrouting 100
chain prerouting nat prerouting -100
chain publish4
chain publish6
map ports4_addr: ipv4_addr . inet_proto . inet_service : ipv4_addr
map ports4_addr_port: ipv4_addr . inet_proto . inet_service : inet_service
map ports4_any: inet_proto . inet_service : ipv4_addr
map ports4_any_port: inet_proto . inet_service : inet_service
map ports6_addr: ipv6_addr . inet_proto . inet_service : ipv6_addr
map ports6_addr_port: ipv6_addr . inet_proto . inet_service : inet_service
map ports6_any: inet_proto . inet_service : ipv6_addr
map ports6_any_port: inet_proto . inet_service : inet_service
set bridge_pairs: ifname . ifname
set bridges: ifname
set direct6: ifname
set direct: ifname
set internal: ifname
set masq4: ipv4_addr (interval)
set masq6: ipv6_addr (interval)
set subnets4: ipv4_addr . ifname (interval)
set subnets6: ipv6_addr . ifname (interval)" "sets, maps and chains of table inet berth"
    assert_elem bridges berth0
    assert_elem bridge_pairs "berth0 . berth0"
    refute_elem internal berth0
    local gw
    gw=$(net_gateway bridge)
    masq4_covers "$gw" || fail "masq4 does not cover the subnet of berth0 ($(net_subnet bridge))"
}

@test "a network's bridge and subnet are in the sets while it exists, and only then" {
    packet_path_free
    create_net --subnet 10.180.6.0/24 gone
    local br br2
    br=$(bridge_of "$net_id")
    create_net --subnet 10.180.8.0/24 stays
    br2=$(bridge_of "$net_id")
    assert_elem bridges "$br"
    assert_elem bridge_pairs "$br . $br"
    masq4_covers 10.180.6.7 || fail "masq4 does not cover 10.180.6.0/24"
    refute_elem internal "$br"
    berth_ok network rm gone
    refute_elem bridges "$br"
    refute_elem bridge_pairs "$br . $br"
    ! masq4_covers 10.180.6.7 || fail "masq4 still covers 10.180.6.0/24 after network rm"
    # the other network's are untouched
    assert_elem bridges "$br2"
    assert_elem bridge_pairs "$br2 . $br2"
    masq4_covers 10.180.8.7 || fail "masq4 no longer covers 10.180.8.0/24"
    assert_elem bridges berth0
}

# ---- masquerade -------------------------------------------------------------

@test "a container reaches the outside masqueraded to the host's uplink address (tcp, udp, ping)" {
    create_net --subnet 10.180.1.0/24 masqnet
    outside_server tcp:7001 udp:7001
    # a route back, so that without masquerade the outside would answer the
    # container's own address (and the check below tell it)
    outside_route 10.180.1.0/24
    run_d --name out1 --network masqnet -- sleep 3600
    assert_peer "tcp from out1" "$HOST_IP" peer_from_ctr out1 tcp "$OUT_IP" 7001
    assert_peer "udp from out1" "$HOST_IP" peer_from_ctr out1 udp "$OUT_IP" 7001
    ctr_ping out1 "$OUT_IP" || fail "out1 cannot ping the outside"
}

@test "a container on the predefined bridge network is masqueraded too" {
    outside_server tcp:7002 udp:7002
    outside_route "$(net_subnet bridge)"
    run_d --name out2 -- sleep 3600
    assert_peer "tcp from out2" "$HOST_IP" peer_from_ctr out2 tcp "$OUT_IP" 7002
    assert_peer "udp from out2" "$HOST_IP" peer_from_ctr out2 udp "$OUT_IP" 7002
}

@test "containers on one bridge see each other's own address (no masquerade on the bridge)" {
    create_net --subnet 10.180.2.0/24 flat
    ctr_server srv1 --network flat -- tcp:80 udp:80
    run_d --name cli1 --network flat -- sleep 3600
    local srv_ip cli_ip
    srv_ip=$(ctr_ip srv1 flat)
    cli_ip=$(ctr_ip cli1 flat)
    assert_peer "tcp cli1 -> srv1" "$cli_ip" peer_from_ctr cli1 tcp "$srv_ip" 80
    assert_peer "udp cli1 -> srv1" "$cli_ip" peer_from_ctr cli1 udp "$srv_ip" 80
    # the host comes from its address on that bridge
    assert_peer "tcp host -> srv1" 10.180.2.1 peer_from_host tcp "$srv_ip" 80
}

@test "enable_ip_masquerade=false: the outside sees the container's own address" {
    create_net --subnet 10.180.3.0/24 -o com.docker.network.bridge.enable_ip_masquerade=false nomasq
    assert_eq "$(net_get nomasq 'd["Options"].get("com.docker.network.bridge.enable_ip_masquerade")')" false \
        "Options of nomasq"
    create_net --subnet 10.180.5.0/24 withmasq
    ! masq4_covers 10.180.3.9 || fail "masq4 covers 10.180.3.0/24 (enable_ip_masquerade=false)"
    masq4_covers 10.180.5.9 || fail "masq4 does not cover 10.180.5.0/24"
    outside_server tcp:7003 udp:7003
    outside_route 10.180.0.0/16
    run_d --name nm1 --network nomasq -- sleep 3600
    run_d --name wm1 --network withmasq -- sleep 3600
    local ip
    ip=$(ctr_ip nm1 nomasq)
    assert_peer "tcp from nm1" "$ip" peer_from_ctr nm1 tcp "$OUT_IP" 7003
    assert_peer "udp from nm1" "$ip" peer_from_ctr nm1 udp "$OUT_IP" 7003
    # the same outside, the same route back: the other network is masqueraded
    assert_peer "tcp from wm1" "$HOST_IP" peer_from_ctr wm1 tcp "$OUT_IP" 7003
}

@test "enable_ip_masquerade: a value that is not a boolean is refused" {
    packet_path_free
    snapshot_save
    run --separate-stderr berth network create --subnet 10.180.4.0/24 \
        -o com.docker.network.bridge.enable_ip_masquerade=maybe badmasq
    assert_eq "$status" 1 "exit status"
    assert_match "$stderr" '^berth: error: .*enable_ip_masquerade' "stderr"
    refute_contains "$stderr" "unknown option" "stderr (the option is known)"
    assert_unchanged
}
