# bash completion for berth(8)                              -*- shell-script -*-
#
# Installed as share/bash-completion/completions/berth (make install), where
# bash-completion loads it the first time `berth` is completed; it also works
# sourced on its own, without bash-completion.
#
# Commands, subcommands and the flags of each; network names (network
# inspect/rm/connect/disconnect, run --network) and container names (exec,
# stop, rm, inspect, logs, port, network connect/disconnect), asked of berth
# itself with the --root/--run-dir given earlier on the line.  Names are only
# asked for when the state store exists: a Tab never sets berth up.
# tests/integration/018-man-completion.bats checks the flags against --help.

_berth_commands="dns exec help inspect logs network plugin port ps rm run stop system version"
_berth_dns_commands="serve"
_berth_plugin_commands="serve"
_berth_network_commands="connect create disconnect inspect ls prune rm"
_berth_system_commands="check reconcile"

# _berth_flags CMD: the flags of CMD ("network create", "run", "" for the
# global ones), each command's --help included.
_berth_flags() {
    case $1 in
    "") echo "--root --run-dir -h --help -v --version" ;;
    "network connect") echo "--alias --ip --ip6" ;;
    "network create") echo "--attachable -d --driver --gateway --internal --ip-range --ipv6 --label -o --opt --subnet" ;;
    "network disconnect" | "network prune" | rm) echo "-f --force" ;;
    "network ls") echo "-f --filter --format --no-trunc -q --quiet" ;;
    run) echo "--cap-add --cap-drop -d --detach --dns --dns-option --dns-search -e --env -h --hostname --ip --ip6" \
        "--mac-address --name --network --network-alias -p --privileged --publish --rm --rootfs" ;;
    exec) echo "-e --env -i --privileged -t" ;;
    ps) echo "-a --all --format --no-trunc -q --quiet" ;;
    stop) echo "-t --time" ;;
    "plugin serve") echo "--docker-host --socket" ;;
    esac
    [ -z "$1" ] || echo "--help"
}

# _berth_takes_value CMD FLAG: FLAG of CMD is followed by a value.
_berth_takes_value() {
    local flags=""
    case $1 in
    "") flags="--root --run-dir" ;;
    "network connect") flags="--alias --ip --ip6" ;;
    "network create") flags="-d --driver --gateway --ip-range --label -o --opt --subnet" ;;
    "network ls") flags="-f --filter --format" ;;
    run) flags="--cap-add --cap-drop --dns --dns-opt --dns-option --dns-search -e --env -h --hostname --ip --ip6"
        flags+=" --mac-address --name --net --network --network-alias -p --publish --rootfs" ;;
    exec) flags="-e --env" ;;
    ps) flags="--format" ;;
    stop) flags="-t --time" ;;
    "plugin serve") flags="--docker-host --socket" ;;
    esac
    [[ " $flags " == *" $2 "* ]]
}

# _berth_run ARGS...: berth ARGS with the line's --root/--run-dir, nothing
# when the state store does not exist yet (or cannot be seen).
_berth_run() {
    local root=${BERTH_ROOT:-/var/lib/berth} i
    for ((i = 0; i < ${#_berth_globals[@]}; i++)); do
        [ "${_berth_globals[i]}" = --root ] && root=${_berth_globals[i + 1]}
    done
    [ -e "$root/berth.db" ] || return 0
    "$_berth_bin" "${_berth_globals[@]}" "$@" 2>/dev/null
}

# _berth_names KEY ARGS...: the values of KEY in the JSON lines that
# `berth ARGS --format json` prints (names match [a-zA-Z0-9_.-]).
_berth_names() {
    local key=$1 line re
    shift
    re="\"$key\":\"([^\"]*)\""
    while IFS= read -r line; do
        [[ $line =~ $re ]] && printf '%s\n' "${BASH_REMATCH[1]}"
    done < <(_berth_run "$@" --format json)
}

_berth_networks() { _berth_names Name network ls "$@"; }
# _berth_containers [-a]: running containers, or all of them.
_berth_containers() { _berth_names Names ps "$@"; }

_berth_reply() {
    # shellcheck disable=SC2207
    COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# _berth_ltrim: take off the replies what readline keeps of the word, up to
# its last = or : when those break words (COMP_WORDBREAKS).
_berth_ltrim() {
    local pre=${cur%"${cur##*[=:]}"} i
    [ -n "$pre" ] && [[ $COMP_WORDBREAKS == *"${pre: -1}"* ]] || return 0
    for i in "${!COMPREPLY[@]}"; do
        COMPREPLY[i]=${COMPREPLY[i]#"$pre"}
    done
}

_berth_dirs() {
    if declare -F _filedir >/dev/null; then
        _filedir -d
    else
        compopt -o filenames 2>/dev/null
        local IFS=$'\n'
        # shellcheck disable=SC2207
        COMPREPLY=($(compgen -d -- "$cur"))
    fi
}

# _berth_key_value KEYS VALUES-FUNCTION: KEY= while the key is typed
# (no space after it), then the key's values.
_berth_key_value() {
    if [[ $cur == *=* ]]; then
        local key=${cur%%=*}
        cur=${cur#*=}
        _berth_reply "$("$2" "$key")"
    else
        _berth_reply "$1"
        [[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null
    fi
}

_berth_filter_values() {
    case $1 in
    type) echo "builtin custom" ;;
    driver) echo "bridge host macvlan null" ;;
    name) _berth_networks ;;
    esac
}

_berth_opt_values() {
    case $1 in
    macvlan_mode) echo "bridge private vepa passthru" ;;
    parent) ls /sys/class/net 2>/dev/null ;;
    *enable_icc | *enable_ip_masquerade | *host_shim) echo "true false" ;;
    esac
}

# _berth_value CMD FLAG: complete the value of FLAG.
_berth_value() {
    case $2 in
    --root | --run-dir | --rootfs) _berth_dirs ;;
    -d | --driver) _berth_reply "bridge macvlan" ;;
    --format) _berth_reply "table json" ;;
    -f | --filter) _berth_key_value "name= id= driver= label= type=" _berth_filter_values ;;
    -o | --opt)
        local keys="com.docker.network.bridge.name= com.docker.network.driver.mtu=
            com.docker.network.bridge.enable_icc= com.docker.network.bridge.enable_ip_masquerade="
        [[ " ${words[*]} " == *" macvlan "* || " ${words[*]} " == *" --driver=macvlan "* ]] &&
            keys="parent= macvlan_mode= berth.macvlan.host_shim= berth.macvlan.host_shim_ip="
        _berth_key_value "$keys" _berth_opt_values
        ;;
    --net | --network)
        if [[ $cur == container:* ]]; then
            _berth_reply "$(_berth_containers | sed 's/^/container:/')"
            _berth_ltrim
        else
            _berth_reply "$(_berth_networks) container:"
            [[ ${COMPREPLY[*]} == container: ]] && compopt -o nospace 2>/dev/null
        fi
        ;;
    esac
}

# _berth_operand CMD N: complete CMD's operand number N (from 0).
_berth_operand() {
    case "$1:$2" in
    "network inspect:"*) _berth_reply "$(_berth_networks)" ;;
    "network rm:"*) _berth_reply "$(_berth_networks --filter type=custom)" ;;
    "network connect:0" | "network disconnect:0") _berth_reply "$(_berth_networks | grep -vx -e host -e none)" ;;
    "network connect:1" | "network disconnect:1" | exec:0 | stop:*) _berth_reply "$(_berth_containers)" ;;
    inspect:* | logs:0 | port:0 | rm:*) _berth_reply "$(_berth_containers -a)" ;;
    help:0) _berth_reply "$_berth_commands" ;;
    help:1)
        case ${words[cword - 1]} in
        network) _berth_reply "$_berth_network_commands" ;;
        system) _berth_reply "$_berth_system_commands" ;;
        dns) _berth_reply "$_berth_dns_commands" ;;
        plugin) _berth_reply "$_berth_plugin_commands" ;;
        esac
        ;;
    esac
}

# _berth_inner_command N: complete word N (from 0) of the command that run
# or exec runs: a command, then file names.
_berth_inner_command() {
    local IFS=$'\n'
    if [ "$1" -eq 0 ]; then
        # shellcheck disable=SC2207
        COMPREPLY=($(compgen -c -- "$cur"))
    else
        compopt -o filenames 2>/dev/null
        # shellcheck disable=SC2207
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_berth() {
    local cur prev words cword split
    if declare -F _init_completion >/dev/null; then
        _init_completion -s -n : || return
    else
        # without bash-completion: words split at blanks only, and
        # --flag=value split as _init_completion -s does
        COMPREPLY=()
        local line=${COMP_LINE:0:COMP_POINT}
        read -ra words <<<"$line"
        [[ -z $line || $line == *[[:space:]] ]] && words+=("")
        cword=$((${#words[@]} - 1))
        cur=${words[cword]}
        prev=${words[cword - 1]}
        if [[ $cur == --*=* ]]; then
            prev=${cur%%=*}
            cur=${cur#*=}
            split=true
        fi
    fi

    local _berth_bin=${words[0]} _berth_globals=() cmd="" i=1 w
    # shellcheck disable=SC2088 # a literal ~/ typed on the line
    [[ $_berth_bin == "~/"* ]] && _berth_bin=$HOME/${_berth_bin#"~/"}

    # global flags, then the command (and a group's subcommand)
    for (( ; i < cword; i++)); do
        w=${words[i]}
        case $w in
        --root | --run-dir)
            _berth_globals+=("$w" "${words[i + 1]}")
            ((i++))
            ;;
        --root=* | --run-dir=*) _berth_globals+=("${w%%=*}" "${w#*=}") ;;
        -*) ;;
        *) break ;;
        esac
    done
    if ((i >= cword)); then
        if [ "$i" -gt "$cword" ]; then
            _berth_value "" "${words[cword - 1]}"
        elif [ "${split-}" = true ]; then
            _berth_value "" "$prev"
        elif [[ $cur == -* ]]; then
            _berth_reply "$(_berth_flags "")"
        else
            _berth_reply "$_berth_commands"
        fi
        return
    fi
    cmd=${words[i++]}
    if [ "$cmd" = network ] || [ "$cmd" = system ] || [ "$cmd" = dns ] || [ "$cmd" = plugin ]; then
        if ((i >= cword)); then
            [[ $cur == -* ]] && _berth_reply "--help" && return
            case $cmd in
            network) _berth_reply "$_berth_network_commands" ;;
            system) _berth_reply "$_berth_system_commands" ;;
            dns) _berth_reply "$_berth_dns_commands" ;;
            plugin) _berth_reply "$_berth_plugin_commands" ;;
            esac
            return
        fi
        w=${words[i++]}
        case $w in
        list) w="ls" ;;
        remove) w="rm" ;;
        esac
        cmd="$cmd $w"
    fi

    # the command's flags and operands up to the word being completed; run
    # and exec: from the command they run on, the words are that command's
    local n=0 dashdash="" need=-1
    case $cmd in
    run) need=0 ;;
    exec) need=1 ;;
    esac
    for (( ; i < cword; i++)); do
        w=${words[i]}
        if [ -z "$dashdash" ] && [ "$w" = -- ]; then
            dashdash=1
        elif [ -z "$dashdash" ] && [[ $w == -?* ]]; then
            if [[ $w != *=* ]] && _berth_takes_value "$cmd" "$w"; then
                if ((i + 1 == cword)); then
                    _berth_value "$cmd" "$w"
                    return
                fi
                ((i++))
            fi
        elif ((n == need)); then
            _berth_inner_command $((cword - i))
            return
        else
            ((n++))
        fi
    done
    if [ "${split-}" = true ]; then
        _berth_value "$cmd" "$prev"
    elif [[ $cur == -* ]] && [ -z "$dashdash" ]; then
        _berth_reply "$(_berth_flags "$cmd")"
    elif ((n == need)); then
        _berth_inner_command 0
    else
        _berth_operand "$cmd" "$n"
    fi
}

complete -F _berth berth
