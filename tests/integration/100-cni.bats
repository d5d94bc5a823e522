#!/usr/bin/env bats
#
# berth as a CNI plugin (issue 15): a runtime executes the berth binary
# with no arguments, CNI_COMMAND and the rest in its environment and the
# network's configuration on stdin, and reads the result or the spec's
# error object on stdout.  So far: VERSION, and the errors every command
# shares.

# bats and helpers set status, output, stderr
# shellcheck disable=SC2154

load helpers

CONF='{"cniVersion": "1.0.0", "name": "bnet", "type": "berth"}'

# cni COMMAND [STDIN]: berth as a runtime runs its plugin (no arguments)
cni() {
    local cmd=$1 input=${2-$CONF}
    run --separate-stderr env CNI_COMMAND="$cmd" CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/none CNI_IFNAME=eth0 \
        CNI_PATH=/nonexistent bash -c 'printf "%s" "$1" | berth' _ "$input"
}

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

@test "with arguments berth is the CLI even when CNI_COMMAND is set" {
    run --separate-stderr env CNI_COMMAND=ADD berth --version
    assert_eq "$status" 0 "exit status"
    assert_contains "$output" "berth version" "stdout"
}
