#!/usr/bin/env bash
# Runs inside the VM as root (started by scripts/vm.sh): prepare the guest,
# insert the module, run the command, check the kernel log.
#   vm-guest.sh [--no-module] [--tap] [--setup] -- CMD [ARGS...]
top=$(cd "$(dirname "$0")/.." && pwd)
module=1 tap=0 setup_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--no-module) module=0 ;;
	--tap) tap=1 ;;
	--setup) setup_only=1 ;;
	--) shift; break ;;
	*) break ;;
	esac
	shift
done

echo "ACTPLANE_VM_STARTED"	# scripts/vm.sh: the guest booted and ran us
export ACTPLANE_TOP=$top
export PATH="$top/build:$PATH"
# The module built for this kernel: build/kmod/<release>/ for a kernel other
# than the default one (make KERNEL=newest), else the tree's kmod/.
AP_KO=$top/build/kmod/$(uname -r)/actplane.ko
[ -f "$AP_KO" ] || AP_KO=$top/kmod/actplane.ko
export AP_KO
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
dmesg -n 1 2>/dev/null	# keep the console for the command's output
dmesg -C
if [ $module = 1 ] && [ ! -d /sys/module/actplane ]; then
	if ! insmod "$AP_KO"; then
		echo "vm-guest: insmod $AP_KO failed" >&2
		dmesg | tail -n 20 >&2
		echo "ACTPLANE_VM_RC=1"
		exit 1
	fi
fi
[ $setup_only = 1 ] && exit 0

cd "$top" || exit 1
"$@"
rc=$?

# Any of these in the kernel log fails the run.
bad='WARNING:|BUG:|Oops|general protection|refcount_t|kernel BUG|UBSAN|KASAN|Call Trace|RCU stall|hung_task|list_add corruption|list_del corruption|double free|use-after-free'
if dmesg | grep -E "$bad" >/tmp/actplane-bad-dmesg; then
	[ $tap = 1 ] && printf '# kernel-log\nKTAP version 1\n1..1\nnot ok 1 kernel log clean # %s\n' \
		"$(head -n1 /tmp/actplane-bad-dmesg | tr '#' '%')"
	echo "vm-guest: kernel log shows problems:" >&2
	dmesg | grep -E -B2 -A20 "$bad" | head -n 80 >&2
	rc=1
else
	[ $tap = 1 ] && printf '# kernel-log\nKTAP version 1\n1..1\nok 1 kernel log clean\n'
fi
echo "ACTPLANE_VM_RC=$rc"
exit $rc
