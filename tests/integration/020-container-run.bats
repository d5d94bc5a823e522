#!/usr/bin/env bats
#
# berth run: foreground and detached, exit codes, logs, --rm, names and
# hostnames, environment, the new namespaces, --rootfs (scripts/mkrootfs),
# and the /etc/hosts, /etc/hostname and /etc/resolv.conf a container sees.

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

setup_file() {
    make_rootfs
    echo "rootfs marker" >"$ROOTFS/berth-rootfs-marker"
    # The resolv.conf berth copies from: loopback resolvers (to be dropped)
    # among others (to be kept).  Only this file's mount namespace sees it.
    cat >"$BATS_FILE_TMPDIR/resolv.conf" <<'RESOLV'
nameserver 127.0.0.53
nameserver 10.20.30.40
nameserver ::1
nameserver 192.168.77.53
search example.test
options ndots:2
RESOLV
    mount --bind "$BATS_FILE_TMPDIR/resolv.conf" /etc/resolv.conf
}

teardown_file() {
    umount /etc/resolv.conf 2>/dev/null || true
}

setup() {
    ROOTFS=$BATS_FILE_TMPDIR/rootfs
}

teardown() {
    container_teardown
}

# ---- foreground -------------------------------------------------------------

@test "foreground: stdout passes through, exit 0" {
    # the first command of a fresh namespace says it enabled forwarding
    berth_ok network ls
    berth_ok run --network none -- echo hello from the container
    assert_eq "$output" "hello from the container" "stdout"
    assert_eq "$stderr" "" "stderr"
}

@test "foreground: the command's exit code becomes berth's" {
    run --separate-stderr berth run --network none -- sh -c 'exit 7'
    assert_eq "$status" 7 "exit status of sh -c 'exit 7' (stderr: $stderr)"
    run --separate-stderr berth run --network none -- sh -c 'exit 0'
    assert_eq "$status" 0 "exit status of sh -c 'exit 0' (stderr: $stderr)"
    run --separate-stderr berth run --network none -- sh -c 'exit 42'
    assert_eq "$status" 42 "exit status of sh -c 'exit 42' (stderr: $stderr)"
}

@test "foreground: stderr and stdin pass through" {
    run --separate-stderr berth run --network none -- sh -c 'echo to-stdout; echo to-stderr >&2'
    assert_eq "$status" 0 "exit status"
    assert_eq "$output" "to-stdout" "stdout"
    assert_eq "$stderr" "to-stderr" "stderr"
    run --separate-stderr bash -c 'printf "line1\nline2\n" | berth run --network none -- cat'
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_eq "$output" "line1
line2" "stdin copied to stdout by cat"
}

@test "foreground: SIGTERM to berth is forwarded to the container" {
    local out=$BATS_TEST_TMPDIR/out pid rc=0
    berth run --name fwd --network none -- \
        sh -c 'trap "echo got TERM; exit 42" TERM; echo ready; while :; do sleep 0.1; done' >"$out" 2>&1 &
    pid=$!
    wait_until 10 grep -q ready "$out"
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    assert_eq "$rc" 42 "exit status of berth after SIGTERM"
    assert_contains "$(cat "$out")" "got TERM" "output"
}

@test "foreground: an exited container stays in ps -a with its exit code" {
    run --separate-stderr berth run --name fg-exited --network none -- sh -c 'exit 3'
    assert_eq "$status" 3 "exit status"
    assert_eq "$(ctr_status fg-exited)" exited "State.Status"
    assert_eq "$(ctr_exit_code fg-exited)" 3 "State.ExitCode"
    assert_match "$(berth ps -a | grep -w fg-exited)" 'Exited \(3\)' "ps -a row"
    refute_contains "$(berth ps)" fg-exited "berth ps (running only)"
}

@test "a command that does not exist: exit 127 (as Docker), an error message" {
    run -127 --separate-stderr berth run --network none -- /nonexistent/berth-no-such-cmd
    assert_contains "$stderr" "/nonexistent/berth-no-such-cmd" "stderr"
}

@test "run without a command is a usage error" {
    berth_usage_error run --network none
}

@test "run on an unknown network: network foo not found, nothing created" {
    snapshot_save
    berth_fails 1 "network foo not found" run --network foo -- true
    assert_unchanged
    assert_eq "$(berth ps -aq)" "" "berth ps -aq"
}

# ---- detached, logs ---------------------------------------------------------

@test "-d prints only the 64-hex ID and the container runs" {
    run_d --network none -- sh -c 'echo not-for-the-caller; sleep 3600'
    assert_eq "${#lines[@]}" 1 "lines on stdout"
    refute_contains "$output" not-for-the-caller "stdout of run -d"
    assert_eq "$(ctr_id "$cid")" "$cid" "inspect Id"
    assert_eq "$(ctr_status "$cid")" running "State.Status"
    assert_eq "$(ctr_get "$cid" 'd["State"]["Running"]')" true "State.Running"
    assert_contains "$(berth ps -q)" "${cid:0:12}" "berth ps -q"
}

@test "-d returns while the container keeps running" {
    local start=$SECONDS
    run_d --network none -- sleep 3600
    [ $((SECONDS - start)) -lt 20 ] || fail "berth run -d took $((SECONDS - start))s"
    local pid
    pid=$(ctr_pid "$cid")
    [ "$pid" -gt 0 ] && kill -0 "$pid" || fail "State.Pid $pid is not a live process"
}

@test "logs: the output of a detached container, by name and by ID" {
    run_d --name logger --network none -- sh -c 'echo out-line-1; echo err-line-1 >&2; echo out-line-2'
    wait_until 10 ctr_is_exited logger
    run berth logs logger
    assert_eq "$status" 0 "exit status of berth logs"
    assert_contains "$output" out-line-1 "berth logs"
    assert_contains "$output" out-line-2 "berth logs"
    assert_contains "$output" err-line-1 "berth logs"
    local by_name=$output
    run berth logs "$cid"
    assert_eq "$output" "$by_name" "berth logs by ID"
}

@test "logs of a running container show what it printed so far" {
    run_d --name logrunning --network none -- sh -c 'echo early-line; sleep 3600'
    wait_until 10 bash -c 'berth logs logrunning | grep -q early-line'
    assert_eq "$(ctr_status logrunning)" running "State.Status"
}

@test "logs of a missing container: No such container" {
    berth_fails 1 "No such container: nosuch" logs nosuch
}

# ---- --rm -------------------------------------------------------------------

@test "--rm: a foreground container is deleted when it exits, exit code kept" {
    run --separate-stderr berth run --rm --name tmp1 --network none -- sh -c 'echo bye; exit 5'
    assert_eq "$status" 5 "exit status"
    assert_eq "$output" bye "stdout"
    berth_fails 1 "No such container: tmp1" inspect tmp1
    refute_contains "$(berth ps -a)" tmp1 "berth ps -a"
}

@test "--rm -d: the container is deleted by its monitor when it exits" {
    run_d --rm --name tmp2 --network none -- sh -c 'sleep 0.3'
    wait_until 10 ctr_is_gone tmp2
    refute_contains "$(berth ps -a)" tmp2 "berth ps -a"
    refute_contains "$(berth ps -aq --no-trunc)" "$cid" "berth ps -aq --no-trunc"
}

@test "without --rm an exited container is kept" {
    run_d --name kept --network none -- true
    wait_until 10 ctr_is_exited kept
    assert_contains "$(berth ps -a)" kept "berth ps -a"
}

# ---- names, hostnames -------------------------------------------------------

@test "default name is berth_<first 8 hex of the ID>" {
    run_d --network none -- sleep 3600
    assert_eq "$(ctr_name "$cid")" "berth_${cid:0:8}" "Name"
    assert_contains "$(berth ps)" "berth_${cid:0:8}" "berth ps"
}

@test "--name names the container" {
    run_d --name web-1 --network none -- sleep 3600
    assert_eq "$(ctr_name web-1)" web-1 "Name"
    assert_eq "$(ctr_id web-1)" "$cid" "Id found by name"
}

@test "duplicate name: Docker's message, nothing created" {
    run_d --name web --network none -- sleep 3600
    local first=$cid
    snapshot_save
    berth_fails 1 "container name \"/web\" is already in use by container \"$first\"" \
        run -d --name web --network none -- sleep 3600
    assert_unchanged
    assert_eq "$(berth ps -aq --no-trunc)" "$first" "containers"
}

@test "--hostname sets the hostname inside, not the host's" {
    local host_before
    host_before=$(hostname)
    berth_ok run --network none --hostname box1 -- hostname
    assert_eq "$output" box1 "hostname inside"
    assert_eq "$(hostname)" "$host_before" "the host's hostname"
}

@test "default hostname is the first 12 hex of the ID" {
    run_d --name hn --network none -- sleep 3600
    berth_ok exec hn hostname
    assert_eq "$output" "${cid:0:12}" "hostname inside"
}

# ---- environment ------------------------------------------------------------

@test "-e sets environment variables, values with spaces and = kept" {
    berth_ok run --network none -e FOO=bar -e 'BAZ=x y' -e 'EQ=a=b' -- sh -c 'echo "$FOO|$BAZ|$EQ"'
    assert_eq "$output" "bar|x y|a=b" "environment inside"
}

@test "the caller's environment does not leak into the container; PATH is set" {
    run --separate-stderr env BERTH_TEST_SECRET=leaked berth run --network none -- sh -c 'echo "${BERTH_TEST_SECRET-unset}"; echo "$PATH"'
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_eq "${lines[0]}" unset "BERTH_TEST_SECRET inside"
    assert_contains "${lines[1]}" /bin "PATH inside"
}

# ---- namespaces -------------------------------------------------------------

@test "the command is PID 1 of a new PID namespace with its own /proc" {
    berth_ok run --network none -- sh -c 'echo $$; cat /proc/1/comm'
    assert_eq "$output" "1
sh" "PID and /proc/1/comm inside"
}

@test "new network, UTS, PID, mount and IPC namespaces" {
    local ns host_ns inside
    berth_ok run --network none -- sh -c 'for n in net uts pid mnt ipc; do readlink /proc/self/ns/$n; done'
    inside=("${lines[@]}")
    assert_eq "${#inside[@]}" 5 "lines"
    local i=0
    for ns in net uts pid mnt ipc; do
        host_ns=$(readlink "/proc/self/ns/$ns")
        assert_match "${inside[$i]}" "^$ns:\[[0-9]+\]$" "$ns namespace inside"
        [ "${inside[$i]}" != "$host_ns" ] || fail "the container shares the caller's $ns namespace ($host_ns)"
        i=$((i + 1))
    done
}

@test "mounts inside the container do not reach the host" {
    local dir=$BATS_TEST_TMPDIR/mnt
    mkdir -p "$dir"
    # mounting takes CAP_SYS_ADMIN, which containers get only when asked (028)
    berth_ok run --network none --cap-add SYS_ADMIN -- \
        sh -c "mount -t tmpfs berthprobe '$dir' && touch '$dir/probe' && ls '$dir'"
    assert_eq "$output" probe "ls inside"
    ! is_mountpoint "$dir" || fail "$dir is mounted on the host"
    [ ! -e "$dir/probe" ] || fail "$dir/probe is visible on the host"
}

@test "without --rootfs the container sees the host's files" {
    echo "host file $$" >"$BATS_TEST_TMPDIR/hostfile"
    berth_ok run --network none -- cat "$BATS_TEST_TMPDIR/hostfile" /etc/debian_version
    assert_eq "$output" "$(cat "$BATS_TEST_TMPDIR/hostfile" /etc/debian_version)" "files read inside"
}

# ---- --rootfs ---------------------------------------------------------------

@test "scripts/mkrootfs is idempotent and builds a busybox root" {
    local r=$BATS_TEST_TMPDIR/r2
    run "$BATS_TEST_DIRNAME/../../scripts/mkrootfs" "$r"
    assert_eq "$status" 0 "exit status of mkrootfs ($output)"
    local a
    for a in sh ping ip ifconfig cat hostname sleep nc wget; do
        assert_eq "$(readlink "$r/bin/$a")" busybox "bin/$a"
    done
    for a in etc proc sys dev tmp; do
        [ -d "$r/$a" ] || fail "$a/ missing"
    done
    local before
    before=$(cd "$r" && find . -printf '%p %y %l %s\n' | sort)
    run "$BATS_TEST_DIRNAME/../../scripts/mkrootfs" "$r"
    assert_eq "$status" 0 "exit status of the second mkrootfs ($output)"
    assert_eq "$(cd "$r" && find . -printf '%p %y %l %s\n' | sort)" "$before" "tree after a second run"
}

@test "--rootfs: the container sees busybox's root, not the host's" {
    berth_ok run --network none --rootfs "$ROOTFS" -- sh -c \
        'cat /berth-rootfs-marker; readlink /bin/sh; test -e /etc/debian_version && echo debian; test -d /work && echo work; echo $$'
    assert_eq "$output" "rootfs marker
busybox
1" "output inside the rootfs"
}

@test "--rootfs: /proc is the container's, hostname and exit code work" {
    run --separate-stderr berth run --network none --rootfs "$ROOTFS" --hostname bb -- \
        sh -c 'cat /proc/1/comm; hostname; exit 9'
    assert_eq "$status" 9 "exit status (stderr: $stderr)"
    assert_eq "$output" "sh
bb" "output"
}

@test "--rootfs -d and exec see the rootfs" {
    run_d --name rootfsd --network none --rootfs "$ROOTFS" -- sleep 3600
    berth_ok exec rootfsd cat /berth-rootfs-marker
    assert_eq "$output" "rootfs marker" "exec in the rootfs"
    run berth exec rootfsd test -e /etc/debian_version
    assert_eq "$status" 1 "test -e /etc/debian_version in the rootfs"
}

@test "--rootfs of a missing directory: an error, nothing created" {
    snapshot_save
    run --separate-stderr berth run --network none --rootfs "$BATS_TEST_TMPDIR/nope" -- true
    [ "$status" -ne 0 ] || fail "exit status 0"
    assert_match "$stderr" '^berth: error: ' "stderr"
    assert_unchanged
    assert_eq "$(berth ps -aq)" "" "berth ps -aq"
}

# ---- /etc/hosts, /etc/hostname, /etc/resolv.conf ----------------------------

@test "/etc/hosts: localhost lines and the container's address and name" {
    create_net --subnet 10.120.0.0/24 net20
    berth_ok run --network net20 --ip 10.120.0.10 --name web20 -- cat /etc/hosts
    local hosts=$output
    assert_match "$hosts" '(^|'$'\n'')127\.0\.0\.1[[:space:]]+([^'$'\n'']*[[:space:]])?localhost([[:space:]]|$)' "/etc/hosts"
    assert_match "$hosts" '(^|'$'\n'')10\.120\.0\.10[[:space:]]+([^'$'\n'']*[[:space:]])?web20([[:space:]]|$)' "/etc/hosts"
}

@test "/etc/hosts maps the container's hostname to its address" {
    create_net --subnet 10.120.1.0/24 net20b
    berth_ok run --network net20b --ip 10.120.1.11 --name named20 --hostname host20 -- cat /etc/hosts
    assert_match "$output" '(^|'$'\n'')10\.120\.1\.11[[:space:]]+([^'$'\n'']*[[:space:]])?host20([[:space:]]|$)' "/etc/hosts"
}

@test "/etc/hosts, /etc/hostname in a --rootfs container" {
    create_net --subnet 10.120.2.0/24 net20c
    berth_ok run --network net20c --ip 10.120.2.12 --name rf20 --hostname rfhost --rootfs "$ROOTFS" -- \
        sh -c 'cat /etc/hostname; echo ---; cat /etc/hosts'
    assert_eq "${lines[0]}" rfhost "/etc/hostname"
    assert_match "$output" '(^|'$'\n'')10\.120\.2\.12[[:space:]]+([^'$'\n'']*[[:space:]])?rf20([[:space:]]|$)' "/etc/hosts"
    assert_match "$output" '(^|'$'\n'')127\.0\.0\.1[[:space:]]+([^'$'\n'']*[[:space:]])?localhost([[:space:]]|$)' "/etc/hosts"
}

@test "/etc/hostname holds the hostname" {
    berth_ok run --network none --hostname hn20 -- cat /etc/hostname
    assert_eq "$output" hn20 "/etc/hostname"
}

@test "/etc/hosts, /etc/hostname, /etc/resolv.conf are bind mounts; the host's files are untouched" {
    local hosts_before hostname_before resolv_before
    hosts_before=$(cat /etc/hosts)
    hostname_before=$(cat /etc/hostname 2>/dev/null || true)
    resolv_before=$(cat /etc/resolv.conf)
    create_net --subnet 10.120.3.0/24 net20d
    berth_ok run --network net20d --hostname untouched -- sh -c \
        'for f in /etc/hosts /etc/hostname /etc/resolv.conf; do awk -v f=$f "\$5 == f { print f }" /proc/self/mountinfo | head -n1; done'
    assert_eq "$output" "/etc/hosts
/etc/hostname
/etc/resolv.conf" "bind mounts inside"
    assert_eq "$(cat /etc/hosts)" "$hosts_before" "the host's /etc/hosts"
    assert_eq "$(cat /etc/hostname 2>/dev/null || true)" "$hostname_before" "the host's /etc/hostname"
    assert_eq "$(cat /etc/resolv.conf)" "$resolv_before" "the host's /etc/resolv.conf"
}

@test "/etc/resolv.conf on the default bridge network: the host's, without loopback nameservers" {
    # (on a network of the user's, berth's resolver: 090-dns.bats)
    berth_ok run --network bridge -- cat /etc/resolv.conf
    local rc=$output
    assert_contains "$rc" "nameserver 10.20.30.40" "resolv.conf"
    assert_contains "$rc" "nameserver 192.168.77.53" "resolv.conf"
    assert_contains "$rc" "search example.test" "resolv.conf"
    refute_contains "$rc" "127.0.0.53" "resolv.conf"
    [[ ! $rc =~ nameserver[[:space:]]+::1 ]] || fail "resolv.conf keeps nameserver ::1" "$rc"
}

@test "/etc/resolv.conf in a --rootfs container" {
    berth_ok run --network none --rootfs "$ROOTFS" -- cat /etc/resolv.conf
    assert_contains "$output" "nameserver 10.20.30.40" "resolv.conf"
    refute_contains "$output" "127.0.0.53" "resolv.conf"
}
