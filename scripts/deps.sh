#!/bin/sh
# Installs what berth needs to build and test on Debian 12, as root.
# Idempotent and quiet when everything is already there.
set -eu

PACKAGES="gcc make pkg-config libmnl-dev libnftables-dev libjansson-dev libsqlite3-dev
libcmocka-dev bats perl python3 iproute2 nftables sqlite3 util-linux netcat-openbsd
iputils-ping scdoc man-db bash-completion"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "berth: missing packages:$missing (run scripts/deps.sh as root)" >&2
	exit 1
fi
echo "berth: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
