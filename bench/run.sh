#!/bin/bash
# Every benchmark; results go by hand into bench/RESULTS.md.
set -euo pipefail
here=$(dirname "$0")
"$here/network_create.sh" "$1" 20
"$here/attach_detach.sh" "$1" 20
"$here/ipv6.sh" "$1" 20 500
"$here/dns.sh" "$1" 1000 5
"$here/cni.sh" "$1" 30 500
