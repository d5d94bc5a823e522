# Real CNI clients drive berth's plugin (issue 15): Podman 4.3 with its CNI
# backend (101) and containerd 1.6's `ctr run --cni` (102).  In a .bats file:
#
#     load helpers
#     load fw_helpers
#     load cni_helpers
#     setup_file() { cni_setup_file; }
#     teardown_file() { cni_teardown_file; }
#
# The plugin is the berth binary itself: the runtimes exec
# $CNI_DIR/plugins/berth, a link to the berth under test, with no arguments
# and CNI_COMMAND set.  Its configuration names this file's BERTH_ROOT and
# BERTH_RUNDIR ("root", "runDir"): Podman's DEL comes from `podman container
# cleanup`, which conmon starts without the caller's environment.
#
# The clients keep state in fixed places (/var/lib/cni, /run/containerd,
# /etc/cni/net.d, /opt/cni/bin, /dev/shm, ...).  cni_hide_host_state puts a
# tmpfs or a copy-on-write overlay over each of them in this file's mount
# namespace, so that nothing of theirs reaches the host's files; the rest
# of their state is in $CNI_DIR.  What no mount namespace hides is the
# kernel's cgroup tree: Podman's containers get the cgroup parent /$CNI_TAG
# and ctr's the containerd namespace $CNI_TAG, and cni_teardown_file
# removes those (empty) cgroups in every hierarchy.
#
# Recipes: ../shared/clients/RESULTS.md of the project's work area.

# bats and helpers set status, output, stderr, lines, cid
# shellcheck disable=SC2154,SC2034

# ---- isolation --------------------------------------------------------------

# cni_hide_host_state: tmpfs over /run (then /run/netns again: Podman
# makes its namespaces there) and over the clients' directories; /var/lib
# and /opt get an overlay first, whose upper layer is in that tmpfs, so the
# missing ones are made there and not on the host.
CNI_HIDDEN="/run /var/lib /opt /etc/cni/net.d /etc/containers /dev/shm /var/tmp"
cni_hide_host_state() {
    local p u d
    [ -d /etc/cni/net.d ] ||
        fail "/etc/cni/net.d is missing (the podman package makes it; scripts/deps.sh installs that)" || return 1
    # the test's own directories must stay in sight
    for d in $CNI_HIDDEN; do
        for p in "$BERTH_ROOT" "$BERTH_RUNDIR" "$BATS_RUN_TMPDIR"; do
            [[ $p != "$d" && $p != "$d"/* ]] ||
                fail "$p is under $d, which the CNI tests hide: set TMPDIR elsewhere" || return 1
        done
    done
    mount -t tmpfs -o mode=0755 berth-cni-run /run || return 1
    mkdir -p /run/netns /run/lock
    for p in /var/lib /opt; do
        u=/run/.overlay${p//\//_}
        mkdir -p "$u/upper" "$u/work"
        mount -t overlay -o "lowerdir=$p,upperdir=$u/upper,workdir=$u/work" berth-cni-overlay "$p" || return 1
    done
    for d in /var/lib/cni /var/lib/containers /var/lib/containerd /opt/cni/bin; do
        mkdir -p "$d" && mount -t tmpfs berth-cni-state "$d" || return 1
    done
    for d in /etc/cni/net.d /etc/containers /dev/shm /var/tmp; do
        mount -t tmpfs berth-cni-state "$d" || return 1
    done
}

# ---- set-up -------------------------------------------------------------------

# cni_setup_file: the isolation, the plugin directory, a busybox root file
# system ($ROOTFS) with an HTTP server's CGI program that answers the
# client's address (/www/cgi-bin/peer), and the outside machine of
# fw_helpers (10.250.0.2, the host's uplink 10.250.0.1).
cni_setup_file() {
    cni_hide_host_state || return 1
    export CNI_DIR=$BATS_FILE_TMPDIR/cni
    export CNI_TAG=berth-cni-${BERTH_ROOT##*.}
    export CNI_PLUGINS=$CNI_DIR/plugins
    mkdir -p "$CNI_PLUGINS" "$CNI_DIR/net.d"
    ln -s "$(command -v berth)" "$CNI_PLUGINS/berth"
    make_rootfs
    export ROOTFS
    mkdir -p "$ROOTFS/www/cgi-bin"
    # busybox httpd listens on IPv6 too: REMOTE_ADDR is [::ffff:A.B.C.D]
    cat >"$ROOTFS/www/cgi-bin/peer" <<'EOF'
#!/bin/sh
a=${REMOTE_ADDR#\[}
a=${a%\]}
printf 'Content-Type: text/plain\r\n\r\n%s\n' "${a#::ffff:}"
EOF
    chmod 0755 "$ROOTFS/www/cgi-bin/peer"
    fw_bed_up
}

# cni_teardown_file: every client container and process gone, then the
# cgroups they made.
cni_teardown_file() {
    if [ -n "${CONTAINERS_CONF:-}" ]; then
        pod rm -af -t 0 >/dev/null 2>&1 || true
    fi
    if [ -n "${CTRD_PID:-}" ]; then
        ctrd_rm_all
        kill "$CTRD_PID" 2>/dev/null || true
        wait_until 10 pid_dead "$CTRD_PID" || true
    fi
    container_teardown
    fw_bed_down
    cni_umount_all
    cni_cgroups_rm
}

# cni_umount_all: whatever the clients left mounted under $CNI_DIR.
cni_umount_all() {
    local m
    while IFS= read -r m; do
        umount -l "$m" 2>/dev/null || true
    done < <(awk -v d="$CNI_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

# cni_cgroups: the cgroup directories of $CNI_TAG (every hierarchy).
cni_cgroups() {
    local d
    [[ ${CNI_TAG:-} =~ ^berth-cni-[A-Za-z0-9]+$ ]] || fail "CNI_TAG '${CNI_TAG:-}' is not one of cni_setup_file's" || return 1
    for d in /sys/fs/cgroup/*/"$CNI_TAG" /sys/fs/cgroup/"$CNI_TAG"; do
        [ -d "$d" ] && echo "$d"
    done
    return 0
}

# cni_cgroups_rm_once: rmdir the cgroups of $CNI_TAG, deepest first (only
# empty ones go: a cgroup with a process or a child stays).
cni_cgroups_rm_once() {
    local d dirs
    dirs=$(cni_cgroups) || return 1
    for d in $dirs; do
        find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
    [ -z "$(cni_cgroups)" ]
}

# cni_cgroups_rm: the same until none is left (a killed process leaves its
# cgroup a moment later); fails naming those left.
cni_cgroups_rm() {
    [ -n "${CNI_TAG:-}" ] || return 0
    wait_until 10 cni_cgroups_rm_once || fail "cgroups left on the host: $(cni_cgroups | tr '\n' ' ')"
}

# ---- berth's view -------------------------------------------------------------

# cni_conflist NAME SUBNET GATEWAY: a network configuration list for berth's
# plugin, with this file's store.
cni_conflist() {
    printf '{"cniVersion": "1.0.0", "name": "%s", "plugins": [{"type": "berth", "root": "%s", "runDir": "%s", "subnet": "%s", "gateway": "%s", "capabilities": {"portMappings": true, "ips": true, "mac": true, "aliases": true}}]}\n' \
        "$1" "$BERTH_ROOT" "$BERTH_RUNDIR" "$2" "$3"
}

# net_endpoints NET: the Containers of berth network inspect NET, one per
# line: "NAME IPV4ADDRESS MACADDRESS", sorted; nothing when NET does not
# exist.
net_endpoints() {
    local json
    json=$(berth network inspect "$1" 2>/dev/null) || return 0
    jeval "$json" '"\n".join(sorted("%s %s %s" % (c.get("Name"), c.get("IPv4Address"), c.get("MacAddress"))
        for c in (d[0].get("Containers") or {}).values()))'
}

# endpoint_of NET NAME: "IPV4ADDRESS MACADDRESS" of container NAME in NET's
# Containers; fails when it is not there.
endpoint_of() {
    local e
    e=$(net_endpoints "$1" | awk -v n="$2" '$1 == n { print $2, $3 }')
    [ -n "$e" ] || fail "$2 is not in the Containers of berth network inspect $1" "  Containers: $(net_endpoints "$1" | paste -sd, -)" ||
        return 1
    echo "$e"
}

# endpoint_with NET CIDR: the line of NET's Containers with address CIDR.
endpoint_with() { net_endpoints "$1" | awk -v a="$2" '$2 == a'; }

# no_endpoint_with NET CIDR: no container of NET has address CIDR.
no_endpoint_with() { [ -z "$(endpoint_with "$1" "$2")" ]; }

# has_endpoint NET NAME / no_endpoint NET NAME
has_endpoint() { net_endpoints "$1" | awk -v n="$2" '$1 == n { f = 1 } END { exit !f }'; }
no_endpoint() { ! has_endpoint "$1" "$2"; }

# net_bridge NET: the kernel name of berth network NET's bridge.
net_bridge() {
    local id
    id=$(net_id_of "$1") || return 1
    bridge_of "$id"
}

# links_on_are BRIDGE N: N links have BRIDGE as their master.
links_on_are() { [ "$(veths_on "$1" | wc -l)" -eq "$2" ]; }

# assert_address_free NET IP: berth gives IP to a container of its own on
# NET, so nothing holds it.
assert_address_free() {
    berth_ok run -d --name "free-${2//./-}" --network "$1" --ip "$2" -- sleep 3600 ||
        fail "the address $2 of $1 is still taken" || return 1
    berth_ok rm -f "free-${2//./-}"
}

# hold_netns PATH: a process of the test's stays in the network namespace
# at PATH (fw_bg_kill ends it), so that the namespace outlives its
# container: then only the plugin's DEL, not berth noticing a namespace
# gone, releases what the container had.
hold_netns() {
    fw_bg nsenter --net="$1" -- sleep 3600
}

# ---- clients of the tests -----------------------------------------------------

# HTTP_GET URL TIMEOUT: print the body of URL (stripped); exit 1 with the
# error on stderr.
HTTP_GET='
import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])).read().decode().strip())
except Exception as e:
    sys.stderr.write("%s: %s\n" % (sys.argv[1], e))
    sys.exit(1)
'

# peer_http [CMD-PREFIX...] -- IP PORT: what /cgi-bin/peer of the HTTP
# server at IP:PORT saw as the client's address, the client run under
# CMD-PREFIX (nothing: the host).
peer_http() {
    local prefix=()
    while [ "$1" != -- ]; do
        prefix+=("$1")
        shift
    done
    shift
    "${prefix[@]}" python3 -c "$HTTP_GET" "http://$1:$2/cgi-bin/peer" "$FW_TIMEOUT"
}

# answered_peer EXPECTED CLIENT ARGS...: the client prints EXPECTED (for
# wait_until: a server starts in the background).
answered_peer() {
    local want=$1 out
    shift
    out=$("$@" 2>/dev/null) && [ "$out" = "$want" ]
}

# ---- Podman -------------------------------------------------------------------

# pod_setup: Podman with the CNI backend, state in $CNI_DIR/podman, the
# networks in $CNI_DIR/net.d, berth's plugin found in $CNI_PLUGINS.
# containers.conf is the only way to give the plugin directories, and
# CONTAINERS_CONF reaches `podman container cleanup` (conmon passes it on).
pod_setup() {
    export CONTAINERS_CONF=$CNI_DIR/containers.conf
    cat >"$CONTAINERS_CONF" <<EOF
[containers]
cgroups = "no-conmon"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "/run/libpod"
[network]
network_backend = "cni"
cni_plugin_dirs = ["$CNI_PLUGINS"]
network_config_dir = "$CNI_DIR/net.d"
EOF
}

# pod ARGS...: podman with this file's state.
pod() {
    podman --root "$CNI_DIR/podman/root" --runroot "$CNI_DIR/podman/run" --storage-driver vfs \
        --cgroup-manager cgroupfs --events-backend file --network-backend cni \
        --network-config-dir "$CNI_DIR/net.d" "$@"
}

# pod_ok ARGS...: pod ARGS, require exit 0 (output as berth_ok's) and no
# word of a failed plugin call (Podman only warns about a failed DEL).
pod_ok() {
    run --separate-stderr pod "$@"
    [ "$status" -eq 0 ] || fail "podman $* exited $status, expected 0" "stdout: $output" "stderr: $stderr" || return 1
    refute_contains "$stderr" 'plugin type="berth" failed' "stderr of podman $*"
}

# pod_run_d NAME RUN-ARGS... -- CMD...: podman run -d --name NAME on $ROOTFS.
pod_run_d() {
    local name=$1 args=()
    shift
    while [ "$1" != -- ]; do
        args+=("$1")
        shift
    done
    shift
    pod_ok run -d --name "$name" --cgroup-parent "/$CNI_TAG" "${args[@]}" --rootfs "$ROOTFS" "$@"
}

# pod_addr NAME [IF]: IF's (eth0's) IPv4 address (CIDR) as the container sees it.
pod_addr() { pod exec "$1" ip -4 -o addr show dev "${2:-eth0}" | awk '{ print $4 }'; }

# pod_mac NAME [IF]: IF's (eth0's) MAC address in the container.
pod_mac() { pod exec "$1" cat "/sys/class/net/${2:-eth0}/address"; }

# pod_netns NAME: the path of the network namespace Podman made for NAME.
pod_netns() { pod inspect -f '{{.NetworkSettings.SandboxKey}}' "$1"; }

# pod_httpd NAME RUN-ARGS...: a Podman container serving $ROOTFS/www on port 80.
pod_httpd() {
    local name=$1
    shift
    pod_run_d "$name" "$@" -- httpd -f -p 80 -h /www
}

# ---- containerd -----------------------------------------------------------------

# ctrd_setup CONFLIST: containerd with its state in $CNI_DIR/ctrd (CRI off),
# berth's plugin in /opt/cni/bin and CONFLIST in /etc/cni/net.d, where ctr
# looks (it has no flags for them).
ctrd_setup() {
    local d=$CNI_DIR/ctrd
    mkdir -p "$d"
    ln -s "$(command -v berth)" /opt/cni/bin/berth
    printf '%s\n' "$1" >/etc/cni/net.d/10-berth.conflist
    cat >"$d/containerd.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = ""
[debug]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
EOF
    containerd --config "$d/containerd.toml" >"$d/containerd.log" 2>&1 3>&- &
    export CTRD_PID=$!
    wait_until 10 ctrc version || fail "containerd did not start" "$(tail -20 "$d/containerd.log")"
}

# ctrc ARGS...: ctr on this file's containerd, in the namespace $CNI_TAG.
ctrc() { ctr --address "$CNI_DIR/ctrd/containerd.sock" --namespace "$CNI_TAG" "$@" 3>&-; }

# ctrc_ok ARGS...: ctrc ARGS, require exit 0.
ctrc_ok() {
    run --separate-stderr ctrc "$@"
    [ "$status" -eq 0 ] || fail "ctr $* exited $status, expected 0" "stdout: $output" "stderr: $stderr"
}

# ctr_task_field NAME FIELD: PID or STATUS of task NAME (ctr task ls).
ctr_task_field() {
    ctrc task ls 2>/dev/null | awk -v n="$1" -v f="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == n { print $col[f] }'
}

ctr_task_running() { [ "$(ctr_task_field "$1" STATUS)" = RUNNING ]; }
# ctr_task_ended NAME: task NAME has stopped, or is gone (ctr run --rm
# removes it at once).
ctr_task_ended() { [[ $(ctr_task_field "$1" STATUS) == @(STOPPED|) ]]; }

# ctr_addr NAME [IF]: IF's (eth0's) IPv4 address (CIDR) in task NAME's
# network namespace.
ctr_addr() {
    local pid
    pid=$(ctr_task_field "$1" PID)
    [ -n "$pid" ] || fail "no task $1" || return 1
    nsenter --net="/proc/$pid/ns/net" -- ip -4 -o addr show dev "${2:-eth0}" | awk '{ print $4 }'
}

# ctr_bg NAME CMD...: `ctr run --rm --cni` in the background, the way one
# runs a container in the foreground; returns once its task runs (CNI ADD
# happens before the task starts).  Its exit status goes to
# $CNI_DIR/ctr-NAME.rc when it ends.
ctr_bg() {
    local name=$1
    shift
    rm -f "$CNI_DIR/ctr-$name.rc"
    (
        rc=0
        ctrc run --rm --cni --env PATH=/bin --rootfs "$ROOTFS" "$name" "$@" >"$CNI_DIR/ctr-$name.log" 2>&1 || rc=$?
        echo "$rc" >"$CNI_DIR/ctr-$name.rc"
    ) 3>&- &
    wait_until 10 ctr_task_running "$name" ||
        fail "ctr run --rm --cni $name $* did not start" "$(cat "$CNI_DIR/ctr-$name.log")"
}

# ctr_bg_done NAME: the ctr run of ctr_bg NAME has ended.
ctr_bg_done() { [ -e "$CNI_DIR/ctr-$1.rc" ]; }

# ctrd_rm_all: every task killed and removed, every container removed.
ctrd_rm_all() {
    local t
    for t in $(ctrc task ls -q 2>/dev/null); do
        ctrc task kill -s KILL "$t" >/dev/null 2>&1 || true
        wait_until 10 ctr_task_ended "$t" >/dev/null 2>&1 || true
        ctrc task rm -f "$t" >/dev/null 2>&1 || true
    done
    for t in $(ctrc container ls -q 2>/dev/null); do
        ctrc container rm "$t" >/dev/null 2>&1 || true
    done
}
