#!/usr/bin/env bats
# A berth process can die anywhere (SIGKILL, power loss). The store records
# every network as "pending" (create) or "removing" (rm) with the owner's pid
# and start time before touching the kernel; the next berth command rolls
# back what a dead owner left. After a reboot the run dir (tmpfs) is empty
# and the bridges are gone: the first command re-creates them from the store.

load helpers

teardown() {
    berth_cleanup
}

db() { sqlite3 "$BERTH_ROOT/berth.db" "$@"; }

# A pid that is certainly dead: a child that already exited.
dead_pid() {
    bash -c 'echo $$'
}

@test "a network left pending by a dead berth process is rolled back, bridge and all" {
    create_net --subnet 10.61.0.0/24 crashed
    local id=$net_id br
    br=$(bridge_of "$id")
    assert_link "$br"
    # What a berth killed between its kernel steps and "active" leaves.
    db "UPDATE networks SET state='pending', owner_pid=$(dead_pid), owner_start=1 WHERE id='$id';"

    berth_ok network ls
    refute_contains "$output" crashed "ls after the crash"
    refute_link "$br"
    assert_eq "$(db "SELECT COUNT(*) FROM networks WHERE id='$id';")" 0 "rows of the crashed network"
    assert_eq "$(db "SELECT COUNT(*) FROM leases WHERE network_id='$id';")" 0 "leases of the crashed network"
    # its name and subnet are free again
    create_net --subnet 10.61.0.0/24 crashed
}

@test "a network left half-removed by a dead berth process is removed" {
    create_net --subnet 10.62.0.0/24 halfgone
    local id=$net_id
    db "UPDATE networks SET state='removing', owner_pid=$(dead_pid), owner_start=1 WHERE id='$id';"

    berth_ok network ls
    refute_contains "$output" halfgone
    refute_link "$(bridge_of "$id")"
    assert_eq "$(db "SELECT COUNT(*) FROM networks WHERE id='$id';")" 0 "rows of the network"
}

@test "a pending network whose owner is alive is left alone and hidden" {
    create_net --subnet 10.63.0.0/24 inflight
    local id=$net_id
    sleep 30 &
    local owner=$!
    local start
    start=$(awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[20] }' "/proc/$owner/stat")
    db "UPDATE networks SET state='pending', owner_pid=$owner, owner_start=$start WHERE id='$id';"

    berth_ok network ls
    refute_contains "$output" inflight "ls while another process creates it"
    assert_link "$(bridge_of "$id")"
    run --separate-stderr berth network create --subnet 10.63.0.0/24 again
    [ "$status" -eq 1 ]
    assert_contains "$stderr" 'overlaps with network "inflight"'

    kill "$owner"
    wait "$owner" || true
    berth_ok network ls
    refute_link "$(bridge_of "$id")"
}

@test "after a reboot the first command re-creates the bridges from the store" {
    create_net --subnet 10.64.0.0/24 -o com.docker.network.driver.mtu=1400 survivor
    local br
    br=$(bridge_of "$net_id")
    # A reboot: the kernel's bridges are gone and so is the tmpfs run dir.
    ip link del "$br"
    ip link del berth0
    rm -rf "${BERTH_RUNDIR:?}"/*

    berth_ok network ls
    assert_contains "$output" survivor
    assert_bridge_up "$br"
    assert_addr "$br" 10.64.0.1/24
    assert_eq "$(mtu_of "$br")" 1400 "MTU of the restored bridge"
    assert_bridge_up berth0
    assert_addr berth0 172.17.0.1/16
}

@test "a removed bridge is gone when rm returns: its name and subnet are free at once" {
    create_net --subnet 10.65.0.0/24 -o com.docker.network.bridge.name=br-short shortlived
    berth_ok network rm shortlived
    refute_link br-short
    assert_eq "$(ip -4 -o addr show | grep -c ' 10\.65\.0\.')" 0 "addresses in 10.65.0.0/24 left on the host"
    # the kernel may still be unregistering the old one: nothing waits for it
    create_net --subnet 10.65.0.0/24 -o com.docker.network.bridge.name=br-short shortlived
    assert_addr br-short 10.65.0.1/24
}
