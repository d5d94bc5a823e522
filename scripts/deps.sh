#!/bin/sh
# scripts/deps.sh [--list]: installs, as root, every Debian 12 package that
# `make`, `make check`, `make asan check`, `make fuzz`, `make demo` and
# `make bench` use.
# Idempotent and quiet when everything is already there.  --list prints the
# packages, one per line, and changes nothing.
#
# Nothing else installs anything: tests/integration/001-deps.bats checks that
# every command the tests, the demo and the benchmarks run comes from one of
# these packages (or from one they depend on).
set -eu

# The list, with what each line is for ("#" starts a comment).
PACKAGES=$(sed 's/#.*//' <<'EOF'
gcc make pkg-config            # build; gcc brings ar, nm, readelf, libasan and libubsan (make asan)
clang libclang-rt-14-dev       # fuzz targets (make check, make fuzz): the second holds clang's libFuzzer, ASan and UBSan runtimes
g++                            # berth.h in a C++ program (050)
libmnl-dev libnftables-dev libjansson-dev libsqlite3-dev libcap-dev
libc-ares-dev                  # the DNS resolver: forwarding (messages: glibc's libresolv)
libmicrohttpd-dev              # berth-plugin: HTTP on the Docker plugin's unix socket
libcurl4-openssl-dev           # berth-plugin: asks dockerd's API which networks it dropped
libldns-dev                    # DNS tests: a second reader of the resolver's replies
libcmocka-dev                  # unit tests
bats perl                      # integration tests, run by prove (perl's)
python3                        # JSON in tests, demo and bench; servers in containers
iproute2                       # ip, ss, bridge
nftables                       # nft
iputils-ping                   # ping
procps                         # sysctl
sqlite3                        # tests edit the store
util-linux mount               # unshare, nsenter, setpriv; mount, umount
busybox-static                 # scripts/mkrootfs: a static /bin/busybox
bc iperf3                      # bench
bind9-dnsutils dnsmasq-base    # DNS tests: dig; a fake upstream server
dnsperf                        # DNS tests and bench: queries at a set rate, lost ones counted
aardvark-dns                   # bench: Podman's resolver, side by side
netavark iptables              # bench: Podman's network stack, side by side
containernetworking-plugins    # bench: the CNI reference plugins, side by side
scdoc                          # man pages (make: docs/man/*.scd)
podman runc                    # CNI tests (101): Podman 4.3, CNI backend, drives berth's plugin; runc is its runtime (not crun)
containerd                     # CNI tests (102): `ctr run --cni` (containerd 1.6) drives berth's plugin
docker.io tar                  # Docker plugin tests (111): dockerd 20.10 drives berth-plugin (never started on the host: see below)
man-db bash-completion         # man -l and the completion in tests (018)
# on every Debian system already (Essential or required); listed so that
# this list is the whole truth
bash dash coreutils diffutils findutils grep sed mawk hostname libc-bin dpkg
EOF
)

case ${1:-} in
--list)
	# shellcheck disable=SC2086
	printf '%s\n' $PACKAGES
	exit 0
	;;
"") ;;
*)
	echo "usage: $0 [--list]" >&2
	exit 2
	;;
esac

# One dpkg-query for all: the installed ones (status "?i ", held or not).
# shellcheck disable=SC2016,SC2086
installed=" $(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' $PACKAGES 2>/dev/null |
	sed -n 's/^.i //p' | tr '\n' ' ') "
missing=""
for p in $PACKAGES; do
	case $installed in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "berth: missing packages:$missing (run scripts/deps.sh as root)" >&2
	exit 1
fi
echo "berth: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# Packages with a daemon (docker.io, containerd) would start it on the
# host, with its bridge and its firewall rules; the tests start their own
# in namespaces. A policy-rc.d that denies every start, for the install only,
# unless the system has one of its own.
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	own_policy=1
fi
rc=0
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null || rc=$?
[ -z "$own_policy" ] || rm -f "$policy"
exit "$rc"
