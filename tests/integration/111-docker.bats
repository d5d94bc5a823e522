#!/usr/bin/env bats
#
# dockerd (Debian 12's docker.io, 20.10) with berth as its network and IPAM
# driver: `berth plugin serve` on /run/docker/plugins/berth.sock, where
# dockerd looks for the driver "berth". All of it in this file's namespaces:
# /run is a tmpfs of the file's, dockerd's data and exec roots and /etc/docker
# are temporary, dockerd makes no iptables rules and no docker0
# (--iptables=false --bridge=none), and its containers' cgroups go under a
# parent of this file's, removed at the end (cgroupfs is the host's).
# The image is scripts/mkrootfs's busybox, imported: no registry.

# bats and helpers set status, output, stderr
# shellcheck disable=SC2154

load helpers
load fw_helpers

# /usr/local/bin may hold another docker client; Debian's is the one tested
DOCKER=/usr/bin/docker

setup_file() {
    local d=$BATS_FILE_TMPDIR
    mount -t tmpfs -o mode=0755 berth-test-run /run
    mkdir -p /run/netns /run/docker/plugins
    mount -t tmpfs -o mode=0755 berth-test-netns /run/netns
    mount -t tmpfs -o mode=0755 berth-test-etc-docker /etc/docker
    export CGROUP_PARENT=berth-test-$$
    berth plugin serve 2>"$d/plugin.err" &
    echo $! >"$d/plugin.pid"
    dockerd --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/docker.sock" --pidfile "$d/docker.pid" \
        --storage-driver vfs --iptables=false --ip6tables=false --bridge=none --cgroup-parent "$CGROUP_PARENT" \
        >"$d/dockerd.log" 2>&1 &
    echo $! >"$d/dockerd.pid"
    export DOCKER_HOST=unix://$d/docker.sock
    wait_until 30 "$DOCKER" version >/dev/null 2>&1 ||
        fail "dockerd did not start: $(tail -5 "$d/dockerd.log")"
    scripts_dir=$(cd "$BATS_TEST_DIRNAME/../../scripts" && pwd)
    "$scripts_dir/mkrootfs" "$d/rootfs" >/dev/null
    tar -C "$d/rootfs" -c . | "$DOCKER" import -c 'ENV PATH=/bin' - bb:latest >/dev/null
}

teardown_file() {
    local d=$BATS_FILE_TMPDIR
    "$DOCKER" rm -f $("$DOCKER" ps -aq) >/dev/null 2>&1 || true
    kill "$(cat "$d/dockerd.pid")" 2>/dev/null || true
    wait_until 20 sh -c '! kill -0 "$1" 2>/dev/null' _ "$(cat "$d/dockerd.pid")" || true
    kill "$(cat "$d/plugin.pid")" 2>/dev/null || true
    # the cgroups dockerd made in the host's hierarchies, empty by now
    local c
    for c in /sys/fs/cgroup/*/"$CGROUP_PARENT" /sys/fs/cgroup/"$CGROUP_PARENT"; do
        [ -d "$c" ] || continue
        find "$c" -depth -mindepth 1 -type d -exec rmdir {} \; 2>/dev/null || true
        rmdir "$c" 2>/dev/null || true
    done
}

teardown() {
    "$DOCKER" rm -f $("$DOCKER" ps -aq) >/dev/null 2>&1 || true
}

docker_ok() {
    run --separate-stderr "$DOCKER" "$@"
    assert_eq "$status" 0 "docker $* (stderr: $stderr)"
}

# net_id NAME: dockerd's ID of its network NAME
docker_net_id() { "$DOCKER" network inspect -f '{{.Id}}' "$1"; }

@test "docker network create -d berth --ipam-driver berth: berth's network with dockerd's ID, its bridge, its pool; network rm takes all of it" {
    docker_ok network create -d berth --ipam-driver berth --subnet 10.95.0.0/24 --gateway 10.95.0.1 n1
    local id; id=$(docker_net_id n1)
    assert_eq "$(net_get "docker-${id:0:12}" 'd["Id"]')" "$id" "berth network inspect: the same network"
    assert_contains "$(ip -o -4 addr show dev "br-${id:0:12}")" 10.95.0.1/24 "the bridge has the gateway"
    berth_ok network ls --filter label=berth.docker --format json
    assert_eq "$(python3 -c 'import json, sys; print(" ".join(json.loads(l)["Name"] for l in sys.argv[1].splitlines()))' "$output")" \
        "docker-${id:0:12}" "berth network ls: labelled as dockerd's"
    run --separate-stderr "$DOCKER" network create -d berth --ipam-driver berth --subnet 10.95.0.0/25 n1b
    assert_eq "$status" 1 "an overlapping network"
    assert_contains "$stderr" "IpamDriver.RequestPool: pool 10.95.0.0/25 overlaps with network \"docker-${id:0:12}\" (10.95.0.0/24)" \
        "berth's reason, shown by docker"
    run --separate-stderr berth network rm "docker-${id:0:12}"
    assert_contains "$stderr" "is dockerd's (made through berth plugin serve): use docker network rm" "berth refuses"
    docker_ok network rm n1
    ip link show "br-${id:0:12}" >/dev/null 2>&1 && fail "the bridge is still there"
    berth_ok network ls
    refute_contains "$output" "docker-${id:0:12}" "berth network ls"
    # the pool went too: the subnet can be had again
    docker_ok network create -d berth --ipam-driver berth --subnet 10.95.0.0/24 n1
    docker_ok network rm n1
}

@test "docker run --network: eth0 is berth's veth, with dockerd's address and berth's MAC; two containers talk; --ip; berth ps shows them; stop leaves nothing" {
    docker_ok network create -d berth --ipam-driver berth --subnet 10.96.0.0/24 n2
    local id; id=$(docker_net_id n2)
    docker_ok run -d --name c1 --network n2 bb:latest sleep 300
    docker_ok run -d --name c2 --network n2 --ip 10.96.0.77 bb:latest sleep 300
    docker_ok exec c1 ip -4 -o addr show eth0
    assert_contains "$output" "10.96.0.2/24" "c1's address, from berth's pool"
    docker_ok exec c1 cat /sys/class/net/eth0/address
    assert_eq "$output" 02:42:0a:60:00:02 "the MAC berth made from it"
    docker_ok exec c1 cat /sys/class/net/eth0/iflink
    local peer; peer=$(ip -o link show | awk -F': ' -v i="$output" '$1 == i { print $2 }')
    assert_match "$peer" "^veth[0-9a-f]{7}@" "eth0's peer in the host is a berth veth ($peer)"
    assert_contains "$(ip -o link show "${peer%@*}")" "master br-${id:0:12}" "on the network's bridge"
    docker_ok exec c1 ip route
    assert_contains "$output" "default via 10.96.0.1" "the default route through berth's gateway"
    docker_ok exec c1 ping -c1 -W2 10.96.0.77
    docker_ok exec c2 ping -c1 -W2 10.96.0.2
    berth_ok ps
    assert_eq "$(grep -c ' docker-' <<<"$output")" 2 "berth ps: the two sandboxes"
    berth_ok system check
    assert_eq "$output" "the store and the kernel agree" "berth system check"
    docker_ok rm -f c1 c2
    berth_ok ps -a
    refute_contains "$output" docker- "berth ps after docker rm"
    assert_eq "$(ip -o link show master "br-${id:0:12}" | wc -l)" 0 "no veth left on the bridge"
    docker_ok network rm n2
}

@test "docker network connect and disconnect: eth1 on a second berth network, gone again" {
    docker_ok network create -d berth --ipam-driver berth --subnet 10.97.0.0/24 n3
    docker_ok network create -d berth --ipam-driver berth --subnet 10.98.0.0/24 n4
    docker_ok run -d --name c3 --network n3 bb:latest sleep 300
    docker_ok network connect n4 c3
    docker_ok exec c3 ip -4 -o addr show eth1
    assert_contains "$output" "10.98.0.2/24" "eth1 on n4"
    docker_ok exec c3 ping -c1 -W2 10.98.0.1
    docker_ok exec c3 ping -c1 -W2 10.97.0.1
    berth_ok system check
    assert_eq "$output" "the store and the kernel agree" "both endpoints, found in the sandbox berth learnt at the connect"
    docker_ok network disconnect n4 c3
    run "$DOCKER" exec c3 ip -4 -o addr show eth1
    assert_eq "$status" 1 "eth1 gone"
    local id4; id4=$(docker_net_id n4)
    assert_eq "$(ip -o link show master "br-${id4:0:12}" | wc -l)" 0 "no veth left on n4's bridge"
    docker_ok rm -f c3
    docker_ok network rm n3 n4
}

# host_bind PORT: a host daemon can bind 0.0.0.0:PORT (TCP)
host_bind() { python3 -c 'import socket, sys; socket.socket().bind(("0.0.0.0", int(sys.argv[1])))' "$1" 2>/dev/null; }

# fetch URL: the body of an HTTP GET, or a failure after 3 s
fetch() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode().strip())' "$1"; }

@test "docker run -p 8080:80: reached from outside, from the host, from 127.0.0.1 and by hairpin, through berth's map, with no docker-proxy; gone at rm" {
    fw_bed_up
    docker_ok network create -d berth --ipam-driver berth --subnet 10.99.0.0/24 n5
    docker_ok run -d --name web --network n5 -p 8080:80 bb:latest \
        sh -c 'mkdir -p /www && echo hello-from-berth >/www/index.html && exec httpd -f -p 80 -h /www'
    wait_until 10 fetch http://10.99.0.2:80/ >/dev/null || fail "the server in the container does not answer"
    assert_eq "$(ip netns exec "$OUT_NS" python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode().strip())' "http://$HOST_IP:8080/")" \
        hello-from-berth "from outside, to the host's address"
    assert_eq "$(fetch "http://$HOST_IP:8080/")" hello-from-berth "from the host, to its own address"
    assert_eq "$(fetch http://127.0.0.1:8080/)" hello-from-berth "from the host, to 127.0.0.1"
    docker_ok run --rm --network n5 bb:latest wget -qO- "http://$HOST_IP:8080/"
    assert_eq "$output" hello-from-berth "hairpin: another container on the network, through the host's address"
    assert_contains "$(nft -j list map inet berth ports4_any)" '8080' "the port in berth's map"
    pgrep -x docker-proxy >/dev/null && fail "a docker-proxy runs"
    host_bind 8080 && fail "a host daemon could bind 0.0.0.0:8080 while it is published"
    berth_ok ps
    assert_contains "$output" "0.0.0.0:8080->80/tcp" "berth ps shows the published port"
    # the plugin's state is the store: a restart loses nothing
    plugin_stop
    plugin_start
    assert_eq "$(fetch "http://$HOST_IP:8080/")" hello-from-berth "after the plugin's restart"
    host_bind 8080 && fail "the port is not held again after the plugin's restart"
    docker_ok rm -f web
    refute_contains "$(nft -j list map inet berth ports4_any)" '8080' "the port's element, gone with the container"
    host_bind 8080 || fail "the host port is still held after docker rm"
    docker_ok network rm n5
    fw_bed_down
}

@test "an internal berth network reaches nothing outside and publishes nothing (as Docker's bridge), a plain one goes out; a port taken is refused with berth's reason" {
    fw_bed_up
    docker_ok network create -d berth --ipam-driver berth --internal --subnet 10.100.0.0/24 n6
    docker_ok run -d --name i1 --network n6 -p 8081:80 bb:latest sleep 300
    refute_contains "$(nft -j list map inet berth ports4_any 2>/dev/null)" '8081' "no element for an internal network"
    run "$DOCKER" exec i1 ping -c1 -W1 "$OUT_IP"
    [ "$status" -ne 0 ] || fail "a container of an internal network reached the outside"
    docker_ok network create -d berth --ipam-driver berth --subnet 10.101.0.0/24 n7
    docker_ok run -d --name p1 --network n7 -p 8082:80 bb:latest sleep 300
    docker_ok exec p1 ping -c1 -W2 "$OUT_IP"
    run --separate-stderr "$DOCKER" run -d --name p2 --network n7 -p 8082:80 bb:latest sleep 300
    [ "$status" -ne 0 ] || fail "a second container got host port 8082"
    assert_contains "$stderr" "8082" "docker shows berth's reason, naming the port: $stderr"
    docker_ok rm -f i1 p1 p2
    docker_ok network rm n6 n7
    fw_bed_down
}

# plugin_stop, plugin_start [ENV...]: the plugin server of this file
plugin_stop() {
    local pid; pid=$(cat "$BATS_FILE_TMPDIR/plugin.pid")
    kill "$pid" 2>/dev/null || true
    wait_until 10 sh -c '! kill -0 "$1" 2>/dev/null' _ "$pid"
}
plugin_start() {
    env "$@" berth plugin serve 2>>"$BATS_FILE_TMPDIR/plugin.err" &
    echo $! >"$BATS_FILE_TMPDIR/plugin.pid"
    wait_until 10 test -S /run/docker/plugins/berth.sock
}

@test "a network dockerd removed while the plugin was down goes, with its pool, when the plugin starts again; a live one stays; with dockerd unreachable nothing goes" {
    docker_ok network create -d berth --ipam-driver berth --subnet 10.102.0.0/24 gone
    docker_ok network create -d berth --ipam-driver berth --subnet 10.103.0.0/24 live
    local gone live
    gone=$(docker_net_id gone)
    live=$(docker_net_id live)
    plugin_stop
    # dockerd retries the plugin for about 15 s, then removes its network anyway
    docker_ok network rm gone
    berth_ok network ls
    assert_contains "$output" "docker-${gone:0:12}" "berth has not heard of it"
    # dockerd's API out of reach: nothing is taken on a guess
    plugin_start DOCKER_HOST=unix:///nonexistent/docker.sock
    wait_until 10 grep -q "could not say which of its networks are gone" "$BATS_FILE_TMPDIR/plugin.err"
    berth_ok network ls
    assert_contains "$output" "docker-${gone:0:12}" "kept while dockerd cannot be asked"
    plugin_stop
    plugin_start
    wait_until 10 grep -q "network docker-${gone:0:12} was removed by dockerd while the plugin was down: removed" \
        "$BATS_FILE_TMPDIR/plugin.err"
    berth_ok network ls
    refute_contains "$output" "docker-${gone:0:12}" "the orphan"
    assert_contains "$output" "docker-${live:0:12}" "the live network stays"
    ip link show "br-${gone:0:12}" >/dev/null 2>&1 && fail "the orphan's bridge is still there"
    # its pool went too: the subnet is free for a new network
    docker_ok network create -d berth --ipam-driver berth --subnet 10.102.0.0/24 again
    docker_ok network rm again live
}

@test "20 docker runs at once on one berth network: each its own address, all reachable; all gone after rm" {
    docker_ok network create -d berth --ipam-driver berth --subnet 10.104.0.0/24 busy
    local i pids=()
    for i in $(seq 20); do
        "$DOCKER" run -d --name "b$i" --network busy bb:latest sleep 300 >/dev/null 2>"$BATS_TEST_TMPDIR/run$i.err" &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || fail "docker run b$((i + 1)): $(cat "$BATS_TEST_TMPDIR/run$((i + 1)).err")"
    done
    local addrs=()
    for i in $(seq 20); do
        addrs+=("$("$DOCKER" exec "b$i" ip -4 -o addr show eth0 | awk '{ print $4 }')")
    done
    assert_eq "$(printf '%s\n' "${addrs[@]}" | sort -u | wc -l)" 20 "20 distinct addresses: ${addrs[*]}"
    for i in $(seq 20); do
        ping -c1 -W2 "${addrs[$((i - 1))]%/*}" >/dev/null || fail "b$i (${addrs[$((i - 1))]}) does not answer"
    done
    berth_ok system check
    assert_eq "$output" "the store and the kernel agree" "berth system check"
    "$DOCKER" rm -f $(seq -f 'b%g' 20) >/dev/null
    local id; id=$(docker_net_id busy)
    assert_eq "$(ip -o link show master "br-${id:0:12}" | wc -l)" 0 "no veth left on the bridge"
    docker_ok network rm busy
}

@test "--ip-range gives containers addresses from the sub-pool; two berth networks of dockerd's are isolated from each other, as berth's own" {
    docker_ok network create -d berth --ipam-driver berth --subnet 10.105.0.0/24 --ip-range 10.105.0.128/25 r1
    docker_ok network create -d berth --ipam-driver berth --subnet 10.106.0.0/24 r2
    docker_ok run -d --name a1 --network r1 bb:latest sleep 300
    docker_ok run -d --name a2 --network r2 bb:latest sleep 300
    # the gateway, asked for without --gateway, is the range's first
    # address, as dockerd's own IPAM gives it; containers the next ones
    local r1; r1=$(docker_net_id r1)
    assert_eq "$(net_get "docker-${r1:0:12}" 'd["IPAM"]["Config"][0]["Gateway"]')" 10.105.0.128 "the gateway"
    docker_ok exec a1 ip -4 -o addr show eth0
    assert_contains "$output" "10.105.0.129/24" "the container's address, from the range"
    docker_ok exec a2 ip -4 -o addr show eth0
    local a2=${output#*inet }
    a2=${a2%%/*}
    run "$DOCKER" exec a1 ping -c1 -W1 "$a2"
    [ "$status" -ne 0 ] || fail "a1 on r1 reached a2 on r2 ($a2)"
    docker_ok rm -f a1 a2
    docker_ok network rm r1 r2
}
