#!/usr/bin/env bats
#
# berth network rm (alias remove) and berth network prune: what they print,
# what they remove from the store and the kernel, and what they refuse.
# There are no containers yet: an endpoint is a row inserted into the store.

load helpers

# add_endpoint NETWORK-ID [EP-ID]: an active endpoint of the network, straight in the store.
add_endpoint() {
    sqlite3 "$BERTH_ROOT/berth.db" \
        "INSERT INTO endpoints(id, network_id, container_id, ifname) VALUES ('${2:-ep1}', '$1', 'c1', 'eth0');"
}

del_endpoints() {
    sqlite3 "$BERTH_ROOT/berth.db" "DELETE FROM endpoints;"
}

teardown() {
    berth_cleanup
}

# ---- rm ---------------------------------------------------------------------

@test "rm prints the name given and removes the network and its bridge" {
    create_net --subnet 10.60.0.0/24 gone1
    local br
    br=$(bridge_of "$net_id")
    assert_bridge_up "$br"
    berth_ok network rm gone1
    assert_eq "$output" gone1 "stdout"
    assert_eq "$stderr" "" "stderr"
    refute_link "$br"
    refute_contains "$(berth network ls)" gone1 "berth network ls"
    run --separate-stderr berth network inspect gone1
    assert_eq "$status" 1 "exit status of inspect after rm"
}

@test "rm of several prints each, in order" {
    create_net --subnet 10.60.1.0/24 gone2
    local br2
    br2=$(bridge_of "$net_id")
    create_net --subnet 10.60.2.0/24 gone3
    local br3
    br3=$(bridge_of "$net_id")
    berth_ok network rm gone3 gone2
    assert_eq "$output" "gone3
gone2" "stdout"
    refute_link "$br2"
    refute_link "$br3"
    assert_eq "$(berth network ls -q | wc -l)" 3 "number of networks left"
}

@test "rm by full ID and by ID prefix prints the argument as given" {
    create_net --subnet 10.60.3.0/24 byid
    local id=$net_id
    berth_ok network rm "$id"
    assert_eq "$output" "$id" "stdout of rm by full ID"
    refute_link "$(bridge_of "$id")"
    create_net --subnet 10.60.3.0/24 byprefix
    id=$net_id
    berth_ok network rm "${id:0:12}"
    assert_eq "$output" "${id:0:12}" "stdout of rm by prefix"
    refute_link "$(bridge_of "$id")"
}

@test "remove is an alias of rm" {
    create_net --subnet 10.60.4.0/24 aliased
    berth_ok network remove aliased
    assert_eq "$output" aliased "stdout"
    refute_link "$(bridge_of "$net_id")"
}

@test "rm removes a bridge with a custom name and its address" {
    create_net -o com.docker.network.bridge.name=rmbr0 --subnet 10.60.5.0/24 custombr
    assert_addr rmbr0 10.60.5.1/24
    berth_ok network rm custombr
    refute_link rmbr0
    assert_eq "$(ip -4 -o addr show | grep -c ' 10\.60\.5\.' || true)" 0 "addresses in 10.60.5.0/24"
}

@test "rm of a missing network: an error, the others are still removed, exit 1" {
    create_net --subnet 10.60.6.0/24 keep1
    local br1
    br1=$(bridge_of "$net_id")
    create_net --subnet 10.60.7.0/24 keep2
    local br2
    br2=$(bridge_of "$net_id")
    run --separate-stderr berth network rm keep1 nosuch keep2
    assert_eq "$status" 1 "exit status"
    assert_eq "$output" "keep1
keep2" "stdout"
    assert_eq "$stderr" "berth: error: No such network: nosuch" "stderr (Docker's words)"
    refute_link "$br1"
    refute_link "$br2"
    assert_eq "$(berth network ls -q | wc -l)" 3 "number of networks left"
}

@test "rm of only a missing network changes nothing" {
    create_net --subnet 10.60.8.0/24 bystander
    snapshot_save
    berth_fails 1 "No such network: nosuch" network rm nosuch
    assert_eq "$output" "" "stdout"
    assert_unchanged
}

@test "rm without an argument is a usage error" {
    berth_usage_error network rm
}

@test "rm of a network with an active endpoint is refused; after the endpoint goes, it works" {
    create_net --subnet 10.60.9.0/24 busy
    local id=$net_id br
    br=$(bridge_of "$id")
    add_endpoint "$id"
    snapshot_save
    berth_fails 1 "network busy has active endpoints (1)" network rm busy
    assert_unchanged
    assert_bridge_up "$br"
    assert_addr "$br" 10.60.9.1/24

    del_endpoints
    berth_ok network rm busy
    assert_eq "$output" busy "stdout"
    refute_link "$br"
    refute_contains "$(berth network ls)" busy "berth network ls"
}

@test "the refusal counts the endpoints" {
    create_net --subnet 10.60.10.0/24 busier
    add_endpoint "$net_id" ep1
    add_endpoint "$net_id" ep2
    add_endpoint "$net_id" ep3
    berth_fails 1 "network busier has active endpoints (3)" network rm busier
    assert_bridge_up "$(bridge_of "$net_id")"
}

@test "a busy network does not stop rm of the others" {
    create_net --subnet 10.60.11.0/24 busy2
    local busy_br
    busy_br=$(bridge_of "$net_id")
    add_endpoint "$net_id"
    create_net --subnet 10.60.12.0/24 idle2
    local idle_br
    idle_br=$(bridge_of "$net_id")
    run --separate-stderr berth network rm busy2 idle2
    assert_eq "$status" 1 "exit status"
    assert_eq "$output" idle2 "stdout"
    assert_eq "$stderr" "berth: error: network busy2 has active endpoints (1)" "stderr"
    assert_bridge_up "$busy_br"
    refute_link "$idle_br"
}

@test "6 parallel rm of one network: one removes it, the others do not find it" {
    create_net --subnet 10.60.13.0/24 contested
    local i pids=() wins=0
    for i in $(seq 1 6); do
        berth network rm contested >"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 6); do
        if wait "${pids[$((i - 1))]}"; then
            wins=$((wins + 1))
            assert_eq "$(cat "$BATS_TEST_TMPDIR/out.$i")" contested "stdout of rm $i"
        else
            assert_eq "$(cat "$BATS_TEST_TMPDIR/err.$i")" "berth: error: No such network: contested" "stderr of rm $i"
        fi
    done
    assert_eq "$wins" 1 "number of successful rm"
    refute_link "$(bridge_of "$net_id")"
}

# ---- prune ------------------------------------------------------------------

@test "prune -f prints Deleted Networks: and the names, and removes the bridges" {
    create_net --subnet 10.61.0.0/24 p1
    local br1
    br1=$(bridge_of "$net_id")
    create_net --subnet 10.61.1.0/24 p2
    local br2
    br2=$(bridge_of "$net_id")
    create_net -o com.docker.network.bridge.name=prunebr --subnet 10.61.2.0/24 p3
    berth_ok network prune -f
    assert_eq "${lines[0]}" "Deleted Networks:" "first line"
    assert_eq "$(printf '%s\n' "${lines[@]:1}" | sort)" "p1
p2
p3" "names deleted"
    refute_link "$br1"
    refute_link "$br2"
    refute_link prunebr
    assert_eq "$(berth network ls -q -f type=custom)" "" "custom networks left"
    assert_eq "$(berth network ls -q | wc -l)" 3 "networks left"
}

@test "prune --force works too" {
    create_net --subnet 10.61.3.0/24 p4
    berth_ok network prune --force
    assert_eq "$output" "Deleted Networks:
p4" "stdout"
    refute_link "$(bridge_of "$net_id")"
}

@test "prune keeps networks with endpoints" {
    create_net --subnet 10.61.4.0/24 inuse
    local inuse_id=$net_id
    add_endpoint "$net_id"
    create_net --subnet 10.61.5.0/24 unused
    local unused_id=$net_id
    berth_ok network prune -f
    assert_eq "$output" "Deleted Networks:
unused" "stdout"
    assert_bridge_up "$(bridge_of "$inuse_id")"
    refute_link "$(bridge_of "$unused_id")"
    assert_eq "$(net_get inuse 'd["Name"]')" inuse "inuse still in the store"
}

@test "prune without -f asks, and N keeps everything" {
    create_net --subnet 10.61.6.0/24 asked
    snapshot_save
    run bash -c 'echo n | berth network prune'
    assert_contains "$output" "Are you sure you want to continue? [y/N]" "output"
    refute_contains "$output" "Deleted Networks:" "output"
    assert_unchanged
}

@test "prune without -f: an empty answer (EOF) keeps everything" {
    create_net --subnet 10.61.7.0/24 asked2
    snapshot_save
    run bash -c 'berth network prune </dev/null'
    assert_contains "$output" "Are you sure you want to continue? [y/N]" "output"
    assert_unchanged
}

@test "prune without -f: y removes" {
    create_net --subnet 10.61.8.0/24 asked3
    run --separate-stderr bash -c 'echo y | berth network prune'
    assert_eq "$status" 0 "exit status (stderr: $stderr)"
    assert_contains "$output$stderr" "Are you sure you want to continue? [y/N]" "output"
    assert_contains "$output" "Deleted Networks:" "stdout"
    assert_contains "$output" "asked3" "stdout"
    refute_link "$(bridge_of "$net_id")"
}
