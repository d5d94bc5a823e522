# The crash test (070-071): kill berth right after each of its steps, one
# run per step, and see that the next command, reconcile and check cope.
# In a .bats file: `load helpers` and `load crash_helpers`.
#
# A step is a change berth made to the kernel or the store (a netlink
# request answered, a ruleset applied, a commit, a sysctl written, a
# mount, a sandbox file written, a signal sent): util/crashpoint.h. The
# build's berth-crash dies by SIGKILL right after step BERTH_CRASH_AT.
# Each run is crash_iteration.bash in namespaces of its own.

# crash_iteration SCENARIO N TRACE BASELINE
crash_iteration() {
    unshare --net --mount --pid --mount-proc --propagation private --fork -- \
        bash "$BATS_TEST_DIRNAME/crash_iteration.bash" "$@"
}

# crash_every_step SCENARIO: an uncrashed run counts SCENARIO's steps and
# records the host it leaves; then one run per step crashes after it. All
# steps are tried; the failures are listed together.
crash_every_step() {
    local scenario=$1 trace=$BATS_TEST_TMPDIR/$1.trace baseline=$BATS_TEST_TMPDIR/$1.baseline
    local n total failed=""

    crash_iteration "$scenario" 0 "$trace" "$baseline" || fail "scenario $scenario fails without a crash" || return 1
    total=$(wc -l <"$trace")
    [ "$total" -gt 0 ] || fail "berth-crash counted no step in scenario $scenario" || return 1
    for n in $(seq 1 "$total"); do
        crash_iteration "$scenario" "$n" "$trace" "$baseline" || failed+=" $n"
    done
    echo "# $scenario: $total steps ($(awk '{ $1 = ""; print }' "$trace" | sort | uniq -c | awk '{ $1 = $1 "x"; print }' | paste -sd, -))" >&3
    [ -z "$failed" ] || fail "scenario $scenario: crashes after steps$failed were not recovered from (of $total)"
}
