# Test bed of the resolver's suite (090-dns.bats, issue 14).  In a .bats file:
#
#     load helpers
#     load fw_helpers
#     load dns_helpers
#     setup_file() { dns_setup_file; }
#     setup() { dns_setup; }
#     teardown() { dns_teardown; }
#
# The host is tap-exec's namespace, with fw_helpers' outside machine on its
# uplink (host 10.250.0.1 <-> outside 10.250.0.2).  The host's
# /etc/resolv.conf is a file of the test's own, bind-mounted over the real
# one in the file's private mount namespace before the first container
# starts; it names the outside's DNS server (dnsmasq, the "upstream") and
# the search domains corp.test and lab.test.  host_resolv writes another
# text into it (in place: the same file), dns_teardown the usual one back.
#
# DNS servers in the outside machine (dnsmasq with a query log in
# $BATS_TEST_TMPDIR/NAME.log, but the silent one):
#   10.250.0.2  upstream:  example.test A 192.0.2.7, big.example.test TXT
#               (an answer of 1,673 bytes: truncated over UDP), NXDOMAIN for
#               every other name (as a real server for "db." would say);
#               started for every test by dns_setup
#   10.250.0.3  upstream2: example.test A 192.0.2.8 (a container's --dns)
#   10.250.0.4  silent:    UDP and TCP sockets that never answer
# and a test may run one in the host itself (dnsmasq_run NAME host ADDR).
#
# Queries are asked with dig inside containers (berth exec), one try each
# (+tries=1), so a lost query is a failed check, not a retry.

# bats and helpers set status, output, stderr, lines, cid
# shellcheck disable=SC2154,SC2034

UP_IP=$OUT_IP     # 10.250.0.2
UP2_IP=10.250.0.3 # the second upstream
SILENT_IP=10.250.0.4
HOST_SEARCH="corp.test lab.test"
HOST_RESOLV_TEXT="search $HOST_SEARCH
nameserver $UP_IP
"

# The TXT record of big.example.test: 8 strings of 201 characters.
big_txt_strings() {
    local i x
    x=$(printf 'x%.0s' $(seq 200))
    for i in 1 2 3 4 5 6 7 8; do echo "$i$x"; done
}

# ---- the host's resolv.conf -------------------------------------------------

# the file bind-mounted over /etc/resolv.conf
host_resolv_file() { echo "$BATS_FILE_TMPDIR/resolv.conf"; }

dns_setup_file() {
    printf '%s' "$HOST_RESOLV_TEXT" >"$(host_resolv_file)"
    mount --bind "$(host_resolv_file)" /etc/resolv.conf
}

# host_resolv TEXT: the host's /etc/resolv.conf is now TEXT (the same file,
# rewritten).
host_resolv() { printf '%s' "$1" >"$(host_resolv_file)"; }

# ---- servers ----------------------------------------------------------------

# in_ns NS CMD...: CMD in the network namespace NS (nsenter: the mount
# namespace stays the test's).
in_ns() {
    local ns=$1
    shift
    nsenter --net="/run/netns/$ns" -- "$@"
}

# dns_bg NAME PROGRAM ARGS...: PROGRAM (not a function: $! is its pid) in
# the background, its pid in $BATS_TEST_TMPDIR/NAME.pid
# (fw_teardown kills it), its output in NAME.out.
dns_bg() {
    local name=$1
    shift
    "$@" >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- &
    echo $! >"$BATS_TEST_TMPDIR/$name.pid"
    echo $! >>"$BATS_TEST_TMPDIR/fw-bg.pids"
}

# udp53_bound ADDR [CMD-PREFIX...]: a UDP socket is bound to ADDR:53 (in the
# namespace CMD-PREFIX runs ss in).
udp53_bound() {
    local addr=$1
    shift
    [ -n "$("$@" ss -Hlnu "src $addr and sport = :53" 2>/dev/null)" ]
}

# ns_prefix NS: the words that run a command in NS (nothing for "host"),
# one per line
ns_prefix() { [ "$1" = host ] || printf '%s\n' nsenter "--net=/run/netns/$1" --; }

# dnsmasq_run NAME NS ADDR ARGS...: dnsmasq answering on ADDR:53 (UDP and TCP)
# in NS (or the host: "host"), its queries logged to $BATS_TEST_TMPDIR/NAME.log;
# returns once it listens.
dnsmasq_run() {
    local name=$1 ns=$2 addr=$3 prefix
    shift 3
    mapfile -t prefix < <(ns_prefix "$ns")
    dns_bg "$name" "${prefix[@]}" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
        --bind-interfaces --listen-address="$addr" --port=53 --pid-file= --user=root \
        --log-queries --log-facility="$BATS_TEST_TMPDIR/$name.log" "$@"
    wait_until 10 udp53_bound "$addr" "${prefix[@]}" ||
        fail "dnsmasq $name did not start: $(cat "$BATS_TEST_TMPDIR/$name.out" "$BATS_TEST_TMPDIR/$name.log" 2>&1)"
}

# upstream_start: the upstream at 10.250.0.2.
upstream_start() {
    local txt
    txt=$(big_txt_strings | paste -sd,)
    dnsmasq_run upstream "$OUT_NS" "$UP_IP" --address=/#/ --address=/example.test/192.0.2.7 \
        --txt-record="big.example.test,$txt"
}

# upstream_stop: kill the upstream and wait for it to be gone.
upstream_stop() {
    local pid
    pid=$(cat "$BATS_TEST_TMPDIR/upstream.pid")
    kill "$pid"
    wait_until 10 pid_dead "$pid"
}

upstream2_start() {
    ip -n "$OUT_NS" addr add "$UP2_IP/24" dev eth0
    dnsmasq_run upstream2 "$OUT_NS" "$UP2_IP" --address=/#/ --address=/example.test/192.0.2.8
}

# silent_start: a UDP and TCP server on 10.250.0.4:53 that reads nothing
# and never answers.
silent_start() {
    ip -n "$OUT_NS" addr add "$SILENT_IP/24" dev eth0
    dns_bg silent nsenter --net="/run/netns/$OUT_NS" -- python3 -c '
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((sys.argv[1], 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.bind((sys.argv[1], 53))
t.listen(16)
time.sleep(3600)
' "$SILENT_IP"
    wait_until 10 udp53_bound "$SILENT_IP" in_ns "$OUT_NS" ||
        fail "the silent server did not start: $(cat "$BATS_TEST_TMPDIR/silent.out")"
}

# upstream_asked NAME [LOG]: the upstream's log has a query for NAME.
upstream_asked() { grep -q "query\[[A-Z]*\] $1 from" "$BATS_TEST_TMPDIR/${2:-upstream}.log"; }

# ---- the suite's setup and teardown ------------------------------------------

dns_setup() {
    fw_setup
    upstream_start
}

dns_teardown() {
    fw_teardown
    host_resolv "$HOST_RESOLV_TEXT"
    ip addr del 127.0.0.53/32 dev lo 2>/dev/null || true
    resolver_log_clean
}

# resolver_log_clean: the resolver's log (its stderr) has no sanitizer
# report (make asan check: a resolver that exits with the last container
# reports its leaks there, where no command would show them).
resolver_log_clean() {
    local log=$BERTH_RUNDIR/dns.log
    [ -e "$log" ] || return 0
    ! grep -q -e 'Sanitizer' -e 'runtime error' "$log" || fail "the resolver's log:" "$(head -40 "$log")"
}

# ---- asking -----------------------------------------------------------------

# qdig CTR ARGS...: dig ARGS in the container CTR (its resolv.conf: berth's
# resolver), one try of at most 3 s.
qdig() {
    local c=$1
    shift
    berth exec "$c" dig +tries=1 +time=3 "$@"
}

# answers CTR [TYPE] NAME: the records of the answer, sorted, one per line
# (dig +short).
answers() {
    local c=$1
    shift
    qdig "$c" +short "$@" | sort
}

# head_of CTR [TYPE] NAME: "STATUS ANSWER-COUNT" of the reply, or "no reply".
head_of() {
    local out
    out=$(qdig "$@" 2>&1)
    if [[ $out =~ status:\ ([A-Z]+),.*ANSWER:\ ([0-9]+), ]]; then
        echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
    else
        echo "no reply"
    fi
}

# assert_answers CTR TYPE NAME EXPECTED: CTR's answer to TYPE NAME is
# EXPECTED (records sorted, one per line).
assert_answers() {
    assert_eq "$(answers "$1" "$2" "$3")" "$4" "$2 $3 asked in $1"
}

# assert_head CTR TYPE NAME EXPECTED: "STATUS ANSWER-COUNT" of CTR's answer.
assert_head() {
    assert_eq "$(head_of "$1" "$2" "$3")" "$4" "status and answer count of $2 $3 asked in $1"
}

# resolv_lines CTR: the container's /etc/resolv.conf without comments and
# blank lines.
resolv_lines() { berth exec "$1" cat /etc/resolv.conf | grep -v -e '^#' -e '^[[:space:]]*$'; }

# no_dns_reply ARGS...: dig ARGS (run as given, e.g. under nsenter) gets no
# DNS reply at all (a timeout or a refused port): prints dig's output.
no_dns_reply() {
    local out
    out=$("$@" 2>&1) || true
    [[ $out != *"->>HEADER<<-"* ]] || fail "a DNS reply to: $*" "$out"
}

# millis: a monotonic-enough clock in milliseconds
millis() { echo $(($(date +%s%N) / 1000000)); }

# resolver_pid: the pid in $BERTH_RUNDIR/dns.pid
resolver_pid() { cat "$BERTH_RUNDIR/dns.pid" 2>/dev/null; }

# resolver_runs: the resolver of dns.pid is alive.
resolver_runs() {
    local p
    p=$(resolver_pid) || return 1
    [ -n "$p" ] && ! pid_dead "$p"
}
