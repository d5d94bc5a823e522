#!/usr/bin/env bats
#
# berth's resolver (issue 14): on a network of the user's a container finds
# the others by name, alias, short ID and NAME.NETWORK (A, AAAA, PTR, TTL 0,
# round robin), among the networks it shares with them only; every other
# name is forwarded from the host's namespace to the host's servers (or the
# container's --dns), over UDP and TCP, SERVFAIL when none answers, REFUSED
# for containers only on --internal networks.  It answers on 127.0.0.11
# inside each container and nowhere on the host; one process per host,
# started again by the next command when it died, gone with the last
# container that needs it; names there when run returns, gone when rm
# returns, and no query lost while containers come and go.
#
# Test bed (dns_helpers.bash): the host's resolv.conf names dnsmasq in the
# outside machine (10.250.0.2); subnets 10.90.0.0/16, fd00:90::/32.

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers
load fw_helpers
load dns_helpers

setup_file() {
    dns_setup_file
}

setup() {
    dns_setup
}

teardown() {
    dns_teardown
}

@test "names, aliases, the short ID and NAME.NETWORK answer the address on the shared network: A, TTL 0, authoritative" {
    create_net --subnet 10.90.1.0/24 app
    create_net --subnet 10.90.2.0/24 other
    run_d --name db --network app --network-alias database --network-alias pg -- sleep 3600
    local db_id=$cid
    run_d --name web --network app -- sleep 3600
    run_d --name kv --network other -- sleep 3600
    berth_ok network connect --alias cache app kv
    local ip_db ip_kv n
    ip_db=$(ctr_ip db app)
    ip_kv=$(ctr_ip kv app)
    for n in db database pg db.app "${db_id:0:12}"; do
        assert_answers web A "$n" "$ip_db" || return 1
    done
    # kv answers with its address on app, the network web shares with it
    for n in kv cache kv.app; do
        assert_answers web A "$n" "$ip_kv" || return 1
    done
    assert_answers web A web "$(ctr_ip web app)"
    assert_answers db A web "$(ctr_ip web app)"

    run qdig web +noall +answer database
    assert_eq "$(awk '{ print $1, $2, $3, $4, $5 }' <<<"$output")" "database. 0 IN A $ip_db" "the answer for database"
    run qdig web +noall +comments db
    assert_match "$output" 'status: NOERROR,' "the reply for db"
    assert_match "$output" 'flags: qr aa[ ;]' "the flags of the reply for db (authoritative)"
}

@test "resolv.conf: 127.0.0.11 with the host's search domains and ndots:0 on a user network; the host's servers or --dns on bridge" {
    create_net --subnet 10.90.22.0/24 rc
    run_d --name rc1 --network rc -- sleep 3600
    assert_eq "$(resolv_lines rc1)" "nameserver 127.0.0.11
search corp.test lab.test
options ndots:0" "rc1's resolv.conf"

    run_d --name rc2 --network rc --dns "$UP2_IP" --dns-search svc.test --dns-option attempts:2 -- sleep 3600
    local lines
    lines=$(resolv_lines rc2)
    assert_eq "$(grep '^nameserver' <<<"$lines")" "nameserver 127.0.0.11" "rc2's nameservers (--dns is where the resolver forwards)"
    assert_eq "$(grep '^search' <<<"$lines")" "search svc.test" "rc2's search line (--dns-search instead of the host's)"
    assert_eq "$(grep '^options' <<<"$lines" | tr ' ' '\n' | sort | xargs)" "attempts:2 ndots:0 options" "rc2's options"

    # the predefined bridge: the host's file less loopback servers, or --dns
    run_d --name rb1 -- sleep 3600
    assert_eq "$(resolv_lines rb1 | sort)" "nameserver $UP_IP
search corp.test lab.test" "rb1's resolv.conf (bridge)"
    run_d --name rb2 --dns 192.0.2.1 --dns 192.0.2.2 -- sleep 3600
    lines=$(resolv_lines rb2)
    assert_eq "$(grep '^nameserver' <<<"$lines")" "nameserver 192.0.2.1
nameserver 192.0.2.2" "rb2's nameservers (bridge, --dns)"
    assert_eq "$(grep '^search' <<<"$lines")" "search corp.test lab.test" "rb2's search line"
}

@test "a container resolves when run -d and connect return, and is gone when rm -f and disconnect return" {
    create_net --subnet 10.90.23.0/24 live
    create_net --subnet 10.90.24.0/24 live2
    run_d --name asker --network live -- sleep 3600
    local got
    run_d --name n1 --network live -- sleep 3600
    got=$(answers asker A n1)
    assert_eq "$got" "$(ctr_ip n1 live)" "n1 asked right after run -d returned"
    berth_ok rm -f n1
    assert_head asker A n1 "NXDOMAIN 0"

    run_d --name n2 --network live2 -- sleep 3600
    berth_ok network connect --alias later live n2
    got=$(answers asker A later)
    assert_eq "$got" "$(ctr_ip n2 live)" "later asked right after connect returned"
    assert_answers asker A n2 "$got"
    berth_ok network disconnect live n2
    assert_head asker A later "NXDOMAIN 0"
    assert_head asker A n2 "NXDOMAIN 0"

    # a container of the bridge network connected to a user network asks
    # berth's resolver from then on
    run_d --name onbr -- sleep 3600
    berth_ok network connect live onbr
    assert_eq "$(resolv_lines onbr | grep '^nameserver')" "nameserver 127.0.0.11" "onbr's nameservers after connect"
    assert_answers onbr A asker "$(ctr_ip asker live)"
}

@test "AAAA on a dual-stack network, PTR of IPv6 addresses; a known name without AAAA on an IPv4 network: NOERROR, no answer" {
    create_net --ipv6 --subnet 10.90.3.0/24 --subnet fd00:90:3::/64 ds
    run_d --name six --network ds --network-alias six-alias -- sleep 3600
    run_d --name asker6 --network ds -- sleep 3600
    local v6 v4 n
    v6=$(ctr_net six ds GlobalIPv6Address)
    v4=$(ctr_ip six ds)
    assert_match "$v6" '^fd00:90:3::' "six's IPv6 address"
    for n in six six-alias six.ds; do
        assert_answers asker6 AAAA "$n" "$v6" || return 1
        assert_answers asker6 A "$n" "$v4" || return 1
    done
    assert_answers asker6 -x "$v6" "six.ds."

    create_net --subnet 10.90.4.0/24 plain
    run_d --name four --network plain -- sleep 3600
    run_d --name asker4 --network plain -- sleep 3600
    assert_head asker4 AAAA four "NOERROR 0"
    assert_head asker4 AAAA four.plain "NOERROR 0"
    assert_head asker4 A four "NOERROR 1"
}

@test "round robin: three containers with one alias, all three addresses, the order turning from one query to the next" {
    create_net --subnet 10.90.5.0/24 rr
    local n want got firsts=() prev=""
    for n in r1 r2 r3; do
        run_d --name "$n" --network rr --network-alias pool -- sleep 3600
    done
    run_d --name rc --network rr -- sleep 3600
    want=$(for n in r1 r2 r3; do ctr_ip "$n" rr; done | sort)
    for n in 1 2 3 4 5 6; do
        got=$(qdig rc +short pool)
        assert_eq "$(sort <<<"$got")" "$want" "the addresses of pool, query $n" || return 1
        [ "$got" != "$prev" ] || fail "query $n answered in the same order as the one before:" "$got" || return 1
        prev=$got
        firsts+=("$(head -1 <<<"$got")")
    done
    assert_eq "$(printf '%s\n' "${firsts[@]}" | sort -u)" "$want" "the first addresses of 6 answers"
    # each name of its own still answers one address
    assert_answers rc A r2 "$(ctr_ip r2 rr)"
}

@test "PTR: a container's addresses answer NAME.NETWORK., on each of its networks" {
    create_net --subnet 10.90.6.0/24 ptrnet
    create_net --subnet 10.90.16.0/24 ptrnet2
    run_d --name pt --network ptrnet --network-alias ptr-alias -- sleep 3600
    run_d --name pc --network ptrnet -- sleep 3600
    berth_ok network connect ptrnet2 pc
    assert_answers pc -x "$(ctr_ip pt ptrnet)" "pt.ptrnet."
    assert_answers pt -x "$(ctr_ip pc ptrnet)" "pc.ptrnet."
    assert_answers pc -x "$(ctr_ip pc ptrnet2)" "pc.ptrnet2."
    run qdig pc +noall +answer -x "$(ctr_ip pt ptrnet)"
    assert_match "$output" $'^[0-9.]+in-addr\\.arpa\\.[ \t]+0[ \t]+IN[ \t]+PTR[ \t]+pt\\.ptrnet\\.$' "the PTR record (TTL 0)"
}

@test "isolation: another network's names are NXDOMAIN and not forwarded; a container on two networks sees both" {
    create_net --subnet 10.90.7.0/24 isoA
    create_net --subnet 10.90.8.0/24 isoB
    run_d --name a1 --network isoA -- sleep 3600
    local a1_id=$cid
    run_d --name b1 --network isoB -- sleep 3600
    run_d --name both --network isoA -- sleep 3600
    berth_ok network connect isoB both
    local n
    for n in a1 a1.isoA "${a1_id:0:12}"; do
        assert_head b1 A "$n" "NXDOMAIN 0" || return 1
    done
    assert_head a1 A b1 "NXDOMAIN 0"
    # a name the resolver does not know goes upstream, and is logged there:
    # the names above, asked before it, would have been
    assert_head b1 A nosuch.example.org "NXDOMAIN 0"
    wait_until 5 upstream_asked nosuch.example.org || fail "upstream log: $(cat "$BATS_TEST_TMPDIR/upstream.log")"
    # nor is the address of a container on another network, asked backwards
    local a1_ip a1_rev
    a1_ip=$(ctr_ip a1 isoA)
    a1_rev=$(awk -F. '{ print $4 "." $3 "." $2 "." $1 ".in-addr.arpa" }' <<<"$a1_ip")
    assert_head b1 -x "$a1_ip" "NXDOMAIN 0"
    for n in a1 a1.isoA "${a1_id:0:12}" "$a1_rev"; do
        ! upstream_asked "$n" || fail "$n was forwarded upstream" "$(grep -F "$n" "$BATS_TEST_TMPDIR/upstream.log")" || return 1
    done
    # both sees both networks; each asker sees both's address on its own network
    assert_answers both A a1 "$(ctr_ip a1 isoA)"
    assert_answers both A b1 "$(ctr_ip b1 isoB)"
    assert_answers a1 A both "$(ctr_ip both isoA)"
    assert_answers b1 A both "$(ctr_ip both isoB)"
    assert_answers b1 A both.isoB "$(ctr_ip both isoB)"
    assert_head b1 A both.isoA "NXDOMAIN 0"
}

@test "a macvlan network's containers find each other as well (the resolver is in their namespace)" {
    create_net -d macvlan --subnet 10.90.17.0/24 mvdns
    run_d --name mv1 --network mvdns --network-alias mv-alias -- sleep 3600
    run_d --name mv2 --network mvdns -- sleep 3600
    assert_answers mv2 A mv1 "$(ctr_ip mv1 mvdns)"
    assert_answers mv1 A mv-alias "$(ctr_ip mv1 mvdns)"
    assert_answers mv1 -x "$(ctr_ip mv2 mvdns)" "mv2.mvdns."
    assert_answers mv1 A example.test 192.0.2.7
}

@test "nothing answers DNS but 127.0.0.11 inside containers: not the host's addresses, not another container's" {
    create_net --subnet 10.90.9.0/24 hs
    create_net --subnet 10.90.10.0/24 hs2
    run_d --name h1 --network hs -- sleep 3600
    run_d --name h2 --network hs -- sleep 3600
    berth_ok network connect hs2 h2
    run_d --name h3 --network hs2 -- sleep 3600
    local gw=10.90.9.1 a
    # the resolver works, forwarding too, so what follows means something
    assert_answers h3 A h2 "$(ctr_ip h2 hs2)"
    assert_answers h2 A h1 "$(ctr_ip h1 hs)"
    assert_answers h1 A example.test 192.0.2.7

    # no socket of the host's namespace listens on port 53, nor any of the resolver's
    assert_eq "$(ss -Hln -t -u "sport = :53")" "" "TCP and UDP sockets on port 53 in the host's namespace"
    refute_contains "$(ss -Hlnp -t -u)" berth-dns "TCP and UDP sockets of the host's namespace"

    # from the outside: the uplink address and the gateway (routed to the host)
    outside_route 10.90.9.0/24
    probe_add uplink udp dport 53
    for a in "$HOST_IP" "$gw"; do
        no_dns_reply in_ns "$OUT_NS" dig +tries=1 +time=1 "@$a" h1 || return 1
        no_dns_reply in_ns "$OUT_NS" dig +tries=1 +time=1 +tcp "@$a" h1 || return 1
        no_dns_reply in_ns "$OUT_NS" dig +tries=1 +time=1 "@$a" example.test || return 1
    done
    [ "$(probe_count uplink)" -ge 4 ] ||
        fail "the outside's queries did not reach the host's uplink ($(probe_count uplink) seen): the checks above prove nothing"
    # from the host itself
    for a in "$HOST_IP" "$gw" 127.0.0.11; do
        no_dns_reply dig +tries=1 +time=1 "@$a" h1 || return 1
        no_dns_reply dig +tries=1 +time=1 +tcp "@$a" h1 || return 1
    done
    # a container asking another container's address: h3 (on hs2 only)
    # asks h2, on hs and hs2, about h1 of hs; h1 asks h2 on hs
    no_dns_reply berth exec h3 dig +tries=1 +time=1 "@$(ctr_ip h2 hs2)" h1
    no_dns_reply berth exec h3 dig +tries=1 +time=1 +tcp "@$(ctr_ip h2 hs2)" h1
    no_dns_reply berth exec h1 dig +tries=1 +time=1 "@$(ctr_ip h2 hs)" h2
    no_dns_reply berth exec h3 dig +tries=1 +time=1 "@$gw" h1
    # and h3 still knows nothing of h1
    assert_head h3 A h1 "NXDOMAIN 0"
}

@test "other names go to the host's server, from the host's namespace; --dns sends one container's elsewhere" {
    create_net --subnet 10.90.11.0/24 fwd
    run_d --name f1 --network fwd -- sleep 3600
    assert_answers f1 A example.test 192.0.2.7
    assert_answers f1 A www.example.test 192.0.2.7
    wait_until 5 upstream_asked example.test || fail "upstream log: $(cat "$BATS_TEST_TMPDIR/upstream.log")"
    assert_match "$(grep -F 'query[A] example.test from' "$BATS_TEST_TMPDIR/upstream.log")" \
        "from $HOST_IP\$" "who asked the upstream (the host's uplink address)"

    upstream2_start
    run_d --name f2 --network fwd --dns "$UP2_IP" -- sleep 3600
    assert_answers f2 A example.test 192.0.2.8
    wait_until 5 upstream_asked example.test upstream2 || fail "upstream2 log: $(cat "$BATS_TEST_TMPDIR/upstream2.log")"
    # names of containers still answered for f2; f1 still asks the host's server
    assert_answers f2 A f1 "$(ctr_ip f1 fwd)"
    assert_answers f1 A example.test 192.0.2.7
    ! upstream_asked f1 upstream2 || fail "f1 was forwarded to f2's --dns"
}

@test "a large answer: TC over UDP passed through, the retry over TCP forwarded over TCP, the whole answer" {
    create_net --subnet 10.90.12.0/24 tcpnet
    run_d --name t1 --network tcpnet -- sleep 3600
    local want
    want=$(big_txt_strings | sed 's/.*/"&"/' | paste -sd' ')
    # dig's default: UDP with EDNS (1232 bytes), truncated, then TCP
    run qdig t1 TXT big.example.test
    assert_contains "$output" ";; Truncated, retrying in TCP mode." "dig TXT big.example.test"
    assert_match "$output" 'status: NOERROR,.*'$'\n'';; flags: qr aa rd ra; QUERY: 1, ANSWER: 1,' "the reply over TCP"
    assert_eq "$(answers t1 TXT big.example.test)" "$want" "the TXT record (dig +short)"
    # over UDP alone, without EDNS: TC set, as the upstream sent it
    run qdig t1 +notcp +ignore +noedns TXT big.example.test
    assert_match "$output" 'flags: qr aa tc rd ra;' "the reply over UDP without EDNS"
    # TCP straight away
    assert_eq "$(qdig t1 +tcp +short TXT big.example.test)" "$want" "the TXT record over TCP"
}

@test "SERVFAIL within seconds when the upstream is dead or silent; containers' names still answer" {
    create_net --subnet 10.90.17.0/24 sf
    run_d --name s1 --network sf -- sleep 3600
    assert_answers s1 A example.test 192.0.2.7
    upstream_stop
    local t0 took
    t0=$(millis)
    run berth exec s1 dig +tries=1 +time=10 example.test
    took=$(($(millis) - t0))
    assert_match "$output" 'status: SERVFAIL,' "the reply with the upstream dead"
    [ "$took" -lt 4000 ] || fail "SERVFAIL took $took ms with the upstream dead"

    silent_start
    run_d --name s2 --network sf --dns "$SILENT_IP" -- sleep 3600
    t0=$(millis)
    run berth exec s2 dig +tries=1 +time=10 example.test
    took=$(($(millis) - t0))
    assert_match "$output" 'status: SERVFAIL,' "the reply with a silent --dns server"
    [ "$took" -lt 4000 ] || fail "SERVFAIL took $took ms with a silent server"
    assert_answers s2 A s1 "$(ctr_ip s1 sf)"
    assert_answers s1 A s2 "$(ctr_ip s2 sf)"
}

@test "a container only on --internal networks: its names answered, others REFUSED and never sent upstream" {
    create_net --internal --subnet 10.90.13.0/24 intnet
    create_net --subnet 10.90.14.0/24 open
    run_d --name i1 --network intnet -- sleep 3600
    run_d --name i2 --network intnet -- sleep 3600
    assert_answers i1 A i2 "$(ctr_ip i2 intnet)"
    assert_head i1 A internal-probe.example.test "REFUSED 0"
    assert_head i1 TXT big.example.test "REFUSED 0"
    run_d --name o1 --network open -- sleep 3600
    assert_answers o1 A control.example.test 192.0.2.7
    wait_until 5 upstream_asked control.example.test || fail "upstream log: $(cat "$BATS_TEST_TMPDIR/upstream.log")"
    ! upstream_asked internal-probe.example.test || fail "a query of a container on an internal network left the host"
    ! upstream_asked big.example.test || fail "a query of a container on an internal network left the host"
    # on a network with a way out too, it is forwarded
    berth_ok network connect open i2
    assert_answers i2 A example.test 192.0.2.7
}

@test "a host resolv.conf naming a stub on 127.0.0.53: forwarded names resolve through it" {
    ip addr add 127.0.0.53/32 dev lo
    dnsmasq_run stub host 127.0.0.53 --address=/#/ --address=/stub.test/192.0.2.53
    host_resolv "search corp.test
nameserver 127.0.0.53
"
    create_net --subnet 10.90.15.0/24 stubnet
    run_d --name u1 --network stubnet -- sleep 3600
    assert_answers u1 A stub.test 192.0.2.53
    assert_answers u1 A www.stub.test 192.0.2.53
    wait_until 5 upstream_asked stub.test stub || fail "stub log: $(cat "$BATS_TEST_TMPDIR/stub.log")"
    # a container of the bridge network gets no loopback server
    run_d --name ub -- sleep 3600
    refute_contains "$(resolv_lines ub)" "127.0.0.53" "ub's resolv.conf (bridge)"
}

@test "the resolver killed: system check reports it, the next command starts it again and says so, reconcile too; it exits with the last container" {
    create_net --subnet 10.90.18.0/24 lc
    run_d --name l1 --network lc -- sleep 3600
    run_d --name l2 --network lc -- sleep 3600
    run_d --name lbr -- sleep 3600
    local ip1 pid pid2 pid3
    ip1=$(ctr_ip l1 lc)
    assert_answers l2 A l1 "$ip1"
    resolver_runs || fail "no resolver runs (dns.pid: $(resolver_pid))"
    pid=$(resolver_pid)

    kill -9 "$pid"
    wait_until 10 pid_dead "$pid"
    run --separate-stderr berth system check
    assert_eq "$status" 1 "exit status of system check with the resolver dead (stderr: $stderr)"
    assert_contains "$output" "DNS resolver" "system check with the resolver dead"
    ! resolver_runs || fail "system check started the resolver"
    berth_ok ps
    assert_contains "$stderr" "DNS resolver" "stderr of the first ps after the kill"
    assert_contains "$stderr" "started it again" "stderr of the first ps after the kill"
    resolver_runs || fail "ps did not start the resolver again"
    pid2=$(resolver_pid)
    [ "$pid2" != "$pid" ] || fail "dns.pid still names the dead resolver"
    assert_answers l2 A l1 "$ip1"
    assert_answers l1 A example.test 192.0.2.7
    berth_ok ps
    assert_eq "$stderr" "" "stderr of the next ps"
    berth_ok system check
    refute_contains "$output" "DNS resolver" "system check with the resolver back"

    kill -9 "$pid2"
    wait_until 10 pid_dead "$pid2"
    berth_ok system reconcile
    assert_contains "$output$stderr" "DNS resolver" "system reconcile with the resolver dead"
    resolver_runs || fail "reconcile did not start the resolver"
    pid3=$(resolver_pid)
    assert_answers l2 A l1 "$ip1"

    # gone with the last container on a user network (lbr on bridge needs none)
    berth_ok rm -f l1
    resolver_runs || fail "the resolver left while l2 still needs it"
    assert_answers l2 A l2 "$(ctr_ip l2 lc)"
    berth_ok rm -f l2
    wait_until 10 pid_dead "$pid3"
    ctr_is_running lbr || fail "lbr is not running"
    # and no warning for a resolver that left of its own accord
    berth_ok ps
    assert_eq "$stderr" "" "stderr of ps after the resolver left"
    berth_ok system check
    refute_contains "$output" "DNS resolver" "system check after the resolver left"
    run_d --name l3 --network lc -- sleep 3600
    assert_eq "$stderr" "" "stderr of run -d starting the resolver"
    assert_answers l3 A l3 "$(ctr_ip l3 lc)"
}

@test "520 containers: the resolver holds more sockets than select() can watch, answers each of them, and starts again with them all" {
    # two sockets per container: past FD_SETSIZE (1024), where libnftables'
    # select() aborted the resolver (fixed: its sockets above 1024, the
    # redirects written by a child)
    local n=520 i pid out fds
    create_net --subnet 10.90.24.0/22 many
    for i in $(seq "$n"); do
        out=$(berth run -d --name "m$i" --network many -- sleep 3600 2>&1 >/dev/null) ||
            fail "run -d m$i: $out"
        [ -z "$out" ] || fail "run -d m$i said: $out"
    done
    pid=$(resolver_pid)
    fds=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
    [ "$fds" -gt 1040 ] || fail "the resolver holds $fds descriptors, fewer than two per container"
    assert_answers m1 A "m$n" "$(ctr_ip "m$n" many)"
    assert_answers "m$n" A m1 "$(ctr_ip m1 many)"
    assert_answers "m$n" A example.test 192.0.2.7

    kill -9 "$pid"
    wait_until 10 pid_dead "$pid"
    berth_ok ps -q
    assert_contains "$stderr" "started it again" "stderr of the first ps after the kill"
    assert_answers "m$n" A m2 "$(ctr_ip m2 many)"
    assert_answers m2 A "m$n" "$(ctr_ip "m$n" many)"
    run_d --name last --network many -- sleep 3600
    assert_eq "$stderr" "" "stderr of run -d with $n containers"
    assert_answers m1 A last "$(ctr_ip last many)"
    if grep -E "FD_SETSIZE|died" "$BERTH_RUNDIR/dns.log"; then
        fail "the resolver's log: $(tail -5 "$BERTH_RUNDIR/dns.log")"
    fi
}

@test "churn: 100 run -d / rm -f while a client asks 1,000 names a second: no query lost, every answer NOERROR, each new name there at once" {
    create_net --subnet 10.90.20.0/24 churn
    run_d --name stable --network churn -- sleep 3600
    local stable_id=$cid
    run_d --name client --network churn -- sleep 3600
    local q=$BATS_TEST_TMPDIR/queries stop=$BATS_TEST_TMPDIR/stop out=$BATS_TEST_TMPDIR/perf.out
    printf '%s A\n' stable stable.churn "${stable_id:0:12}" >"$q"
    # dnsperf runs of 3 s one after the other, until told to stop
    dns_bg perf berth exec client sh -c '
        while [ ! -e "$1" ]; do
            dnsperf -s 127.0.0.11 -d "$2" -Q 1000 -l 3 -t 2 || exit 1
        done' sh "$stop" "$q"
    wait_until 10 grep -q "Sending queries" "$out" || fail "dnsperf did not start: $(cat "$out")"

    # each new name asked once, right after run -d, in stable's network
    # namespace (its resolver, as berth exec dig would ask it, without
    # berth exec's cost)
    local i got t0 bad=() sb
    sb=$(sandbox_of stable)
    t0=$SECONDS
    for i in $(seq 100); do
        berth run -d --name "ch$i" --network churn -- sleep 3600 >/dev/null || fail "run -d ch$i failed" || return 1
        got=$(nsenter --net="$sb" dig @127.0.0.11 +tries=1 +time=3 +short "ch$i")
        [[ $got =~ ^10\.90\.20\.[0-9]+$ ]] || bad+=("ch$i: '$got'")
        berth rm -f "ch$i" >/dev/null || fail "rm -f ch$i failed" || return 1
    done
    local churn_s=$((SECONDS - t0))
    touch "$stop"
    local perf_pid
    perf_pid=$(cat "$BATS_TEST_TMPDIR/perf.pid")
    wait_until 15 pid_dead "$perf_pid" || fail "dnsperf did not stop: $(cat "$out")"
    [ ${#bad[@]} -eq 0 ] || fail "new containers that did not resolve right after run -d:" "${bad[@]}" || return 1

    local sent lost codes
    sent=$(awk '/Queries sent:/ { s += $3 } END { print s + 0 }' "$out")
    lost=$(awk '/Queries lost:/ { s += $3 } END { print s + 0 }' "$out")
    codes=$(sed -n 's/^ *Response codes: *//p' "$out")
    echo "# churn: ${churn_s}s, $sent queries" >&3
    assert_eq "$lost" 0 "queries lost (dnsperf output: $(cat "$out"))"
    [ -n "$codes" ] || fail "no dnsperf statistics: $(cat "$out")" || return 1
    local c
    while IFS= read -r c; do
        assert_match "$c" '^NOERROR [0-9]+ \(100\.00%\)$' "response codes of a dnsperf run" || return 1
    done <<<"$codes"
    # it kept asking all along (at least half of 1,000 a second)
    [ "$sent" -ge $((churn_s * 500)) ] || fail "only $sent queries in ${churn_s}s of churn: $(cat "$out")"
}

@test "bad --dns, --dns-search and --dns-option values: refused naming the value, nothing created" {
    create_net --subnet 10.90.21.0/24 badnet
    snapshot_save
    berth_fails 1 'invalid --dns "notanip": not an IP address' run --name badc --network badnet --dns notanip -- true
    berth_fails 1 'invalid --dns "notanip": not an IP address' run -d --name badc --dns 192.0.2.1 --dns notanip -- sleep 3600
    berth_fails 1 'invalid --dns-search "a b": not a domain name' run --name badc --network badnet --dns-search "a b" -- true
    berth_fails 1 'invalid --dns-option "a b": an option has no blanks' run --name badc --network badnet --dns-option "a b" -- true
    assert_unchanged
    assert_eq "$(ps_count -a)" 0 "containers"
    ctr_is_gone badc || fail "badc exists"
}
