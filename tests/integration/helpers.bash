# Shared helpers of berth's integration tests.  In a .bats file: `load helpers`.
#
# Every .bats file runs under tests/tap-exec: its own network and mount
# namespace, fresh BERTH_ROOT and BERTH_RUNDIR, berth first in PATH.  The
# tests of one file share that namespace and state, so each file's teardown
# calls berth_cleanup to leave only the predefined networks behind.
#
# Tools the tests use come from the packages scripts/deps.sh installs
# (`scripts/deps.sh --list`): bats (>= 1.5), iproute2 (ip, ss, bridge),
# nftables, iputils-ping, python3 (JSON parsing; jq is NOT needed), sqlite3
# (to insert endpoint rows), util-linux (unshare, nsenter), busybox-static
# (scripts/mkrootfs).  001-deps.bats lists every command they run and checks
# that; a new one goes in its list.

# bats sets status/output/stderr; net_id, state_before and HEX* are for the .bats files
# shellcheck disable=SC2154,SC2034

bats_require_minimum_version 1.5.0

# Refuse to run outside tap-exec's namespaces: berth would change the host.
# (tap-exec marks them with the inode of the network namespace it made.)
if [ "${BERTH_TEST_NETNS:-}" != "$(readlink /proc/self/ns/net)" ] ||
    [ -z "${BERTH_ROOT:-}" ] || [ -z "${BERTH_RUNDIR:-}" ]; then
    echo "run these tests through tests/tap-exec (prove --exec tests/tap-exec FILE)" >&2
    exit 1
fi

PREDEFINED_NETWORKS="bridge host none"
HEX64='^[0-9a-f]{64}$'
HEX12='^[0-9a-f]{12}$'

# ---- assertions -------------------------------------------------------------

fail() {
    printf '%s\n' "$@" >&2
    return 1
}

# assert_eq ACTUAL EXPECTED [WHAT]
assert_eq() {
    [ "$1" = "$2" ] || fail "${3:-value} differs" "  expected: '$2'" "  actual:   '$1'"
}

# assert_match STRING ERE [WHAT]
assert_match() {
    [[ $1 =~ $2 ]] || fail "${3:-value} does not match /$2/" "  actual: '$1'"
}

# assert_contains HAYSTACK NEEDLE [WHAT]
assert_contains() {
    [[ $1 == *"$2"* ]] || fail "${3:-text} does not contain '$2'" "  actual: '$1'"
}

# refute_contains HAYSTACK NEEDLE [WHAT]
refute_contains() {
    [[ $1 != *"$2"* ]] || fail "${3:-text} contains '$2' but should not" "  actual: '$1'"
}

# wait_until TIMEOUT_SECONDS COMMAND...: poll COMMAND until it succeeds.
wait_until() {
    local timeout=$1
    shift
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            fail "timed out after ${timeout}s waiting for: $*"
            return 1
        fi
        sleep 0.1
    done
}

# ---- running berth ----------------------------------------------------------

# Every helper here runs berth through berth_here, on this test's host or,
# under `at HOST`, on one of a test bed's hosts (macvlan_helpers.bash's
# `on`): at HOST FUNC ARGS... runs FUNC with BERTH_AT=HOST.
berth_here() {
    if [ -n "${BERTH_AT:-}" ]; then
        on "$BERTH_AT" berth "$@"
    else
        berth "$@"
    fi
}
at() {
    local BERTH_AT=$1
    shift
    "$@"
}
# where: " on HOST" under `at`, for messages
where() { echo "${BERTH_AT:+ on $BERTH_AT}"; }

# berth_ok ARGS...: run berth, require exit 0.  stdout in $output/$lines,
# stderr in $stderr/$stderr_lines.
berth_ok() {
    run --separate-stderr berth_here "$@"
    [ "$status" -eq 0 ] ||
        fail "berth $*$(where) exited $status, expected 0" "stdout: $output" "stderr: $stderr"
}

# berth_fails CODE MESSAGE ARGS...: run berth, require exit CODE and stderr to be
# exactly the one line "berth: error: MESSAGE".
berth_fails() {
    local code=$1 msg=$2
    shift 2
    run --separate-stderr berth_here "$@"
    [ "$status" -eq "$code" ] ||
        fail "berth $*$(where) exited $status, expected $code" "stdout: $output" "stderr: $stderr" || return 1
    assert_eq "$stderr" "berth: error: $msg" "stderr of berth $*$(where)"
}

# berth_usage_error ARGS...: exit 2 and a "berth: error: ..." line on stderr.
berth_usage_error() {
    run --separate-stderr berth "$@"
    [ "$status" -eq 2 ] ||
        fail "berth $* exited $status, expected 2 (usage error)" "stdout: $output" "stderr: $stderr"
    assert_match "$stderr" '(^|'$'\n'')berth: error: [^'$'\n'']+' "stderr of berth $*"
}

# create_net ARGS...: berth network create ARGS, require success and a
# 64-hex ID on stdout; the ID is left in $net_id.
create_net() {
    berth_ok network create "$@" || return 1
    assert_match "$output" "$HEX64" "output of berth network create $*$(where)" || return 1
    net_id=$output
}

# ---- JSON -------------------------------------------------------------------

# jeval JSON EXPR: evaluate the Python expression EXPR with d = the parsed
# JSON; a string prints raw, anything else as compact JSON.
jeval() {
    python3 -c '
import json, sys
d = json.loads(sys.argv[1])
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
' "$1" "$2"
}

# net_get NET EXPR: EXPR (Python, d = the network's inspect object) for NET.
net_get() {
    local json
    json=$(berth_here network inspect "$1") || fail "berth network inspect $1$(where) failed" || return 1
    jeval "$json" "(lambda d: $2)(d[0])"
}

net_id_of() { net_get "$1" 'd["Id"]'; }
net_subnet() { net_get "$1" 'd["IPAM"]["Config"][0]["Subnet"]'; }
net_gateway() { net_get "$1" 'd["IPAM"]["Config"][0]["Gateway"]'; }

# ---- kernel -----------------------------------------------------------------

# bridge_of ID: the kernel name of a network's bridge.
bridge_of() { echo "br-${1:0:12}"; }

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }

# link_names: the namespace's links, one per line, sorted.
link_names() { ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }

assert_link() { link_exists "$1" || fail "link $1 does not exist" "links: $(link_names | tr '\n' ' ')"; }
refute_link() { ! link_exists "$1" || fail "link $1 exists but should not"; }

# assert_bridge_up DEV: DEV is a Linux bridge, administratively up.
assert_bridge_up() {
    local details flags
    assert_link "$1" || return 1
    details=$(ip -d link show dev "$1")
    [[ $details == *$'\n'"    bridge "* ]] || fail "$1 is not a bridge" "$details" || return 1
    flags=$(ip -o link show dev "$1" | sed -n 's/^[0-9]*: [^:]*: <\([^>]*\)>.*/\1/p')
    [[ ,$flags, == *,UP,* ]] || fail "$1 is not up (flags <$flags>)"
}

# addrs_of DEV: the IPv4 addresses (CIDR) of DEV, one per line.
addrs_of() { ip -4 -o addr show dev "$1" | awk '{ print $4 }'; }

# assert_addr DEV CIDR: DEV has exactly the IPv4 address CIDR.
assert_addr() { assert_eq "$(addrs_of "$1")" "$2" "IPv4 addresses of $1"; }

# mtu_of DEV
mtu_of() { ip -o link show dev "$1" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }

# add_veth NAME: a veth pair NAME/NAME-p, both ends up (a stand-in uplink).
add_veth() {
    ip link add "$1" type veth peer name "$1-p"
    ip link set "$1" up
    ip link set "$1-p" up
}

# ---- whole-state snapshots --------------------------------------------------

# state_snapshot: berth's networks, the kernel's links and IPv4 addresses.
state_snapshot() {
    echo "## networks"
    berth network ls -q --no-trunc | sort
    echo "## links"
    link_names
    echo "## addresses"
    ip -4 -o addr show | awk '{ print $2, $4 }' | sort
    ip -6 -o addr show scope global | awk '{ print $2, $4 }' | sort
}

snapshot_save() { state_before=$(state_snapshot); }

# links_settle: wait until the links and addresses are as at snapshot_save
# (the kernel frees a veth in the background: allow 10s), then assert so.
state_is_unchanged() { [ "$(state_snapshot)" = "$state_before" ]; }
links_settle() {
    wait_until 10 state_is_unchanged || true
    assert_unchanged
}

# assert_unchanged: nothing changed in berth or the kernel since snapshot_save.
assert_unchanged() {
    local now
    now=$(state_snapshot)
    [ "$now" = "$state_before" ] ||
        fail "state changed by a refused command" "before:" "$state_before" "after:" "$now" \
            "diff:" "$(diff <(echo "$state_before") <(echo "$now"))"
}

# network_count: number of rows of berth network ls -q.
network_count() { berth network ls -q | wc -l; }

# ---- cleanup ----------------------------------------------------------------

# berth_cleanup: remove endpoint rows, every user network, and every link but
# lo and berth0 (veths the tests made, anything berth leaked).  For teardown.
berth_cleanup() {
    local db=$BERTH_ROOT/berth.db id l predefined=""
    if [ -f "$db" ]; then
        sqlite3 "$db" 'DELETE FROM endpoints;' >/dev/null 2>&1 || true
    fi
    for id in $PREDEFINED_NETWORKS; do
        predefined+=" $(net_id_of "$id" 2>/dev/null)"
    done
    for id in $(berth network ls -q --no-trunc 2>/dev/null); do
        [[ " $predefined " == *" $id "* ]] || berth network rm "$id" >/dev/null 2>&1 || true
    done
    for l in $(link_names); do
        case $l in
        lo | berth0) ;;
        *) ip link del "$l" >/dev/null 2>&1 || true ;;
        esac
    done
}

# ---- containers (issue 4; 020-026) -----------------------------------------
#
# cid is set by run_d for the .bats files.

# run_d ARGS...: berth run -d ARGS, require success and exactly a 64-hex ID
# on stdout; the ID is left in $cid.
run_d() {
    berth_ok run -d "$@" || return 1
    assert_match "$output" "$HEX64" "stdout of berth run -d $*$(where)" || return 1
    cid=$output
}

# ctr_get REF EXPR: EXPR (Python, d = the container's inspect object).
ctr_get() {
    local json
    json=$(berth_here inspect "$1") || fail "berth inspect $1$(where) failed" || return 1
    jeval "$json" "(lambda d: $2)(d[0])"
}

ctr_id() { ctr_get "$1" 'd["Id"]'; }
ctr_name() { ctr_get "$1" 'd["Name"].lstrip("/")'; }
ctr_status() { ctr_get "$1" 'd["State"]["Status"]'; }
ctr_pid() { ctr_get "$1" 'd["State"]["Pid"]'; }
ctr_exit_code() { ctr_get "$1" 'd["State"]["ExitCode"]'; }
# ctr_net REF NET FIELD: NetworkSettings.Networks.NET.FIELD of REF.
ctr_net() { ctr_get "$1" "d['NetworkSettings']['Networks']['$2']['$3']"; }
ctr_ip() { ctr_net "$1" "$2" IPAddress; }

ctr_is_running() { [ "$(ctr_status "$1" 2>/dev/null)" = running ]; }
ctr_is_exited() { [ "$(ctr_status "$1" 2>/dev/null)" = exited ]; }
ctr_is_gone() { ! berth inspect "$1" >/dev/null 2>&1; }

# ref_to_id REF: a 64-hex ID as is, else the ID of the container REF.
ref_to_id() {
    if [[ $1 =~ $HEX64 ]]; then
        echo "$1"
    else
        ctr_id "$1"
    fi
}

# sandbox_of REF: where the container's network namespace is bind-mounted.
sandbox_of() {
    local id
    id=$(ref_to_id "$1") || return 1
    echo "$BERTH_RUNDIR/netns/$id"
}

# is_mountpoint PATH: PATH is a mount point in this mount namespace.
is_mountpoint() { awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo; }

assert_sandbox() {
    local p
    p=$(sandbox_of "$1")
    [ -e "$p" ] || fail "sandbox $p does not exist" "netns dir: $(ls -A "$BERTH_RUNDIR/netns" 2>&1)" || return 1
    is_mountpoint "$p" || fail "sandbox $p is not a mount point"
}

refute_sandbox() {
    local p
    p=$(sandbox_of "$1")
    ! is_mountpoint "$p" || fail "sandbox $p is still mounted" || return 1
    [ ! -e "$p" ] || fail "sandbox file $p is left behind"
}

# in_sandbox REF CMD...: run CMD in the container's network namespace (from
# its bind mount, independently of berth exec).
in_sandbox() {
    local sb
    sb=$(sandbox_of "$1") || return 1
    shift
    nsenter --net="$sb" -- "$@"
}

# ifindex_peer REF [IF]: the host ifindex of the veth peer of IF (eth0) in ID's sandbox.
ifindex_peer() {
    in_sandbox "$1" ip -o link show dev "${2:-eth0}" | sed -n 's/^[0-9]*: [^@:]*@if\([0-9]*\):.*/\1/p'
}

# host_veth REF [IF]: the name of the host end of ID's IF (eth0).
host_veth() {
    local idx
    idx=$(ifindex_peer "$1" "${2:-eth0}")
    [ -n "$idx" ] || fail "no veth peer for ${2:-eth0} of $1" || return 1
    ip -o link show | awk -F': ' -v i="$idx" '$1 == i { sub(/@.*/, "", $2); print $2 }'
}

# veths_on BRIDGE: the links whose master is BRIDGE, one per line, sorted.
veths_on() { ip -o link show master "$1" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }

link_gone() { ! link_exists "$1"; }

# wait_link_gone DEV: the kernel may free a veth in the background; allow 10s.
wait_link_gone() { wait_until 10 link_gone "$1" || fail "link $1 still exists"; }

# mac_of_ip IP: 02:42 followed by the four bytes of IP (Docker's derived MAC).
mac_of_ip() {
    local IFS=.
    # shellcheck disable=SC2086
    set -- $1
    printf '02:42:%02x:%02x:%02x:%02x\n' "$1" "$2" "$3" "$4"
}

# ctr_links REF: the link names in REF's network namespace (berth exec), sorted.
ctr_links() { berth exec "$1" ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }

# pid_dead PID: PID is gone or a zombie.
pid_dead() {
    local st
    st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
    [ "$st" = Z ] || [ -z "$st" ]
}

# make_rootfs: build scripts/mkrootfs into $BATS_FILE_TMPDIR/rootfs once per
# file; the path is left in $ROOTFS.
make_rootfs() {
    ROOTFS=$BATS_FILE_TMPDIR/rootfs
    if [ ! -x "$ROOTFS/bin/busybox" ]; then
        "$BATS_TEST_DIRNAME/../../scripts/mkrootfs" "$ROOTFS" >&2 || fail "scripts/mkrootfs failed"
    fi
}

# containers_rm_all: berth rm -f every container (teardown).
containers_rm_all() {
    local ids
    ids=$(berth ps -aq --no-trunc 2>/dev/null || berth ps -aq 2>/dev/null) || true
    if [ -n "$ids" ]; then
        # shellcheck disable=SC2086
        berth rm -f $ids >/dev/null 2>&1 || true
    fi
}

# container_teardown: remove every container, then berth_cleanup.
container_teardown() {
    containers_rm_all
    berth_cleanup
}

# ps_count [ARGS]: number of lines of berth ps -q ARGS.
ps_count() { berth ps -q "$@" | grep -c . || true; }

# make_install DEST: `make install PREFIX=/opt/berth DESTDIR=DEST` of what
# is built (nothing is compiled: -o for every program and library)
make_install() {
    local repo build version
    repo=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    build=$(realpath --relative-to="$repo" "$(dirname "$(command -v berth)")")
    version=$(berth version)
    version=${version##* }
    run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$repo" --no-print-directory BUILD="$build" DESTDIR="$1" \
        PREFIX=/opt/berth -o "$build/berth" -o "$build/berth-plugin" -o "$build/libberth.a" \
        -o "$build/libberth.so.$version" install
    assert_eq "$status" 0 "make install (output: $output)"
}
