#!/usr/bin/env bats
#
# Firewall (issue 5), isolation: containers on two bridge networks cannot
# reach each other (either way, ping or tcp), while the host and the outside
# reach both, and a container connected to both reaches both.  An --internal
# network is cut off from the outside both ways, not from its own containers
# nor from the host.  enable_icc=false cuts containers of one network off
# from each other, not from the gateway nor the outside.
#
# Test bed (fw_helpers.bash): host uplink 10.250.0.1 <-> outside 10.250.0.2.
# Subnets: 10.182.0.0/16, 10.183.0.0/16.

# bats and helpers set status, output, stderr, lines, cid, net_id
# shellcheck disable=SC2154

load helpers
load fw_helpers

setup() {
    fw_setup
}

teardown() {
    fw_teardown
}

# ---- two networks -----------------------------------------------------------

@test "containers on two bridge networks cannot reach each other (ping, tcp, udp; both ways)" {
    create_net --subnet 10.182.0.0/24 left
    create_net --subnet 10.182.1.0/24 right
    ctr_server l1 --network left -- tcp:80 udp:80
    ctr_server r1 --network right -- tcp:80 udp:80
    run_d --name l2 --network left -- sleep 3600
    local ip_l1 ip_r1 ip_l2
    ip_l1=$(ctr_ip l1 left)
    ip_r1=$(ctr_ip r1 right)
    ip_l2=$(ctr_ip l2 left)
    # on one network they do, and the host forwards what leaves for the
    # outside (so the checks below can fail)
    assert_peer "tcp l2 -> l1" "$ip_l2" peer_from_ctr l2 tcp "$ip_l1" 80
    ctr_ping l2 "$ip_l1" || fail "l2 cannot ping l1"
    outside_server tcp:7009
    assert_peer "tcp l1 -> outside" "$HOST_IP" peer_from_ctr l1 tcp "$OUT_IP" 7009
    assert_peer "tcp r1 -> outside" "$HOST_IP" peer_from_ctr r1 tcp "$OUT_IP" 7009
    refute_reach "tcp l1 -> r1" peer_from_ctr l1 tcp "$ip_r1" 80
    refute_reach "tcp r1 -> l1" peer_from_ctr r1 tcp "$ip_l1" 80
    refute_reach "udp l1 -> r1" peer_from_ctr l1 udp "$ip_r1" 80
    refute_reach "udp r1 -> l1" peer_from_ctr r1 udp "$ip_l1" 80
    refute_reach "tcp l2 -> r1" peer_from_ctr l2 tcp "$ip_r1" 80
    ! ctr_ping l1 "$ip_r1" || fail "l1 pings r1"
    ! ctr_ping r1 "$ip_l1" || fail "r1 pings l1"
}

@test "containers on the predefined bridge network and on a user network cannot reach each other" {
    create_net --subnet 10.182.2.0/24 user1
    ctr_server u1 --network user1 -- tcp:80
    ctr_server d1 -- tcp:80
    outside_server tcp:7008
    assert_peer "tcp d1 -> outside" "$HOST_IP" peer_from_ctr d1 tcp "$OUT_IP" 7008
    assert_peer "tcp u1 -> outside" "$HOST_IP" peer_from_ctr u1 tcp "$OUT_IP" 7008
    refute_reach "tcp d1 -> u1" peer_from_ctr d1 tcp "$(ctr_ip u1 user1)" 80
    refute_reach "tcp u1 -> d1" peer_from_ctr u1 tcp "$(ctr_ip d1 bridge)" 80
}

@test "the host reaches containers of both networks; the outside, with a route via the host, reaches no unpublished port" {
    create_net --subnet 10.182.3.0/24 left
    create_net --subnet 10.182.4.0/24 right
    ctr_server l1 --network left -- tcp:80 udp:80
    ctr_server r1 --network right -p 8082:80 -- tcp:80 udp:80
    local ip_l1 ip_r1
    ip_l1=$(ctr_ip l1 left)
    ip_r1=$(ctr_ip r1 right)
    assert_peer "tcp host -> l1" 10.182.3.1 peer_from_host tcp "$ip_l1" 80
    assert_peer "tcp host -> r1" 10.182.4.1 peer_from_host tcp "$ip_r1" 80
    ping -c1 -W2 "$ip_l1" >/dev/null || fail "the host cannot ping l1"
    ping -c1 -W2 "$ip_r1" >/dev/null || fail "the host cannot ping r1"
    # Docker 28: a neighbour routing the subnets via the host reaches
    # published ports only, and only through the host's address
    outside_route 10.182.0.0/16
    refute_reach "tcp outside -> l1 (unpublished)" peer_from_outside tcp "$ip_l1" 80
    refute_reach "udp outside -> l1 (unpublished)" peer_from_outside udp "$ip_l1" 80
    refute_reach "tcp outside -> r1:80 directly (published as 8082)" peer_from_outside tcp "$ip_r1" 80
    ! in_outside ping -c1 -W1 "$ip_r1" >/dev/null || fail "the outside pings r1"
    assert_peer "tcp outside -> the host's 8082 -> r1" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8082
    # the containers' own connections still get their replies
    outside_server tcp:7010 udp:7010
    assert_peer "tcp l1 -> outside" "$HOST_IP" peer_from_ctr l1 tcp "$OUT_IP" 7010
    assert_peer "udp l1 -> outside" "$HOST_IP" peer_from_ctr l1 udp "$OUT_IP" 7010
}

@test "gateway_mode_ipv4=routed: the outside reaches every port directly, the containers leave unmasqueraded" {
    create_net --subnet 10.182.5.0/24 -o com.docker.network.bridge.gateway_mode_ipv4=routed routed
    assert_eq "$(net_get routed 'd["Options"]["com.docker.network.bridge.gateway_mode_ipv4"]')" routed "Options of routed"
    ctr_server ro1 --network routed -- tcp:80 udp:80
    local ip
    ip=$(ctr_ip ro1 routed)
    assert_elem direct "$(bridge_of "$net_id")"
    ! masq4_covers 10.182.5.9 || fail "masq4 covers 10.182.5.0/24 (routed)"
    outside_route 10.182.0.0/16
    assert_peer "tcp outside -> ro1" "$OUT_IP" peer_from_outside tcp "$ip" 80
    assert_peer "udp outside -> ro1" "$OUT_IP" peer_from_outside udp "$ip" 80
    in_outside ping -c1 -W2 "$ip" >/dev/null || fail "the outside cannot ping ro1"
    outside_server tcp:7011
    assert_peer "tcp ro1 -> outside" "$ip" peer_from_ctr ro1 tcp "$OUT_IP" 7011
    berth_ok rm -f ro1
    berth_ok network rm routed
    refute_elem direct "$(bridge_of "$net_id")"
}

@test "gateway_mode_ipv4=nat-unprotected: reached directly, still masqueraded; a bad mode is refused" {
    create_net --subnet 10.182.6.0/24 -o com.docker.network.bridge.gateway_mode_ipv4=nat-unprotected open
    ctr_server op1 --network open -- tcp:80
    outside_route 10.182.0.0/16
    assert_peer "tcp outside -> op1" "$OUT_IP" peer_from_outside tcp "$(ctr_ip op1 open)" 80
    masq4_covers 10.182.6.9 || fail "masq4 does not cover 10.182.6.0/24 (nat-unprotected)"
    snapshot_save
    berth_fails 1 'invalid value "open" for option com.docker.network.bridge.gateway_mode_ipv4: must be nat, nat-unprotected or routed' \
        network create -o com.docker.network.bridge.gateway_mode_ipv4=open bad
    assert_unchanged
}

@test "a container connected to both networks reaches both, and both reach it" {
    create_net --subnet 10.182.5.0/24 left
    create_net --subnet 10.182.6.0/24 right
    ctr_server l1 --network left -- tcp:80
    ctr_server r1 --network right -- tcp:80
    ctr_server both --network left -- tcp:80
    berth_ok network connect right both
    local ip_l1 ip_r1 both_l both_r
    ip_l1=$(ctr_ip l1 left)
    ip_r1=$(ctr_ip r1 right)
    both_l=$(ctr_ip both left)
    both_r=$(ctr_ip both right)
    assert_peer "tcp both -> l1" "$both_l" peer_from_ctr both tcp "$ip_l1" 80
    assert_peer "tcp both -> r1" "$both_r" peer_from_ctr both tcp "$ip_r1" 80
    assert_peer "tcp l1 -> both" "$ip_l1" peer_from_ctr l1 tcp "$both_l" 80
    assert_peer "tcp r1 -> both" "$ip_r1" peer_from_ctr r1 tcp "$both_r" 80
    ctr_ping both "$ip_r1" || fail "both cannot ping r1"
    # not a way across: l1 still cannot reach r1, nor r1 both's address on left
    refute_reach "tcp l1 -> r1" peer_from_ctr l1 tcp "$ip_r1" 80
    refute_reach "tcp r1 -> both (left address)" peer_from_ctr r1 tcp "$both_l" 80
}

# ---- --internal -------------------------------------------------------------

@test "--internal: cut off from the outside both ways; its containers reach each other, the host reaches them" {
    create_net --internal --subnet 10.183.0.0/24 inside
    local br
    br=$(bridge_of "$net_id")
    assert_elem internal "$br"
    assert_elem bridges "$br"
    ! masq4_covers 10.183.0.9 || fail "masq4 covers the internal subnet 10.183.0.0/24"
    # the control: a network the outside may reach by routing
    create_net --subnet 10.183.1.0/24 -o com.docker.network.bridge.gateway_mode_ipv4=nat-unprotected open
    ctr_server i1 --network inside -- tcp:80 udp:80
    run_d --name i2 --network inside -- sleep 3600
    ctr_server o1 --network open -- tcp:80
    local ip_i1 ip_i2
    ip_i1=$(ctr_ip i1 inside)
    ip_i2=$(ctr_ip i2 inside)
    outside_server tcp:7010 udp:7010
    outside_route 10.183.0.0/16
    # an ordinary network does reach the outside (the checks below can fail)
    assert_peer "tcp o1 -> outside" "$HOST_IP" peer_from_ctr o1 tcp "$OUT_IP" 7010
    refute_reach "tcp i2 -> outside" peer_from_ctr i2 tcp "$OUT_IP" 7010
    refute_reach "udp i2 -> outside" peer_from_ctr i2 udp "$OUT_IP" 7010
    ! ctr_ping i2 "$OUT_IP" || fail "i2 pings the outside"
    assert_peer "tcp outside -> o1" "$OUT_IP" peer_from_outside tcp "$(ctr_ip o1 open)" 80
    refute_reach "tcp outside -> i1" peer_from_outside tcp "$ip_i1" 80
    refute_reach "udp outside -> i1" peer_from_outside udp "$ip_i1" 80
    ! in_outside ping -c1 -W1 "$ip_i1" >/dev/null 2>&1 || fail "the outside pings i1"
    assert_peer "tcp i2 -> i1" "$ip_i2" peer_from_ctr i2 tcp "$ip_i1" 80
    assert_peer "udp i2 -> i1" "$ip_i2" peer_from_ctr i2 udp "$ip_i1" 80
    assert_peer "tcp host -> i1" 10.183.0.1 peer_from_host tcp "$ip_i1" 80
    ping -c1 -W2 "$ip_i1" >/dev/null || fail "the host cannot ping i1"
}

@test "--internal holds in gateway_mode_ipv4=routed too" {
    create_net --internal --subnet 10.183.3.0/24 -o com.docker.network.bridge.gateway_mode_ipv4=routed inroute
    ctr_server ir1 --network inroute -- tcp:80
    create_net --subnet 10.183.4.0/24 -o com.docker.network.bridge.gateway_mode_ipv4=routed outroute
    ctr_server or1 --network outroute -- tcp:80
    outside_route 10.183.0.0/16
    assert_peer "tcp outside -> or1 (routed, the control)" "$OUT_IP" peer_from_outside tcp "$(ctr_ip or1 outroute)" 80
    refute_reach "tcp outside -> ir1 (internal, routed)" peer_from_outside tcp "$(ctr_ip ir1 inroute)" 80
}

@test "network rm of an internal network takes its bridge out of internal and bridges" {
    create_net --internal --subnet 10.183.2.0/24 inside2
    local br
    br=$(bridge_of "$net_id")
    assert_elem internal "$br"
    berth_ok network rm inside2
    refute_elem internal "$br"
    refute_elem bridges "$br"
    refute_elem bridge_pairs "$br . $br"
}

# ---- enable_icc=false -------------------------------------------------------

@test "enable_icc=false: its containers cannot reach each other, but reach the gateway, the host and the outside" {
    create_net --subnet 10.183.3.0/24 -o com.docker.network.bridge.enable_icc=false noicc
    assert_eq "$(net_get noicc 'd["Options"].get("com.docker.network.bridge.enable_icc")')" false "Options of noicc"
    ctr_server n1 --network noicc -p 8120:80 -- tcp:80 udp:80
    run_d --name n2 --network noicc -- sleep 3600
    local ip_n1 ip_n2
    ip_n1=$(ctr_ip n1 noicc)
    ip_n2=$(ctr_ip n2 noicc)
    host_server tcp:7011
    outside_server tcp:7012
    refute_reach "tcp n2 -> n1" peer_from_ctr n2 tcp "$ip_n1" 80
    refute_reach "udp n2 -> n1" peer_from_ctr n2 udp "$ip_n1" 80
    ! ctr_ping n2 "$ip_n1" || fail "n2 pings n1"
    ! ctr_ping n1 "$ip_n2" || fail "n1 pings n2"
    ctr_ping n2 10.183.3.1 || fail "n2 cannot ping the gateway"
    assert_peer "tcp n2 -> the host on the gateway" "$ip_n2" peer_from_ctr n2 tcp 10.183.3.1 7011
    assert_peer "tcp n2 -> outside" "$HOST_IP" peer_from_ctr n2 tcp "$OUT_IP" 7012
    assert_peer "tcp host -> n1" 10.183.3.1 peer_from_host tcp "$ip_n1" 80
    # its published port works from the outside
    assert_peer "tcp outside -> $HOST_IP:8120" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8120
}

@test "enable_icc: a value that is not a boolean is refused" {
    packet_path_free
    snapshot_save
    run --separate-stderr berth network create --subnet 10.183.4.0/24 \
        -o com.docker.network.bridge.enable_icc=sometimes badicc
    assert_eq "$status" 1 "exit status"
    assert_match "$stderr" '^berth: error: .*enable_icc' "stderr"
    refute_contains "$stderr" "unknown option" "stderr (the option is known)"
    assert_unchanged
}
