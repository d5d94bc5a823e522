#!/bin/bash
# Issue 14's benchmark: berth's DNS resolver side by side with aardvark-dns
# 1.4 (Debian 12's, Podman's), in a throwaway network, mount and PID
# namespace, contenders interleaved round by round:
#   berth          a user network with N containers c1..cN (`run -d`) and
#                  a client container; queries from inside the client to
#                  127.0.0.11 (berth's DNAT to the resolver's socket in the
#                  client's own namespace)
#   aardvark-dns   driven as netavark 1.4 drives it (src/dns/aardvark.rs):
#                  a config directory with one file per network (first
#                  line the gateway, the address it listens on; then
#                  `ID IPV4 IPV6 NAMES` per container), started as
#                  `aardvark-dns --config DIR -p 53 run` (it forks, the
#                  parent returns once the child serves), told of a change
#                  by SIGHUP; a real bridge with the gateway 10.89.0.1/16,
#                  a client namespace on it whose address is a container's
#                  of the config (aardvark-dns answers by source address);
#                  the N containers are lines of the config only, which is
#                  all aardvark-dns knows of containers
#   dnsmasq        the upstream both forward to (the host's resolv.conf,
#                  a file of the bench's bind-mounted over /etc/resolv.conf,
#                  names 127.0.0.53, where it listens in the bench's host
#                  namespace; www.example.test A 192.0.2.7); asked directly
#                  too, as the floor of a forwarded query
# Every name in the two resolvers: the container's name and its 12-hex
# short ID (berth has NAME.NETWORK too).
# Measured, with dnsperf (one thread, one socket: `-T 1 -c 1`):
#   latency   one query at a time (-q 1), 1,000 a second (-Q 1000: alone,
#             -q 1 waits 20 ms between queries), QUERIES of them per round,
#             each one's time as dnsperf -v reports it; p50 and p99 of the
#             round. Container names: c1..cN in turn; forwarded:
#             www.example.test
#   queries/s "from one client": one socket, up to 100 queries outstanding
#             (-q 100, dnsperf's default), no rate limit, SECONDS s
#   memory    VmRSS (and its anonymous part) of the resolver with N names,
#             idle before the load, and VmHWM after it
#   ready     a name asked the moment `run -d` returns (aardvark-dns: the
#             moment its config line is appended and SIGHUP sent, what
#             netavark does before podman run returns), by a client that
#             already runs in the container (bench/dns.sh's probe, one
#             UDP socket): whether the first query answered, and the time
#             to the first answer with the address; 20 each, alternating
# Targets: p99 latency and memory at most aardvark-dns's; queries/s at
# least 2x; ready at once.
# Usage: dns.sh PATH/TO/berth [N_NAMES] [ROUNDS]   (defaults 1000, 5)
# Env: QUERIES (5000 per latency round), SECONDS_QPS (5), READY (20)
set -euo pipefail

BERTH=$(realpath "${1:?usage: dns.sh PATH/TO/berth [N_NAMES] [ROUNDS]}")
N=${2:-1000}
ROUNDS=${3:-5}
QUERIES=${QUERIES:-5000}
SECONDS_QPS=${SECONDS_QPS:-5}
READY=${READY:-20}
AARDVARK=${AARDVARK:-/usr/lib/podman/aardvark-dns}
HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
bench_isolate "$0" "$@"
# shellcheck disable=SC2034 # lib.sh's
BENCH_CLEANUP='ip netns del aclient 2>/dev/null'

FWD=www.example.test
load0=$(cut -d' ' -f1-3 /proc/loadavg)
UPSTREAM=127.0.0.53
GW=10.89.0.1

# --- the upstream and the host's resolv.conf ------------------------------
printf 'nameserver %s\n' "$UPSTREAM" >"$WORK/resolv.conf"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf
dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address="$UPSTREAM" \
	--address=/example.test/192.0.2.7 --user=root --pid-file="$WORK/dnsmasq.pid" 2>"$WORK/dnsmasq.err" &
until dig +short +tries=1 +timeout=1 @"$UPSTREAM" "$FWD" >/dev/null 2>&1; do sleep 0.05; done

# the queries: container names, in turn, and the forwarded one
for i in $(seq "$N"); do echo "c$i A"; done >"$WORK/names.txt"
echo "$FWD A" >"$WORK/fwd.txt"

# the probe of "ready": one UDP socket (connected, so an ICMP port
# unreachable while a server rebinds is heard at once); for each name read
# on stdin, asks until an answer with records comes: after a negative
# answer, again 1 ms later; after 5 ms of silence, again, still taking a
# late answer to an earlier query. Prints which query got the first
# answer with records (1: the first one asked), the microseconds from the
# name's arrival to that answer, and those of one more query for the name
# right after (the same question once the resolver has it)
cat >"$WORK/probe.py" <<'EOF'
import random, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], 53))
def ask(name):
    qid = random.randrange(65536)
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    s.send(struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1))
    return qid
def resolve(name):
    t0 = time.monotonic()
    sent = {ask(name): 1}
    n = 1
    while time.monotonic() - t0 < 10:
        s.settimeout(0.005)
        try:
            r = s.recv(4096)
        except socket.timeout:
            n += 1
            sent[ask(name)] = n
            continue
        except ConnectionRefusedError:
            time.sleep(0.001)
            n += 1
            sent[ask(name)] = n
            continue
        if len(r) < 12:
            continue
        qid, flags, _, ancount = struct.unpack(">HHHH", r[:8])
        if qid not in sent:
            continue
        if flags & 0xF == 0 and ancount > 0:
            return sent[qid], int((time.monotonic() - t0) * 1e6)
        del sent[qid]
        if not sent:
            time.sleep(0.001)
            n += 1
            sent[ask(name)] = n
    return 0, int((time.monotonic() - t0) * 1e6)
while True:
    name = sys.stdin.readline().strip()
    if not name:
        break
    which, us = resolve(name)
    _, again = resolve(name)
    print(which, us, again, flush=True)
EOF

# --- berth -----------------------------------------------------------------
"$BERTH" network create --subnet 10.88.0.0/16 dnsnet >/dev/null 2>&1
t0=$(now_ns)
for i in $(seq "$N"); do
	"$BERTH" run -d --name "c$i" --network dnsnet -- sleep 3600 >/dev/null
done
fill_s=$(echo "($(now_ns) - $t0) / 1000000000" | bc -l)
"$BERTH" run -d --name client --network dnsnet -- sleep 3600 >/dev/null
BPID=$(cat "$BERTH_RUNDIR/dns.pid" 2>/dev/null) || BPID=""
if [ -z "$BPID" ] || ! kill -0 "$BPID" 2>/dev/null; then
	echo "dns.sh: berth's resolver is not running with $N containers; the end of its log:" >&2
	tail -5 "$BERTH_RUNDIR/dns.log" >&2
	exit 1
fi
in_berth() { "$BERTH" exec client "$@"; }

# --- aardvark-dns ----------------------------------------------------------
ip link add ab0 type bridge
ip addr add "$GW/16" dev ab0
ip link set ab0 up
ip netns add aclient
ip link add av0 type veth peer name eth0 netns aclient
ip link set av0 master ab0 up
ip -n aclient addr add 10.89.255.254/16 dev eth0
ip -n aclient link set eth0 up
ip -n aclient link set lo up
ip -n aclient route add default via "$GW"
AD=$WORK/aardvark # netavark's /run/containers/networks/aardvark-dns
mkdir "$AD"
# container i: ID i in hex, 10.89.(i / 250).(i % 250 + 2)
a_line() { printf '%064x %s  %s,%012x\n' "$1" "10.89.$(($1 / 250)).$(($1 % 250 + 2))" "$2" "$1"; }
{
	echo "$GW"
	for i in $(seq "$N"); do a_line "$i" "c$i"; done
	printf '%064x 10.89.255.254  client\n' 999999
} >"$AD/anet"
"$AARDVARK" --config "$AD" -p 53 run 2>/dev/null
APID=$(cat "$AD/aardvark.pid")
in_aardvark() { ip netns exec aclient "$@"; }

# both answer both kinds of names, or this measures nothing
for n in c1 "c$N" "$FWD"; do
	b=$(in_berth dig +short +tries=1 +timeout=2 "$n")
	a=$(in_aardvark dig +short +tries=1 +timeout=2 @"$GW" "$n")
	if [ -z "$b" ] || [ -z "$a" ]; then
		echo "dns.sh: $n: berth answered '$b', aardvark-dns '$a'" >&2
		exit 1
	fi
done

status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# smaps_rollup: PSS (shared pages divided among their users: libc is
# everyone's) and USS (private pages: what the resolver's exit gives back)
rollup_kb() { awk -v k="$2:" '$1 == k { s += $2 } END { print s + 0 }' "/proc/$1/smaps_rollup"; }
uss_kb() { echo $(($(rollup_kb "$1" Private_Clean) + $(rollup_kb "$1" Private_Dirty))); }
mem_b=$(status_kb "$BPID" VmRSS) anon_b=$(status_kb "$BPID" RssAnon) pss_b=$(rollup_kb "$BPID" Pss) uss_b=$(uss_kb "$BPID")
mem_a=$(status_kb "$APID" VmRSS) anon_a=$(status_kb "$APID" RssAnon) pss_a=$(rollup_kb "$APID" Pss) uss_a=$(uss_kb "$APID")

# --- the measures ----------------------------------------------------------
# latency WHO FILE RUNS: "p50 p99 failed" in microseconds, one query at a time
latency() {
	local who=$1 file=$2 runs=$3
	case $who in
	berth) in_berth dnsperf -s 127.0.0.11 -T 1 -c 1 -q 1 -Q 1000 -t 2 -v -d "$file" -n "$runs" ;;
	aardvark) in_aardvark dnsperf -s "$GW" -T 1 -c 1 -q 1 -Q 1000 -t 2 -v -d "$file" -n "$runs" ;;
	upstream) dnsperf -s "$UPSTREAM" -T 1 -c 1 -q 1 -Q 1000 -t 2 -v -d "$file" -n "$runs" ;;
	esac >"$WORK/lat.out"
	awk '/^> / { printf "%d\n", $NF * 1e6 }' "$WORK/lat.out" | sort -n | awk -v bad="$(
		awk '/^> / && $2 != "NOERROR" || /^\[Timeout\]/ { n++ } END { print n + 0 }' "$WORK/lat.out")" '
		{ v[NR] = $1 }
		END { printf "%d %d %d\n", v[int(NR * 0.50 + 0.999999)], v[int(NR * 0.99 + 0.999999)], bad }'
}
# qps WHO FILE: "queries/s lost" from one socket, 100 outstanding
qps() {
	local who=$1 file=$2
	case $who in
	berth) in_berth dnsperf -s 127.0.0.11 -T 1 -c 1 -q 100 -t 2 -d "$file" -l "$SECONDS_QPS" ;;
	aardvark) in_aardvark dnsperf -s "$GW" -T 1 -c 1 -q 100 -t 2 -d "$file" -l "$SECONDS_QPS" ;;
	upstream) dnsperf -s "$UPSTREAM" -T 1 -c 1 -q 100 -t 2 -d "$file" -l "$SECONDS_QPS" ;;
	esac | awk '/Queries lost:/ { lost = $3 } /Queries per second:/ { q = $4 } END { printf "%d %d\n", q, lost }'
}

# contenders: "KIND WHO LABEL" per line, in the order measured and shown
# (read on fd 3 by the loops: berth exec would take their stdin)
contenders() {
	local kind who
	for kind in name fwd; do
		for who in berth aardvark upstream; do
			case $who/$kind in
			upstream/name) ;;
			upstream/fwd) echo "$kind $who dnsmasq asked directly (the upstream)" ;;
			*/name) echo "$kind $who $who, container name" ;;
			*) echo "$kind $who $who, forwarded name" ;;
			esac
		done
	done
}
file_of() { if [ "$1" = name ]; then echo "$WORK/names.txt"; else echo "$WORK/fwd.txt"; fi; }

# warm-up: page cache, first sockets
for w in berth aardvark; do
	latency $w "$WORK/names.txt" 1 >/dev/null
	latency $w "$WORK/fwd.txt" 100 >/dev/null
done

# shellcheck disable=SC2034 # filled by add, read through namerefs
declare -A p50 p99 bad q lost
add() { eval "$1[\$2]+=\"\$3 \""; } # add ARRAY KEY VALUE
for r in $(seq "$ROUNDS"); do
	while read -r kind who _ <&3; do
		runs=$QUERIES
		[ "$kind" != name ] || runs=$(((QUERIES + N - 1) / N))
		read -r a b c <<<"$(latency "$who" "$(file_of "$kind")" "$runs")"
		add p50 "$who/$kind" "$a"
		add p99 "$who/$kind" "$b"
		add bad "$who/$kind" "$c"
	done 3< <(contenders)
	while read -r kind who _ <&3; do
		read -r a b <<<"$(qps "$who" "$(file_of "$kind")")"
		add q "$who/$kind" "$a"
		add lost "$who/$kind" "$b"
	done 3< <(contenders)
	echo "round $r of $ROUNDS done" >&2
done
hwm_b=$(status_kb "$BPID" VmHWM) hwm_a=$(status_kb "$APID" VmHWM)

# --- ready: the time from `run` returning to the name resolving -------------
for f in bin bout ain aout; do mknod "$WORK/$f" p; done
in_berth python3 "$WORK/probe.py" 127.0.0.11 <"$WORK/bin" >"$WORK/bout" &
probes=$!
exec 5>"$WORK/bin" 6<"$WORK/bout"
in_aardvark python3 "$WORK/probe.py" "$GW" <"$WORK/ain" >"$WORK/aout" &
probes+=" $!"
exec 7>"$WORK/ain" 8<"$WORK/aout"
echo c1 >&5 && read -r _ _ _ <&6 # the probes run
echo c1 >&7 && read -r _ _ _ <&8
ready_b=() ready_a=() again_b=() again_a=() once_b=0 once_a=0 run_us=()
for i in $(seq "$READY"); do
	run_us+=("$(time_us "$BERTH" run -d --name "new$i" --network dnsnet -- sleep 3600)")
	echo "new$i" >&5
	read -r which us again <&6
	ready_b+=("$us") again_b+=("$again")
	[ "$which" != 1 ] || once_b=$((once_b + 1))
	a_line $((N + i)) "new$i" >>"$AD/anet"
	kill -HUP "$APID"
	echo "new$i" >&7
	read -r which us again <&8
	ready_a+=("$us") again_a+=("$again")
	[ "$which" != 1 ] || once_a=$((once_a + 1))
done
exec 5>&- 7>&-
# shellcheck disable=SC2086 # pids
wait $probes

# --- the report ------------------------------------------------------------
# the arrays hold space-separated samples: split on purpose
# shellcheck disable=SC2086
row() { # LABEL ARRAY KEY UNIT DIVISOR
	local -n arr=$2
	printf '%s\n' ${arr[$3]} | summary "$1" "$4" "$5"
}
# shellcheck disable=SC2086
ratio() { # ARRAY KEY1 KEY2: the medians' ratio
	local -n arr=$1
	echo "$(printf '%s\n' ${arr[$2]} | median) / $(printf '%s\n' ${arr[$3]} | median)" | bc -l
}
# shellcheck disable=SC2086
sum_of() { local -n arr=$1; printf '%s\n' ${arr[$2]} | awk '{ s += $1 } END { print s + 0 }'; }
echo "== DNS: berth's resolver and aardvark-dns, $N names, $ROUNDS rounds interleaved"
echo "load average before / after: $load0 / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r)"
echo "versions: $("$BERTH" version 2>&1 | head -1); $("$AARDVARK" --version 2>&1 | grep -i aardvark | head -1); dnsperf $(dnsperf -H 2>&1 | awk '/^Version/ { print $2; exit }'); $(dnsmasq --version | head -1)"
printf '%s\n' "$fill_s" | awk '{ printf "berth: %d containers made in %.1f s\n", '"$N"', $1 }'
echo "-- latency, one query at a time, 1,000/s ($QUERIES per round; microseconds)"
while read -r kind who label; do
	row "$label: p50" p50 "$who/$kind" us 1
	row "$label: p99" p99 "$who/$kind" us 1
	echo "    failed or not NOERROR: $(sum_of bad "$who/$kind")"
done < <(contenders)
echo "-- queries per second from one client (one socket, 100 outstanding, ${SECONDS_QPS} s)"
while read -r kind who label; do
	row "$label" q "$who/$kind" q/s 1
	echo "    lost: $(sum_of lost "$who/$kind")"
done < <(contenders)
echo "-- memory with $N names (kB)"
mem_line() { printf '%-16s VmRSS %6d  RssAnon %6d  PSS %6d  USS %6d  VmHWM after the load %6d\n' "$@"; }
mem_line "berth dns serve" "$mem_b" "$anon_b" "$pss_b" "$uss_b" "$hwm_b"
mem_line "aardvark-dns" "$mem_a" "$anon_a" "$pss_a" "$uss_a" "$hwm_a"
echo "-- ready: the first query after run -d returns (aardvark-dns: after its line and SIGHUP)"
printf '%s\n' "${ready_b[@]}" | summary "berth: to the first answer with the address" ms 1000
echo "    the first query got it: $once_b of $READY"
printf '%s\n' "${again_b[@]}" | summary "berth: the next query for it" ms 1000
printf '%s\n' "${ready_a[@]}" | summary "aardvark-dns: to the first answer with the address" ms 1000
echo "    the first query got it: $once_a of $READY"
printf '%s\n' "${again_a[@]}" | summary "aardvark-dns: the next query for it" ms 1000
printf '%s\n' "${run_us[@]}" | summary "(berth run -d itself, with $N containers)" ms 1000
echo "-- berth / aardvark-dns (medians)"
printf '%-52s %8.2f  (target <= 1)\n' "p99, container name" "$(ratio p99 berth/name aardvark/name)"
printf '%-52s %8.2f  (target <= 1)\n' "p99, forwarded name" "$(ratio p99 berth/fwd aardvark/fwd)"
printf '%-52s %8.2f\n' "p50, container name" "$(ratio p50 berth/name aardvark/name)"
printf '%-52s %8.2f\n' "p50, forwarded name" "$(ratio p50 berth/fwd aardvark/fwd)"
printf '%-52s %8.2f  (target >= 2)\n' "queries/s, container name" "$(ratio q berth/name aardvark/name)"
printf '%-52s %8.2f  (target >= 2)\n' "queries/s, forwarded name" "$(ratio q berth/fwd aardvark/fwd)"
printf '%-52s %8.2f  (target <= 1)\n' "VmRSS with $N names" "$(echo "$mem_b / $mem_a" | bc -l)"
printf '%-52s %8.2f\n' "PSS with $N names" "$(echo "$pss_b / $pss_a" | bc -l)"
printf '%-52s %8.2f\n' "USS with $N names" "$(echo "$uss_b / $uss_a" | bc -l)"
