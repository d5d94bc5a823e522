#!/usr/bin/env bats
# Issue 12: a crash at any step of network create and rm (bridge and
# macvlan) never wedges berth. After berth is killed right after any of
# its steps, `system reconcile` and `system check` pass, the network works
# or is gone (and can be made again), and once everything is removed the
# host is as after an uncrashed run. crash_helpers.bash says how.

load helpers
load crash_helpers

@test "a crash after any step of the first network create on a fresh host (berth0, the table, the network)" {
    crash_every_step create
}

@test "a crash after any step of network rm (bridge)" {
    crash_every_step rm_net
}

@test "a crash after any step of network create -d macvlan" {
    crash_every_step mv_create
}

@test "a crash after any step of network rm (macvlan)" {
    crash_every_step mv_rm
}
