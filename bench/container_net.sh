#!/bin/bash
# Issue 4's benchmarks, in a throwaway network, mount and PID namespace:
#  1. setup: `berth run -d --network NET` minus `berth run -d --network none`
#     (the network part of starting a container), against ip(8) doing the
#     same kernel work with -batch (veth into the namespace, bridge port,
#     address, up, default route);
#  2. flatness: the time of `berth run -d` for containers 1-10 against
#     491-500 on one network;
#  3. teardown: `berth rm -f` of a container on NET minus on none, against
#     one `ip link del` of a veth.
set -euo pipefail

BERTH=${1:?usage: container_net.sh PATH/TO/berth [RUNS] [FILL]}
RUNS=${2:-20}
FILL=${3:-500}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_isolate "$0" "$@"

"$BERTH" network create --subnet 10.99.0.0/16 bench >/dev/null
"$BERTH" run -d --network none -- true >/dev/null # warm-up
"$BERTH" run -d --network bench -- true >/dev/null
ip link add br-ipbench type bridge
ip link set br-ipbench up

# --- 1. setup ------------------------------------------------------------
ip_setup() { # one container's worth of kernel work, as ip -batch does it
	local n=$1
	ip netns add "ipb$n"
	local t0 t1
	t0=$(now_ns)
	printf 'link add vipb%s type veth peer name eth0 netns ipb%s\nlink set vipb%s master br-ipbench up\n' "$n" "$n" "$n" | ip -batch -
	printf 'addr add 10.98.%s.%s/16 dev eth0\nlink set eth0 up\nlink set lo up\nroute add default via 10.98.0.1\n' \
		$((n / 250)) $((n % 250 + 2)) | ip -n "ipb$n" -batch -
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000))
}
ip_host_half() { # the host side alone: the smaller of the two processes
	local n=$1
	ip netns add "iph$n"
	local t0 t1
	t0=$(now_ns)
	printf 'link add viph%s type veth peer name eth0 netns iph%s\nlink set viph%s master br-ipbench up\n' "$n" "$n" "$n" | ip -batch -
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000))
}
on_net=() on_none=() ipb=() iph=()
for i in $(seq "$RUNS"); do
	on_net+=("$(time_us "$BERTH" run -d --network bench -- sleep 600)")
	on_none+=("$(time_us "$BERTH" run -d --network none -- sleep 600)")
	ipb+=("$(ip_setup "$i")")
	iph+=("$(ip_host_half "$i")")
done
net_med=$(printf '%s\n' "${on_net[@]}" | median)
none_med=$(printf '%s\n' "${on_none[@]}" | median)
echo "== setup"
printf '%s\n' "${on_net[@]}" | summary "berth run -d --network bench" ms 1000
printf '%s\n' "${on_none[@]}" | summary "berth run -d --network none" ms 1000
printf 'network part of berth run (median difference)   %8.2f ms\n' "$(echo "($net_med - $none_med) / 1000" | bc -l)"
printf '%s\n' "${ipb[@]}" | summary "ip -batch (host) + ip -n NS -batch (inside)" ms 1000
printf '%s\n' "${iph[@]}" | summary "ip -batch, host side only (one process)" ms 1000

# --- 3. teardown (before filling: the containers of step 1 are there) -----
rm_net=() rm_none=() ipdel=()
ids_on() { # NETWORK: the full IDs of the running containers on it
	"$BERTH" ps --no-trunc --format json | python3 -c 'import sys, json
for l in sys.stdin:
    d = json.loads(l)
    if d["Networks"] == sys.argv[1]:
        print(d["ID"])' "$1"
}
mapfile -t nets < <(ids_on bench)
mapfile -t nones < <(ids_on none)
for i in $(seq 0 $((RUNS - 1))); do
	rm_net+=("$(time_us "$BERTH" rm -f "${nets[$i]}")")
	rm_none+=("$(time_us "$BERTH" rm -f "${nones[$i]}")")
	ipdel+=("$(time_us ip link del "vipb$((i + 1))")")
done
rmn=$(printf '%s\n' "${rm_net[@]}" | median)
rmo=$(printf '%s\n' "${rm_none[@]}" | median)
echo "== teardown"
printf '%s\n' "${rm_net[@]}" | summary "berth rm -f, container on bench" ms 1000
printf '%s\n' "${rm_none[@]}" | summary "berth rm -f, container on none" ms 1000
printf 'network part of berth rm -f (median difference)  %8.2f ms\n' "$(echo "($rmn - $rmo) / 1000" | bc -l)"
printf '%s\n' "${ipdel[@]}" | summary "ip link del of a veth" ms 1000

# --- 2. flatness ----------------------------------------------------------
"$BERTH" network create --subnet 10.97.0.0/16 fill >/dev/null
fill=()
for i in $(seq "$FILL"); do
	fill+=("$(time_us "$BERTH" run -d --network fill -- sleep 600)")
done
echo "== flatness ($FILL containers on one network)"
printf '%s\n' "${fill[@]:0:10}" | summary "berth run -d, containers 1-10" ms 1000
printf '%s\n' "${fill[@]:$((FILL - 10)):10}" | summary "berth run -d, containers $((FILL - 9))-$FILL" ms 1000
