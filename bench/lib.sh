# Shared by the bench scripts: timing and statistics in bash.

# bash's clock: no process of its own, so nothing but the command is timed
# (a `date` process costs 2-7 ms on a small VM, and so would be counted)
now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }

time_us() { # prints the wall time of "$@" in microseconds; its stdout is dropped
	local t0=$EPOCHREALTIME t1
	"$@" >/dev/null
	t1=$EPOCHREALTIME
	echo $((10#${t1/./} - 10#${t0/./}))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

summary() { # NAME UNIT DIVISOR: median, min, max of the samples on stdin, divided
	sort -n | awk -v name="$1" -v unit="$2" -v div="$3" '
		{ v[NR] = $1 }
		END {
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%-52s median %10.2f %s  min %10.2f  max %10.2f  (n=%d)\n", name, med / div, unit, v[1] / div, v[NR] / div, NR
		}'
}

# bench_isolate "$0" "$@": the first time, runs the script again in a
# network, mount and PID namespace of its own and does not return; inside,
# sets up fresh BERTH_ROOT, BERTH_RUNDIR and WORK directories and a tmpfs
# on /run/netns, all removed at exit (after BENCH_CLEANUP, a command a
# script may set for what it made itself).
bench_isolate() {
	if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
		exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --pid --mount-proc --propagation private --fork -- "$@"
	fi
	BERTH_ROOT=$(mktemp -d) BERTH_RUNDIR=$(mktemp -d) WORK=$(mktemp -d)
	export BERTH_ROOT BERTH_RUNDIR
	trap 'eval "${BENCH_CLEANUP:-}" || true; umount -Rl "$BERTH_RUNDIR" /run/netns 2>/dev/null || true; rm -rf "$BERTH_ROOT" "$BERTH_RUNDIR" "$WORK"' EXIT
	# the run directory on tmpfs, as /run is wherever berth runs for real
	# (on /tmp's disk file system, each run's files cost an inode search
	# that grows with the files made before)
	mount -t tmpfs -o mode=0700 bench-run "$BERTH_RUNDIR"
	mkdir -p /run/netns && mount -t tmpfs bench-netns /run/netns
	ip link set lo up
}

# bench_outside: inside bench_isolate, another machine: the namespace
# "outside" behind a veth, host uplink 10.250.0.1/24 and fd00:250::1/64,
# outside eth0 10.250.0.2/24 and fd00:250::2/64 (no DAD); removed at exit.
bench_outside() {
	BENCH_CLEANUP='ip netns del outside 2>/dev/null'
	ip netns add outside
	ip link add uplink type veth peer name eth0 netns outside
	ip addr add 10.250.0.1/24 dev uplink
	ip addr add fd00:250::1/64 dev uplink nodad
	ip link set uplink up
	ip -n outside addr add 10.250.0.2/24 dev eth0
	ip -n outside addr add fd00:250::2/64 dev eth0 nodad
	ip -n outside link set eth0 up
	ip -n outside link set lo up
}
