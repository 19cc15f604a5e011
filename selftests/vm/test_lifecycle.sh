#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The module's lifecycle: insmod -> up -> load -> workload -> down -> rmmod,
# repeated, with events in flight while the hooks detach; rmmod while
# attached must be refused; nothing leaks (BPF programs and maps, slab,
# module BTF) and the kernel log stays clean.  5 cycles for `make check`,
# 100 with AP_STRESS=1 (`make stress`).
#
# scripts/check.sh runs this file in a VM of its own, booted with the
# options below: attaching and detaching the LSM programs text-pokes the
# hooked functions while the other vCPU runs them, and under multi-threaded
# TCG that vCPU can go on executing the int3 of a finished poke (a QEMU
# artifact; see docs/architecture.md, "Tests").  Single-threaded TCG
# keeps two vCPUs and patches code exactly.
# vm-options: --tcg-single
. "$(dirname "$0")/lib.sh"

H=/tmp/aplife POLICY=/tmp/aplife/policy.yaml
KO=$AP_KO
if [ "${AP_STRESS:-0}" = 1 ]; then LIFECYCLES=100; else LIFECYCLES=5; fi

progs() { bpftool prog list -j 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
maps() { bpftool map list -j 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
unreclaimable_kb() { sed -n 's/^SUnreclaim: *\([0-9]*\) kB/\1/p' /proc/meminfo; }

t_lifecycle() {
	local base_progs base_maps base_slab i out wp
	"$AP" unload >/dev/null
	"$AP" down >/dev/null
	rmmod actplane || fail "rmmod after down"
	base_progs=$(progs) base_maps=$(maps)
	sync; echo 3 > /proc/sys/vm/drop_caches
	base_slab=$(unreclaimable_kb)
	for i in $(seq $LIFECYCLES); do
		insmod "$KO" || { fail "cycle $i: insmod"; return 1; }
		"$AP" up >/dev/null || { fail "cycle $i: up"; return 1; }
		if rmmod actplane 2>/dev/null; then fail "cycle $i: rmmod while attached succeeded"; return 1; fi
		load 'source secret = file "**/.env"
rule no-push:
  block exec "fakegit" "push"
  because "no push"
rule note:
  notify write "/tmp/aplife/free/**" if secret
  because "noted"'
		out=$(sh -c "read x < $H/.env; $H/bin/fakegit push 2>/dev/null && echo ran || echo refused")
		unlabel_self
		[ "$out" = refused ] || { fail "cycle $i: push $out"; return 1; }
		# events in flight while the enforcer and the hooks detach
		timeout 30 "$AP" watch --json > /dev/null 2>&1 &
		wp=$!
		sh -c "read x < $H/.env; while :; do echo \$x > $H/free/n; done" &
		local lp=$!
		sleep 0.3
		"$AP" down >/dev/null || fail "cycle $i: down"
		kill $lp $wp 2>/dev/null; wait $lp $wp 2>/dev/null
		# programs that called the module's kfuncs are freed after an RCU
		# (tasks trace, for the sleepable exec hook) grace period
		for _ in $(seq 200); do rmmod actplane 2>/dev/null && break; sleep 0.1; done
		[ ! -d /sys/module/actplane ] ||
			{ fail "cycle $i: rmmod: refcnt $(cat /sys/module/actplane/refcnt)"; return 1; }
	done
	sync; echo 3 > /proc/sys/vm/drop_caches
	sleep 1
	echo "# $LIFECYCLES cycles: SUnreclaim $base_slab -> $(unreclaimable_kb) kB, BPF progs $base_progs -> $(progs), maps $base_maps -> $(maps)" >&2
	expect_eq "BPF programs after the cycles" "$(progs)" "$base_progs"
	expect_eq "BPF maps after the cycles" "$(maps)" "$base_maps"
	[ "$(unreclaimable_kb)" -le $((base_slab + 4096)) ] ||
		fail "unreclaimable slab grew from $base_slab to $(unreclaimable_kb) kB"
	[ ! -e /sys/kernel/btf/actplane ] || fail "module BTF left behind"
	insmod "$KO" && "$AP" up >/dev/null || fail "final insmod/up"
	kernel_clean
}

"$AP" up >/dev/null
workspace $H
mkdir -p $H/free
echo "API_KEY=hunter2" > $H/.env
run_test "lifecycle: $LIFECYCLES insmod/up/load/workload/down/rmmod cycles, no leak" t_lifecycle
"$AP" unload >/dev/null 2>&1
