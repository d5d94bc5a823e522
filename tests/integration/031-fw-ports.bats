#!/usr/bin/env bats
#
# Firewall (issue 5), published ports: berth run -p reaches the container on
# every path, with no proxy process and nothing listening on the host port:
# (a) from another machine to the host's uplink address (the container sees
# the real client address), (b) from the host to its own addresses, (c) from
# the host to 127.0.0.1, (d) from containers, the publishing one included
# (hairpin); tcp and udp.  -p 127.0.0.1:... is for the host only.  A host
# port is published once (Docker's message naming the holder, nothing left
# behind); a free one is picked when none is given; ranges; berth port, the
# PORTS of berth ps, NetworkSettings.Ports of berth inspect; stop, rm,
# kill -9 and disconnect take exactly that container's elements out of the
# maps, and a disconnect frees the host port at once (the monitor hears it
# by a signal); the number of rules does not grow with the ports.
#
# Test bed (fw_helpers.bash): host uplink 10.250.0.1 <-> outside 10.250.0.2.
# Subnets: 10.181.0.0/16.

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

# ps_row NAME: the row of berth ps -a for NAME.
ps_row() { berth ps -a | awk -v n="$1" '$2 == n'; }

# assert_peer_in WHAT "ADDR..." CLIENT ARGS...: an answer, and the server saw
# one of ADDR... as the client's address.
assert_peer_in() {
    local what=$1 want=$2 out a
    shift 2
    out=$("$@" 2>&1) || fail "$what: no answer ($*)" "  $out" || return 1
    for a in $want; do
        [ "$out" = "$a" ] && return 0
    done
    fail "$what: the server saw '$out', expected one of: $want"
}


# outside_routes_loopback_to_host: the outside sends packets for 127.0.0.1
# to the host's uplink address, as a hostile neighbour would (its own
# 127.0.0.1 removed, route_localnet on so that its kernel lets them out).
outside_routes_loopback_to_host() {
    ip -n "$OUT_NS" addr del 127.0.0.1/8 dev lo
    in_outside sysctl -qw net.ipv4.conf.eth0.route_localnet=1
    ip -n "$OUT_NS" route add 127.0.0.1/32 via "$HOST_IP" dev eth0
}

# ---- the paths --------------------------------------------------------------

@test "(a) the outside reaches a published tcp and udp port on the uplink address; the container sees the outside's address" {
    create_net --subnet 10.181.0.0/24 pnet
    ctr_server web --network pnet -p 8080:80 -p 8080:80/udp -- tcp:80 udp:80 tcp:81
    local ip
    ip=$(ctr_ip web pnet)
    assert_elem ports4_any "tcp . 8080 : $ip . 80"
    assert_elem ports4_any "udp . 8080 : $ip . 80"
    assert_peer "tcp outside -> $HOST_IP:8080" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8080
    assert_peer "udp outside -> $HOST_IP:8080" "$OUT_IP" peer_from_outside udp "$HOST_IP" 8080
    # what is not published is not reachable (the container listens on 81)
    refute_reach "tcp outside -> $HOST_IP:81" peer_from_outside tcp "$HOST_IP" 81
}

@test "(b) the host reaches a published port on its own addresses: uplink, the network's gateway, berth0's" {
    create_net --subnet 10.181.1.0/24 pnet
    ctr_server web --network pnet -p 8080:80 -p 8080:80/udp -- tcp:80 udp:80
    local gw0 proto
    gw0=$(net_gateway bridge)
    for proto in tcp udp; do
        assert_peer "$proto host -> $HOST_IP:8080" "$HOST_IP" peer_from_host "$proto" "$HOST_IP" 8080
        assert_peer "$proto host -> 10.181.1.1:8080" 10.181.1.1 peer_from_host "$proto" 10.181.1.1 8080
        assert_peer "$proto host -> $gw0:8080" "$gw0" peer_from_host "$proto" "$gw0" 8080
    done
}

@test "(c) the host reaches a published port on 127.0.0.1 (tcp, udp); the container sees its gateway" {
    create_net --subnet 10.181.2.0/24 pnet
    ctr_server web --network pnet -p 8080:80 -p 8080:80/udp -- tcp:80 udp:80
    assert_peer "tcp host -> 127.0.0.1:8080" 10.181.2.1 peer_from_host tcp 127.0.0.1 8080
    assert_peer "udp host -> 127.0.0.1:8080" 10.181.2.1 peer_from_host udp 127.0.0.1 8080
}

# The same network: masqueraded to the gateway (docs/firewall.md), or with
# bridge netfilter DNAT'd and bridged with the client's own address; either
# is an answer from the right container.  The publishing container itself
# can only be answered through the host, so masqueraded.  Another network:
# not masqueraded (postrouting masquerades masq4 sources only when they
# leave by something else than a bridge).
@test "(d) hairpin: containers of the same network, the publishing one, another network's reach the host's address (tcp, udp)" {
    create_net --subnet 10.181.3.0/24 pnet
    create_net --subnet 10.181.5.0/24 onet
    ctr_server web --network pnet -p 8080:80 -p 8080:80/udp -- tcp:80 udp:80
    run_d --name same --network pnet -- sleep 3600
    run_d --name other --network onet -- sleep 3600
    local same_ip other_ip proto
    same_ip=$(ctr_ip same pnet)
    other_ip=$(ctr_ip other onet)
    for proto in tcp udp; do
        assert_peer_in "$proto same -> $HOST_IP:8080" "10.181.3.1 $same_ip" peer_from_ctr same "$proto" "$HOST_IP" 8080
        assert_peer "$proto web -> $HOST_IP:8080 (itself)" 10.181.3.1 peer_from_ctr web "$proto" "$HOST_IP" 8080
        assert_peer "$proto other -> $HOST_IP:8080" "$other_ip" peer_from_ctr other "$proto" "$HOST_IP" 8080
    done
    # the gateway is a host address as well
    assert_peer_in "tcp same -> 10.181.3.1:8080" "10.181.3.1 $same_ip" peer_from_ctr same tcp 10.181.3.1 8080
    assert_peer "tcp other -> 10.181.5.1:8080" "$other_ip" peer_from_ctr other tcp 10.181.5.1 8080
}

# ---- 127.0.0.1 --------------------------------------------------------------

@test "-p 127.0.0.1:8081:80: the host reaches it on 127.0.0.1; the outside neither on the uplink address nor by routing 127.0.0.1 to the host" {
    create_net --subnet 10.181.6.0/24 pnet
    ctr_server local1 --network pnet -p 127.0.0.1:8081:80 -- tcp:80
    local ip
    ip=$(ctr_ip local1 pnet)
    assert_elem ports4_addr "127.0.0.1 . tcp . 8081 : $ip . 80"
    assert_eq "$(fw_elems_matching ports4_any ' 8081 :')" "" "ports4_any elements for 8081"
    assert_peer "tcp host -> 127.0.0.1:8081" 10.181.6.1 peer_from_host tcp 127.0.0.1 8081
    refute_reach "tcp host -> $HOST_IP:8081" peer_from_host tcp "$HOST_IP" 8081
    refute_reach "tcp outside -> $HOST_IP:8081" peer_from_outside tcp "$HOST_IP" 8081
    probe_add uplink ip daddr 127.0.0.1 tcp dport 8081
    outside_routes_loopback_to_host
    refute_reach "tcp outside -> 127.0.0.1:8081 (routed to the host)" peer_from_outside tcp 127.0.0.1 8081
    [ "$(probe_count uplink)" -gt 0 ] ||
        fail "the outside's packets to 127.0.0.1 did not reach the host: the check above proves nothing"
    # the host still does
    assert_peer "tcp host -> 127.0.0.1:8081 (after)" 10.181.6.1 peer_from_host tcp 127.0.0.1 8081
}

# route_localnet is on on the bridges (for (c)); guard keeps a container from
# using it to reach what the host binds to 127.0.0.1.

# routes_loopback_to_gateway REF GATEWAY: container REF sends what is for
# 127.0.0.1 to its gateway (as a container with NET_ADMIN could).
routes_loopback_to_gateway() {
    local sb
    sb=$(sandbox_of "$1")
    nsenter --net="$sb" ip addr del 127.0.0.1/8 dev lo
    nsenter --net="$sb" sysctl -qw net.ipv4.conf.eth0.route_localnet=1
    nsenter --net="$sb" ip route add 127.0.0.1/32 via "$2" dev eth0
}

# refute_reach_host_loopback ID VETH PORT: container ID's connections to
# the host's 127.0.0.1:PORT get no answer, though its packets do reach the
# host (on VETH, its host end). No berth command runs.
refute_reach_host_loopback() {
    probe_add "$2" ip daddr 127.0.0.1 tcp dport "$3"
    refute_reach "tcp ${1:0:12} -> 127.0.0.1:$3" peer_from_ctr "$1" tcp 127.0.0.1 "$3" || return 1
    [ "$(probe_count "$2")" -gt 0 ] ||
        fail "${1:0:12}'s packets to 127.0.0.1 did not reach the host: the check above proves nothing"
}

localnet_of() { cat "/proc/sys/net/ipv4/conf/$1/route_localnet"; }
localnet_is() { [ "$(localnet_of "$1")" = "$2" ]; }

@test "a container cannot reach the host's 127.0.0.1 by routing it to its gateway" {
    create_net --subnet 10.181.7.0/24 pnet
    host_server tcp:127.0.0.1:7081
    assert_peer "tcp host -> 127.0.0.1:7081" 127.0.0.1 peer_from_host tcp 127.0.0.1 7081
    run_d --name sneaky --network pnet -- sleep 3600
    routes_loopback_to_gateway sneaky 10.181.7.1
    refute_reach_host_loopback "$cid" "$(host_veth sneaky)" 7081
}

# The guard is in berth's table, route_localnet in the bridge's sysctls: a
# flush of the host's ruleset takes the first and not the second. The
# containers' monitors hear the flush and turn route_localnet off until a
# berth command restores the table.
@test "nft flush ruleset: route_localnet goes off at once, the container still cannot reach the host's 127.0.0.1; the next command restores both" {
    create_net --subnet 10.181.22.0/24 pnet
    local br veth
    br=$(bridge_of "$net_id")
    host_server tcp:127.0.0.1:7082
    ctr_server sneaky --network pnet -p 8086:80 -- tcp:80
    routes_loopback_to_gateway sneaky 10.181.22.1
    veth=$(host_veth sneaky)
    assert_eq "$(localnet_of "$br")" 1 "route_localnet of $br"
    assert_peer "tcp host -> 127.0.0.1:8086" 10.181.22.1 peer_from_host tcp 127.0.0.1 8086

    nft flush ruleset
    wait_until 10 localnet_is "$br" 0 || fail "route_localnet of $br stayed $(localnet_of "$br") after the flush"
    refute_reach_host_loopback "$cid" "$veth" 7082

    local said
    said=$(berth ps 2>&1 >/dev/null) || fail "berth ps failed: $said"
    assert_contains "$said" "was missing or altered: restored it" "berth ps's word on the table"
    assert_eq "$(localnet_of "$br")" 1 "route_localnet of $br once the table is back"
    berth_ok system check
    assert_peer "tcp host -> 127.0.0.1:8086 (restored)" 10.181.22.1 peer_from_host tcp 127.0.0.1 8086
    refute_reach_host_loopback "$cid" "$veth" 7082
}

# nft_listeners: sockets of this namespace that hear nf_tables' changes
# (NETLINK_NETFILTER, group NFNLGRP_NFTABLES: bit 0x40 of Groups).
nft_listeners() {
    local sk eth pid groups rest n=0
    while read -r sk eth pid groups rest; do
        [ "$eth" = 12 ] && (((16#$groups & 0x40) != 0)) && n=$((n + 1))
    done < <(tail -n +2 /proc/net/netlink)
    echo "$n"
}
nft_listeners_are() { [ "$(nft_listeners)" = "$1" ]; }

# guard_pid: the process holding the guard's lock (/proc/locks by inode).
guard_pid() {
    local ino
    ino=$(stat -c %i "$BERTH_RUNDIR/fw-guard.lock") || return 1
    awk -v ino="$ino" '$2 == "POSIX" && $4 == "WRITE" && split($6, f, ":") == 3 && f[3] == ino { print $5 }' /proc/locks
}
guard_is_not() { local p; p=$(guard_pid) && [ -n "$p" ] && [ "$p" != "$1" ]; }

@test "one listener per host, not per container: when the guard's container ends another monitor takes over and hears a flush" {
    packet_path_free
    create_net --subnet 10.181.23.0/24 pnet
    local br guard victim
    br=$(bridge_of "$net_id")
    for n in g1 g2 g3 g4; do
        run_d --name "$n" --network pnet -- sleep 3600
    done
    assert_eq "$(nft_listeners)" 1 "sockets listening to nf_tables with 4 containers"
    guard=$(guard_pid)
    [ -n "$guard" ] || fail "nobody holds $BERTH_RUNDIR/fw-guard.lock" "$(cat /proc/locks)" || return 1
    victim=$(berth ps --format json | python3 -c "
import json, subprocess, sys
for l in sys.stdin:
    n = json.loads(l)['Names']
    d = json.loads(subprocess.check_output(['berth', 'inspect', n]))[0]
    if str(d['State']['MonitorPid']) == '$guard': print(n)")
    [ -n "$victim" ] || fail "the guard $guard is no container's monitor" || return 1
    berth_ok rm -f "$victim"
    wait_until 10 guard_is_not "$guard" || fail "no monitor took over from $guard" "$(cat /proc/locks)" || return 1
    wait_until 10 nft_listeners_are 1 || fail "$(nft_listeners) sockets listen to nf_tables after the takeover"
    assert_eq "$(localnet_of "$br")" 1 "route_localnet of $br"
    nft flush ruleset
    wait_until 10 localnet_is "$br" 0 || fail "route_localnet of $br stayed $(localnet_of "$br") after the flush, with the second guard"
}

# ---- allocation -------------------------------------------------------------

@test "a host port already published: refused with the holder's name, nothing left behind" {
    packet_path_free
    create_net --subnet 10.181.8.0/24 pnet
    ctr_server holder --network pnet -p 8082:80 -p 127.0.0.1:8083:80 -- tcp:80
    local holder_id=$cid
    snapshot_save
    local ports_before
    ports_before=$(fw_ports_snapshot)
    berth_fails 1 "Bind for 0.0.0.0:8082/tcp failed: port is already allocated by container holder" \
        run -d --name dup --network pnet --ip 10.181.8.50 -p 8082:81 -- sleep 3600
    berth_fails 1 "Bind for 127.0.0.1:8082/tcp failed: port is already allocated by container holder" \
        run -d --name dup --network pnet --ip 10.181.8.50 -p 127.0.0.1:8082:81 -- sleep 3600
    berth_fails 1 "Bind for 0.0.0.0:8083/tcp failed: port is already allocated by container holder" \
        run -d --name dup --network pnet --ip 10.181.8.50 -p 8083:81 -- sleep 3600
    berth_fails 1 "Bind for 127.0.0.1:8083/tcp failed: port is already allocated by container holder" \
        run -d --name dup --network pnet --ip 10.181.8.50 -p 127.0.0.1:8083:81 -- sleep 3600
    # the first free port does not save the second one
    berth_fails 1 "Bind for 0.0.0.0:8082/tcp failed: port is already allocated by container holder" \
        run -d --name dup --network pnet --ip 10.181.8.50 -p 8079:80 -p 8082:81 -- sleep 3600
    berth_fails 1 "Bind for 0.0.0.0:8082/tcp failed: port is already allocated by container holder" \
        run --rm --name dup --network pnet --ip 10.181.8.50 -p 8082:81 -- true
    links_settle
    assert_eq "$(fw_ports_snapshot)" "$ports_before" "port maps after the refused runs"
    assert_eq "$(berth ps -aq --no-trunc)" "$holder_id" "containers after the refused runs"
    # the holder still serves; the name, the address and 8079 are free
    assert_peer "tcp outside -> $HOST_IP:8082" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8082
    run_d --name dup --network pnet --ip 10.181.8.50 -p 8079:80 -- sleep 3600
}

@test "the same host port with another protocol, or on two other host addresses, is published twice" {
    create_net --subnet 10.181.9.0/24 pnet
    # each container listens only on its own container port: an answer comes
    # from the right one
    ctr_server tcp8084 --network pnet -p 8084:80 -- tcp:80
    ctr_server udp8084 --network pnet -p 8084:90/udp -- udp:90
    ctr_server lo8085 --network pnet -p 127.0.0.1:8085:80 -- tcp:80
    ctr_server up8085 --network pnet -p "$HOST_IP:8085:90" -- tcp:90
    assert_elem ports4_addr "127.0.0.1 . tcp . 8085 : $(ctr_ip lo8085 pnet) . 80"
    assert_elem ports4_addr "$HOST_IP . tcp . 8085 : $(ctr_ip up8085 pnet) . 90"
    assert_peer "tcp outside -> $HOST_IP:8084" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8084
    assert_peer "udp outside -> $HOST_IP:8084" "$OUT_IP" peer_from_outside udp "$HOST_IP" 8084
    assert_peer "tcp host -> 127.0.0.1:8085" 10.181.9.1 peer_from_host tcp 127.0.0.1 8085
    assert_peer "tcp outside -> $HOST_IP:8085" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8085
    # an address of the host that is not the one published: nothing there
    refute_reach "tcp host -> 10.181.9.1:8085" peer_from_host tcp 10.181.9.1 8085
}

@test "a host IP that is not an address of the host is refused" {
    packet_path_free
    create_net --subnet 10.181.10.0/24 pnet
    snapshot_save
    local ports_before
    ports_before=$(fw_ports_snapshot)
    berth_fails 1 "Bind for 10.9.9.9:8080/tcp failed: 10.9.9.9 is not an address of this host" \
        run -d --network pnet -p 10.9.9.9:8080:80 -- sleep 3600
    links_settle
    assert_eq "$(fw_ports_snapshot)" "$ports_before" "port maps"
    assert_eq "$(berth ps -aq)" "" "containers"
}

@test "no host port: a free one from 32768-60999, reachable; two containers get two" {
    create_net --subnet 10.181.11.0/24 pnet
    ctr_server rnd1 --network pnet -p 80 -p 80/udp -- tcp:80 udp:80
    local ip tport uport
    ip=$(ctr_ip rnd1 pnet)
    berth_ok port rnd1 80/tcp
    assert_match "$output" '^0\.0\.0\.0:[0-9]+$' "berth port rnd1 80/tcp"
    tport=${output#0.0.0.0:}
    berth_ok port rnd1 80/udp
    assert_match "$output" '^0\.0\.0\.0:[0-9]+$' "berth port rnd1 80/udp"
    uport=${output#0.0.0.0:}
    local p
    for p in "$tport" "$uport"; do
        [ "$p" -ge 32768 ] && [ "$p" -le 60999 ] || fail "host port $p is outside 32768-60999"
    done
    assert_elem ports4_any "tcp . $tport : $ip . 80"
    assert_elem ports4_any "udp . $uport : $ip . 80"
    assert_peer "tcp outside -> $HOST_IP:$tport" "$OUT_IP" peer_from_outside tcp "$HOST_IP" "$tport"
    assert_peer "udp outside -> $HOST_IP:$uport" "$OUT_IP" peer_from_outside udp "$HOST_IP" "$uport"
    run_d --name rnd2 --network pnet -p 80 -- sleep 3600
    berth_ok port rnd2 80/tcp
    assert_match "$output" '^0\.0\.0\.0:[0-9]+$' "berth port rnd2 80/tcp"
    local tport2=${output#0.0.0.0:}
    [ "$tport2" -ge 32768 ] && [ "$tport2" -le 60999 ] || fail "host port $tport2 is outside 32768-60999"
    [ "$tport2" != "$tport" ] || fail "rnd1 and rnd2 both got host port $tport"
}

@test "a range 8000-8002:80-82: three ports, each to its own" {
    create_net --subnet 10.181.12.0/24 pnet
    ctr_server rng --network pnet -p 8000-8002:80-82 -- tcp:80 tcp:81 tcp:82
    local ip i
    ip=$(ctr_ip rng pnet)
    for i in 0 1 2; do
        assert_elem ports4_any "tcp . 800$i : $ip . 8$i"
        assert_peer "tcp outside -> $HOST_IP:800$i" "$OUT_IP" peer_from_outside tcp "$HOST_IP" "800$i"
    done
    assert_eq "$(fw_elems_matching ports4_any ": $ip \\.")" "tcp . 8000 : $ip . 80
tcp . 8001 : $ip . 81
tcp . 8002 : $ip . 82" "ports4_any elements of rng"
    berth_ok port rng
    assert_eq "$(sort <<<"$output")" "80/tcp -> 0.0.0.0:8000
81/tcp -> 0.0.0.0:8001
82/tcp -> 0.0.0.0:8002" "berth port rng"
    assert_eq "$(jeval "$(ps_json_of rng)" 'd["Ports"]')" "0.0.0.0:8000-8002->80-82/tcp" "Ports of ps --format json"
}

@test "an sctp port is published too" {
    create_net --subnet 10.181.13.0/24 pnet
    run_d --name sc --network pnet -p 8086:80/sctp -- sleep 3600
    assert_elem ports4_any "sctp . 8086 : $(ctr_ip sc pnet) . 80"
    berth_ok port sc 80/sctp
    assert_eq "$output" 0.0.0.0:8086 "berth port sc 80/sctp"
}

# ---- what berth shows -------------------------------------------------------

@test "berth port, the PORTS of berth ps and NetworkSettings.Ports of berth inspect" {
    packet_path_free
    create_net --subnet 10.181.14.0/24 pnet
    run_d --name pub --network pnet -p 8090:80 -p 127.0.0.1:8091:81/udp -- sleep 3600
    run_d --name nopub --network pnet -- sleep 3600
    berth_ok port pub
    assert_eq "$(sort <<<"$output")" "80/tcp -> 0.0.0.0:8090
81/udp -> 127.0.0.1:8091" "berth port pub"
    berth_ok port pub 80/tcp
    assert_eq "$output" 0.0.0.0:8090 "berth port pub 80/tcp"
    berth_ok port pub 81/udp
    assert_eq "$output" 127.0.0.1:8091 "berth port pub 81/udp"
    berth_fails 1 "No public port '82/tcp' published for pub" port pub 82/tcp
    berth_fails 1 "No public port '80/udp' published for pub" port pub 80/udp
    berth_ok port nopub
    assert_eq "$output" "" "berth port nopub"

    berth_ok ps
    assert_match "${lines[0]}" '^CONTAINER ID +NAME +COMMAND +CREATED +STATUS +PORTS +NETWORKS +IPS *$' "header of berth ps"
    local row
    row=$(ps_row pub)
    assert_contains "$row" " 0.0.0.0:8090->80/tcp, 127.0.0.1:8091->81/udp " "ps row of pub"
    assert_match "$row" ' pnet +10\.181\.14\.[0-9]+ *$' "NETWORKS and IPS of pub"
    assert_eq "$(jeval "$(ps_json_of pub)" 'd["Ports"]')" "0.0.0.0:8090->80/tcp, 127.0.0.1:8091->81/udp" \
        "Ports of ps --format json (pub)"
    assert_eq "$(jeval "$(ps_json_of nopub)" 'd["Ports"]')" "" "Ports of ps --format json (nopub)"

    assert_eq "$(ctr_get pub 'd["NetworkSettings"]["Ports"]')" \
        '{"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8090"}], "81/udp": [{"HostIp": "127.0.0.1", "HostPort": "8091"}]}' \
        "NetworkSettings.Ports of pub"
    assert_eq "$(ctr_get nopub 'd["NetworkSettings"]["Ports"]')" '{}' "NetworkSettings.Ports of nopub"
}

@test "nothing listens on a published host port and berth runs no process but the monitors and its resolver" {
    create_net --subnet 10.181.15.0/24 pnet
    ctr_server np --network pnet -p 8092:80 -p 8092:80/udp -- tcp:80 udp:80
    assert_peer "tcp outside -> $HOST_IP:8092" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8092
    assert_peer "udp outside -> $HOST_IP:8092" "$OUT_IP" peer_from_outside udp "$HOST_IP" 8092
    # the port is held (bound, never listening) by the container's monitor
    assert_eq "$(ss -Hltn 'sport = :8092')" "" "listening tcp sockets on port 8092 in the host"
    local monitors holders
    monitors=$(monitor_pids)
    holders=$(ss -Hanptu 'sport = :8092' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
    assert_eq "$holders" "$(ctr_get np 'd["State"]["MonitorPid"]')" "processes with a socket on port 8092"
    [ -n "$monitors" ] || fail "no monitor pid"
    # and the DNS resolver of the containers on pnet, a network of the user's
    local resolver
    resolver=$(cat "$BERTH_RUNDIR/dns.pid")
    assert_eq "$(cat "/proc/$resolver/comm")" berth-dns "the resolver's process"
    monitors+=$'\n'$resolver
    wait_until 5 only_monitors_run "$monitors" ||
        fail "berth processes other than the monitors and the resolver: $(berth_pids | tr '\n' ' ') (those: $(echo "$monitors" | tr '\n' ' '))"
}

# bind_host PROTO PORT [reuse]: a daemon of the host binds 0.0.0.0:PORT
# (with SO_REUSEADDR, as most do, when asked); prints the errno's name
BIND_HOST='
import errno, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM)
if len(sys.argv) > 3:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("0.0.0.0", int(sys.argv[2])))
    if sys.argv[1] == "tcp":
        s.listen(1)
    print("bound")
except OSError as e:
    print(errno.errorcode[e.errno])
'
bind_host() { python3 -c "$BIND_HOST" "$@"; }

port_bindable() { [ "$(bind_host tcp "$1")" = bound ]; }

# ---- cleanup ----------------------------------------------------------------

# elems_without IP: the port maps' elements, without those that lead to IP.
elems_without() { grep -vF -- ": $1 . " <<<"$ports_all" || true; }

@test "stop, rm -f, kill -9, disconnect and the end of a --rm run take exactly that container's elements out" {
    create_net --subnet 10.181.16.0/24 pnet
    ctr_server keep --network pnet -p 8100:80 -- tcp:80
    run_d --name st --network pnet -p 8101:80 -p 8101:80/udp -p 127.0.0.1:8102:80 -- sleep 3600
    run_d --name rmf --network pnet -p 8103:80 -- sleep 3600
    run_d --name k9 --network pnet -p 8104:80 -- sleep 3600
    run_d --name dis --network pnet -p 8105:80 -- sleep 3600
    local ip_st ip_rmf ip_k9 ip_dis
    ip_st=$(ctr_ip st pnet)
    ip_rmf=$(ctr_ip rmf pnet)
    ip_k9=$(ctr_ip k9 pnet)
    ip_dis=$(ctr_ip dis pnet)
    assert_elem ports4_any "tcp . 8101 : $ip_st . 80"
    assert_elem ports4_any "udp . 8101 : $ip_st . 80"
    assert_elem ports4_addr "127.0.0.1 . tcp . 8102 : $ip_st . 80"
    local ports_all
    ports_all=$(fw_ports_snapshot)

    berth_ok stop -t 1 st
    assert_eq "$(fw_ports_snapshot)" "$(elems_without "$ip_st")" "port maps after stop st"
    ports_all=$(fw_ports_snapshot)

    berth_ok rm -f rmf
    assert_eq "$(fw_ports_snapshot)" "$(elems_without "$ip_rmf")" "port maps after rm -f rmf"
    ports_all=$(fw_ports_snapshot)

    kill -9 "$(ctr_pid k9)"
    wait_until 10 fw_lacks_elem ports4_any "tcp . 8104 : $ip_k9 . 80" || fail "k9's element is still there"
    assert_eq "$(fw_ports_snapshot)" "$(elems_without "$ip_k9")" "port maps after kill -9 k9"
    ports_all=$(fw_ports_snapshot)

    berth_ok network disconnect pnet dis
    assert_eq "$(fw_ports_snapshot)" "$(elems_without "$ip_dis")" "port maps after disconnect dis"
    # its monitor lets go of the host port too (dis still runs)
    wait_until 10 port_bindable 8105 || fail "port 8105 is still held after disconnect dis"
    ports_all=$(fw_ports_snapshot)

    berth_ok run --rm --network pnet -p 8106:80 -- true
    assert_eq "$(fw_ports_snapshot)" "$ports_all" "port maps after a --rm run"

    # keep is untouched; every port let go is free again
    assert_elem ports4_any "tcp . 8100 : $(ctr_ip keep pnet) . 80"
    assert_peer "tcp outside -> $HOST_IP:8100" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8100
    run_d --name again --network pnet -p 8101:80 -p 8101:80/udp -p 127.0.0.1:8102:80 -p 8103-8106:83-86 -- sleep 3600
}

@test "the number of rules is the same with 0, 1 and 251 published ports" {
    packet_path_free
    create_net --subnet 10.181.17.0/24 pnet
    local n0 n1 n2
    n0=$(fw_rule_count)
    [ "$n0" -gt 0 ] || fail "table inet berth has no rules"
    run_d --name one --network pnet -p 8110:80 -- sleep 3600
    n1=$(fw_rule_count)
    run_d --name many --network pnet -p 9000-9099:9000-9099 -p 9000-9099:9000-9099/udp \
        -p 127.0.0.1:9200-9249:9200-9249 -- sleep 3600
    n2=$(fw_rule_count)
    assert_eq "$(fw_elems ports4_any | wc -l)" 201 "elements of ports4_any"
    assert_eq "$(fw_elems ports4_addr | wc -l)" 50 "elements of ports4_addr"
    assert_eq "$n1" "$n0" "rules with 1 published port"
    assert_eq "$n2" "$n0" "rules with 251 published ports"
}

# A monitor killed with SIGKILL, then its container: nothing released them.
# The next command that lists containers does, ports included, and the
# port is free for another container.
@test "monitor and container killed with SIGKILL: the next berth ps takes their port elements out" {
    packet_path_free
    create_net --subnet 10.181.18.0/24 pnet
    run_d --name orphanp --network pnet -p 8120:80 -p 127.0.0.1:8121:80 -- sleep 3600
    local ip mpid pid
    ip=$(ctr_ip orphanp pnet)
    mpid=$(ctr_get orphanp 'd["State"]["MonitorPid"]')
    pid=$(ctr_pid orphanp)
    kill -9 "$mpid"
    wait_until 10 pid_dead "$mpid"
    kill -9 "$pid"
    wait_until 10 pid_dead "$pid"
    assert_elem ports4_any "tcp . 8120 : $ip . 80"
    berth_ok ps -a
    refute_elem ports4_any "tcp . 8120 : $ip . 80"
    refute_elem ports4_addr "127.0.0.1 . tcp . 8121 : $ip . 80"
    run_d --name heir --network pnet -p 8120:80 -p 127.0.0.1:8121:80 -- sleep 3600
    assert_elem ports4_any "tcp . 8120 : $(ctr_ip heir pnet) . 80"
}

# Docker's proxy cannot bind a port a host process listens on; berth, with
# no proxy, checks by binding it itself: the DNAT would take sshd's (or a
# database's) traffic away otherwise.
@test "a published host port is held: a daemon of the host cannot bind it until the container is gone" {
    packet_path_free
    create_net --subnet 10.181.20.0/24 pnet
    ctr_server held --network pnet -p 3333:80 -p 3333:80/udp -- tcp:80 udp:80
    assert_eq "$(bind_host tcp 3333)" EADDRINUSE "a tcp bind of 0.0.0.0:3333"
    assert_eq "$(bind_host tcp 3333 reuse)" EADDRINUSE "a tcp bind of 0.0.0.0:3333 with SO_REUSEADDR"
    assert_eq "$(bind_host udp 3333)" EADDRINUSE "a udp bind of 0.0.0.0:3333"
    # held, not served: the connections still go to the container
    assert_peer "tcp outside -> $HOST_IP:3333" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 3333
    assert_peer "udp outside -> $HOST_IP:3333" "$OUT_IP" peer_from_outside udp "$HOST_IP" 3333
    berth_ok rm -f held
    assert_eq "$(bind_host tcp 3333)" bound "a tcp bind of 0.0.0.0:3333 after rm"
    assert_eq "$(bind_host udp 3333)" bound "a udp bind of 0.0.0.0:3333 after rm"
}

@test "a foreground run holds its port while it runs, and not once it returns" {
    packet_path_free
    create_net --subnet 10.181.21.0/24 pnet
    local done=$BATS_TEST_TMPDIR/done fg
    berth run --name fg --network pnet -p 3334:80 -- sh -c "while [ ! -e $done ]; do sleep 0.05; done" &
    fg=$!
    wait_until 10 ctr_is_running fg || fail "the foreground container did not start"
    assert_eq "$(bind_host tcp 3334)" EADDRINUSE "a tcp bind of 0.0.0.0:3334 while it runs"
    touch "$done"
    wait "$fg" || fail "berth run exited $?"
    assert_eq "$(bind_host tcp 3334)" bound "a tcp bind of 0.0.0.0:3334 after the run"
}

# inotify_fds PID: how many inotify instances process PID holds (they are
# counted per user, 128 for all of root's processes by default).
inotify_fds() { find "/proc/$1/fd" -lname "anon_inode:inotify" | wc -l; }

# A monitor hears a disconnect by a signal, not by inotify: with more than
# max_user_instances monitors, those that could not watch held their ports
# until their containers ended.
@test "disconnect from the first network: the monitor, with no inotify instance, lets go of the host port at once and goes on" {
    packet_path_free
    create_net --subnet 10.181.24.0/24 pnet
    run_d --name sig --network pnet -p 8130:80 -p 8130:80/udp -- sleep 3600
    local mpid
    mpid=$(ctr_get sig 'd["State"]["MonitorPid"]')
    assert_eq "$(inotify_fds "$mpid")" 0 "inotify descriptors of the monitor"
    assert_eq "$(bind_host tcp 8130)" EADDRINUSE "a tcp bind of 0.0.0.0:8130 before the disconnect"
    berth_ok network disconnect pnet sig
    wait_until 5 port_bindable 8130 || fail "port 8130 is still held after the disconnect"
    assert_eq "$(bind_host udp 8130)" bound "a udp bind of 0.0.0.0:8130 after the disconnect"
    run_d --name heir --network pnet -p 8130:80 -p 8130:80/udp -- sleep 3600
    # the signal did not end the monitor: it still releases its container
    ! pid_dead "$mpid" || fail "the monitor died of the disconnect's signal"
    assert_eq "$(ctr_get sig 'd["State"]["MonitorPid"]')" "$mpid" "State.MonitorPid after the disconnect"
    berth_ok stop -t 1 sig
    assert_eq "$(ctr_exit_code sig)" 137 "State.ExitCode (255: released by recovery, not by its monitor)"
}

@test "disconnect of a foreground run's first network: berth run lets go of the host port, goes on, and still forwards SIGUSR1" {
    packet_path_free
    create_net --subnet 10.181.25.0/24 pnet
    local out=$BATS_TEST_TMPDIR/out fg rc=0
    berth run --name fgsig --network pnet -p 8131:80 -- \
        sh -c 'trap "echo got USR1; exit 42" USR1; while :; do sleep 0.05; done' >"$out" 2>&1 3>&- &
    fg=$!
    wait_until 10 ctr_is_running fgsig || fail "the foreground container did not start"
    assert_eq "$(inotify_fds "$fg")" 0 "inotify descriptors of berth run"
    assert_eq "$(bind_host tcp 8131)" EADDRINUSE "a tcp bind of 0.0.0.0:8131 before the disconnect"
    berth_ok network disconnect pnet fgsig
    wait_until 5 port_bindable 8131 || fail "port 8131 is still held after the disconnect"
    ! pid_dead "$fg" || fail "berth run died of the disconnect's signal: $(cat "$out")"
    kill -USR1 "$fg"
    wait "$fg" || rc=$?
    assert_eq "$rc" 42 "exit status of berth run after SIGUSR1"
    assert_contains "$(cat "$out")" "got USR1" "output"
}

@test "a host port a process of the host listens on is refused; the process keeps its traffic" {
    create_net --subnet 10.181.19.0/24 pnet
    host_server tcp:8170 udp:8171
    snapshot_save
    berth_fails 1 "Bind for 0.0.0.0:8170/tcp failed: port is already in use by a process of the host" \
        run -d --name taker --network pnet -p 8170:80 -- sleep 3600
    berth_fails 1 "Bind for 127.0.0.1:8171/udp failed: port is already in use by a process of the host" \
        run -d --name taker --network pnet -p 127.0.0.1:8171:80/udp -- sleep 3600
    links_settle
    assert_eq "$(berth ps -aq)" "" "containers after the refused runs"
    assert_peer "tcp outside -> $HOST_IP:8170 (the host's own server)" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8170
    # the same port on another protocol is free
    run_d --name other --network pnet -p 8170:80/udp -- sleep 3600
}
