#!/usr/bin/env bats
#
# What a container may do to the host and its neighbours: none of the
# caller's file descriptors in containers or their monitors; RFC 1123 host
# names only (a newline would write a line of the caller's into
# /etc/hosts).

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

setup_file() {
    make_rootfs
}

setup() {
    ROOTFS=$BATS_FILE_TMPDIR/rootfs
}

teardown() {
    container_teardown
}

# ---- file descriptors -------------------------------------------------------

# OPEN_FDS: the descriptors the container's shell holds (the glob's own,
# closed once it is expanded, left out)
OPEN_FDS='for f in /proc/$$/fd/*; do if [ -e "$f" ]; then echo "${f##*/}"; fi; done'

@test "run -d in a pipeline: the pipe ends when berth returns, not when the container does" {
    local done=$BATS_TEST_TMPDIR/pipeline-done
    # fd 3 of berth is the pipe to cat; its stdout goes elsewhere
    (
        { berth run -d --name piped --network none -- sleep 3600 3>&1 >/dev/null; } | cat >/dev/null
        touch "$done"
    ) 3>&- &
    wait_until 20 test -e "$done"
    ctr_is_running piped || fail "the container is not running: the pipe ended with it"
}

# log_has_lines REF N: the container's log has N lines or more
log_has_lines() { [ "$(berth logs "$1" | wc -l)" -ge "$2" ]; }

@test "a detached container and its monitor hold none of the caller's descriptors" {
    local d=$BATS_TEST_TMPDIR mon
    berth run -d --name fds --network none -- sh -c "$OPEN_FDS; sleep 3600" >"$d/id" \
        3>"$d/fd3" 4>"$d/fd4" 5>"$d/fd5" 6>"$d/fd6" 7>"$d/fd7" 8>"$d/fd8" 9>"$d/fd9"
    wait_until 10 log_has_lines fds 3
    assert_eq "$(berth logs fds | tr '\n' ' ')" "0 1 2 " "the container's descriptors"
    mon=$(ctr_get fds 'd["State"]["MonitorPid"]')
    refute_contains "$(ls -l "/proc/$mon/fd")" "$d/fd" "the monitor's descriptors"
}

@test "run and exec: the container sees only 0, 1 and 2, whatever the caller had open" {
    berth_ok run --network none -- sh -c "$OPEN_FDS" 3</dev/null 4</dev/null 5</dev/null 6</dev/null \
        7</dev/null 8</dev/null 9</dev/null
    assert_eq "$(tr '\n' ' ' <<<"$output")" "0 1 2 " "descriptors in run"
    run_d --name fdx --network none --rootfs "$ROOTFS" -- sleep 3600
    berth_ok exec fdx sh -c "$OPEN_FDS" 3</dev/null 4</dev/null 5</dev/null 6</dev/null 7</dev/null \
        8</dev/null 9</dev/null
    assert_eq "$(tr '\n' ' ' <<<"$output")" "0 1 2 " "descriptors in exec"
}

# ---- host names -------------------------------------------------------------

hostname_error() {
    echo "invalid hostname \"$1\": expected RFC 1123 labels of letters, digits and '-' (not first or last)," \
        "at most 63 characters each, joined by '.', 64 characters in all"
}

@test "a hostname with a newline is refused, shown escaped; nothing created, no line in /etc/hosts" {
    create_net --subnet 10.129.0.0/24 net28h
    snapshot_save
    berth_fails 1 "$(hostname_error 'h\x0a6.6.6.6 evil')" run --network net28h --hostname $'h\n6.6.6.6 evil' -- \
        cat /etc/hosts
    assert_unchanged
    assert_eq "$(berth ps -aq)" "" "berth ps -aq"
}

@test "only RFC 1123 hostnames are taken: labels of letters, digits and '-', 63 characters each, 64 in all" {
    local long63 long64 bad good
    long63=$(printf 'x%.0s' {1..63})
    long64=$(printf 'a%.0s' {1..31}).$(printf 'b%.0s' {1..32})
    for bad in -lead trail- a..b a. .a under_score "sp ace" "tab$(printf '\t')x" "${long63}y" "${long64}c"; do
        run --separate-stderr berth run --network none --hostname "$bad" -- true
        assert_eq "$status" 1 "exit status for hostname '$bad' (stderr: $stderr)"
        assert_contains "$stderr" 'berth: error: invalid hostname "' "stderr for hostname '$bad'"
    done
    assert_eq "$(berth ps -aq)" "" "berth ps -aq"
    for good in box-1.example.test 9lives "$long63" "$long64"; do
        berth_ok run --network none --hostname "$good" -- hostname
        assert_eq "$output" "$good" "hostname inside"
    done
    create_net --subnet 10.130.0.0/24 net28g
    berth_ok run --network net28g --ip 10.130.0.5 --hostname web-1.test -- cat /etc/hosts
    assert_contains "$output" $'10.130.0.5\tweb-1.test' "/etc/hosts"
}
