#!/usr/bin/env bats
#
# Every refusal of berth network create from docs/cli.md: the exact message on
# stderr ("berth: error: ..."), exit 1 (2 for usage errors), and nothing
# changed: no new row in berth network ls, no new link, no new address.

load helpers

# refused CODE MESSAGE ARGS...: berth ARGS is refused with MESSAGE and changes nothing.
refused() {
    snapshot_save
    berth_fails "$@"
    assert_eq "$output" "" "stdout of a refused command"
    assert_unchanged
}

setup() {
    berth_ok network ls # the predefined networks exist before the snapshots
}

teardown() {
    berth_cleanup
}

# ---- subnet -----------------------------------------------------------------

@test "--subnet abc: not a CIDR address" {
    refused 1 'invalid subnet "abc": not a CIDR address (e.g. 10.1.0.0/24 or fd00:1::/64)' \
        network create --subnet abc net1
}

@test "--subnet 10.0.0.300/24: not a CIDR address" {
    refused 1 'invalid subnet "10.0.0.300/24": not a CIDR address (e.g. 10.1.0.0/24 or fd00:1::/64)' \
        network create --subnet 10.0.0.300/24 net1
}

@test "--subnet without a prefix length: not a CIDR address" {
    refused 1 'invalid subnet "10.0.0.0": not a CIDR address (e.g. 10.1.0.0/24 or fd00:1::/64)' \
        network create --subnet 10.0.0.0 net1
}

@test "--subnet 10.0.0.0/33: prefix length must be 0-32" {
    refused 1 'invalid subnet "10.0.0.0/33": prefix length must be 0-32 for IPv4' \
        network create --subnet 10.0.0.0/33 net1
}

@test "--subnet 10.0.0.0/7: prefix length must be between /8 and /30" {
    refused 1 'subnet 10.0.0.0/7: IPv4 prefix length must be between /8 and /30' \
        network create --subnet 10.0.0.0/7 net1
}

@test "--subnet 10.0.0.0/31: prefix length must be between /8 and /30" {
    refused 1 'subnet 10.0.0.0/31: IPv4 prefix length must be between /8 and /30' \
        network create --subnet 10.0.0.0/31 net1
}

@test "--subnet 10.0.0.0/32: prefix length must be between /8 and /30" {
    refused 1 'subnet 10.0.0.0/32: IPv4 prefix length must be between /8 and /30' \
        network create --subnet 10.0.0.0/32 net1
}

@test "the prefix bounds /8 and /30 are accepted" {
    create_net --subnet 10.0.0.0/8 wide
    assert_addr "$(bridge_of "$net_id")" 10.0.0.1/8
    berth_ok network rm wide
    create_net --subnet 10.0.0.0/30 narrow
    assert_addr "$(bridge_of "$net_id")" 10.0.0.1/30
}

@test "--subnet 10.0.0.1/24: host bits are set" {
    refused 1 'invalid subnet "10.0.0.1/24": host bits are set (did you mean 10.0.0.0/24?)' \
        network create --subnet 10.0.0.1/24 net1
}

# ---- gateway ----------------------------------------------------------------

@test "--gateway x: not an IP address" {
    refused 1 'invalid gateway "x": not an IP address' \
        network create --subnet 10.1.0.0/24 --gateway x net1
}

@test "--gateway with a prefix length is not an IP address" {
    refused 1 'invalid gateway "10.1.0.1/24": not an IP address' \
        network create --subnet 10.1.0.0/24 --gateway 10.1.0.1/24 net1
}

@test "--gateway outside the subnet" {
    refused 1 'gateway 10.9.0.1 is outside subnet 10.1.0.0/24' \
        network create --subnet 10.1.0.0/24 --gateway 10.9.0.1 net1
}

@test "--gateway = the network address" {
    refused 1 'gateway 10.1.0.0 is the network address of subnet 10.1.0.0/24' \
        network create --subnet 10.1.0.0/24 --gateway 10.1.0.0 net1
}

@test "--gateway = the broadcast address" {
    refused 1 'gateway 10.1.0.255 is the broadcast address of subnet 10.1.0.0/24' \
        network create --subnet 10.1.0.0/24 --gateway 10.1.0.255 net1
}

@test "--gateway without --subnet" {
    refused 1 '--gateway requires --subnet' network create --gateway 10.1.0.1 net1
}

# ---- ip-range ---------------------------------------------------------------

@test "--ip-range x: not a CIDR address" {
    refused 1 'invalid ip-range "x": not a CIDR address (e.g. 10.1.0.0/24 or fd00:1::/64)' \
        network create --subnet 10.1.0.0/24 --ip-range x net1
}

@test "--ip-range outside the subnet" {
    refused 1 'ip-range 10.9.0.0/25 is outside subnet 10.1.0.0/24' \
        network create --subnet 10.1.0.0/24 --ip-range 10.9.0.0/25 net1
}

@test "--ip-range larger than the subnet is outside it" {
    refused 1 'ip-range 10.1.0.0/23 is outside subnet 10.1.0.0/24' \
        network create --subnet 10.1.0.0/24 --ip-range 10.1.0.0/23 net1
}

@test "--ip-range without --subnet" {
    refused 1 '--ip-range requires --subnet' network create --ip-range 10.1.0.0/25 net1
}

# ---- overlap and names ------------------------------------------------------

@test "a subnet overlapping another network's is refused" {
    create_net --subnet 10.1.0.0/16 net1
    refused 1 'subnet 10.1.0.0/24 overlaps with network "net1" (10.1.0.0/16)' \
        network create --subnet 10.1.0.0/24 net2
}

@test "a subnet containing another network's is refused" {
    create_net --subnet 10.2.3.0/24 net1
    refused 1 'subnet 10.2.0.0/16 overlaps with network "net1" (10.2.3.0/24)' \
        network create --subnet 10.2.0.0/16 net2
}

@test "a subnet overlapping the predefined bridge network is refused" {
    refused 1 'subnet 172.17.1.0/24 overlaps with network "bridge" (172.17.0.0/16)' \
        network create --subnet 172.17.1.0/24 net2
}

@test "a duplicate name is refused" {
    create_net --subnet 10.1.0.0/24 net1
    refused 1 'network with name net1 already exists' \
        network create --subnet 10.3.0.0/24 net1
}

@test "the name of a predefined network is taken" {
    refused 1 'network with name bridge already exists' network create --subnet 10.3.0.0/24 bridge
    refused 1 'network with name none already exists' network create --subnet 10.3.0.0/24 none
}

@test "a name starting with '-' is refused" {
    refused 1 'invalid network name "-x": must match [a-zA-Z0-9][a-zA-Z0-9_.-]*' \
        network create -- -x
}

@test "names starting with '_' or '.', or holding '/' or a space, are refused" {
    local name
    for name in _x .x a/b 'a b' 'né'; do
        refused 1 "invalid network name \"$name\": must match [a-zA-Z0-9][a-zA-Z0-9_.-]*" \
            network create "$name"
    done
}

@test "a name longer than 64 characters is refused" {
    local name
    name=$(printf 'a%.0s' {1..65})
    snapshot_save
    run --separate-stderr berth network create "$name"
    assert_eq "$status" 1 "exit status"
    # the docs abbreviate the name as "aaa..."; accept it in full or cut with "..."
    assert_match "$stderr" '^berth: error: invalid network name "a+(\.\.\.)?": longer than 64 characters$' \
        "stderr"
    assert_unchanged
}

# ---- driver and options -----------------------------------------------------

@test "an unknown driver is refused" {
    refused 1 'unknown network driver "foo" (available: bridge, macvlan)' network create -d foo net1
    refused 1 'unknown network driver "foo" (available: bridge, macvlan)' network create --driver foo net1
}

@test "-d host / -d null: only one instance is allowed" {
    refused 1 'only one instance of "host" network is allowed' network create -d host net1
    refused 1 'only one instance of "null" network is allowed' network create -d null net1
}

@test "an unknown option is refused" {
    refused 1 'unknown option "foo" for driver bridge' network create -o foo=1 net1
    refused 1 'unknown option "foo" for driver bridge' network create --opt foo=1 net1
}

@test "an option without '=' is refused" {
    refused 1 'invalid option "foo": expected KEY=VALUE' network create -o foo net1
    refused 1 'invalid label: not valid UTF-8' network create --label $'team=\xff' net1
    refused 1 'invalid option: not valid UTF-8' network create -o $'com.docker.network.bridge.name=br\xc3' net1
}

@test "a bad MTU is refused" {
    local mtu
    for mtu in abc 67 65536 -1 1400x '' ' 1400' '1400 ' 1e3; do
        refused 1 "invalid value \"$mtu\" for option com.docker.network.driver.mtu: must be a number from 68 to 65535" \
            network create -o "com.docker.network.driver.mtu=$mtu" net1
    done
}

@test "a bad bridge name is refused" {
    local name
    # a quote, '$' or a non-ASCII letter would reach `nft list ruleset`,
    # which nft -f then refuses as a whole (tests/tap-exec checks that
    # every file leaves a ruleset that loads)
    for name in a/b 'a b' abcdefghijklmnop '' . .. 'br"x' "br'x" 'br$x' 'brü' 'x*' '@x' 'a;b' 'a\b'; do
        refused 1 "invalid value \"$name\" for option com.docker.network.bridge.name: an interface name is 1-15 characters of A-Z, a-z, 0-9, '_', '.' and '-'" \
            network create -o "com.docker.network.bridge.name=$name" net1
    done
    refused 1 'invalid value "lo" for option com.docker.network.bridge.name: the loopback interface' \
        network create -o com.docker.network.bridge.name=lo net1
}

@test "loopback, unspecified, link-local and multicast subnets are refused" {
    refused 1 'subnet 127.0.0.0/8 overlaps 127.0.0.0/8, which is loopback: containers cannot use it' \
        network create --subnet 127.0.0.0/8 net1
    refused 1 'subnet 127.1.0.0/16 overlaps 127.0.0.0/8, which is loopback: containers cannot use it' \
        network create --subnet 127.1.0.0/16 net1
    refused 1 'subnet 0.0.0.0/8 overlaps 0.0.0.0/8, which is "this network" (unspecified): containers cannot use it' \
        network create --subnet 0.0.0.0/8 net1
    refused 1 'subnet 169.254.0.0/16 overlaps 169.254.0.0/16, which is link-local: containers cannot use it' \
        network create --subnet 169.254.0.0/16 net1
    refused 1 'subnet 239.1.0.0/16 overlaps 224.0.0.0/4, which is multicast: containers cannot use it' \
        network create --subnet 239.1.0.0/16 net1
    refused 1 'subnet 224.0.0.0/8 overlaps 224.0.0.0/4, which is multicast: containers cannot use it' \
        network create -d macvlan -o parent=lo --subnet 224.0.0.0/8 net1
}

@test "a bridge name with '%' (a kernel name template) is refused and leaves no link" {
    # the kernel would turn x%d into x0, x1, ...: not the name asked for
    refused 1 "invalid value \"x%d\" for option com.docker.network.bridge.name: an interface name is 1-15 characters of A-Z, a-z, 0-9, '_', '.' and '-'" \
        network create -o 'com.docker.network.bridge.name=x%d' --subnet 10.6.2.0/24 net1
}

@test "a bridge name used by another network is refused" {
    create_net -o com.docker.network.bridge.name=br0 --subnet 10.4.0.0/24 net1
    refused 1 'bridge name br0 is already used by network "net1"' \
        network create -o com.docker.network.bridge.name=br0 --subnet 10.5.0.0/24 net2
}

@test "the predefined bridge's berth0 is a name used by a network" {
    refused 1 'bridge name berth0 is already used by network "bridge"' \
        network create -o com.docker.network.bridge.name=berth0 --subnet 10.5.0.0/24 net2
}

@test "a bridge name taken by a foreign link: the kernel's refusal, no row, the link untouched" {
    ip link add br0 type bridge
    local before_link
    before_link=$(ip -d link show dev br0)
    snapshot_save
    berth_fails 1 'creating bridge br0: File exists' \
        network create -o com.docker.network.bridge.name=br0 --subnet 10.6.0.0/24 net2
    assert_unchanged
    refute_contains "$(berth network ls)" net2 "berth network ls"
    assert_link br0
    assert_eq "$(ip -d link show dev br0)" "$before_link" "the foreign bridge br0"
    assert_eq "$(addrs_of br0)" "" "addresses of the foreign bridge"
    # the refused create left no trace: the name net2 is free
    create_net --subnet 10.6.0.0/24 net2
}

@test "a bridge name taken by a foreign veth: refused, the veth untouched" {
    add_veth fv0
    snapshot_save
    berth_fails 1 'creating bridge fv0: File exists' \
        network create -o com.docker.network.bridge.name=fv0 --subnet 10.6.1.0/24 net3
    assert_unchanged
    assert_match "$(ip -d link show dev fv0)" 'veth' "kind of fv0"
}

# ---- the same refusals under concurrency -----------------------------------

# race N ARGS...: run N "berth network create ARGS NAME_i" in parallel, where
# ARGS may contain @ for i; count successes in $wins, keep stderr in err.$i.
race() {
    local n=$1 i pids=()
    shift
    for i in $(seq 1 "$n"); do
        berth network create "${@//@/$i}" >"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" &
        pids+=($!)
    done
    wins=0
    for i in $(seq 1 "$n"); do
        if wait "${pids[$((i - 1))]}"; then wins=$((wins + 1)); winner=$i; fi
    done
}

@test "6 parallel creates of one name: one network, the others refused" {
    local links_before
    links_before=$(link_names)
    race 6 --subnet 10.7.@.0/24 samename
    assert_eq "$wins" 1 "number of successful creates"
    local i
    for i in $(seq 1 6); do
        [ "$i" = "$winner" ] ||
            assert_eq "$(cat "$BATS_TEST_TMPDIR/err.$i")" "berth: error: network with name samename already exists" \
                "stderr of create $i"
    done
    assert_eq "$(berth network ls -q -f name=samename | wc -l)" 1 "networks named samename"
    assert_eq "$(comm -13 <(echo "$links_before") <(link_names) | wc -l)" 1 "number of new links"
}

@test "6 parallel creates of one subnet: one network, the others refused" {
    race 6 --subnet 10.8.0.0/24 overlap@
    assert_eq "$wins" 1 "number of successful creates"
    local i
    for i in $(seq 1 6); do
        [ "$i" = "$winner" ] ||
            assert_eq "$(cat "$BATS_TEST_TMPDIR/err.$i")" \
                "berth: error: subnet 10.8.0.0/24 overlaps with network \"overlap$winner\" (10.8.0.0/24)" \
                "stderr of create $i"
    done
    assert_eq "$(ip -4 -o addr show | grep -c ' 10\.8\.0\.')" 1 "addresses in 10.8.0.0/24"
}

@test "6 parallel creates of one bridge name: one network, the others refused" {
    race 6 -o com.docker.network.bridge.name=racebr --subnet 10.9.@.0/24 racer@
    assert_eq "$wins" 1 "number of successful creates"
    local i
    for i in $(seq 1 6); do
        [ "$i" = "$winner" ] ||
            assert_eq "$(cat "$BATS_TEST_TMPDIR/err.$i")" \
                "berth: error: bridge name racebr is already used by network \"racer$winner\"" \
                "stderr of create $i"
    done
    assert_bridge_up racebr
    assert_addr racebr "10.9.$winner.1/24"
    assert_eq "$(berth network ls -q -f type=custom | wc -l)" 1 "custom networks"
}

# ---- usage errors (exit 2) --------------------------------------------------

@test "create without a name is a usage error" {
    snapshot_save
    berth_usage_error network create
    assert_unchanged
}

@test "create with two names is a usage error" {
    snapshot_save
    berth_usage_error network create net1 net2
    assert_unchanged
}

@test "an unknown flag is a usage error" {
    snapshot_save
    berth_usage_error network create --bogus net1
    assert_unchanged
}

@test "a flag missing its value is a usage error" {
    snapshot_save
    berth_usage_error network create --subnet
    assert_unchanged
}
