#!/usr/bin/env bats
#
# Firewall (issue 5), living with other firewalls and with bad input: the
# admin's rules in berth-user are honoured and never rewritten by berth; a
# flushed table comes back with the next berth command, in one transaction,
# and system reconcile rebuilds and reports it; another table's forward
# chain with policy drop is warned about once; -p is refused with --network
# none, container:X or an internal network, and discarded with a warning
# with --network host; Docker's messages for a bad -p.
#
# Test bed (fw_helpers.bash): host uplink 10.250.0.1 <-> outside 10.250.0.2.
# Subnets: 10.184.0.0/16 .. 10.189.0.0/16.

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

# berth_user: the berth-user chain as nft prints it, handles included (the
# same text after a berth command: the rules were not rewritten).
berth_user() { nft -a list chain inet berth berth-user; }

# berth_user_handle EXPR: the handle of the rule of berth-user that contains EXPR.
berth_user_handle() { berth_user | grep -F -- "$1" | sed -n 's/.* # handle \([0-9]*\)$/\1/p'; }

# ---- berth-user -------------------------------------------------------------

@test "berth-user: the admin's drop rule stops a container's outbound traffic; without it it flows again" {
    create_net --subnet 10.184.0.0/24 unet
    outside_server tcp:7020 udp:7020
    run_d --name u1 --network unet -- sleep 3600
    assert_peer "tcp u1 -> outside" "$HOST_IP" peer_from_ctr u1 tcp "$OUT_IP" 7020
    nft add rule inet berth berth-user ip saddr 10.184.0.0/24 ip daddr "$OUT_IP" drop
    refute_reach "tcp u1 -> outside (dropped)" peer_from_ctr u1 tcp "$OUT_IP" 7020
    refute_reach "udp u1 -> outside (dropped)" peer_from_ctr u1 udp "$OUT_IP" 7020
    local h
    h=$(berth_user_handle "ip saddr 10.184.0.0/24")
    [ -n "$h" ] || fail "no handle for the rule" "$(berth_user)"
    nft delete rule inet berth berth-user handle "$h"
    assert_peer "tcp u1 -> outside (rule deleted)" "$HOST_IP" peer_from_ctr u1 tcp "$OUT_IP" 7020
}

@test "berth-user: the admin's accepts skip berth's isolation" {
    create_net --subnet 10.184.1.0/24 left
    local br_l
    br_l=$(bridge_of "$net_id")
    create_net --subnet 10.184.2.0/24 right
    local br_r
    br_r=$(bridge_of "$net_id")
    ctr_server r1 --network right -- tcp:80
    run_d --name l1 --network left -- sleep 3600
    local ip_r1 ip_l1
    ip_r1=$(ctr_ip r1 right)
    ip_l1=$(ctr_ip l1 left)
    refute_reach "tcp l1 -> r1 (isolated)" peer_from_ctr l1 tcp "$ip_r1" 80
    nft add rule inet berth berth-user iifname "$br_l" oifname "$br_r" accept
    nft add rule inet berth berth-user iifname "$br_r" oifname "$br_l" accept
    assert_peer "tcp l1 -> r1 (accepted by the admin)" "$ip_l1" peer_from_ctr l1 tcp "$ip_r1" 80
}

@test "berth-user is never rewritten: run, rm, network create and rm, system reconcile keep the admin's rules" {
    packet_path_free
    create_net --subnet 10.184.3.0/24 unet
    outside_server tcp:7021
    nft add rule inet berth berth-user ip saddr 10.184.3.0/24 ip daddr "$OUT_IP" drop
    nft add rule inet berth berth-user ip saddr 10.184.3.0/24 ip daddr 10.250.0.3 counter accept
    local before
    before=$(berth_user)
    assert_contains "$before" "ip saddr 10.184.3.0/24 ip daddr $OUT_IP drop" "berth-user"
    run_d --name u2 --network unet -p 8130:80 -- sleep 3600
    assert_eq "$(berth_user)" "$before" "berth-user after run"
    berth_ok rm -f u2
    assert_eq "$(berth_user)" "$before" "berth-user after rm"
    create_net --subnet 10.184.4.0/24 other
    assert_eq "$(berth_user)" "$before" "berth-user after network create"
    berth_ok network rm other
    assert_eq "$(berth_user)" "$before" "berth-user after network rm"
    berth_ok system reconcile
    assert_eq "$(berth_user)" "$before" "berth-user after system reconcile"
    berth_ok ps
    assert_eq "$(berth_user)" "$before" "berth-user after ps"
    # and still in force
    run_d --name u3 --network unet -- sleep 3600
    refute_reach "tcp u3 -> outside" peer_from_ctr u3 tcp "$OUT_IP" 7021
}

# ---- a table that went away -------------------------------------------------

# fw_state: table inet berth without handles and counter values: its sets
# and maps by name with their elements sorted, its chains by name, each with
# its rules in order.
fw_state() {
    fw_json | python3 -c '
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("handle", "packets", "bytes")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
def dump(x):
    return json.dumps(x, sort_keys=True)
sets, chains, rules = [], [], {}
for o in json.load(sys.stdin)["nftables"]:
    for kind in ("set", "map"):
        if kind in o:
            s = strip(o[kind])
            s["elem"] = sorted((dump(e) for e in s.get("elem", [])))
            sets.append(kind + " " + dump(s))
    if "chain" in o:
        chains.append(strip(o["chain"]))
    if "rule" in o:
        rules.setdefault(o["rule"]["chain"], []).append(dump(strip(o["rule"]["expr"])))
for line in sorted(sets):
    print(line)
for c in sorted(chains, key=lambda c: c["name"]):
    print("chain " + dump(c))
    for r in rules.get(c["name"], []):
        print("    " + r)
'
}

@test "after nft flush ruleset, the next berth command restores table inet berth, its elements, in one transaction" {
    packet_path_free
    create_net --subnet 10.184.5.0/24 fnet
    ctr_server fl1 --network fnet -p 8140:80 -p 127.0.0.1:8141:80 -- tcp:80
    local ip
    ip=$(ctr_ip fl1 fnet)
    assert_peer "tcp outside -> $HOST_IP:8140" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8140
    local state_fw
    state_fw=$(fw_state)
    nft flush ruleset
    ! fw_table_exists || fail "table inet berth survived nft flush ruleset"
    refute_reach "tcp outside -> $HOST_IP:8140 (flushed)" peer_from_outside tcp "$HOST_IP" 8140

    local gen0 gen1
    gen0=$(nft_gen)
    berth_ok ps
    gen1=$(nft_gen)
    assert_eq "$((gen1 - gen0))" 1 "nftables transactions committed by berth ps"

    fw_table_exists || fail "table inet berth is not back"
    assert_elem ports4_any "tcp . 8140 : $ip . 80"
    assert_elem ports4_addr "127.0.0.1 . tcp . 8141 : $ip . 80"
    assert_eq "$(fw_state)" "$state_fw" "table inet berth after the restore"
    assert_peer "tcp outside -> $HOST_IP:8140 (restored)" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8140
    assert_peer "tcp host -> 127.0.0.1:8141 (restored)" 10.184.5.1 peer_from_host tcp 127.0.0.1 8141
}

@test "berth system reconcile rebuilds a deleted table or element and reports it; with nothing to fix it reports no firewall" {
    packet_path_free
    create_net --subnet 10.184.6.0/24 rnet
    ctr_server rc1 --network rnet -p 8150:80 -- tcp:80
    local ip
    ip=$(ctr_ip rc1 rnet)
    local state_fw
    state_fw=$(fw_state)
    berth_ok system reconcile
    ! grep -qi firewall <<<"$output" || fail "system reconcile reports the firewall with nothing to fix: $output"

    nft delete table inet berth
    berth_ok system reconcile
    grep -qi firewall <<<"$output" || fail "system reconcile does not report the missing table: '$output'"
    assert_eq "$(fw_state)" "$state_fw" "table inet berth after system reconcile"
    assert_peer "tcp outside -> $HOST_IP:8150" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8150

    nft delete element inet berth ports4_any "{ tcp . 8150 }"
    refute_elem ports4_any "tcp . 8150 : $ip . 80"
    berth_ok system reconcile
    grep -qi firewall <<<"$output" || fail "system reconcile does not report the missing element: '$output'"
    assert_elem ports4_any "tcp . 8150 : $ip . 80"
    assert_peer "tcp outside -> $HOST_IP:8150 (element back)" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8150

    berth_ok system reconcile
    ! grep -qi firewall <<<"$output" || fail "system reconcile reports the firewall again: $output"
}

# ---- other firewalls --------------------------------------------------------

# warnings_about WORD...: the lines of $stderr starting with "berth: warning:"
# that contain every WORD.
warnings_about() {
    local line w ok
    while IFS= read -r line; do
        [[ $line == "berth: warning:"* ]] || continue
        ok=1
        for w in "$@"; do
            [[ $line == *"$w"* ]] || ok=0
        done
        [ "$ok" = 1 ] && echo "$line"
    done <<<"$stderr"
}

@test "another table's forward chain with policy drop: the next network create warns once, naming it" {
    packet_path_free
    berth_ok network ls
    nft add table ip filter
    nft add chain ip filter FORWARD '{ type filter hook forward priority 0; policy drop; }'
    create_net --subnet 10.184.7.0/24 warned
    assert_eq "$(warnings_about "ip filter" FORWARD drop | wc -l)" 1 "warnings naming ip filter FORWARD drop" ||
        fail "stderr: $stderr"
    create_net --subnet 10.184.8.0/24 warned2
    assert_eq "$(grep -c '^berth: warning:' <<<"$stderr")" 0 "warnings of the second network create" ||
        fail "stderr: $stderr"
    berth_ok system reconcile
    assert_eq "$(grep -c '^berth: warning:' <<<"$stderr")" 0 "warnings of system reconcile" || fail "stderr: $stderr"
    run_d --network warned -- sleep 3600
    assert_eq "$(grep -c '^berth: warning:' <<<"$stderr")" 0 "warnings of run" || fail "stderr: $stderr"
}

@test "another table's forward chain with policy drop: system reconcile warns once, naming it" {
    packet_path_free
    berth_ok network ls
    nft add table inet fw2
    nft add chain inet fw2 fwd2 '{ type filter hook forward priority 10; policy drop; }'
    berth_ok system reconcile
    assert_eq "$(warnings_about "inet fw2" fwd2 drop | wc -l)" 1 "warnings naming inet fw2 fwd2 drop" ||
        fail "stderr: $stderr"
    berth_ok system reconcile
    assert_eq "$(grep -c '^berth: warning:' <<<"$stderr")" 0 "warnings of the second system reconcile" ||
        fail "stderr: $stderr"
}

# ---- -p refused -------------------------------------------------------------

@test "-p with --network none, container:X or an internal network is refused, nothing created; with host: discarded, a warning" {
    packet_path_free
    create_net --subnet 10.185.0.0/24 pnet
    create_net --internal --subnet 10.185.1.0/24 intnet
    run_d --name base --network pnet -- sleep 3600
    local base_id=$cid
    snapshot_save
    local ports_before
    ports_before=$(fw_ports_snapshot)
    berth_fails 1 "cannot publish ports with --network none" run -d --network none -p 8160:80 -- sleep 3600
    berth_fails 1 "conflicting options: port publishing and the container type network mode" \
        run -d --network container:base -p 8160:80 -- sleep 3600
    berth_fails 1 "cannot publish ports on internal network intnet" run -d --network intnet -p 8160:80 -- sleep 3600
    berth_fails 1 "cannot publish ports on internal network intnet" run --rm --network intnet -p 8160:80 -- true
    assert_unchanged
    assert_eq "$(fw_ports_snapshot)" "$ports_before" "port maps"
    assert_eq "$(berth ps -aq --no-trunc)" "$base_id" "containers"

    berth_ok run --rm --network host -p 8160:80 -- true
    assert_eq "$stderr" "berth: warning: Published ports are discarded when using host network mode" "stderr of run --network host -p"
    assert_eq "$(fw_ports_snapshot)" "$ports_before" "port maps after run --network host -p"
}

@test "a bad -p: Docker's messages, nothing created" {
    packet_path_free
    create_net --subnet 10.185.2.0/24 pnet
    snapshot_save
    berth_fails 1 "invalid containerPort: abc" run -d --network pnet -p abc -- sleep 3600
    berth_fails 1 "invalid hostPort: x" run -d --network pnet -p x:80 -- sleep 3600
    berth_fails 1 "invalid proto: icmp" run -d --network pnet -p 80/icmp -- sleep 3600
    berth_fails 1 "invalid ranges specified for container and host Ports: 80-82 and 8000-8001" \
        run -d --network pnet -p 8000-8001:80-82 -- sleep 3600
    berth_fails 1 "invalid containerPort: abc" run -d --network pnet --publish 8080:abc -- sleep 3600
    assert_unchanged
    assert_eq "$(berth ps -aq)" "" "containers"
}
