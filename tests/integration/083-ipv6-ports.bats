#!/usr/bin/env bats
#
# Published ports on IPv6 (issue 13, fourth step): `-p 8080:80` on a
# network with IPv6 publishes on 0.0.0.0 and on [::] (both in PORTS, as
# Docker shows them), `-p [::]:...` and `-p [ADDR]:...` on IPv6 alone,
# through the ports6 maps of table inet berth (no rule per port); reached
# over IPv6 from the outside, from the host's own address, from another
# container (hairpin) and through the gateway, with the client's real
# address seen in the container. [::1]:PORT cannot be sent on to a
# container (no route_localnet for IPv6): the connection is refused at
# once, and `-p [::1]:...` is refused with the reason.
#
# Test bed (fw_helpers.bash): host uplink 10.250.0.1, fd00:250::1 <->
# outside 10.250.0.2, fd00:250::2.
# Subnets: 10.203.0.0/16, fd00:83::/32.

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

ports_of() { jeval "$(ps_json_of "$1")" 'd["Ports"]'; }

@test "-p 8080:80 on a dual-stack network publishes on 0.0.0.0 and [::]; IPv6 reaches it from outside, the host, a container and the gateway, each seen as itself" {
    create_net --ipv6 --subnet 10.203.1.0/24 --subnet fd00:83:1::/64 web6
    ctr_server w1 --network web6 -p 8080:80 -- tcp:80 tcp6:80
    run_d --name w2 --network web6 -- sleep 3600
    assert_eq "$(ports_of w1)" "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp" "PORTS of w1"
    berth_ok port w1
    assert_eq "$output" "80/tcp -> 0.0.0.0:8080
80/tcp -> [::]:8080" "berth port w1"
    assert_eq "$(ctr_get w1 'd["NetworkSettings"]["Ports"]["80/tcp"]')" \
        '[{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}]' "inspect's Ports"
    assert_peer "tcp outside -> [$HOST_IP6]:8080" "$OUT_IP6" peer_from_outside tcp "$HOST_IP6" 8080
    assert_peer "tcp outside -> $HOST_IP:8080" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8080
    assert_peer "tcp host -> [$HOST_IP6]:8080" "$HOST_IP6" peer_from_host tcp "$HOST_IP6" 8080
    # hairpin: masqueraded to the gateway, so that the answer comes back through the host
    assert_peer "tcp w2 -> [$HOST_IP6]:8080" fd00:83:1::1 peer_from_ctr w2 tcp "$HOST_IP6" 8080
    assert_peer "tcp w1 -> itself through [$HOST_IP6]:8080" fd00:83:1::1 peer_from_ctr w1 tcp "$HOST_IP6" 8080
    assert_peer "tcp w2 -> the gateway's port" fd00:83:1::1 peer_from_ctr w2 tcp fd00:83:1::1 8080
    assert_elem ports6_any "tcp . 8080 : fd00:83:1::2 . 80"
    assert_elem ports4_any "tcp . 8080 : 10.203.1.2 . 80"
}

@test "udp and ranges on IPv6; [::] and [ADDR] publish on IPv6 alone; an IPv6-only network publishes on [::]" {
    create_net --ipv6 --subnet 10.203.2.0/24 --subnet fd00:83:2::/64 mix6
    ctr_server u1 --network mix6 -p 9000-9001:90-91/udp -- udp6:90 udp6:91
    assert_eq "$(ports_of u1)" "0.0.0.0:9000-9001->90-91/udp, [::]:9000-9001->90-91/udp" "PORTS of u1"
    assert_peer "udp outside -> [$HOST_IP6]:9001" "$OUT_IP6" peer_from_outside udp "$HOST_IP6" 9001
    ctr_server s1 --network mix6 -p "[::]:8081:80" -- tcp6:80
    ctr_server s2 --network mix6 -p "[$HOST_IP6]:8082:80" -- tcp6:80
    assert_eq "$(ports_of s1) | $(ports_of s2)" "[::]:8081->80/tcp | [$HOST_IP6]:8082->80/tcp" "PORTS of s1 and s2"
    assert_peer "tcp outside -> [$HOST_IP6]:8082" "$OUT_IP6" peer_from_outside tcp "$HOST_IP6" 8082
    assert_elem ports6_addr "$HOST_IP6 . tcp . 8082 : fd00:83:2::4 . 80"
    refute_reach "tcp outside -> $HOST_IP:8081 (IPv6 only)" peer_from_outside tcp "$HOST_IP" 8081

    create_net --ipv6 --subnet fd00:83:3::/64 only6
    ctr_server o1 --network only6 -p 8083:80 -- tcp6:80
    assert_eq "$(ports_of o1)" "[::]:8083->80/tcp" "PORTS of o1"
    assert_peer "tcp outside -> [$HOST_IP6]:8083" "$OUT_IP6" peer_from_outside tcp "$HOST_IP6" 8083
}

@test "[::1]:PORT is refused at once, not left to hang (clients of localhost fall back to 127.0.0.1); -p [::1]:... is refused with the reason" {
    create_net --ipv6 --subnet 10.203.4.0/24 --subnet fd00:83:4::/64 lo6
    ctr_server l1 --network lo6 -p 8084:80 -- tcp:80 tcp6:80
    run python3 -c '
import socket, sys
try:
    socket.create_connection(("::1", 8084), timeout=5)
except ConnectionRefusedError:
    sys.exit(0)
except OSError as e:
    print(e)
    sys.exit(1)
print("connected")
sys.exit(1)'
    assert_eq "$status" 0 "a connection to [::1]:8084 is refused (output: $output)"
    assert_peer "tcp host -> 127.0.0.1:8084" 10.203.4.1 peer_from_host tcp 127.0.0.1 8084
    snapshot_save
    berth_fails 1 "cannot publish on ::1: Linux cannot forward connections to the IPv6 loopback address into a container; publish on [::] or on an address of the host (clients of localhost fall back to 127.0.0.1)" \
        run -d --network lo6 -p "[::1]:8085:80" -- sleep 3600
    assert_unchanged
}

@test "refused: [::] on an IPv4-only network, 0.0.0.0 on an IPv6-only one, an address the host lacks, a port taken on [::]; nothing changed" {
    create_net --ipv6 --subnet 10.203.5.0/24 --subnet fd00:83:5::/64 ds5
    create_net --subnet 10.203.6.0/24 four6
    create_net --ipv6 --subnet fd00:83:7::/64 only7
    run_d --name holder --network ds5 -p 8086:80 -- sleep 3600
    snapshot_save
    local before
    before=$(fw_ports_snapshot; fw_elems ports6_any; fw_elems ports6_addr)
    berth_fails 1 "cannot publish on [::]: network four6 has no IPv6 (create it with --ipv6)" \
        run -d --network four6 -p "[::]:8087:80" -- sleep 3600
    berth_fails 1 "cannot publish on 0.0.0.0: network only7 is IPv6-only" \
        run -d --network only7 -p 0.0.0.0:8087:80 -- sleep 3600
    berth_fails 1 "Bind for [fd00:250::99]:8087/tcp failed: fd00:250::99 is not an address of this host" \
        run -d --network ds5 -p "[fd00:250::99]:8087:80" -- sleep 3600
    berth_fails 1 "Bind for [::]:8086/tcp failed: port is already allocated by container holder" \
        run -d --network ds5 -p "[::]:8086:80" -- sleep 3600
    berth_fails 1 "Bind for [::]:8086/tcp failed: port is already allocated by container holder" \
        run -d --network only7 -p 8086:80 -- sleep 3600
    assert_unchanged
    assert_eq "$(fw_ports_snapshot; fw_elems ports6_any; fw_elems ports6_addr)" "$before" "the port maps"
    assert_eq "$(berth ps -aq | wc -l)" 1 "containers"
}

@test "rm takes the IPv6 port elements out; the rule count is the same with 0 and 20 IPv6 ports" {
    create_net --ipv6 --subnet 10.203.8.0/24 --subnet fd00:83:8::/64 many6
    local rules
    rules=$(fw_rule_count)
    run_d --name m1 --network many6 -p 8100-8109:80-89 -- sleep 3600
    assert_eq "$(fw_elems ports6_any | wc -l)" 10 "elements of ports6_any"
    assert_eq "$(fw_rule_count)" "$rules" "rules with 20 published ports"
    berth_ok rm -f m1
    assert_eq "$(fw_elems ports6_any)" "" "ports6_any after rm"
    assert_eq "$(fw_elems ports4_any)" "" "ports4_any after rm"
    berth_ok system check
}
