#!/usr/bin/env bats
#
# The command line itself: help at every level, version, usage errors
# (exit 2), and the global flags --root/--run-dir with their environment
# variables BERTH_ROOT/BERTH_RUNDIR.

load helpers

teardown() {
    berth_cleanup
}

CREATE_FLAGS="--driver --subnet --gateway --ip-range --internal --attachable --opt --label"

# ---- help -------------------------------------------------------------------

@test "berth --help lists the commands" {
    berth_ok --help
    assert_contains "$output" network "berth --help"
    assert_contains "$output" version "berth --help"
    assert_contains "$output" help "berth --help"
}

@test "berth help is berth --help" {
    local help
    help=$(berth --help)
    berth_ok help
    assert_eq "$output" "$help" "berth help"
}

@test "berth network --help lists the network subcommands" {
    berth_ok network --help
    local sub
    for sub in create ls inspect rm prune; do
        assert_match "$output" "(^|[^a-z])$sub([^a-z]|\$)" "berth network --help mentions $sub"
    done
}

@test "berth help network is berth network --help" {
    local help
    help=$(berth network --help)
    berth_ok help network
    assert_eq "$output" "$help" "berth help network"
}

@test "berth help network create describes every flag" {
    berth_ok help network create
    local flag
    for flag in $CREATE_FLAGS; do
        assert_contains "$output" "$flag" "berth help network create"
    done
    assert_contains "$output" NAME "berth help network create"
}

@test "berth network create --help is the same as berth help network create" {
    local help
    help=$(berth help network create)
    berth_ok network create --help
    assert_eq "$output" "$help" "berth network create --help"
}

@test "help of network ls, inspect, rm, prune" {
    berth_ok network ls --help
    local flag
    for flag in --quiet --no-trunc --format --filter; do
        assert_contains "$output" "$flag" "berth network ls --help"
    done
    berth_ok help network inspect
    assert_contains "$output" inspect "berth help network inspect"
    berth_ok network rm --help
    assert_contains "$output" rm "berth network rm --help"
    berth_ok network prune --help
    assert_contains "$output" --force "berth network prune --help"
}

@test "--help changes nothing" {
    create_net --subnet 10.70.0.0/24 existing
    snapshot_save
    berth_ok network create --help
    berth_ok network rm --help
    berth_ok network prune --help
    assert_unchanged
}

# ---- version ----------------------------------------------------------------

@test "berth version prints berth version X.Y.Z" {
    berth_ok version
    assert_match "$output" '^berth version [0-9]+\.[0-9]+\.[0-9]+$' "berth version"
    assert_eq "$stderr" "" "stderr"
}

# ---- usage errors -----------------------------------------------------------

@test "an unknown command exits 2" {
    berth_usage_error frobnicate
}

@test "an unknown network subcommand exits 2" {
    berth_usage_error network frobnicate
}

@test "an unknown global flag exits 2" {
    berth_usage_error --frobnicate network ls
}

@test "an unknown flag of a subcommand exits 2" {
    berth_usage_error network ls --frobnicate
}

@test "a missing argument exits 2" {
    berth_usage_error network create
    berth_usage_error network inspect
    berth_usage_error network rm
}

@test "a global flag without its value exits 2" {
    berth_usage_error --root
}

@test "berth with no command is a usage error" {
    run --separate-stderr berth
    assert_eq "$status" 2 "exit status"
}

# ---- --root, --run-dir, BERTH_ROOT, BERTH_RUNDIR -----------------------------
# Another state in the same namespace would want berth0 too, so each of these
# runs berth in a new network namespace of its own (inside this file's).

# in_fresh_netns COMMAND...: run COMMAND (a bash snippet, "$@" passed on) in a new netns
in_fresh_netns() {
    local script=$1
    shift
    run --separate-stderr unshare --net -- bash -c "$script" _ "$@"
}

@test "--root DIR --run-dir DIR: the state lands in DIR" {
    local root=$BATS_TEST_TMPDIR/state run=$BATS_TEST_TMPDIR/run
    mkdir -p "$root" "$run"
    in_fresh_netns 'berth --root "$1" --run-dir "$2" network create --subnet 10.70.1.0/24 elsewhere &&
                    berth --root "$1" --run-dir "$2" network ls' "$root" "$run"
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_contains "$output" elsewhere "network ls under --root"
    [ -f "$root/berth.db" ] || fail "no berth.db in $root: $(ls -la "$root")"
    # not in the state of this file's BERTH_ROOT
    refute_contains "$(berth network ls)" elsewhere "network ls under BERTH_ROOT"
}

@test "--root wins over BERTH_ROOT" {
    local root=$BATS_TEST_TMPDIR/flag env=$BATS_TEST_TMPDIR/env run=$BATS_TEST_TMPDIR/run
    mkdir -p "$root" "$env" "$run"
    in_fresh_netns 'BERTH_ROOT="$2" berth --root "$1" --run-dir "$3" network ls' "$root" "$env" "$run"
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    [ -f "$root/berth.db" ] || fail "no berth.db in $root"
    [ ! -e "$env/berth.db" ] || fail "berth.db created in BERTH_ROOT $env despite --root"
}

@test "BERTH_ROOT and BERTH_RUNDIR: the state lands in BERTH_ROOT" {
    local root=$BATS_TEST_TMPDIR/envstate run=$BATS_TEST_TMPDIR/envrun
    mkdir -p "$root" "$run"
    in_fresh_netns 'export BERTH_ROOT="$1" BERTH_RUNDIR="$2"
                    berth network create --subnet 10.70.2.0/24 viaenv && berth network ls' "$root" "$run"
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_contains "$output" viaenv "network ls under BERTH_ROOT=$root"
    [ -f "$root/berth.db" ] || fail "no berth.db in $root"
    refute_contains "$(berth network ls)" viaenv "network ls under this file's BERTH_ROOT"
}

@test "--run-dir wins over BERTH_RUNDIR" {
    local root=$BATS_TEST_TMPDIR/r4 flag=$BATS_TEST_TMPDIR/flagrun env=$BATS_TEST_TMPDIR/envrun
    mkdir -p "$root" "$flag" "$env"
    in_fresh_netns 'BERTH_RUNDIR="$3" berth --root "$1" --run-dir "$2" network create --subnet 10.70.4.0/24 rd' \
        "$root" "$flag" "$env"
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_eq "$(ls -A "$env")" "" "files in BERTH_RUNDIR $env despite --run-dir"
}

@test "with BERTH_ROOT and BERTH_RUNDIR set, the default directories are not touched" {
    local d existed=()
    for d in /var/lib/berth /run/berth; do
        [ ! -e "$d" ] || existed+=("$d")
    done
    [ "${#existed[@]}" -eq 0 ] || skip "${existed[*]} already exist(s)"
    create_net --subnet 10.70.5.0/24 nodefault
    berth_ok network ls
    berth_ok network rm nodefault
    [ ! -e /var/lib/berth ] || fail "/var/lib/berth was created"
    [ ! -e /run/berth ] || fail "/run/berth was created"
}

@test "this file's state is in its BERTH_ROOT" {
    berth_ok network ls
    [ -f "$BERTH_ROOT/berth.db" ] || fail "no berth.db in $BERTH_ROOT"
}

@test "the state persists between invocations" {
    create_net --subnet 10.70.3.0/24 persistent
    local id=$net_id
    berth_ok network ls -q --no-trunc
    assert_contains "$output" "$id" "network ls"
}
