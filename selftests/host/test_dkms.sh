#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# DKMS builds the module from what `make install` puts in /usr/src, for each
# kernel of the test matrix, as on a user's machine: the sources staged by
# `make install-dkms DESTDIR=...`, then `dkms add` and `dkms build` with our
# dkms.conf (its MAKE line) in private DKMS trees.  6.12 with this host's
# dkms against build/kernel/headers; the newest kernel inside its release's
# chroot (`make deps`), with that release's dkms, gcc and installed headers.
# Each module must carry that kernel's vermagic and BTF split against the
# kernel's own (no .BTF.base: the kfunc filter depends on it, kmod/kfuncs.c).
# Then a VM boots 6.12 with the module DKMS built, attaches the hooks and
# enforces a rule with it.
. "$(dirname "$0")/lib.sh" dkms
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${ACTPLANE_BUILD:-$top/build}
ver=$(sed -n 's/^#define ACTPLANE_VERSION "\(.*\)"/\1/p' "$top/kmod/actplane.h")

# check_ko KO RELEASE: the module is for RELEASE and has plain module BTF
check_ko() {
	[ -f "$1" ] || { echo "no module built ($1)"; return 1; }
	[ "$(modinfo -F vermagic "$1" | cut -d' ' -f1)" = "$2" ] ||
		{ echo "vermagic $(modinfo -F vermagic "$1"), want $2"; return 1; }
	readelf -S "$1" | grep -q ' \.BTF  ' || { echo "no .BTF section"; return 1; }
	! readelf -S "$1" | grep -q '\.BTF\.base' || { echo "module BTF has a distilled base"; return 1; }
}

if [ "$(id -u)" != 0 ] || ! command -v dkms >/dev/null || [ ! -f "$B/kernel/abi" ]; then
	ktap_skip "dkms: 6.12" "needs root, dkms and the kernel from make deps"
else
	make -s -C "$top" install-dkms DESTDIR="$T/stage" >/dev/null
	mkdir -p "$T/tree"
	k=$(cat "$B/kernel/abi")-amd64
	t "make install-dkms stages the sources and dkms.conf with the version" \
		'[ -f "$T/stage/usr/src/actplane-$ver/dkms.conf" ] &&
		 grep -q "^PACKAGE_VERSION=\"$ver\"" "$T/stage/usr/src/actplane-$ver/dkms.conf" &&
		 [ -f "$T/stage/usr/src/actplane-$ver/kmod/kfuncs.c" ] &&
		 [ -f "$T/stage/usr/src/actplane-$ver/include/uapi/actplane.h" ]'
	t "dkms builds the module for $k" \
		'dkms add -m actplane -v "$ver" --sourcetree "$T/stage/usr/src" --dkmstree "$T/tree" >/dev/null &&
		 dkms build -m actplane -v "$ver" -k "$k" --kernelsourcedir "$B/kernel/headers" \
			--sourcetree "$T/stage/usr/src" --dkmstree "$T/tree" >"$T/dkms.log" 2>&1 ||
		 { tail -n 5 "$T/dkms.log"; false; } &&
		 check_ko "$T/tree/actplane/$ver/$k/x86_64/module/actplane.ko" "$k"'
	# the VM boots with the module DKMS built (not make's): it loads, the
	# hooks attach and a rule is enforced
	ko=$T/tree/actplane/$ver/$k/x86_64/module/actplane.ko
	if [ -f "$ko" ] && [ -x "$B/vng/usr/bin/vng" ]; then
		mkdir -p "$B/dkms-vm" && cp "$ko" "$B/dkms-vm/actplane.ko"
		cat > "$B/dkms-vm/check.sh" <<EOS
set -e
insmod $B/dkms-vm/actplane.ko
[ "\$(cat /sys/module/actplane/srcversion)" = "$(modinfo -F srcversion "$ko")" ]
$B/actplane up >/dev/null
mkdir -p /tmp/dk && echo s > /tmp/dk/secret
printf 'version: 1\npolicy: |\n  rule r:\n    block read "/tmp/dk/secret"\n    because "x"\n' > /tmp/dk/p.yaml
$B/actplane load /tmp/dk/p.yaml >/dev/null
if cat /tmp/dk/secret 2>/dev/null; then echo "the rule did not hold"; exit 1; fi
$B/actplane unload >/dev/null
$B/actplane down >/dev/null
echo DKMS-VM-OK
EOS
		t "the VM runs on the module DKMS built (a rule enforced)" \
			'"$top/scripts/vm.sh" --tcg-single --no-module -- bash "$B/dkms-vm/check.sh" >"$T/vm.log" 2>&1;
			 grep -q DKMS-VM-OK "$T/vm.log" || { tail -n 8 "$T/vm.log"; false; }'
	else
		ktap_skip "dkms: the VM runs on the module DKMS built" "no DKMS module or no virtme-ng"
	fi
fi

root=$(cat "$B/kernel-newest/chroot" 2>/dev/null)
if [ "$(id -u)" != 0 ] || [ -z "$root" ] || [ ! -x "$root/usr/sbin/dkms" ]; then
	ktap_skip "dkms: the newest kernel" "needs root and the newest kernel's chroot from make deps"
else
	k=$(cat "$B/kernel-newest/abi")-amd64
	s=$(mktemp -d "$root/tmp/ap-dkms.XXXXXX")
	make -s -C "$top" install-dkms DESTDIR="$s/stage" >/dev/null
	mkdir -p "$s/tree"
	c=${s#"$root"}
	# objtool reads /proc: a private mount namespace for the chroot's build
	t "dkms builds the module for $k in its release" \
		'unshare --mount --propagation private sh -c "mount -t proc proc \"$root/proc\" &&
			exec chroot \"$root\" sh -c \"dkms add -m actplane -v $ver --sourcetree $c/stage/usr/src --dkmstree $c/tree &&
			dkms build -m actplane -v $ver -k $k --sourcetree $c/stage/usr/src --dkmstree $c/tree\"" \
			>"$T/dkms-newest.log" 2>&1 || { tail -n 5 "$T/dkms-newest.log"; false; } &&
		 check_ko "$s/tree/actplane/$ver/$k/x86_64/module/actplane.ko" "$k"'
	rm -rf "$s"
fi
