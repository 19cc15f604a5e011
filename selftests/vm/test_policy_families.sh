#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# More rule families (docs/policy-language.md, "Worked examples"):
# endorsement, single-shot confirmation, transitive derived data, task
# separation, read-only sub-agent, migration freshness, exit-status gates.
# Reuses test_policy.sh helpers.
. "$(dirname "$0")/lib.sh"
eval "$(sed -n '/^W=/,/^t_argv_pre_exec() {/p' "$(dirname "$0")/test_policy.sh" | sed '$d')"

t_endorse_review() {
	load 'source untrusted = file "/tmp/apw/downloads/**"
endorse reviewed by exec "review"
rule reviewed-deploys:
  block exec "deploy" if untrusted and not reviewed
  because "untrusted input needs a review before deploying"'
	mkdir -p $W/downloads && echo payload > $W/downloads/patch
	printf '#!/bin/sh\necho deployed >> %s/ran.log\n' $W > $W/bin/deploy
	printf '#!/bin/sh\n"$@"\n' > $W/bin/review
	chmod +x $W/bin/deploy $W/bin/review
	: > $W/ran.log
	out=$(sh -c "read x < $W/downloads/patch; deploy 2>/dev/null && echo ok || echo EPERM") || true
	unlabel_self
	expect_eq "deploy after reading untrusted input" "$out" EPERM
	out=$(sh -c "read x < $W/downloads/patch; review deploy 2>/dev/null && echo ok || echo EPERM") || true
	unlabel_self
	expect_eq "deploy through review" "$out" ok
	expect_eq "deploys that ran" "$(ran deployed)" 1
}

t_single_shot_confirmation() {
	load 'rule confirm-push:
  block exec "fakegit" "push" unless after exec "confirm" since exec "fakegit"
  because "each push needs a fresh confirmation"'
	printf '#!/bin/sh\ntrue\n' > $W/bin/confirm && chmod +x $W/bin/confirm
	out=$(sh -c "
		$AP session create --pid \$\$ >/dev/null
		fakegit push >/dev/null 2>&1 && echo ok || echo blocked
		confirm
		fakegit push >/dev/null 2>&1 && echo ok || echo blocked
		fakegit push >/dev/null 2>&1 && echo ok || echo blocked
		confirm
		fakegit status >/dev/null 2>&1
		fakegit push >/dev/null 2>&1 && echo ok || echo blocked
	")
	expect_eq "push / confirm,push / push / confirm,other git,push" "$(echo $out)" "blocked ok blocked blocked"
}

t_transitive_data() {
	load 'source secret = file "**/.env"
rule no-exfil:
  block connect "*" if secret
  because "derived data stays local"'
	# a labeled process derives a file; an unrelated process reads it later
	sh -c "cut -d= -f2 $W/.env > $W/derived.txt"
	expect_eq "derived file" "$("$AP" labels $W/derived.txt)" secret
	got=$(setsid "$OP" send 127.0.0.1 9 $W/derived.txt) || true
	unlabel_self
	expect_eq "unrelated process sending derived data" "$got" EPERM
}

t_task_separation() {
	load 'source task-a = file "/tmp/apw/task-a/**"
source task-b = file "/tmp/apw/task-b/**"
rule separate:
  block write "/tmp/apw/shared/**" if task-a and task-b
  because "keep the two tasks apart"'
	mkdir -p $W/task-a $W/task-b $W/shared
	echo a > $W/task-a/f; echo b > $W/task-b/f
	out=$(sh -c "read x < $W/task-a/f; echo \$x > $W/shared/one 2>/dev/null && echo ok || echo EPERM") || true
	unlabel_self
	expect_eq "one task's data" "$out" ok
	out=$(sh -c "read x < $W/task-a/f; read y < $W/task-b/f; echo \$x\$y 2>/dev/null > $W/shared/two && echo ok || echo EPERM") || true
	unlabel_self
	expect_eq "both tasks' data" "$out" EPERM
}

# ro_try HOW OP ARGS: OP as sh / python / C under the research agent.  No
# /dev/null inside: a read-only agent may not open it for writing either.
ro_try() {
	local how=$1 op=$2; shift 2
	case "$how:$op" in
	sh:write) research-agent sh -c 'echo x > "$1" && echo ok || echo EPERM' sh "$1" ;;
	py:write) research-agent python3 -c '
import sys
try:
    open(sys.argv[1], "w").write("x"); print("ok")
except PermissionError: print("EPERM")' "$1" ;;
	sh:unlink) research-agent sh -c 'rm -f "$1" && echo ok || echo EPERM' sh "$1" ;;
	py:unlink) research-agent python3 -c '
import os, sys
try:
    os.unlink(sys.argv[1]); print("ok")
except PermissionError: print("EPERM")' "$1" ;;
	sh:connect) research-agent bash -c 'echo x > /dev/udp/127.0.0.1/9 && echo ok || echo EPERM' ;;
	py:connect) research-agent python3 -c '
import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 9)); print("ok")
except PermissionError: print("EPERM")' ;;
	c:connect) research-agent "$OP" send 127.0.0.1 9 $W/payload ;;
	sh:exec) research-agent sh -c '"$@" && echo ok || { [ $? = 126 ] && echo EPERM || echo failed; }' sh "$@" ;;
	py:exec) research-agent python3 -c '
import subprocess, sys
try:
    subprocess.run(sys.argv[1:]); print("ok")
except PermissionError: print("EPERM")' "$@" ;;
	c:*) research-agent "$OP" "$op" "$@" ;;
	esac 2>/dev/null
}

t_readonly_subagent() {
	load 'source research = exec "**/research-agent"
rule research-readonly:
  block write "/**" if research
  block unlink "/**" if research
  block connect "*" if research
  block exec "fakegit" if research
  because "the research sub-agent is read-only; spawn an executor for changes"'
	printf '#!/bin/sh\nexec "$@"\n' > $W/bin/research-agent
	chmod +x $W/bin/research-agent
	echo notes > $W/notes/keep
	echo x > $W/payload
	: > $W/ran.log
	local how op got
	for how in sh py c; do
		for op in "write $W/notes/new-$how" "unlink $W/notes/keep" connect "exec $W/bin/fakegit status"; do
			# shellcheck disable=SC2086
			got=$(ro_try $how $op) || true
			unlabel_self
			[ "$got" = EPERM ] || fail "research agent, $how: $op -> '$got', want EPERM"
		done
	done
	[ -e $W/notes/keep ] && [ ! -e $W/notes/new-sh ] || fail "the research agent changed files"
	expect_eq "git runs under the research agent" "$(ran fakegit)" 0
	got=$(research-agent cat $W/notes/keep) || true
	unlabel_self
	expect_eq "research agent reads" "$got" notes
	# the same operations outside the sub-agent's tree are fine
	for_all ok write $W/notes/outside
	for_all ok send 127.0.0.1 9 $W/notes/keep
}

t_migration_freshness() {
	load 'source agent = exec "**/codex"
rule migrate-checked:
  block write "/tmp/apw/prod.db"
    if agent unless after exec "migrate-check" since write "/tmp/apw/migrations/**"
  because "prod.db writes need a migration check that saw the current migrations"'
	printf '#!/bin/bash\nexec "$@"\n' > $W/bin/codex	# bash keeps exported functions
	printf '#!/bin/sh\necho checked >> %s/ran.log\n' $W > $W/bin/migrate-check
	chmod +x $W/bin/codex $W/bin/migrate-check
	mkdir -p $W/migrations && echo "create table t;" > $W/migrations/001.sql
	export -f run_as
	export OP W
	# no `actplane run` and no session: the agent roots its own session
	out=$(codex bash -c '
		"$1" labels --pid $$ | grep -q "^session " && echo session || echo no-session
		try() { echo $(run_as sh write $W/prod.db) $(run_as py write $W/prod.db) $(run_as c write $W/prod.db); }
		try
		migrate-check; try
		echo "alter table t;" > $W/migrations/002.sql; try
		migrate-check; try' bash "$AP") || true
	unlabel_self
	expect_eq "session / unchecked / checked / migration edited / re-checked" "$(echo $out)" \
		"session EPERM EPERM EPERM ok ok ok EPERM EPERM EPERM ok ok ok"
	# the gate is per session: a new agent starts unchecked; non-agents are not gated
	got=$(codex "$OP" write $W/prod.db) || true
	unlabel_self
	expect_eq "a second agent session" "$got" EPERM
	for_all ok write $W/prod.db
}

t_gate_exit_status() {
	load 'rule tested:
  block exec "fakegit" "commit" unless after exec "runtests" exits 0 since write "/tmp/apw/src/**"
  because "commit after a passing test run"'
	# runtests STATUS [edit|die]: exits with STATUS; "edit" edits src/ mid-run
	printf '#!/bin/sh\n[ "$2" = edit ] && echo mid-run >> %s/src/a.c\n[ "$2" = die ] && kill -9 $$\nexit $1\n' \
		$W > $W/bin/runtests
	chmod +x $W/bin/runtests
	out=$(sh -c "
		$AP session create --pid \$\$ >/dev/null
		c() { fakegit commit -m x >/dev/null 2>&1 && echo ok || echo blocked; }
		runtests 1; c
		runtests 0; c
		echo v2 > $W/src/a.c; c
		runtests 0 edit; c
		runtests 0 die; c
		python3 -c 'import subprocess; subprocess.run([\"runtests\", \"0\"])'; c
	" 2>/dev/null)
	expect_eq "fail / pass / edit / edit mid-run / killed / pass (python)" "$(echo $out)" \
		"blocked ok blocked blocked blocked ok"
}

# Globs with no literal directory prefix are pre-filtered by their last
# component (a name, or "*" + a suffix); the full glob still decides.
t_root_globs() {
	load 'source key = file "**/keys-*/id.key"
rule no-key-upload:
  block connect "*" if key
  because "keys stay here"
rule logs:
  block write "/**/out-?/*.log"
  because "logs are append-only elsewhere"
rule no-deploy:
  block exec "**/deploy-*"
  because "deploys are for humans"'
	mkdir -p $W/keys-a $W/keysa $W/out-1 $W/out-12
	echo k > $W/keys-a/id.key; echo k > $W/keysa/id.key
	for_all EPERM send 127.0.0.1 9 $W/keys-a/id.key
	for_all ok send 127.0.0.1 9 $W/keysa/id.key
	for_all EPERM write $W/out-1/x.log
	for_all ok write $W/out-12/x.log
	for_all ok write $W/out-1/x.txt
	printf '#!/bin/sh\ntrue\n' > $W/bin/deploy-prod
	cp $W/bin/deploy-prod $W/bin/xdeploy-prod
	chmod +x $W/bin/deploy-prod $W/bin/xdeploy-prod
	for_all EPERM exec $W/bin/deploy-prod
	for_all ok exec $W/bin/xdeploy-prod
	# names that cannot match cost no path resolution
	local before after
	before=$(counter path_lookups)
	python3 -c '
for _ in range(200):
    open("/etc/hostname").read()
    open("/tmp/apw/notes/plain.txt", "w").write("x")'
	after=$(counter path_lookups)
	[ $((after - before)) -lt 20 ] || fail "$((after - before)) path lookups for 400 non-matching opens"
}

# Patterns that need more than the name (exact paths, "dir/**", suffixes
# with a '/', globs) are filed under their last component or an ancestor
# directory's name.  Under a root on the file's own mount (a chroot into
# the workspace) the ancestors' names come from the dentries: a name that
# cannot match builds no path.  Elsewhere the path's components are used.
t_ancestor_walk() {
	load 'rule data:
  block write "/srv/data/**"
  because "p"
rule conf:
  block write "/etc/app/prod.conf"
  because "e"
rule key:
  block write "**/.ssh/id_rsa"
  because "s"
rule cache:
  block write "/srv/*/cache/*"
  because "g"
rule deep:
  block write "/opt/x/**/y**"
  because "d"'
	local R=$W/root f want got before after
	mkdir -p $R/srv/data/sub $R/srv/datax $R/data $R/etc/app $R/notes $R/home/u/.ssh \
		$R/home/u/ssh $R/srv/a/cache $R/srv/a/b/cache $R/opt/x/q/yy $R/opt/x/q/zz
	for f in /srv/data/sub/f:EPERM /srv/datax/f:ok /data/f:ok /etc/app/prod.conf:EPERM \
		/etc/app/dev.conf:ok /notes/prod.conf:ok /home/u/.ssh/id_rsa:EPERM \
		/home/u/ssh/id_rsa:ok /srv/a/cache/f:EPERM /srv/a/b/cache/f:ok \
		/opt/x/q/yy/f:EPERM /opt/x/q/zz/f:ok; do
		want=${f#*:} f=${f%:*}
		got=$("$OP" chroot $R write $f) || true
		[ "$got" = "$want" ] || fail "chroot $R: write $f -> '$got', want '$want'"
	done
	# the same rules from outside the chroot: nothing matches /tmp/apw/root/...
	for_all ok write $R/srv/data/sub/f
	before=$(counter path_lookups)
	got=$("$OP" chroot $R writes 200 /notes/plain.txt) || true
	after=$(counter path_lookups)
	expect_eq "200 writes" "$got" ok
	[ $((after - before)) -lt 20 ] || fail "$((after - before)) path lookups for 200 non-matching writes"
	# a "**" in the last component reaches deeper names: not filed by its start
	mkdir -p $W/cfg-1 $W/xcfg-1
	load 'rule cfg:
  block write "**/cfg-**"
  because "c"'
	for_all EPERM write $W/cfg-1/f
	for_all ok write $W/xcfg-1/f
}

setup
run_test "endorse: untrusted input deploys only through review" t_endorse_review
run_test "single-shot confirmation (since exec of the gated program)" t_single_shot_confirmation
run_test "transitive derived data reaches an unrelated process through a file" t_transitive_data
run_test "two-task separation (multi-label and)" t_task_separation
run_test "read-only sub-agent: no write, unlink, connect or git in its tree" t_readonly_subagent
run_test "migration freshness; a subject source roots its own session" t_migration_freshness
run_test "after exec G exits N: only passing runs that saw the current files" t_gate_exit_status
run_test "globs without a literal directory, pre-filtered by name, still decide exactly" t_root_globs
run_test "paths filed by name and ancestor names: exact decisions, no path built for non-matches" t_ancestor_walk
"$AP" unload >/dev/null
"$AP" down >/dev/null
