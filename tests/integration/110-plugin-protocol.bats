#!/usr/bin/env bats
#
# berth as dockerd's network plugin (issue 16), first step: `berth plugin
# serve` runs berth-plugin, which answers libnetwork's remote driver API
# over HTTP on a unix socket (dockerd POSTs JSON to /Plugin.Activate,
# /NetworkDriver.*, /IpamDriver.*). So far it activates and tells its
# capabilities, makes networks, endpoints and addresses when dockerd's
# calls come as dockerd sends them (the bodies of ../shared/clients'
# recording, replayed here), and gives everything malformed a status and
# an error object. dockerd itself drives it in later files.

# bats and helpers set status, output, stderr
# shellcheck disable=SC2154

load helpers

SOCK=

setup() {
    SOCK=$BATS_TEST_TMPDIR/plugins/berth.sock
}

teardown() {
    local pid
    for pid in $(pgrep -f "berth-plugin" 2>/dev/null); do
        kill "$pid" 2>/dev/null || true
    done
}

# A client for the socket: METHOD PATH [BODY] prints "STATUS TYPE BODY";
# BODY "HUGE" is a JSON object of 1.1 MB (too long for an argument).
CLIENT='
import http.client, socket, sys
class Conn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=5)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)
c = Conn(sys.argv[1])
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
if body == b"HUGE":
    body = b"{\"a\":\"" + b"x" * 1100000 + b"\"}"
c.request(sys.argv[2], sys.argv[3], body=body, headers={"Accept": "application/vnd.docker.plugins.v1.2+json"})
r = c.getresponse()
print(r.status, r.getheader("Content-Type"), r.read().decode())
'

# call METHOD PATH [BODY]: $status of the client, $output "STATUS TYPE BODY"
call() { run python3 -c "$CLIENT" "$SOCK" "$@"; }

# serve_bg [ARGS...]: berth plugin serve on $SOCK in the background, once it answers
serve_bg() {
    berth plugin serve --socket "$SOCK" "$@" 2>"$BATS_TEST_TMPDIR/serve.err" &
    SERVER=$!
    wait_until 10 test -S "$SOCK" || fail "no socket (stderr: $(cat "$BATS_TEST_TMPDIR/serve.err"))"
}

@test "Activate and the capabilities: a local NetworkDriver and IpamDriver, in Docker's media type" {
    serve_bg
    call POST /Plugin.Activate '{}'
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {"Implements":["NetworkDriver","IpamDriver"]}' \
        "Plugin.Activate"
    call POST /NetworkDriver.GetCapabilities ''
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {"Scope":"local","ConnectivityScope":"local"}' \
        "NetworkDriver.GetCapabilities (empty body)"
    call POST /IpamDriver.GetCapabilities '{}'
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {"RequiresMACAddress":false,"RequiresRequestReplay":false}' \
        "IpamDriver.GetCapabilities"
    call POST /IpamDriver.GetDefaultAddressSpaces '{}'
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {"LocalDefaultAddressSpace":"LocalDefault","GlobalDefaultAddressSpace":"GlobalDefault"}' \
        "IpamDriver.GetDefaultAddressSpaces"
    call POST /NetworkDriver.DiscoverNew '{"DiscoveryType":1,"DiscoveryData":{}}'
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "NetworkDriver.DiscoverNew"
}

@test "unknown paths, other methods, bad JSON and huge bodies get a status and an error object" {
    serve_bg
    call POST /Nope.Nothing '{}'
    assert_match "$output" '^404 .*"Err":"/Nope.Nothing: no such method of berth.s plugin"' "an unknown path"
    call GET /Plugin.Activate
    assert_match "$output" '^405 .*"Err":"GET /Plugin.Activate: the plugin API takes POST only"' "GET"
    call POST /Plugin.Activate '{"a":'
    assert_match "$output" '^400 .*"Err":"/Plugin.Activate: the request is not JSON: line 1, column' "bad JSON"
    call POST /Plugin.Activate '[1]'
    assert_match "$output" '^400 .*"Err":"/Plugin.Activate: the request is not a JSON object"' "not an object"
    call POST /Plugin.Activate HUGE
    assert_match "$output" '^413 .*"Err":"/Plugin.Activate: the request is larger than 1048576 bytes"' "a huge body"
    call POST /Plugin.Activate '{}'
    assert_match "$output" '^200 ' "still serving after all that"
}

@test "one server per socket: a second is refused, a stale socket file is replaced, SIGTERM ends it and takes the file" {
    serve_bg
    run --separate-stderr berth plugin serve --socket "$SOCK"
    assert_eq "$status" 1 "a second server"
    assert_eq "$stderr" "berth: error: another plugin server answers on $SOCK" "its message"
    kill -TERM "$SERVER"
    wait "$SERVER" || fail "berth plugin serve exited $? on SIGTERM"
    [ ! -e "$SOCK" ] || fail "the socket file stays after SIGTERM"
    python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SOCK"
    serve_bg
    call POST /Plugin.Activate '{}'
    assert_match "$output" '^200 ' "served on the socket a dead server left"
}

@test "bad usage: arguments, unknown flags, a socket path too long" {
    berth_usage_error plugin serve extra
    berth_usage_error plugin serve --nope
    run --separate-stderr berth plugin serve --socket "/tmp/$(printf 'x%.0s' $(seq 1 120))/berth.sock"
    assert_eq "$status" 1 "a path too long"
    assert_match "$stderr" "^berth: error: socket path /tmp/x+/berth.sock is too long \\(at most 107 characters\\)$" "its message"
    echo keep >"$BATS_TEST_TMPDIR/file"
    run --separate-stderr berth plugin serve --socket "$BATS_TEST_TMPDIR/file"
    assert_eq "$stderr" "berth: error: $BATS_TEST_TMPDIR/file exists and is not a socket" "a file in the way"
    assert_eq "$(cat "$BATS_TEST_TMPDIR/file")" keep "the file is left alone"
}

# json_field JSON EXPR: EXPR of the parsed JSON d, printed
json_field() { python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

@test "dockerd's calls replayed: a pool, its gateway, the network, an endpoint that joins a sandbox and talks, then all of it undone; repeats answered alike" {
    local net=d0c0000000000000000000000000000000000000000000000000000000000aaa
    local ep=e0c0000000000000000000000000000000000000000000000000000000000001
    local pool=LocalDefault/10.90.0.0/24
    serve_bg
    call POST /IpamDriver.RequestPool '{"AddressSpace":"LocalDefault","Pool":"10.90.0.0/24","SubPool":"","Options":{},"V6":false}'
    assert_eq "$output" "200 application/vnd.docker.plugins.v1+json {\"PoolID\":\"$pool\",\"Pool\":\"10.90.0.0/24\",\"Data\":{}}" "RequestPool"
    call POST /IpamDriver.RequestAddress "{\"PoolID\":\"$pool\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {"Address":"10.90.0.1/24","Data":{}}' "the gateway's address"
    local create="{\"NetworkID\":\"$net\",\"Options\":{\"com.docker.network.enable_ipv6\":false,\"com.docker.network.generic\":{}},\"IPv4Data\":[{\"AddressSpace\":\"LocalDefault\",\"Gateway\":\"10.90.0.1/24\",\"Pool\":\"10.90.0.0/24\"}],\"IPv6Data\":[]}"
    call POST /NetworkDriver.CreateNetwork "$create"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "CreateNetwork"
    call POST /NetworkDriver.CreateNetwork "$create"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "CreateNetwork again (dockerd's retry)"
    assert_eq "$(net_get "docker-${net:0:12}" 'd["Id"]')" "$net" "berth network inspect: dockerd's ID"
    assert_contains "$(ip -o -4 addr show dev "br-${net:0:12}")" 10.90.0.1/24 "the bridge has the gateway"

    call POST /IpamDriver.RequestAddress "{\"PoolID\":\"$pool\",\"Address\":\"\",\"Options\":{}}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {"Address":"10.90.0.2/24","Data":{}}' "an endpoint's address"
    local opts='"Options":{"com.docker.network.endpoint.exposedports":[],"com.docker.network.portmap":[]}'
    call POST /NetworkDriver.CreateEndpoint "{\"NetworkID\":\"$net\",\"EndpointID\":\"$ep\",\"Interface\":{\"Address\":\"10.90.0.2/24\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"},$opts}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {"Interface":{"MacAddress":"02:42:0a:5a:00:02"}}' \
        "CreateEndpoint fills only the MAC dockerd left empty"
    ip netns add "sb$$"
    call POST /NetworkDriver.Join "{\"NetworkID\":\"$net\",\"EndpointID\":\"$ep\",\"SandboxKey\":\"/run/netns/sb$$\",$opts}"
    local body=${output#* * }
    assert_eq "${output%% *}" 200 "Join: $output"
    local src; src=$(json_field "$body" 'd["InterfaceName"]["SrcName"]')
    assert_eq "$(json_field "$body" '[d["InterfaceName"]["DstPrefix"], d["Gateway"]]')" "['eth', '10.90.0.1']" "Join's reply"
    # what dockerd does then
    ip link set "$src" netns "sb$$"
    ip -n "sb$$" link set "$src" name eth0
    ip -n "sb$$" addr add 10.90.0.2/24 dev eth0
    ip -n "sb$$" link set eth0 up
    ip netns exec "sb$$" ping -c1 -W2 10.90.0.1 >/dev/null || fail "the sandbox cannot reach the gateway"
    call POST /NetworkDriver.ProgramExternalConnectivity "{\"NetworkID\":\"$net\",\"EndpointID\":\"$ep\",$opts}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "ProgramExternalConnectivity without ports"
    call POST /NetworkDriver.EndpointOperInfo "{\"NetworkID\":\"$net\",\"EndpointID\":\"$ep\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {"Value":{}}' "EndpointOperInfo"
    berth_ok ps
    assert_contains "$output" "docker-sb$$" "berth ps shows dockerd's sandbox"

    # the container stops: Revoke, Leave, DeleteEndpoint, ReleaseAddress
    call POST /NetworkDriver.RevokeExternalConnectivity "{\"NetworkID\":\"$net\",\"EndpointID\":\"$ep\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "RevokeExternalConnectivity"
    call POST /NetworkDriver.Leave "{\"NetworkID\":\"$net\",\"EndpointID\":\"$ep\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "Leave"
    ip -n "sb$$" link set eth0 down
    ip -n "sb$$" link set eth0 name "$src"
    ip -n "sb$$" link set "$src" netns 1
    ip netns del "sb$$"
    call POST /NetworkDriver.DeleteEndpoint "{\"NetworkID\":\"$net\",\"EndpointID\":\"$ep\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "DeleteEndpoint"
    ip link show "$src" >/dev/null 2>&1 && fail "the veth is still there"
    call POST /NetworkDriver.DeleteEndpoint "{\"NetworkID\":\"$net\",\"EndpointID\":\"$ep\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "DeleteEndpoint again"
    call POST /IpamDriver.ReleaseAddress "{\"PoolID\":\"$pool\",\"Address\":\"10.90.0.2\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "ReleaseAddress"

    # network rm: the gateway's address, the pool, then the network
    call POST /IpamDriver.ReleaseAddress "{\"PoolID\":\"$pool\",\"Address\":\"10.90.0.1\"}"
    call POST /IpamDriver.ReleasePool "{\"PoolID\":\"$pool\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "ReleasePool"
    call POST /NetworkDriver.DeleteNetwork "{\"NetworkID\":\"$net\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "DeleteNetwork"
    ip link show "br-${net:0:12}" >/dev/null 2>&1 && fail "the bridge is still there"
    berth_ok network ls
    refute_contains "$output" "docker-${net:0:12}" "berth network ls"
    call POST /NetworkDriver.DeleteNetwork "{\"NetworkID\":\"$net\"}"
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "DeleteNetwork again"
}

@test "dockerd's calls with bad fields, on what does not exist, or asking what berth refuses get a status and berth's reason; nothing is made" {
    local net=d1c0000000000000000000000000000000000000000000000000000000000bbb
    serve_bg
    call POST /NetworkDriver.CreateNetwork '{"NetworkID":7}'
    assert_match "$output" '^400 .*"Err":"CreateNetwork: NetworkID: dockerd.s network ID: expected as dockerd sends it"' "a number for an ID"
    call POST /NetworkDriver.CreateNetwork "{\"NetworkID\":\"$net\",\"IPv4Data\":[{\"Pool\":\"10.91.0.0/24\",\"Gateway\":\"10.91.0.1/24\"}],\"Options\":{\"com.docker.network.generic\":{\"no.such.option\":\"1\"}}}"
    assert_match "$output" '^400 .*no.such.option' "an option berth does not know"
    ip link show "br-${net:0:12}" >/dev/null 2>&1 && fail "a bridge was made"
    call POST /NetworkDriver.CreateEndpoint "{\"NetworkID\":\"$net\",\"EndpointID\":\"e1\",\"Interface\":{\"Address\":\"10.91.0.2/24\"}}"
    assert_match "$output" '^400 .*"Err":"invalid endpoint ID \\"e1\\": expected 64 hex digits"' "a short endpoint ID"
    call POST /NetworkDriver.Join '{"NetworkID":"x","EndpointID":"e0c0000000000000000000000000000000000000000000000000000000000009","SandboxKey":"/run/netns/none"}'
    assert_match "$output" '^500 .*"Err":"no endpoint e0c000000000"' "a Join of an endpoint never made"
    call POST /IpamDriver.RequestAddress '{"PoolID":"LocalDefault/10.99.0.0/24","Address":""}'
    assert_match "$output" '^500 .*"Error":".*no pool LocalDefault/10.99.0.0/24' "an address of no pool, in IPAM's Error field"
    call POST /IpamDriver.RequestPool '{"AddressSpace":"LocalDefault","Pool":"10.92.0.1/24"}'
    assert_match "$output" '^400 .*host bits are set' "a pool with host bits"
    call POST /NetworkDriver.ProgramExternalConnectivity "{\"NetworkID\":\"$net\",\"EndpointID\":\"e0c0000000000000000000000000000000000000000000000000000000000009\",\"Options\":{\"com.docker.network.portmap\":[{\"HostIP\":\"\",\"HostPort\":8080,\"HostPortEnd\":8080,\"IP\":\"\",\"Port\":80,\"Proto\":6}]}}"
    assert_match "$output" '^500 .*"Err":"no endpoint e0c000000000"' "ports for an endpoint never made"
    call POST /NetworkDriver.RevokeExternalConnectivity '{"NetworkID":"x","EndpointID":"e1"}'
    assert_match "$output" '^400 .*"Err":"invalid endpoint ID \\"e1\\": expected 64 hex digits"' "a Revoke of a malformed ID"
    call POST /NetworkDriver.RevokeExternalConnectivity '{"NetworkID":"x","EndpointID":"e0c0000000000000000000000000000000000000000000000000000000000009"}'
    assert_eq "$output" '200 application/vnd.docker.plugins.v1+json {}' "a Revoke of an endpoint never made: nothing to take away"
    berth_ok network ls
    refute_contains "$output" docker- "no network made"
}

@test "make install ships systemd's socket and service units; under socket activation the server answers on the socket it is given and makes none" {
    local dest=$BATS_TEST_TMPDIR/dest
    make_install "$dest"
    local units=$dest/opt/berth/lib/systemd/system
    assert_contains "$(cat "$units/berth-plugin.socket")" "ListenStream=/run/docker/plugins/berth.sock" "the socket unit"
    assert_contains "$(cat "$units/berth-plugin.service")" "ExecStart=/opt/berth/bin/berth plugin serve" "the service, with PREFIX"
    # systemd's part: a listening socket as fd 3, LISTEN_FDS and LISTEN_PID
    mkdir -p "$(dirname "$SOCK")"
    python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen()
os.dup2(s.fileno(), 3)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execvp("berth", ["berth", "plugin", "serve", "--socket", sys.argv[2]])
' "$SOCK" "$BATS_TEST_TMPDIR/not-this.sock" 2>"$BATS_TEST_TMPDIR/serve.err" &
    wait_until 10 sh -c 'python3 -c "$1" "$2" POST /Plugin.Activate "{}" >/dev/null 2>&1' _ "$CLIENT" "$SOCK" ||
        fail "no answer on systemd's socket (stderr: $(cat "$BATS_TEST_TMPDIR/serve.err"))"
    call POST /Plugin.Activate '{}'
    assert_match "$output" '^200 .*"Implements":\["NetworkDriver","IpamDriver"\]' "Activate on the passed socket"
    [ ! -e "$BATS_TEST_TMPDIR/not-this.sock" ] || fail "the server made a socket of its own"
}
