#!/usr/bin/env bash
# The main job on its built-in default: sparsevm with 1 GiB of RAM and a
# 64 GiB virtio-mem device; a small guest driver (over the qtest protocol)
# plugs and unplugs memory while the host's cost is shown; then, where
# /dev/kvm works, the test guest drives the same device under KVM.
set -euo pipefail
build=${1:-build}

SPARSEVM_BINARY="$build/sparsevm" \
SPARSEVM_GUEST="$build/tests/guest/guest.elf" \
    exec "$build/contrib/virtio-mem-demo/virtio-mem-demo"
