#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A kernel booted without `bpf` among its LSMs (issue #18): LSM programs
# would load, attach and never run.  `actplane up` must refuse and say how to
# fix it, pin nothing, and `doctor` must report the missing LSM with the
# lsm= line to use.  (The fmod_ret attachment mode for such kernels is not
# built yet: docs/install.md.)
# vm-options: --tcg-single --append lsm=landlock,lockdown,yama,apparmor
. "$(dirname "$0")/lib.sh"

t_booted_without_bpf() {
	local list
	list=$(cat /sys/kernel/security/lsm)
	case ",$list," in *,bpf,*) fail "the VM was booted with bpf active: $list" ;; esac
}

t_up_refuses() {
	local err rc=0
	err=$("$AP" up 2>&1 >/dev/null) || rc=$?
	[ $rc != 0 ] || fail "actplane up succeeded without the BPF LSM"
	expect_contains "up's error" "$err" "BPF LSM is not active"
	expect_contains "up's hint" "$err" "lsm="
	if ls /sys/fs/bpf/actplane/hook_* >/dev/null 2>&1; then
		fail "hook programs were pinned: $(ls /sys/fs/bpf/actplane)"
	fi
}

t_doctor_says_how() {
	local out rc=0
	out=$("$AP" doctor 2>&1) || rc=$?
	[ $rc != 0 ] || fail "doctor passed without the BPF LSM"
	expect_contains "doctor" "$out" "bpf is not among the active LSMs"
	# the active list plus bpf (the kernel may add ima, evm to what we booted with)
	grep -Eq '^ +lsm=[a-z,]*landlock[a-z,]*,bpf$' <<<"$out" ||
		fail "doctor prints no lsm= line ending in bpf: $out"
}

run_test "no-bpf-lsm: the VM runs without bpf among the LSMs" t_booted_without_bpf
run_test "no-bpf-lsm: actplane up refuses, says why, pins nothing" t_up_refuses
run_test "no-bpf-lsm: doctor reports it with the lsm= line" t_doctor_says_how
