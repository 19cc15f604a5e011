#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A kernel booted without `bpf` among its LSMs (issue #18): LSM programs
# would load, attach and never run.  `actplane up --attach lsm` must refuse
# and pin nothing; `up` (auto) attaches the fmod_ret mode, which must enforce:
# path rules with EPERM, argument rules by killing the exec before the program
# runs (from a shell, Python and C; binaries, `#!` scripts and `ld.so
# PROGRAM`), labels and the network rule.  `doctor` reports the mode and the
# lsm= line that would give the LSM mode.  (make check also runs the labels,
# policy, policy families, run, hardening and user-session suites again in
# such a VM.)
# vm-options: --tcg-single --append lsm=landlock,lockdown,yama,apparmor
# vm-with: test_labels.sh test_policy.sh test_policy_families.sh test_run.sh test_hardening.sh test_user_sessions.sh
. "$(dirname "$0")/lib.sh"

W=/tmp/apfm POLICY=/tmp/apfm/actplane.yaml
OP=$VMT/agent_op
LDSO=/lib64/ld-linux-x86-64.so.2

setup() {
	"$AP" down >/dev/null 2>&1 || true	# suites before this one left the hooks up
	mkdir -p $W
	mountpoint -q $W || mount -t tmpfs tmpfs $W
	mkdir -p $W/bin
	# a script and a binary that leave a mark when they actually run
	printf '#!/bin/sh\necho "$0 $*" >> %s/ran.log\n' $W > $W/bin/fakegit
	chmod +x $W/bin/fakegit
	cp /usr/bin/touch $W/bin/faketouch
	echo "API_KEY=hunter2" > $W/.env
	: > $W/ran.log
}

t_booted_without_bpf() {
	local list
	list=$(cat /sys/kernel/security/lsm)
	case ",$list," in *,bpf,*) fail "the VM was booted with bpf active: $list" ;; esac
	expect_eq "the suites' expectation of an argument refusal" "$ARGV_REFUSED" KILLED
}

t_up_lsm_refuses() {
	local err rc=0
	err=$("$AP" up --attach lsm 2>&1 >/dev/null) || rc=$?
	[ $rc != 0 ] || fail "actplane up --attach lsm succeeded without the BPF LSM"
	expect_contains "up's error" "$err" "BPF LSM is not active"
	expect_contains "up's hint" "$err" "--attach fmod_ret"
	expect_contains "up's hint" "$err" "lsm="
	if ls /sys/fs/bpf/actplane/hook_* >/dev/null 2>&1; then
		fail "hook programs were pinned: $(ls /sys/fs/bpf/actplane)"
	fi
	err=$("$AP" up --attach bpf 2>&1 >/dev/null) && fail "up --attach bpf was accepted"
	expect_contains "a wrong --attach" "$err" "--attach takes lsm, fmod_ret or auto"
}

t_up_auto_is_fmodret() {
	local out err st
	out=$("$AP" up)
	expect_contains "up's report" "$out" "(fmod_ret mode)"
	st=$(status_json)
	expect_eq "status attach_mode" "$(json_get "$st" "j['attach_mode']")" fmod_ret
	expect_eq "hooks not attached" \
		"$(json_get "$st" "sorted(h['name'] for h in j['hooks'] if h['name'] in ('file_open','bprm_check_security','socket_connect','task_alloc') and not h['attached'])")" "[]"
	expect_contains "status text" "$("$AP" status)" "fmod_ret mode: exec rules on arguments"
	# the same mode again is a no-op; the other one needs `down` first
	"$AP" up --attach fmod_ret >/dev/null || fail "up --attach fmod_ret while up in it failed"
	err=$("$AP" up --attach lsm 2>&1 >/dev/null) && fail "switching to lsm while up was accepted"
	expect_contains "switching modes" "$err" "actplane down\` first"
}

t_doctor_says_how() {
	local out rc=0
	out=$("$AP" doctor 2>&1) || rc=$?
	[ $rc = 0 ] || fail "doctor failed in the fmod_ret mode: $out"
	expect_contains "doctor" "$out" "bpf is not among the active LSMs"
	expect_contains "doctor" "$out" "ok    struct_ops types from modules"
	expect_contains "doctor" "$out" "attaches the hooks in fmod_ret mode"
	expect_contains "doctor" "$out" "BPF programs attached in fmod_ret mode"
	# the active list plus bpf (the kernel may add ima, evm to what we booted with)
	grep -Eq '^ +lsm=[a-z,]*landlock[a-z,]*,bpf$' <<<"$out" ||
		fail "doctor prints no lsm= line ending in bpf: $out"
}

run_as() { local how=$1; shift 2; exec_as $how "$@"; }	# for_all WANT exec PROG ARGS

t_exec_rules() {
	load 'rule no-touch:
  block exec "/tmp/apfm/bin/faketouch"
rule no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"
rule no-mark:
  block exec "faketouch" "mark"'
	# a path rule: EPERM, as in the LSM mode
	for_all EPERM exec $W/bin/faketouch $W/t1
	[ ! -e $W/t1 ] || fail "the refused binary ran"
	load 'rule no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"
rule no-mark:
  block exec "faketouch" "mark"'
	# argument rules: killed before the program runs, a script and a binary
	for_all KILLED exec $W/bin/fakegit push origin
	for_all KILLED exec $W/bin/faketouch mark $W/t2
	[ ! -e $W/t2 ] || fail "the refused binary ran: $W/t2 exists"
	expect_eq "refused pushes that ran" "$(grep -c ' push' $W/ran.log || true)" 0
	for_all ok exec $W/bin/fakegit status
	for_all ok exec $W/bin/faketouch $W/t3
	[ -e $W/t3 ] || fail "the allowed binary did not run"
	expect_eq "allowed runs" "$(grep -c ' status' $W/ran.log)" 3
}

t_exec_evasions() {
	load 'rule no-push:
  block exec "fakegit" "push"
rule no-mark:
  block exec "faketouch" "mark"'
	ln -sf $W/bin/fakegit $W/bin/other-name
	ln -sf $W/bin/faketouch $W/bin/other-touch
	# through the loader, with and without its options, a symlink, env, a relative name
	for_all KILLED exec $LDSO $W/bin/faketouch mark $W/e1
	for_all KILLED exec $LDSO --argv0 x $W/bin/faketouch mark $W/e2
	for_all KILLED exec $W/bin/other-touch mark $W/e3
	for_all KILLED exec /usr/bin/env $W/bin/faketouch mark $W/e4
	for_all KILLED exec $W/bin/other-name push
	(cd $W/bin && for_all KILLED exec ./fakegit push)
	for f in e1 e2 e3 e4; do
		[ ! -e $W/$f ] || fail "an evasion ran the program: $W/$f exists"
	done
	expect_eq "refused pushes that ran" "$(grep -c ' push' $W/ran.log || true)" 0
}

t_kill_event() {
	load 'rule no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"'
	start_watch 1 $W/ev.json
	exec_as sh $W/bin/fakegit push >/dev/null || true
	wait "$WATCH_PID" || fail "watch: $(cat $W/ev.json.err)"
	python3 - "$W/ev.json" <<'EOF' || fail "the event: $(cat $W/ev.json)"
import json, sys
e = json.loads(open(sys.argv[1]).read().splitlines()[0])
assert e["rule"] == "no-push" and e["op"] == "exec", e
assert e["effect"] == "kill" and e["proposed"] == "block" and e["killed"], e
assert e["argv"][1:] == ["push"], e
assert e["because"] == "pushing is for humans", e
EOF
}

t_labels_and_network() {
	load 'source secret = file "**/.env"
rule no-exfil:
  block connect "*" if secret
  because "secrets must not reach the network"'
	local how got
	for how in sh py c; do
		case $how in
		sh) got=$(sh -c 'cat "$1" | python3 -c "
import socket,sys
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.stdin.buffer.read(), (\"127.0.0.1\", 9)); print(\"ok\")
except PermissionError: print(\"EPERM\")"' sh $W/.env) ;;
		py) got=$(python3 -c '
import socket, sys
data = open(sys.argv[1], "rb").read()
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(data, ("127.0.0.1", 9)); print("ok")
except PermissionError: print("EPERM")' $W/.env) ;;
		c) got=$("$OP" send 127.0.0.1 9 $W/.env) || true ;;
		esac
		unlabel_self
		expect_eq "$how: secret to the network" "$got" EPERM
	done
	echo plain > $W/plain.txt
	got=$("$OP" send 127.0.0.1 9 $W/plain.txt) || true
	expect_eq "plain data to the network" "$got" ok
}

t_down_up() {
	"$AP" down >/dev/null || fail "down failed"
	[ -z "$(ls /sys/fs/bpf/actplane/hook_* 2>/dev/null)" ] || fail "hooks still pinned after down"
	"$AP" up --attach fmod_ret >/dev/null || fail "up --attach fmod_ret failed"
	expect_eq "status attach_mode" "$(json_get "$(status_json)" "j['attach_mode']")" fmod_ret
}

setup
run_test "no-bpf-lsm: the VM runs without bpf among the LSMs" t_booted_without_bpf
run_test "no-bpf-lsm: up --attach lsm refuses, says why, pins nothing" t_up_lsm_refuses
run_test "no-bpf-lsm: up attaches the fmod_ret mode; status shows it" t_up_auto_is_fmodret
run_test "no-bpf-lsm: doctor passes, names the mode and the lsm= line" t_doctor_says_how
run_test "fmod_ret: exec path rules EPERM, argument rules kill before the program runs" t_exec_rules
run_test "fmod_ret: argument rules through ld.so, symlinks, env, relative names" t_exec_evasions
run_test "fmod_ret: the refused exec's event says kill, rule and reason" t_kill_event
run_test "fmod_ret: a secret read from .env cannot reach the network" t_labels_and_network
run_test "fmod_ret: down and up again in the mode" t_down_up
"$AP" unload >/dev/null 2>&1 || true
run_test "no-bpf-lsm: kernel log clean" kernel_clean
