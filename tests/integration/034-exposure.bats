#!/usr/bin/env bats
#
# The exposure matrix: from each place a packet can come from (the
# outside, routing the container subnets via the host; the host; a
# container of another network; one of the same network, of an --internal
# network, of an enable_icc=false network), what each container's port
# answers, unpublished (its own address) and published (the host's
# address). One table, one test per address family.
#
# Test bed (fw_helpers.bash): host uplink 10.250.0.1, fd00:250::1 <->
# outside 10.250.0.2, fd00:250::2.
# Subnets: 10.184.0.0/16, fd00:84::/32.

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

# matrix_bed SPEC SUBNETS_FN: networks nets_a, nets_b, nets_i (--internal)
# and nets_q (enable_icc=false), created with `SUBNETS_FN N` (N = 1..4)
# as their subnet arguments; a server on SPEC in a1 (publishing 8080:80),
# a2, b1, i1, i2, q1 and q2.
matrix_bed() {
    local spec=$1 subnets=$2 c
    # shellcheck disable=SC2046 # the subnet arguments split into words
    {
        create_net $("$subnets" 1) nets_a
        create_net $("$subnets" 2) nets_b
        create_net --internal $("$subnets" 3) nets_i
        create_net $("$subnets" 4) -o com.docker.network.bridge.enable_icc=false nets_q
    }
    ctr_server a1 --network nets_a -p 8080:80 -- "$spec"
    for c in a2:nets_a b1:nets_b i1:nets_i i2:nets_i q1:nets_q q2:nets_q; do
        ctr_server "${c%%:*}" --network "${c#*:}" -- "$spec"
    done
}
subnets4() { echo "--subnet 10.184.$1.0/24"; }
subnets6() { echo "--ipv6 --subnet 10.184.1$1.0/24 --subnet fd00:84:$1::/64"; }

# matrix_wrong: a line for each cell of MATRIX4 whose answer differs;
# the caller's associative arrays addr and port say where each target is.
matrix_wrong() {
    local src dst want got
    while read -r src dst want; do
        [ -n "$src" ] || continue
        got=no
        reach_from "$src" "${addr[$dst]}" "${port[$dst]}" && got=yes
        [ "$got" = "$want" ] || echo "$src -> $dst (${addr[$dst]}:${port[$dst]}): expected $want, got $got"
    done <<<"$MATRIX4"
}

@test "IPv4: who reaches what, published and not" {
    matrix_bed tcp:80 subnets4
    outside_route 10.184.0.0/16
    declare -A addr=([a1]=$(ctr_ip a1 nets_a) [b1]=$(ctr_ip b1 nets_b) [i1]=$(ctr_ip i1 nets_i)
        [q1]=$(ctr_ip q1 nets_q) [pub]=$HOST_IP)
    declare -A port=([a1]=80 [b1]=80 [i1]=80 [q1]=80 [pub]=8080)
    local wrong
    wrong=$(matrix_wrong)
    [ -z "$wrong" ] || fail "cells of the IPv4 exposure matrix that differ:" "$wrong"
}

@test "IPv6: who reaches what, published and not (the same table)" {
    matrix_bed tcp6:80 subnets6
    outside_route fd00:84::/32
    declare -A addr=([a1]=fd00:84:1::2 [b1]=fd00:84:2::2 [i1]=fd00:84:3::2 [q1]=fd00:84:4::2 [pub]=$HOST_IP6)
    declare -A port=([a1]=80 [b1]=80 [i1]=80 [q1]=80 [pub]=8080)
    local wrong
    wrong=$(matrix_wrong)
    [ -z "$wrong" ] || fail "cells of the IPv6 exposure matrix that differ:" "$wrong"
}
