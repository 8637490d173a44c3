#!/bin/sh
# Installs the Debian packages that integration tests need, only those missing.
#
#   scripts/install-test-tools.sh docker-registry [package...]
#
# Idempotent, and safe to run from several tests at once: a lock serialises apt-get, and each
# package is checked again once the lock is held. `apt-get update` runs only when an install
# fails for want of a package list. Needs root (or sudo without a password).
# Exit status: 0 when every package is installed, 1 otherwise (with apt-get's output on stderr).
set -eu

if [ "$#" -eq 0 ]; then
    echo "usage: $0 PACKAGE..." >&2
    exit 2
fi

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing() {
    out=""
    for p in "$@"; do
        installed "$p" || out="$out $p"
    done
    echo "$out"
}

todo=$(missing "$@")
[ -z "$todo" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
else
    echo "install-test-tools: need root to install:$todo" >&2
    exit 1
fi

lock="${TMPDIR:-/tmp}/stockade-install-test-tools.lock"
exec 9>"$lock"
if command -v flock >/dev/null 2>&1; then
    flock -w 900 9 || { echo "install-test-tools: timed out waiting for $lock" >&2; exit 1; }
fi

# Another test may have installed them while we waited for the lock.
todo=$(missing "$@")
[ -z "$todo" ] && exit 0

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $todo >&2; then
    $SUDO apt-get update -q >&2
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $todo >&2
fi

todo=$(missing "$@")
if [ -n "$todo" ]; then
    echo "install-test-tools: still missing after apt-get:$todo" >&2
    exit 1
fi
