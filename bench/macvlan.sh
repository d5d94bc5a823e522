#!/bin/bash
# Issue 6's benchmarks, in a throwaway network, mount and PID namespace:
#  1. attaching a container: `berth run -d` on a macvlan network against
#     the same on a bridge network (interleaved, medians);
#  2. TCP throughput (iperf3) between two containers on one host: two
#     macvlan children of one parent (bridge mode) against two containers
#     on a bridge network (interleaved rounds).
set -euo pipefail

BERTH=$(realpath "${1:?usage: macvlan.sh PATH/TO/berth [RUNS]}")
RUNS=${2:-20}

if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
	exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --pid --mount-proc --propagation private --fork -- "$0" "$@"
fi
BERTH_ROOT=$(mktemp -d) BERTH_RUNDIR=$(mktemp -d)
export BERTH_ROOT BERTH_RUNDIR
trap 'umount -R "$BERTH_RUNDIR/netns" "$BERTH_RUNDIR/mnt" 2>/dev/null; rm -rf "$BERTH_ROOT" "$BERTH_RUNDIR"' EXIT
ip link set lo up
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# the parent: a veth with nothing behind its peer, as a NIC on a quiet LAN
# (both ends up: macvlan children have carrier only when their parent has)
ip link add lan0 type veth peer name lan0peer
ip link set lan0peer up
"$BERTH" network create -d macvlan --subnet 10.93.0.0/16 -o parent=lan0 mv >/dev/null
"$BERTH" network create --subnet 10.94.0.0/16 br >/dev/null
"$BERTH" run -d --network mv -- true >/dev/null # warm-up
"$BERTH" run -d --network br -- true >/dev/null

echo "== 1. attaching a container (berth run -d ... -- sleep 600)"
on_mv=() on_br=()
for _ in $(seq "$RUNS"); do
	on_mv+=("$(time_us "$BERTH" run -d --network mv -- sleep 600)")
	on_br+=("$(time_us "$BERTH" run -d --network br -- sleep 600)")
done
printf '%s\n' "${on_mv[@]}" | summary "run -d on the macvlan network" ms 1000
printf '%s\n' "${on_br[@]}" | summary "run -d on the bridge network" ms 1000
printf '%-52s %8.2f\n' "ratio of the medians (macvlan / bridge)" \
	"$(echo "$(printf '%s\n' "${on_mv[@]}" | median) / $(printf '%s\n' "${on_br[@]}" | median)" | bc -l)"

echo "== 2. TCP throughput between two containers on one host (iperf3, 3 s, 5 rounds)"
ip_of() { "$BERTH" inspect "$1" | python3 -c "import json, sys; print(json.load(sys.stdin)[0]['NetworkSettings']['Networks']['$2']['IPAddress'])"; }
"$BERTH" run -d --name mvs --network mv -- iperf3 -s >/dev/null
"$BERTH" run -d --name mvc --network mv -- sleep 600 >/dev/null
"$BERTH" run -d --name brs --network br -- iperf3 -s >/dev/null
"$BERTH" run -d --name brc --network br -- sleep 600 >/dev/null
mvs=$(ip_of mvs mv) brs=$(ip_of brs br)
gbps() { "$BERTH" exec "$1" iperf3 -J -t 3 -c "$2" | python3 -c 'import json, sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])'; }
until "$BERTH" exec mvc iperf3 -t 1 -c "$mvs" >/dev/null 2>&1; do sleep 0.2; done
until "$BERTH" exec brc iperf3 -t 1 -c "$brs" >/dev/null 2>&1; do sleep 0.2; done
mv=() br=()
for _ in 1 2 3 4 5; do
	mv+=("$(gbps mvc "$mvs")")
	br+=("$(gbps brc "$brs")")
done
printf '%s\n' "${mv[@]}" | summary "macvlan child -> macvlan child (bridge mode)" Gbit/s 1e9
printf '%s\n' "${br[@]}" | summary "container -> container on a bridge network" Gbit/s 1e9
printf '%-52s %8.2f\n' "ratio of the medians (macvlan / bridge)" \
	"$(echo "$(printf '%s\n' "${mv[@]}" | median) / $(printf '%s\n' "${br[@]}" | median)" | bc -l)"
