#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The kernel side against a hostile agent: an evaluation that cannot be
# completed follows the fail mode (never a silent "no match"), however many
# clauses match an event; label state stays exact while sibling threads race
# an exec; a session starts with exactly the labels the policy gives it.
# Allocation failures are injected with the module's test knob
# /sys/module/actplane/parameters/fault_inject (Debian's kernel has no
# CONFIG_FAILSLAB).  Each test also fails on any kernel warning so far.
#
# A VM of its own with multi-threaded TCG, so the exec race gets two host
# threads (like test_hardening.sh).
# vm-options: --cpus 2
. "$(dirname "$0")/lib.sh"

H=/tmp/aphk POLICY=/tmp/aphk/actplane.yaml
FI=/sys/module/actplane/parameters/fault_inject
RACE_SECS=${RACE_SECS:-6}
[ "${AP_STRESS:-0}" = 1 ] && RACE_SECS=30
# a directory whose path does not fit the evaluator's 256-byte inline buffer
LONG=$H/long/$(printf 'a%.0s' $(seq 120))/$(printf 'b%.0s' $(seq 120))

setup() {
	up_quiesced
	workspace $H
	mkdir -p $H/many $H/s $H/race $H/run "$LONG"
	echo "API_KEY=hunter2" > $H/s/.env
}

labels_of() { "$AP" labels "$@" | grep -v '^session ' | sort | tr '\n' ' ' | sed 's/ $//'; }
incomplete() { counter incomplete_evals; }

# inject N CMD...: the next N argv/path allocations fail, then CMD runs in a
# shell of its own (the knob is set by that shell: nothing else execs between)
inject() {
	local n=$1
	shift
	sh -c 'echo "$1" > '"$FI"'; shift; exec "$@"' sh "$n" "$@"
}

# ---- 6a: many clauses on one event ----------------------------------------------

# clauses EFFECT NAME PATH: 40 rules NAME1..NAME40, each "EFFECT write PATH"
clauses() {
	local i
	for i in $(seq 40); do
		printf 'rule %s%d:\n  %s write "%s"\n  because "%s %d"\n' "$2" "$i" "$1" "$3" "$2" "$i"
	done
}

t_many_clauses() {
	local before blocked rc
	load "$(clauses notify watch $H/many/f)rule stop:
  block write \"$H/many/f\"
  because \"the 41st clause\""
	before=$(incomplete) blocked=$(counter blocked)
	rc=0
	sh -c "echo x > $H/many/f" 2>/dev/null || rc=$?
	[ "$rc" != 0 ] || fail "write allowed: the block clause after 40 notify clauses was dropped"
	[ ! -s $H/many/f ] || fail "the blocked write reached the file"
	expect_eq "blocked counter" "$(counter blocked)" "$((blocked + 1))"
	# evaluated completely: nothing left to the fail mode
	expect_eq "incomplete evaluations" "$(incomplete)" "$before"
	# and the strongest effect among 40 blocks and one kill is the kill
	load "$(clauses block stop $H/many/g)rule killer:
  kill write \"$H/many/g\"
  because \"the 41st clause\""
	rc=0
	sh -c "echo x > $H/many/g" 2>/dev/null || rc=$?
	expect_eq "writer exit status (SIGKILL)" "$rc" 137
	kernel_clean
}

# ---- 6b: exec arguments that cannot be read ------------------------------------

t_argv_unreadable() {
	local before rc
	load 'rule no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"'
	expect_eq "knob reads back" "$(cat $FI)" 0
	# A compiled fakegit (a copy of true: it ran iff it exits 0), not the
	# workspace's script: a script's exec reads its interpreter's arguments
	# too, and in the fmod_ret mode (reads at the commit) that read comes
	# first and takes the one injected failure, for a clause that needs none.
	mkdir -p $H/cbin
	cp /bin/true $H/cbin/fakegit
	# fail-closed: an exec whose arguments cannot be read is denied and counted
	"$AP" limits --fail-mode closed
	before=$(incomplete)
	rc=0
	inject 1 $H/cbin/fakegit status 2>/dev/null || rc=$?
	expect_eq "injected failure used up" "$(cat $FI)" 0
	[ "$rc" != 0 ] || fail "fail-closed: exec with unreadable argv ran"
	expect_eq "incomplete evaluations (fail-closed)" "$(incomplete)" "$((before + 1))"
	# the same exec, nothing injected: runs, counts nothing
	inject 0 $H/cbin/fakegit status || fail "fakegit status refused without injection"
	expect_eq "incomplete after a complete evaluation" "$(incomplete)" "$((before + 1))"
	# and the rule still holds: push is refused with its arguments readable
	rc=0
	inject 0 $H/cbin/fakegit push 2>/dev/null || rc=$?
	[ "$rc" != 0 ] || fail "fakegit push ran"
	# fail-open: let through, but counted
	"$AP" limits --fail-mode open
	inject 1 $H/cbin/fakegit status || fail "fail-open: exec refused"
	expect_eq "incomplete evaluations (fail-open)" "$(incomplete)" "$((before + 2))"
	# an exec no argv rule is about needs no arguments: unaffected
	"$AP" limits --fail-mode closed
	inject 1 true || fail "fail-closed: an exec no rule is about was refused"
	"$AP" limits --fail-mode open
	echo 0 > $FI
	kernel_clean
}

# ---- 6c: a path that cannot be resolved ----------------------------------------

t_path_unresolvable() {
	local before lookups rc
	# the name *.lock needs the full path to tell: this one is not under other/
	load "rule locks:
  block write \"$H/other/**/*.lock\"
  because \"lock files under other/ are managed\""
	: > "$LONG/x.lock"
	lookups=$(counter path_lookups)
	before=$(incomplete)
	inject 0 sh -c "echo ok > '$LONG/x.lock'" || fail "write refused without injection"
	[ "$(counter path_lookups)" -gt "$lookups" ] || fail "the path was never resolved"
	expect_eq "incomplete after a complete evaluation" "$(incomplete)" "$before"
	"$AP" limits --fail-mode closed
	rc=0
	inject 1 sh -c "echo no > '$LONG/x.lock'" 2>/dev/null || rc=$?
	expect_eq "injected failure used up" "$(cat $FI)" 0
	[ "$rc" != 0 ] || fail "fail-closed: write with an unresolvable path allowed"
	expect_eq "file untouched (fail-closed)" "$(cat "$LONG/x.lock")" ok
	expect_eq "incomplete evaluations (fail-closed)" "$(incomplete)" "$((before + 1))"
	# creating a file: the directory's path + the new name
	rc=0
	inject 1 sh -c "echo no > '$LONG/new.lock'" 2>/dev/null || rc=$?
	[ "$rc" != 0 ] || fail "fail-closed: create with an unresolvable path allowed"
	[ ! -e "$LONG/new.lock" ] || fail "fail-closed: the file was created"
	expect_eq "incomplete evaluations (create)" "$(incomplete)" "$((before + 2))"
	"$AP" limits --fail-mode open
	inject 1 sh -c "echo open > '$LONG/x.lock'" || fail "fail-open: write refused"
	expect_eq "file written (fail-open)" "$(cat "$LONG/x.lock")" open
	expect_eq "incomplete evaluations (fail-open)" "$(incomplete)" "$((before + 3))"
	echo 0 > $FI
	kernel_clean
}

t_status_shows_incomplete() {
	local n
	n=$(incomplete)
	[ "$n" -gt 0 ] || fail "counter is $n after the injected failures"
	expect_contains "status" "$("$AP" status)" "incomplete: $n event(s)"
	expect_contains "status counters" "$("$AP" status)" "incomplete_evals"
}

# ---- 7: label updates racing an exec ------------------------------------------

t_exec_race() {
	local n=40 i p="" out wp
	for i in $(seq $n); do
		echo "l$i" > $H/race/l$i
		p+="source l$i = file \"$H/race/l$i\"
"
	done
	echo "API_KEY=hunter2" > $H/race/secret
	: > $H/prod.db
	# helper DIR: open the DB (lineage), stop, read the secret (immunity), stop
	cat > $H/bin/helper <<'EOF'
#!/bin/sh
rc=0
{ : >> "$1/prod.db"; } 2>/dev/null || rc=1
kill -STOP $$
read x < "$1/race/secret" || rc=$((rc | 2))
kill -STOP $$
exit $rc
EOF
	chmod +x $H/bin/helper
	load "${p}source secret = file \"$H/race/secret\"
declassify secret by exec \"$H/bin/helper\"
rule prod-db:
  block open \"$H/prod.db\" unless lineage-includes exec \"$H/bin/helper\"
  because \"the DB is only opened through the helper\"
rule helper-ran:
  notify exec \"$H/bin/helper\"
  because \"an event per exec: the exec's evaluation takes a while\""
	# the helper's exec is a (notify) match: a slow enforcer and a listener
	# keep its evaluation going while the siblings' opens land in it
	"$AP" enforcer "$VMT/enforcer_slow.bpf.o" >/dev/null
	timeout $((RACE_SECS + 60)) "$AP" watch --json > /dev/null 2>&1 &
	wp=$!
	out=$("$VMT/exec_race" $H $n $RACE_SECS) || true
	kill $wp 2>/dev/null || true
	wait $wp 2>/dev/null || true
	"$AP" enforcer enforce >/dev/null
	echo "$out" >&2
	grep -qE '^ok [0-9]+ exec race: every run' <<<"$out" || fail "the race did not run"
	! grep '^not ok' <<<"$out" >&2 || fail "label state wrong after racing an exec"
	kernel_clean
}

# ---- 11: a session starts with exactly its seed labels --------------------------

t_session_root_exact() {
	local child sid
	"$AP" unload >/dev/null 2>&1 || true
	# this shell carries a label; its child inherits it
	"$AP" label add runner --pid $BASHPID >/dev/null
	sleep 30 &
	child=$!
	expect_eq "child inherited" "$(labels_of --pid $child)" runner
	sid=$("$AP" session create --pid $child --label agent)
	[ "$sid" -gt 0 ] || fail "no session id"
	expect_eq "session root labels" "$(labels_of --pid $child)" agent
	kill $child
	wait $child 2>/dev/null || true
	# no seed labels at all: the root carries nothing
	sleep 30 &
	child=$!
	"$AP" session create --pid $child >/dev/null
	expect_eq "root of a session without seed labels" "$(labels_of --pid $child)" ""
	kill $child
	wait $child 2>/dev/null || true
}

t_session_root_no_lineage_immunity() {
	local pid
	load "source secret = file \"$H/s/.env\"
declassify secret by exec \"$H/bin/trusted\"
rule prod-db:
  block open \"$H/prod.db\" unless lineage-includes exec \"$H/bin/trusted\"
  because \"the DB is only opened through the trusted tool\""
	# trusted FIFO RESULT OUT: waits, opens the DB, copies the secret
	printf '#!/bin/sh\nread go < "$1"\nif echo row >> %s/prod.db 2>/dev/null; then echo ok; else echo EPERM; fi > "$2"\ncat %s/s/.env > "$3"\n' \
		$H $H > $H/bin/trusted
	chmod +x $H/bin/trusted
	rm -f $H/fifo && mkfifo $H/fifo
	# as itself: lineage lets it open the DB, immunity keeps its output clean
	$H/bin/trusted $H/fifo $H/res1 $H/out1 &
	pid=$!
	echo go > $H/fifo
	wait $pid
	expect_eq "trusted tool opens the DB" "$(cat $H/res1)" ok
	expect_eq "declassified output" "$(labels_of $H/out1)" ""
	# made a session root while it waits: its lineage and immunity are gone
	$H/bin/trusted $H/fifo $H/res2 $H/out2 &
	pid=$!
	"$AP" session create --pid $pid >/dev/null
	echo go > $H/fifo
	wait $pid
	expect_eq "session root: lineage cleared" "$(cat $H/res2)" EPERM
	expect_eq "session root: immunity cleared" "$(labels_of $H/out2)" secret
	kernel_clean
}

t_run_drops_runner_state() {
	local out ap
	ap=$(command -v "$AP")
	printf 'version: 1\npolicy: |\n  source agent = exec "**"\n  source secret = file "%s/s/.env"\n  declassify secret by exec "%s/bin/wrapper"\n' \
		$H $H > $H/run/actplane.yaml
	"$AP" load $H/run/actplane.yaml >/dev/null
	# `actplane run` itself became labeled (it read what an agent wrote)
	"$AP" label add runner --pid $BASHPID >/dev/null
	out=$("$AP" run --policy $H/run/actplane.yaml -- sh -c "$ap labels --pid \$\$" 2>/dev/null)
	expect_contains "agent labels" "$out" agent
	expect_contains "agent session" "$out" "session "
	case "$out" in *runner*) fail "the agent carries the runner's label: $out" ;; esac
	# ... or immune to a label: started by a declassifier, the runner cannot
	# pass its immunity on to the agent
	printf '#!/bin/sh\nexec %s run --policy %s/run/actplane.yaml -- sh -c "cat %s/s/.env > %s/run/out"\n' \
		"$ap" $H $H $H > $H/bin/wrapper
	chmod +x $H/bin/wrapper
	rm -f $H/run/out
	$H/bin/wrapper 2>/dev/null
	expect_eq "what the agent copied from .env" "$(labels_of $H/run/out)" "agent secret"
	kernel_clean
}

setup
run_test "40 notify clauses + 1 block on one event: blocked; 40 block + 1 kill: killed" t_many_clauses
run_test "exec argv unreadable (injected): counted; denied fail-closed, allowed fail-open" t_argv_unreadable
run_test "path buffer unavailable (injected): counted; denied fail-closed, allowed fail-open" t_path_unresolvable
run_test "status shows the incomplete-evaluation counter" t_status_shows_incomplete
run_test "exec racing sibling threads: labels, immunity and lineage exact" t_exec_race
run_test "session root carries exactly its seed labels, not its parent's" t_session_root_exact
run_test "session root loses inherited lineage and immunity" t_session_root_no_lineage_immunity
run_test "actplane run: the agent carries neither the runner's labels nor its immunity" t_run_drops_runner_state
"$AP" limits --fail-mode open >/dev/null 2>&1
"$AP" unload >/dev/null 2>&1
