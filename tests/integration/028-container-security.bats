#!/usr/bin/env bats
#
# What a container may do to the host and its neighbours: RFC 1123 host
# names only (a newline would write a line of the caller's into
# /etc/hosts).

# bats and helpers set status, output, stderr, lines, cid, net_id
# shellcheck disable=SC2154

load helpers

teardown() {
    container_teardown
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
