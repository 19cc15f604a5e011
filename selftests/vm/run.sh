#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In-VM selftest suite (run by scripts/vm.sh as root, module inserted).
# Runs every selftests/vm/test_*.sh in name order; each prints ok/not ok lines.
#   run.sh [PATTERN...]   only test files whose name contains one of the PATTERNs
here=$(cd "$(dirname "$0")" && pwd)
rc=0
# In a VM booted without bpf among its LSMs the hooks attach in the fmod_ret
# mode: its suites' headers say so, so the summary tells the two runs apart;
# scripts/check.sh tags a run on the newest kernel too (AP_KERNEL_TAG).
tag=${AP_KERNEL_TAG:-}
grep -qE '(^|,)bpf(,|$)' /sys/kernel/security/lsm 2>/dev/null || tag="${tag}fmod_ret."
for t in "$here"/test_*.sh; do
	if [ $# -gt 0 ]; then
		hit=0
		for p in "$@"; do
			case "$(basename "$t")" in *"$p"*) hit=1 ;; esac
		done
		[ $hit = 1 ] || continue
	fi
	echo "# $tag$(basename "$t")"
	bash "$t" || rc=1
done
exit $rc
