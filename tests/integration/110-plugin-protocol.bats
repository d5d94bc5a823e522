#!/usr/bin/env bats
#
# berth as dockerd's network plugin (issue 16), first step: `berth plugin
# serve` runs berth-plugin, which answers libnetwork's remote driver API
# over HTTP on a unix socket (dockerd POSTs JSON to /Plugin.Activate,
# /NetworkDriver.*, /IpamDriver.*). So far it activates and tells its
# capabilities; the methods that make networks, endpoints and addresses
# answer 501 with a message, and everything malformed gets a status and
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

@test "what is not served yet, unknown paths, other methods, bad JSON and huge bodies get a status and an error object" {
    serve_bg
    call POST /NetworkDriver.CreateNetwork '{"NetworkID":"abc"}'
    assert_eq "$output" '501 application/vnd.docker.plugins.v1+json {"Err":"NetworkDriver.CreateNetwork is not served yet by this build of berth","Error":"NetworkDriver.CreateNetwork is not served yet by this build of berth"}' \
        "a method not served yet"
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
