#!/usr/bin/env bats
#
# Bridge endpoints of containers: the seeds' scenarios (two containers on one
# network ping each other, the host pings a container), and what the endpoint
# looks like in the kernel: eth0 with MAC 02:42 + the IPv4 bytes, the
# address with the subnet's prefix, the default route via the gateway, lo up;
# the host end veth<7 hex> on the bridge without IPv6 link-local address;
# --mac-address; the sandbox bind mount under $BERTH_RUNDIR/netns; a
# read-only sysfs of the container's own network namespace.

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

setup_file() {
    make_rootfs
}

setup() {
    ROOTFS=$BATS_FILE_TMPDIR/rootfs
}

teardown() {
    container_teardown
}

# ---- the seeds' scenarios ---------------------------------------------------

@test "two containers on one network ping each other" {
    create_net --subnet 10.110.0.0/24 pingnet
    run_d --name ping-a --network pingnet -- sleep 3600
    run_d --name ping-b --network pingnet -- sleep 3600
    local ip_a ip_b
    ip_a=$(ctr_ip ping-a pingnet)
    ip_b=$(ctr_ip ping-b pingnet)
    assert_match "$ip_a" '^10\.110\.0\.[0-9]+$' "IPAddress of ping-a"
    assert_match "$ip_b" '^10\.110\.0\.[0-9]+$' "IPAddress of ping-b"
    [ "$ip_a" != "$ip_b" ] || fail "both containers have $ip_a"
    berth_ok exec ping-a ping -c1 -W2 "$ip_b"
    berth_ok exec ping-b ping -c1 -W2 "$ip_a"
    # an address nobody has does not answer (the check can fail)
    run berth exec ping-a ping -c1 -W1 10.110.0.250
    [ "$status" -ne 0 ] || fail "ping of an unused address succeeded"
}

@test "a foreground busybox container pings a detached one (seed: run -net testbridge busybox)" {
    create_net --subnet 10.110.1.0/24 testbridge
    run_d --name target --network testbridge -- sleep 3600
    local ip
    ip=$(ctr_ip target testbridge)
    berth_ok run --rm --network testbridge --rootfs "$ROOTFS" -- ping -c1 -W2 "$ip"
    assert_contains "$output" "1 packets received" "busybox ping output"
}

@test "the host pings a container" {
    create_net --subnet 10.110.2.0/24 hostping
    run_d --network hostping -- sleep 3600
    local ip
    ip=$(ctr_ip "$cid" hostping)
    ping -c1 -W2 "$ip" || fail "the host cannot ping $ip"
}

@test "a container reaches the gateway (the bridge's address)" {
    create_net --subnet 10.110.3.0/24 gwping
    berth_ok run --network gwping -- ping -c1 -W2 10.110.3.1
}

@test "containers on different networks are on different bridges and subnets" {
    create_net --subnet 10.110.4.0/24 left
    local left_br
    left_br=$(bridge_of "$net_id")
    create_net --subnet 10.110.5.0/24 right
    local right_br
    right_br=$(bridge_of "$net_id")
    run_d --name l1 --network left -- sleep 3600
    run_d --name r1 --network right -- sleep 3600
    assert_eq "$(veths_on "$left_br")" "$(host_veth l1)" "veths on $left_br"
    assert_eq "$(veths_on "$right_br")" "$(host_veth r1)" "veths on $right_br"
    assert_match "$(ctr_ip r1 right)" '^10\.110\.5\.' "IPAddress of r1"
}

# ---- eth0 -------------------------------------------------------------------

@test "eth0: MAC 02:42 + IPv4 bytes, address with the prefix, default route, lo up" {
    create_net --subnet 10.110.6.0/24 ethnet
    run_d --name eth --network ethnet --ip 10.110.6.23 -- sleep 3600
    berth_ok exec eth ip -o link show dev eth0
    assert_contains "$output" "link/ether 02:42:0a:6e:06:17 " "eth0"
    assert_match "$output" '<([A-Z_]+,)*UP(,[A-Z_]+)*>' "eth0 flags"
    berth_ok exec eth ip -4 -o addr show dev eth0
    assert_eq "$(awk '{ print $4 }' <<<"$output")" 10.110.6.23/24 "eth0 address"
    berth_ok exec eth ip -4 route show default
    assert_match "$output" '^default via 10\.110\.6\.1 dev eth0( |$)' "default route"
    berth_ok exec eth ip -o link show dev lo
    assert_match "$output" '<([A-Z_]+,)*UP(,[A-Z_]+)*>' "lo flags"
    berth_ok exec eth ip -4 -o addr show dev lo
    assert_contains "$output" 127.0.0.1/8 "lo address"
    assert_eq "$(ctr_links eth)" "eth0
lo" "links in the container"
}

@test "eth0 of a /16 network: /16 prefix, MAC of all four bytes" {
    create_net --subnet 10.111.0.0/16 wide
    berth_ok run --network wide --ip 10.111.3.4 -- sh -c 'ip -4 -o addr show dev eth0; ip -o link show dev eth0'
    assert_contains "$output" " 10.111.3.4/16 " "eth0 address"
    assert_contains "$output" "link/ether 02:42:0a:6f:03:04 " "eth0 MAC"
}

@test "the MAC of a dynamically assigned address is derived from it" {
    create_net --subnet 10.110.7.0/24 dyn
    run_d --name dyn1 --network dyn -- sleep 3600
    local ip mac
    ip=$(ctr_ip dyn1 dyn)
    mac=$(mac_of_ip "$ip")
    berth_ok exec dyn1 ip -o link show dev eth0
    assert_contains "$output" "link/ether $mac " "eth0"
    assert_eq "$(ctr_net dyn1 dyn MacAddress)" "$mac" "inspect MacAddress"
}

@test "the default network is bridge (berth0, its gateway)" {
    local gw subnet
    gw=$(net_gateway bridge)
    subnet=$(net_subnet bridge)
    run_d --name onbridge -- sleep 3600
    local ip
    ip=$(ctr_ip onbridge bridge)
    [ -n "$ip" ] || fail "no IPAddress on network bridge"
    berth_ok exec onbridge ip -4 route show default
    assert_match "$output" "^default via ${gw//./\\.} dev eth0( |$)" "default route"
    berth_ok exec onbridge ip -4 -o addr show dev eth0
    assert_contains "$output" " $ip/${subnet#*/} " "eth0 address"
    assert_eq "$(veths_on berth0)" "$(host_veth onbridge)" "veths on berth0"
    berth_ok exec onbridge ping -c1 -W2 "$gw"
}

@test "--mac-address is honoured" {
    create_net --subnet 10.110.8.0/24 macnet
    run_d --name mac1 --network macnet --mac-address 02:aa:bb:cc:dd:ee -- sleep 3600
    berth_ok exec mac1 ip -o link show dev eth0
    assert_contains "$output" "link/ether 02:aa:bb:cc:dd:ee " "eth0"
    assert_eq "$(ctr_net mac1 macnet MacAddress)" 02:aa:bb:cc:dd:ee "inspect MacAddress"
    ping -c1 -W2 "$(ctr_ip mac1 macnet)" || fail "the host cannot ping mac1"
}

@test "--mac-address that is not a MAC: an error, nothing created" {
    create_net --subnet 10.110.9.0/24 badmac
    snapshot_save
    local mac
    # sscanf alone would take a space, a sign or a minus for a byte
    for mac in 02:zz:00 " 2:42:0a:6e:09:05" "+2:42:0a:6e:09:05" "02:42:0a:6e:09:-1" 01:00:5e:00:00:01; do
        run --separate-stderr berth run -d --network badmac --mac-address "$mac" -- sleep 3600
        [ "$status" -ne 0 ] || fail "--mac-address '$mac': exit status 0"
        assert_eq "$stderr" "berth: error: invalid MAC address \"$mac\"" "stderr for '$mac'"
    done
    assert_unchanged
    assert_eq "$(berth ps -aq)" "" "berth ps -aq"
}

@test "the network's MTU applies to eth0 and the host veth" {
    create_net --subnet 10.110.10.0/24 -o com.docker.network.driver.mtu=1400 mtunet
    run_d --name mtu1 --network mtunet -- sleep 3600
    berth_ok exec mtu1 ip -o link show dev eth0
    assert_contains "$output" " mtu 1400 " "eth0"
    assert_eq "$(mtu_of "$(host_veth mtu1)")" 1400 "MTU of the host veth"
}

# ---- the host end -----------------------------------------------------------

@test "host end: veth<7 hex>, up, on the network's bridge, peer of eth0" {
    create_net --subnet 10.110.11.0/24 vethnet
    local br
    br=$(bridge_of "$net_id")
    run_d --name v1 --network vethnet -- sleep 3600
    local veth
    veth=$(host_veth v1)
    assert_match "$veth" '^veth[0-9a-f]{7}$' "name of the host veth"
    assert_eq "$(veths_on "$br")" "$veth" "links on $br"
    local details
    details=$(ip -d -o link show dev "$veth")
    assert_contains "$details" " master $br " "$veth"
    assert_match "$details" '<([A-Z_]+,)*UP(,[A-Z_]+)*>' "$veth flags"
    assert_contains "$details" " veth " "link type of $veth"
    # the second container's veth is another one on the same bridge
    run_d --name v2 --network vethnet -- sleep 3600
    local veth2
    veth2=$(host_veth v2)
    assert_match "$veth2" '^veth[0-9a-f]{7}$' "name of the second host veth"
    assert_eq "$(veths_on "$br")" "$(printf '%s\n' "$veth" "$veth2" | sort)" "links on $br"
}

@test "IPv6 is disabled on a container's links of an IPv4-only network (as Docker), lo keeps ::1" {
    create_net --subnet 10.110.18.0/24 v4only
    create_net --subnet 10.110.19.0/24 v4only2
    run_d --name v4c --network v4only -- sleep 3600
    berth_ok network connect v4only2 v4c
    local dev
    for dev in eth0 eth1; do
        assert_eq "$(berth exec v4c cat "/proc/sys/net/ipv6/conf/$dev/disable_ipv6")" 1 "$dev's disable_ipv6"
    done
    berth_ok exec v4c ip -6 -o addr show
    assert_eq "$(awk '{ print $2, $4 }' <<<"$output")" "lo ::1/128" "IPv6 addresses in the container"
}

@test "no IPv6 link-local address on the host veth" {
    # This namespace gives an up veth a link-local address by default (so
    # the check below can fail).
    add_veth probe6
    wait_until 5 bash -c '[ -n "$(ip -6 addr show dev probe6)" ]'
    ip link del probe6

    create_net --subnet 10.110.12.0/24 v6net
    run_d --name nov6 --network v6net -- sleep 3600
    local veth
    veth=$(host_veth nov6)
    ping -c1 -W2 "$(ctr_ip nov6 v6net)" || fail "ping"
    assert_eq "$(ip -6 addr show dev "$veth")" "" "IPv6 addresses of $veth"
}

# ---- the sandbox ------------------------------------------------------------

@test "the sandbox is bind-mounted at \$BERTH_RUNDIR/netns/<id> while the container runs" {
    create_net --subnet 10.110.13.0/24 sbnet
    run_d --name sb --network sbnet --ip 10.110.13.5 -- sleep 3600
    assert_sandbox "$cid"
    run in_sandbox "$cid" ip -4 -o addr show dev eth0
    assert_eq "$status" 0 "nsenter into the sandbox"
    assert_contains "$output" " 10.110.13.5/24 " "eth0 in the sandbox"
    # it is the container's network namespace
    local pid
    pid=$(ctr_pid sb)
    assert_eq "$(stat -L -c %i "/proc/$pid/ns/net")" "$(stat -L -c %i "$(sandbox_of "$cid")")" "inode of the sandbox"
}

@test "the sandbox bind mount and the veth go when the container stops" {
    create_net --subnet 10.110.14.0/24 sbnet2
    run_d --name sb2 --network sbnet2 -- sleep 3600
    local veth
    veth=$(host_veth sb2)
    berth_ok stop -t 1 sb2
    refute_sandbox "$cid"
    wait_link_gone "$veth"
}

# ---- sysfs ------------------------------------------------------------------

# MAC of eth0 as sysfs inside the container shows it; the interfaces listed there
sys_mac() { berth exec "$1" cat /sys/class/net/eth0/address; }
sys_links() { berth exec "$1" ls /sys/class/net | sort | tr '\n' ' '; }

@test "/sys is the container's own: eth0's MAC is inspect's, no host interface listed" {
    create_net --subnet 10.110.15.0/24 sysnet
    run_d --name sys1 --network sysnet -- sleep 3600
    assert_eq "$(sys_mac sys1)" "$(ctr_net sys1 sysnet MacAddress)" "eth0's MAC in /sys"
    assert_eq "$(sys_links sys1)" "eth0 lo " "/sys/class/net"
    # the host's bridge exists, and is not seen
    assert_link "$(bridge_of "$(net_id_of sysnet)")"
}

@test "/sys is read-only: a container cannot undo icc=false through brport/isolated or change an MTU" {
    create_net --subnet 10.110.16.0/24 sysro
    run_d --name sys2 --network sysro -- sleep 3600
    run berth exec sys2 sh -c 'echo 1400 > /sys/class/net/eth0/mtu'
    [ "$status" -ne 0 ] || fail "writing eth0's mtu through /sys succeeded"
    assert_contains "$output" "Read-only file system" "the shell's error"
    assert_eq "$(berth exec sys2 cat /sys/class/net/eth0/mtu)" 1500 "eth0's MTU"
    # the host's /sys (rw) and its submounts are gone, not merely covered
    berth_ok exec sys2 awk '$2 == "/sys" || $2 ~ "^/sys/" { print $2, $3, $4 }' /proc/mounts
    assert_match "$output" '^/sys sysfs ro,[a-z,]*$' "the mounts on /sys"
}

@test "/sys in a --rootfs container and in --network container: is the sandbox's" {
    create_net --subnet 10.110.17.0/24 sysrfs
    run_d --name sys3 --network sysrfs --rootfs "$ROOTFS" -- sleep 3600
    assert_eq "$(sys_mac sys3)" "$(ctr_net sys3 sysrfs MacAddress)" "eth0's MAC in the rootfs' /sys"
    assert_eq "$(sys_links sys3)" "eth0 lo " "/sys/class/net in the rootfs"
    berth_ok run --rm --network container:sys3 -- cat /sys/class/net/eth0/address
    assert_eq "$output" "$(ctr_net sys3 sysrfs MacAddress)" "eth0's MAC seen from a joined container"
}

@test "/sys of a --network none container lists lo only" {
    berth_ok run --rm --network none -- ls /sys/class/net
    assert_eq "$output" lo "/sys/class/net"
}
