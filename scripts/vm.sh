#!/usr/bin/env bash
# Boot a guest kernel (unpacked by `make deps`) with virtme-ng,
# insert the module and run a command inside; the host's files are visible at
# the same paths (read-only; /tmp is writable).  Exit status is the command's,
# or 1 if the kernel log shows a WARNING/BUG/oops/refcount message.
#
#   scripts/vm.sh [OPTIONS] -- CMD [ARGS...]   run CMD in the VM
#   scripts/vm.sh --shell                      interactive shell (module not inserted;
#                                              run scripts/vm-guest.sh --setup)
# Options:
#   --kernel K      6.12 (default; build/kernel) or newest (build/kernel-newest,
#                   the newest Debian kernel, its module build/kmod/<release>/);
#                   ACTPLANE_KERNEL=K does the same
#   --no-module     do not insert the module
#   --tap           also print "ok/not ok 1 kernel log clean" (test runs, KTAP)
#   --bench         one CPU, -icount (guest time counts instructions)
#   --tcg-single    without KVM: single-threaded TCG (the vCPUs take turns on
#                   one host thread; cross-vCPU code patching is exact)
#   --cpus N        (default 2)    --memory SIZE (default 2G)
#   --append ARG    add ARG to the kernel command line (e.g. lsm=...)
#   --verbose       also print the kernel console (a VM that dies says why);
#                   ACTPLANE_VM_VERBOSE=1 does the same for scripts that call vm.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
B=${ACTPLANE_BUILD:-$top/build}
kernel=${ACTPLANE_KERNEL:-6.12} cpus=2 memory=2G shell=0 bench=0 single=0 verbose=${ACTPLANE_VM_VERBOSE:-0} guest_opts=() append=()

while [ $# -gt 0 ]; do
	case "$1" in
	--shell) shell=1 ;;
	--kernel) kernel=$2; shift ;;
	--no-module) guest_opts+=(--no-module) ;;
	--tap) guest_opts+=(--tap) ;;
	--bench) bench=1 cpus=1 ;;
	--tcg-single) single=1 ;;
	--verbose) verbose=1 ;;
	--cpus) cpus=$2; shift ;;
	--memory) memory=$2; shift ;;
	--append) append+=(--append "$2"); shift ;;
	--) shift; break ;;
	-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
	*) echo "vm.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

case "$kernel" in
6.12|default) K=$B/kernel ;;
newest) K=$B/kernel-newest ;;
*) echo "vm.sh: unknown kernel '$kernel' (6.12 or newest)" >&2; exit 2 ;;
esac
[ -f "$K/abi" ] || { echo "vm.sh: guest kernel $kernel missing: run 'make deps'" >&2; exit 1; }
[ -x "$B/vng/usr/bin/vng" ] || { echo "vm.sh: virtme-ng missing: run 'make deps'" >&2; exit 1; }
kimg=$(readlink -f "$K/vmlinuz")	# versioned name: vng finds modules from it

export PATH="$B/vng/usr/bin:$PATH"
export PYTHONPATH="$B/vng/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
vng=(/usr/bin/python3 "$B/vng/usr/bin/vng" --run "$kimg" --cpus "$cpus" --memory "$memory" "${append[@]}")
# Use KVM only when it actually works (it needs vmx/svm); otherwise TCG.
if [ ! -w /dev/kvm ] || ! grep -qE 'vmx|svm' /proc/cpuinfo; then
	vng+=(--disable-kvm)
	[ $single = 0 ] || [ $bench = 1 ] || vng+=(--qemu-opts="-accel tcg,thread=single")
fi
[ "$verbose" = 0 ] || vng+=(--verbose)
if [ $bench = 1 ]; then
	vng+=(--disable-kvm --qemu-opts="-accel tcg,thread=single -icount shift=0,sleep=off")
fi

if [ $shell = 1 ]; then
	echo "vm.sh: interactive VM; inside run: $top/scripts/vm-guest.sh --setup" >&2
	exec "${vng[@]}"
fi
[ $# -gt 0 ] || { echo "vm.sh: no command (use -- CMD or --shell)" >&2; exit 2; }

# Quote the command for the guest shell.
cmd=$(printf '%q ' "$top/scripts/vm-guest.sh" "${guest_opts[@]}" -- "$@")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A guest that never reached vm-guest.sh (QEMU or the boot failed) has run
# nothing: boot it once more, printing its console this time.  A guest that
# started and then died is a result (a crash) and is not retried.
for attempt in 1 2; do
	set +e
	timeout "${ACTPLANE_VM_TIMEOUT:-3000}" "${vng[@]}" --exec "$cmd" 2>&1 | tee "$log"
	vrc=${PIPESTATUS[0]}
	set -e
	rc=$(sed -n 's/^ACTPLANE_VM_RC=\([0-9]*\).*/\1/p' "$log" | tail -n1)
	[ -z "$rc" ] || exit "$rc"
	grep -q '^ACTPLANE_VM_STARTED' "$log" && break
	[ $attempt = 2 ] && break
	echo "vm.sh: the VM did not boot (vng exit status $vrc); booting it again with its console" >&2
	[ "$verbose" = 1 ] || vng+=(--verbose)
done
echo "vm.sh: the VM did not report a result (vng exit status $vrc)" >&2
exit 1
