#!/usr/bin/env bash
# The main job on its built-in default: a machine with 1 GiB of RAM and a
# 64 GiB RAM backend that reserves nothing, inspected through the human
# monitor exactly as one would inspect QEMU.
set -euo pipefail
build=${1:-build}
bin="$build/sparsevm"

args=(-machine none -nodefaults -display none
      -m 1G
      -object memory-backend-ram,id=mem0,size=64G,reserve=off
      -monitor stdio)

echo "\$ sparsevm ${args[*]}"
printf 'info mtree\ninfo mtree -f\ninfo ramblock\nquit\n' | "$bin" "${args[@]}"
echo
