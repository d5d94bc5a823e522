#!/usr/bin/env bats
#
# berth's files are root's alone: the state root and run dir are refused
# when someone else owns them or can write there (they could plant a
# symlink that a bind mount would follow, or read the store), a symlink
# where berth keeps a directory is refused, the store (which holds -e
# values) is 0600 with its -wal and -shm, and a store berth cannot write
# is refused before anything changes.

# bats and helpers set status, output, stderr, lines, cid, net_id
# shellcheck disable=SC2154

load helpers

teardown() {
    mountpoint -q "$BERTH_ROOT" && umount "$BERTH_ROOT"
    container_teardown
    umount -R "$BATS_TEST_TMPDIR/run/netns" "$BATS_TEST_TMPDIR/run/mnt" 2>/dev/null || true
}

mode_of() { stat -c %a "$1"; }

# berth_in ROOT RUN ARGS...: berth with that state root and run dir, in
# a network namespace of its own (the file's has the file's berth0)
berth_in() {
    local root=$1 run=$2
    shift 2
    BERTH_ROOT=$root BERTH_RUNDIR=$run unshare --net -- berth "$@"
}

@test "the store and its -wal and -shm are 0600, the state root 0700, an older 0644 store narrowed" {
    berth_ok network ls
    assert_eq "$(mode_of "$BERTH_ROOT")" 700 "mode of the state root"
    local f
    for f in berth.db berth.db-wal berth.db-shm; do
        [ -e "$BERTH_ROOT/$f" ] || continue
        assert_eq "$(mode_of "$BERTH_ROOT/$f")" 600 "mode of $f"
    done
    chmod 0644 "$BERTH_ROOT/berth.db"
    berth_ok network ls
    assert_eq "$(mode_of "$BERTH_ROOT/berth.db")" 600 "mode of an older 0644 berth.db after a command"
}

@test "a state root or run dir others can write to, or that is not ours, is refused and left untouched" {
    local root=$BATS_TEST_TMPDIR/root run=$BATS_TEST_TMPDIR/run
    mkdir -m 0770 "$root"
    run --separate-stderr berth_in "$root" "$run" network ls
    assert_eq "$status" 1 "exit status with a group-writable state root"
    assert_eq "$stderr" "berth: error: directory $root is writable by its group: berth keeps its state only where no one else can write (chmod go-w)" "stderr"
    assert_eq "$(ls -A "$root")" "" "files in the refused state root"
    chmod 0777 "$root"
    run --separate-stderr berth_in "$root" "$run" network ls
    assert_eq "$stderr" "berth: error: directory $root is writable by everyone: berth keeps its state only where no one else can write (chmod go-w)" "stderr"
    chmod 0700 "$root"
    chown 65534 "$root"
    run --separate-stderr berth_in "$root" "$run" network ls
    assert_eq "$status" 1 "exit status with a state root of uid 65534"
    assert_eq "$stderr" "berth: error: directory $root belongs to uid 65534, not to uid 0 that runs berth" "stderr"
    chown 0 "$root"
    mkdir -m 0777 "$run"
    run --separate-stderr berth_in "$root" "$run" network ls
    assert_eq "$stderr" "berth: error: directory $run is writable by everyone: berth keeps its state only where no one else can write (chmod go-w)" "stderr"
    assert_eq "$(ls -A "$root")" "" "files in the state root"
}

@test "a readable state root is narrowed to 0700" {
    local root=$BATS_TEST_TMPDIR/root755 run=$BATS_TEST_TMPDIR/run755
    mkdir -m 0755 "$root"
    run --separate-stderr berth_in "$root" "$run" network ls
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_eq "$(mode_of "$root")" 700 "mode of the state root"
}

@test "a symlink planted as the run dir's netns/ is refused; no mount lands on its target" {
    local root=$BATS_TEST_TMPDIR/root2 run=$BATS_TEST_TMPDIR/run target=$BATS_TEST_TMPDIR/elsewhere
    mkdir -m 0700 "$root" "$run" "$target"
    ln -s "$target" "$run/netns"
    run --separate-stderr berth_in "$root" "$run" run --network none -- true
    assert_eq "$status" 1 "exit status with netns/ a symlink"
    # (the namespace's first command also warns that it turned forwarding on)
    assert_eq "$(head -n1 <<<"$stderr")" "berth: error: $run/netns is a symbolic link: berth uses a directory there, not what a link points to" "stderr"
    ! mountpoint -q "$target" || fail "$target became a mount point"
    assert_eq "$(ls -A "$target")" "" "files in the link's target"
}

@test "a store berth cannot write: rm -f is refused before the container is touched" {
    run_d --name keep -- sleep 3600
    local pid veth
    pid=$(ctr_pid keep)
    veth=$(host_veth keep)
    mount --bind -o ro "$BERTH_ROOT" "$BERTH_ROOT"
    run --separate-stderr berth rm -f keep
    assert_eq "$status" 1 "exit status of rm -f with a read-only store"
    assert_match "$stderr" "^berth: error: opening state store $BERTH_ROOT/berth.db: Read-only file system" "stderr"
    umount "$BERTH_ROOT"
    kill -0 "$pid" || fail "the container's process died"
    assert_link "$veth"
    assert_eq "$(ctr_status keep)" running "status of keep"
}
