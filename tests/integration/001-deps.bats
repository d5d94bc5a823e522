#!/usr/bin/env bats
#
# What the tests, the demo and the benchmarks need, scripts/deps.sh installs,
# and nothing else installs anything: every command they run comes from a
# Debian package `scripts/deps.sh --list` names (or one those bring), so a
# fresh machine misses none; --list changes nothing; a script that finds
# something missing fails, naming the package.

# bats sets status, output, stderr, lines
# shellcheck disable=SC2154

load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
DEPS=$REPO/scripts/deps.sh

# Every external command that tests/ (tap-exec too), `make check`,
# scripts/demo.sh, scripts/mkrootfs and bench/ run, also in containers
# without --rootfs (they run the host's files), and the files they read that
# no command stands for.  A new one goes here.
COMMANDS=(
    # build, test and benchmark runners
    make cc ar pkg-config scdoc install prove bats
    # fuzz targets: clang, and libFuzzer's runtime, which it does not bring
    clang "$(clang -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(uname -m).a"
    # the kernel's view
    ip ss bridge nft sysctl ping
    # namespaces and mounts
    unshare nsenter setpriv mount umount
    # data, servers, load
    python3 sqlite3 bc iperf3
    # DNS: a client, a fake upstream server, a load generator (090)
    dig dnsmasq dnsperf
    # real CNI clients driving berth's plugin (101, 102): Podman, its
    # monitor and runtime; containerd, its shim and ctr
    podman conmon runc containerd containerd-shim-runc-v2 ctr
    # dockerd driving berth's Docker plugin (111), with Debian's client
    dockerd /usr/bin/docker tar
    # peers the benchmarks run side by side with berth: netavark; the CNI
    # reference plugins (bench/cni.sh), iptables-save to count their rules
    /usr/lib/podman/netavark iptables iptables-save
    /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/portmap
    # scripts/mkrootfs and --rootfs containers
    busybox ldd
    # manual and completion (018)
    man /usr/share/bash-completion/bash_completion
    # libberth as a C or C++ program takes it (050)
    g++ nm readelf
    # shells and text
    bash sh awk sed grep find cmp diff hostname
    cat chmod comm cp cut date dirname echo env head ln ls mkdir mknod mktemp mv
    paste pgrep readlink realpath rm rmdir seq sleep sort stat tail touch tr true uniq wc xargs
    # this file
    dpkg-query update-alternatives
)

# deps_closure PACKAGE...: the packages, and recursively every installed
# package they depend on (Depends, Pre-Depends; each alternative, each
# provider of a virtual package): what installing them brings.
deps_closure() {
    # shellcheck disable=SC2016
    dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Provides}\t${Depends}, ${Pre-Depends}\n' |
        python3 -c '
import re, sys

def names(field):
    return {re.split(r"[\s(:]", a.strip())[0] for a in re.split(r"[,|]", field) if a.strip()}

deps, providers = {}, {}
for line in sys.stdin:
    status, pkg, provides, depends = line.rstrip("\n").split("\t")
    if status[1] == "i":
        deps.setdefault(pkg, set()).update(names(depends))
        for v in names(provides):
            providers.setdefault(v, set()).add(pkg)
todo, seen = sys.argv[1:], set()
while todo:
    p = todo.pop()
    if p not in seen:
        seen.add(p)
        todo += deps.get(p, set()) | providers.get(p, set())
print("\n".join(sorted(seen)))
' "$@"
}

# usr_twin PATH: PATH's other name under merged /usr (dpkg may have recorded
# /bin/x for what is /usr/bin/x, or the other way round).
usr_twin() {
    case $1 in
    /usr/bin/* | /usr/sbin/* | /usr/lib/*) echo "${1#/usr}" ;;
    /bin/* | /sbin/* | /lib/*) echo "/usr$1" ;;
    esac
}

# link_chain PATH: PATH and, for a link, the file it ends at; for a link into
# /etc/alternatives, each alternative and its file too.
link_chain() {
    local a target
    echo "$1"
    [ -L "$1" ] || return 0
    readlink -f "$1"
    target=$(readlink "$1")
    if [[ $target == /etc/alternatives/* ]]; then
        for a in $(update-alternatives --list "${target##*/}"); do
            echo "$a"
            readlink -f "$a"
        done
    fi
}

# command_paths CMD: where CMD is (type -P: command -v without builtins; a
# file as it is) with its link chain; when a local install (pyenv,
# /usr/local) comes first in PATH, also Debian's own in /usr/sbin, /usr/bin,
# /sbin or /bin.
command_paths() {
    local p d
    if [[ $1 == /* ]]; then
        [ -e "$1" ] && link_chain "$1"
        return
    fi
    p=$(type -P "$1") || return 1
    link_chain "$p"
    case $p in
    /usr/sbin/* | /usr/bin/* | /sbin/* | /bin/*) ;;
    *)
        for d in /usr/sbin /usr/bin /sbin /bin; do
            [ ! -x "$d/$1" ] || link_chain "$d/$1"
        done
        ;;
    esac
}

@test "every command the tests, the demo and the benchmarks run comes from a package scripts/deps.sh installs" {
    local listed closure c p line pkg path bad=() missing=()
    listed=$("$DEPS" --list) || fail "scripts/deps.sh --list failed"
    # shellcheck disable=SC2086
    closure=" $(deps_closure $listed | tr '\n' ' ') "

    local -A paths_of
    for c in "${COMMANDS[@]}"; do
        paths_of[$c]=$(command_paths "$c") || missing+=("$c")
    done
    [ ${#missing[@]} -eq 0 ] ||
        fail "not installed: ${missing[*]} (scripts/deps.sh should have installed them)" || return 1

    # one dpkg-query for every path and its /usr twin: PATH -> its packages
    local -A owners
    local all=() twin
    for c in "${COMMANDS[@]}"; do
        for p in ${paths_of[$c]}; do
            twin=$(usr_twin "$p")
            all+=("$p" ${twin:+"$twin"})
        done
    done
    while IFS= read -r line; do
        [[ $line == "diversion by "* ]] && continue
        path=${line#*: }
        for pkg in ${line%%: /*}; do
            pkg=${pkg%,}
            owners[$path]+=" ${pkg%%:*}" # without :ARCH
        done
    done < <(dpkg-query -S "${all[@]}" 2>/dev/null)

    local found ok
    for c in "${COMMANDS[@]}"; do
        found="" ok=0
        for p in ${paths_of[$c]}; do
            twin=$(usr_twin "$p")
            for pkg in ${owners[$p]:-} ${twin:+${owners[$twin]:-}}; do
                [[ " $found " == *" $pkg "* ]] || found+=" $pkg"
                [[ $closure == *" $pkg "* ]] && ok=1
            done
        done
        [ $ok = 1 ] && continue
        p=${paths_of[$c]%%$'\n'*}
        [ "$p" != "$c" ] || p=""
        if [ -z "$found" ]; then
            bad+=("$c${p:+ ($p)}: in no Debian package")
        else
            bad+=("$c${p:+ ($p)}: from${found}, which scripts/deps.sh --list does not name or bring")
        fi
    done
    [ ${#bad[@]} -eq 0 ] || fail "${bad[@]}"
}

# stubs DIR NAME...: programs NAME in DIR that log their call to DIR/calls
# and fail, to be put first in PATH.
stubs() {
    local dir=$1 n
    shift
    mkdir -p "$dir"
    : >"$dir/calls"
    for n in "$@"; do
        printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\nexit 1\n' "$n" "$dir" >"$dir/$n"
        chmod +x "$dir/$n"
    done
}

@test "scripts/deps.sh --list prints package names, needs no root and runs no package tool" {
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$DEPS" --list
    assert_eq "$status" 0 "exit status as nobody (stderr: $stderr)"
    assert_eq "$stderr" "" "stderr as nobody"
    local as_nobody=$output
    [ ${#lines[@]} -ge 10 ] || fail "only ${#lines[@]} packages listed" "$output" || return 1
    local p
    for p in "${lines[@]}"; do
        assert_match "$p" '^[a-z0-9][a-z0-9+.-]+$' "a package name" || return 1
    done
    assert_eq "$(sort <<<"$output" | uniq -d)" "" "packages listed twice"

    local s=$BATS_TEST_TMPDIR/stubs
    stubs "$s" apt-get apt aptitude dpkg dpkg-query
    run --separate-stderr env PATH="$s:$PATH" "$DEPS" --list
    assert_eq "$status" 0 "exit status as root (stderr: $stderr)"
    assert_eq "$output" "$as_nobody" "the list as root"
    assert_eq "$(cat "$s/calls")" "" "package tools called"
}

@test "every listed package is installed: scripts/deps.sh has nothing to do and says nothing" {
    local s=$BATS_TEST_TMPDIR/stubs
    stubs "$s" apt-get apt aptitude dpkg
    run --separate-stderr env PATH="$s:$PATH" "$DEPS"
    assert_eq "$status" 0 "exit status of scripts/deps.sh (stderr: $stderr)"
    assert_eq "$output$stderr" "" "what scripts/deps.sh printed"
    assert_eq "$(cat "$s/calls")" "" "package tools called"
}

@test "no file under tests/, scripts/ or bench/ installs packages, but scripts/deps.sh" {
    local f offenders=()
    while IFS= read -r f; do
        case $f in
        "$DEPS" | "$BATS_TEST_FILENAME") ;; # this file names them to look for them
        *) offenders+=("${f#"$REPO"/}") ;;
        esac
    done < <(grep -rlE 'apt-get|aptitude|apt +install|dpkg +(-i|--install)' "$REPO/tests" "$REPO/scripts" "$REPO/bench")
    [ ${#offenders[@]} -eq 0 ] || fail "install packages themselves: ${offenders[*]}"
}

@test "scripts/mkrootfs without a static /bin/busybox fails, naming busybox-static, and installs nothing" {
    # bind mounts in this file's mount namespace only
    local want="install the Debian package busybox-static (scripts/deps.sh does)"
    mount --bind "$(type -P true)" /bin/busybox # a dynamically linked program
    run --separate-stderr "$REPO/scripts/mkrootfs" "$BATS_TEST_TMPDIR/r1"
    umount /bin/busybox
    assert_eq "$status" 1 "exit status with a dynamic busybox"
    assert_eq "$stderr" "mkrootfs: /bin/busybox is not statically linked: $want" "stderr with a dynamic busybox"

    mount --bind /dev/null /bin/busybox # not executable
    run --separate-stderr "$REPO/scripts/mkrootfs" "$BATS_TEST_TMPDIR/r2"
    umount /bin/busybox
    assert_eq "$status" 1 "exit status without busybox"
    assert_eq "$stderr" "mkrootfs: /bin/busybox is missing: $want" "stderr without busybox"
    [ ! -e "$BATS_TEST_TMPDIR/r2" ] || fail "mkrootfs made $BATS_TEST_TMPDIR/r2 anyway"
}
