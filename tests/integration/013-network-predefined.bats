#!/usr/bin/env bats
#
# The predefined networks: from the first berth command that opens the state
# there are "bridge" (driver bridge, Linux bridge berth0, 172.17.0.0/16),
# "host" (driver host) and "none" (driver null).  They cannot be removed and
# prune leaves them alone.

load helpers

teardown() {
    berth_cleanup
}

# The first test runs on the fresh state tap-exec gives this file.
@test "on a fresh state, network ls shows bridge, host and none" {
    [ ! -e "$BERTH_ROOT/berth.db" ] || fail "the state is not fresh: $BERTH_ROOT/berth.db exists"
    berth_ok network ls
    assert_eq "${#lines[@]}" 4 "number of lines (header and 3 rows)"
    assert_match "${lines[0]}" '^NETWORK ID +NAME +DRIVER +SCOPE$' "header"
    assert_match "${lines[1]}" '^[0-9a-f]{12} +bridge +bridge +local$' "row 1"
    assert_match "${lines[2]}" '^[0-9a-f]{12} +host +host +local$' "row 2"
    assert_match "${lines[3]}" '^[0-9a-f]{12} +none +null +local$' "row 3"
}

@test "the state was created in BERTH_ROOT" {
    [ -f "$BERTH_ROOT/berth.db" ] || fail "no $BERTH_ROOT/berth.db"
}

@test "berth0 exists in the kernel: a bridge, up, with 172.17.0.1/16" {
    assert_bridge_up berth0
    assert_addr berth0 172.17.0.1/16
}

@test "inspect bridge: driver bridge, 172.17.0.0/16, gateway 172.17.0.1" {
    assert_eq "$(net_get bridge 'd["Name"]')" bridge "Name"
    assert_eq "$(net_get bridge 'd["Driver"]')" bridge "Driver"
    assert_eq "$(net_get bridge 'd["Scope"]')" local "Scope"
    assert_eq "$(net_subnet bridge)" 172.17.0.0/16 "Subnet"
    assert_eq "$(net_gateway bridge)" 172.17.0.1 "Gateway"
    assert_match "$(net_id_of bridge)" "$HEX64" "Id"
}

@test "inspect host and none: drivers host and null" {
    assert_eq "$(net_get host 'd["Driver"]')" host "Driver of host"
    assert_eq "$(net_get none 'd["Driver"]')" null "Driver of none"
    assert_eq "$(net_get host 'd["Scope"]')" local "Scope of host"
    assert_eq "$(net_get none 'd["Scope"]')" local "Scope of none"
    assert_match "$(net_id_of host)" "$HEX64" "Id of host"
    assert_match "$(net_id_of none)" "$HEX64" "Id of none"
}

@test "the predefined networks are created once: same IDs on every command" {
    local before after
    before=$(berth network ls -q --no-trunc)
    create_net --subnet 10.40.0.0/24 other
    berth_ok network rm other
    after=$(berth network ls -q --no-trunc)
    assert_eq "$after" "$before" "IDs of the predefined networks"
    assert_eq "$(berth network ls -q | wc -l)" 3 "number of networks"
    assert_eq "$(link_names | grep -c '^berth0$')" 1 "number of berth0 links"
}

@test "rm bridge is refused and berth0 stays" {
    snapshot_save
    berth_fails 1 'bridge is a pre-defined network and cannot be removed' network rm bridge
    assert_unchanged
    assert_bridge_up berth0
    assert_addr berth0 172.17.0.1/16
}

@test "rm host is refused" {
    snapshot_save
    berth_fails 1 'host is a pre-defined network and cannot be removed' network rm host
    assert_unchanged
}

@test "rm none is refused" {
    snapshot_save
    berth_fails 1 'none is a pre-defined network and cannot be removed' network remove none
    assert_unchanged
}

@test "rm by ID or ID prefix of a predefined network is refused by its name" {
    local id
    id=$(net_id_of bridge)
    snapshot_save
    berth_fails 1 'bridge is a pre-defined network and cannot be removed' network rm "$id"
    berth_fails 1 'bridge is a pre-defined network and cannot be removed' network rm "${id:0:12}"
    id=$(net_id_of none)
    berth_fails 1 'none is a pre-defined network and cannot be removed' network rm "$id"
    assert_unchanged
}

@test "rm of all three at once: three errors, nothing removed" {
    snapshot_save
    run --separate-stderr berth network rm bridge host none
    assert_eq "$status" 1 "exit status"
    assert_eq "$output" "" "stdout"
    assert_eq "$stderr" "berth: error: bridge is a pre-defined network and cannot be removed
berth: error: host is a pre-defined network and cannot be removed
berth: error: none is a pre-defined network and cannot be removed" "stderr"
    assert_unchanged
}

@test "prune -f leaves the predefined networks and berth0" {
    create_net --subnet 10.40.1.0/24 prunable
    berth_ok network prune -f
    assert_eq "$output" "Deleted Networks:
prunable" "stdout of prune"
    berth_ok network ls
    assert_eq "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $2 }')" "bridge
host
none" "networks after prune"
    assert_bridge_up berth0
    assert_addr berth0 172.17.0.1/16
}

@test "type=builtin lists exactly the predefined networks" {
    create_net --subnet 10.40.2.0/24 custom1
    berth_ok network ls -f type=builtin
    assert_eq "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $2 }')" "bridge
host
none" "builtin networks"
}

@test "--root on a new state in a fresh namespace creates the predefined networks there" {
    local root=$BATS_TEST_TMPDIR/root2 run=$BATS_TEST_TMPDIR/run2
    mkdir -p "$root" "$run"
    run --separate-stderr unshare --net -- bash -c '
        berth --root "$1" --run-dir "$2" network ls &&
        ip -4 -o addr show dev berth0' _ "$root" "$run"
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_match "${lines[1]}" '^[0-9a-f]{12} +bridge +bridge +local$' "row 1"
    assert_match "${lines[4]}" ' inet 172\.17\.0\.1/16 ' "address of berth0 in the new namespace"
}

@test "8 commands racing on a fresh state create the predefined networks once" {
    local root=$BATS_TEST_TMPDIR/root3 run=$BATS_TEST_TMPDIR/run3
    mkdir -p "$root" "$run"
    run --separate-stderr unshare --net -- bash -c '
        export BERTH_ROOT=$1 BERTH_RUNDIR=$2
        pids=()
        for i in 1 2 3 4; do berth network ls >/dev/null & pids+=($!); done
        for i in 1 2 3 4; do berth network create "racer$i" >/dev/null & pids+=($!); done
        for p in "${pids[@]}"; do wait "$p" || echo "a command failed" >&2; done
        berth network ls
        ip -o link show | grep -c " berth0:"' _ "$root" "$run"
    assert_eq "$status" 0 "exit status"
    # one of them turned forwarding on and said so; nothing else is said
    assert_eq "$(grep -c 'enabled IPv4 forwarding' <<<"$stderr")" 1 "forwarding notices"
    assert_eq "$(grep -v 'enabled IPv4 forwarding' <<<"$stderr")" "" "stderr"
    assert_eq "$(printf '%s\n' "${lines[@]:1:7}" | awk '{ print $2 }' | tr '\n' ' ')" \
        "bridge host none racer1 racer2 racer3 racer4 " "networks"
    assert_eq "${lines[-1]}" 1 "berth0 links"
}
