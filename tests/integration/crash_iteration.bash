# One iteration of the crash test (070-crash-points.bats), run by
# crash_at_step in namespaces of its own: a fresh network namespace (no
# link, no table, ip_forward 0), mount namespace and PID namespace (every
# monitor left behind dies with it), and a fresh store and run dir.
#
#     bash crash_iteration.bash SCENARIO N TRACE BASELINE
#
# Sets SCENARIO's state up, runs its command under build/berth-crash with
# BERTH_CRASH_AT=N (N = 0: no crash, and TRACE gets every step), then:
# `system reconcile`, `system check` must pass; SCENARIO's objects must
# work or be gone, and a fresh container on the same network, with the
# same name, address and host ports, must run and send a packet; after
# everything is removed, `system check` must pass again and the host must
# look as it did after the uncrashed run (BASELINE: links, addresses, the
# table's elements, the run dir's files, the store's rows).
# Prints what failed and exits non-zero.

set -uo pipefail

if [ -z "${BERTH_TEST_NETNS:-}" ] || [ "$(readlink /proc/self/ns/net)" = "$BERTH_TEST_NETNS" ]; then
    echo "crash_iteration.bash runs in a namespace of its own, from 070-crash-points.bats" >&2
    exit 1
fi

scenario=$1 at=$2 trace=$3 baseline=$4

die() {
    echo "scenario $scenario, crash after step $at${step_name:+ ($step_name)}: $*" >&2
    exit 1
}

mkdir -p /run/netns && mount -t tmpfs -o mode=0755 crash-netns /run/netns || die "no /run/netns"
BERTH_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/berth-crash-root.XXXXXX")
BERTH_RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/berth-crash-run.XXXXXX")
export BERTH_ROOT BERTH_RUNDIR
# the mounts go with this mount namespace; the directories are removed here
trap 'umount -R "$BERTH_RUNDIR/netns" "$BERTH_RUNDIR/mnt" 2>/dev/null; rm -rf "$BERTH_ROOT" "$BERTH_RUNDIR"' EXIT
ip link set lo up

# ok ARGS...: berth ARGS must succeed (its output in $out)
ok() {
    out=$(berth "$@" 2>&1) || die "berth $* failed: $out"
}

# ---- what a scenario works on -----------------------------------------------

NET=n1 SUBNET=10.71.0.0/24 GATEWAY=10.71.0.1 CTR_IP=10.71.0.5
NET2=n2 GATEWAY2=10.72.0.1
MV=m1 MV_SUBNET=10.73.0.0/24 MV_IP=10.73.0.5 MV_IP2=10.73.0.6

make_net() { ok network create --subnet "$SUBNET" "$NET"; }
make_net2() { ok network create --subnet 10.72.0.0/24 "$NET2"; }
# a parent for macvlan: one end of a veth pair of this namespace
make_parent() {
    ip link add mvp address 02:00:5e:00:00:01 type veth peer name mvq address 02:00:5e:00:00:02 && ip link set mvp up && ip link set mvq up ||
        die "cannot make the macvlan parent"
}
make_mv() { ok network create -d macvlan -o parent=mvp --subnet "$MV_SUBNET" "$MV"; }
run_c1() { ok run -d --name c1 --network "$NET" --ip "$CTR_IP" -p 8080:80 -p 8081:81/udp -- sleep 1000; }

exists_net() { berth network inspect "$1" >/dev/null 2>&1; }
exists_ctr() { berth inspect "$1" >/dev/null 2>&1; }
ctr_state() {
    berth inspect "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["State"]["Status"])'
}
connected() {
    berth inspect "$1" 2>/dev/null | python3 -c 'import json,sys; sys.exit(sys.argv[1] not in json.load(sys.stdin)[0]["NetworkSettings"]["Networks"])' "$2"
}

# a packet: the container reaches ADDR
pings() { berth exec "$1" ping -c1 -W2 "$2" >/dev/null 2>&1 || die "$1 does not reach $2"; }

# published PORT ADDR: the table maps host port PORT (any address) to ADDR
published() {
    nft -j list map inet berth ports4_any 2>/dev/null | python3 -c '
import json, sys
maps = [m["map"] for m in json.load(sys.stdin)["nftables"] if "map" in m]
elems = [json.dumps(e) for m in maps for e in m.get("elem", [])]
sys.exit(not any(sys.argv[1] in e and sys.argv[2] in e for e in elems))' "$1" "$2" ||
        die "no element of map ports4_any sends port $1 to $2"
}

# the network works: a fresh container with c1's name, address and ports
# runs on it, reaches its gateway, and its ports are in the table
fresh_run_works() {
    ok run -d --name c1 --network "$NET" --ip "$CTR_IP" -p 8080:80 -p 8081:81/udp -- sleep 1000
    pings c1 "$GATEWAY"
    ok rm -f c1
}

# the macvlan network works: two containers reach each other
fresh_mv_works() {
    ok run -d --name v1 --network "$MV" --ip "$MV_IP" -- sleep 1000
    ok run -d --name v2 --network "$MV" --ip "$MV_IP2" -- sleep 1000
    pings v1 "$MV_IP2"
    ok rm -f v1 v2
}

# ---- scenarios: setup_X, the command X_cmd, after_X ---------------------------
# after_X runs once reconcile and check passed: whatever the crash left
# must work or be gone, and what the command was for must then be doable.

setup_create() { :; }  # the first command on a fresh host: berth0 and the table too
create_cmd=(network create --subnet "$SUBNET" "$NET")
after_create() {
    exists_net "$NET" || make_net
    fresh_run_works
}

setup_rm_net() { make_net; }
rm_net_cmd=(network rm "$NET")
after_rm_net() {
    if exists_net "$NET"; then
        fresh_run_works
        ok network rm "$NET"
    fi
    make_net
    fresh_run_works
}

setup_mv_create() { make_parent; ok network ls; }
mv_create_cmd=(network create -d macvlan -o parent=mvp --subnet "$MV_SUBNET" "$MV")
after_mv_create() {
    exists_net "$MV" || make_mv
    fresh_mv_works
}

setup_mv_rm() { make_parent; make_mv; }
mv_rm_cmd=(network rm "$MV")
after_mv_rm() {
    exists_net "$MV" && ok network rm "$MV"
    make_mv
    fresh_mv_works
}

setup_run() { make_net; }
run_cmd=(run -d --name c1 --network "$NET" --ip "$CTR_IP" -p 8080:80 -p 8081:81/udp -- sleep 1000)
after_run() {
    if [ "$(ctr_state c1)" = running ]; then
        pings c1 "$GATEWAY"
        published 8080 "$CTR_IP"
    fi
    exists_ctr c1 && ok rm -f c1
    fresh_run_works
}

# on_n2: c1's interface on n2 has the address inspect gives (its
# gateway, a host address, answers through eth0 as well)
on_n2() {
    local ip
    ip=$(berth inspect c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["NetworkSettings"]["Networks"][sys.argv[1]]["IPAddress"])' "$NET2")
    berth exec c1 ip -o -4 addr show dev eth1 | grep -qF " $ip/" || die "c1's eth1 lacks its address $ip on $NET2"
    berth exec c1 ping -c1 -W2 -I eth1 "$GATEWAY2" >/dev/null 2>&1 || die "c1 does not reach $GATEWAY2 through eth1"
}

# whichever way the crash left c1 on n2, it works there, can leave and
# join again, and reaches both gateways
connect_again_works() {
    if connected c1 "$NET2"; then
        on_n2
        ok network disconnect "$NET2" c1
    fi
    ok network connect "$NET2" c1
    on_n2
    pings c1 "$GATEWAY"
}

setup_connect() { make_net; make_net2; run_c1; }
connect_cmd=(network connect "$NET2" c1)
after_connect() { connect_again_works; }

setup_disconnect() { setup_connect; ok network connect "$NET2" c1; }
disconnect_cmd=(network disconnect "$NET2" c1)
after_disconnect() { connect_again_works; }

setup_stop() { make_net; run_c1; }
stop_cmd=(stop c1)
after_stop() {
    [ "$(ctr_state c1)" = running ] && pings c1 "$GATEWAY"
    ok stop c1
    [ "$(ctr_state c1)" = exited ] || die "c1 is $(ctr_state c1) after stop"
    ok rm c1
    fresh_run_works
}

setup_rm() { make_net; run_c1; }
rm_cmd=(rm -f c1)
after_rm() {
    exists_ctr c1 && ok rm -f c1
    fresh_run_works
}

# ---- the host after everything is removed ------------------------------------

remove_all() {
    local c n
    for c in $(berth ps -aq); do ok rm -f "$c"; done
    for n in "$NET" "$NET2" "$MV"; do
        exists_net "$n" && ok network rm "$n"
    done
}

# what must be as after the uncrashed run: links, addresses, the table's
# sets and maps, files under the run dir, rows of the store
host_state() {
    ip -o link show | sed 's/^[0-9]*: //; s/ link-netnsid [0-9]*//' | awk '{ print $1 }' | sort
    ip -o addr show | awk '{ print $2, $4 }' | sort
    nft list table inet berth 2>&1 | grep -v 'handle\|counter packets'
    (cd "$BERTH_RUNDIR" && find . -path ./netns -prune -o -print | sort)
    ls "$BERTH_RUNDIR/netns" 2>/dev/null | sort
    for t in networks subnets leases endpoints containers ports; do
        echo "$t: $(sqlite3 "$BERTH_ROOT/berth.db" "SELECT count(*) FROM $t" 2>&1)"
    done
}

# ---- the iteration ------------------------------------------------------------

declare -F "setup_$scenario" >/dev/null || die "no scenario $scenario"
"setup_$scenario"
cmd_var="${scenario}_cmd[@]"
# only the uncrashed run writes the trace
[ "$at" -eq 0 ] || trace_to=
BERTH_CRASH_AT=$at BERTH_CRASH_TRACE=${trace_to-$trace} berth-crash "${!cmd_var}" >/dev/null 2>&1
rc=$?
step_name=$( [ "$at" -gt 0 ] && sed -n "${at}s/^[0-9]* //p" "$trace")
if [ "$at" -eq 0 ]; then
    [ "$rc" -eq 0 ] || die "berth ${!cmd_var} failed (exit $rc) without a crash"
else
    [ "$rc" -eq 137 ] || die "berth ${!cmd_var} exited $rc: it did not reach step $at"
fi
ok system reconcile
ok system check
"after_$scenario"
ok system check
remove_all
ok system check
if [ "$at" -eq 0 ]; then
    host_state >"$baseline"
else
    diff -u "$baseline" <(host_state) >&2 || die "the host is not as after the uncrashed run"
fi
