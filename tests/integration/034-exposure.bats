#!/usr/bin/env bats
#
# The exposure matrix: from each place a packet can come from (the
# outside, routing the container subnets via the host; the host; a
# container of another network; one of the same network, of an --internal
# network, of an enable_icc=false network), what each container's port
# answers, unpublished (its own address) and published (the host's
# address). One table, one test per address family. IPv4 today; IPv6
# joins when networks have it.
#
# Test bed (fw_helpers.bash): host uplink 10.250.0.1 <-> outside 10.250.0.2.
# Subnets: 10.184.0.0/16.

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

# reach_from SOURCE IP PORT: a tcp connection from SOURCE (outside, host,
# or a container's name) gets an answer within FW_SHORT seconds
reach_from() {
    local src=$1 ip=$2 port=$3
    case $src in
    outside) FW_TIMEOUT=$FW_SHORT peer_from_outside tcp "$ip" "$port" ;;
    host) FW_TIMEOUT=$FW_SHORT peer_from_host tcp "$ip" "$port" ;;
    *) FW_TIMEOUT=$FW_SHORT peer_from_ctr "$src" tcp "$ip" "$port" ;;
    esac >/dev/null 2>&1
}

# The matrix: SOURCE TARGET EXPECTED, TARGET a container (its own address,
# port 80) or pub (the host's address, port 8080, published by a1).
MATRIX4='
outside  a1   no
outside  pub  yes
outside  i1   no
outside  q1   no
host     a1   yes
host     pub  yes
host     i1   yes
host     q1   yes
b1       a1   no
b1       pub  yes
b1       i1   no
b1       q1   no
a2       a1   yes
a2       pub  yes
i2       i1   yes
i2       a1   no
i2       pub  no
q2       q1   no
q2       pub  yes
a1       b1   no
'

@test "IPv4: who reaches what, published and not" {
    create_net --subnet 10.184.1.0/24 nets_a
    create_net --subnet 10.184.2.0/24 nets_b
    create_net --internal --subnet 10.184.3.0/24 nets_i
    create_net --subnet 10.184.4.0/24 -o com.docker.network.bridge.enable_icc=false nets_q
    ctr_server a1 --network nets_a -p 8080:80 -- tcp:80
    ctr_server a2 --network nets_a -- tcp:80
    ctr_server b1 --network nets_b -- tcp:80
    ctr_server i1 --network nets_i -- tcp:80
    ctr_server i2 --network nets_i -- tcp:80
    ctr_server q1 --network nets_q -- tcp:80
    ctr_server q2 --network nets_q -- tcp:80
    outside_route 10.184.0.0/16
    declare -A addr=([a1]=$(ctr_ip a1 nets_a) [b1]=$(ctr_ip b1 nets_b) [i1]=$(ctr_ip i1 nets_i)
        [q1]=$(ctr_ip q1 nets_q) [pub]=$HOST_IP)
    declare -A port=([a1]=80 [b1]=80 [i1]=80 [q1]=80 [pub]=8080)
    local src dst want got wrong=()
    while read -r src dst want; do
        [ -n "$src" ] || continue
        got=no
        reach_from "$src" "${addr[$dst]}" "${port[$dst]}" && got=yes
        [ "$got" = "$want" ] || wrong+=("$src -> $dst (${addr[$dst]}:${port[$dst]}): expected $want, got $got")
    done <<<"$MATRIX4"
    [ ${#wrong[@]} -eq 0 ] || fail "cells of the IPv4 exposure matrix that differ:" "${wrong[@]}"
}
