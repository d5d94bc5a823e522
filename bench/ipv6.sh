#!/bin/bash
# Issue 13's benchmarks (IPv6), in a throwaway network, mount and PID
# namespace with an "outside" namespace behind a veth uplink (IPv4 and
# IPv6) playing another machine:
#  1. attach and detach of a running container on a dual-stack network
#     against an IPv4-only one (network connect / disconnect, interleaved
#     round by round); target: dual-stack attach <= 1.3x IPv4-only;
#  2. the same as a dual-stack network fills: `run -d` of containers 1-10
#     and FILL-9..FILL, and connect/disconnect of one more container when
#     the network holds 10 and FILL (default 500); target <= 1.3x;
#  3. new TCP connections per second from the outside to a port published
#     on [::], with 1 and with 10,000 ports published on IPv6; target flat;
#  4. TCP throughput (iperf3) from the outside to the published port over
#     IPv6 against the outside to the container's IPv6 address (routed);
#     target within 10%.
# Usage: ipv6.sh PATH/TO/berth [ROUNDS] [FILL]
set -euo pipefail

BERTH=$(realpath "${1:?usage: ipv6.sh PATH/TO/berth [ROUNDS] [FILL]}")
ROUNDS=${2:-20}
FILL=${3:-500}
HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
bench_isolate "$0" "$@"
bench_outside
cc -O2 -o "$WORK/connrate" "$HERE/connrate.c"

ratio() { echo "$(printf '%s\n' "${!1}" | median) / $(printf '%s\n' "${!2}" | median)" | bc -l; }

"$BERTH" network create --subnet 10.99.0.0/16 base >/dev/null 2>&1
"$BERTH" network create --subnet 10.98.0.0/16 four >/dev/null
"$BERTH" network create --ipv6 --subnet 10.97.0.0/16 --subnet fd00:97::/64 dual >/dev/null 2>&1
"$BERTH" run -d --name probe --network base -- sleep 3600 >/dev/null
# warm-up, so the first round is not the page cache's
"$BERTH" network connect dual probe && "$BERTH" network disconnect dual probe

# --- 1. attach: dual-stack against IPv4-only --------------------------------
con4=() dis4=() con6=() dis6=()
for _ in $(seq "$ROUNDS"); do
	con4+=("$(time_us "$BERTH" network connect four probe)")
	dis4+=("$(time_us "$BERTH" network disconnect four probe)")
	con6+=("$(time_us "$BERTH" network connect dual probe)")
	dis6+=("$(time_us "$BERTH" network disconnect dual probe)")
done
echo "== 1. attach and detach of a running container ($ROUNDS rounds, interleaved; $(nproc) CPUs, $(uname -r))"
printf '%s\n' "${con4[@]}" | summary "connect, IPv4-only network" ms 1000
printf '%s\n' "${con6[@]}" | summary "connect, dual-stack network" ms 1000
printf '%s\n' "${dis4[@]}" | summary "disconnect, IPv4-only network" ms 1000
printf '%s\n' "${dis6[@]}" | summary "disconnect, dual-stack network" ms 1000
printf '%-52s connect %.2f  disconnect %.2f  (target <= 1.3)\n' "dual-stack / IPv4-only (medians)" \
	"$(ratio 'con6[@]' 'con4[@]')" "$(ratio 'dis6[@]' 'dis4[@]')"

# --- 2. as a network fills: dual-stack, and IPv4-only for comparison -----------
attach_at() { # NET: the connect and disconnect samples of probe, now
	local c=() d=()
	for _ in $(seq 10); do
		c+=("$(time_us "$BERTH" network connect "$1" probe)")
		d+=("$(time_us "$BERTH" network disconnect "$1" probe)")
	done
	echo "${c[*]}|${d[*]}"
}
fill_measure() { # NET LABEL
	local net=$1 label=$2 runs_first=() runs_last=() c10 d10 cfill dfill t i
	for i in $(seq "$FILL"); do
		t=$(time_us "$BERTH" run -d --network "$net" -- sleep 3600)
		[ "$i" -gt 10 ] || runs_first+=("$t")
		[ "$i" -le $((FILL - 10)) ] || runs_last+=("$t")
		if [ "$i" -eq 10 ]; then
			IFS='|' read -r c10 d10 <<<"$(attach_at "$net")"
		fi
	done
	IFS='|' read -r cfill dfill <<<"$(attach_at "$net")"
	read -ra c10 <<<"$c10"
	read -ra d10 <<<"$d10"
	read -ra cfill <<<"$cfill"
	read -ra dfill <<<"$dfill"
	echo "== 2. as $label network fills ($FILL containers)"
	printf '%s\n' "${runs_first[@]}" | summary "run -d, containers 1-10" ms 1000
	printf '%s\n' "${runs_last[@]}" | summary "run -d, containers $((FILL - 9))-$FILL" ms 1000
	printf '%s\n' "${c10[@]}" | summary "connect of one more, 10 on the network" ms 1000
	printf '%s\n' "${cfill[@]}" | summary "connect of one more, $FILL on the network" ms 1000
	printf '%s\n' "${d10[@]}" | summary "disconnect, 10 on the network" ms 1000
	printf '%s\n' "${dfill[@]}" | summary "disconnect, $FILL on the network" ms 1000
	printf '%-52s run -d %.2f  connect %.2f  disconnect %.2f  (target <= 1.3)\n' "full / empty (medians)" \
		"$(ratio 'runs_last[@]' 'runs_first[@]')" "$(ratio 'cfill[@]' 'c10[@]')" "$(ratio 'dfill[@]' 'd10[@]')"
	# shellcheck disable=SC2046 # names
	"$BERTH" rm -f $("$BERTH" ps --format json | python3 -c '
import json, sys
print(" ".join(n for n in (json.loads(l)["Names"] for l in sys.stdin if l.strip()) if n != "probe"))') >/dev/null
}
for net in ${FILL_NETS:-dual four}; do
	case $net in
	dual) fill_measure dual "a dual-stack" ;;
	four) fill_measure four "an IPv4-only" ;;
	esac
done

# --- 3. new connections per second over IPv6 -----------------------------------
port_count6() { nft -j list map inet berth ports6_any | python3 -c 'import json, sys; print(sum(len(o["map"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "map" in o))'; }
echo "== 3. new TCP connections per second from the outside, to [fd00:250::1]:9000 (published on [::])"
"$BERTH" run -d --name cr --network dual -p "[::]:9000:9000" -- "$WORK/connrate" serve 9000 >/dev/null
until ip netns exec outside "$WORK/connrate" run fd00:250::1 9000 0.2 >/dev/null 2>&1; do sleep 0.1; done
rate() { ip netns exec outside "$WORK/connrate" run fd00:250::1 9000 3; }
one=() many=() ports_one=0 ports_many=0
for _ in 1 2 3 4 5; do
	one+=("$(rate)")
	ports_one=$(port_count6)
	"$BERTH" run -d --name many --network dual -p "[::]:40000-49999:10000-19999" -- sleep 600 >/dev/null
	many+=("$(rate)")
	ports_many=$(port_count6)
	"$BERTH" rm -f many >/dev/null
done
printf '%s\n' "${one[@]}" | summary "connections/s, $ports_one port published on [::]" conn/s 1
printf '%s\n' "${many[@]}" | summary "connections/s, $ports_many ports published on [::]" conn/s 1
printf '%-52s %8.2f  (target: flat)\n' "ratio of the medians (10,000 / 1)" "$(ratio 'many[@]' 'one[@]')"

# --- 4. throughput over IPv6 ---------------------------------------------------
echo "== 4. TCP throughput over IPv6 (iperf3, 3 s each, 5 rounds, interleaved)"
"$BERTH" run -d --name ip3 --network dual -p "[::]:5201:5201" -- iperf3 -s >/dev/null
ctr=$("$BERTH" inspect ip3 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["NetworkSettings"]["Networks"]["dual"]["GlobalIPv6Address"])')
ip -n outside -6 route add fd00:97::/64 via fd00:250::1
gbps() { iperf3 -J -t 3 "$@" | python3 -c 'import json, sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])'; }
# routed: the direct path needs the network's IPv6 side reachable; a
# second container on a routed network gives it
"$BERTH" network create --ipv6 --subnet fd00:96::/64 -o com.docker.network.bridge.gateway_mode_ipv6=routed routed6 >/dev/null
"$BERTH" run -d --name ip3r --network routed6 -- iperf3 -s >/dev/null
ip -n outside -6 route add fd00:96::/64 via fd00:250::1
until ip netns exec outside iperf3 -t 1 -c fd00:96::2 >/dev/null 2>&1; do sleep 0.2; done
until ip netns exec outside iperf3 -t 1 -c fd00:250::1 -p 5201 >/dev/null 2>&1; do sleep 0.2; done
published=() direct=()
for _ in 1 2 3 4 5; do
	published+=("$(ip netns exec outside bash -c "$(declare -f gbps); gbps -c fd00:250::1 -p 5201")")
	direct+=("$(ip netns exec outside bash -c "$(declare -f gbps); gbps -c fd00:96::2")")
done
printf '%s\n' "${published[@]}" | summary "outside -> [fd00:250::1]:5201 (published, DNAT)" Gbit/s 1e9
printf '%s\n' "${direct[@]}" | summary "outside -> container's IPv6 address (routed)" Gbit/s 1e9
printf '%-52s %8.2f  (target >= 0.9)\n' "published / direct (medians)" "$(ratio 'published[@]' 'direct[@]')"
# shellcheck disable=SC2046 # IDs
"$BERTH" rm -f $("$BERTH" ps -q) >/dev/null
