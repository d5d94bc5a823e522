#!/usr/bin/env bats
#
# ps, inspect, stop, rm, exec and lookups of containers by name, ID and
# unique ID prefix.

# bats and helpers set status, output, stderr, lines, cid, net_id; $ in single
# quotes is for the container's shell.
# shellcheck disable=SC2154,SC2016

load helpers

teardown() {
    container_teardown
}

STATUS_UP='Up ([0-9]+ seconds?|Less than a second)'

# ps_row NAME: the line of `berth ps -a` whose NAME column is NAME.
ps_row() { berth ps -a | awk -v n="$1" 'NR > 1 { for (i = 1; i <= NF; i++) if ($i == n) { print; exit } }'; }

# ---- ps ---------------------------------------------------------------------

@test "ps: the columns, and a row per running container" {
    create_net --subnet 10.160.0.0/24 psnet
    run_d --name ps1 --network psnet --ip 10.160.0.5 -- sleep 3600
    berth_ok ps
    assert_match "${lines[0]}" '^CONTAINER ID +NAME +COMMAND +CREATED +STATUS +PORTS +NETWORKS +IPS *$' "header"
    assert_eq "${#lines[@]}" 2 "lines of berth ps"
    local row=${lines[1]}
    assert_match "$row" "^${cid:0:12} +ps1 +" "row"
    assert_contains "$row" sleep "COMMAND"
    assert_match "$row" " $STATUS_UP " "STATUS"
    assert_match "$row" ' psnet +10\.160\.0\.5 *$' "NETWORKS and IPS"
}

@test "ps quotes a command's control characters as docker does; a command or environment that is not UTF-8 is refused" {
    run_d --name weird --network none -- sh -c $'sleep 3600 #\e[2J\nX'
    berth_ok ps --no-trunc
    assert_eq "${#lines[@]}" 2 "lines of berth ps (a newline of the command would make three)"
    refute_contains "$output" $'\e' "berth ps output (a raw ESC)"
    assert_contains "${lines[1]}" '"sh -c sleep 3600 #\x1b[2J\nX"' "COMMAND"
    berth_ok inspect weird
    assert_eq "$(jeval "$output" 'd[0]["Args"]')" '["-c", "sleep 3600 #\u001b[2J\nX"]' "Args of inspect"
    snapshot_save
    berth_fails 1 'invalid argument 3 of the command: not valid UTF-8' run --network none -- echo ok $'\xff'
    berth_fails 1 'invalid environment variable 1: not valid UTF-8' run -e $'A=\xff' --network none -- true
    assert_unchanged
    assert_eq "$(berth ps -aq | wc -l)" 1 "containers after the refused runs"
}

@test "ps: without -a only running containers; -a shows exited ones with their code" {
    run_d --name up1 --network none -- sleep 3600
    run_d --name down1 --network none -- sh -c 'exit 3'
    wait_until 10 ctr_is_exited down1
    local ps
    ps=$(berth ps)
    assert_contains "$ps" up1 "berth ps"
    refute_contains "$ps" down1 "berth ps"
    assert_match "$(ps_row down1)" 'Exited \(3\) ([0-9]+ seconds?|Less than a second) ago' "ps -a row of down1"
    assert_match "$(ps_row up1)" "$STATUS_UP" "ps -a row of up1"
}

@test "ps: the networks and addresses of a container on two networks" {
    create_net --subnet 10.160.1.0/24 first
    create_net --subnet 10.160.2.0/24 second
    run_d --name two --network first --ip 10.160.1.7 -- sleep 3600
    berth_ok network connect --ip 10.160.2.8 second two
    local row
    row=$(ps_row two)
    assert_contains "$row" first "NETWORKS"
    assert_contains "$row" second "NETWORKS"
    assert_contains "$row" 10.160.1.7 "IPS"
    assert_contains "$row" 10.160.2.8 "IPS"
}

@test "ps -q: 12-hex IDs of running containers; --no-trunc: 64 hex; -aq: all" {
    run_d --name q1 --network none -- sleep 3600
    local id1=$cid
    run_d --name q2 --network none -- sleep 3600
    local id2=$cid
    run_d --name q3 --network none -- true
    local id3=$cid
    wait_until 10 ctr_is_exited q3
    berth_ok ps -q
    assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "${id1:0:12}" "${id2:0:12}" | sort)" "ps -q"
    berth_ok ps -q --no-trunc
    assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "$id1" "$id2" | sort)" "ps -q --no-trunc"
    berth_ok ps -aq
    assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "${id1:0:12}" "${id2:0:12}" "${id3:0:12}" | sort)" "ps -aq"
}

@test "ps --format json: one object per line" {
    create_net --subnet 10.160.3.0/24 jnet
    run_d --name j1 --network jnet --ip 10.160.3.9 -- sleep 3600
    local id1=$cid
    run_d --name j2 --network none -- sleep 3600
    berth_ok ps --format json
    assert_eq "${#lines[@]}" 2 "lines"
    local line found=0
    for line in "${lines[@]}"; do
        if [ "$(jeval "$line" 'd["Names"]')" = j1 ]; then
            found=1
            assert_eq "$(jeval "$line" 'd["ID"]')" "${id1:0:12}" "ID"
            assert_eq "$(jeval "$line" 'd["State"]')" running "State"
            assert_match "$(jeval "$line" 'd["Status"]')" "^$STATUS_UP\$" "Status"
            assert_eq "$(jeval "$line" 'd["Networks"]')" jnet "Networks"
            assert_eq "$(jeval "$line" 'd["IPs"]')" 10.160.3.9 "IPs"
            assert_contains "$(jeval "$line" 'd["Command"]')" "sleep 3600" "Command"
        fi
    done
    assert_eq "$found" 1 "a line for j1"
}

@test "ps of no containers: the header only" {
    berth_ok ps -a
    assert_eq "${#lines[@]}" 1 "lines"
    berth_ok ps -aq
    assert_eq "$output" "" "ps -aq"
}

# ---- inspect ----------------------------------------------------------------

@test "inspect: NetworkSettings.Networks as Docker prints it, State, Name" {
    create_net --subnet 10.160.4.0/24 inet
    local nid=$net_id
    run_d --name insp --network inet --ip 10.160.4.20 --hostname insphost -- sleep 3600
    local json
    json=$(berth inspect insp)
    assert_eq "$(jeval "$json" 'len(d)')" 1 "array length"
    assert_eq "$(jeval "$json" 'd[0]["Id"]')" "$cid" "Id"
    assert_eq "$(jeval "$json" 'd[0]["Name"]')" /insp "Name"
    assert_eq "$(jeval "$json" 'd[0]["State"]["Status"]')" running "State.Status"
    assert_eq "$(jeval "$json" 'd[0]["State"]["Running"]')" true "State.Running"
    local pid
    pid=$(jeval "$json" 'd[0]["State"]["Pid"]')
    [ "$pid" -gt 1 ] && [ -d "/proc/$pid" ] || fail "State.Pid $pid is not a process"
    assert_eq "$(cat "/proc/$pid/comm")" sleep "comm of State.Pid"
    local n='d[0]["NetworkSettings"]["Networks"]["inet"]'
    assert_eq "$(jeval "$json" "sorted(d[0]['NetworkSettings']['Networks'])")" '["inet"]' "networks"
    assert_eq "$(jeval "$json" "${n}[\"IPAddress\"]")" 10.160.4.20 "IPAddress"
    assert_eq "$(jeval "$json" "${n}[\"IPPrefixLen\"]")" 24 "IPPrefixLen"
    assert_eq "$(jeval "$json" "${n}[\"Gateway\"]")" 10.160.4.1 "Gateway"
    assert_eq "$(jeval "$json" "${n}[\"MacAddress\"]")" 02:42:0a:a0:04:14 "MacAddress"
    assert_eq "$(jeval "$json" "${n}[\"NetworkID\"]")" "$nid" "NetworkID"
    assert_match "$(jeval "$json" "${n}[\"EndpointID\"]")" "$HEX64" "EndpointID"
    assert_eq "$(jeval "$json" 'd[0]["Config"]["Hostname"]')" insphost "Config.Hostname"
    assert_eq "$(jeval "$json" 'd[0]["NetworkSettings"]["SandboxKey"]')" "$(sandbox_of "$cid")" "SandboxKey"
}

@test "inspect: --network-alias shows in Aliases" {
    create_net --subnet 10.160.5.0/24 anet
    run_d --name aliased --network anet --network-alias web --network-alias www -- sleep 3600
    local aliases
    aliases=$(ctr_net aliased anet Aliases)
    assert_contains "$aliases" '"web"' "Aliases"
    assert_contains "$aliases" '"www"' "Aliases"
}

@test "inspect of several; a missing one: No such container, the others still printed" {
    run_d --name i1 --network none -- sleep 3600
    run_d --name i2 --network none -- sleep 3600
    run --separate-stderr berth inspect i1 nosuch i2
    assert_eq "$status" 1 "exit status"
    assert_eq "$stderr" "berth: error: No such container: nosuch" "stderr"
    assert_eq "$(jeval "$output" '[c["Name"] for c in d]')" '["/i1", "/i2"]' "names printed"
}

@test "inspect of an exited container: exited, its exit code, no Pid" {
    run_d --name ex --network none -- sh -c 'exit 4'
    wait_until 10 ctr_is_exited ex
    assert_eq "$(ctr_exit_code ex)" 4 "State.ExitCode"
    assert_eq "$(ctr_get ex 'd["State"]["Running"]')" false "State.Running"
    assert_eq "$(ctr_pid ex)" 0 "State.Pid"
}

# ---- stop -------------------------------------------------------------------

@test "stop -t 1: SIGTERM ignored (PID 1), SIGKILL after 1s: exited (137), gone from ps" {
    create_net --subnet 10.160.6.0/24 snet
    run_d --name stopme --network snet -- sleep 3600
    local pid start=$SECONDS
    pid=$(ctr_pid stopme)
    berth_ok stop -t 1 stopme
    assert_eq "$output" stopme "stdout of stop"
    [ $((SECONDS - start)) -lt 10 ] || fail "stop -t 1 took $((SECONDS - start))s"
    pid_dead "$pid" || fail "the container's process $pid is alive"
    refute_contains "$(berth ps)" stopme "berth ps"
    assert_eq "$(ctr_status stopme)" exited "State.Status"
    assert_eq "$(ctr_exit_code stopme)" 137 "State.ExitCode"
    assert_match "$(ps_row stopme)" 'Exited \(137\)' "ps -a row"
}

@test "stop: a container that handles SIGTERM exits with its own code" {
    run_d --name graceful --network none -- sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
    berth_ok stop -t 10 graceful
    assert_eq "$(ctr_exit_code graceful)" 0 "State.ExitCode"
    assert_eq "$(ctr_status graceful)" exited "State.Status"
}

@test "stop of several prints each; by ID; stop of an exited one succeeds" {
    run_d --name s1 --network none -- sleep 3600
    run_d --name s2 --network none -- sleep 3600
    local id2=$cid
    berth_ok stop -t 1 s1 "$id2"
    assert_eq "$output" "s1
$id2" "stdout"
    assert_eq "$(berth ps -q)" "" "running containers"
    berth_ok stop -t 1 s1
    assert_eq "$output" s1 "stdout of stopping an exited container"
}

@test "stop of a missing container: No such container, the others still stopped" {
    run_d --name s3 --network none -- sleep 3600
    run --separate-stderr berth stop -t 1 nosuch s3
    assert_eq "$status" 1 "exit status"
    assert_eq "$stderr" "berth: error: No such container: nosuch" "stderr"
    assert_eq "$output" s3 "stdout"
    assert_eq "$(ctr_status s3)" exited "State.Status"
}

# ---- rm ---------------------------------------------------------------------

@test "rm of an exited container: printed, gone" {
    run_d --name r1 --network none -- true
    wait_until 10 ctr_is_exited r1
    berth_ok rm r1
    assert_eq "$output" r1 "stdout"
    berth_fails 1 "No such container: r1" inspect r1
    assert_eq "$(berth ps -aq)" "" "containers"
    [ ! -e "$BERTH_ROOT/containers/$cid" ] || fail "$BERTH_ROOT/containers/$cid is left behind"
}

@test "rm of a running container without -f: refused, it keeps running" {
    create_net --subnet 10.160.7.0/24 rnet
    run_d --name busy --network rnet -- sleep 3600
    snapshot_save
    berth_fails 1 'cannot remove container "busy": container is running: stop the container before removing or force remove' rm busy
    assert_unchanged
    assert_eq "$(ctr_status busy)" running "State.Status"
}

@test "rm -f of a running container: killed, removed, endpoint released" {
    create_net --subnet 10.160.8.0/24 fnet
    run_d --name forced --network fnet --ip 10.160.8.3 -- sleep 3600
    local pid veth id=$cid
    pid=$(ctr_pid forced)
    veth=$(host_veth forced)
    berth_ok rm -f forced
    assert_eq "$output" forced "stdout"
    wait_until 10 pid_dead "$pid"
    berth_fails 1 "No such container: forced" inspect forced
    refute_sandbox "$id"
    wait_link_gone "$veth"
    run_d --name next --network fnet --ip 10.160.8.3 -- sleep 3600
}

@test "rm of several: a missing one reported, the others removed" {
    run_d --name r2 --network none -- true
    run_d --name r3 --network none -- true
    wait_until 10 ctr_is_exited r2
    wait_until 10 ctr_is_exited r3
    run --separate-stderr berth rm r2 nosuch r3
    assert_eq "$status" 1 "exit status"
    assert_eq "$output" "r2
r3" "stdout"
    assert_eq "$stderr" "berth: error: No such container: nosuch" "stderr"
    assert_eq "$(berth ps -aq)" "" "containers"
}

@test "a name is free again after rm" {
    run_d --name reuse --network none -- true
    wait_until 10 ctr_is_exited reuse
    berth_ok rm reuse
    run_d --name reuse --network none -- sleep 3600
    assert_eq "$(ctr_id reuse)" "$cid" "the new container"
}

# ---- exec -------------------------------------------------------------------

@test "exec runs in the container's namespaces: address, hostname, PID namespace" {
    create_net --subnet 10.160.9.0/24 enet
    run_d --name ex1 --network enet --ip 10.160.9.4 --hostname exhost -- sleep 3600
    berth_ok exec ex1 ip -4 -o addr show eth0
    assert_contains "$output" " 10.160.9.4/24 " "eth0"
    berth_ok exec ex1 hostname
    assert_eq "$output" exhost "hostname"
    berth_ok exec ex1 cat /proc/1/comm
    assert_eq "$output" sleep "/proc/1/comm (the container's init)"
    local pid ns
    pid=$(ctr_pid ex1)
    berth_ok exec ex1 sh -c 'for n in net uts pid mnt ipc; do readlink /proc/self/ns/$n; done'
    local i=0
    for ns in net uts pid mnt ipc; do
        assert_eq "${lines[$i]}" "$(readlink "/proc/$pid/ns/$ns")" "$ns namespace of exec"
        i=$((i + 1))
    done
}

@test "exec: exit code, stdout, stdin, -e, the container's environment" {
    run_d --name ex2 --network none -e FROMRUN=r1 -- sleep 3600
    run --separate-stderr berth exec ex2 sh -c 'echo out; echo err >&2; exit 3'
    assert_eq "$status" 3 "exit status"
    assert_eq "$output" out "stdout"
    assert_eq "$stderr" err "stderr"
    berth_ok exec -e FOO=bar ex2 sh -c 'echo "$FOO $FROMRUN"'
    assert_eq "$output" "bar r1" "environment of exec"
    run bash -c 'echo piped | berth exec ex2 cat'
    assert_eq "$output" piped "stdin"
    berth_ok exec ex2 -- echo after-dashdash
    assert_eq "$output" after-dashdash "exec NAME -- CMD"
}

@test "exec in a stopped or missing container is refused" {
    run_d --name ex3 --network none -- true
    wait_until 10 ctr_is_exited ex3
    run --separate-stderr berth exec ex3 true
    assert_eq "$status" 1 "exit status"
    assert_match "$stderr" '^berth: error: ' "stderr"
    berth_fails 1 "No such container: nosuch" exec nosuch true
}

# ---- lookups ----------------------------------------------------------------

@test "lookup by name, full ID, 12-hex prefix and a short unique prefix" {
    run_d --name look --network none --hostname lookhost -- sleep 3600
    local id=$cid prefix
    # the shortest prefix no other container shares (there is only this one)
    prefix=${id:0:3}
    for ref in look "$id" "${id:0:12}" "$prefix"; do
        berth_ok exec "$ref" hostname
        assert_eq "$output" lookhost "exec $ref"
        assert_eq "$(ctr_id "$ref")" "$id" "inspect $ref"
    done
    berth_ok stop -t 1 "$prefix"
    assert_eq "$(ctr_status look)" exited "State.Status"
    berth_ok rm "${id:0:12}"
    berth_fails 1 "No such container: look" inspect look
}

@test "an ambiguous prefix finds nothing; a longer one does" {
    local ids=() id c first=""
    # start containers until two IDs share their first hex digit
    for _ in $(seq 1 17); do
        run_d --network none -- true
        for id in "${ids[@]}"; do
            if [ "${id:0:1}" = "${cid:0:1}" ]; then
                first=$id
                break
            fi
        done
        [ -n "$first" ] && break
        ids+=("$cid")
    done
    [ -n "$first" ] || fail "no two IDs share a first digit"
    run --separate-stderr berth inspect "${cid:0:1}"
    assert_eq "$status" 1 "exit status of inspect of an ambiguous prefix"
    assert_match "$stderr" '^berth: error: ' "stderr"
    c=1
    while [ "${first:0:$c}" = "${cid:0:$c}" ]; do c=$((c + 1)); done
    assert_eq "$(ctr_id "${cid:0:$c}")" "$cid" "inspect of the unique prefix ${cid:0:$c}"
}

@test "a name wins over an ID prefix" {
    run_d --name target1 --network none -- sleep 3600
    local target=$cid
    run_d --name "${target:0:6}" --network none -- sleep 3600
    assert_eq "$(ctr_id "${target:0:6}")" "$cid" "inspect ${target:0:6} (a name)"
}

@test "No such container: foo for every command" {
    berth_fails 1 "No such container: foo" inspect foo
    berth_fails 1 "No such container: foo" stop foo
    berth_fails 1 "No such container: foo" rm foo
    berth_fails 1 "No such container: foo" rm -f foo
    berth_fails 1 "No such container: foo" logs foo
    berth_fails 1 "No such container: foo" exec foo true
}
