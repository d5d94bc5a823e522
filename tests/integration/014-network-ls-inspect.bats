#!/usr/bin/env bats
#
# berth network ls (table, -q, --no-trunc, --format json, filters) and
# berth network inspect (Docker's schema), and how a network is looked up:
# full ID, then exact name, then unique ID prefix.

load helpers

teardown() {
    berth_cleanup
}

# ls_names ARGS...: the NAME column of berth network ls ARGS.
ls_names() {
    berth_ok network ls "$@"
    printf '%s\n' "${lines[@]:1}" | awk '{ print $2 }'
}

# three user networks created out of order, with labels and one internal
make_abc() {
    create_net --subnet 10.50.3.0/24 --label env=prod --label tier charlie
    id_charlie=$net_id
    create_net --subnet 10.50.1.0/24 --label env=dev --internal alpha
    id_alpha=$net_id
    create_net --subnet 10.50.2.0/24 bravo
    id_bravo=$net_id
}

# ---- ls table ---------------------------------------------------------------

@test "ls: the header is NETWORK ID, NAME, DRIVER, SCOPE" {
    berth_ok network ls
    assert_match "${lines[0]}" '^NETWORK ID +NAME +DRIVER +SCOPE$' "header"
}

@test "ls: rows are sorted by name, with 12-hex IDs, driver and scope" {
    make_abc
    berth_ok network ls
    assert_eq "${#lines[@]}" 7 "number of lines"
    assert_match "${lines[1]}" "^${id_alpha:0:12} +alpha +bridge +local$" "row alpha"
    assert_match "${lines[2]}" "^${id_bravo:0:12} +bravo +bridge +local$" "row bravo"
    assert_match "${lines[3]}" '^[0-9a-f]{12} +bridge +bridge +local$' "row bridge"
    assert_match "${lines[4]}" "^${id_charlie:0:12} +charlie +bridge +local$" "row charlie"
    assert_match "${lines[5]}" '^[0-9a-f]{12} +host +host +local$' "row host"
    assert_match "${lines[6]}" '^[0-9a-f]{12} +none +null +local$' "row none"
}

# field_starts: the 1-based start column of every whitespace-separated field
field_starts() {
    awk '{ p = 1; s = $0
           for (i = 1; i <= NF; i++) {
               j = index(s, $i); p += j - 1; printf "%d ", p
               s = substr(s, j + length($i)); p += length($i)
           }
           print "" }'
}

@test "ls: the columns are aligned" {
    make_abc
    create_net --subnet 10.50.4.0/24 a-much-longer-network-name
    berth_ok network ls
    local header line cols
    # header fields: NETWORK ID NAME DRIVER SCOPE
    header=$(field_starts <<<"${lines[0]}" | awk '{ print 1, $3, $4, $5 }')
    for line in "${lines[@]:1}"; do
        cols=$(field_starts <<<"$line" | awk '{ print $1, $2, $3, $4 }')
        assert_eq "$cols" "$header" "start columns of the fields of '$line'"
    done
}

@test "ls --no-trunc: full IDs" {
    make_abc
    berth_ok network ls --no-trunc
    assert_match "${lines[0]}" '^NETWORK ID +NAME +DRIVER +SCOPE$' "header"
    assert_match "${lines[1]}" "^$id_alpha +alpha +bridge +local$" "row alpha"
    local line
    for line in "${lines[@]:1}"; do
        assert_match "$line" '^[0-9a-f]{64} ' "row"
    done
}

@test "ls -q: 12-hex IDs only, in name order" {
    make_abc
    berth_ok network ls -q
    assert_eq "${#lines[@]}" 6 "number of lines"
    assert_eq "${lines[0]}" "${id_alpha:0:12}" "first ID"
    assert_eq "${lines[1]}" "${id_bravo:0:12}" "second ID"
    assert_eq "${lines[3]}" "${id_charlie:0:12}" "fourth ID"
    local line
    for line in "${lines[@]}"; do
        assert_match "$line" "$HEX12" "ID"
    done
    berth_ok network ls --quiet
    assert_eq "${#lines[@]}" 6 "number of lines of --quiet"
}

@test "ls -q --no-trunc: full IDs only" {
    make_abc
    berth_ok network ls -q --no-trunc
    assert_eq "${lines[0]}" "$id_alpha" "first ID"
    local line
    for line in "${lines[@]}"; do
        assert_match "$line" "$HEX64" "ID"
    done
}

@test "ls --format table is the default table" {
    make_abc
    local table
    table=$(berth network ls)
    berth_ok network ls --format table
    assert_eq "$output" "$table" "ls --format table"
}

# ---- ls --format json -------------------------------------------------------

@test "ls --format json: one object per line, Docker's keys, string values" {
    make_abc
    berth_ok network ls --format json
    assert_eq "${#lines[@]}" 6 "number of lines"
    local line
    for line in "${lines[@]}"; do
        assert_eq "$(jeval "$line" 'sorted(d.keys())')" \
            '["CreatedAt", "Driver", "ID", "IPv6", "Internal", "Labels", "Name", "Scope"]' "keys of $line"
        assert_eq "$(jeval "$line" 'all(isinstance(v, str) for v in d.values())')" true \
            "all values are strings in $line"
    done
    assert_eq "$(for line in "${lines[@]}"; do jeval "$line" 'd["Name"]'; done)" "alpha
bravo
bridge
charlie
host
none" "names in order"
}

@test "ls --format json: the values" {
    make_abc
    berth_ok network ls --format json
    local alpha=${lines[0]} bravo=${lines[1]} charlie=${lines[3]} none=${lines[5]}
    assert_eq "$(jeval "$alpha" 'd["Driver"]')" bridge "Driver of alpha"
    assert_eq "$(jeval "$alpha" 'd["Scope"]')" local "Scope of alpha"
    assert_eq "$(jeval "$alpha" 'd["Internal"]')" true "Internal of alpha"
    assert_eq "$(jeval "$bravo" 'd["Internal"]')" false "Internal of bravo"
    assert_eq "$(jeval "$alpha" 'd["IPv6"]')" false "IPv6 of alpha"
    assert_eq "$(jeval "$alpha" 'd["Labels"]')" env=dev "Labels of alpha"
    assert_eq "$(jeval "$bravo" 'd["Labels"]')" "" "Labels of bravo"
    assert_eq "$(jeval "$charlie" 'sorted(d["Labels"].split(","))')" '["env=prod", "tier="]' \
        "Labels of charlie"
    assert_eq "$(jeval "$none" 'd["Driver"]')" null "Driver of none"
    local id
    id=$(jeval "$alpha" 'd["ID"]')
    assert_match "$id" '^[0-9a-f]{12}([0-9a-f]{52})?$' "ID of alpha"
    assert_eq "${id_alpha:0:${#id}}" "$id" "ID of alpha is a prefix of its full ID"
    assert_match "$(jeval "$alpha" 'd["CreatedAt"]')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}' \
        "CreatedAt of alpha"
}

@test "ls --format json --no-trunc: full IDs" {
    make_abc
    berth_ok network ls --format json --no-trunc
    assert_eq "$(jeval "${lines[0]}" 'd["ID"]')" "$id_alpha" "ID of alpha"
}

@test "ls --format with an unknown format is an error" {
    run --separate-stderr berth network ls --format yaml
    [ "$status" -ne 0 ] || fail "ls --format yaml succeeded: $output"
    assert_match "$stderr" '^berth: error: ' "stderr"
}

# ---- ls filters -------------------------------------------------------------

@test "ls -f name=SUBSTR" {
    make_abc
    assert_eq "$(ls_names -f name=ra)" "bravo" "name=ra"
    assert_eq "$(ls_names --filter name=r)" "bravo
bridge
charlie" "name=r"
    assert_eq "$(ls_names -f name=nothing-like-this)" "" "name=nothing-like-this"
}

@test "ls -f id=PREFIX" {
    make_abc
    assert_eq "$(ls_names -f "id=${id_alpha:0:12}")" alpha "id=<12 hex of alpha>"
    assert_eq "$(ls_names -f "id=$id_bravo")" bravo "id=<full ID of bravo>"
}

@test "ls -f driver=NAME" {
    make_abc
    assert_eq "$(ls_names -f driver=null)" none "driver=null"
    assert_eq "$(ls_names -f driver=host)" host "driver=host"
    assert_eq "$(ls_names -f driver=bridge)" "alpha
bravo
bridge
charlie" "driver=bridge"
}

@test "ls -f label=KEY and label=KEY=VALUE" {
    make_abc
    assert_eq "$(ls_names -f label=env)" "alpha
charlie" "label=env"
    assert_eq "$(ls_names -f label=env=prod)" charlie "label=env=prod"
    assert_eq "$(ls_names -f label=tier)" charlie "label=tier"
    assert_eq "$(ls_names -f label=env=staging)" "" "label=env=staging"
}

@test "ls -f type=builtin and type=custom" {
    make_abc
    assert_eq "$(ls_names -f type=builtin)" "bridge
host
none" "type=builtin"
    assert_eq "$(ls_names -f type=custom)" "alpha
bravo
charlie" "type=custom"
}

@test "ls -q -f combines" {
    make_abc
    berth_ok network ls -q -f type=custom --no-trunc
    assert_eq "$output" "$id_alpha
$id_bravo
$id_charlie" "ls -q --no-trunc -f type=custom"
}

# ---- inspect ----------------------------------------------------------------

@test "inspect: a JSON array of one object in Docker's schema" {
    create_net --subnet 10.51.0.0/24 --label env=prod -o com.docker.network.driver.mtu=1400 insp
    local id=$net_id
    berth_ok network inspect insp
    local j=$output
    assert_eq "$(jeval "$j" 'type(d).__name__ + str(len(d))')" list1 "top level"
    assert_eq "$(jeval "$j" 'd[0]["Name"]')" insp "Name"
    assert_eq "$(jeval "$j" 'd[0]["Id"]')" "$id" "Id"
    assert_match "$(jeval "$j" 'd[0]["Created"]')" \
        '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' "Created"
    assert_eq "$(jeval "$j" 'd[0]["Scope"]')" local "Scope"
    assert_eq "$(jeval "$j" 'd[0]["Driver"]')" bridge "Driver"
    assert_eq "$(jeval "$j" 'd[0]["EnableIPv6"]')" false "EnableIPv6"
    assert_eq "$(jeval "$j" 'd[0]["IPAM"]')" \
        '{"Config": [{"Gateway": "10.51.0.1", "Subnet": "10.51.0.0/24"}], "Driver": "default", "Options": {}}' "IPAM"
    assert_eq "$(jeval "$j" 'd[0]["Internal"]')" false "Internal"
    assert_eq "$(jeval "$j" 'd[0]["Attachable"]')" false "Attachable"
    assert_eq "$(jeval "$j" 'd[0]["Ingress"]')" false "Ingress"
    assert_eq "$(jeval "$j" 'd[0]["ConfigFrom"]')" '{"Network": ""}' "ConfigFrom"
    assert_eq "$(jeval "$j" 'd[0]["ConfigOnly"]')" false "ConfigOnly"
    assert_eq "$(jeval "$j" 'd[0]["Containers"]')" '{}' "Containers"
    assert_eq "$(jeval "$j" 'd[0]["Options"]')" '{"com.docker.network.driver.mtu": "1400"}' "Options"
    assert_eq "$(jeval "$j" 'd[0]["Labels"]')" '{"env": "prod"}' "Labels"
}

@test "inspect: Created is the creation time" {
    local t0 t1 created
    t0=$(date -u +%s)
    create_net --subnet 10.51.1.0/24 timed
    t1=$(date -u +%s)
    created=$(net_get timed 'd["Created"]')
    local t
    t=$(date -u -d "$created" +%s) || fail "date cannot parse Created '$created'"
    [ "$t" -ge "$((t0 - 1))" ] && [ "$t" -le "$((t1 + 1))" ] ||
        fail "Created $created ($t) is not between $t0 and $t1"
}

@test "inspect: an IP range shows as IPRange" {
    create_net --subnet 10.51.2.0/24 --ip-range 10.51.2.64/26 --gateway 10.51.2.10 ranged
    assert_eq "$(net_get ranged 'd["IPAM"]["Config"]')" \
        '[{"Gateway": "10.51.2.10", "IPRange": "10.51.2.64/26", "Subnet": "10.51.2.0/24"}]' "IPAM.Config"
}

@test "inspect: --internal and --attachable show" {
    create_net --subnet 10.51.3.0/24 --internal --attachable flags
    assert_eq "$(net_get flags 'd["Internal"]')" true "Internal"
    assert_eq "$(net_get flags 'd["Attachable"]')" true "Attachable"
}

@test "inspect: 4-space indentation" {
    create_net --subnet 10.51.4.0/24 indented
    berth_ok network inspect indented
    assert_eq "${lines[0]}" "[" "line 1"
    assert_eq "${lines[1]}" "    {" "line 2"
    assert_match "${lines[2]}" '^        "[A-Za-z]+": ' "line 3"
    assert_eq "${lines[-1]}" "]" "last line"
}

@test "inspect: several arguments give an array of several, in argument order" {
    make_abc
    berth_ok network inspect charlie alpha bridge
    assert_eq "$(jeval "$output" '[n["Name"] for n in d]')" '["charlie", "alpha", "bridge"]' "names"
}

@test "inspect: a missing network is an error, the found ones are still printed" {
    make_abc
    run --separate-stderr berth network inspect alpha foo bravo
    assert_eq "$status" 1 "exit status"
    assert_eq "$stderr" 'berth: error: No such network: foo' "stderr"
    assert_eq "$(jeval "$output" '[n["Name"] for n in d]')" '["alpha", "bravo"]' "names printed"
}

@test "inspect: only missing networks: error, no network printed" {
    run --separate-stderr berth network inspect foo
    assert_eq "$status" 1 "exit status"
    assert_eq "$stderr" 'berth: error: No such network: foo' "stderr"
    assert_eq "$output" '[]' "stdout (as Docker)"
}

@test "inspect without an argument is a usage error" {
    berth_usage_error network inspect
}

# ---- lookup -----------------------------------------------------------------

@test "lookup by name, full ID and unique ID prefix" {
    create_net --subnet 10.52.0.0/24 findme
    local id=$net_id
    assert_eq "$(net_get findme 'd["Id"]')" "$id" "by name"
    assert_eq "$(net_get "$id" 'd["Name"]')" findme "by full ID"
    assert_eq "$(net_get "${id:0:12}" 'd["Name"]')" findme "by 12-hex prefix"
    # the shortest prefix no other network shares
    local n prefix=""
    for n in $(seq 1 64); do
        if [ "$(berth network ls -q --no-trunc | grep -c "^${id:0:n}")" -eq 1 ]; then
            prefix=${id:0:n}
            break
        fi
    done
    assert_eq "$(net_get "$prefix" 'd["Name"]')" findme "by unique prefix $prefix"
}

@test "lookup: an exact name wins over an ID prefix" {
    create_net --subnet 10.52.1.0/24 target
    local id=$net_id
    create_net --subnet 10.52.2.0/24 "${id:0:12}"
    assert_eq "$(net_get "${id:0:12}" 'd["Id"]')" "$net_id" "network found by ${id:0:12}"
}

@test "lookup: a full ID wins over a name" {
    create_net --subnet 10.52.3.0/24 target
    local id=$net_id
    create_net --subnet 10.52.4.0/24 "$id"
    assert_eq "$(net_get "$id" 'd["Name"]')" target "network found by $id"
}

@test "lookup: an ambiguous ID prefix is an error" {
    # create networks until two IDs (the predefined ones count) share their
    # first hex digit; 17 networks guarantee it
    local i c="" n=0
    for i in $(seq 1 17); do
        create_net --subnet "10.53.$i.0/24" "amb$i"
        for c in 0 1 2 3 4 5 6 7 8 9 a b c d e f; do
            n=$(berth network ls -q --no-trunc | grep -c "^$c" || true)
            [ "$n" -lt 2 ] || break 2
        done
    done
    [ "$n" -ge 2 ] || fail "no two IDs share a first digit"
    snapshot_save
    berth_fails 1 "network $c is ambiguous ($n matches found based on ID prefix)" network rm "$c"
    assert_unchanged
    run --separate-stderr berth network inspect "$c"
    assert_eq "$status" 1 "exit status of inspect $c"
    assert_contains "$stderr" "network $c is ambiguous ($n matches found based on ID prefix)" "stderr of inspect"
}

@test "lookup: a prefix matching nothing is not found" {
    create_net --subnet 10.53.100.0/24 lonely
    local other
    # a 12-hex string that is no network's prefix
    other=$(printf '%012x' $((0x${net_id:0:12} ^ 0xffffffffffff)))
    berth_fails 1 "No such network: $other" network rm "$other"
}
