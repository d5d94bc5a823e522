#!/bin/bash
# berth's main job, step by step, in a throwaway network and mount
# namespace: nothing here touches the machine's own interfaces.
set -euo pipefail

BERTH=${1:?usage: demo.sh PATH/TO/berth}

if [ -z "${BERTH_DEMO_INSIDE:-}" ]; then
	exec env BERTH_DEMO_INSIDE=1 unshare --net --mount --pid --mount-proc --propagation private --fork -- "$0" "$@"
fi

BERTH_ROOT=$(mktemp -d /tmp/berth-demo-root.XXXXXX)
BERTH_RUNDIR=$(mktemp -d /tmp/berth-demo-run.XXXXXX)
export BERTH_ROOT BERTH_RUNDIR
trap 'for n in outside lan hosta hostb; do ip netns del $n 2>/dev/null || true; done; umount -R "$BERTH_RUNDIR/netns" "$BERTH_RUNDIR/mnt" 2>/dev/null || true; rm -rf "$BERTH_ROOT" "$BERTH_RUNDIR"' EXIT
ip link set lo up

if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD= PLAIN=; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
run() { printf '$ %s\n' "$*"; "$@"; }
berth() { "$BERTH" "$@"; }

step "A fresh state has the predefined networks (and the default bridge berth0)"
run berth network ls

step "Create a network with a subnet picked from Docker's default pools"
run berth network create frontend

step "Create one with its own subnet, gateway, address range, MTU and a label"
run berth network create --subnet 10.77.0.0/24 --gateway 10.77.0.254 \
	--ip-range 10.77.0.128/25 -o com.docker.network.driver.mtu=1400 \
	--label tier=db backend

step "List and inspect them"
run berth network ls
run berth network inspect backend

step "The kernel now has one bridge per network, up, holding the gateway"
run ip -br -4 addr show type bridge
run ip -d link show "br-$(berth network ls -q -f name=backend)" | head -3

step "Bad input is refused, and nothing changes"
run berth network create --subnet 10.77.0.0/16 overlapping || true
run berth network create --subnet 10.0.0.300/24 broken || true
run berth network rm bridge || true

step "Two containers on one network (each in its own namespaces, a veth into the bridge)"
run berth run -d --name web --network backend --ip 10.77.0.130 -- sleep 300
run berth run -d --name db --network backend -- sleep 300
run berth ps
run berth exec web ip -br -4 addr show eth0

step "They reach each other by address; the host reaches them too"
run berth exec web ping -c 1 -W 1 "$(berth inspect db | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["NetworkSettings"]["Networks"]["backend"]["IPAddress"])')"
run ping -c 1 -W 1 10.77.0.130

step "They find each other by name: berth's resolver answers on 127.0.0.11 inside each"
run berth exec web cat /etc/resolv.conf
run berth exec web dig +short db
run berth exec web dig +short -x "$(berth exec web dig +short db)"

step "Connect one of them to a second network: it gets eth1 live"
run berth network connect frontend db
run berth exec db ip -br -4 addr
run berth network disconnect frontend db

step "Publish a port: no proxy process, only nftables map elements (table inet berth)"
# another machine, played by a namespace behind a veth "uplink"
run ip netns add outside
run ip link add uplink type veth peer name eth0 netns outside
run ip addr add 10.250.0.1/24 dev uplink
run ip link set uplink up
ip -n outside addr add 10.250.0.2/24 dev eth0
ip -n outside link set eth0 up
ip -n outside link set lo up
mkdir -p "$BERTH_RUNDIR/www" && echo "hello through a published port" >"$BERTH_RUNDIR/www/index.html"
run berth run -d --name site --network backend -p 8080:80 -- python3 -m http.server -d "$BERTH_RUNDIR/www" 80
run berth port site
run nft list map inet berth ports4_any
fetch() { python3 -c 'import sys, time, urllib.request
for i in range(50):
    try:
        print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode().strip()); break
    except OSError:
        time.sleep(0.1)' "$1"; }
printf '$ # from the outside machine, to the host address
'
ip netns exec outside bash -c "$(declare -f fetch); fetch http://10.250.0.1:8080/"
printf '$ # from the host, to 127.0.0.1
'
fetch http://127.0.0.1:8080/
run ss -ltn 'sport = :8080'

step "A network with containers cannot be removed; stop and rm release everything"
run berth network rm backend || true
run berth stop -t 1 web
run berth rm -f web db site
run nft list map inet berth ports4_any
run berth network rm frontend backend
run ip -br link show type bridge

step "macvlan: two hosts on one LAN, a container on each, one subnet, no NAT"
# the LAN is a bridge in a namespace of its own; each host a namespace with
# eth1 on it and its own berth state
ip netns add lan
ip -n lan link add br-lan type bridge
ip -n lan link set br-lan up
for h in a b; do
	ip netns add "host$h"
	ip -n lan link add "port$h" type veth peer name eth1 netns "host$h"
	ip -n lan link set "port$h" master br-lan up
	ip -n "host$h" link set lo up
	mkdir -p "$BERTH_ROOT/host$h" "$BERTH_RUNDIR/host$h"
done
on() { # on a|b CMD...: CMD in that host's namespace, with its berth state
	local h=$1
	shift
	nsenter --net="/run/netns/host$h" env BERTH_ROOT="$BERTH_ROOT/host$h" BERTH_RUNDIR="$BERTH_RUNDIR/host$h" "$@"
}
for h in a b; do
	printf '$ # on host %s\n' "$h"
	run on "$h" "$BERTH" network create -d macvlan --subnet 10.190.0.0/24 --gateway 10.190.0.1 -o parent=eth1 macvlan1
done
run on a "$BERTH" run -d --name c100 --network macvlan1 --ip 10.190.0.100 -- sleep 300
run on b "$BERTH" run -d --name c200 --network macvlan1 --ip 10.190.0.200 -- sleep 300
run on a "$BERTH" exec c100 ip -d -br link show eth0
run on a "$BERTH" exec c100 ping -c 2 -W 1 10.190.0.200
for h in a b; do
	on "$h" "$BERTH" rm -f "$(on "$h" "$BERTH" ps -q)" >/dev/null
	on "$h" "$BERTH" network rm macvlan1 >/dev/null
	umount -R "$BERTH_RUNDIR/host$h/netns" "$BERTH_RUNDIR/host$h/mnt" 2>/dev/null || true
	ip netns del "host$h"
done
ip netns del lan
