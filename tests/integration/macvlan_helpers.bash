# Test bed of the macvlan suites (040-042, issue 6).  In a .bats file:
#
#     load helpers
#     load macvlan_helpers
#     setup() { mv_setup; }
#     teardown() { mv_teardown; }
#
# Two machines and the LAN between them, all network namespaces inside the
# one tap-exec made for the file (fresh for each test):
#
#     hosta: eth1 ---veth--- hosta-eth1 \
#                                         br-lan   (namespace "lan")
#     hostb: eth1 ---veth--- hostb-eth1 /
#
# `mv_add_iface HOST eth2` adds a second port (eth2 <-> HOST-eth2 on br-lan)
# where a test needs a second parent.  Everything is up, lo included; the
# hosts have no address on their ports.
#
# Each host has its own berth state (BERTH_ROOT and BERTH_RUNDIR under
# $BATS_TEST_TMPDIR/HOST).  berth runs "on a host" through nsenter --net,
# not `ip netns exec`: that one makes a throwaway mount namespace, and the
# sandboxes' bind mounts (and the mount-namespace template) would vanish
# with it.
#
#     berth_a ARGS / berth_b ARGS        berth on hosta / hostb (for `run`)
#     on_a CMD / on_b CMD / on HOST CMD  any command there, with that berth state
#     mv_ok HOST ARGS                    as berth_ok: exit 0; $output, $stderr
#     mv_fails HOST CODE MESSAGE ARGS    as berth_fails: exit CODE, stderr exactly
#                                        "berth: error: MESSAGE"
#
# The first berth command on a host makes the predefined networks and may
# warn (IPv4 forwarding for bridge networks); mv_setup runs it, so the
# stderr of a test's commands is theirs alone.

# bats and helpers set status, output, stderr, lines; net_id, cid and
# mv_before_* are for the .bats files
# shellcheck disable=SC2154,SC2034

MV_HOSTS="hosta hostb"
MV_LAN=lan
MV_LAN_BR=br-lan

# ---- running berth on a host ------------------------------------------------

mv_state() { echo "$BATS_TEST_TMPDIR/$1"; }

# on HOST CMD...: CMD in HOST's network namespace with HOST's berth state.
on() {
    local h=$1 st
    shift
    st=$(mv_state "$h")
    nsenter --net="/run/netns/$h" -- env BERTH_ROOT="$st/root" BERTH_RUNDIR="$st/run" "$@"
}
on_a() { on hosta "$@"; }
on_b() { on hostb "$@"; }
berth_a() { on hosta berth "$@"; }
berth_b() { on hostb berth "$@"; }

# The base helpers on HOST (helpers.bash's `at`): mv_ok HOST ARGS...,
# mv_fails HOST CODE MESSAGE ARGS..., mv_create_net HOST ARGS... ($net_id),
# mv_run_d HOST ARGS... ($cid), mv_net_get HOST NET EXPR.
mv_ok() { at "$1" berth_ok "${@:2}"; }
mv_fails() { at "$1" berth_fails "${@:2}"; }
mv_create_net() { at "$1" create_net "${@:2}"; }
mv_run_d() { at "$1" run_d "${@:2}"; }
mv_net_get() { at "$1" net_get "${@:2}"; }

# mv_net_opt HOST NET KEY: Options[KEY] of NET, or <absent>.
mv_net_opt() { mv_net_get "$1" "$2" "d['Options'].get('$3', '<absent>')"; }

# mv_ctr_get HOST REF EXPR / mv_ctr_ip HOST REF NET
mv_ctr_get() { at "$1" ctr_get "${@:2}"; }
mv_ctr_ip() { at "$1" ctr_ip "${@:2}"; }

# mv_net_names HOST: berth network ls names on HOST, one per line, sorted.
mv_net_names() { on "$1" berth network ls --format json | python3 -c '
import json, sys
print("\n".join(sorted(json.loads(l)["Name"] for l in sys.stdin if l.strip())))'; }

# mv_ctr_names HOST: names of every container (berth ps -a) on HOST, sorted.
mv_ctr_names() { on "$1" berth ps -a --format json | python3 -c '
import json, sys
print("\n".join(sorted(json.loads(l)["Names"] for l in sys.stdin if l.strip())))'; }

refute_network() {
    ! mv_net_names "$1" | grep -qxF -- "$2" || fail "network $2 still exists on $1" "$(on "$1" berth network ls)"
}
refute_container() {
    ! mv_ctr_names "$1" | grep -qxF -- "$2" || fail "container $2 exists on $1" "$(on "$1" berth ps -a)"
}

# ---- reaching containers ----------------------------------------------------

# mv_ping HOST CTR IP: one ping from container CTR of HOST (berth exec).
mv_ping() { on "$1" berth exec "$2" ping -c1 -W1 "$3" >/dev/null 2>&1; }

# assert_ping HOST CTR IP: CTR reaches IP (tries for 5 s: a neighbour entry
# left FAILED by an earlier check may take a second retry).
assert_ping() {
    wait_until 5 mv_ping "$@" 2>/dev/null || fail "$2 on $1 cannot ping $3"
}

# refute_ping HOST CTR IP: a ping of IP from CTR gets no answer (1 s).
refute_ping() {
    ! mv_ping "$@" || fail "$2 on $1 pings $3, expected no answer"
}

# host_ping HOST IP: one ping from HOST's own namespace (not a container).
host_ping() { nsenter --net="/run/netns/$1" -- ping -c1 -W1 "$2" >/dev/null 2>&1; }

# ---- the kernel of a host ---------------------------------------------------

# in_ns HOST CMD...: CMD in HOST's network namespace (no berth state).
in_ns() {
    local h=$1
    shift
    nsenter --net="/run/netns/$h" -- "$@"
}

mv_link_exists() { in_ns "$1" ip link show dev "$2" >/dev/null 2>&1; }
mv_link_gone() { ! mv_link_exists "$@"; }

# mv_links HOST: HOST's links, one per line, sorted.
mv_links() {
    in_ns "$1" ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort
}

assert_mv_link() {
    mv_link_exists "$1" "$2" || fail "link $2 does not exist on $1" "links: $(mv_links "$1" | tr '\n' ' ')"
}

# refute_mv_link HOST DEV: DEV is gone from HOST (the kernel may take a moment).
refute_mv_link() {
    wait_until 10 mv_link_gone "$1" "$2" 2>/dev/null || fail "link $2 still exists on $1"
}

# link_flags HOST DEV: the <FLAGS> of DEV, comma-separated.
link_flags() { in_ns "$1" ip -o link show dev "$2" | sed -n 's/^[0-9]*: [^:]*: <\([^>]*\)>.*/\1/p'; }

# assert_link_flag HOST DEV FLAG / refute_link_flag HOST DEV FLAG
assert_link_flag() {
    [[ ,$(link_flags "$1" "$2"), == *,$3,* ]] || fail "$2 on $1 lacks flag $3 (<$(link_flags "$1" "$2")>)"
}
refute_link_flag() {
    [[ ,$(link_flags "$1" "$2"), != *,$3,* ]] || fail "$2 on $1 has flag $3 (<$(link_flags "$1" "$2")>)"
}

# mv_addrs HOST DEV: DEV's IPv4 addresses (CIDR), one per line.
mv_addrs() { in_ns "$1" ip -4 -o addr show dev "$2" | awk '{ print $4 }'; }

# ---- snapshots of a host ----------------------------------------------------

# mv_snapshot HOST: berth's networks and containers, the links and IPv4
# addresses of HOST.
mv_snapshot() {
    echo "## networks"
    mv_net_names "$1"
    echo "## containers"
    mv_ctr_names "$1"
    echo "## links"
    mv_links "$1"
    echo "## addresses"
    in_ns "$1" ip -4 -o addr show | awk '{ print $2, $4 }' | sort
}

# mv_snapshot_save HOST / assert_mv_unchanged HOST: nothing changed on HOST
# since the save (the kernel may take a moment to free a link: 10 s).
mv_snapshot_save() { printf -v "mv_before_${1}" '%s' "$(mv_snapshot "$1")"; }
mv_unchanged() {
    local var="mv_before_$1"
    [ "$(mv_snapshot "$1")" = "${!var}" ]
}
assert_mv_unchanged() {
    local var="mv_before_$1" now
    wait_until 10 mv_unchanged "$1" 2>/dev/null && return 0
    now=$(mv_snapshot "$1")
    fail "state of $1 changed" "before:" "${!var}" "after:" "$now" "diff:" "$(diff <(echo "${!var}") <(echo "$now"))"
}

# ---- nftables of a host -----------------------------------------------------

# MV_NFT_SETS: every set and map of the JSON of `nft -j list table inet
# berth` (stdin), one line per element: "NAME ELEMENT-AS-JSON", sorted; a
# set without elements is one line "NAME".
MV_NFT_SETS='
import json, sys
out = []
for o in json.load(sys.stdin)["nftables"]:
    s = o.get("set") or o.get("map")
    if not s:
        continue
    elems = s.get("elem", [])
    out.append(s["name"])
    out.extend("%s %s" % (s["name"], json.dumps(e, sort_keys=True)) for e in elems)
print("\n".join(sorted(out)))
'

# mv_nft_sets HOST: the elements of every set and map of HOST's table inet berth.
mv_nft_sets() {
    local json
    json=$(in_ns "$1" nft -j list table inet berth) || fail "no table inet berth on $1" || return 1
    python3 -c "$MV_NFT_SETS" <<<"$json"
}

# mv_nft_set HOST SET: the elements of one set, one JSON value per line.
mv_nft_set() { mv_nft_sets "$1" | awk -v s="$2" '$1 == s && NF > 1 { sub(/^[^ ]* /, ""); print }'; }

# mv_masq4_covers HOST ADDR: ADDR lies in an interval of HOST's set masq4.
mv_masq4_covers() { in_ns "$1" nft get element inet berth masq4 "{ $2 }" >/dev/null 2>&1; }

# ---- the test bed -----------------------------------------------------------

# mv_add_iface HOST IF: HOST gets IF, a veth whose peer HOST-IF is a port of
# br-lan; both ends up.
mv_add_iface() {
    local h=$1 ifc=$2
    ip -n "$MV_LAN" link add "$h-$ifc" type veth peer name "$ifc" netns "$h" || return 1
    ip -n "$MV_LAN" link set "$h-$ifc" master "$MV_LAN_BR" up &&
        ip -n "$h" link set "$ifc" up
}

# lan_port HOST IF: the br-lan port at the other end of HOST's IF.
lan_port() { echo "$1-$2"; }

# lan_hairpin HOST IF on|off: reflect (or not) frames back out of the br-lan
# port of HOST's IF (what a VEPA switch does).
lan_hairpin() { ip netns exec "$MV_LAN" bridge link set dev "$(lan_port "$1" "$2")" hairpin "$3"; }

mv_bed_up() {
    local h
    mv_bed_down
    ip netns add "$MV_LAN" || return 1
    ip -n "$MV_LAN" link set lo up
    ip -n "$MV_LAN" link add "$MV_LAN_BR" type bridge || return 1
    ip -n "$MV_LAN" link set "$MV_LAN_BR" up
    for h in $MV_HOSTS; do
        ip netns add "$h" || return 1
        ip -n "$h" link set lo up
        mkdir -p "$(mv_state "$h")/root" "$(mv_state "$h")/run"
        mv_add_iface "$h" eth1 || return 1
    done
}

mv_bed_down() {
    local n
    for n in $MV_HOSTS $MV_LAN; do
        ip netns del "$n" 2>/dev/null || true
    done
}

# mv_setup: the test bed, and the predefined networks made on each host.
mv_setup() {
    local h
    mv_bed_up || fail "could not build the test bed" || return 1
    for h in $MV_HOSTS; do
        on "$h" berth network ls >/dev/null 2>&1 || fail "berth network ls on $h failed" || return 1
    done
}

# mv_teardown: every container and user network of both hosts removed (so
# berth removes what it made), the sandboxes and mount-namespace templates
# unmounted (a template holds copies of /run/netns/* and would keep the
# namespaces alive), then the three namespaces deleted.
mv_teardown() {
    local h ids st id
    for h in $MV_HOSTS; do
        [ -e "/run/netns/$h" ] || continue
        ids=$(on "$h" berth ps -aq --no-trunc 2>/dev/null) || true
        if [ -n "$ids" ]; then
            # shellcheck disable=SC2086
            on "$h" berth rm -f $ids >/dev/null 2>&1 || true
        fi
        for id in $(on "$h" berth network ls -q --no-trunc -f type=custom 2>/dev/null); do
            on "$h" berth network rm "$id" >/dev/null 2>&1 || true
        done
    done
    for h in $MV_HOSTS; do
        st=$(mv_state "$h")
        umount -R "$st/run/netns" "$st/run/mnt" 2>/dev/null || true
    done
    mv_bed_down
    mv_vlan_probe_cleanup
    # nothing is left mounted under the hosts' state (bats removes it next)
    ! grep -qF " $BATS_TEST_TMPDIR/" /proc/self/mountinfo ||
        fail "mounts left under $BATS_TEST_TMPDIR:" "$(grep -F " $BATS_TEST_TMPDIR/" /proc/self/mountinfo)"
}

# ---- 802.1Q -----------------------------------------------------------------

# mv_vlan_supported: the kernel makes VLAN links (module 8021q), probed on a
# veth of the test's own namespace, removed again.
mv_vlan_supported() {
    local ok=1
    mv_vlan_probe_cleanup
    ip link add mvprobe type veth peer name mvprobe-p || return 1
    ip link add link mvprobe name mvprobe.10 type vlan id 10 2>/dev/null && ok=0
    mv_vlan_probe_cleanup
    return "$ok"
}

mv_vlan_probe_cleanup() {
    ip link del mvprobe.10 2>/dev/null || true
    ip link del mvprobe 2>/dev/null || true
}
