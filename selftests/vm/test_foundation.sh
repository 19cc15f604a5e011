#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Foundation: module, BTF, netlink STATUS, BPF hook -> kfunc, module ->
# struct_ops, up/down idempotence, rmmod rules, privileges.
. "$(dirname "$0")/lib.sh"

# one pinned link per hook program, plus the enforcer
# one link per hook program in the object (several may feed one hook
# counter), plus the enforcer
# one pin per hook program and the enforcer's; an optional program
# (`SEC("?fexit/FN")`) only where this kernel has FN
expected_pins() {
	local o=$ACTPLANE_TOP/build/bpf/hooks.bpf.o n fn
	n=$(readelf -SW "$o" | grep -cE ' (lsm|lsm\.s|fentry|fexit|tp_btf)/')
	bpftool btf dump file /sys/kernel/btf/vmlinux > /tmp/vmlinux.btf.txt
	for fn in $(readelf -SW "$o" | grep -oE ' \?(fentry|fexit)/[A-Za-z0-9_]+' | sed 's|.*/||'); do
		grep -q "FUNC '$fn' " /tmp/vmlinux.btf.txt && n=$((n + 1))
	done
	echo $((n + 1))
}

t_module_btf() {
	[ -d /sys/module/actplane ] || fail "module not loaded"
	[ -e /sys/kernel/btf/actplane ] || fail "/sys/kernel/btf/actplane missing"
}

t_status() {
	local j
	j=$(status_json)
	expect_eq "version" "$(json_get "$j" "j['version']")" "$(cat /sys/module/actplane/version)"
	expect_eq "abi" "$(json_get "$j" "j['abi']")" 2
	expect_eq "enforcer state" "$(json_get "$j" "j['enforcer']['state']")" none
	"$AP" status | grep -q '^module: *actplane' || fail "human status lacks module line"
}

t_up() {
	"$AP" up
	[ -e /sys/fs/bpf/actplane/hook_file_open ] || fail "hook link not pinned"
	[ -e /sys/fs/bpf/actplane/enforcer ] || fail "enforcer link not pinned"
	expect_eq "enforcer" "$(enforcer_field name)" enforce
	expect_eq "state" "$(enforcer_field state)" active
}

t_up_idempotent() {
	local before after ino1 ino2
	before=$(counter enforcer_attaches)
	ino1=$(stat -c %i /sys/fs/bpf/actplane/hook_file_open)
	"$AP" up
	"$AP" up
	ino2=$(stat -c %i /sys/fs/bpf/actplane/hook_file_open)
	after=$(counter enforcer_attaches)
	expect_eq "enforcer attaches after repeated up" "$after" "$before"
	expect_eq "hook pin replaced" "$ino2" "$ino1"
	expect_eq "links pinned" "$(ls /sys/fs/bpf/actplane | wc -l)" "$(expected_pins)"
}

t_hook_counter() {
	local before after i
	before=$(hook_hits file_open)
	for i in $(seq 200); do : < /etc/hostname; done
	after=$(hook_hits file_open)
	[ $((after - before)) -ge 200 ] || fail "file_open hits rose by $((after - before)), want >= 200"
}

t_struct_ops_call() {
	local before out
	before=$(counter decisions)
	out=$("$AP" enforcer test block)
	expect_contains "enforce verdict" "$out" "proposed block -> block (enforcer: enforce)"
	out=$("$AP" enforcer test notify)
	expect_contains "enforce verdict" "$out" "proposed notify -> notify"
	expect_eq "decisions counted" "$(counter decisions)" $((before + 2))
}

t_enforcer_switch() {
	local out
	"$AP" enforcer audit
	expect_eq "enforcer" "$(enforcer_field name)" audit
	out=$("$AP" enforcer test kill)
	expect_contains "audit verdict" "$out" "proposed kill -> notify (enforcer: audit)"
	"$AP" enforcer enforce
	out=$("$AP" enforcer test kill)
	expect_contains "enforce verdict" "$out" "proposed kill -> kill (enforcer: enforce)"
	expect_eq "links pinned" "$(ls /sys/fs/bpf/actplane | wc -l)" "$(expected_pins)"
}

t_bad_enforcer_fallback() {
	local out errs
	errs=$(counter enforcer_errors)
	"$AP" enforcer "$VMT/enforcer_bad.bpf.o"
	out=$("$AP" enforcer test block)
	expect_contains "fallback verdict" "$out" "proposed block -> block"
	expect_eq "state" "$(enforcer_field state)" failed
	expect_contains "reason" "$(enforcer_field reason)" "returned 42"
	expect_eq "errors counted" "$(counter enforcer_errors)" $((errs + 1))
	"$AP" enforcer enforce
	expect_eq "state after replace" "$(enforcer_field state)" active
}

t_rmmod_refused_while_up() {
	if rmmod actplane 2>/dev/null; then fail "rmmod succeeded while attached"; fi
	[ -d /sys/module/actplane ] || fail "module gone"
	"$AP" status >/dev/null
}

t_unprivileged_refused() {
	local out
	# reading status is allowed, changing anything is not
	"${UNPRIV[@]}" "$AP" status >/dev/null || fail "unprivileged status failed"
	if out=$("${UNPRIV[@]}" "$AP" enforcer test 2>&1); then fail "unprivileged enforcer test succeeded"; fi
	expect_contains "ext-ack" "$out" "CAP_NET_ADMIN"
	if "${UNPRIV[@]}" "$AP" down >/dev/null 2>&1; then fail "unprivileged down succeeded"; fi
	[ -e /sys/fs/bpf/actplane/enforcer ] || fail "unprivileged down removed the enforcer"
	if "${UNPRIV[@]}" "$AP" enforcer audit >/dev/null 2>&1; then fail "unprivileged switch succeeded"; fi
	expect_eq "enforcer" "$(enforcer_field name)" enforce
}

# another tracing or LSM program calling a hook kfunc with its own object
# is refused by the verifier (the module's kfunc filter); ActPlane's own
# hook programs load (every suite's `up`)
t_rogue_kfunc_caller() {
	local p out
	for p in rogue_fentry rogue_lsm; do
		rm -f /sys/fs/bpf/$p
		if out=$(bpftool prog load "$VMT/$p.bpf.o" /sys/fs/bpf/$p 2>&1); then
			rm -f /sys/fs/bpf/$p
			fail "$p loaded"
		fi
		expect_contains "$p refused" "$out" "is not allowed"
	done
}

t_netlink_malformed() {
	"$VMT/nl_malformed" | tee /tmp/nl_malformed.out
	! grep -q '^not ok' /tmp/nl_malformed.out
}

t_down() {
	local before after i
	"$AP" down
	[ ! -e /sys/fs/bpf/actplane ] || fail "pins remain"
	"$AP" down
	expect_eq "state after down" "$(enforcer_field state)" none
	before=$(hook_hits file_open)
	for i in $(seq 50); do : < /etc/hostname; done
	after=$(hook_hits file_open)
	expect_eq "hits after down" "$after" "$before"
}

t_rmmod_clean() {
	rmmod actplane || fail "rmmod failed after down"
	[ ! -d /sys/module/actplane ] || fail "module still loaded"
	[ ! -e /sys/kernel/btf/actplane ] || fail "module BTF still present"
	insmod "$AP_KO"
	"$AP" up >/dev/null
	"$AP" down >/dev/null
	rmmod actplane
	insmod "$AP_KO"
}

run_test "module loads, /sys/kernel/btf/actplane exists" t_module_btf
run_test "STATUS over netlink (version, ABI, enforcer)" t_status
run_test "a hook kfunc called by a program not attached to its hook is refused" t_rogue_kfunc_caller
run_test "up attaches and pins hook and enforcer" t_up
run_test "up is idempotent" t_up_idempotent
run_test "BPF hook -> kfunc counter rises with opens" t_hook_counter
run_test "module -> struct_ops enforcer call" t_struct_ops_call
run_test "enforcer switch enforce <-> audit in place" t_enforcer_switch
run_test "misbehaving enforcer: fallback, FAILED state, reason" t_bad_enforcer_fallback
run_test "rmmod refused while attached" t_rmmod_refused_while_up
run_test "uid 1000 without caps refused privileged commands" t_unprivileged_refused
run_test "malformed netlink requests get ext-ack, module keeps answering" t_netlink_malformed
run_test "down detaches, idempotent" t_down
run_test "rmmod clean after down, reload cycle" t_rmmod_clean
