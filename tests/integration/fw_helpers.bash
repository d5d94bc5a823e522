# Test bed of the firewall suites (030-033, issue 5).  In a .bats file:
#
#     load helpers
#     load fw_helpers
#     setup() { fw_setup; }
#     teardown() { fw_teardown; }
#
# The namespace tap-exec made plays the host.  fw_setup gives it an uplink to
# another machine, the network namespace "outside":
#
#     host: uplink 10.250.0.1/24  <--veth-->  outside: eth0 10.250.0.2/24
#                  fd00:250::1/64                       fd00:250::2/64
#
# The outside knows only 10.250.0.0/24 (outside_route adds a route to a
# container subnet via the host's uplink address).  Servers report the
# address they saw the client connect from, in a container (ctr_server), in
# the outside (outside_server) or in the host (host_server); clients print
# what the server reported (peer_from_host, peer_from_outside,
# peer_from_ctr), or fail after a timeout.  The nft helpers read table
# inet berth as JSON (nft -j), never as text.

# bats and helpers set status, output, stderr, lines, cid
# shellcheck disable=SC2154,SC2034

HOST_IP=10.250.0.1   # the host's address on its uplink
OUT_IP=10.250.0.2    # the outside machine
HOST_IP6=fd00:250::1 # the same, IPv6
OUT_IP6=fd00:250::2
OUT_NS=outside     # its network namespace (/run/netns is a tmpfs per file)

# packet_path_free: for a test whose packets cross no bridge (refusals,
# text, the table's rules, held ports): run once, in tests/integration;
# tests/nobrnf, the same files with br_netfilter's hooks off, would only
# repeat it.
packet_path_free() {
    [ -z "${BERTH_TEST_NO_BRNF:-}" ] || skip "no packet crosses a bridge: tests/integration ran it"
}

# Seconds a client waits for an answer; refute_reach uses FW_SHORT.
FW_TIMEOUT=${FW_TIMEOUT:-3}
FW_SHORT=${FW_SHORT:-1.5}

# PEER_SERVER SPEC...: SPEC is PROTO:PORT or PROTO:ADDR:PORT (PROTO tcp or
# udp, IPv4, ADDR defaults to 0.0.0.0; tcp6 or udp6, IPv6 only, ADDR
# defaults to ::).  A TCP connection gets the peer's address and a
# newline, then is closed; a UDP datagram gets the same as its reply.
PEER_SERVER='
import selectors, socket, sys
sel = selectors.DefaultSelector()
for spec in sys.argv[1:]:
    proto, rest = spec.split(":", 1)
    v6 = proto.endswith("6")
    addr, _, port = rest.rpartition(":")
    addr, port = addr or ("::" if v6 else "0.0.0.0"), int(port)
    family = socket.AF_INET6 if v6 else socket.AF_INET
    if proto.startswith("tcp"):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    else:
        s = socket.socket(family, socket.SOCK_DGRAM)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    if proto.startswith("tcp"):
        s.listen(128)
    sel.register(s, selectors.EVENT_READ, proto[:3])
while True:
    for key, _ in sel.select():
        s = key.fileobj
        try:
            if key.data == "tcp":
                c, peer = s.accept()
                c.sendall(peer[0].encode() + b"\n")
                c.close()
            else:
                _, peer = s.recvfrom(2048)
                s.sendto(peer[0].encode() + b"\n", peer)
        except OSError:
            pass
'

# PEER_CLIENT PROTO HOST PORT TIMEOUT: print what the server sent back; exit 1
# (message on stderr) on a timeout, a refusal or any other error.
PEER_CLIENT='
import socket, sys
proto, host, port, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
try:
    if proto == "tcp":
        s = socket.create_connection((host, port), timeout=timeout)
        data = b""
        while True:
            b = s.recv(256)
            if not b:
                break
            data += b
    else:
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        s.connect((host, port))
        s.send(b"who am i\n")
        data = s.recv(256)
except OSError as e:
    sys.stderr.write("%s %s:%d: %s\n" % (proto, host, port, e))
    sys.exit(1)
print(data.decode().strip())
'

# ---- the test bed -----------------------------------------------------------

fw_bed_up() {
    fw_bed_down
    ip netns add "$OUT_NS" || return 1
    ip link add uplink type veth peer name eth0 netns "$OUT_NS" || return 1
    ip addr add "$HOST_IP/24" dev uplink
    ip link set uplink up
    ip -n "$OUT_NS" link set lo up
    ip -n "$OUT_NS" addr add "$OUT_IP/24" dev eth0
    ip -n "$OUT_NS" link set eth0 up
    # IPv6 too, usable at once
    ip addr add "$HOST_IP6/64" dev uplink nodad
    ip -n "$OUT_NS" addr add "$OUT_IP6/64" dev eth0 nodad
}

fw_bed_down() {
    ip netns del "$OUT_NS" 2>/dev/null || true
    ip link del uplink 2>/dev/null || true
}

# fw_nft_cleanup: what a test may have added to nftables: other tables (a
# foreign firewall, probes), rules in berth-user.
fw_nft_cleanup() {
    local t
    while read -r t; do
        case $t in
        "table inet berth" | "") ;;
        table\ *) nft delete "$t" 2>/dev/null || true ;;
        esac
    done < <(nft list tables 2>/dev/null)
    nft flush chain inet berth berth-user 2>/dev/null || true
}

fw_setup() {
    : >"$BATS_TEST_TMPDIR/fw-bg.pids"
    fw_bed_up
}

fw_teardown() {
    fw_bg_kill
    container_teardown
    fw_nft_cleanup
    fw_bed_down
}

# outside_route CIDR: the outside routes CIDR via the host's uplink address
# (of CIDR's family).
outside_route() {
    if [[ $1 == *:* ]]; then
        ip -n "$OUT_NS" -6 route replace "$1" via "$HOST_IP6"
    else
        ip -n "$OUT_NS" route replace "$1" via "$HOST_IP"
    fi
}

# in_outside CMD...: run CMD in the outside machine.
in_outside() { ip netns exec "$OUT_NS" "$@"; }

# ---- servers ----------------------------------------------------------------

# fw_bg CMD...: start CMD in the background (killed by fw_teardown).
fw_bg() {
    "$@" >>"$BATS_TEST_TMPDIR/fw-bg.log" 2>&1 3>&- &
    echo $! >>"$BATS_TEST_TMPDIR/fw-bg.pids"
}

fw_bg_kill() {
    local p
    [ -f "$BATS_TEST_TMPDIR/fw-bg.pids" ] || return 0
    while read -r p; do
        [ -n "$p" ] && kill "$p" 2>/dev/null
    done <"$BATS_TEST_TMPDIR/fw-bg.pids"
    : >"$BATS_TEST_TMPDIR/fw-bg.pids"
}

# listening SPEC [CMD-PREFIX...]: a socket of SPEC (PROTO:[ADDR:]PORT) is
# bound, in the namespace CMD-PREFIX runs ss in.
listening() {
    local spec=$1 proto port
    shift
    proto=${spec%%:*}
    port=${spec##*:}
    local flag=-t
    [[ $proto == udp* ]] && flag=-u
    [ -n "$("$@" ss -Hln "$flag" "sport = :$port" 2>/dev/null)" ]
}

# wait_listening SPECS... -- CMD-PREFIX...
wait_listening() {
    local specs=() s
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        specs+=("$1")
        shift
    done
    shift
    for s in "${specs[@]}"; do
        wait_until 10 listening "$s" "$@" || fail "no socket for $s" "$(cat "$BATS_TEST_TMPDIR/fw-bg.log" 2>/dev/null)" ||
            return 1
    done
}

# ctr_server NAME [RUN-ARGS...] -- SPEC...: berth run -d --name NAME RUN-ARGS
# with a peer-reporting server on SPEC...; returns once it listens.  $cid is
# the container's ID.
ctr_server() {
    local name=$1 args=()
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        args+=("$1")
        shift
    done
    shift
    run_d --name "$name" "${args[@]}" -- python3 -c "$PEER_SERVER" "$@" || return 1
    local sb=$BERTH_RUNDIR/netns/$cid
    wait_listening "$@" -- nsenter --net="$sb" -- ||
        fail "logs of $name: $(berth logs "$name" 2>&1)"
}

# outside_server SPEC...: a peer-reporting server in the outside machine.
outside_server() {
    fw_bg ip netns exec "$OUT_NS" python3 -c "$PEER_SERVER" "$@"
    wait_listening "$@" -- ip netns exec "$OUT_NS"
}

# host_server SPEC...: a peer-reporting server in the host.
host_server() {
    fw_bg python3 -c "$PEER_SERVER" "$@"
    wait_listening "$@" --
}

# ---- clients ----------------------------------------------------------------

# peer_from_host PROTO IP PORT: connect from the host; print what the server
# saw as our address.  Fails after $FW_TIMEOUT seconds without an answer.
peer_from_host() { python3 -c "$PEER_CLIENT" "$1" "$2" "$3" "$FW_TIMEOUT"; }

# peer_from_outside PROTO IP PORT: the same from the outside machine.
peer_from_outside() { ip netns exec "$OUT_NS" python3 -c "$PEER_CLIENT" "$1" "$2" "$3" "$FW_TIMEOUT"; }

# peer_from_ctr REF PROTO IP PORT: the same from container REF's network
# namespace (a 64-hex ID needs no berth command).
peer_from_ctr() {
    local sb
    sb=$(sandbox_of "$1") || return 1
    nsenter --net="$sb" -- python3 -c "$PEER_CLIENT" "$2" "$3" "$4" "$FW_TIMEOUT"
}

# assert_peer WHAT EXPECTED CLIENT ARGS...: the client gets an answer, and the
# server saw EXPECTED as the client's address.
assert_peer() {
    local what=$1 want=$2 out
    shift 2
    out=$("$@" 2>&1) || fail "$what: no answer ($*)" "  $out" || return 1
    assert_eq "$out" "$want" "$what: the client address the server saw"
}

# refute_reach WHAT CLIENT ARGS...: the client gets no answer within
# $FW_SHORT seconds (dropped, refused or unreachable).
refute_reach() {
    local what=$1 out
    shift
    if out=$(FW_TIMEOUT=$FW_SHORT "$@" 2>&1); then
        fail "$what: got an answer, expected none ($*)" "  the server saw: $out"
    fi
}

# ctr_ping REF IP: one ping from REF's network namespace.
ctr_ping() {
    local sb
    sb=$(sandbox_of "$1") || return 1
    nsenter --net="$sb" -- ping -c1 -W1 "$2" >/dev/null 2>&1
}

# ---- table inet berth -------------------------------------------------------

# FW_JSON_ELEMS: print the elements of the set or map named argv[1] from the
# JSON of `nft -j list table inet berth` on stdin, one per line, sorted, as
# nft writes them: "tcp . 8080 : 10.1.0.2 . 80", "br-x . br-x", "10.1.0.0/24".
FW_JSON_ELEMS='
import json, sys
def v(x):
    if isinstance(x, dict):
        if "concat" in x:
            return " . ".join(v(y) for y in x["concat"])
        if "prefix" in x:
            return "%s/%d" % (x["prefix"]["addr"], x["prefix"]["len"])
        if "range" in x:
            return "%s-%s" % (v(x["range"][0]), v(x["range"][1]))
        if "elem" in x:
            return v(x["elem"]["val"])
        raise SystemExit("unknown element %r" % x)
    if isinstance(x, list):
        return "%s : %s" % (v(x[0]), v(x[1]))
    return str(x)
name = sys.argv[1]
found = False
objs = [o.get("set") or o.get("map") for o in json.load(sys.stdin)["nftables"]]
sets = {s["name"]: s.get("elem", []) for s in objs if s}
if name in ("ports4_any", "ports4_addr", "ports6_any", "ports6_addr"):
    # berth keeps address and port in two maps of one key (libnftables
    # 1.0.6 cannot take a concatenated map value back from JSON); shown
    # joined: "KEY : ADDR . PORT"
    found = name in sets and name + "_port" in sets
    if found:
        ports = {v(e[0]): v(e[1]) for e in sets[name + "_port"]}
        for line in sorted("%s : %s . %s" % (v(e[0]), v(e[1]), ports.get(v(e[0]), "?")) for e in sets[name]):
            print(line)
elif name in sets:
    found = True
    for line in sorted(v(e) for e in sets[name]):
        print(line)
if not found:
    raise SystemExit("table inet berth has no set or map " + name)
'

fw_json() { nft -j list table inet berth; }

# fw_elems NAME: the elements of set/map NAME of table inet berth.
fw_elems() {
    local json
    json=$(fw_json) || fail "no table inet berth" || return 1
    python3 -c "$FW_JSON_ELEMS" "$1" <<<"$json"
}

fw_has_elem() { fw_elems "$1" | grep -qxF -- "$2"; }
fw_lacks_elem() { ! fw_elems "$1" | grep -qxF -- "$2"; }

# assert_elem SET ELEMENT / refute_elem SET ELEMENT
assert_elem() {
    fw_has_elem "$1" "$2" || fail "$1 lacks the element '$2'" "  elements: $(fw_elems "$1" 2>&1 | paste -sd, -)"
}
refute_elem() {
    fw_lacks_elem "$1" "$2" || fail "$1 still has the element '$2'"
}

# fw_elems_matching SET ERE: the elements of SET that match ERE.
fw_elems_matching() { fw_elems "$1" | grep -E -- "$2" || true; }

# masq4_covers ADDR: ADDR lies in one of the intervals of masq4 (whatever
# way nft merges or prints them).
masq4_covers() { nft get element inet berth masq4 "{ $1 }" >/dev/null 2>&1; }

# fw_rule_count: the number of rules in table inet berth.
fw_rule_count() {
    local json
    json=$(fw_json) || fail "no table inet berth" || return 1
    python3 -c 'import json, sys; print(sum(1 for o in json.load(sys.stdin)["nftables"] if "rule" in o))' <<<"$json"
}

# fw_table_exists
fw_table_exists() { nft list table inet berth >/dev/null 2>&1; }

# fw_ports_snapshot: every element of the two port maps (before/after).
fw_ports_snapshot() {
    echo "## ports4_any"
    fw_elems ports4_any
    echo "## ports4_addr"
    fw_elems ports4_addr
}

# ---- probes -----------------------------------------------------------------
#
# A negative check ("the outside cannot reach X") proves something only if
# the attempt really reached the host: a probe counts the packets arriving
# on a device, in a table of the test's own (netdev fwprobe; fw_teardown
# removes it).

# probe_add DEV MATCH...: count the packets arriving on DEV that match MATCH
# (nft syntax, one word per argument).
probe_add() {
    local dev=$1
    shift
    nft add table netdev fwprobe || return 1
    nft add chain netdev fwprobe "in_$dev" "{ type filter hook ingress device \"$dev\" priority 0; }" || return 1
    nft add rule netdev fwprobe "in_$dev" "$@" counter
}

# probe_count DEV: packets counted by probe_add DEV.
probe_count() {
    nft -j list chain netdev fwprobe "in_$1" | python3 -c '
import json, sys
print(sum(e["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "rule" in o
          for e in o["rule"]["expr"] if "counter" in e))'
}

# ---- processes --------------------------------------------------------------

# berth_pids: PIDs of processes named berth* in this PID namespace (sorted
# as text, for comm).
berth_pids() {
    local p c
    for p in /proc/[0-9]*; do
        c=$(cat "$p/comm" 2>/dev/null) || continue
        [[ $c == berth* ]] && echo "${p#/proc/}"
    done | sort
}

# monitor_pids: the MonitorPid of every container, sorted.
monitor_pids() {
    local ids json
    ids=$(berth ps -aq --no-trunc) || return 1
    [ -n "$ids" ] || return 0
    # shellcheck disable=SC2086
    json=$(berth inspect $ids) || return 1
    jeval "$json" '"\n".join(str(c["State"].get("MonitorPid") or 0) for c in d)' | sort
}

# only_monitors_run MONITORS: every berth process is one of MONITORS (PIDs,
# one per line).
only_monitors_run() { [ -z "$(comm -23 <(berth_pids) <(echo "$1" | sort))" ]; }

# ps_json_of NAME: the line of berth ps -a --format json for NAME.
ps_json_of() {
    local line
    while IFS= read -r line; do
        [ "$(jeval "$line" 'd["Names"]')" = "$1" ] && echo "$line" && return 0
    done < <(berth ps -a --format json)
    fail "no line for $1 in berth ps -a --format json"
}

# nft_gen: the nftables generation of this namespace (one more per
# committed transaction, whoever commits it), read over netlink
# (NFT_MSG_GETGEN): `nft monitor` of nftables 1.0.6 can crash while
# printing a large transaction.
nft_gen() {
    python3 -c '
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
s.bind((0, 0))
body = struct.pack("BBH", 0, 0, 0)  # nfgenmsg
s.send(struct.pack("=LHHLL", 16 + len(body), (10 << 8) | 16, 1, 1, 0) + body)  # NFT_MSG_GETGEN
data = s.recv(65536)
length = struct.unpack("=L", data[:4])[0]
off = 20
while off < length:
    alen, atype = struct.unpack("=HH", data[off:off + 4])
    if atype & 0x7fff == 1:  # NFTA_GEN_ID
        print(struct.unpack(">L", data[off + 4:off + 8])[0])
        break
    off += (alen + 3) & ~3
'
}

