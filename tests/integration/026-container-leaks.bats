#!/usr/bin/env bats
#
# Nothing leaks: after stop, rm, disconnect, a container killed with SIGKILL,
# or a monitor killed with SIGKILL and then its container, the host veth,
# the sandbox bind mount and the address are gone (the address free for the
# next container).  50 containers started at once on one network all get
# distinct addresses.

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

teardown() {
    container_teardown
}

# assert_released ID VETH NET IP: the container's endpoint on NET is gone:
# no sandbox bind mount, the host veth gone (the kernel may take a moment),
# and IP free: a new container gets it.
assert_released() {
    local id=$1 veth=$2 net=$3 ip=$4
    refute_sandbox "$id" || return 1
    wait_link_gone "$veth" || return 1
    assert_eq "$(net_get "$net" 'sorted(d["Containers"])')" "[]" "Containers of $net" || return 1
    run_d --network "$net" --ip "$ip" -- sleep 3600 || return 1
    assert_eq "$(ctr_ip "$cid" "$net")" "$ip" "address of the next container"
}


@test "after stop: veth, sandbox and address released" {
    create_net --subnet 10.170.0.0/24 lnet
    snapshot_save
    run_d --name st --network lnet --ip 10.170.0.5 -- sleep 3600
    local id=$cid veth
    veth=$(host_veth st)
    berth_ok stop -t 1 st
    assert_released "$id" "$veth" lnet 10.170.0.5
}

@test "after stop and rm, links and addresses are as before the run" {
    create_net --subnet 10.170.1.0/24 lnet
    snapshot_save
    run_d --name st2 --network lnet -- sleep 3600
    berth_ok stop -t 1 st2
    berth_ok rm st2
    links_settle
    assert_eq "$(ls -A "$BERTH_RUNDIR/netns" 2>/dev/null)" "" "sandboxes left"
    [ ! -e "$BERTH_ROOT/containers/$cid" ] || fail "$BERTH_ROOT/containers/$cid is left behind"
}

@test "after rm -f: veth, sandbox and address released" {
    create_net --subnet 10.170.2.0/24 lnet
    run_d --name rf --network lnet --ip 10.170.2.5 -- sleep 3600
    local id=$cid veth
    veth=$(host_veth rf)
    berth_ok rm -f rf
    assert_released "$id" "$veth" lnet 10.170.2.5
}

@test "after a foreground container exits: released" {
    create_net --subnet 10.170.3.0/24 lnet
    snapshot_save
    berth_ok run --network lnet --ip 10.170.3.5 --name fg -- true
    local id
    id=$(ctr_id fg)
    refute_sandbox "$id"
    links_settle
    berth_ok run --rm --network lnet --ip 10.170.3.5 -- true
    links_settle
}

@test "after disconnect: veth released, address free, the container keeps eth0" {
    create_net --subnet 10.170.4.0/24 lnet
    create_net --subnet 10.170.5.0/24 lnet2
    run_d --name dc --network lnet -- sleep 3600
    local id=$cid
    berth_ok network connect --ip 10.170.5.5 lnet2 dc
    local veth1
    veth1=$(host_veth dc eth1)
    berth_ok network disconnect lnet2 dc
    wait_link_gone "$veth1"
    assert_sandbox "$id"
    assert_eq "$(net_get lnet2 'sorted(d["Containers"])')" "[]" "Containers of lnet2"
    run_d --network lnet2 --ip 10.170.5.5 -- sleep 3600
}

@test "after kill -9 of the container process: exited (137), released" {
    create_net --subnet 10.170.6.0/24 lnet
    run_d --name k9 --network lnet --ip 10.170.6.5 -- sleep 3600
    local id=$cid veth pid
    veth=$(host_veth k9)
    pid=$(ctr_pid k9)
    [ "$pid" -gt 1 ] || fail "State.Pid is $pid"
    kill -9 "$pid"
    wait_until 10 ctr_is_exited k9
    assert_match "$(berth ps -a | grep -w k9)" 'Exited \(137\)' "ps -a row"
    assert_eq "$(ctr_exit_code k9)" 137 "State.ExitCode"
    assert_released "$id" "$veth" lnet 10.170.6.5
}

@test "after kill -9 of a --rm container: removed and released" {
    create_net --subnet 10.170.7.0/24 lnet
    run_d --rm --name k9rm --network lnet --ip 10.170.7.5 -- sleep 3600
    local id=$cid veth pid
    veth=$(host_veth k9rm)
    pid=$(ctr_pid k9rm)
    kill -9 "$pid"
    wait_until 10 ctr_is_gone k9rm
    assert_released "$id" "$veth" lnet 10.170.7.5
}

# kill_monitor_then_container REF: SIGKILL the monitor (.State.MonitorPid),
# then the container; both dead before it returns.
kill_monitor_then_container() {
    local mpid pid
    mpid=$(ctr_get "$1" 'd["State"].get("MonitorPid", "absent")')
    [ "$mpid" != absent ] || fail "berth inspect of $1 has no .State.MonitorPid" || return 1
    pid=$(ctr_pid "$1")
    [ "$mpid" -gt 1 ] && [ -d "/proc/$mpid" ] || fail "State.MonitorPid $mpid is not a process" || return 1
    [ "$mpid" != "$pid" ] || fail "MonitorPid is the container's Pid" || return 1
    kill -9 "$mpid"
    wait_until 10 pid_dead "$mpid" || return 1
    kill -9 "$pid"
    wait_until 10 pid_dead "$pid"
}

@test "monitor and container killed: the next run on the network cleans up" {
    create_net --subnet 10.170.8.0/24 lnet
    run_d --name orphan --network lnet --ip 10.170.8.5 -- sleep 3600
    local id=$cid veth
    veth=$(host_veth orphan)
    kill_monitor_then_container orphan
    # the next berth command that touches the network
    run_d --name heir --network lnet --ip 10.170.8.5 -- sleep 3600
    assert_eq "$(ctr_ip heir lnet)" 10.170.8.5 "address of heir"
    refute_sandbox "$id"
    wait_link_gone "$veth"
    assert_eq "$(ctr_status orphan)" exited "State.Status of orphan"
    assert_eq "$(net_get lnet 'sorted(d["Containers"])')" "[\"$(ctr_id heir)\"]" "Containers of lnet"
}

@test "monitor and container killed: ps -a shows it exited, network rm then works" {
    create_net --subnet 10.170.9.0/24 lnet
    local br
    br=$(bridge_of "$net_id")
    run_d --name orphan2 --network lnet -- sleep 3600
    local id=$cid veth
    veth=$(host_veth orphan2)
    kill_monitor_then_container orphan2
    assert_match "$(berth ps -a | grep -w orphan2)" 'Exited' "ps -a row"
    refute_contains "$(berth ps)" orphan2 "berth ps"
    berth_ok rm orphan2
    berth_ok network rm lnet
    refute_link "$br"
    wait_link_gone "$veth"
    refute_sandbox "$id"
}

@test "monitor and container killed: network prune removes its network (nothing else cleaned up first)" {
    create_net --subnet 10.170.12.0/24 pnet12
    local br
    br=$(bridge_of "$net_id")
    run_d --name orphan4 --network pnet12 -- sleep 3600
    local id=$cid
    kill_monitor_then_container orphan4
    berth_ok network prune -f
    assert_contains "$output" pnet12 "what network prune removed"
    refute_link "$br"
    refute_sandbox "$id"
}

@test "monitor and container killed: berth system reconcile cleans up" {
    create_net --subnet 10.170.10.0/24 lnet
    run_d --name orphan3 --network lnet --ip 10.170.10.5 -- sleep 3600
    local id=$cid veth
    veth=$(host_veth orphan3)
    kill_monitor_then_container orphan3
    berth_ok system reconcile
    refute_sandbox "$id"
    wait_link_gone "$veth"
    assert_eq "$(net_get lnet 'sorted(d["Containers"])')" "[]" "Containers of lnet"
    run_d --name heir3 --network lnet --ip 10.170.10.5 -- sleep 3600
}

@test "monitor killed, container still running: it keeps running and its network" {
    create_net --subnet 10.170.11.0/24 lnet
    run_d --name survivor --network lnet --ip 10.170.11.5 -- sleep 3600
    local mpid
    mpid=$(ctr_get survivor 'd["State"].get("MonitorPid", "absent")')
    [ "$mpid" != absent ] || fail "berth inspect of survivor has no .State.MonitorPid" || return 1
    kill -9 "$mpid"
    wait_until 10 pid_dead "$mpid"
    berth_ok system reconcile
    assert_eq "$(ctr_status survivor)" running "State.Status"
    ping -c1 -W2 10.170.11.5 || fail "survivor no longer answers"
    run --separate-stderr berth run -d --network lnet --ip 10.170.11.5 -- true
    assert_eq "$status" 1 "exit status of a run with survivor's address"
    # stop still works and releases
    local veth
    veth=$(host_veth survivor)
    berth_ok stop -t 1 survivor
    wait_link_gone "$veth"
    run_d --network lnet --ip 10.170.11.5 -- sleep 3600
}

@test "50 berth run -d started at once on one network: all succeed, 50 distinct addresses" {
    create_net --subnet 10.170.12.0/24 crowd
    local br
    br=$(bridge_of "$net_id")
    snapshot_save
    local i pids=() failed=0
    for i in $(seq 1 50); do
        berth run -d --network crowd -- sleep 3600 >"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 50); do
        if ! wait "${pids[$((i - 1))]}"; then
            failed=$((failed + 1))
            echo "run $i failed: $(cat "$BATS_TEST_TMPDIR/err.$i")" >&2
        fi
    done
    assert_eq "$failed" 0 "failed runs"
    local ids
    ids=$(cat "$BATS_TEST_TMPDIR"/out.* | sort -u)
    assert_eq "$(grep -cE "$HEX64" <<<"$ids")" 50 "distinct IDs printed"
    assert_eq "$(berth ps -q | wc -l)" 50 "running containers"
    local json
    # shellcheck disable=SC2086
    json=$(berth inspect $ids)
    local ips
    ips=$(jeval "$json" '"\n".join(sorted(c["NetworkSettings"]["Networks"]["crowd"]["IPAddress"] for c in d))')
    assert_eq "$(sort -u <<<"$ips" | grep -c '^10\.170\.12\.')" 50 "distinct addresses in 10.170.12.0/24"
    refute_contains "$ips" 10.170.12.1$'\n' "addresses (the gateway)"
    assert_eq "$(veths_on "$br" | wc -l)" 50 "veths on the bridge"
    # every container has its address on its eth0
    local id ip
    for id in $ids; do
        ip=$(jeval "$json" "[c for c in d if c['Id'] == '$id'][0]['NetworkSettings']['Networks']['crowd']['IPAddress']")
        in_sandbox "$id" ip -4 -o addr show dev eth0 | grep -q " $ip/24 " || fail "eth0 of $id lacks $ip"
    done
    ping -c1 -W2 "$(head -n1 <<<"$ips")" || fail "ping"
    ping -c1 -W2 "$(tail -n1 <<<"$ips")" || fail "ping"

    # shellcheck disable=SC2086
    berth_ok rm -f $ids
    assert_eq "$(berth ps -aq)" "" "containers after rm -f"
    links_settle
    assert_eq "$(ls -A "$BERTH_RUNDIR/netns" 2>/dev/null)" "" "sandboxes left"
}

@test "a container with a connected second network: rm -f releases both endpoints" {
    create_net --subnet 10.170.13.0/24 lnet
    create_net --subnet 10.170.14.0/24 lnet2
    run_d --name two --network lnet --ip 10.170.13.5 -- sleep 3600
    local id=$cid v0 v1
    berth_ok network connect --ip 10.170.14.5 lnet2 two
    v0=$(host_veth two eth0)
    v1=$(host_veth two eth1)
    berth_ok rm -f two
    refute_sandbox "$id"
    wait_link_gone "$v0"
    wait_link_gone "$v1"
    assert_eq "$(net_get lnet2 'sorted(d["Containers"])')" "[]" "Containers of lnet2"
    run_d --network lnet --ip 10.170.13.5 -- sleep 3600
    run_d --network lnet2 --ip 10.170.14.5 -- sleep 3600
}

@test "a container with a connected second network: kill -9 releases both endpoints" {
    create_net --subnet 10.170.15.0/24 lnet
    create_net --subnet 10.170.16.0/24 lnet2
    run_d --name two9 --network lnet --ip 10.170.15.5 -- sleep 3600
    local id=$cid v0 v1
    berth_ok network connect --ip 10.170.16.5 lnet2 two9
    v0=$(host_veth two9 eth0)
    v1=$(host_veth two9 eth1)
    kill -9 "$(ctr_pid two9)"
    wait_until 10 ctr_is_exited two9
    refute_sandbox "$id"
    wait_link_gone "$v0"
    wait_link_gone "$v1"
    assert_eq "$(net_get lnet2 'sorted(d["Containers"])')" "[]" "Containers of lnet2"
    run_d --network lnet --ip 10.170.15.5 -- sleep 3600
    run_d --network lnet2 --ip 10.170.16.5 -- sleep 3600
}

# The mount table a container is copied from does not grow with the
# sandboxes of the others (runtime/mntns.h).
@test "a container's mount table holds no sandbox and does not grow with containers" {
    create_net --subnet 10.170.17.0/24 lnet
    berth_ok run --network lnet -- cat /proc/self/mountinfo
    local first=${#lines[@]}
    refute_contains "$output" "$BERTH_RUNDIR/netns"
    local i
    for i in 1 2 3 4 5; do run_d --network lnet -- sleep 3600; done
    assert_eq "$(find "$BERTH_RUNDIR/netns" -mindepth 1 | wc -l)" 5 "sandbox files on the host"
    berth_ok run --network lnet -- cat /proc/self/mountinfo
    refute_contains "$output" "$BERTH_RUNDIR/netns"
    assert_eq "${#lines[@]}" "$first" "mounts seen by a container after 5 more"
}

@test "system reconcile lets new containers see mounts the host made since" {
    berth_ok run --network none -- true
    local dir
    dir=$(mktemp -d)
    mount -t tmpfs berth-test-late "$dir"
    echo late >"$dir/file"
    berth_ok system reconcile
    berth_ok run --network none -- cat "$dir/file"
    umount "$dir"
    rmdir "$dir"
    assert_eq "$output" late "file on a mount made after the first container"
}
