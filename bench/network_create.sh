#!/bin/bash
# Issue 3's benchmark: `berth network create` + `berth network rm` of a
# bridge network against the same kernel work done by hand with ip(8):
# link add type bridge, addr add, link set up, link del. Median of N runs,
# in a throwaway namespace. Prints one line per contender (ms).
set -euo pipefail

BERTH=${1:?usage: network_create.sh PATH/TO/berth [RUNS]}
RUNS=${2:-20}

if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
	exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --propagation private --fork -- "$0" "$@"
fi
BERTH_ROOT=$(mktemp -d) BERTH_RUNDIR=$(mktemp -d)
export BERTH_ROOT BERTH_RUNDIR
trap 'umount -R "$BERTH_RUNDIR/netns" "$BERTH_RUNDIR/mnt" 2>/dev/null || true; rm -rf "$BERTH_ROOT" "$BERTH_RUNDIR"' EXIT

now_ns() { date +%s%N; }

berth_once() {
	"$BERTH" network create --subnet 10.99.0.0/24 bench >/dev/null
	"$BERTH" network rm bench >/dev/null
}

ip_once() {
	ip link add br-bench type bridge
	ip addr add 10.99.0.1/24 dev br-bench
	ip link set br-bench up
	ip link del br-bench
}

# The kernel's own cost of deleting a bridge (35-50 ms here) drifts over
# time, so the contenders run interleaved, one round each per sample.
summary() { # name, samples in us on stdin
	sort -n | awk -v name="$1" '
		{ v[NR] = $1 }
		END {
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%-30s median %7.2f ms  min %7.2f ms  max %7.2f ms  (n=%d)\n", name, med / 1000, v[1] / 1000, v[NR] / 1000, NR
		}'
}

time_us() {
	local t0 t1
	t0=$(now_ns)
	"$@"
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000))
}

# berth hands the kernel's unregister to a background process; let it
# finish (untimed) so that it does not slow down the next contender.
settle() {
	local deadline=$((SECONDS + 5))
	while pgrep -f "$BERTH network rm" >/dev/null && [ $SECONDS -lt $deadline ]; do :; done
}

berth_once # warm-up: the first use creates the store and the predefined networks
berth_until_freed() { berth_once; settle; }

b=() i=() f=()
for _ in $(seq "$RUNS"); do
	b+=("$(time_us berth_once)")
	settle
	i+=("$(time_us ip_once)")
	f+=("$(time_us berth_until_freed)")
done
printf '%s\n' "${b[@]}" | summary "berth create+rm"
printf '%s\n' "${i[@]}" | summary "ip add/addr/up/del (4 procs)"
printf '%s\n' "${f[@]}" | summary "berth, until the kernel freed"
