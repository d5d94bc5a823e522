#!/usr/bin/env bats
#
# berth as a CNI plugin (issue 15): a runtime executes the berth binary
# with no arguments, CNI_COMMAND and the rest in its environment and the
# network's configuration on stdin, and reads the result or the spec's
# error object on stdout.  Here the plugin is driven by hand, as the spec
# says a runtime drives it, on namespaces made with `ip netns add` (as
# Podman does) or held by a process (/proc/PID/ns/net, as containerd
# gives them); 101 and 102 drive it from Podman and containerd.

# bats and helpers set status, output, stderr
# shellcheck disable=SC2154

load helpers
load fw_helpers

setup() { fw_setup; }

teardown() {
    fw_teardown
    local ns
    for ns in $(ip netns list | awk '{ print $1 }'); do
        ip netns del "$ns" 2>/dev/null || true
    done
}

CONF='{"cniVersion": "1.0.0", "name": "bnet", "type": "berth"}'

# cni COMMAND [STDIN]: berth as a runtime runs its plugin (no arguments)
cni() {
    local cmd=$1 input=${2-$CONF}
    run --separate-stderr env CNI_COMMAND="$cmd" CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/none CNI_IFNAME=eth0 \
        CNI_PATH=/nonexistent bash -c 'printf "%s" "$1" | berth' _ "$input"
}

# conf VERSION [JSON-MEMBERS]: a configuration of network bnet on
# 10.77.1.0/24, with members added (',"runtimeConfig": {...}')
conf() {
    echo "{\"cniVersion\": \"$1\", \"name\": \"bnet\", \"type\": \"berth\", \"subnet\": \"10.77.1.0/24\"${2-}}"
}

# the members of a configuration that wants names (Podman's declares the
# aliases capability): berth's resolver serves the namespace
NAMES=', "capabilities": {"aliases": true}'

# plugin COMMAND ID NETNS IFNAME STDIN [CNI_ARGS]: the plugin as a runtime
# runs it; the result in $output, the exit status in $status
plugin() {
    run --separate-stderr env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS="$3" CNI_IFNAME="$4" \
        CNI_ARGS="${6-}" CNI_PATH=/nonexistent bash -c 'printf "%s" "$1" | berth' _ "$5"
}

# add ID NETNS [IFNAME [STDIN [CNI_ARGS]]]: an ADD that must succeed
add() {
    plugin ADD "$1" "$2" "${3:-eth0}" "${4:-$(conf 1.0.0)}" "${5-}"
    assert_eq "$status" 0 "ADD $1 $3 (stdout: $output, stderr: $stderr)"
}

# del ID IFNAME [NETNS [STDIN]]: a DEL that must succeed
del() {
    plugin DEL "$1" "${3-}" "$2" "${4:-$(conf 1.0.0)}"
    assert_eq "$status" 0 "DEL $1 $2 (stdout: $output, stderr: $stderr)"
    assert_eq "$output" "" "a DEL prints nothing"
}

# in_ns NS CMD...: run CMD in the network namespace NS of `ip netns add`
in_ns() { ip netns exec "$1" "${@:2}"; }

# v4_of NS [IFNAME]: the IPv4 address/length of IFNAME (eth0) in NS
v4_of() { ip -n "$1" -4 -o addr show dev "${2:-eth0}" 2>/dev/null | awk '{ print $4 }'; }

# attached NET: "name address" of each container berth's network NET lists
attached() { net_get "$1" '"\n".join(sorted(v["Name"] + " " + v["IPv4Address"] for v in d["Containers"].values()))'; }

# assert_cni_error CODE MSG: exit status 1, stdout the spec's error object
assert_cni_error() {
    assert_eq "$status" 1 "exit status (stdout: $output, stderr: $stderr)"
    assert_eq "$(jeval "$output" '[d["code"], d["msg"]]')" "[$1, \"$2\"]" "the error object"
    assert_eq "$stderr" "" "stderr"
}

@test "VERSION: every spec version berth speaks, whatever the configuration's" {
    cni VERSION '{"cniVersion": "0.3.1"}'
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_eq "$(jeval "$output" '[d["cniVersion"], d["supportedVersions"]]')" \
        '["1.1.0", ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]]' "the VERSION result"
    cni VERSION ''
    assert_eq "$status" 0 "VERSION without a configuration"
}

@test "the spec's error codes: an unknown command (4), no JSON (6), no cniVersion (7), a version berth does not speak (1)" {
    cni FOO
    assert_cni_error 4 'CNI_COMMAND \"FOO\": not one of ADD, DEL, CHECK, GC, STATUS, VERSION'
    cni ADD 'nope'
    assert_cni_error 6 "the network configuration on stdin is not JSON"
    cni DEL '[1]'
    assert_cni_error 7 "the network configuration is not a JSON object"
    cni ADD '{"name": "bnet"}'
    assert_cni_error 7 "the network configuration has no cniVersion"
    cni ADD '{"cniVersion": "9.9.9", "name": "bnet"}'
    assert_cni_error 1 'cniVersion \"9.9.9\" is not one berth speaks (0.3.0 to 1.1.0)'
    assert_eq "$(jeval "$output" 'd["cniVersion"]')" 1.1.0 "the version of an error about the version"
}

@test "make install links PREFIX/lib/cni/berth to the binary, and a runtime runs it by that path" {
    local dest=$BATS_TEST_TMPDIR/dest
    make_install "$dest"
    assert_eq "$(readlink "$dest/opt/berth/lib/cni/berth")" ../../bin/berth "lib/cni/berth ->"
    run --separate-stderr env CNI_COMMAND=VERSION "$dest/opt/berth/lib/cni/berth" <<<'{"cniVersion": "1.0.0"}'
    assert_eq "$status" 0 "VERSION through the link (stderr: $stderr)"
    assert_eq "$(jeval "$output" 'd["supportedVersions"][-1]')" 1.1.0 "its answer"
}

@test "with arguments berth is the CLI even when CNI_COMMAND is set" {
    run --separate-stderr env CNI_COMMAND=ADD berth --version
    assert_eq "$status" 0 "exit status"
    assert_contains "$output" "berth version" "stdout"
}

# ---- ADD, DEL, CHECK ---------------------------------------------------------

@test "ADD attaches a namespace the runtime made: address, route, lo up, the spec's result; the network is berth's, labelled" {
    ip netns add p1
    add 0123abcd /run/netns/p1 eth0 "$(conf 1.0.0)" "IgnoreUnknown=1;K8S_POD_NAME=web1"
    assert_eq "$(jeval "$output" '[d["cniVersion"], [i["name"] for i in d["interfaces"]][-1], d["interfaces"][-1]["sandbox"], d["ips"], d["routes"], d["dns"]]')" \
        '["1.0.0", "eth0", "/run/netns/p1", [{"address": "10.77.1.2/24", "gateway": "10.77.1.1", "interface": 2}], [{"dst": "0.0.0.0/0", "gw": "10.77.1.1"}], {}]' \
        "the result (no name server: the configuration asks for no names)"
    assert_eq "$(v4_of p1)" 10.77.1.2/24 "eth0 in the namespace"
    assert_contains "$(ip -n p1 route show default)" "via 10.77.1.1 dev eth0" "its default route"
    assert_contains "$(ip -n p1 -o link show lo)" "UP" "lo"
    assert_eq "$(net_get bnet '[d["Driver"], d["Labels"], d["IPAM"]["Config"][0]["Subnet"]]')" \
        '["bridge", {"berth.cni": "1"}, "10.77.1.0/24"]' "berth network inspect bnet"
    assert_eq "$(attached bnet)" "web1 10.77.1.2/24" "its Containers (named as the runtime calls it)"
    assert_eq "$(ctr_get web1 '[d["CNI"], d["State"]["Status"], d["Path"]]')" \
        '[{"ContainerID": "0123abcd", "NetNS": "/run/netns/p1"}, "running", ""]' "berth inspect web1"
    ping -c1 -W2 10.77.1.2 >/dev/null || fail "the host cannot reach the container"
    berth_ok system check
}

@test "results in each version: 0.3.0 to 0.4.0 name the address family, 1.0.0 and 1.1.0 do not" {
    local v n=0
    for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
        n=$((n + 1))
        ip netns add "v$n"
        add "ver$n" "/run/netns/v$n" eth0 "$(conf "$v")"
        assert_eq "$(jeval "$output" '[d["cniVersion"], d["ips"][0].get("version")]')" \
            "[\"$v\", $(case $v in 0.*) echo '"4"' ;; *) echo null ;; esac)]" "the $v result"
    done
}

@test "DEL releases the address at once; a second DEL, one without a namespace, one of an unknown container all succeed" {
    ip netns add p1
    ip netns add p2
    add c-one /run/netns/p1
    del c-one eth0 /run/netns/p1
    assert_eq "$(v4_of p1)" "" "eth0 in the namespace after DEL"
    assert_eq "$(attached bnet)" "" "berth network inspect bnet after DEL"
    add c-two /run/netns/p2
    assert_eq "$(v4_of p2)" 10.77.1.2/24 "the released address, given again"
    del c-one eth0 /run/netns/p1
    del c-two eth0 ""
    del never-added eth0 ""
    assert_eq "$(attached bnet)" "" "berth network inspect bnet"
    berth_ok ps -aq
    assert_eq "$output" "" "berth ps -aq"
    berth_ok system check
}

@test "CHECK passes on a whole attachment and says what is wrong once its address is gone" {
    ip netns add p1
    add chk /run/netns/p1
    plugin CHECK chk /run/netns/p1 eth0 "$(conf 1.0.0)"
    assert_eq "$status" 0 "CHECK (stdout: $output, stderr: $stderr)"
    ip -n p1 addr flush dev eth0
    plugin CHECK chk /run/netns/p1 eth0 "$(conf 1.0.0)"
    assert_cni_error 7 "checking: container chk: interface eth0 has lost its address 10.77.1.2"
    plugin CHECK nobody /run/netns/p1 eth0 "$(conf 1.0.0)"
    assert_cni_error 3 "checking: container nobody is not attached to any network of berth's"
}

@test "a second interface on another network (eth1), and a DEL of one leaves the other" {
    ip netns add p1
    add two /run/netns/p1
    add two /run/netns/p1 eth1 '{"cniVersion": "1.0.0", "name": "bnet2", "type": "berth", "subnet": "10.77.2.0/24"}'
    assert_eq "$(jeval "$output" '[d["ips"][0]["address"], d["routes"]]')" '["10.77.2.2/24", []]' \
        "the second network's result: no default route"
    assert_eq "$(v4_of p1 eth1)" 10.77.2.2/24 "eth1"
    plugin ADD two /run/netns/p1 eth2 "$(conf 1.0.0)"
    assert_cni_error 7 "attaching: container two is attached to network bnet already (as eth0)"
    plugin DEL two /run/netns/p1 eth0 '{"cniVersion": "1.0.0", "name": "bnet2", "type": "berth"}'
    assert_eq "$status" 0 "a DEL of eth0 for bnet2, where eth0 is not (stdout: $output)"
    assert_eq "$(v4_of p1)" 10.77.1.2/24 "eth0, on bnet, stays"
    del two eth1 /run/netns/p1 '{"cniVersion": "1.0.0", "name": "bnet2", "type": "berth"}'
    assert_eq "$(v4_of p1 eth1)" "" "eth1 after its DEL"
    assert_eq "$(v4_of p1)" 10.77.1.2/24 "eth0 stays"
    assert_eq "$(attached bnet2)" "" "bnet2"
}

@test "ports go with the first network: an ADD on a second one asking for them again adds none and is not refused" {
    local ports=', "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}'
    ip netns add p1
    ip netns add p2
    add first /run/netns/p1 eth0 "$(conf 1.0.0 "$ports")"
    add first /run/netns/p1 eth1 "{\"cniVersion\": \"1.0.0\", \"name\": \"inner\", \"type\": \"berth\", \"internal\": true, \"subnet\": \"10.77.3.0/24\"$ports}"
    assert_eq "$(fw_elems_matching ports4_any 8080)" "tcp . 8080 : 10.77.1.2 . 80" "the published port"
    del first eth1 /run/netns/p1 '{"cniVersion": "1.0.0", "name": "inner", "type": "berth"}'
    assert_eq "$(fw_elems_matching ports4_any 8080)" "tcp . 8080 : 10.77.1.2 . 80" "after the second network's DEL"
    del first eth0 /run/netns/p1
    assert_eq "$(fw_elems_matching ports4_any 8080)" "" "after the first network's DEL"
    add other /run/netns/p2 eth0 "$(conf 1.0.0 "$ports")"
    assert_eq "$(fw_elems_matching ports4_any 8080)" "tcp . 8080 : 10.77.1.2 . 80" "taken again by another container"
}

@test "concurrent first ADDs of a new network all succeed; a subnet written otherwise is the same subnet; an overlap is named" {
    local i
    for i in $(seq 1 8); do ip netns add "c$i"; done
    for i in $(seq 1 8); do
        plugin ADD "par$i" "/run/netns/c$i" eth0 "$(conf 1.0.0)" >"$BATS_TEST_TMPDIR/add$i" &
    done
    wait
    for i in $(seq 1 8); do
        assert_eq "$(v4_of "c$i" | cut -d. -f1-3)" 10.77.1 "c$i's address"
    done
    assert_eq "$(attached bnet | awk '{ print $2 }' | sort -u | wc -l)" 8 "eight distinct addresses"
    ip netns add v6
    add six /run/netns/v6 eth0 '{"cniVersion": "1.0.0", "name": "six", "type": "berth", "subnet": "FD00:0:0:7::/64"}'
    ip netns add v6b
    add six2 /run/netns/v6b eth0 '{"cniVersion": "1.0.0", "name": "six", "type": "berth", "subnet": "fd00::7:0:0:0:0/64"}'
    ip netns add ov
    plugin ADD ov /run/netns/ov eth0 '{"cniVersion": "1.0.0", "name": "over", "type": "berth", "subnet": "10.77.1.128/25"}'
    assert_cni_error 7 'network over: subnet 10.77.1.128/25 overlaps with network \"bnet\" (10.77.1.0/24)'
}

@test "GC and DEL look networks up by their exact name only, never by a prefix of another's ID" {
    local prefix
    ip netns add p1
    add victim /run/netns/p1
    prefix=$(net_id_of bnet)
    prefix=${prefix:0:4}
    plugin GC "" "" "" "{\"cniVersion\": \"1.1.0\", \"name\": \"$prefix\", \"type\": \"berth\", \"cni.dev/valid-attachments\": []}"
    assert_eq "$status" 0 "GC of a network berth does not have (stdout: $output)"
    plugin DEL victim "" eth0 "{\"cniVersion\": \"1.0.0\", \"name\": \"$prefix\", \"type\": \"berth\"}"
    assert_eq "$status" 0 "DEL on a network berth does not have (stdout: $output)"
    assert_eq "$(v4_of p1)" 10.77.1.2/24 "the container on bnet is untouched"
}

@test "ADD puts berth's DNS redirect in the runtime's namespace, written as nft writes it; DEL takes it out" {
    ip netns add p1
    add dnsed /run/netns/p1 eth0 "$(conf 1.0.0 "$NAMES")" "K8S_POD_NAME=dnsed"
    assert_eq "$(jeval "$output" 'd["dns"]')" '{"nameservers": ["127.0.0.11"]}' "the result's name server"
    wait_until 5 bash -c 'ip netns exec p1 nft list table ip berth_dns >/dev/null 2>&1' ||
        fail "no redirect to the resolver in the namespace"
    # the table is written over netlink: nft must read back the rules it
    # would have made of the text
    local table port
    table=$(ip netns exec p1 nft list table ip berth_dns)
    port=$(grep -o 'udp dport 53 dnat to 127.0.0.11:[0-9]*' <<<"$table" | cut -d: -f2)
    [ -n "$port" ] || fail "no redirect of udp port 53 in: $table"
    assert_eq "$(tr -s '\t ' ' ' <<<"$table")" "table ip berth_dns {
 chain output {
 type nat hook output priority -100; policy accept;
 ip daddr 127.0.0.11 udp dport 53 dnat to 127.0.0.11:$port
 ip daddr 127.0.0.11 tcp dport 53 dnat to 127.0.0.11:$port
 }
}" "nft list table ip berth_dns"
    # and the resolver answers through it
    assert_eq "$(ip netns exec p1 dig +short +tries=1 +time=2 @127.0.0.11 dnsed A)" "$(v4_of p1 | cut -d/ -f1)" \
        "dig dnsed in the namespace"
    del dnsed eth0 /run/netns/p1 "$(conf 1.0.0 "$NAMES")"
    # removed by a process of its own, moments after DEL returns
    wait_until 5 bash -c '! ip netns exec p1 nft list table ip berth_dns >/dev/null 2>&1' ||
        fail "the redirect stays after DEL"
}

@test "no names asked for (no aliases capability, as the kubelet's and containerd's): nothing of the resolver's in the namespace, its names still resolve for others; \"resolver\" decides" {
    ip netns add p1
    add k8spod /run/netns/p1 eth0 "$(conf 1.0.0 ', "capabilities": {"portMappings": true}')" "K8S_POD_NAME=k8spod"
    assert_eq "$(jeval "$output" 'd["dns"]')" '{}' "the result's dns"
    ! ip netns exec p1 nft list table ip berth_dns >/dev/null 2>&1 || fail "a redirect of berth's in the namespace"
    assert_eq "$(ip netns exec p1 ss -Hanu; ip netns exec p1 ss -Hltn)" "" "sockets in the namespace (the resolver's would be on 127.0.0.11)"
    # a container that does want names finds it
    ip netns add p2
    add named /run/netns/p2 eth0 "$(conf 1.0.0 "$NAMES")" "K8S_POD_NAME=named"
    assert_eq "$(ip netns exec p2 dig +short +tries=1 +time=2 @127.0.0.11 k8spod A)" "$(v4_of p1 | cut -d/ -f1)" \
        "k8spod's name, asked from named's namespace"
    ! ip netns exec p1 nft list table ip berth_dns >/dev/null 2>&1 || fail "a redirect in k8spod's namespace"
    # "resolver": true without the capability, false with it
    ip netns add p3
    add forced /run/netns/p3 eth0 "$(conf 1.0.0 ', "resolver": true')"
    assert_eq "$(jeval "$output" 'd["dns"]')" '{"nameservers": ["127.0.0.11"]}' "the result's dns with \"resolver\": true"
    wait_until 5 bash -c 'ip netns exec p3 nft list table ip berth_dns >/dev/null 2>&1' ||
        fail "no redirect with \"resolver\": true"
    ip netns add p4
    add refused /run/netns/p4 eth0 "$(conf 1.0.0 "$NAMES"', "resolver": false')"
    assert_eq "$(jeval "$output" 'd["dns"]')" '{}' "the result's dns with \"resolver\": false"
    ! ip netns exec p4 nft list table ip berth_dns >/dev/null 2>&1 || fail "a redirect with \"resolver\": false"
    # a second network's configuration does not turn it on: the result
    # says what the namespace has
    add k8spod /run/netns/p1 eth1 '{"cniVersion": "1.0.0", "name": "bnet2", "type": "berth", "subnet": "10.77.2.0/24", "resolver": true}'
    assert_eq "$(jeval "$output" 'd["dns"]')" '{}' "the second network's result"
    ! ip netns exec p1 nft list table ip berth_dns >/dev/null 2>&1 || fail "a redirect after the second network"
    # a DEL of one without the resolver leaves the others alone
    del k8spod eth0 /run/netns/p1
    assert_eq "$(ip netns exec p2 dig +short +tries=1 +time=2 @127.0.0.11 named A)" "$(v4_of p2 | cut -d/ -f1)" \
        "named's own name after k8spod's DEL"
    plugin ADD bad /run/netns/p1 eth0 "$(conf 1.0.0 ', "resolver": "yes"')"
    assert_cni_error 7 'invalid network configuration: \"resolver\" must be true or false'
}

@test "a CNI_COMMAND or message that is not UTF-8 still gets the spec's error object" {
    run --separate-stderr env CNI_COMMAND=$'AD\xff' berth </dev/null
    assert_eq "$status" 1 "exit status"
    assert_eq "$(jeval "$output" '[d["code"], d["msg"]]')" '[4, "CNI_COMMAND \"AD?\": not one of ADD, DEL, CHECK, GC, STATUS, VERSION"]' \
        "the error object"
}

@test "IPv6 and macvlan from the configuration: a dual-stack bridge network, a macvlan one" {
    ip netns add p6
    ip netns add pm
    add dual /run/netns/p6 eth0 '{"cniVersion": "0.4.0", "name": "dual", "type": "berth", "subnet": "10.77.6.0/24", "ipv6": {"subnet": "fd00:77:6::/64"}}'
    assert_eq "$(jeval "$output" '[[i["address"], i["version"], i["gateway"]] for i in d["ips"]] + [d["routes"]]')" \
        '[["10.77.6.2/24", "4", "10.77.6.1"], ["fd00:77:6::2/64", "6", "fd00:77:6::1"], [{"dst": "0.0.0.0/0", "gw": "10.77.6.1"}, {"dst": "::/0", "gw": "fd00:77:6::1"}]]' \
        "the 0.4.0 result of a dual-stack network"
    wait_until 5 bash -c '[ -n "$(ip -n p6 -6 -o addr show dev eth0 scope global -tentative)" ]'
    assert_contains "$(ip -n p6 -6 -o addr show dev eth0 scope global)" "fd00:77:6::2/64" "eth0's IPv6 address"
    ping -6 -c1 -W2 fd00:77:6::2 >/dev/null || fail "the host cannot reach the container over IPv6"
    add mv /run/netns/pm eth0 '{"cniVersion": "1.0.0", "name": "mvnet", "type": "berth", "driver": "macvlan", "subnet": "10.77.7.0/24"}'
    assert_eq "$(net_get mvnet '[d["Driver"], d["Labels"]]')" '["macvlan", {"berth.cni": "1"}]' "the macvlan network"
    assert_contains "$(ip -n pm -d -o link show eth0)" "macvlan" "eth0 in the namespace"
    assert_eq "$(v4_of pm)" 10.77.7.2/24 "its address"
    assert_eq "$(jeval "$output" '[i["name"] for i in d["interfaces"]]')" '["eth0"]' \
        "the result names only the container's interface (no bridge, no veth)"
    del mv eth0 /run/netns/pm '{"cniVersion": "1.0.0", "name": "mvnet", "type": "berth"}'
    assert_eq "$(ip -n pm -o link show | grep -c eth0)" 0 "eth0 after DEL"
    berth_ok system check
}

@test "a configuration written for the bridge plugin: host-local's ranges under ipam give the subnets" {
    ip netns add pr
    add ranged /run/netns/pr eth0 '{"cniVersion": "1.0.0", "name": "ranged", "type": "berth", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.77.8.0/24", "gateway": "10.77.8.254"}], [{"subnet": "fd00:77:8::/64"}]]}}'
    assert_eq "$(net_get ranged '[[c["Subnet"], c["Gateway"]] for c in d["IPAM"]["Config"]] + [d["EnableIPv6"]]')" \
        '[["10.77.8.0/24", "10.77.8.254"], ["fd00:77:8::/64", "fd00:77:8::1"], true]' "the network made"
    assert_eq "$(jeval "$output" '[i["address"] for i in d["ips"]]')" '["10.77.8.1/24", "fd00:77:8::2/64"]' "the addresses"
    plugin ADD x /run/netns/pr eth1 '{"cniVersion": "1.0.0", "name": "bad", "type": "berth", "ranges": {"subnet": "10.1.0.0/24"}}'
    assert_cni_error 7 'invalid network configuration: \"ranges\" must be a list of lists'
}

# ---- what runtimeConfig and CNI_ARGS ask for --------------------------------

@test "IP= and MAC= (Podman's --ip, --mac-address), aliases in berth's resolver, a CLI container and a CNI one talk" {
    ip netns add p1
    add podc /run/netns/p1 eth0 "$(conf 1.0.0 "$NAMES"', "runtimeConfig": {"aliases": {"bnet": ["db", "podc-alias"]}}')" \
        "IgnoreUnknown=1;K8S_POD_NAME=podc;MAC=02:00:00:00:01:50;IP=10.77.1.50"
    assert_eq "$(v4_of p1)" 10.77.1.50/24 "the address asked for"
    assert_contains "$(ip -n p1 -o link show eth0)" "link/ether 02:00:00:00:01:50" "the MAC asked for"
    run_d --name cli --network bnet -- sleep 3600
    berth_ok exec cli ping -c1 -W2 10.77.1.50
    berth_ok exec cli getent hosts db
    assert_eq "$(echo "$output" | awk '{ print $1 }')" 10.77.1.50 "the alias, from the CLI container"
    run in_ns p1 dig +short +time=2 +tries=1 @127.0.0.11 cli
    assert_eq "$output" "$(ctr_ip cli bnet)" "the CLI container's name, from the CNI one"
}

@test "portMappings publish through berth's maps: reachable from outside, gone after DEL" {
    ip netns add p1
    add webp /run/netns/p1 eth0 "$(conf 1.0.0 ', "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}')"
    fw_bg ip netns exec p1 python3 -c "$PEER_SERVER" tcp:80
    wait_listening tcp:80 -- ip netns exec p1
    assert_peer "outside to the published port" "$OUT_IP" peer_from_outside tcp "$HOST_IP" 8080
    berth_ok ps
    assert_contains "$output" "0.0.0.0:8080->80/tcp" "berth ps"
    assert_contains "$output" "(CNI webp)" "berth ps: whose container it is, in COMMAND"
    del webp eth0 /run/netns/p1
    refute_reach "outside to the port after DEL" peer_from_outside tcp "$HOST_IP" 8080
}

# ---- nothing leaks -----------------------------------------------------------

@test "a namespace that is gone without a DEL (containerd's run -d) is released by reconcile; GC detaches what the runtime does not name" {
    ip netns add keep
    ip netns add drop
    add kept /run/netns/keep
    add dropped /run/netns/drop
    unshare --net sleep 3600 &
    local holder=$!
    wait_until 5 test -e "/proc/$holder/ns/net"
    add ctr-c3 "/proc/$holder/ns/net"
    assert_eq "$(attached bnet | wc -l)" 3 "three attached"
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    berth_ok system reconcile
    assert_contains "$output" "its network namespace is gone and its runtime never detached it, released" "reconcile"
    assert_eq "$(attached bnet | awk '{ print $2 }' | sort)" "10.77.1.2/24
10.77.1.3/24" "what is left"
    plugin GC "" "" "" '{"cniVersion": "1.1.0", "name": "bnet", "type": "berth", "cni.dev/valid-attachments": [{"containerID": "kept", "ifname": "eth0"}]}'
    assert_eq "$status" 0 "GC (stdout: $output, stderr: $stderr)"
    assert_eq "$(attached bnet | awk '{ print $2 }')" 10.77.1.2/24 "after GC"
    assert_eq "$(v4_of drop)" "" "the collected one's eth0"
    assert_eq "$(v4_of keep)" 10.77.1.2/24 "the kept one's eth0"
    berth_ok system check
}

@test "an ADD that fails leaves nothing: a taken address, a taken host port, a namespace that is not one" {
    ip netns add p1
    ip netns add p2
    add first /run/netns/p1 eth0 "$(conf 1.0.0 ', "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}')" \
        "IP=10.77.1.9"
    snapshot_save
    plugin ADD second /run/netns/p2 eth0 "$(conf 1.0.0)" "IP=10.77.1.9"
    assert_cni_error 7 "attaching: address 10.77.1.9 is already in use on network bnet"
    plugin ADD second /run/netns/p2 eth0 "$(conf 1.0.0 ', "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}')"
    assert_eq "$status" 1 "a taken host port (stdout: $output)"
    assert_contains "$output" "8080" "the error names the port"
    plugin ADD second /etc/hostname eth0 "$(conf 1.0.0)"
    assert_cni_error 7 "attaching: network namespace /etc/hostname: not a network namespace"
    plugin ADD second /run/netns/gone eth0 "$(conf 1.0.0)"
    assert_cni_error 3 "attaching: network namespace /run/netns/gone: No such file or directory"
    links_settle
    assert_eq "$(attached bnet | awk '{ print $2 }')" 10.77.1.9/24 "berth network inspect bnet"
    assert_eq "$(ip -n p2 -o link show | grep -c eth0)" 0 "no eth0 in the second namespace"
    assert_eq "$(ls "$BERTH_RUNDIR/netns" | wc -l)" 1 "the run dir holds the first one's namespace only"
    berth_ok system check
}

@test "bad input: missing CNI_* variables (4), a network berth has with another subnet (7), isGateway false (2); nothing changes" {
    ip netns add p1
    add first /run/netns/p1
    snapshot_save
    plugin ADD x "" eth0 "$(conf 1.0.0)"
    assert_cni_error 4 "CNI_NETNS is not set: the runtime must give it for CNI_COMMAND ADD"
    plugin DEL "" "" eth0 "$(conf 1.0.0)"
    assert_cni_error 4 "CNI_CONTAINERID is not set: the runtime must give it for CNI_COMMAND DEL"
    plugin ADD x /run/netns/p1 eth1 '{"cniVersion": "1.0.0", "name": "bnet", "type": "berth", "subnet": "10.99.0.0/24"}'
    assert_cni_error 7 "network bnet exists in berth with subnet 10.77.1.0/24; the configuration asks for 10.99.0.0/24"
    plugin ADD x /run/netns/p1 eth1 '{"cniVersion": "1.0.0", "name": "other", "type": "berth", "isGateway": false}'
    assert_cni_error 2 '\"isGateway\": false is not supported: berth'"'"'s bridge is always its network'"'"'s gateway'
    plugin ADD x /run/netns/p1 eth1 '{"cniVersion": "1.0.0", "name": "other", "type": "berth", "runtimeConfig": {"portMappings": [{"hostPort": 99999, "containerPort": 80}]}}'
    assert_cni_error 7 "invalid runtimeConfig.portMappings: each needs hostPort and containerPort (0-65535)"
    plugin ADD "bad id" /run/netns/p1 eth1 "$(conf 1.0.0)"
    assert_cni_error 7 'attaching: invalid container ID \"bad id\": expected 1 to 255 printable characters without blanks'
    plugin ADD x /run/netns/p1 "bad/if" "$(conf 1.0.0)"
    assert_cni_error 7 'attaching: invalid interface name \"bad/if\": expected 1 to 15 printable characters, no '"'/'"' or '"':'"
    assert_unchanged
}

@test "berth's CLI on a CNI container: stop and exec are refused, rm -f detaches it; STATUS answers" {
    ip netns add p1
    add 5a5a /run/netns/p1 eth0 "$(conf 1.0.0)" "K8S_POD_NAME=pc"
    berth_fails 1 "cannot stop container pc: it is run by another runtime, which attached it through CNI (as 5a5a); do it there" stop pc
    berth_fails 1 "cannot exec in container pc: it is run by another runtime, which attached it through CNI (as 5a5a); do it there" exec pc true
    berth_ok rm -f pc
    assert_eq "$(v4_of p1)" "" "eth0 after rm -f"
    in_ns p1 true || fail "the runtime's namespace must stay"
    plugin STATUS "" "" "" '{"cniVersion": "1.1.0", "name": "bnet", "type": "berth"}'
    assert_eq "$status" 0 "STATUS (stdout: $output, stderr: $stderr)"
    assert_eq "$output" "" "STATUS prints nothing when ready"
}
