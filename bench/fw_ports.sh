#!/bin/bash
# Issue 5's benchmarks, in a throwaway network, mount and PID namespace
# with an "outside" namespace behind a veth uplink playing another machine:
#  1. publishing one more port with 1, 100 and 1,000 already published
#     (`berth run -d -p PORT:80` minus `berth run -d` without -p, medians),
#     and the number of rules in table inet berth at each level;
#  2. new TCP connections per second through a published port (from the
#     outside, bench/connrate.c) with 1 and with 10,000 ports published;
#  3. TCP throughput (iperf3) through a published port from 127.0.0.1 and
#     from the outside, against the host talking to the container directly.
set -euo pipefail

BERTH=$(realpath "${1:?usage: fw_ports.sh PATH/TO/berth [RUNS]}")
RUNS=${2:-15}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
	exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --pid --mount-proc --propagation private --fork -- "$0" "$@"
fi
BERTH_ROOT=$(mktemp -d) BERTH_RUNDIR=$(mktemp -d) WORK=$(mktemp -d)
export BERTH_ROOT BERTH_RUNDIR
trap 'ip netns del outside 2>/dev/null; umount -R "$BERTH_RUNDIR/netns" "$BERTH_RUNDIR/mnt" /run/netns 2>/dev/null; rm -rf "$BERTH_ROOT" "$BERTH_RUNDIR" "$WORK"' EXIT
mkdir -p /run/netns && mount -t tmpfs bench-netns /run/netns
ip link set lo up
ip netns add outside
ip link add uplink type veth peer name eth0 netns outside
ip addr add 10.250.0.1/24 dev uplink
ip link set uplink up
ip -n outside addr add 10.250.0.2/24 dev eth0
ip -n outside link set eth0 up
ip -n outside link set lo up
cc -O2 -o "$WORK/connrate" "$HERE/connrate.c"

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
rule_count() { nft -j list table inet berth | python3 -c 'import json, sys; print(sum(1 for o in json.load(sys.stdin)["nftables"] if "rule" in o))'; }
port_count() { nft -j list map inet berth ports4_any | python3 -c 'import json, sys; print(sum(len(o["map"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "map" in o))'; }

"$BERTH" network create --subnet 10.96.0.0/16 bench >/dev/null
"$BERTH" run -d --network bench -- true >/dev/null # warm-up

# --- 1. publishing one more port ------------------------------------------
next_port=20000
publish_level() { # label
	local with=() without=()
	for _ in $(seq "$RUNS"); do
		with+=("$(time_us "$BERTH" run -d --network bench -p "$next_port:80" -- sleep 600)")
		next_port=$((next_port + 1))
		without+=("$(time_us "$BERTH" run -d --network bench -- sleep 600)")
	done
	local w o
	w=$(printf '%s\n' "${with[@]}" | median)
	o=$(printf '%s\n' "${without[@]}" | median)
	printf '%s\n' "${with[@]}" | summary "run -d -p (ports: $1)" ms 1000
	printf '%s\n' "${without[@]}" | summary "run -d without -p (ports: $1)" ms 1000
	printf '%-52s %8.2f ms   rules in table inet berth: %s\n' "publishing part (median difference)" \
		"$(echo "($w - $o) / 1000" | bc -l)" "$(rule_count)"
}
echo "== 1. publishing one more port"
"$BERTH" run -d --network bench -p 30000:80 -- sleep 600 >/dev/null
publish_level "1 + earlier samples: $(port_count)"
"$BERTH" run -d --network bench -p 31000-31099:1-100 -- sleep 600 >/dev/null
publish_level "$(port_count)"
"$BERTH" run -d --network bench -p 32000-32899:1-900 -- sleep 600 >/dev/null
publish_level "$(port_count)"

# --- 2. new connections per second -----------------------------------------
echo "== 2. new TCP connections per second from the outside, through a published port"
"$BERTH" run -d --name cr --network bench -p 9000:9000 -- "$WORK/connrate" serve 9000 >/dev/null
until ip netns exec outside "$WORK/connrate" run 10.250.0.1 9000 0.2 >/dev/null 2>&1; do sleep 0.1; done
rates() { for _ in 1 2 3 4 5; do ip netns exec outside "$WORK/connrate" run 10.250.0.1 9000 3; done; }
rates | summary "connections/s, $(port_count) ports published" conn/s 1
t0=$(now_ns)
"$BERTH" run -d --network bench -p 40000-49999:10000-19999 -- sleep 600 >/dev/null
t1=$(now_ns)
printf '%-52s %8.2f ms\n' "run -d publishing 10,000 ports at once" "$(echo "($t1 - $t0) / 1000000" | bc -l)"
rates | summary "connections/s, $(port_count) ports published" conn/s 1
echo "rules in table inet berth: $(rule_count)"

# --- 3. throughput ------------------------------------------------------------
echo "== 3. TCP throughput (iperf3, 5 s each)"
"$BERTH" run -d --name ip3 --network bench -p 5201:5201 -- iperf3 -s >/dev/null
ctr=$("$BERTH" inspect ip3 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["NetworkSettings"]["Networks"]["bench"]["IPAddress"])')
gbps() { iperf3 -J -t 5 "$@" | python3 -c 'import json, sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])'; }
until iperf3 -t 0.2 -c "$ctr" >/dev/null 2>&1; do sleep 0.1; done
for _ in 1 2 3; do gbps -c "$ctr"; done | summary "host -> container address (direct)" Gbit/s 1e9
for _ in 1 2 3; do gbps -c 127.0.0.1 -p 5201; done | summary "host -> 127.0.0.1:5201 (path c)" Gbit/s 1e9
for _ in 1 2 3; do ip netns exec outside bash -c "$(declare -f gbps); gbps -c 10.250.0.1 -p 5201"; done |
	summary "outside -> 10.250.0.1:5201 (path a)" Gbit/s 1e9
