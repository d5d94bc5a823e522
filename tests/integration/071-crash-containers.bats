#!/usr/bin/env bats
# Issue 12: a crash at any step of run -d (two published ports), network
# connect and disconnect, stop and rm -f never wedges berth: after berth
# is killed right after any of its steps, `system reconcile` and `system
# check` pass, the container works or can be removed, a fresh one with the
# same name, address and host ports runs, and once everything is removed
# the host is as after an uncrashed run. crash_helpers.bash says how.

load helpers
load crash_helpers

@test "a crash after any step of run -d with two published ports" {
    crash_every_step run
}

@test "a crash after any step of network connect" {
    crash_every_step connect
}

@test "a crash after any step of network disconnect" {
    crash_every_step disconnect
}

@test "a crash after any step of stop" {
    crash_every_step stop
}

@test "a crash after any step of rm -f (running)" {
    crash_every_step rm
}
