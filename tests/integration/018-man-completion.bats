#!/usr/bin/env bats
#
# The manual and tab completion: every page man(1) would install renders
# without a warning, each page documents exactly the flags its commands'
# --help lists (so neither can drift from the other), the bash completion
# offers commands, flags, network and container names (asking the state the
# line's --root/--run-dir name), and `make install` puts pages and
# completion where man and bash-completion look.

# bats sets status, output, lines; helpers set net_id.  Lists ($PAGES, flags)
# are split on purpose.
# shellcheck disable=SC2154,SC2086

load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD_DIR=$(dirname "$(command -v berth)")
PAGES="berth berth-network berth-run berth-exec berth-ps berth-inspect berth-stop berth-rm berth-logs
berth-port berth-system berth-dns berth-plugin"
export LC_ALL=C.UTF-8

teardown() {
    container_teardown
}

# ---- helpers ----------------------------------------------------------------

# help_flags ARGS...: the flags `berth ARGS --help` lists, one per line, sorted.
help_flags() {
    berth "$@" --help | grep -E '^ +-' | sed -E 's/^ +//; s/ {2,}.*//' |
        grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z0-9-]*' | tr -d ' ,' | sort -u
}

# help_commands ARGS...: the (sub)commands `berth ARGS --help` lists.
help_commands() { berth "$@" --help | grep -E '^  [a-z]+ ' | awk '{ print $1 }' | sort; }

# page_text PAGE [SECTION]: the scdoc source of PAGE, or of its subsection
# "## SECTION" (up to the next heading).
page_text() {
    local src=$REPO/docs/man/$1.8.scd
    if [ -z "${2:-}" ]; then
        cat "$src"
    else
        awk -v want="$2" '/^#/ { on = ($0 == "# " want || $0 == "## " want); next } on' "$src"
    fi
}

# documented_flags TEXT: the flags of the option list in TEXT (lines that
# start with "*-"), one per line, sorted.
documented_flags() {
    grep -E '^\*-' <<<"$1" | grep -oE -- '\*--?[a-zA-Z][a-zA-Z0-9-]*\*' | tr -d '*' | sort -u
}

# assert_documented PAGE SECTION "EXTRA" ARGS...: the option list of PAGE
# (SECTION) is exactly the flags of `berth ARGS --help` plus EXTRA (flags
# accepted but left out of --help).
assert_documented() {
    local page=$1 section=$2 extra=$3 want have
    shift 3
    want=$( (help_flags "$@"; printf '%s\n' $extra) | grep . | sort -u)
    have=$(documented_flags "$(page_text "$page" "$section")")
    assert_eq "$have" "$want" "flags documented in $page(8)${section:+ ($section)} vs berth $* --help"
}

# render PAGE: the built page, as man shows it at 80 columns.
render() { MANWIDTH=80 man -l "$BUILD_DIR/man/$1.8" 2>&1; }

# complete_line LINE [bc]: what Tab offers at the end of LINE, one per line
# (sorted, unique), in a fresh bash with the completion script sourced (and
# bash-completion before it, with "bc").  COMP_WORDS is split as readline
# splits it: at blanks and around COMP_WORDBREAKS' = and :.
complete_line() {
    bash -c '
        [ "$2" = bc ] && source /usr/share/bash-completion/bash_completion
        source "$3"
        line=$1 w=""
        words=()
        for ((i = 0; i < ${#line}; i++)); do
            c=${line:i:1}
            case $c in
            " ") [ -n "$w" ] && words+=("$w"); w="" ;;
            = | :) [ -n "$w" ] && words+=("$w"); words+=("$c"); w="" ;;
            *) w+=$c ;;
            esac
        done
        words+=("$w")
        COMP_LINE=$line COMP_POINT=${#line}
        COMP_WORDS=("${words[@]}") COMP_CWORD=$((${#words[@]} - 1))
        _berth
        printf "%s\n" "${COMPREPLY[@]}"
    ' complete_line "$1" "${2:-}" "$REPO/completion/berth.bash" | grep . | sort -u
}

# assert_offers LINE WORD...: Tab at the end of LINE offers each WORD, with
# and without bash-completion loaded.
assert_offers() {
    local line=$1 mode got w
    shift
    for mode in bc plain; do
        got=$(complete_line "$line" "$mode")
        for w in "$@"; do
            assert_match "$got" "(^|"$'\n'")$w(\$|"$'\n'")" "completion of '$line' ($mode)" || return 1
        done
    done
}

# assert_offers_exactly LINE WORDS: the sorted replies are WORDS (a list).
assert_offers_exactly() {
    local mode
    for mode in bc plain; do
        assert_eq "$(complete_line "$1" "$mode")" "$(printf '%s\n' $2 | sort -u)" \
            "completion of '$1' ($mode)" || return 1
    done
}

# ---- man pages --------------------------------------------------------------

@test "the build has a page per command group, and each renders without a warning" {
    local page warnings
    for page in $PAGES; do
        [ -f "$BUILD_DIR/man/$page.8" ] || fail "no $BUILD_DIR/man/$page.8 (make all builds it)"
        # --warnings=w: every warning groff has
        warnings=$(MANWIDTH=80 man --warnings=w -l "$BUILD_DIR/man/$page.8" 2>&1 >/dev/null)
        assert_eq "$warnings" "" "warnings of man -l $page.8"
        assert_contains "$(render "$page")" $'NAME\n'"       $page - " "$page(8) as man shows it"
    done
    assert_eq "$(cd "$BUILD_DIR/man" && ls)" "$(printf '%s.8\n' $PAGES | sort)" "pages in $BUILD_DIR/man"
}

@test "every command has a page or a section of one" {
    local cmd sub
    for cmd in $(help_commands); do
        case $cmd in
        network | system | dns)
            for sub in $(help_commands "$cmd"); do
                [ -n "$(page_text "berth-$cmd" "$cmd $sub")" ] ||
                    fail "berth-$cmd(8) has no section '## $cmd $sub'" || return 1
            done
            ;;
        help | version) ;;
        *) [ -f "$REPO/docs/man/berth-$cmd.8.scd" ] || fail "no page berth-$cmd(8)" || return 1 ;;
        esac
        assert_contains "$(page_text berth COMMANDS)" "*$cmd*" "COMMANDS of berth(8)"
    done
}

@test "the pages document exactly the flags --help lists" {
    local sub cmd
    assert_documented berth "GLOBAL OPTIONS" ""
    for sub in $(help_commands network); do
        assert_documented berth-network "network $sub" "" network "$sub"
    done
    for sub in $(help_commands system); do
        assert_documented berth-system "system $sub" "" system "$sub"
    done
    for sub in $(help_commands dns); do
        assert_documented berth-dns "dns $sub" "" dns "$sub"
    done
    for cmd in run ps inspect stop rm logs port; do
        assert_documented "berth-$cmd" "" "" "$cmd"
    done
    # docker exec -it: accepted (and ignored), so documented
    assert_documented berth-exec "" "-i -t" exec
    berth_fails 1 "No such container: nosuch" exec -i -t nosuch true
}

@test "the rendered pages show every flag of --help" {
    local text flag sub
    text=$(render berth-network)
    for sub in $(help_commands network); do
        for flag in $(help_flags network "$sub"); do
            assert_contains "$text" "$flag" "berth-network(8) (network $sub)"
        done
    done
    text=$(render berth-run)
    for flag in $(help_flags run); do
        assert_contains "$text" "$flag" "berth-run(8)"
    done
    assert_contains "$(render berth)" "BERTH_RUNDIR" "berth(8)"
}

# ---- completion ---------------------------------------------------------------

@test "completion: commands and subcommands, as --help lists them" {
    assert_offers_exactly "berth " "$(help_commands)"
    assert_offers_exactly "berth network " "$(help_commands network)"
    assert_offers_exactly "berth system " "$(help_commands system)"
    assert_offers_exactly "berth dns " "$(help_commands dns)"
    assert_offers_exactly "berth help network " "$(help_commands network)"
    assert_offers "berth net" network
}

@test "completion: each command's flags are those of its --help" {
    local sub cmd
    assert_offers_exactly "berth -" "$(help_flags)"
    for sub in $(help_commands network); do
        assert_offers_exactly "berth network $sub -" "$(help_flags network "$sub"; echo --help)"
    done
    assert_offers_exactly "berth network list -" "$(help_flags network ls; echo --help)"
    for cmd in run ps inspect stop rm logs port; do
        assert_offers_exactly "berth $cmd -" "$(help_flags "$cmd"; echo --help)"
    done
    assert_offers_exactly "berth exec -" "$(help_flags exec; echo --help -i -t)"
}

@test "completion: network names" {
    create_net frontend
    assert_offers "berth network rm fr" frontend
    assert_offers_exactly "berth network rm " frontend # predefined ones cannot be removed
    assert_offers "berth network inspect " bridge host none frontend
    assert_offers "berth network connect " bridge frontend
    assert_offers "berth run --network fr" frontend
    assert_offers "berth run -d --network=fr" frontend
    assert_offers "berth network ls -f type=" builtin custom
    assert_offers "berth network create -d " bridge macvlan
}

@test "completion: container names" {
    create_net frontend
    run_d --name web --network frontend -- sleep 300
    berth_ok run --name old --network none -- true
    assert_offers_exactly "berth exec " web
    assert_offers_exactly "berth stop w" web
    assert_offers_exactly "berth rm " "old web"
    assert_offers "berth logs " old web
    assert_offers "berth network disconnect frontend " web
    assert_offers "berth run --network container:w" web
    # after the container, exec completes the command it runs
    assert_offers "berth exec web slee" sleep
}

@test "completion: names come from the state --root and --run-dir name" {
    local root=$BERTH_ROOT run=$BERTH_RUNDIR empty=$BATS_TEST_TMPDIR/empty
    create_net frontend
    mkdir -p "$empty"
    # the environment points elsewhere: only the flags lead to the state
    BERTH_ROOT=$BATS_TEST_TMPDIR/noroot BERTH_RUNDIR=$BATS_TEST_TMPDIR/norun \
        assert_offers "berth --root $root --run-dir $run network rm fr" frontend
    BERTH_ROOT=$BATS_TEST_TMPDIR/noroot BERTH_RUNDIR=$BATS_TEST_TMPDIR/norun \
        assert_offers "berth --root=$root --run-dir=$run network rm fr" frontend
    [ ! -e "$BATS_TEST_TMPDIR/norun" ] || fail "completion used BERTH_RUNDIR despite --run-dir"
    # no state there: no names, and a Tab does not set berth up
    assert_offers_exactly "berth --root $empty --run-dir $empty network rm " ""
    assert_eq "$(ls -A "$empty")" "" "files made in an empty --root by completion"
}

# ---- make install -----------------------------------------------------------

@test "make install puts the pages and the completion where man and bash-completion look" {
    local dest=$BATS_TEST_TMPDIR/dest build page
    build=$(realpath --relative-to="$REPO" "$BUILD_DIR")
    # -o: install what is built, compile nothing
    run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$REPO" --no-print-directory BUILD="$build" DESTDIR="$dest" PREFIX=/usr \
        -o "$build/berth" -o "$build/libberth.a" install
    assert_eq "$status" 0 "make install (output: $output)"
    for page in $PAGES; do
        [ -f "$dest/usr/share/man/man8/$page.8" ] || fail "$page.8 not installed" || return 1
        assert_eq "$(man -M "$dest/usr/share/man" -w "$page")" "$dest/usr/share/man/man8/$page.8" "man -w $page"
    done
    assert_eq "$(cat "$dest/usr/share/bash-completion/completions/berth")" \
        "$(cat "$REPO/completion/berth.bash")" "installed completion"
    [ -x "$dest/usr/bin/berth" ] || fail "berth not installed"
    # bash-completion's loader finds it by the command's name
    run env XDG_DATA_DIRS="$dest/usr/share" bash -c \
        'source /usr/share/bash-completion/bash_completion; __load_completion berth; complete -p berth'
    assert_eq "$output" "complete -F _berth berth" "complete -p berth after loading"
}
