#!/usr/bin/env bats
#
# What a container may do to the host and its neighbours: Docker's default
# capability set (no NET_ADMIN: it cannot take a neighbour's address or
# MAC), --cap-add/--cap-drop/--privileged as in Docker, no_new_privs, the
# same for `exec`; none of the caller's file descriptors in containers or
# their monitors; RFC 1123 host names only (a newline would write a line
# of the caller's into /etc/hosts).

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

# Docker's default set (moby's oci/caps): CHOWN 0, DAC_OVERRIDE 1, FOWNER 3,
# FSETID 4, KILL 5, SETGID 6, SETUID 7, SETPCAP 8, NET_BIND_SERVICE 10,
# NET_RAW 13, SYS_CHROOT 18, MKNOD 27, AUDIT_WRITE 29, SETFCAP 31
DOCKER_DEFAULT=00000000a80425fb
NET_ADMIN_BIT=0x1000
NET_BIND_SERVICE_ONLY=0000000000000400

setup_file() {
    make_rootfs
}

setup() {
    ROOTFS=$BATS_FILE_TMPDIR/rootfs
}

teardown() {
    container_teardown
}

# field STATUS NAME: NAME's value in the text of a /proc/PID/status
field() { awk -v f="$2:" '$1 == f { print $2 }' <<<"$1"; }

# assert_caps STATUS MASK [WHAT]: the bounding, permitted and effective sets
# are MASK; the inheritable and ambient sets are empty (Docker's since
# CVE-2022-24769: nothing to regain through a file's capabilities)
assert_caps() {
    local f
    for f in CapBnd CapPrm CapEff; do
        assert_eq "$(field "$1" $f)" "$2" "$f${3:+ of $3}" || return 1
    done
    for f in CapInh CapAmb; do
        assert_eq "$(field "$1" $f)" 0000000000000000 "$f${3:+ of $3}" || return 1
    done
}

# with_bit MASK BIT: MASK with BIT set, as /proc prints it
with_bit() { printf '%016x\n' $((0x$1 | $2)); }

# our own permitted set: what --privileged gives (the host may hold back some)
own_caps() { field "$(cat /proc/self/status)" CapPrm; }

# ---- the default set --------------------------------------------------------

@test "a default container has Docker's default capabilities and no_new_privs" {
    berth_ok run --network none -- cat /proc/self/status
    assert_caps "$output" $DOCKER_DEFAULT
    assert_eq "$(field "$output" NoNewPrivs)" 1 "NoNewPrivs"
}

@test "a default --rootfs container has Docker's default capabilities and no_new_privs" {
    berth_ok run --network none --rootfs "$ROOTFS" -- cat /proc/self/status
    assert_caps "$output" $DOCKER_DEFAULT
    assert_eq "$(field "$output" NoNewPrivs)" 1 "NoNewPrivs"
}

@test "exec gets the container's set: the default one, and --cap-add's" {
    run_d --name plain --network none -- sleep 3600
    berth_ok exec plain cat /proc/self/status
    assert_caps "$output" $DOCKER_DEFAULT "exec in a default container"
    assert_eq "$(field "$output" NoNewPrivs)" 1 "NoNewPrivs of exec"
    run_d --name narrow --network none --rootfs "$ROOTFS" --cap-drop all --cap-add net_bind_service -- sleep 3600
    berth_ok exec narrow cat /proc/self/status
    assert_caps "$output" $NET_BIND_SERVICE_ONLY "exec in a --cap-drop ALL container"
}

# ---- --cap-add, --cap-drop, --privileged ------------------------------------

@test "--cap-add NET_ADMIN adds it, however it is spelled" {
    local want spelling
    want=$(with_bit $DOCKER_DEFAULT $NET_ADMIN_BIT)
    for spelling in NET_ADMIN net_admin CAP_NET_ADMIN Cap_Net_Admin; do
        berth_ok run --network none --cap-add "$spelling" -- cat /proc/self/status
        assert_caps "$output" "$want" "--cap-add $spelling"
    done
}

@test "--cap-drop ALL --cap-add NET_BIND_SERVICE gives just that" {
    berth_ok run --network none --cap-drop ALL --cap-add NET_BIND_SERVICE -- cat /proc/self/status
    assert_caps "$output" $NET_BIND_SERVICE_ONLY
    assert_eq "$(field "$output" NoNewPrivs)" 1 "NoNewPrivs"
}

@test "--cap-add ALL --cap-drop NET_ADMIN: all of ours but that" {
    berth_ok run --network none --cap-add ALL --cap-drop NET_ADMIN -- cat /proc/self/status
    assert_caps "$output" "$(printf '%016x' $((0x$(own_caps) & ~NET_ADMIN_BIT)))"
}

@test "--privileged: every capability berth holds, no no_new_privs; also for its exec" {
    berth_ok run --network none --privileged -- cat /proc/self/status
    assert_caps "$output" "$(own_caps)"
    assert_eq "$(field "$output" NoNewPrivs)" 0 "NoNewPrivs"
    run_d --name priv --network none --privileged -- sleep 3600
    berth_ok exec priv cat /proc/self/status
    assert_caps "$output" "$(own_caps)" "exec in a --privileged container"
    assert_eq "$(field "$output" NoNewPrivs)" 0 "NoNewPrivs of exec"
}

@test "exec --privileged: every capability for that command only" {
    run_d --name host1 --network none -- sleep 3600
    berth_ok exec --privileged host1 cat /proc/self/status
    assert_caps "$output" "$(own_caps)" "exec --privileged"
    assert_eq "$(field "$output" NoNewPrivs)" 0 "NoNewPrivs of exec --privileged"
    berth_ok exec host1 cat /proc/self/status
    assert_caps "$output" $DOCKER_DEFAULT "the next plain exec"
}

@test "inspect: HostConfig.CapAdd, CapDrop, Privileged as Docker records them" {
    run_d --name deflt --network none -- sleep 3600
    assert_eq "$(ctr_get deflt '[d["HostConfig"][k] for k in ("CapAdd", "CapDrop", "Privileged")]')" \
        "[null, null, false]" "a default container"
    # upper case with CAP_, sorted, once each; one both added and dropped is added
    run_d --name tuned --network none --cap-add net_admin --cap-add CAP_NET_ADMIN --cap-add Sys_Time \
        --cap-drop mknod --cap-drop net_admin -- sleep 3600
    assert_eq "$(ctr_get tuned '[d["HostConfig"][k] for k in ("CapAdd", "CapDrop", "Privileged")]')" \
        '[["CAP_NET_ADMIN", "CAP_SYS_TIME"], ["CAP_MKNOD"], false]' "a tuned container"
    berth_ok exec tuned cat /proc/self/status
    # less MKNOD (27), plus NET_ADMIN (12) and SYS_TIME (25)
    assert_caps "$output" "$(printf '%016x' $(((0x$DOCKER_DEFAULT & ~(1 << 27)) | NET_ADMIN_BIT | (1 << 25))))"
    run_d --name full --network none --privileged --cap-drop all -- sleep 3600
    assert_eq "$(ctr_get full '[d["HostConfig"][k] for k in ("CapAdd", "CapDrop", "Privileged")]')" \
        '[null, ["ALL"], true]' "a --privileged container"
}

@test "bad capability names are refused, naming the flag and the value; nothing created" {
    snapshot_save
    berth_fails 1 'invalid --cap-add "FOO": unknown capability "CAP_FOO"' run --cap-add FOO -- true
    berth_fails 1 'invalid --cap-drop "cap_bar": unknown capability "CAP_BAR"' run --cap-drop cap_bar -- true
    berth_fails 1 'invalid --cap-add "12": unknown capability "CAP_12"' run -d --cap-add 12 -- sleep 3600
    berth_fails 1 'invalid --cap-add "": unknown capability "CAP_"' run --cap-add "" -- true
    assert_unchanged
    assert_eq "$(berth ps -aq)" "" "berth ps -aq"
}

@test "a database from before capabilities keeps working: its containers get the default set" {
    run_d --name old --network none -- sleep 3600
    sqlite3 "$BERTH_ROOT/berth.db" 'ALTER TABLE containers DROP COLUMN cap_add;
        ALTER TABLE containers DROP COLUMN cap_drop; ALTER TABLE containers DROP COLUMN privileged;
        ALTER TABLE endpoints DROP COLUMN owner_pid; ALTER TABLE endpoints DROP COLUMN owner_start;
        DROP TABLE IF EXISTS settings; ALTER TABLE endpoints DROP COLUMN prefix_len6;
        ALTER TABLE endpoints DROP COLUMN gateway6; ALTER TABLE containers DROP COLUMN dns;
        ALTER TABLE containers DROP COLUMN dns_search; ALTER TABLE containers DROP COLUMN dns_options;
        DROP TRIGGER dns_gen_endpoint_add; DROP TRIGGER dns_gen_endpoint_del; DROP TRIGGER dns_gen_endpoint_set;
        DROP TRIGGER dns_gen_container_add; DROP TRIGGER dns_gen_container_del;
        DROP TRIGGER dns_gen_container_set; DROP TRIGGER dns_gen_container_state;
        DROP TRIGGER dns_gen_network_set; DROP TRIGGER dns_gen_network_del; DROP TABLE dns_generation;
        DROP INDEX containers_external; ALTER TABLE containers DROP COLUMN external_id;
        ALTER TABLE containers DROP COLUMN external_netns; ALTER TABLE containers DROP COLUMN netns_dev;
        ALTER TABLE containers DROP COLUMN netns_ino; ALTER TABLE containers DROP COLUMN resolver;
        DROP TABLE pool_leases; DROP TABLE pools; ALTER TABLE networks DROP COLUMN made_for;
        PRAGMA user_version = 2;'
    assert_eq "$(ctr_get old '[d["HostConfig"][k] for k in ("CapAdd", "CapDrop", "Privileged", "Dns")]')" \
        "[null, null, false, []]" "inspect after the upgrade"
    berth_ok exec old cat /proc/self/status
    assert_caps "$output" $DOCKER_DEFAULT "exec after the upgrade"
    berth_ok run --network none --cap-add NET_ADMIN -- cat /proc/self/status
    assert_caps "$output" "$(with_bit $DOCKER_DEFAULT $NET_ADMIN_BIT)" "a new container"
}

# ---- no spoofing ------------------------------------------------------------

@test "a default container cannot take its neighbour's address or MAC; a --privileged one can change its own" {
    create_net --subnet 10.128.0.0/24 net28
    run_d --name victim --network net28 --ip 10.128.0.10 -- sleep 3600
    run_d --name spoofer --network net28 --ip 10.128.0.11 -- sleep 3600
    local victim_mac
    victim_mac=$(ctr_net victim net28 MacAddress)

    run --separate-stderr berth exec spoofer ip addr add 10.128.0.10/24 dev eth0
    assert_eq "$status" 2 "exit status of ip addr add (stderr: $stderr)"
    assert_contains "$stderr" "Operation not permitted" "stderr of ip addr add"
    run --separate-stderr berth exec spoofer ip link set dev eth0 address "$victim_mac"
    assert_eq "$status" 2 "exit status of ip link set address (stderr: $stderr)"
    assert_contains "$stderr" "Operation not permitted" "stderr of ip link set address"
    assert_eq "$(in_sandbox spoofer ip -4 -o addr show dev eth0 | awk '{ print $4 }')" 10.128.0.11/24 \
        "the spoofer's addresses"
    refute_contains "$(in_sandbox spoofer ip -o link show dev eth0)" "$victim_mac" "the spoofer's link"

    run_d --name admin --network net28 --ip 10.128.0.12 --privileged -- sleep 3600
    berth_ok exec admin ip addr add 10.128.0.99/24 dev eth0
    assert_contains "$(in_sandbox admin ip -4 -o addr show dev eth0)" 10.128.0.99/24 "the --privileged container's addresses"
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
