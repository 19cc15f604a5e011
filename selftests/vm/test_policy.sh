#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Policy engine: each rule family under the three paths an agent uses — a
# shell, a Python subprocess, a compiled C program — plus reloads, the
# enforcers and the fallback.  Every test asserts the outcome (EPERM, killed,
# allowed, event with rule and reason).
. "$(dirname "$0")/lib.sh"

W=/tmp/apw POLICY=/tmp/apw/actplane.yaml
OP=$VMT/agent_op

setup() {
	"$AP" up >/dev/null
	mkdir -p $W
	mountpoint -q $W || mount -t tmpfs tmpfs $W
	mkdir -p $W/bin $W/src $W/notes
	# fake tools: each leaves a marker when it actually runs
	for t in fakegit redact runtests migrate; do
		printf '#!/bin/sh\necho "$0 $*" >> %s/ran.log\n' $W > $W/bin/$t
		chmod +x $W/bin/$t
	done
	printf '#!/bin/sh\necho "$0 $*" >> %s/ran.log\nsed s/=.*/=REDACTED/\n' $W > $W/bin/redact
	echo "API_KEY=hunter2" > $W/.env
	export PATH=$W/bin:$PATH
}

ran() { grep -c -- "$1" $W/ran.log 2>/dev/null || true; }

# run_as PATHKIND OP ARGS: perform an operation as shell / python / C; prints
# ok, EPERM, or for an exec KILLED (SIGKILL ended it: $ARGV_REFUSED)
run_as() {
	local how=$1 op=$2; shift 2
	case "$how:$op" in
	sh:exec|py:exec) exec_as $how "$@" ;;
	c:*) "$OP" "$op" "$@" ;;
	sh:write) sh -c 'echo x 2>/dev/null > "$1" && echo ok || echo EPERM' sh "$1" ;;
	py:write) python3 -c '
import sys
try:
    open(sys.argv[1], "w").write("x"); print("ok")
except PermissionError: print("EPERM")' "$1" ;;
	sh:unlink) sh -c 'rm -f "$1" 2>/dev/null && echo ok || echo EPERM' sh "$1" ;;
	py:unlink) python3 -c '
import os, sys
try:
    os.unlink(sys.argv[1]); print("ok")
except PermissionError: print("EPERM")' "$1" ;;
	sh:send) sh -c 'cat "$3" | python3 -c "
import socket,sys
h=sys.argv[1]; f=socket.AF_INET6 if \":\" in h else socket.AF_INET
try:
    socket.socket(f, socket.SOCK_DGRAM).sendto(sys.stdin.buffer.read(), (h, int(sys.argv[2]))); print(\"ok\")
except PermissionError: print(\"EPERM\")" "$1" "$2"' sh "$@" ;;
	py:send) python3 -c '
import socket, sys
h = sys.argv[1]; f = socket.AF_INET6 if ":" in h else socket.AF_INET
data = open(sys.argv[3], "rb").read()
try:
    socket.socket(f, socket.SOCK_DGRAM).sendto(data, (h, int(sys.argv[2]))); print("ok")
except PermissionError: print("EPERM")' "$@" ;;
	*) echo "run_as: $how:$op?" >&2; return 2 ;;
	esac
}

t_argv_pre_exec() {
	load 'rule no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"'
	: > $W/ran.log
	for_all $ARGV_REFUSED exec $W/bin/fakegit push origin main
	for_all $ARGV_REFUSED exec $W/bin/fakegit -c x=y push
	expect_eq "blocked pushes that ran" "$(ran ' push')" 0
	for_all ok exec $W/bin/fakegit status
	expect_eq "allowed runs" "$(ran ' status')" 3
	# a long argument list: the whole argv is considered
	long=$(head -c 3000 /dev/zero | tr '\0' a)
	for_all $ARGV_REFUSED exec $W/bin/fakegit $long $long push
	for_all $ARGV_REFUSED exec $W/bin/fakegit $long $long $long $long $long $long push
	# the environment comes right after argv and is not read as arguments:
	# a push still refused under 9 KB of it; a "push" in it refuses nothing
	export AP_BIG_ENV=$long$long$long push=push
	for_all $ARGV_REFUSED exec $W/bin/fakegit status push
	for_all ok exec $W/bin/fakegit status
	unset AP_BIG_ENV push
	expect_eq "allowed runs under a big environment" "$(ran ' status')" 6
}

t_secret_to_network() {
	load 'source secret = file "**/.env"
declassify secret by exec "redact"
rule no-exfil:
  block connect "*" if secret
  because "secrets must not reach the network"'
	for_all EPERM send 127.0.0.1 9 $W/.env
	for_all EPERM send ::1 9 $W/.env
	echo plain > $W/plain.txt
	for_all ok send 127.0.0.1 9 $W/plain.txt
	# through a pipe: cat .env | sender is caught, cat .env | redact | sender passes
	got=$(cat $W/.env | "$OP" pipe-send 127.0.0.1 9) || true
	unlabel_self
	expect_eq "cat .env | sender" "$got" EPERM
	got=$(cat $W/.env | redact | "$OP" pipe-send 127.0.0.1 9) || true
	expect_eq "cat .env | redact | sender" "$got" ok
}

t_kill_and_events() {
	load 'rule protect:
  kill write "/tmp/apw/protected/*"
  because "protected files are read-only"
rule note:
  notify write "/tmp/apw/notes/*"
  because "notes are watched"'
	mkdir -p $W/protected
	local rc
	start_watch 3 $W/events.json
	rc=0
	sh -c "echo x > $W/protected/f" 2>/dev/null || rc=$?
	expect_eq "writer exit status (SIGKILL)" "$rc" 137
	[ ! -s $W/protected/f ] || fail "killed writer's data reached the file"
	rc=0
	python3 -c "open('$W/protected/g','w')" 2>/dev/null || rc=$?
	expect_eq "python writer" "$rc" 137
	"$OP" write $W/notes/n >/dev/null || fail "notify blocked the write"
	wait $WATCH_PID || fail "did not get 3 events: $(cat $W/events.json)"
	python3 - $W/events.json <<'PY' || fail "events: $(cat $W/events.json)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[0]["rule"] == "protect" and ev[0]["killed"] and ev[0]["effect"] == "kill", ev[0]
assert ev[0]["because"] == "protected files are read-only", ev[0]
assert ev[0]["target"] == "/tmp/apw/protected/f", ev[0]
assert ev[1]["seq"] > ev[0]["seq"] and ev[1]["rule"] == "protect" and ev[1]["killed"]
assert ev[2]["rule"] == "note" and ev[2]["effect"] == "notify" and not ev[2]["blocked"], ev[2]
PY
}

t_lineage_mediation() {
	load 'rule prod-db:
  block open "/tmp/apw/prod.db" unless lineage-includes exec "migrate"
  because "the production DB is only opened through the migration tool"'
	for_all EPERM write $W/prod.db
	# the migration tool (and what it runs) may open it
	printf '#!/bin/sh\nsh -c "echo row >> %s/prod.db" && echo ok || echo EPERM\n' $W > $W/bin/migrate
	got=$(migrate) || true
	expect_eq "via migrate" "$got" ok
}

t_workspace_confinement() {
	mkdir -p /tmp/apw-outside
	touch /tmp/apw-outside/keep
	load 'rule stay-home:
  block write "/tmp/apw-outside/**"
  block unlink "/tmp/apw-outside/**"
  because "stay in the workspace"'
	for_all EPERM write /tmp/apw-outside/f
	[ ! -e /tmp/apw-outside/f ] || fail "a blocked write created the file"
	for_all EPERM write /tmp/apw-outside/keep
	for_all EPERM unlink /tmp/apw-outside/keep
	[ -e /tmp/apw-outside/keep ] || fail "unlink went through"
	for_all ok write $W/inside
}

# renameat2(RENAME_EXCHANGE) reaches the LSM once, with both names replaced:
# the reverse direction (the protected name goes away) must be checked too.
t_rename_exchange() {
	mkdir -p $W/protected $W/free
	echo precious > $W/protected/keep
	echo junk > $W/free/x
	load 'rule keep-protected:
  block unlink "/tmp/apw/protected/**"
  because "protected names stay"'
	xchg() {
		python3 -c '
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
r = libc.renameat2(AT_FDCWD, sys.argv[1].encode(), AT_FDCWD, sys.argv[2].encode(), RENAME_EXCHANGE)
print("ok" if r == 0 else errno.errorcode[ctypes.get_errno()])' "$1" "$2"
	}
	expect_eq "exchange onto a protected name" "$(xchg $W/free/x $W/protected/keep)" EPERM
	expect_eq "exchange from a protected name" "$(xchg $W/protected/keep $W/free/x)" EPERM
	expect_eq "protected content stays" "$(cat $W/protected/keep)" precious
	echo other > $W/free/y
	expect_eq "exchange of two free names" "$(xchg $W/free/x $W/free/y)" ok
	expect_eq "free names swapped" "$(cat $W/free/x)" other
}

t_test_before_commit() {
	load 'rule tested:
  block exec "fakegit" "commit" unless after exec "runtests" since write "/tmp/apw/src/**"
  because "run the tests after your last edit"'
	# a session: the gates are per session
	out=$(sh -c "
		$AP session create --pid \$\$ >/dev/null
		echo v1 > $W/src/a.c
		runtests
		fakegit commit -m one >/dev/null 2>&1 && echo ok1 || echo blocked1
		echo v2 > $W/src/a.c
		fakegit commit -m two >/dev/null 2>&1 && echo ok2 || echo blocked2
		runtests
		fakegit commit -m three >/dev/null 2>&1 && echo ok3 || echo blocked3
	")
	expect_eq "edit, test, commit / edit, commit / test, commit" "$(echo $out)" "ok1 blocked2 ok3"
	out=$(sh -c "$AP session create --pid \$\$ >/dev/null; fakegit commit -m x >/dev/null 2>&1 && echo ok || echo blocked")
	expect_eq "new session without tests" "$out" blocked
}

t_egress_allowlist() {
	load 'rule egress:
  block connect "*" unless target "127.0.0.0/8"
  because "only local services"'
	echo data > $W/data
	for_all ok send 127.0.0.1 9 $W/data
	for_all EPERM send ::1 9 $W/data
	load 'rule egress6:
  block connect "*" unless target "::1/128"
  because "only local services"'
	for_all ok send ::1 9 $W/data
	for_all EPERM send 127.0.0.1 9 $W/data
}

t_reload_keeps_labels() {
	load 'source a = file "**/a.secret"
source b = file "**/b.secret"
rule r:
  block connect "*" if b
  because "b"'
	echo x > $W/b.secret
	"$AP" label add b $W/b.secret
	load 'source b = file "**/b.secret"
source a = file "**/a.secret"
rule r:
  block connect "*" if b
  because "b"'
	expect_eq "file label after reorder" "$("$AP" labels $W/b.secret)" b
	got=$(run_as c send 127.0.0.1 9 $W/b.secret) || true
	expect_eq "rule still sees the label" "$got" EPERM
}

t_reload_storm() {
	load 'rule no-push:
  block exec "fakegit" "push"
  because "no"'
	: > $W/ran.log
	( for i in $(seq 100); do "$AP" load $W/actplane.yaml >/dev/null || echo LOADFAIL; done ) > $W/reload.out &
	local rp=$!
	while kill -0 $rp 2>/dev/null; do fakegit push >/dev/null 2>&1 || true; done
	wait $rp
	! grep -q LOADFAIL $W/reload.out || fail "a reload failed"
	expect_eq "pushes that ran during 100 reloads" "$(ran ' push')" 0
}

t_audit_enforcer() {
	load 'rule no-push:
  block exec "fakegit" "push"
  because "no"'
	"$AP" enforcer audit >/dev/null
	start_watch 1 $W/ev.json
	: > $W/ran.log
	got=$(run_as c exec $W/bin/fakegit push) || true
	wait $WATCH_PID || fail "no event"
	"$AP" enforcer enforce >/dev/null
	expect_eq "push ran under audit" "$(ran ' push')" 1
	expect_contains "event" "$(cat $W/ev.json)" '"effect":"notify","proposed":"block"'
	expect_eq "enforce again" "$(run_as c exec $W/bin/fakegit push || true)" $ARGV_REFUSED
}

t_no_enforcer_fallback() {
	load 'rule no-push:
  block exec "fakegit" "push"
  because "no"'
	rm /sys/fs/bpf/actplane/enforcer
	for i in $(seq 50); do [ "$(enforcer_field state)" = none ] && break; sleep 0.1; done
	expect_eq "enforcer state" "$(enforcer_field state)" none
	got=$(run_as c exec $W/bin/fakegit push) || true
	"$AP" up >/dev/null
	expect_eq "blocked without an enforcer" "$got" $ARGV_REFUSED
}

t_bad_policy_keeps_old() {
	load 'rule no-push:
  block exec "fakegit" "push"
  because "no"'
	"$VMT/nl_malformed" --policy | tee $W/bad.out
	! grep -q '^not ok' $W/bad.out
	expect_eq "old policy still enforced" "$(run_as c exec $W/bin/fakegit push || true)" $ARGV_REFUSED
	expect_contains "rules" "$("$AP" rules)" "  r0 no-push"
}

setup
run_test "argv matched pre-exec: blocked program never runs (sh, python, C)" t_argv_pre_exec
run_test "secret -> network blocked, allowed through redact (declassify)" t_secret_to_network
run_test "kill effect and notify: exit 137, events with rule and reason" t_kill_and_events
run_test "mediation: prod DB only opened under the migration tool (lineage)" t_lineage_mediation
run_test "workspace confinement: writes and unlinks outside blocked" t_workspace_confinement
run_test "renameat2 RENAME_EXCHANGE checks both names" t_rename_exchange
run_test "test-before-commit gate per session, stale after an edit" t_test_before_commit
run_test "allow-listed egress by CIDR, IPv4 and IPv6" t_egress_allowlist
run_test "reload with reordered sources keeps labels" t_reload_keeps_labels
run_test "100 reloads while a loop retries a blocked exec: zero successes" t_reload_storm
run_test "audit enforcer: block becomes notify, event says proposed block" t_audit_enforcer
run_test "no enforcer attached: the policy's effects still apply" t_no_enforcer_fallback
run_test "invalid policy rejected with ext-ack, previous policy in force" t_bad_policy_keeps_old
"$AP" unload >/dev/null
"$AP" down >/dev/null
