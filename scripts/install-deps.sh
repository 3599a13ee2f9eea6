#!/usr/bin/env bash
# Install what sparsevm needs to build and test, from Debian 12's packages.
# Idempotent and quiet: when every package is already there it returns at once.
set -euo pipefail

PACKAGES=(
    gcc make pkg-config meson ninja-build python3
    libglib2.0-dev libjson-glib-dev zlib1g-dev
    linux-libc-dev
    # dump-test checks dumps with real tools: readelf (binutils), gdb,
    # makedumpfile -R (the flattened kdump format)
    binutils gdb makedumpfile
    # vhost-user-blk-test and bench-vhost-user need a real vhost-user
    # backend: qemu-storage-daemon (--export type=vhost-user-blk), which
    # Debian ships in qemu-system-common (the tests skip without it)
    qemu-system-common
)
# "--fuzz": also what the libFuzzer build needs.
if [ "${1:-}" = "--fuzz" ]; then
    PACKAGES+=(clang)
fi

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
        SUDO=sudo
    else
        echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq >/tmp/sparsevm-apt.log 2>&1; then
    echo "install-deps: 'apt-get update' failed; see /tmp/sparsevm-apt.log" >&2
    tail -n 5 /tmp/sparsevm-apt.log >&2
    exit 1
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >>/tmp/sparsevm-apt.log 2>&1; then
    echo "install-deps: 'apt-get install ${missing[*]}' failed; see /tmp/sparsevm-apt.log" >&2
    tail -n 5 /tmp/sparsevm-apt.log >&2
    exit 1
fi
