#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# actplane run and the agent-facing files, on the real kernel: privilege drop,
# exit status, feedback file and jsonl, the hook, doctor.
. "$(dirname "$0")/lib.sh"

W=/tmp/aprun

setup() {
	mkdir -p $W
	mountpoint -q $W || mount -t tmpfs tmpfs $W
	cat > $W/actplane.yaml <<'Y'
version: 1
policy: |
  rule no-secrets-dir:
    block read "secrets/**"
    because "The secrets directory is off limits; ask the user for what you need."
Y
	mkdir -p $W/secrets && echo token > $W/secrets/t
	chown -R 1000:1000 $W
}

t_run_drops_privileges() {
	out=$(SUDO_UID=1000 SUDO_GID=1000 "$AP" run --policy $W/actplane.yaml -- sh -c 'echo "$(id -u) $(id -g) $(id -G)"' 2>/dev/null)
	expect_eq "uid gid groups of the agent" "$out" "1000 1000 1000"
}

t_run_exit_status() {
	rc=0
	SUDO_UID=1000 SUDO_GID=1000 "$AP" run --policy $W/actplane.yaml -- sh -c 'exit 7' 2>/dev/null || rc=$?
	expect_eq "exit status passed through" "$rc" 7
	rc=0
	SUDO_UID=1000 SUDO_GID=1000 "$AP" run --policy $W/actplane.yaml -- sh -c 'kill -TERM $$' 2>/dev/null || rc=$?
	expect_eq "killed by SIGTERM" "$rc" 143
}

t_run_feedback_files() {
	rm -rf $W/.actplane
	rc=0
	SUDO_UID=1000 SUDO_GID=1000 "$AP" run --policy $W/actplane.yaml --log $W/run.log -- \
		sh -c "cat $W/secrets/t" >/dev/null 2>&1 || rc=$?
	[ $rc != 0 ] || fail "reading the secret succeeded"
	expect_contains "printed block" "$(cat $W/run.log)" "no-secrets-dir"
	expect_contains "feedback file" "$(cat $W/.actplane/last-violation.txt)" \
		"The secrets directory is off limits"
	python3 - $W/.actplane/violations.jsonl <<'PY' || fail "jsonl: $(cat $W/.actplane/violations.jsonl)"
import json, sys
v = [json.loads(l) for l in open(sys.argv[1])]
assert len(v) == 1, v
v = v[0]
assert v["rule"] == "no-secrets-dir" and v["effect"] == "block" and v["blocked"], v
assert v["target"] == "/tmp/aprun/secrets/t" and v["op"] == "read" and v["uid"] == 1000, v
assert v["because"].startswith("The secrets directory"), v
PY
}

t_feedback_hook_once() {
	out=$(echo "{\"hook_event_name\":\"PostToolUse\",\"cwd\":\"$W\"}" | setpriv --reuid 1000 --regid 1000 --clear-groups "$AP" feedback-hook)
	expect_contains "hook answer" "$out" "no-secrets-dir"
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["hookSpecificOutput"]["additionalContext"]' "$out" ||
		fail "not hook JSON: $out"
	out=$(echo "{\"hook_event_name\":\"PostToolUse\",\"cwd\":\"$W\"}" | setpriv --reuid 1000 --regid 1000 --clear-groups "$AP" feedback-hook)
	expect_eq "second call" "$out" ""
}

t_run_needs_root() {
	rc=0
	# root has not allowed any group to start sessions (actplane limits)
	out=$(setpriv --reuid 1000 --regid 1000 --clear-groups "$AP" run --policy $W/actplane.yaml -- true 2>&1) || rc=$?
	expect_eq "exit status" "$rc" 1
	expect_contains "the module says why" "$out" "you may not create sessions"
	expect_contains "explains" "$out" "sudo actplane run"
}

t_doctor_ready() {
	"$AP" up >/dev/null
	out=$("$AP" doctor 2>&1) || fail "doctor failed: $out"
	expect_contains "probes struct_ops" "$out" "ok    struct_ops types from modules"
	expect_contains "names the kernel" "$out" "ok    kernel $(uname -r)"
	printf 'bpf\n' > $W/lsm-nobpf && printf 'lockdown,capability,landlock,yama,apparmor\n' > $W/lsm-nobpf
	rc=0
	out=$("$AP" doctor --lsm-file $W/lsm-nobpf 2>&1) || rc=$?
	# without bpf the fmod_ret mode runs: ready, and it says how to get the LSM mode
	[ $rc = 0 ] || fail "doctor failed without bpf in the LSM list: $out"
	expect_contains "names the mode" "$out" "attaches the hooks in fmod_ret mode"
	expect_contains "explains lsm=" "$out" "lsm=lockdown,landlock,yama,apparmor,bpf"
}

setup
run_test "run: agent runs as the sudo user with that user's groups" t_run_drops_privileges
run_test "run: exit status and signals passed through" t_run_exit_status
run_test "run: violation printed, feedback file and jsonl written" t_run_feedback_files
run_test "feedback-hook delivers a violation once, then nothing" t_feedback_hook_once
run_test "run without root, not allowed, explains itself" t_run_needs_root
run_test "doctor: VM ready; a missing bpf LSM means the fmod_ret mode" t_doctor_ready
"$AP" unload >/dev/null 2>&1
"$AP" down >/dev/null
