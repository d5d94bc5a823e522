#!/bin/bash
# Issue 10's benchmark: attaching and detaching a running container, in a
# throwaway network, mount and PID namespace, contenders interleaved round
# by round so a noisy machine hits all alike:
#   berth network ls            the fixed cost of any berth command
#   berth network connect       a running container joins a second network
#   berth network disconnect    and leaves it
#   ip(8)                       the same kernel work: veth into the
#                               namespace on a bridge, address, up (one
#                               -batch process per namespace); ip link del
#   netavark setup / teardown   Podman's network stack (1.4, Debian 12),
#                               iptables driver (its only one without
#                               firewalld), host-local IPAM
# Targets: disconnect <= 1.5x network ls, connect <= 2x.
set -euo pipefail

BERTH=${1:?usage: attach_detach.sh PATH/TO/berth [ROUNDS]}
ROUNDS=${2:-20}
NETAVARK=${NETAVARK:-/usr/lib/podman/netavark}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_isolate "$0" "$@"
NV=$WORK

"$BERTH" network create --subnet 10.99.0.0/16 first >/dev/null
"$BERTH" network create --subnet 10.98.0.0/16 second >/dev/null
"$BERTH" run -d --name c1 --network first -- sleep 3600 >/dev/null

ip link add br-ipbench type bridge
ip link set br-ipbench up
ip netns add ipb
ip_attach() {
	printf 'link add vipb type veth peer name eth1 netns ipb\nlink set vipb master br-ipbench up\n' | ip -batch -
	printf 'addr add 10.97.0.2/16 dev eth1\nlink set eth1 up\n' | ip -n ipb -batch -
}

nv=""
if [ -x "$NETAVARK" ] && command -v iptables >/dev/null; then
	nv=1
	hex() { printf "$1%.0s" $(seq 64); }
	cat >"$NV/net.json" <<JSON
{"container_id": "$(hex a)", "container_name": "bench",
 "networks": {"nv": {"interface_name": "eth1", "static_ips": ["10.96.0.2"]}},
 "network_info": {"nv": {"name": "nv", "id": "$(hex b)", "driver": "bridge",
   "network_interface": "nvbr0", "subnets": [{"subnet": "10.96.0.0/16", "gateway": "10.96.0.1"}],
   "ipv6_enabled": false, "internal": false, "dns_enabled": false,
   "ipam_options": {"driver": "host-local"}}}}
JSON
	ip netns add nvb
	# the first setup makes the bridge and the chains: not what is measured
	"$NETAVARK" --config "$NV" -f "$NV/net.json" setup /run/netns/nvb >/dev/null
	"$NETAVARK" --config "$NV" -f "$NV/net.json" teardown /run/netns/nvb >/dev/null
fi

# warm-up, so the first round is not the page cache's
"$BERTH" network connect second c1 && "$BERTH" network disconnect second c1

ls=() con=() dis=() ipa=() ipd=() nvs=() nvt=()
for _ in $(seq "$ROUNDS"); do
	ls+=("$(time_us "$BERTH" network ls)")
	con+=("$(time_us "$BERTH" network connect second c1)")
	ipa+=("$(time_us ip_attach)")
	[ -z "$nv" ] || nvs+=("$(time_us "$NETAVARK" --config "$NV" -f "$NV/net.json" setup /run/netns/nvb)")
	dis+=("$(time_us "$BERTH" network disconnect second c1)")
	ipd+=("$(time_us ip link del vipb)")
	[ -z "$nv" ] || nvt+=("$(time_us "$NETAVARK" --config "$NV" -f "$NV/net.json" teardown /run/netns/nvb)")
done

echo "== attach and detach of a running container ($ROUNDS rounds, interleaved; $(nproc) CPUs, $(uname -r))"
printf '%s\n' "${ls[@]}" | summary "berth network ls (fixed cost)" ms 1000
printf '%s\n' "${con[@]}" | summary "berth network connect" ms 1000
printf '%s\n' "${ipa[@]}" | summary "ip -batch: veth, bridge port, address, up" ms 1000
[ -z "$nv" ] || printf '%s\n' "${nvs[@]}" | summary "netavark setup" ms 1000
printf '%s\n' "${dis[@]}" | summary "berth network disconnect" ms 1000
printf '%s\n' "${ipd[@]}" | summary "ip link del of the veth" ms 1000
[ -z "$nv" ] || printf '%s\n' "${nvt[@]}" | summary "netavark teardown" ms 1000
[ -n "$nv" ] || echo "netavark: skipped ($NETAVARK or iptables missing: scripts/deps.sh installs them)"
l=$(printf '%s\n' "${ls[@]}" | median)
printf 'connect / network ls      %6.2f  (target <= 2)\n' "$(echo "$(printf '%s\n' "${con[@]}" | median) / $l" | bc -l)"
printf 'disconnect / network ls   %6.2f  (target <= 1.5)\n' "$(echo "$(printf '%s\n' "${dis[@]}" | median) / $l" | bc -l)"
