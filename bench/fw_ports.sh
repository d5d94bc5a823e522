#!/bin/bash
# Issue 5's benchmarks, in a throwaway network, mount and PID namespace
# with an "outside" namespace behind a veth uplink playing another machine:
#  1. publishing one more port with 1, 100 and 1,000 already published
#     (`berth run -d -p PORT:80` minus `berth run -d` without -p, medians;
#     and in process, bench/publish_cost.c, the publishing alone), and the
#     number of rules in table inet berth at each level;
#  2. new TCP connections per second through a published port (from the
#     outside, bench/connrate.c) with 1 and with 10,000 ports published;
#  3. TCP throughput (iperf3) through a published port from 127.0.0.1 and
#     from the outside, against the host talking to the container directly.
set -euo pipefail

BERTH=$(realpath "${1:?usage: fw_ports.sh PATH/TO/berth [RUNS]}")
RUNS=${2:-15}
HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
bench_isolate "$0" "$@"
bench_outside
cc -O2 -o "$WORK/connrate" "$HERE/connrate.c"
BUILD=$(dirname "$BERTH")
# shellcheck disable=SC2046 # pkg-config prints several flags
cc -D_GNU_SOURCE -std=gnu11 -O2 -I"$HERE/../include" -I"$HERE/../src" -o "$WORK/publish_cost" \
	"$HERE/publish_cost.c" "$BUILD/libberth.a" $(pkg-config --libs libmnl libnftables jansson sqlite3 libcap)

rule_count() { nft -j list table inet berth | python3 -c 'import json, sys; print(sum(1 for o in json.load(sys.stdin)["nftables"] if "rule" in o))'; }
port_count() { nft -j list map inet berth ports4_any | python3 -c 'import json, sys; print(sum(len(o["map"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "map" in o))'; }

# nat-unprotected: masqueraded as by default, and reachable by routing too
# (Docker 28's default drops that), for part 3's routed line
"$BERTH" network create --subnet 10.96.0.0/16 -o com.docker.network.bridge.gateway_mode_ipv4=nat-unprotected bench >/dev/null
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

echo "== 1b. the same, in process: publishing alone (store + one nftables transaction)"
in_fresh_state() { unshare --net -- env BERTH_ROOT="$(mktemp -d -p "$WORK")" BERTH_RUNDIR="$(mktemp -d -p "$WORK")" \
	bash -c 'ip link set lo up; "$@"; umount -R "$BERTH_RUNDIR/netns" "$BERTH_RUNDIR/mnt" 2>/dev/null || true' _ "$@"; }
in_fresh_state "$WORK/publish_cost" 101 cold
in_fresh_state "$WORK/publish_cost" 101 warm

# --- 2. new connections per second -----------------------------------------
# Rounds alternate 1 and 10,000 published ports (the 10,000 added and
# removed with one container), so that drift of the machine hits both.
echo "== 2. new TCP connections per second from the outside, through a published port"
"$BERTH" rm -f $("$BERTH" ps -q) >/dev/null # only the measured port from here on
"$BERTH" run -d --name cr --network bench -p 9000:9000 -- "$WORK/connrate" serve 9000 >/dev/null
until ip netns exec outside "$WORK/connrate" run 10.250.0.1 9000 0.2 >/dev/null 2>&1; do sleep 0.1; done
rate() { ip netns exec outside "$WORK/connrate" run 10.250.0.1 9000 3; }
one=() many=() adds=() ports_one=0 ports_many=0
for _ in 1 2 3 4 5; do
	one+=("$(rate)")
	ports_one=$(port_count)
	t0=$(now_ns)
	"$BERTH" run -d --name many --network bench -p 40000-49999:10000-19999 -- sleep 600 >/dev/null
	t1=$(now_ns)
	adds+=($(((t1 - t0) / 1000)))
	many+=("$(rate)")
	ports_many=$(port_count)
	"$BERTH" rm -f many >/dev/null
done
printf '%s\n' "${one[@]}" | summary "connections/s, $ports_one port published" conn/s 1
printf '%s\n' "${many[@]}" | summary "connections/s, $ports_many ports published" conn/s 1
printf '%-52s %8.2f\n' "ratio of the medians (10,000 / 1)" \
	"$(echo "$(printf '%s\n' "${many[@]}" | median) / $(printf '%s\n' "${one[@]}" | median)" | bc -l)"
printf '%s\n' "${adds[@]}" | summary "run -d publishing 10,000 ports at once" ms 1000
echo "rules in table inet berth: $(rule_count)"

# --- 3. throughput ------------------------------------------------------------
# Rounds interleave the paths. The outside's own route to the subnet gives
# a fourth line: the same two hops as path a, without NAT.
echo "== 3. TCP throughput (iperf3, 3 s each, 5 rounds)"
"$BERTH" run -d --name ip3 --network bench -p 5201:5201 -- iperf3 -s >/dev/null
ctr=$("$BERTH" inspect ip3 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["NetworkSettings"]["Networks"]["bench"]["IPAddress"])')
ip -n outside route add 10.96.0.0/16 via 10.250.0.1
gbps() { iperf3 -J -t 3 "$@" | python3 -c 'import json, sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])'; }
until iperf3 -t 1 -c "$ctr" >/dev/null 2>&1; do sleep 0.2; done
direct=() pathc=() patha=() routed=()
for _ in 1 2 3 4 5; do
	direct+=("$(gbps -c "$ctr")")
	pathc+=("$(gbps -c 127.0.0.1 -p 5201)")
	patha+=("$(ip netns exec outside bash -c "$(declare -f gbps); gbps -c 10.250.0.1 -p 5201")")
	routed+=("$(ip netns exec outside bash -c "$(declare -f gbps); gbps -c $ctr")")
done
printf '%s\n' "${direct[@]}" | summary "host -> container address (direct)" Gbit/s 1e9
printf '%s\n' "${pathc[@]}" | summary "host -> 127.0.0.1:5201 (path c)" Gbit/s 1e9
printf '%s\n' "${patha[@]}" | summary "outside -> 10.250.0.1:5201 (path a)" Gbit/s 1e9
printf '%s\n' "${routed[@]}" | summary "outside -> container address, routed (no NAT)" Gbit/s 1e9
d=$(printf '%s\n' "${direct[@]}" | median)
printf '%-52s c %.2f  a %.2f\n' "ratios of the medians to direct" \
	"$(echo "$(printf '%s\n' "${pathc[@]}" | median) / $d" | bc -l)" "$(echo "$(printf '%s\n' "${patha[@]}" | median) / $d" | bc -l)"
# shellcheck disable=SC2046 # IDs
"$BERTH" rm -f $("$BERTH" ps -q) >/dev/null
