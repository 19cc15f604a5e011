#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# More rule families (DESIGN §3): endorsement, single-shot confirmation,
# transitive derived data, task separation.  Reuses test_policy.sh helpers.
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

setup
run_test "endorse: untrusted input deploys only through review" t_endorse_review
run_test "single-shot confirmation (since exec of the gated program)" t_single_shot_confirmation
run_test "transitive derived data reaches an unrelated process through a file" t_transitive_data
run_test "two-task separation (multi-label and)" t_task_separation
"$AP" unload >/dev/null
"$AP" down >/dev/null
