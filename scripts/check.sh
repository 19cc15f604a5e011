#!/usr/bin/env bash
# Run the host tests and the in-VM selftests; print one summary line
# "N passed, N failed, N skipped" counting both.  Exit 0 only if nothing failed.
#   check.sh [--host-only | --vm-only] [--stress] [VM_TEST_PATTERN...]
# --stress: the hardening suites' long versions (AP_STRESS=1 in the guest)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${ACTPLANE_BUILD:-$top/build}
host=1 vm=1 stress=0
case "${1:-}" in
--host-only) vm=0; shift ;;
--vm-only) host=0; shift ;;
esac
if [ "${1:-}" = --stress ]; then
	stress=1
	shift
fi
log=$B/check.log
: >"$log"
status=0
export ACTPLANE_TOP=$top

if [ $host = 1 ]; then
	echo "== host tests" | tee -a "$log"
	for t in "$B"/host-tests/test_* "$top"/selftests/host/test_*.sh; do
		[ -x "$t" ] || continue
		"$t" 2>&1 | tee -a "$log"
		[ "${PIPESTATUS[0]}" = 0 ] || status=1
	done
	if grep -q '^fuzz-smoke:' "$top/selftests/fuzz/fuzz.mk" 2>/dev/null; then
		make -s -C "$top" fuzz-smoke 2>&1 | tee -a "$log"
		[ "${PIPESTATUS[0]}" = 0 ] || status=1
	fi
fi

if [ $vm = 1 ]; then
	echo "== in-VM selftests (virtme-ng, guest kernel $(cat "$B/kernel/abi"))" | tee -a "$log"
	"$top/scripts/vm.sh" --tap -- env AP_STRESS=$stress "$top/selftests/vm/run.sh" "$@" 2>&1 |
		tee -a "$log"
	vmrc=${PIPESTATUS[0]}
	if [ "$vmrc" != 0 ]; then
		status=1
		grep -q '^ok - kernel log clean\|^not ok - kernel log clean' "$log" ||
			echo "not ok - VM run completed: vm.sh exited $vmrc" | tee -a "$log"
	fi
	# a tiny run of every benchmark, so the suite cannot rot
	if [ $# = 0 ] && grep -q '^bench-smoke:' "$top/bench.mk" 2>/dev/null; then
		make -s -C "$top" bench-smoke 2>&1 | tee -a "$log"
		[ "${PIPESTATUS[0]}" = 0 ] || status=1
	fi
fi

passed=$(grep -c '^ok - ' "$log")
failed=$(grep -c '^not ok - ' "$log")
skipped=$(grep -c '^skip - ' "$log")
if [ "$failed" != 0 ]; then
	echo
	echo "Failed:"
	grep '^not ok - ' "$log"
	status=1
fi
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
