#!/bin/bash
# Issue 15's benchmark: berth's CNI plugin side by side with the CNI
# reference plugins (containernetworking-plugins, Debian 12's, in
# /usr/lib/cni), in a throwaway network, mount and PID namespace. Both are
# driven as libcni drives a plugin: one exec per plugin, with CNI_COMMAND,
# CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME and CNI_PATH in its environment
# and the configuration on stdin (a here-string: no process of the bench's
# in between, and nothing timed but the plugin's own process).
#   berth       one plugin, "type": "berth", network bnet on 10.77.0.0/16,
#               capabilities portMappings (as the kubelet's: no names, so
#               no resolver in the namespace; 1b measures berth with them);
#               runtimeConfig.portMappings when ports are mapped; its DEL
#               gets its ADD's result as prevResult, as libcni sends it
#   reference   a conflist as Podman writes it: bridge (cnibr0, isGateway,
#               ipMasq, hairpinMode) with host-local IPAM (10.88.0.0/16,
#               dataDir under the bench's temp directory), then, when ports
#               are mapped, portmap with capabilities.portMappings, its
#               runtimeConfig and prevResult = bridge's result (libcni
#               chains them so); DEL in reverse order, each with the
#               list's result as prevResult. libcni's result cache and
#               Go's own costs are not counted for either.
# Each container gets a namespace of its own (`ip netns add`, untimed).
# Measured, contenders interleaved so a noisy machine hits both alike (the
# order alternates from round to round):
#  1. ADD and DEL of one container on an empty network, without ports
#     (ROUNDS rounds), then with one port mapping (ROUNDS rounds);
#  2. ADD as the networks fill to FILL containers (default 500), each with
#     one distinct host port: containers 1-10, 91-100 and FILL-9..FILL, i.e.
#     with 0, 90 and FILL-10 already attached; rules at FILL (iptables-save
#     in the bench's namespace, berth's table inet berth); then DEL of the
#     last 10;
#  3. leaks: LEAKS ADDs (one port each) whose DEL never comes and whose
#     namespaces are deleted: what host-local, iptables and berth still
#     hold (berth: before and after one `berth ps`), and what a late DEL
#     releases.
# Usage: cni.sh PATH/TO/berth [ROUNDS] [FILL]   (LEAKS=20 in the
# environment; a quick run: cni.sh PATH/TO/berth 5 100)
set -euo pipefail
shopt -s inherit_errexit # a plugin that fails inside $(time_us ...) stops the bench

BERTH=$(realpath "${1:?usage: cni.sh PATH/TO/berth [ROUNDS] [FILL]}")
ROUNDS=${2:-30}
FILL=${3:-500}
LEAKS=${LEAKS:-20}
CNI=${CNI:-/usr/lib/cni}
HERE=$(cd "$(dirname "$0")" && pwd)

for p in bridge host-local portmap; do
	[ -x "$CNI/$p" ] || {
		echo "cni.sh: $CNI/$p missing (scripts/deps.sh installs containernetworking-plugins)" >&2
		exit 1
	}
done
[ "$FILL" -ge 20 ] || {
	echo "cni.sh: FILL must be at least 20" >&2
	exit 2
}

# What the reference plugins could touch on the host, were they not
# isolated: the host's links, /var/lib/cni (host-local's default dataDir),
# /run/netns and IPv4 forwarding. Checked unchanged after the bench.
host_state() {
	ip -o link show | awk -F': ' '{ print $2 }' | sort
	ls -A /var/lib/cni /run/netns 2>&1 || true
	cat /proc/sys/net/ipv4/ip_forward
}
if [ -z "${BERTH_BENCH_INSIDE:-}" ] && [ -z "${CNI_BENCH_OUTER:-}" ]; then
	before=$(host_state)
	rc=0
	CNI_BENCH_OUTER=1 "$0" "$@" || rc=$?
	after=$(host_state)
	if [ "$before" != "$after" ]; then
		echo "cni.sh: the host changed:" >&2
		diff <(echo "$before") <(echo "$after") >&2 || true
		exit 1
	fi
	echo "host: links, /var/lib/cni, /run/netns and ip_forward unchanged"
	exit "$rc"
fi

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
bench_isolate "$0" "$@"

export CNI_PATH=$CNI # bridge finds host-local there
HL=$WORK/host-local  # host-local's dataDir: one file per address it holds
RES=$WORK/results    # each container's result, for its DEL's prevResult
mkdir -p "$HL" "$RES"

BRIDGE_CONF='{"cniVersion": "1.0.0", "name": "cninet", "type": "bridge", "bridge": "cnibr0",
 "isGateway": true, "ipMasq": true, "hairpinMode": true,
 "ipam": {"type": "host-local", "dataDir": "'$HL'", "routes": [{"dst": "0.0.0.0/0"}],
          "ranges": [[{"subnet": "10.88.0.0/16", "gateway": "10.88.0.1"}]]}}'
BERTH_CONF='{"cniVersion": "1.0.0", "name": "bnet", "type": "berth", "root": "'$BERTH_ROOT'",
 "runDir": "'$BERTH_RUNDIR'", "subnet": "10.77.0.0/16", "capabilities": {"portMappings": true}'

# cid PART WHO N: a 64-hex container ID, as Podman's; its first 12 digits
# (berth's default container name) differ for every container
cid() { printf '%02x%02x%08x%052x' "$1" "$2" "$3" 0; }

# Each timed call below builds its configuration with bash's builtins
# only (printf -v, read): a command substitution there would fork bash,
# 1-2 ms on this VM, inside the plugin's time.

# runtime_config HOSTPORT: what libcni injects for the portMappings
# capability (nothing without a port), in $RC
runtime_config() {
	RC=""
	[ -z "$1" ] || printf -v RC ', "runtimeConfig": {"portMappings": [{"hostPort": %d, "containerPort": 80, "protocol": "tcp"}]}' "$1"
}

# slurp_to VAR FILE: the file's contents in VAR, without a process
slurp_to() {
	local -n into=$1
	into=""
	IFS= read -r -d '' into <"$2" || true
}

# plugin COMMAND PLUGIN ID NETNS CONF OUT: one exec, as libcni makes it; its
# stdout in OUT; a failure stops the bench, with the plugin's answer
plugin() {
	CNI_COMMAND=$1 CNI_CONTAINERID=$3 CNI_NETNS=/run/netns/$4 CNI_IFNAME=eth0 \
		"$2" <<<"$5" >"$6" || {
		local answer
		slurp_to answer "$6"
		echo "cni.sh: $1 of $3 by $2 failed: $answer" >&2
		return 1
	}
}

# berth_add ID NETNS [HOSTPORT] / berth_del ID NETNS [HOSTPORT]
berth_add() {
	runtime_config "${3:-}"
	plugin ADD "$BERTH" "$1" "$2" "$BERTH_CONF$RC}" "$RES/$1"
}
berth_del() {
	local prev
	runtime_config "${3:-}"
	slurp_to prev "$RES/$1"
	plugin DEL "$BERTH" "$1" "$2" "$BERTH_CONF$RC, \"prevResult\": $prev}" "$RES/$1.del"
}

# the reference conflist, plugin by plugin (timed apart, summed per round);
# each ADD's result, in $RES/ID, is the list's so far
portmap_conf() { # HOSTPORT PREVRESULT: portmap's configuration in $PC
	runtime_config "$1"
	printf -v PC '{"cniVersion": "1.0.0", "name": "cninet", "type": "portmap", "capabilities": {"portMappings": true}%s, "prevResult": %s}' \
		"$RC" "$2"
}
# bridge_add ID NETNS: bridge + host-local; portmap_add ID NETNS HOSTPORT
# chains portmap on it
bridge_add() { plugin ADD "$CNI/bridge" "$1" "$2" "$BRIDGE_CONF" "$RES/$1"; }
portmap_add() {
	local prev
	slurp_to prev "$RES/$1"
	portmap_conf "$3" "$prev"
	plugin ADD "$CNI/portmap" "$1" "$2" "$PC" "$RES/$1"
}
portmap_del() {
	local prev
	slurp_to prev "$RES/$1"
	portmap_conf "$3" "$prev"
	plugin DEL "$CNI/portmap" "$1" "$2" "$PC" "$RES/$1.del"
}
bridge_del() { # with the list's result
	local prev
	slurp_to prev "$RES/$1"
	plugin DEL "$CNI/bridge" "$1" "$2" "${BRIDGE_CONF%\}}, \"prevResult\": $prev}" "$RES/$1.del"
}

# counts
berth_rules() { nft -j list table inet berth | python3 -c 'import json, sys; print(sum(1 for o in json.load(sys.stdin)["nftables"] if "rule" in o))'; }
berth_ports() { nft -j list map inet berth ports4_any | python3 -c 'import json, sys; print(sum(len(o["map"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "map" in o))'; }
berth_attached() { "$BERTH" network inspect bnet | python3 -c 'import json, sys; print(len(json.load(sys.stdin)[0].get("Containers") or {}))'; }
ipt_lines() { iptables-save | wc -l; }
ipt_rules() { iptables-save | grep -c '^-A' || true; }
hl_held() { find "$HL/cninet" -maxdepth 1 -type f -name '[0-9]*.[0-9]*' | wc -l; } # address files, not last_reserved_ip.0 or lock

echo "== berth's CNI plugin against bridge + host-local + portmap ($(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r))"
echo "   reference: containernetworking-plugins $(dpkg-query -W -f='${Version}' containernetworking-plugins 2>/dev/null || echo '?'), $(iptables --version)"

# warm-up, untimed: berth makes its network, bridge its bridge and chains,
# portmap its chains
ip netns add wb && ip netns add wr
berth_add "$(cid 0 1 0)" wb 7999 >/dev/null && berth_del "$(cid 0 1 0)" wb 7999
bridge_add "$(cid 0 2 0)" wr && portmap_add "$(cid 0 2 0)" wr 7999 && portmap_del "$(cid 0 2 0)" wr 7999 && bridge_del "$(cid 0 2 0)" wr
ip netns del wb && ip netns del wr

# --- 1. one container: ADD and DEL -----------------------------------------
ba=() bd=() bs=() ra=() rd=() rs=()     # without ports: berth / reference
pba=() pbd=() pbs=() pra=() prd=() prs=() # one port mapping
prap=() prdp=()                         # portmap's part of the reference's
one_round() { # R PORTS(0/1)
	local r=$1 port="" b r_ id_b id_r t1 t2 t3 t4
	[ "$2" = 0 ] || port=8080
	id_b=$(cid 1 1 "$((r * 2 + $2))") id_r=$(cid 1 2 "$((r * 2 + $2))")
	ip netns add b1 && ip netns add r1
	local berth_first=$(((r + $2) % 2))
	for who in 1 2; do
		if [ $((who % 2)) = "$berth_first" ]; then
			b=$(time_us berth_add "$id_b" b1 "$port")
		else
			t1=$(time_us bridge_add "$id_r" r1)
			t2=0
			[ -z "$port" ] || t2=$(time_us portmap_add "$id_r" r1 "$port")
		fi
	done
	local bdel
	for who in 1 2; do
		if [ $((who % 2)) = "$berth_first" ]; then
			bdel=$(time_us berth_del "$id_b" b1 "$port")
		else
			t3=0
			[ -z "$port" ] || t3=$(time_us portmap_del "$id_r" r1 "$port")
			t4=$(time_us bridge_del "$id_r" r1)
		fi
	done
	ip netns del b1 && ip netns del r1
	r_="$b $((t1 + t2)) $bdel $((t3 + t4)) $t2 $t3"
	echo "$r_"
}
# without ports first, then with one: portmap's iptables processes leave
# the kernel work for a while after they exit (each one's netfilter socket,
# closed, waits for an RCU grace period holding nf_tables' lock), which
# landed on the next round's ADD and DEL, whoever's they were
sleep 1 # the warm-up's
for p in 0 1; do
	for r in $(seq "$ROUNDS"); do
		read -r b ref bdel refdel pm pmdel < <(one_round "$r" "$p")
		if [ "$p" = 0 ]; then
			ba+=("$b") ra+=("$ref") bd+=("$bdel") rd+=("$refdel") bs+=("$((b + bdel))") rs+=("$((ref + refdel))")
		else
			pba+=("$b") pra+=("$ref") pbd+=("$bdel") prd+=("$refdel") pbs+=("$((b + bdel))") prs+=("$((ref + refdel))")
			prap+=("$pm") prdp+=("$pmdel")
		fi
		sleep 0.1 # the deleted namespaces' cleanup, between rounds, not in them
	done
done
med() { printf '%s\n' "$@" | median; }
ratio() { echo "$1 / $2" | bc -l; }
echo "== 1. one container on an empty network: ADD and DEL ($ROUNDS rounds, interleaved)"
printf '%s\n' "${ba[@]}" | summary "berth ADD" ms 1000
printf '%s\n' "${ra[@]}" | summary "bridge+host-local ADD" ms 1000
printf '%s\n' "${bd[@]}" | summary "berth DEL" ms 1000
printf '%s\n' "${rd[@]}" | summary "bridge+host-local DEL" ms 1000
printf '%s\n' "${bs[@]}" | summary "berth ADD+DEL" ms 1000
printf '%s\n' "${rs[@]}" | summary "bridge+host-local ADD+DEL" ms 1000
printf '%s\n' "${pba[@]}" | summary "berth ADD, 1 port" ms 1000
printf '%s\n' "${pra[@]}" | summary "bridge+host-local, portmap ADD, 1 port" ms 1000
printf '%s\n' "${prap[@]}" | summary "  of which portmap" ms 1000
printf '%s\n' "${pbd[@]}" | summary "berth DEL, 1 port" ms 1000
printf '%s\n' "${prd[@]}" | summary "portmap, bridge+host-local DEL, 1 port" ms 1000
printf '%s\n' "${prdp[@]}" | summary "  of which portmap" ms 1000
printf '%s\n' "${pbs[@]}" | summary "berth ADD+DEL, 1 port" ms 1000
printf '%s\n' "${prs[@]}" | summary "reference ADD+DEL, 1 port" ms 1000
printf 'reference / berth, medians: ADD %.2f, DEL %.2f, ADD+DEL %.2f; with 1 port: ADD %.2f, DEL %.2f, ADD+DEL %.2f  (target ADD+DEL >= 10)\n' \
	"$(ratio "$(med "${ra[@]}")" "$(med "${ba[@]}")")" "$(ratio "$(med "${rd[@]}")" "$(med "${bd[@]}")")" \
	"$(ratio "$(med "${rs[@]}")" "$(med "${bs[@]}")")" "$(ratio "$(med "${pra[@]}")" "$(med "${pba[@]}")")" \
	"$(ratio "$(med "${prd[@]}")" "$(med "${pbd[@]}")")" "$(ratio "$(med "${prs[@]}")" "$(med "${pbs[@]}")")"

# --- 1b. the price of names ---------------------------------------------------
# berth's resolver serves a container whose configuration declares the
# aliases capability (Podman's); the ones above (portMappings only, as the
# kubelet's) have none. Both berth, interleaved, on networks of their own.
NAMES_CONF='{"cniVersion": "1.0.0", "name": "bnames", "type": "berth", "root": "'$BERTH_ROOT'",
 "runDir": "'$BERTH_RUNDIR'", "subnet": "10.78.0.0/16", "capabilities": {"portMappings": true, "aliases": true}'
names_add() { plugin ADD "$BERTH" "$1" "$2" "$NAMES_CONF}" "$RES/$1"; }
names_del() {
	local prev
	slurp_to prev "$RES/$1"
	plugin DEL "$BERTH" "$1" "$2" "$NAMES_CONF, \"prevResult\": $prev}" "$RES/$1.del"
}
sleep 1 # the port rounds' kernel work
ip netns add wn && names_add "$(cid 0 3 0)" wn >/dev/null && names_del "$(cid 0 3 0)" wn && ip netns del wn
na=() nb=()
for r in $(seq "$ROUNDS"); do
	idn=$(cid 3 1 "$r") idb=$(cid 3 2 "$r")
	ip netns add n1 && ip netns add b1
	if [ $((r % 2)) = 0 ]; then
		t1=$(time_us names_add "$idn" n1) t2=$(time_us berth_add "$idb" b1)
		t3=$(time_us names_del "$idn" n1) t4=$(time_us berth_del "$idb" b1)
	else
		t2=$(time_us berth_add "$idb" b1) t1=$(time_us names_add "$idn" n1)
		t4=$(time_us berth_del "$idb" b1) t3=$(time_us names_del "$idn" n1)
	fi
	na+=("$((t1 + t3))") nb+=("$((t2 + t4))")
	ip netns del n1 && ip netns del b1
	sleep 0.1
done
echo "== 1b. berth with names (the aliases capability: the resolver in the namespace) and without ($ROUNDS rounds, interleaved)"
printf '%s\n' "${na[@]}" | summary "berth ADD+DEL, with names" ms 1000
printf '%s\n' "${nb[@]}" | summary "berth ADD+DEL, without" ms 1000

# --- 2. as the networks fill --------------------------------------------------
# container N: berth's namespace fb<N>, host port 10000+N; the reference's
# fr<N>, host port 20000+N
fb=() fr=() frp=()
t_start=$EPOCHREALTIME
# shellcheck disable=SC2034 # fb and fr are read through ten's nameref
for n in $(seq "$FILL"); do
	ip netns add "fb$n" && ip netns add "fr$n"
	for who in 1 2; do
		if [ $(((who + n) % 2)) = 0 ]; then
			fb[n]=$(time_us berth_add "$(cid 2 1 "$n")" "fb$n" $((10000 + n)))
		else
			t1=$(time_us bridge_add "$(cid 2 2 "$n")" "fr$n")
			frp[n]=$(time_us portmap_add "$(cid 2 2 "$n")" "fr$n" $((20000 + n)))
			fr[n]=$((t1 + frp[n]))
		fi
	done
done
t_fill=$(ratio "$((10#${EPOCHREALTIME/./} - 10#${t_start/./}))" 1000000)
levels=(1 91 $((FILL - 9)))
[ "$FILL" -ge 110 ] || levels=(1 $((FILL - 9)))
echo "== 2. ADD as the networks fill to $FILL containers, one distinct host port each (filled in $(printf '%.0f' "$t_fill") s)"
ten() { # ARRAY FIRST: the samples of containers FIRST..FIRST+9
	local -n a=$1
	local n
	for n in $(seq "$2" $(($2 + 9))); do echo "${a[$n]}"; done
}
for l in "${levels[@]}"; do
	ten fb "$l" | summary "berth ADD, containers $l-$((l + 9))" ms 1000
	ten fr "$l" | summary "bridge+host-local, portmap ADD, $l-$((l + 9))" ms 1000
	ten frp "$l" | summary "  of which portmap" ms 1000
done
first_b=$(ten fb 1 | median) first_r=$(ten fr 1 | median)
last_b=$(ten fb $((FILL - 9)) | median) last_r=$(ten fr $((FILL - 9)) | median)
printf 'ADD at %d / at 1-10, medians: berth %.2fx, reference %.2fx; reference / berth at %d: %.2f\n' "$FILL" \
	"$(ratio "$last_b" "$first_b")" "$(ratio "$last_r" "$first_r")" "$FILL" "$(ratio "$last_r" "$last_b")"
echo "rules at $FILL: iptables-save $(ipt_lines) lines ($(ipt_rules) rules, -A); table inet berth $(berth_rules) rules, $(berth_ports) elements in ports4_any"
dbs=() drs=()
for n in $(seq $((FILL - 9)) "$FILL"); do
	for who in 1 2; do
		if [ $(((who + n) % 2)) = 0 ]; then
			dbs+=("$(time_us berth_del "$(cid 2 1 "$n")" "fb$n" $((10000 + n)))")
		else
			t1=$(time_us portmap_del "$(cid 2 2 "$n")" "fr$n" $((20000 + n)))
			drs+=("$((t1 + $(time_us bridge_del "$(cid 2 2 "$n")" "fr$n")))")
		fi
	done
	ip netns del "fb$n" && ip netns del "fr$n"
done
printf '%s\n' "${dbs[@]}" | summary "berth DEL, containers $((FILL - 9))-$FILL" ms 1000
printf '%s\n' "${drs[@]}" | summary "portmap, bridge+host-local DEL, $((FILL - 9))-$FILL" ms 1000
echo "rules at $((FILL - 10)): iptables-save $(ipt_lines) lines ($(ipt_rules) rules); table inet berth $(berth_rules) rules"

# --- 3. leaks: ADDs whose DEL never comes ---------------------------------------
echo "== 3. $LEAKS ADDs (one port each) whose DEL never comes; their namespaces deleted"
hl0=$(hl_held) ipt0=$(ipt_rules) bp0=$(berth_ports) bc0=$(berth_attached)
for n in $(seq "$LEAKS"); do
	ip netns add "lb$n" && ip netns add "lr$n"
	berth_add "$(cid 3 1 "$n")" "lb$n" $((30000 + n)) >/dev/null
	bridge_add "$(cid 3 2 "$n")" "lr$n" && portmap_add "$(cid 3 2 "$n")" "lr$n" $((40000 + n))
done
hl1=$(hl_held) ipt1=$(ipt_rules) bp1=$(berth_ports)
for n in $(seq "$LEAKS"); do ip netns del "lb$n" && ip netns del "lr$n"; done
sleep 1 # the kernel destroys the namespaces, and the veths in them, in the background
hl2=$(hl_held) ipt2=$(ipt_rules) bp2=$(berth_ports)
"$BERTH" ps >/dev/null
bp3=$(berth_ports) bc3=$(berth_attached)
printf '%-44s %8s %14s %16s\n' "" attached "namespaces gone" "+ one berth ps"
printf '%-44s %8d %14d %16s\n' "host-local: addresses held (files)" $((hl1 - hl0)) $((hl2 - hl0)) "-"
printf '%-44s %8d %14d %16s\n' "iptables rules (bridge ipMasq, portmap)" $((ipt1 - ipt0)) $((ipt2 - ipt0)) "-"
printf '%-44s %8d %14d %16d\n' "berth: published ports (ports4_any elements)" $((bp1 - bp0)) $((bp2 - bp0)) $((bp3 - bp0))
printf '%-44s %8d %14s %16d\n' "berth: containers attached (network inspect)" "$LEAKS" "(not asked)" $((bc3 - bc0))
# a runtime that sends the DEL late, the namespace gone (as Podman's
# cleanup does after a crash): what the reference then releases
for n in $(seq "$LEAKS"); do
	portmap_del "$(cid 3 2 "$n")" "lr$n" $((40000 + n))
	bridge_del "$(cid 3 2 "$n")" "lr$n"
done
echo "reference after a late DEL of each (portmap, bridge; namespace gone): host-local holds $(($(hl_held) - hl0)), iptables rules $(($(ipt_rules) - ipt0))"
