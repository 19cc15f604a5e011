#!/usr/bin/env bash
# Build the module for the newest Debian kernel (fetched by `make deps` into
# build/kernel-newest/) inside that kernel's release chroot, where its
# compiler and kbuild tools run; the result is build/kmod/<release>/actplane.ko,
# which scripts/vm-guest.sh and `actplane run` pick on that kernel.
#   kmod-chroot.sh [V=1]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${ACTPLANE_BUILD:-$top/build}
NK=$B/kernel-newest
[ -f "$NK/abi" ] && [ -f "$NK/chroot" ] ||
	{ echo "kmod-chroot: the newest kernel is missing: run 'make deps'" >&2; exit 1; }
rel=$(cat "$NK/abi")-amd64
root=$(cat "$NK/chroot")
[ -f "$root/usr/src/linux-headers-$rel/Makefile" ] ||
	{ echo "kmod-chroot: $root lacks linux-headers-$rel: run 'make deps'" >&2; exit 1; }

# The sources, timestamps kept (kbuild then rebuilds only what changed), in a
# directory of this checkout's own: another checkout shares the chroot.
id=$(printf '%s' "$top" | md5sum | cut -c1-12)
src=$root/build/actplane-$id
mkdir -p "$src/kmod" "$src/include"
cp -p "$top/Kbuild" "$src/"
cp -p "$top"/kmod/*.c "$top"/kmod/*.h "$top/kmod/Kbuild" "$src/kmod/"
cp -pR "$top"/include/. "$src/include/"
quiet=-s
[ "${1:-}" = V=1 ] && quiet=
# (module BTF without a distilled base: see the Makefile's KBUILD_BTF)
# objtool reads /proc: a private mount namespace, nothing left mounted after
unshare --mount --propagation private sh -c \
	"mount -t proc proc '$root/proc' && exec env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL chroot '$root' make -C /usr/src/linux-headers-$rel M=/build/actplane-$id MODULE_PAHOLE_FLAGS= RESOLVE_BTFIDS_FLAGS= modules -j$(nproc) $quiet"
mkdir -p "$B/kmod/$rel"
cp "$src/kmod/actplane.ko" "$B/kmod/$rel/actplane.ko.tmp"
mv "$B/kmod/$rel/actplane.ko.tmp" "$B/kmod/$rel/actplane.ko"
