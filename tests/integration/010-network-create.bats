#!/usr/bin/env bats
#
# berth network create: a bridge network is a row in the store and a Linux
# bridge br-<id12>, up, holding the gateway address with the subnet's prefix.
# Its options reach the kernel; its flags show in inspect.

load helpers

teardown() {
    berth_cleanup
}

@test "create prints the new network's 64-hex ID and nothing else" {
    # the first command of a fresh namespace says it enabled forwarding
    berth_ok network ls
    berth_ok network create story1
    assert_match "$output" "$HEX64" "stdout"
    assert_eq "${#lines[@]}" 1 "number of stdout lines"
    assert_eq "$stderr" "" "stderr"
    assert_eq "$(net_id_of story1)" "$output" "inspect Id"
}

@test "the network's bridge br-<id12> exists in the kernel, is a bridge and is up" {
    create_net story2
    local br
    br=$(bridge_of "$net_id")
    assert_bridge_up "$br"
    assert_match "$br" '^br-[0-9a-f]{12}$' "bridge name"
}

@test "the bridge holds the gateway address with the subnet's prefix" {
    create_net --subnet 10.11.0.0/24 story3
    assert_addr "$(bridge_of "$net_id")" 10.11.0.1/24
    assert_eq "$(net_subnet story3)" 10.11.0.0/24 "Subnet"
    assert_eq "$(net_gateway story3)" 10.11.0.1 "Gateway"
}

@test "an automatic subnet also lands on the bridge, gateway first host" {
    create_net story4
    local subnet gw
    subnet=$(net_subnet story4)
    gw=$(net_gateway story4)
    assert_match "$subnet" '^(172\.(1[6-9]|2[0-9]|3[01])\.0\.0/16|192\.168\.[0-9]+\.0/20)$' "Subnet"
    assert_eq "$gw" "${subnet%.0/*}.1" "Gateway"
    assert_addr "$(bridge_of "$net_id")" "$gw/${subnet#*/}"
}

@test "-d bridge and --driver bridge are accepted and recorded" {
    create_net -d bridge story5a
    assert_eq "$(net_get story5a 'd["Driver"]')" bridge "Driver of story5a"
    create_net --driver bridge --subnet 10.12.0.0/24 story5b
    assert_eq "$(net_get story5b 'd["Driver"]')" bridge "Driver of story5b"
    assert_bridge_up "$(bridge_of "$net_id")"
}

@test "-o com.docker.network.bridge.name names the kernel bridge" {
    create_net -o com.docker.network.bridge.name=storybr0 --subnet 10.13.0.0/24 story6
    assert_bridge_up storybr0
    assert_addr storybr0 10.13.0.1/24
    refute_link "$(bridge_of "$net_id")"
    assert_eq "$(net_get story6 'd["Options"]["com.docker.network.bridge.name"]')" storybr0 \
        "Options[bridge.name]"
}

@test "a 15-character bridge name is accepted" {
    create_net --opt com.docker.network.bridge.name=abcdefghijklmno --subnet 10.13.1.0/24 story6b
    assert_bridge_up abcdefghijklmno
}

@test "-o com.docker.network.driver.mtu sets the bridge's MTU" {
    create_net -o com.docker.network.driver.mtu=1400 --subnet 10.14.0.0/24 story7
    assert_eq "$(mtu_of "$(bridge_of "$net_id")")" 1400 "MTU of the bridge"
    assert_eq "$(net_get story7 'd["Options"]["com.docker.network.driver.mtu"]')" 1400 \
        "Options[driver.mtu]"
}

@test "the MTU bounds 68 and 65535 are accepted" {
    create_net --opt com.docker.network.driver.mtu=68 --subnet 10.14.1.0/24 story7lo
    assert_eq "$(mtu_of "$(bridge_of "$net_id")")" 68 "MTU"
    create_net --opt com.docker.network.driver.mtu=65535 --subnet 10.14.2.0/24 story7hi
    assert_eq "$(mtu_of "$(bridge_of "$net_id")")" 65535 "MTU"
}

@test "both options at once" {
    create_net -o com.docker.network.bridge.name=storybr1 -o com.docker.network.driver.mtu=1450 \
        --subnet 10.15.0.0/24 story8
    assert_bridge_up storybr1
    assert_eq "$(mtu_of storybr1)" 1450 "MTU of storybr1"
    assert_eq "$(net_get story8 'd["Options"]')" \
        '{"com.docker.network.bridge.name": "storybr1", "com.docker.network.driver.mtu": "1450"}' \
        "Options"
}

@test "--internal shows in inspect; a plain network is not internal" {
    create_net --internal --subnet 10.16.0.0/24 story9
    assert_eq "$(net_get story9 'd["Internal"]')" true "Internal of story9"
    assert_bridge_up "$(bridge_of "$net_id")"
    create_net --subnet 10.16.1.0/24 story9b
    assert_eq "$(net_get story9b 'd["Internal"]')" false "Internal of story9b"
}

@test "--attachable shows in inspect" {
    create_net --attachable --subnet 10.16.2.0/24 story10
    assert_eq "$(net_get story10 'd["Attachable"]')" true "Attachable"
    create_net --subnet 10.16.3.0/24 story10b
    assert_eq "$(net_get story10b 'd["Attachable"]')" false "Attachable"
}

@test "--label KEY=VALUE and --label KEY show in inspect" {
    create_net --label env=prod --label team=net --label flag --subnet 10.17.0.0/24 story11
    assert_eq "$(net_get story11 'd["Labels"]')" '{"env": "prod", "flag": "", "team": "net"}' "Labels"
}

@test "a label value may contain '='" {
    create_net --label 'expr=a=b' --subnet 10.17.1.0/24 story11b
    assert_eq "$(net_get story11b 'd["Labels"]["expr"]')" 'a=b' "Labels[expr]"
}

@test "--ip-range shows in inspect's IPAM config" {
    create_net --subnet 10.18.0.0/24 --ip-range 10.18.0.128/25 story12
    assert_eq "$(net_get story12 'd["IPAM"]["Config"]')" \
        '[{"Gateway": "10.18.0.1", "IPRange": "10.18.0.128/25", "Subnet": "10.18.0.0/24"}]' "IPAM.Config"
    assert_addr "$(bridge_of "$net_id")" 10.18.0.1/24
}

@test "--gateway is honoured in the store and the kernel" {
    create_net --subnet 10.19.0.0/24 --gateway 10.19.0.254 story13
    assert_eq "$(net_gateway story13)" 10.19.0.254 "Gateway"
    assert_addr "$(bridge_of "$net_id")" 10.19.0.254/24
}

@test "a 64-character name is accepted" {
    local name
    name=$(printf 'n%.0s' {1..64})
    create_net --subnet 10.20.0.0/24 "$name"
    assert_eq "$(net_get "$name" 'd["Name"]')" "$name" "Name"
}

@test "names may use letters, digits, '_', '.', '-' after the first character" {
    create_net --subnet 10.20.1.0/24 A0_b.c-d
    assert_eq "$(net_get A0_b.c-d 'd["Name"]')" A0_b.c-d "Name"
}

@test "each network gets its own bridge" {
    create_net --subnet 10.21.0.0/24 story14a
    local id_a=$net_id
    create_net --subnet 10.21.1.0/24 story14b
    [ "$id_a" != "$net_id" ] || fail "two networks got the same ID $net_id"
    assert_addr "$(bridge_of "$id_a")" 10.21.0.1/24
    assert_addr "$(bridge_of "$net_id")" 10.21.1.1/24
}
