#!/usr/bin/env bats
#
# libberth as a container engine would take it: `make install` puts
# libberth.so (exporting the functions of berth.h and nothing else), its
# links, berth.h and berth.pc where a compiler and pkg-config find them; a
# C++ program can use the header; and examples/netns-attach, which `make
# check` builds against such an installation (DESTDIR=$(BUILD)/stage,
# PREFIX=/usr), creates a network, puts a namespace on it, prints the
# address and leaves nothing behind.

# bats sets status, output, stderr, lines
# shellcheck disable=SC2154

load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD_DIR=$(dirname "$(command -v berth)")
STAGE=$BUILD_DIR/stage
LIBDIR=$STAGE/usr/lib
EXAMPLE=$BUILD_DIR/examples/netns-attach

teardown() {
    container_teardown
    # the run dir of -r/-d, mounted on by berth
    umount -R "$BATS_TEST_TMPDIR/run/netns" "$BATS_TEST_TMPDIR/run/mnt" 2>/dev/null || true
}

# staged_pkg_config ARGS...: pkg-config finding berth.pc in the staged installation
staged_pkg_config() {
    PKG_CONFIG_PATH=$LIBDIR/pkgconfig PKG_CONFIG_SYSROOT_DIR=$STAGE pkg-config "$@"
}

# san_flags: the sanitizers a program needs to link and run with the staged
# libberth (make asan builds one with ASan and UBSan, as the example)
san_flags() {
    if readelf -d "$LIBDIR/libberth.so.0" | grep -q 'libasan'; then
        echo -fsanitize=address,undefined
    fi
}

# example ARGS...: run netns-attach with the staged library
example() {
    [ -x "$EXAMPLE" ] || fail "no $EXAMPLE: make check builds it (make example)" || return 1
    run --separate-stderr env LD_LIBRARY_PATH="$LIBDIR" "$EXAMPLE" "$@"
}

# header_functions: the functions include/berth.h declares, sorted
header_functions() { grep -oE '\bberth_[a-z_]+\(' "$REPO/include/berth.h" | tr -d '(' | sort -u; }

# everything_snapshot: state_snapshot, the containers, and their namespaces
# and mounts in the run dir (but the netns/, mnt/ and mnt/template berth
# makes for them all at the first)
everything_snapshot() {
    state_snapshot
    echo "## containers"
    berth ps -aq --no-trunc
    echo "## namespaces"
    ls -A "$BERTH_RUNDIR/netns" 2>/dev/null
    echo "## mounts"
    awk -v d="$BERTH_RUNDIR" 'index($5, d "/netns/") == 1 || (index($5, d "/mnt/") == 1 && $5 != d "/mnt/template") { print $5 }' \
        /proc/self/mountinfo
}

# ---- the installation -------------------------------------------------------

@test "make install puts libberth.so with its links, libberth.a, berth.h and berth.pc under PREFIX" {
    local dest=$BATS_TEST_TMPDIR/dest build version lib=$BATS_TEST_TMPDIR/dest/opt/berth/lib
    build=$(realpath --relative-to="$REPO" "$BUILD_DIR")
    version=$(berth version)
    version=${version##* }
    # -o: install what is built, compile nothing
    run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$REPO" --no-print-directory BUILD="$build" \
        DESTDIR="$dest" PREFIX=/opt/berth -o "$build/libberth.a" -o "$build/libberth.so.$version" install-lib
    assert_eq "$status" 0 "make install-lib (output: $output)"

    [ -f "$lib/libberth.so.$version" ] || fail "libberth.so.$version not installed" || return 1
    assert_eq "$(readlink "$lib/libberth.so.0")" "libberth.so.$version" "libberth.so.0 ->"
    assert_eq "$(readlink "$lib/libberth.so")" libberth.so.0 "libberth.so ->"
    assert_match "$(readelf -d "$lib/libberth.so")" 'SONAME.*\[libberth\.so\.0\]' "SONAME"
    [ -f "$lib/libberth.a" ] || fail "libberth.a not installed"
    cmp "$REPO/include/berth.h" "$dest/opt/berth/include/berth.h" || fail "berth.h not installed as it is"

    local pc=(env PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config)
    assert_eq "$("${pc[@]}" --modversion berth)" "$version" "pkg-config --modversion berth"
    assert_eq "$("${pc[@]}" --variable=prefix berth)" /opt/berth "berth.pc's prefix"
    assert_eq "$("${pc[@]}" --cflags --libs berth | xargs)" "-I/opt/berth/include -L/opt/berth/lib -lberth" \
        "pkg-config --cflags --libs berth"
    assert_eq "$("${pc[@]}" --print-requires-private berth | xargs)" "libmnl jansson sqlite3 libcap libcares" \
        "berth.pc's Requires.private"
}

@test "libberth.so exports the functions of berth.h and nothing else" {
    local so=$LIBDIR/libberth.so.0 symbols
    [ -e "$so" ] || fail "no $so: make check installs it there (make example)" || return 1
    # one version node, LIBBERTH_0, and the functions in it
    symbols=$(nm -D --defined-only "$so" | awk '{ print $NF }' | sort)
    assert_eq "$(grep -v '@@LIBBERTH_0$' <<<"$symbols")" LIBBERTH_0 "symbols outside LIBBERTH_0"
    assert_eq "$(grep '@@' <<<"$symbols" | sed 's/@@.*//')" "$(header_functions)" "exported functions"
    # the internals do not leak, nor collide with libnl-3's names
    refute_contains "$symbols" nl_open "exported symbols"
    refute_contains "$symbols" berth_err_wrap "exported symbols"
}

@test "berth.h compiles as C++ and a C++ program links and runs with libberth" {
    cat >"$BATS_TEST_TMPDIR/prog.cc" <<'EOF'
#include <berth.h>

int main()
{
	berth_err err = { 0, nullptr };
	berth_err_clear(&err);
	berth_close(nullptr);
	return 0;
}
EOF
    # without extern "C" the calls would name C++ symbols libberth lacks
    # shellcheck disable=SC2046
    run g++ -std=c++11 -Wall -Wextra -Werror -pedantic $(san_flags) -o "$BATS_TEST_TMPDIR/prog" "$BATS_TEST_TMPDIR/prog.cc" \
        $(staged_pkg_config --cflags --libs berth)
    assert_eq "$status" 0 "g++ (output: $output)"
    run env LD_LIBRARY_PATH="$LIBDIR" "$BATS_TEST_TMPDIR/prog"
    assert_eq "$status" 0 "the C++ program's exit status (output: $output)"
}

@test "berth.pc links a program against libberth.a too" {
    local libs
    libs=$(staged_pkg_config --static --libs berth)
    assert_contains "$libs" -lberth "pkg-config --static --libs berth"
    # shellcheck disable=SC2046,SC2086
    run cc $(san_flags) -o "$BATS_TEST_TMPDIR/static" "$REPO/examples/netns-attach.c" \
        $(staged_pkg_config --cflags berth) ${libs/-lberth/-l:libberth.a}
    assert_eq "$status" 0 "cc against libberth.a (output: $output)"
    refute_contains "$(readelf -d "$BATS_TEST_TMPDIR/static")" libberth "libraries the static program needs"
}

# ---- examples/netns-attach --------------------------------------------------

@test "netns-attach runs against the installed library" {
    [ -x "$EXAMPLE" ] || fail "no $EXAMPLE: make check builds it (make example)" || return 1
    assert_match "$(LD_LIBRARY_PATH=$LIBDIR ldd "$EXAMPLE")" "libberth\.so\.0 => $LIBDIR/libberth\.so\.0 " "ldd $EXAMPLE"
}

@test "netns-attach creates a network, attaches a namespace to it, prints its address and leaves nothing" {
    local before after addr
    berth_ok network ls # the predefined networks exist before the snapshot
    before=$(everything_snapshot)

    example libnet 10.71.0.0/24
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    refute_contains "$stderr" error "stderr"
    assert_eq "${#lines[@]}" 3 "lines printed ($output)"
    assert_eq "${lines[0]}" "network 10.71.0.0/24" "first line"
    assert_match "${lines[1]}" "^namespace /proc/[0-9]+/ns/net\$" "second line"
    assert_match "${lines[2]}" '^address [0-9.]+/24$' "third line"
    addr=${lines[2]#address }
    python3 -c 'import ipaddress, sys; sys.exit(ipaddress.ip_interface(sys.argv[1]) not in ipaddress.ip_network(sys.argv[2]))' \
        "${addr%/*}/32" 10.71.0.0/24 || fail "$addr is not in 10.71.0.0/24"

    after=$(everything_snapshot)
    assert_eq "$after" "$before" "networks, links, addresses, containers, namespaces and mounts after netns-attach"
    assert_eq "$(berth network ls | awk 'NR > 1 { print $2 }' | sort | xargs)" "$PREDEFINED_NETWORKS" \
        "networks after netns-attach"
}

@test "netns-attach -r ROOT -d RUN_DIR: the state is there, not in BERTH_ROOT" {
    local root=$BATS_TEST_TMPDIR/root rundir=$BATS_TEST_TMPDIR/run
    mkdir -p "$root" "$rundir"
    # another state wants berth0 too: a network namespace of its own
    [ -x "$EXAMPLE" ] || fail "no $EXAMPLE: make check builds it (make example)" || return 1
    run --separate-stderr unshare --net -- env LD_LIBRARY_PATH="$LIBDIR" "$EXAMPLE" -r "$root" -d "$rundir" elsewhere 10.71.1.0/24
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_match "${lines[2]}" "^address 10\.71\.1\.[0-9]+/24\$" "the address"
    [ -f "$root/berth.db" ] || fail "no berth.db in $root"
    [ -d "$rundir/netns" ] || fail "no netns directory in $rundir"
    refute_contains "$(berth network ls)" elsewhere "network ls under BERTH_ROOT"
}

@test "netns-attach with a bad subnet fails, saying why, and changes nothing" {
    berth_ok network ls
    local before
    before=$(everything_snapshot)
    example badnet 10.71.2.0/33
    assert_eq "$status" 1 "exit status"
    assert_match "$stderr" '^netns-attach: badnet: .*10\.71\.2\.0/33' "stderr"
    assert_eq "$output" "" "stdout"
    assert_eq "$(everything_snapshot)" "$before" "the state after a refused network"
}

# ---- a long-running caller ---------------------------------------------------

@test "in one long-lived context, disconnects leave no children, send no SIGCHLD and leave nothing" {
    # shellcheck disable=SC2046
    run cc -Wall -Wextra -Werror $(san_flags) -o "$BATS_TEST_TMPDIR/detach-loop" "$REPO/tests/lib/detach-loop.c" \
        $(staged_pkg_config --cflags --libs berth)
    assert_eq "$status" 0 "cc tests/lib/detach-loop.c (output: $output)"
    create_net --subnet 10.150.0.0/24 first
    create_net --subnet 10.151.0.0/24 second
    local br
    br=$(bridge_of "$net_id")
    run_d --name c1 --network first -- sleep 3600

    run --separate-stderr env LD_LIBRARY_PATH="$LIBDIR" "$BATS_TEST_TMPDIR/detach-loop" second c1 12
    assert_eq "$status" 0 "detach-loop's exit status (stderr: $stderr)"
    # the processes of ended deletions are reaped when the next starts: after
    # 12 rounds, a wait for them all to end and one more, only the last can be
    local children
    children=$(awk '$1 == "children" { print $2 }' <<<"$output")
    [ -n "$children" ] && [ "$children" -le 1 ] || fail "children left after 13 disconnects: '$children' (output: $output)"
    assert_eq "$(awk '$1 == "sigchld" { print $2 }' <<<"$output")" 0 "SIGCHLDs the caller got"
    assert_eq "$(ctr_links c1)" "eth0
lo" "links of c1"
    assert_eq "$(veths_on "$br")" "" "veths on the second network's bridge"
}

# build_run_signals: tests/lib/run-signals.c against the staged library
build_run_signals() {
    # shellcheck disable=SC2046
    run cc -Wall -Wextra -Werror $(san_flags) -pthread -o "$BATS_TEST_TMPDIR/run-signals" \
        "$REPO/tests/lib/run-signals.c" $(staged_pkg_config --cflags --libs berth)
    assert_eq "$status" 0 "cc tests/lib/run-signals.c (output: $output)"
}

@test "a foreground berth_run leaves the caller's signal handlers alone unless it asks" {
    build_run_signals
    mkdir "$BATS_TEST_TMPDIR/plain"
    run --separate-stderr env LD_LIBRARY_PATH="$LIBDIR" "$BATS_TEST_TMPDIR/run-signals" plain "$BATS_TEST_TMPDIR/plain"
    assert_eq "$status" 0 "run-signals plain (stderr: $stderr)"
    assert_eq "$output" "exit 7
ours 1
handler ours" "the caller's SIGTERM went to the caller's handler, not to the container"
}

@test "with forward_signals, SIGTERM reaches the container and the caller's handler comes back" {
    build_run_signals
    mkdir "$BATS_TEST_TMPDIR/fwd"
    run --separate-stderr env LD_LIBRARY_PATH="$LIBDIR" "$BATS_TEST_TMPDIR/run-signals" forward "$BATS_TEST_TMPDIR/fwd"
    assert_eq "$status" 0 "run-signals forward (stderr: $stderr)"
    assert_eq "$output" "exit 42
ours 0
handler ours" "SIGTERM forwarded to the container, then the handler restored"
}

# ---- examples/ipam-pool: the pools of Docker's IPAM protocol ----------------

# example_run NAME ARGS...: run examples/NAME with the staged library
example_run() {
    local ex=$BUILD_DIR/examples/$1
    shift
    [ -x "$ex" ] || fail "no $ex: make check builds it (make example)" || return 1
    run --separate-stderr env LD_LIBRARY_PATH="$LIBDIR" "$ex" "$@"
}

# example_run_ok NAME ARGS...: a call that must succeed
example_run_ok() {
    example_run "$@"
    assert_eq "$status" 0 "$* (stderr: $stderr)"
}

pool() { example_run ipam-pool "$@"; }
pool_ok() { example_run_ok ipam-pool "$@"; }

@test "ipam-pool: a pool with a sub-pool, asked again (the same), addresses from the sub-pool or anywhere in the pool, released at once" {
    pool_ok request-pool LocalDefault 10.72.0.0/24 10.72.0.128/25 4
    assert_eq "$output" "LocalDefault/10.72.0.0/24/10.72.0.128/25 10.72.0.0/24" "the pool"
    local id=LocalDefault/10.72.0.0/24/10.72.0.128/25
    pool_ok request-pool LocalDefault 10.72.0.0/24 10.72.0.128/25 4 # dockerd's retry
    pool_ok request-address "$id" - gateway
    assert_eq "$output" 10.72.0.128/24 "the lowest free address of the sub-pool"
    pool_ok request-address "$id" 10.72.0.1 docker
    assert_eq "$output" 10.72.0.1/24 "an address outside the sub-pool, inside the pool (--ip)"
    pool request-address "$id" 10.72.0.1 docker
    assert_eq "$status" 1 "an address taken"
    assert_contains "$stderr" "address 10.72.0.1 is already in use (by docker)" "stderr"
    pool request-address "$id" 10.72.1.1 docker
    assert_eq "$status" 1 "an address outside the pool"
    assert_contains "$stderr" "address 10.72.1.1 is not in pool 10.72.0.0/24" "stderr"
    pool_ok release-address "$id" 10.72.0.1
    pool_ok request-address "$id" 10.72.0.1 docker
    # a network of berth's cannot take the subnet, nor can another pool
    pool request-pool LocalDefault 10.72.0.0/25 - 4
    assert_eq "$status" 1 "an overlapping pool"
    assert_contains "$stderr" "pool 10.72.0.0/25 overlaps with pool 10.72.0.0/24" "stderr"
    # one release, though it was asked for twice: the pool and its addresses go
    pool_ok release-pool "$id"
    pool request-address "$id" - docker
    assert_eq "$status" 1 "an address of a released pool"
    assert_contains "$stderr" "no pool $id" "stderr"
    pool_ok release-pool "$id" # nothing left: success
    pool_ok request-pool LocalDefault 10.72.0.0/24 - 4
    pool_ok request-address LocalDefault/10.72.0.0/24 10.72.0.1 docker # its old leases went with it
}

@test "ipam-pool: berth picks a free subnet (IPv4 from Docker's pools, IPv6 from the host's prefix), never a network's; bad requests refused, nothing recorded" {
    berth_ok network ls # the predefined networks exist
    pool_ok request-pool LocalDefault - - 4
    local v4=${output#* }
    assert_eq "$v4" 172.18.0.0/16 "the first of Docker's pools the predefined bridge network (172.17.0.0/16) leaves"
    python3 -c 'import ipaddress, sys; n = ipaddress.ip_network(sys.argv[1]); sys.exit(not n.is_private or n.version != 4)' "$v4" ||
        fail "$v4 is no private IPv4 subnet"
    pool_ok request-pool LocalDefault - - 4
    [ "${output#* }" != "$v4" ] || fail "the same subnet picked twice: $output"
    pool_ok request-pool LocalDefault - - 6
    assert_match "${output#* }" '^fd[0-9a-f:]+/64$' "an IPv6 pool"
    # berth's network's subnet is taken
    berth_ok network create --subnet 10.73.0.0/24 mine
    pool request-pool LocalDefault 10.73.0.0/16 - 4
    assert_eq "$status" 1 "a pool over a network's subnet"
    assert_contains "$stderr" 'pool 10.73.0.0/16 overlaps with network "mine" (10.73.0.0/24)' "stderr"
    # refused before anything is written
    pool request-pool LocalDefault 10.74.0.1/24 - 4
    assert_contains "$stderr" 'invalid pool "10.74.0.1/24": host bits are set (did you mean 10.74.0.0/24?)' "host bits"
    pool request-pool LocalDefault 10.74.0.0/24 10.75.0.0/25 4
    assert_contains "$stderr" "sub-pool 10.75.0.0/25 is not within pool 10.74.0.0/24" "a sub-pool outside"
    pool request-pool LocalDefault - 10.74.0.0/25 4
    assert_contains "$stderr" "a sub-pool needs its pool" "a sub-pool alone"
    pool request-pool LocalDefault 10.74.0.0/24 - 6
    assert_contains "$stderr" "pool 10.74.0.0/24 is not IPv6, as asked" "the family"
    pool request-pool 'bad space' 10.74.0.0/24 - 4
    assert_contains "$stderr" "address space \"bad space\"" "the space's name"
    pool request-pool LocalDefault nonsense - 4
    assert_contains "$stderr" 'invalid pool "nonsense": not a CIDR address' "not a subnet"
    pool request-pool LocalDefault fd00:9::/48 - 6
    assert_contains "$stderr" "subnet fd00:9::/48: IPv6 prefix length must be between /64 and /126" "a pool too large"
    pool request-pool LocalDefault 0.0.0.0/0 - 4
    assert_contains "$stderr" "subnet 0.0.0.0/0: IPv4 prefix length must be between /8 and /30" "everything as a pool"
    pool_ok request-pool LocalDefault 10.74.0.0/24 - 4 # none of those took it
    # and a network berth picks a subnet for passes over the pools
    berth_ok network create auto
    assert_eq "$(net_get auto 'd["IPAM"]["Config"][0]["Subnet"]')" 172.20.0.0/16 \
        "the subnet picked for a network (172.18 and 172.19 are pools)"
}

@test "a network made for dockerd (its NetworkID, made_for docker): listed by berth, but berth attaches nothing to it nor removes it" {
    local id=7a1d0c0ffee0000000000000000000000000000000000000000000000000000d
    pool_ok request-pool LocalDefault 10.76.0.0/24 - 4
    pool_ok request-address LocalDefault/10.76.0.0/24 - gateway
    assert_eq "$output" 10.76.0.1/24 "the gateway, from the pool"
    pool_ok create-network dnet "$id" 10.76.0.0/24 10.76.0.1
    assert_eq "$output" "$id br-${id:0:12}" "the network's ID is dockerd's, its bridge named from it"
    assert_eq "$(net_get dnet 'd["Id"]')" "$id" "berth network inspect dnet"
    assert_contains "$(ip -o -4 addr show dev "br-${id:0:12}")" "10.76.0.1/24" "the bridge's address"
    run --separate-stderr berth run --rm --network dnet -- true
    assert_eq "$status" 1 "berth run on it"
    assert_contains "$stderr" "network dnet is dockerd's (made through berth plugin serve): use docker run --network or docker network connect" "stderr"
    berth_ok network create --subnet 10.76.1.0/24 plain
    run_d --name nc --network plain -- sleep 3600
    run --separate-stderr berth network connect dnet nc
    assert_eq "$status" 1 "berth network connect to it"
    assert_contains "$stderr" "network dnet is dockerd's" "stderr"
    run --separate-stderr berth network rm dnet
    assert_eq "$status" 1 "berth network rm"
    assert_contains "$stderr" "network dnet is dockerd's (made through berth plugin serve): use docker network rm" "stderr"
    berth_ok network prune -f
    refute_contains "$output" dnet "network prune's list"
    assert_eq "$(net_get dnet 'd["Id"]')" "$id" "still there"
    # a network of berth's cannot take a pool's subnet, nor a part of it
    run --separate-stderr berth network create --subnet 10.76.0.128/25 inpool
    assert_eq "$status" 1 "network create inside a pool"
    assert_contains "$stderr" "subnet 10.76.0.128/25 overlaps with" "stderr"
    pool_ok request-pool LocalDefault 10.78.0.0/24 - 4
    run --separate-stderr berth network create --subnet 10.78.0.0/16 overpool
    assert_eq "$status" 1 "network create over a pool"
    assert_contains "$stderr" "subnet 10.78.0.0/16 overlaps with 10.78.0.0/24, a pool of dockerd's (berth plugin serve)" "stderr"
    # a bad ID or a made-for of another is refused before anything is made
    pool create-network bad 0123 10.77.9.0/24 10.77.9.1
    assert_eq "$status" 1 "a short ID"
    assert_contains "$stderr" 'network ID "0123": 64 lowercase hexadecimal digits expected' "stderr"
}

# ---- examples/cnm-endpoint: endpoints made before their container ---------

cnm() { example_run cnm-endpoint "$@"; }
cnm_ok() { example_run_ok cnm-endpoint "$@"; }

# own_state: a store and run dir of the test's own (the file's hold
# networks of dockerd's that berth cannot remove)
own_state() {
    export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNDIR=$BATS_TEST_TMPDIR/run
}

# docker_network ID SUBNET GATEWAY: the calls dockerd makes for `docker
# network create` (RequestPool, RequestAddress of the gateway, CreateNetwork)
docker_network() {
    pool_ok request-pool LocalDefault "$2" - 4
    pool_ok request-address "LocalDefault/$2" "$3" gateway
    pool_ok create-network "dnet-${1:0:4}" "$1" "$2" "$3"
}

@test "cnm-endpoint: CreateEndpoint leaves both ends in the host, Join records the sandbox, the runtime moves the peer in and it talks; Leave, DeleteEndpoint leave nothing; each call repeated" {
    local net=5e7a9ed0000000000000000000000000000000000000000000000000000000aa
    local ep=e9d0000000000000000000000000000000000000000000000000000000000001
    own_state
    docker_network "$net" 10.79.0.0/24 10.79.0.1
    pool_ok request-address LocalDefault/10.79.0.0/24 10.79.0.5 docker
    cnm_ok create "$net" "$ep" 10.79.0.5 -
    read -r host peer mac addr <<<"$output"
    assert_eq "$addr $mac" "10.79.0.5/24 02:42:0a:4f:00:05" "the address as dockerd gave it, the MAC made from it"
    assert_eq "$peer" "vethc${host#veth}" "the container's end named as the host end"
    assert_contains "$(ip -o link show "$host")" "master br-${net:0:12}" "the host end on the network's bridge"
    assert_contains "$(ip -o link show "$peer")" "link/ether $mac" "the peer in the host, with the MAC"
    cnm_ok create "$net" "$ep" 10.79.0.5 - # dockerd's retry
    assert_eq "$output" "$host $peer $mac $addr" "a repeated CreateEndpoint: the same endpoint"
    cnm_ok get "$ep"
    assert_eq "$output" "- $host $mac" "staged: in no container"
    berth_ok system check
    assert_eq "$output" "the store and the kernel agree" "a staged endpoint is no stray"

    # Join: the sandbox is recorded; the runtime moves and configures the peer
    ip netns add "sb$$"
    cnm_ok join "$ep" docker-sb1 "/run/netns/sb$$"
    assert_eq "$output" "$peer 10.79.0.1" "SrcName and the gateway"
    cnm_ok join "$ep" docker-sb1 "/run/netns/sb$$"
    assert_eq "$output" "$peer 10.79.0.1" "a repeated Join"
    cnm join "$ep" docker-other "/run/netns/sb$$"
    assert_eq "$status" 1 "a Join for another container"
    assert_contains "$stderr" "endpoint ${ep:0:12} is in container" "stderr"
    ip link set "$peer" netns "sb$$"
    ip -n "sb$$" link set "$peer" name eth0
    ip -n "sb$$" addr add 10.79.0.5/24 dev eth0
    ip -n "sb$$" link set eth0 up
    ip netns exec "sb$$" ping -c1 -W2 10.79.0.1 >/dev/null || fail "the sandbox cannot reach the gateway"
    cnm_ok get "$ep"
    local cid=${output%% *}
    [ "$cid" != - ] || fail "joined, yet in no container"
    berth_ok ps --no-trunc
    assert_contains "$output" "$cid" "berth ps shows the sandbox"
    berth_ok system check
    assert_eq "$output" "the store and the kernel agree" "the interface found by its MAC under the runtime's name"

    # Leave: the container goes; the runtime gives the peer back to the host
    cnm_ok leave "$ep"
    cnm_ok leave "$ep"
    berth_ok ps --no-trunc -a
    refute_contains "$output" "$cid" "the container went with its last endpoint"
    ip -n "sb$$" link set eth0 down
    ip -n "sb$$" link set eth0 name "$peer"
    ip -n "sb$$" link set "$peer" netns 1
    ip netns del "sb$$"
    cnm_ok delete "$ep"
    ip link show "$host" >/dev/null 2>&1 && fail "$host still there after DeleteEndpoint"
    ip link show "$peer" >/dev/null 2>&1 && fail "$peer still there after DeleteEndpoint"
    cnm_ok delete "$ep" # dockerd's retry
    cnm get "$ep"
    assert_contains "$stderr" "no endpoint ${ep:0:12}" "gone"
    # its address is free on the network again
    cnm_ok create "$net" "$ep" 10.79.0.5 -
    cnm_ok delete "$ep"
    berth_ok system check
    assert_eq "$output" "the store and the kernel agree" "nothing left behind"
}

@test "cnm-endpoint: a bad endpoint ID, an address outside the network or taken, a network that takes none are refused and nothing is made" {
    local net=5e7a9ed0000000000000000000000000000000000000000000000000000000bb
    local ep=e9d0000000000000000000000000000000000000000000000000000000000002
    own_state
    docker_network "$net" 10.79.1.0/24 10.79.1.1
    local links; links=$(ip -o link show | wc -l)
    cnm create "$net" 1234 10.79.1.5 -
    assert_eq "$status" 1 "a short ID"
    assert_contains "$stderr" 'invalid endpoint ID "1234": expected 64 hex digits' "stderr"
    cnm create "$net" "$ep" 10.79.2.5 -
    assert_contains "$stderr" "invalid address 10.79.2.5: it does not belong to any of this network's subnets" "outside"
    cnm create "$net" "$ep" 10.79.1.1 -
    assert_contains "$stderr" "address 10.79.1.1 is the gateway of network dnet-5e7a" "the gateway"
    cnm create "$net" "$ep" 10.79.1.5 nonsense
    assert_contains "$stderr" 'invalid MAC address "nonsense"' "a bad MAC"
    cnm create host "$ep" - -
    assert_contains "$stderr" "network host (driver host): endpoints made before their container are for bridge networks" "host"
    cnm create nosuch "$ep" - -
    assert_contains "$stderr" "nosuch" "no such network"
    assert_eq "$(ip -o link show | wc -l)" "$links" "no link made"
    cnm get "$ep"
    assert_contains "$stderr" "no endpoint ${ep:0:12}" "no endpoint recorded"
    cnm_ok create "$net" "$ep" 10.79.1.5 -
    cnm create "$net" e9d0000000000000000000000000000000000000000000000000000000000003 10.79.1.5 -
    assert_eq "$status" 1 "an address taken"
    assert_contains "$stderr" "address 10.79.1.5 is already in use on network dnet-5e7a" "stderr"
    cnm join "$ep" docker-x /etc/hostname
    assert_eq "$status" 1 "a Join into a file that is no namespace"
    assert_contains "$stderr" "network namespace /etc/hostname: not a network namespace" "stderr"
    cnm_ok get "$ep"
    assert_eq "${output%% *}" - "still staged"
    # dockerd joins before runc makes the namespace: a path that names
    # nothing yet is taken, and the container lives until its Leave
    cnm_ok join "$ep" docker-x "$BATS_TEST_TMPDIR/netns-to-come"
    cnm_ok get "$ep"
    [ "${output%% *}" != - ] || fail "not joined"
    berth_ok ps
    assert_contains "$output" docker-x "berth ps"
    berth_ok system reconcile
    berth_ok ps
    assert_contains "$output" docker-x "kept by reconcile: its namespace is still to come"
    cnm_ok leave "$ep"
    berth_ok ps -a
    refute_contains "$output" docker-x "gone with its Leave"
    cnm_ok delete "$ep"
}

@test "cnm-endpoint: a sandbox joined before its namespace existed keeps its endpoint when a second one joins once it does (docker network connect)" {
    local net=5e7a9ed0000000000000000000000000000000000000000000000000000000cc
    local net2=6e7a9ed0000000000000000000000000000000000000000000000000000000cc
    local ep1=e9d0000000000000000000000000000000000000000000000000000000000011
    local ep2=e9d0000000000000000000000000000000000000000000000000000000000012
    local key=$BATS_TEST_TMPDIR/sandbox-key
    own_state
    docker_network "$net" 10.79.3.0/24 10.79.3.1
    docker_network "$net2" 10.79.4.0/24 10.79.4.1
    cnm_ok create "$net" "$ep1" 10.79.3.5 -
    cnm_ok join "$ep1" docker-y "$key" # runc has not made it yet
    cnm_ok get "$ep1"
    local cid=${output%% *} peer1
    peer1=vethc$(cut -d' ' -f2 <<<"$output" | sed 's/^veth//')
    # runc makes the namespace; dockerd moves the first end in
    ip netns add "sy$$"
    touch "$key"
    mount --bind "/run/netns/sy$$" "$key"
    ip link set "$peer1" netns "sy$$"
    cnm_ok create "$net2" "$ep2" 10.79.4.5 -
    cnm_ok join "$ep2" docker-y "$key"
    cnm_ok get "$ep1"
    assert_eq "${output%% *}" "$cid" "the first endpoint is still the container's"
    cnm_ok get "$ep2"
    assert_eq "${output%% *}" "$cid" "the second joined the same container"
    ip -n "sy$$" link show "$peer1" >/dev/null || fail "the first interface went"
    cnm_ok leave "$ep2"
    cnm_ok leave "$ep1"
    cnm_ok delete "$ep2"
    cnm_ok delete "$ep1"
    umount "$key"
    ip netns del "sy$$"
    berth_ok ps -a
    refute_contains "$output" docker-y "gone"
}
