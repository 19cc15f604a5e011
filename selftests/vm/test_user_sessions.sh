#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Sessions without root: a user root allowed (actplane limits --session-group)
# runs `actplane run` as itself.  Who may, the module's checks (own process,
# no_new_privs, no seed labels), enforcement from sh, Python and C, labels
# kept, nesting (a nested session never hides from the outer runner), quotas,
# privacy of sessions and events between users, set-user-ID and user
# namespaces inside a session.
. "$(dirname "$0")/lib.sh"

W=/tmp/apuser POLICY=/tmp/apuser/actplane.yaml
G=4242				# the group allowed to start sessions
OP=$VMT/agent_op
AGENT=/tmp/apuser-agent		# a script: exec_as / send_as outside this shell
# uid 1000 and 1001 in group $G, uid 1002 not; no capabilities
U1000=(setpriv --reuid 1000 --regid 1000 --groups $G --inh-caps=-all --bounding-set=-all)
U1001=(setpriv --reuid 1001 --regid 1001 --groups $G --inh-caps=-all --bounding-set=-all)
U1002=(setpriv --reuid 1002 --regid 1002 --clear-groups --inh-caps=-all --bounding-set=-all)

# send_as HOW HOST PORT FILE: FILE's content by UDP from sh, Python or C
send_as() {
	local how=$1; shift
	case $how in
	sh) sh -c 'cat "$3" | python3 -c "
import socket,sys
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.stdin.buffer.read(), (sys.argv[1], int(sys.argv[2]))); print(\"ok\")
except PermissionError: print(\"EPERM\")" "$1" "$2"' sh "$@" ;;
	py) python3 -c '
import socket, sys
data = open(sys.argv[3], "rb").read()
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(data, (sys.argv[1], int(sys.argv[2]))); print("ok")
except PermissionError: print("EPERM")' "$@" ;;
	c) "$VMT/agent_op" send "$@" ;;
	esac
}

setup() {
	"$AP" up >/dev/null
	workspace $W
	write_policy $POLICY 'source secret = file "**/.env"
rule no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"
rule no-exfil:
  block connect "*" if secret
  because "secrets must not reach the network"'
	echo "API_KEY=hunter2" > $W/.env
	echo plain > $W/plain.txt
	chown -R 1000:1000 $W
	chmod 755 $W && chmod 644 $POLICY $W/.env $W/plain.txt
	chmod 666 $W/ran.log
	"$AP" load $POLICY >/dev/null
	{
		echo '#!/bin/bash'
		echo "VMT=$VMT"
		declare -f exec_as send_as read_as deep_write
		echo 'f=$1; shift; $f "$@"'
	} > $AGENT
	chmod 755 $AGENT
}

allow() { "$AP" limits --session-group "$1" >/dev/null; }

# as WHO run [RUN OPTIONS] -- CMD: `actplane run` as that user, in the workspace
as_run() {
	local who=$1; shift
	case $who in
	1000) (cd $W && "${U1000[@]}" "$AP" run --policy $POLICY "$@") ;;
	1001) (cd /tmp && "${U1001[@]}" "$AP" run --policy $POLICY "$@") ;;
	1002) (cd /tmp && "${U1002[@]}" "$AP" run --policy $POLICY "$@") ;;
	esac
}

# user_sessions WHO: the session rows `actplane status --json` shows that user
user_sessions() {
	local who=U$1[@]
	json_get "$("${!who}" "$AP" status --json)" \
		"' '.join('%d:%d:%d' % (s['id'], s['parent'], s['uid']) for s in j['sessions'])"
}

t_nobody_by_default() {
	allow none
	local rc=0 out
	out=$(as_run 1000 -- true 2>&1) || rc=$?
	expect_eq "exit status" "$rc" 1
	expect_contains "the module says why" "$out" "you may not create sessions"
	expect_contains "and the alternative" "$out" "sudo actplane run"
	expect_contains "status says so" "$("${U1000[@]}" "$AP" status)" "only root starts sessions"
}

t_module_checks() {
	allow $G
	local out
	# the session is rooted at the caller itself (exec keeps the pid)
	out=$("${U1000[@]}" --no-new-privs sh -c 'exec "$0" session create --pid $$' "$AP" 2>&1) ||
		fail "own process with no_new_privs refused: $out"
	[ "$out" -gt 0 ] 2>/dev/null || fail "no session id: $out"
	out=$("${U1000[@]}" sh -c 'exec "$0" session create --pid $$' "$AP" 2>&1) &&
		fail "without no_new_privs: $out"
	expect_contains "no_new_privs required" "$out" "set no_new_privs first"
	out=$("${U1000[@]}" --no-new-privs "$AP" session create --pid 1 2>&1) &&
		fail "another process: $out"
	expect_contains "own process only" "$out" "your own process only"
	out=$("${U1000[@]}" --no-new-privs sh -c 'exec "$0" session create --pid $$ --label secret' "$AP" 2>&1) &&
		fail "seed labels: $out"
	expect_contains "no seed labels" "$out" "session-root labels only"
	out=$("${U1002[@]}" --no-new-privs sh -c 'exec "$0" session create --pid $$' "$AP" 2>&1) &&
		fail "uid 1002 (not in the group): $out"
	expect_contains "group checked" "$out" "you may not create sessions"
	allow all
	out=$("${U1002[@]}" --no-new-privs sh -c 'exec "$0" session create --pid $$' "$AP" 2>&1) ||
		fail "--session-group all: uid 1002 refused: $out"
	allow $G
	kernel_clean
}

t_user_run_enforces() {
	allow $G
	local how got
	: > $W/ran.log
	rm -rf $W/.actplane
	# (reading an agent's output labels this shell, and a user's session
	# keeps what its creator carries: drop it after each)
	for how in sh py c; do
		got=$(as_run 1000 --log /tmp/apuser-run.log -- $AGENT exec_as $how $W/bin/fakegit push origin 2>/dev/null) || true
		expect_eq "$how: git push in a user's session" "$got" "$ARGV_REFUSED"
		got=$(as_run 1000 -- $AGENT send_as $how 127.0.0.1 9 $W/.env 2>/dev/null) || true
		unlabel_self
		expect_eq "$how: .env to the network" "$got" EPERM
		got=$(as_run 1000 -- $AGENT send_as $how 127.0.0.1 9 $W/plain.txt 2>/dev/null) || true
		expect_eq "$how: plain data to the network" "$got" ok
	done
	expect_eq "pushes that ran" "$(grep -c push $W/ran.log)" 0
	expect_contains "runner's report" "$(cat /tmp/apuser-run.log)" "no-push"
	expect_contains "feedback file" "$(cat $W/.actplane/last-violation.txt)" "secrets must not reach"
	expect_eq "feedback file owner" "$(stat -c %u $W/.actplane/last-violation.txt)" 1000
	got=$(as_run 1000 -- sh -c 'echo "$(id -u) $(cat /proc/self/status | sed -n "s/^NoNewPrivs:[[:space:]]*//p")"' 2>/dev/null) || true
	expect_eq "the agent: uid, no_new_privs" "$got" "1000 1"
}

# own_policy FILE RULES: a workspace policy of uid 1000's, RULES in the DSL
own_policy() { write_policy "$1" "$2"; chown 1000 "$1"; chmod 644 "$1"; }

# The workspace's own policy, not the loaded one: the session's own policy,
# on top of the machine's.  Its rules add blocks, from sh, Python and C;
# the machine's still apply; the event names its rule and session.
t_session_policy() {
	allow $G
	local how got out rc
	own_policy $W/own.yaml 'rule no-notes:
  block read "**/notes.txt"
  because "notes stay in the editor"
rule no-port-7:
  block connect "127.0.0.1:7"
  because "not port 7"
rule dns-not-with-secrets:
  block connect "127.0.0.1:53" if secret
  because "no DNS with secrets"'
	echo note > $W/notes.txt && chmod 644 $W/notes.txt
	rm -rf $W/.actplane
	start_watch 1 /tmp/apuser-spol.json
	for how in sh py c; do
		got=$(as_run 1000 --policy $W/own.yaml --log /tmp/apuser-spol.log -- $AGENT read_as $how $W/notes.txt 2>/dev/null) || true
		expect_eq "$how: the session policy's read rule" "$got" EPERM
		got=$(as_run 1000 --policy $W/own.yaml -- $AGENT send_as $how 127.0.0.1 7 $W/plain.txt 2>/dev/null) || true
		expect_eq "$how: its endpoint rule" "$got" EPERM
		got=$(as_run 1000 --policy $W/own.yaml -- $AGENT send_as $how 127.0.0.1 9 $W/plain.txt 2>/dev/null) || true
		expect_eq "$how: what it does not block" "$got" ok
		got=$(as_run 1000 --policy $W/own.yaml -- $AGENT exec_as $how $W/bin/fakegit push 2>/dev/null) || true
		expect_eq "$how: the machine's rule still applies" "$got" "$ARGV_REFUSED"
		got=$(as_run 1000 --policy $W/own.yaml -- $AGENT send_as $how 127.0.0.1 9 $W/.env 2>/dev/null) || true
		unlabel_self
		expect_eq "$how: the machine's label rule still applies" "$got" EPERM
	done
	expect_eq "pushes that ran" "$(grep -c push $W/ran.log)" 0
	wait $WATCH_PID || true
	out=$(head -n 1 /tmp/apuser-spol.json)
	expect_eq "event: the session policy's rule, and whose" \
		"$(json_get "$out" "(j['rule'], j['effect'], j['rule_session'] == j['session'] > 0)")" \
		"('no-notes', 'block', True)"
	out=$(cat /tmp/apuser-spol.log)
	expect_contains "runner: says whose policy" "$out" "this session's own, on top of the machine's"
	expect_contains "runner: the rule" "$out" "no-notes"
	expect_contains "violations.jsonl: the reason" "$(cat $W/.actplane/violations.jsonl)" "notes stay in the editor"
	# the session's `if` reads the machine's label
	got=$(cd $W && "${U1000[@]}" "$AP" run --policy $W/own.yaml -- $AGENT send_as c 127.0.0.1 53 $W/.env 2>/dev/null) || true
	unlabel_self
	expect_eq "if secret: from the machine's source" "$got" EPERM
	# its `if secret` has no source in the file alone: no warning in a session
	out=$(as_run 1000 --policy $W/own.yaml -- true 2>&1) || fail "run: $out"
	case $out in *"never introduced"*|*"can never fire"*) fail "a moot warning: $out" ;; esac
	# a label the module does not have: refused by the module, nothing runs
	own_policy $W/unknown.yaml 'rule u:
  block connect "*" if no_such_label
  because "u"'
	rc=0
	out=$(as_run 1000 --policy $W/unknown.yaml -- touch $W/ran-anyway 2>&1) || rc=$?
	expect_eq "unknown label: refused" "$rc" 1
	expect_contains "unknown label: says why" "$out" "is not the machine's"
	[ ! -e $W/ran-anyway ] || fail "unknown label: the agent ran"
	kernel_clean
}

# With no machine policy loaded at all, a session policy alone is enforced:
# the hooks' "is any policy loaded", "read the exec arguments first" and
# "any endpoint rule" shortcuts see it (argv, endpoint and path rules).
t_session_policy_alone() {
	allow $G
	local how got
	own_policy $W/alone.yaml 'rule no-status:
  block exec "fakegit" "status"
  because "argv"
rule no-port-7:
  block connect "127.0.0.1:7"
  because "endpoint"
rule no-notes:
  block read "**/notes.txt"
  because "path"'
	echo note > $W/notes.txt && chmod 644 $W/notes.txt
	: > $W/ran.log
	"$AP" unload >/dev/null
	for how in sh py c; do
		got=$(as_run 1000 --policy $W/alone.yaml -- $AGENT exec_as $how $W/bin/fakegit status 2>/dev/null) || true
		expect_eq "$how: argv rule" "$got" "$ARGV_REFUSED"
		got=$(as_run 1000 --policy $W/alone.yaml -- $AGENT exec_as $how $W/bin/fakegit log 2>/dev/null) || true
		expect_eq "$how: other arguments" "$got" ok
		got=$(as_run 1000 --policy $W/alone.yaml -- $AGENT send_as $how 127.0.0.1 7 $W/plain.txt 2>/dev/null) || true
		expect_eq "$how: endpoint rule" "$got" EPERM
		got=$(as_run 1000 --policy $W/alone.yaml -- $AGENT read_as $how $W/notes.txt 2>/dev/null) || true
		expect_eq "$how: path rule" "$got" EPERM
	done
	expect_eq "status runs that ran" "$(grep -c ' status' $W/ran.log)" 0
	# its own label, declassifier and lineage mark with no machine policy:
	# the exec that stages their trust has no machine policy to look at
	local B=/tmp/apuser-lin
	lin_tools
	echo note > $W/notes2.txt && chmod 644 $W/notes2.txt
	touch $W/app.db && chown 1000 $W/app.db
	own_policy $W/alone2.yaml 'source mine = file "**/notes2.txt"
declassify mine by exec "cat"
rule notes-offline:
  block connect "*" if mine
  because "own label"
rule app-db:
  block write "**/app.db" unless lineage-includes exec "**/migrate"
  because "lineage"'
	got=$(as_run 1000 --policy $W/alone2.yaml -- $AGENT send_as py 127.0.0.1 9 $W/notes2.txt 2>/dev/null) || true
	expect_eq "own label, no machine policy" "$got" EPERM
	got=$(as_run 1000 --policy $W/alone2.yaml -- $AGENT send_as sh 127.0.0.1 9 $W/notes2.txt 2>/dev/null) || true
	expect_eq "through its declassifier, no machine policy" "$got" ok
	got=$(as_run 1000 --policy $W/alone2.yaml -- sh -c "$B/wr $W/app.db; $B/migrate $B/wr $W/app.db" 2>/dev/null) || true
	expect_eq "its lineage, no machine policy" "$(echo $got)" "EPERM ok"
	kernel_clean
	"$AP" load $POLICY >/dev/null
	expect_eq "outside the session, nothing" "$("$VMT/agent_op" read $W/notes.txt)" ok
}

# A session policy cannot loosen the machine's: an `unless` only narrows
# its own rule, and a declassify or endorse of the machine's label is
# refused, with file:line:col, and nothing runs.
t_session_cannot_loosen() {
	allow $G
	local got out rc
	own_policy $W/loose.yaml 'rule wide:
  block connect "*" if secret unless target "127.0.0.1:9"
  because "x"
rule push-ok:
  notify exec "fakegit" "push" unless target "**/fakegit"
  because "y"'
	got=$(as_run 1000 --policy $W/loose.yaml -- $AGENT send_as c 127.0.0.1 9 $W/.env 2>/dev/null) || true
	unlabel_self
	expect_eq "unless in a session rule: the machine's still blocks" "$got" EPERM
	got=$(as_run 1000 --policy $W/loose.yaml -- $AGENT exec_as c $W/bin/fakegit push 2>/dev/null) || true
	expect_eq "a weaker rule: the machine's still blocks" "$got" "$ARGV_REFUSED"
	for bad in 'declassify secret by exec "cat"' 'endorse secret by exec "cat"'; do
		own_policy $W/bad.yaml "rule r:
  block exec \"nothing-at-all\"
  because \"z\"
$bad"
		expect_refused "$bad" $W/bad.yaml "bad.yaml:6:" "so it is the machine's label"
	done
	# the agent edits the machine's policy file: its copy is only a session
	# policy; the loaded rules still hold
	cp $POLICY $W/saved.yaml
	own_policy $POLICY 'rule nothing:
  notify exec "nothing-at-all"
  because "n"'
	got=$(as_run 1000 -- $AGENT exec_as c $W/bin/fakegit push 2>/dev/null) || true
	cp $W/saved.yaml $POLICY
	expect_eq "edited machine policy file: push still refused" "$got" "$ARGV_REFUSED"
}

# expect_refused WHAT POLICY WHERE WHY: uid 1000's run with POLICY is
# refused, saying WHERE and WHY, and its agent does not start
expect_refused() {
	local rc=0 out
	out=$(as_run 1000 --policy "$2" -- touch $W/ran-anyway 2>&1) || rc=$?
	expect_eq "$1: refused" "$rc" 1
	expect_contains "$1: where" "$out" "$3"
	expect_contains "$1: why" "$out" "$4"
	[ ! -e $W/ran-anyway ] || fail "$1: the agent ran"
}

# The private label names the module has now (status --json: NAME@SESSION)
private_labels() { json_get "$(status_json)" "' '.join(sorted(k for k in j['labels'] if '@' in k))"; }
# A session's private labels go back shortly after it ends (a grace
# period, then a sweep of every table).
wait_private_gone() {
	for _ in $(seq 100); do [ -z "$(private_labels)" ] && return 0; sleep 0.1; done
	fail "private labels not given back: $(private_labels)"
}
# bg_session WHO POLICY: a session of that user that lives until ended; its id
bg_session() {
	local who=U$1[@] id
	(cd $W && "${!who}" "$AP" run --policy "$2" -- sh -c "cp $W/notes.txt $W/copy-$1.txt; sleep 60") \
		>/dev/null 2>&1 &
	for _ in $(seq 100); do
		id=$(user_sessions $1); id=${id%%:*}
		# the copy exists before cp writes it: wait for its label
		[ -n "$id" ] && "$AP" labels $W/copy-$1.txt 2>/dev/null | grep -q @ && break
		sleep 0.1
	done
	echo "$id"
}

# A session policy's own source: its label is the session's own (private),
# its rules and its declassify apply to that label only, never to the
# machine's `secret`; the event names it NAME@SESSION.
t_private_labels() {
	allow $G
	local how got out
	own_policy $W/priv.yaml 'source secret = file "**/notes.txt"
declassify secret by exec "cat"
rule notes-stay:
  block connect "*" if secret
  because "notes stay on this machine"'
	echo note > $W/notes.txt && chmod 644 $W/notes.txt
	start_watch 1 /tmp/apuser-priv.json
	for how in py c; do
		got=$(as_run 1000 --policy $W/priv.yaml -- $AGENT send_as $how 127.0.0.1 9 $W/notes.txt 2>/dev/null) || true
		expect_eq "$how: the session's own label blocks" "$got" EPERM
	done
	wait $WATCH_PID || true
	out=$(head -n 1 /tmp/apuser-priv.json)
	expect_eq "event: its rule, its label named NAME@SESSION" \
		"$(json_get "$out" "(j['rule'], 'secret@%d' % j['session'] in j['labels'], 'secret' in j['labels'])")" \
		"('notes-stay', True, False)"
	# sh: `cat FILE | python3`: cat is its declassifier of its own label
	got=$(as_run 1000 --policy $W/priv.yaml -- $AGENT send_as sh 127.0.0.1 9 $W/notes.txt 2>/dev/null) || true
	expect_eq "sh: through its declassifier: released" "$got" ok
	got=$(as_run 1000 --policy $W/priv.yaml -- $AGENT send_as sh 127.0.0.1 9 $W/.env 2>/dev/null) || true
	unlabel_self	# the answer came through a pipe from a secret process
	expect_eq "the machine's secret: not released by the session's declassify" "$got" EPERM
	got=$(as_run 1000 --policy $W/priv.yaml -- $AGENT send_as py 127.0.0.1 9 $W/.env 2>/dev/null) || true
	unlabel_self
	expect_eq "the machine's secret: its rule still applies" "$got" EPERM
	# nested: the outer session's own label and rule hold in a sub-agent's session
	own_policy $W/inner.yaml 'rule inner:
  block exec "nothing-at-all"
  because "i"'
	got=$(as_run 1000 --policy $W/priv.yaml -- "$AP" run --policy $W/inner.yaml -- \
		$AGENT send_as c 127.0.0.1 9 $W/notes.txt 2>/dev/null) || true
	expect_eq "nested: the outer session's own label blocks" "$got" EPERM
	# its own `exec "**"`: the session's root carries its own label from the start
	own_policy $W/root.yaml 'source agent = exec "**"
rule agent-offline:
  block connect "127.0.0.1:9" if agent
  because "the agent stays offline"'
	got=$(as_run 1000 --policy $W/root.yaml -- $AGENT send_as c 127.0.0.1 9 $W/plain.txt 2>/dev/null) || true
	expect_eq "its own session-root label" "$got" EPERM
	got=$(as_run 1000 --policy $W/root.yaml -- $AGENT send_as c 127.0.0.1 7 $W/plain.txt 2>/dev/null) || true
	expect_eq "... and only its rule's endpoint" "$got" ok
	wait_private_gone
	kernel_clean
}

# Two sessions both say `secret`: different labels.  The session's label
# on a file blocks nobody outside it; when the session ends the label is
# gone from every file, and its bit is given out again.
t_private_labels_stay_inside() {
	allow $G
	local got out id
	own_policy $W/priv-a.yaml 'source secret = file "**/notes.txt"
rule a:
  block connect "*" if secret
  because "a"'
	own_policy $W/priv-b.yaml 'source secret = file "**/other.txt"
rule b:
  block connect "*" if secret
  because "b"'
	echo note > $W/notes.txt && echo other > $W/other.txt
	chmod 644 $W/notes.txt $W/other.txt
	rm -f $W/copy-1000.txt
	id=$(bg_session 1000 $W/priv-a.yaml)
	[ -n "$id" ] || fail "no background session"
	expect_contains "the copy carries the session's label" "$("$AP" labels $W/copy-1000.txt)" "secret@$id"
	got=$("${U1000[@]}" $AGENT send_as c 127.0.0.1 9 $W/copy-1000.txt 2>/dev/null) || true
	expect_eq "same user, outside the session: not blocked" "$got" ok
	got=$((cd /tmp && "${U1001[@]}" "$AP" run --policy $W/priv-b.yaml -- $AGENT send_as c 127.0.0.1 9 $W/copy-1000.txt) 2>/dev/null) || true
	expect_eq "another user's session that also says secret: not its label" "$got" ok
	got=$((cd /tmp && "${U1001[@]}" "$AP" run --policy $W/priv-b.yaml -- $AGENT send_as c 127.0.0.1 9 $W/other.txt) 2>/dev/null) || true
	expect_eq "its own secret blocks it" "$got" EPERM
	"$AP" session end $id >/dev/null || fail "session end"
	wait_private_gone
	out=$("$AP" labels $W/copy-1000.txt)
	case $out in *secret@*) fail "the ended session's label is still on the copy: $out" ;; esac
	out=$("$AP" labels $W/notes.txt)
	case $out in *secret@*) fail "... and on its source file: $out" ;; esac
	# 20 sessions of 4 labels each: 80 bits, more than exist: reused
	own_policy $W/priv4.yaml 'source s1 = file "**/notes.txt"
source s2 = file "**/notes.txt"
source s3 = file "**/notes.txt"
source s4 = file "**/notes.txt"
rule r:
  block connect "*" if s1 or s2 or s3 or s4
  because "r"'
	for i in $(seq 20); do
		got=$(as_run 1000 --policy $W/priv4.yaml -- $AGENT send_as c 127.0.0.1 9 $W/notes.txt 2>/dev/null) || true
		[ "$got" = EPERM ] || fail "run $i: $got"
		wait_private_gone
	done
	kernel_clean
}

# many_sources N FILE: a session policy with N labels of its own, one rule
many_sources() {
	local srcs='' cond='' i
	for i in $(seq $1); do srcs="${srcs}source p$i = file \"**/notes.txt\"
"; cond="${cond}${cond:+ or }p$i"; done
	own_policy $2 "${srcs}rule r:
  block connect \"*\" if $cond
  because \"r\""
}

# Private labels have quotas: 8 per session policy, 8 per user at once.
t_private_label_quota() {
	allow $G
	local id
	many_sources 5 $W/p5.yaml
	rm -f $W/copy-1000.txt
	id=$(bg_session 1000 $W/p5.yaml)
	[ -n "$id" ] || fail "no background session"
	expect_refused "10 private labels for one user at once" $W/p5.yaml "session create" \
		"your sessions hold 5 private labels, at most 8"
	got=$((cd /tmp && "${U1001[@]}" "$AP" run --policy $W/p5.yaml -- $AGENT send_as c 127.0.0.1 9 $W/notes.txt) 2>/dev/null) || true
	expect_eq "another user is not affected" "$got" EPERM
	"$AP" session end $id >/dev/null || fail "session end"
	wait_private_gone
	many_sources 9 $W/p9.yaml
	expect_refused "9 in one session policy" $W/p9.yaml "p9.yaml:11:3" "more than 8 labels of its own"
	kernel_clean
}

# The module's own refusals, over netlink, whatever the tool checks first;
# two threads attaching a session policy at once (nl_malformed.c)
# lin_tools: in $B (/tmp/apuser-lin), migrate, deploy and seed (each runs its
# arguments) and wr FILE... (opens each for writing: ok or EPERM)
lin_tools() {
	local B=/tmp/apuser-lin
	mkdir -p $B
	for t in migrate deploy seed; do printf '#!/bin/sh\nexec "$@"\n' > $B/$t; done
	cat > $B/wr <<'PY'
#!/usr/bin/env python3
import sys
for f in sys.argv[1:]:
    try:
        open(f, "w").write("x"); print("ok")
    except PermissionError:
        print("EPERM")
PY
	chmod 755 $B/*
}

# A session policy's `lineage-includes`: its own marks.  Only what runs
# under its program writes the database; a mark the machine's policy gives
# (its lineage 0 too) never satisfies the session's rule, nor the session's
# the machine's; a nested session's own lineage is not satisfied by its
# parent's mark; outside the session its rule binds nobody.
t_session_lineage() {
	allow $G
	local B=/tmp/apuser-lin got
	lin_tools
	touch $W/app.db $W/machine.db $W/inner.db && chown 1000 $W/*.db
	write_policy /tmp/apuser-lin.yaml "$(sed -n 's/^  //p' $POLICY)
rule machine-db:
  block write \"**/machine.db\" unless lineage-includes exec \"**/deploy\"
  because \"the machine's deploy writes it\""
	"$AP" load /tmp/apuser-lin.yaml >/dev/null
	own_policy $W/lin.yaml 'rule app-db:
  block write "**/app.db" unless lineage-includes exec "**/migrate"
  because "only migrate writes the database"'
	own_policy $W/inner.yaml 'rule inner-db:
  block write "**/inner.db" unless lineage-includes exec "**/seed"
  because "only seed writes it"'
	got=$(as_run 1000 --policy $W/lin.yaml -- sh -c "$B/wr $W/app.db; $B/migrate sh -c '$B/wr $W/app.db'" 2>/dev/null) || true
	expect_eq "app.db: the agent, then under migrate (and its children)" "$(echo $got)" "EPERM ok"
	got=$(as_run 1000 --policy $W/lin.yaml -- sh -c "$B/migrate $B/wr $W/machine.db; $B/deploy $B/wr $W/machine.db $W/app.db" 2>/dev/null) || true
	expect_eq "machine.db under migrate; machine.db, app.db under deploy" "$(echo $got)" "EPERM ok EPERM"
	got=$(as_run 1000 --policy $W/lin.yaml -- $B/migrate "$AP" run --policy $W/inner.yaml -- \
		sh -c "$B/wr $W/app.db $W/inner.db; $B/seed $B/wr $W/inner.db" 2>/dev/null) || true
	expect_eq "nested: the outer mark kept, not the inner's; seed's" "$(echo $got)" "ok EPERM ok"
	got=$("${U1000[@]}" $B/wr $W/app.db)
	expect_eq "outside the session" "$got" ok
	"$AP" load $POLICY >/dev/null
	kernel_clean
}

# A session policy's own `after` gates: kept by its session, armed only by
# their program run in it (or in a session nested in it), made stale by its
# `since`, `exits N` honoured; never the machine's gate of the same id, nor
# the machine's its; a fresh session starts closed; outside, nothing.
t_session_gates() {
	allow $G
	local B=/tmp/apuser-lin got g=$W/gates-own.yaml
	lin_tools
	mkdir -p $W/src && chown 1000 $W/src
	printf '#!/bin/sh\necho "$0 $*" >> %s/ran.log\n' $W > $W/bin/runtests
	printf '#!/bin/sh\nexit "${1:-0}"\n' > $W/bin/check
	printf '#!/bin/sh\nexit 0\n' > $W/bin/signoff
	chmod 755 $W/bin/runtests $W/bin/check $W/bin/signoff
	write_policy /tmp/apuser-gates.yaml "$(sed -n 's/^  //p' $POLICY)
rule signed-tag:
  block exec \"fakegit\" \"tag\" unless after exec \"signoff\"
  because \"the machine's gate\""
	"$AP" load /tmp/apuser-gates.yaml >/dev/null
	own_policy $g 'rule tested-commit:
  block exec "fakegit" "commit" unless after exec "runtests" since write "/tmp/apuser/src/**"
  because "run the tests after editing src"
rule passing-merge:
  block exec "fakegit" "merge" unless after exec "check" exits 0
  because "merge after a passing check"'
	own_policy $W/inner.yaml 'rule inner:
  block exec "nothing-at-all"
  because "i"'
	: > $W/ran.log
	as_run 1000 --policy $g -- $W/bin/runtests >/dev/null 2>&1 || true
	as_run 1000 --policy $g -- $W/bin/fakegit commit -m fresh-session >/dev/null 2>&1 || true
	expect_eq "a fresh session: closed (another session's run does not count)" \
		"$(grep -c fresh-session $W/ran.log)" 0
	as_run 1000 --policy $g -- sh -c "$W/bin/runtests; $W/bin/fakegit commit -m tested
		echo x > $W/src/a; $W/bin/fakegit commit -m edited
		\"$AP\" run --policy $W/inner.yaml -- $W/bin/runtests; $W/bin/fakegit commit -m nested-tests
		$W/bin/check 1; $W/bin/fakegit merge failed; $W/bin/check 0; $W/bin/fakegit merge passed" \
		>/dev/null 2>&1 || true
	expect_eq "commits: tested, not after an edit, tests in a nested session" \
		"$(grep -o 'commit -m [a-z-]*' $W/ran.log | tr '\n' ' ')" \
		"commit -m tested commit -m nested-tests "
	expect_eq "merges: only after a passing check" "$(grep -o 'merge [a-z]*' $W/ran.log | tr '\n' ' ')" \
		"merge passed "
	: > $W/ran.log
	as_run 1000 --policy $g -- sh -c "$W/bin/signoff; $W/bin/fakegit commit -m signed" \
		>/dev/null 2>&1 || true
	as_run 1000 --policy $g -- sh -c "$W/bin/runtests; $W/bin/fakegit tag tested" \
		>/dev/null 2>&1 || true
	expect_eq "the machine's gate passes no session rule, the session's no machine rule" \
		"$(grep -c 'commit\|tag' $W/ran.log)" 0
	"${U1000[@]}" $W/bin/fakegit commit -m outside >/dev/null 2>&1 || true
	expect_eq "outside the session" "$(grep -c outside $W/ran.log)" 1
	"$AP" load $POLICY >/dev/null
	kernel_clean
}

t_session_policy_netlink() {
	allow $G
	local out
	out=$("${U1000[@]}" --no-new-privs "$VMT/nl_malformed" --session 2>&1) || true
	echo "$out" | grep -q '^ok ' || fail "no result: $out"
	! echo "$out" | grep -B1 '^not ok' >&2 || fail "see above"
	echo "$out" | grep '^# .* raced' >&2 || true	# how often the attach race was won by one
	out=$("${U1002[@]}" "$VMT/nl_malformed" --not-allowed 2>&1) || true
	echo "$out" | grep -q '^ok ' || fail "no result: $out"
	! echo "$out" | grep '^not ok' >&2 || fail "see above"
	expect_eq "nothing left staged" "$(json_get "$(status_json)" "j['staging']['sockets']")" 0
}

# A session's rules apply only inside it: not to another process of the
# same user, nor to another user's.
t_session_rules_stay_inside() {
	allow $G
	local got
	own_policy $W/own2.yaml 'rule no-notes:
  block read "**/notes.txt"
  because "notes"'
	echo note > $W/notes.txt && chmod 644 $W/notes.txt
	# a session that stays up while others act
	(cd $W && "${U1000[@]}" "$AP" run --policy $W/own2.yaml -- sleep 30 >/dev/null 2>&1 &)
	for _ in $(seq 50); do
		[ "$(json_get "$(status_json)" "sum(1 for s in j['sessions'] if s['rules'] == 1)")" = 1 ] && break
		sleep 0.1
	done
	expect_eq "the session is up with its policy" \
		"$(json_get "$(status_json)" "sum(1 for s in j['sessions'] if s['rules'] == 1)")" 1
	got=$("${U1000[@]}" sh -c 'cat "$1" >/dev/null && echo ok || echo EPERM' sh $W/notes.txt 2>/dev/null)
	expect_eq "same user, outside the session" "$got" ok
	got=$("${U1001[@]}" sh -c 'cat "$1" >/dev/null && echo ok || echo EPERM' sh $W/notes.txt 2>/dev/null)
	expect_eq "another user" "$got" ok
	got=$(cat $W/notes.txt >/dev/null && echo ok || echo EPERM)
	expect_eq "root" "$got" ok
	pkill -u 1000 -x sleep || true
	# and a user namespace inside the session does not leave it
	got=$(as_run 1000 --policy $W/own2.yaml -- unshare -U -r sh -c \
		'cat "$1" >/dev/null 2>&1 && echo ok || echo EPERM' sh $W/notes.txt 2>/dev/null) || true
	expect_eq "root of a user namespace in the session" "$got" EPERM
}

# Nesting: a sub-agent's session policy stacks on its parent's; ending the
# child leaves the parent's intact.
t_session_policy_nested() {
	allow $G
	local out
	own_policy $W/outer.yaml 'rule no-notes:
  block read "**/notes.txt"
  because "outer"'
	own_policy $W/inner.yaml 'rule no-plain:
  block read "**/plain.txt"
  because "inner"'
	echo note > $W/notes.txt && chmod 644 $W/notes.txt
	out=$(as_run 1000 --policy $W/outer.yaml -- sh -c "
		\"$AP\" run --policy $W/inner.yaml -- sh -c '$AGENT read_as c $W/notes.txt; $AGENT read_as c $W/plain.txt' 2>/dev/null
		echo after; $AGENT read_as c $W/notes.txt; $AGENT read_as c $W/plain.txt" 2>/dev/null) || true
	expect_eq "inner: outer's rule, inner's rule; after: outer's only" "$(echo $out)" "EPERM EPERM after EPERM ok"
}

# The machine's policy replaced, then removed, while a session with its own
# policy runs: its members get the machine's new rules at once and keep the
# session's.  Once with the session's merged index (one query for all the
# policies, rebuilt after each swap: session_indexes counts the builds) and
# once with session_index=0 (a query per policy, as while an index is stale).
# Endpoint rules too: a connect is decided in the hook by the filters of the
# indexes the session's events are queried in (ap_ep_sessions_miss()), so
# each way of finding them must see both policies' endpoints (v4 and the
# same address IPv4-mapped).
t_session_policy_reload() {
	allow $G
	local idx before out
	own_policy $W/own.yaml 'rule no-notes:
  block read "**/notes.txt"
  because "session"
rule no-port-7:
  block connect "127.0.0.1:7"
  because "session"'
	write_policy /tmp/apuser-plain.yaml 'rule no-plain:
  block read "**/plain.txt"
  because "machine"
rule no-port-8:
  block connect "127.0.0.1:8"
  because "machine"'
	echo note > $W/notes.txt && chmod 644 $W/notes.txt
	echo hello > $W/payload.txt && chmod 644 $W/payload.txt	# what the sends send: no rule reads it
	for idx in 1 0; do
		echo $idx > /sys/module/actplane/parameters/session_index
		rm -f /tmp/apuser-go2 /tmp/apuser-go3 $W/done1 $W/done2
		before=$(counter session_indexes)
		as_run 1000 --policy $W/own.yaml -- sh -c "
			s() { $VMT/agent_op send \$1 \$2 $W/payload.txt; }
			r() { echo \"\$1: \$($AGENT read_as c $W/notes.txt) \$($AGENT read_as c $W/plain.txt)\" \\
				\$(s 127.0.0.1 7) \$(s ::ffff:127.0.0.1 7) \$(s 127.0.0.1 8) \$(s ::ffff:127.0.0.1 8) \$(s 127.0.0.1 9); }
			w() { n=0; while [ ! -e \$1 ] && [ \$n -lt 400 ]; do sleep 0.05; n=\$((n + 1)); done; }
			r loaded; touch $W/done1; w /tmp/apuser-go2
			r replaced; touch $W/done2; w /tmp/apuser-go3
			r removed" > /tmp/apuser-reload.out 2>/dev/null &
		wait_until "the session's first step" test -e $W/done1
		[ "$idx" = 0 ] || [ "$(counter session_indexes)" -gt "$before" ] ||
			fail "index $idx: no merged index built for the new session"
		before=$(counter session_indexes)
		"$AP" load /tmp/apuser-plain.yaml >/dev/null
		[ "$idx" = 0 ] || [ "$(counter session_indexes)" -gt "$before" ] ||
			fail "index $idx: not rebuilt after the load"
		touch /tmp/apuser-go2
		wait_until "the session's second step" test -e $W/done2
		"$AP" unload >/dev/null
		touch /tmp/apuser-go3
		wait $! || true
		expect_eq "index $idx: session rule; new machine rule; machine policy gone" \
			"$(cat /tmp/apuser-reload.out)" \
			"loaded: EPERM ok EPERM EPERM ok ok ok
replaced: EPERM EPERM EPERM EPERM EPERM EPERM ok
removed: EPERM ok EPERM EPERM ok ok ok"
		[ "$idx" = 1 ] || [ "$(counter session_indexes)" = "$before" ] ||
			fail "session_index=0: an index was built"
		"$AP" load $POLICY >/dev/null
	done
	echo 1 > /sys/module/actplane/parameters/session_index
	# a member reading and sending all along while the machine's policy is
	# swapped 40 times: its index goes stale and is rebuilt under it, and
	# the hook's endpoint check moves from the merged index to each
	# policy's and back; its rules never lapse
	as_run 1000 --policy $W/own.yaml -- sh -c "
		for i in \$(seq 400); do $VMT/agent_op read $W/notes.txt
			$VMT/agent_op send 127.0.0.1 7 $W/payload.txt; done" \
		> /tmp/apuser-churn.out 2>/dev/null &
	for _ in $(seq 20); do
		"$AP" load /tmp/apuser-plain.yaml >/dev/null
		"$AP" load $POLICY >/dev/null
	done
	wait $! || true
	expect_eq "reads and sends during the swaps" "$(wc -l < /tmp/apuser-churn.out)" 800
	expect_eq "reads and sends let through during the swaps" "$(grep -vc EPERM /tmp/apuser-churn.out)" 0
	kernel_clean
}

# A workspace policy's file name is the agent's text: status and session
# list show it escaped (no escape sequence, no line break reaches the terminal).
t_session_policy_hostile_name() {
	allow $G
	local f out
	f=$W/$'x\e[2Jy\nz.yaml'
	own_policy "$f" 'rule no-notes:
  block read "**/notes.txt"
  because "notes"'
	out=$(as_run 1000 --policy "$f" -- sh -c '"$0" status; "$0" session list' "$AP" 2>&1) || true
	expect_contains "status and session list name the policy, escaped" "$out" 'x\x1b[2Jy\nz.yaml'
	case $out in *$'\e'*) fail "a raw ESC reached the terminal: $(printf %q "$out")" ;; esac
	! echo "$out" | grep -q '^z\.yaml' || fail "the name broke a line: $out"
	rm -f "$f"
}

# A write deeper than PATH_MAX under a directory the session policy protects:
# the agent builds such paths at will.  The session's rule cannot be decided
# on a path nobody can name, so the fail mode decides (closed: refused);
# outside the session the same write is not the session's business.
t_session_policy_deep_path() {
	allow $G
	local got ctl
	rm -rf $W/prot
	expect_eq "building the tree" "$(deep_write $W/prot mkdir)" OK
	chown -R 1000:1000 $W/prot
	own_policy $W/deep.yaml 'rule protected:
  block write "'$W'/prot/**"
  because "protected"'
	"$AP" limits --fail-mode closed >/dev/null
	got=$(as_run 1000 --policy $W/deep.yaml -- $AGENT deep_write $W/prot write 2>/dev/null) || true
	ctl=$("${U1000[@]}" $AGENT deep_write $W/prot write 2>/dev/null) || true
	"$AP" limits --fail-mode open >/dev/null
	expect_eq "fail-closed: in the session, deeper than PATH_MAX" "$got" EPERM
	expect_eq "the same write outside the session" "$ctl" OK
	rm -rf $W/prot
}

# Rule quota: a session policy over the user's quota is refused with a
# clear error, other users are not affected, and ending frees the rules.
t_session_rule_quota() {
	allow $G
	local rc=0 out
	"$AP" limits --session-rules 2 >/dev/null
	own_policy $W/big.yaml 'rule a:
  block exec "a-a"
  because "a"
rule b:
  block exec "b-b"
  because "b"
rule c:
  block exec "c-c"
  because "c"'
	out=$(as_run 1000 --policy $W/big.yaml -- true 2>&1) || rc=$?
	expect_eq "over the rule quota: refused" "$rc" 1
	expect_contains "says why" "$out" "more rules than the quota allows"
	own_policy $W/small.yaml 'rule a:
  block exec "a-a"
  because "a"
rule b:
  block exec "b-b"
  because "b"'
	out=$(as_run 1000 --policy $W/small.yaml -- "$AP" status --json 2>/dev/null) || true
	expect_eq "in use while it runs" "$(json_get "$out" "j['user_sessions']['your_rules']")" 2
	expect_eq "freed at the end" \
		"$(json_get "$("${U1000[@]}" "$AP" status --json)" "j['user_sessions']['your_rules']")" 0
	rc=0
	(cd $W && "${U1001[@]}" "$AP" run --policy $W/small.yaml -- true >/dev/null 2>&1) || rc=$?
	expect_eq "uid 1001 has its own quota" "$rc" 0
	"$AP" limits --session-rules 4096 >/dev/null
	kernel_clean
}

# no workspace policy here or above: the machine's (the loaded one), with
# the workspace files in the working directory
t_machine_policy() {
	allow $G
	local d=/tmp/apuser-nopolicy got out
	rm -rf $d && mkdir -p $d && chown 1000 $d
	got=$(cd $d && "${U1000[@]}" "$AP" run -- $AGENT exec_as c $W/bin/fakegit push 2>$d.err) || true
	expect_eq "push under the machine's policy" "$got" "$ARGV_REFUSED"
	expect_contains "says which policy" "$(cat $d.err)" "runs under the loaded policy"
	expect_contains "feedback here" "$(cat $d/.actplane/last-violation.txt)" "pushing is for humans"
	# with nothing loaded, no session
	"$AP" unload >/dev/null
	out=$(cd $d && "${U1000[@]}" "$AP" run -- true 2>&1) && fail "ran with no policy at all: $out"
	expect_contains "explains" "$out" "no policy is loaded"
	"$AP" load $POLICY >/dev/null
}

# Which workspace policy is "the loaded one": its meaning (the digest of
# its compiled elements), not its text.  The loaded file and a copy with
# other comments run under the machine's policy alone; a copy whose one
# `because` differs would be the session's own.
t_loaded_digest() {
	allow $G
	local d=/tmp/apuser-digest f out
	rm -rf $d && mkdir -p $d && chown 1000 $d
	{ echo "# a copy, with comments"; cat $POLICY; echo "# the end"; } > $d/same.yaml
	sed 's/pushing is for humans/pushing is for people/' $POLICY > $d/other.yaml
	chmod 644 $d/*.yaml
	for f in $POLICY $d/same.yaml; do
		out=$(cd $d && "${U1000[@]}" "$AP" run --policy $f -- true 2>&1) ||
			fail "run --policy $f: $out"
		case $out in *"session's own"*) fail "$f: not taken for the loaded policy: $out" ;; esac
	done
	# other.yaml is not the loaded policy: it is the session's own, on top
	out=$(cd $d && "${U1000[@]}" "$AP" run --policy $d/other.yaml -- true 2>&1) ||
		fail "run --policy other.yaml: $out"
	expect_contains "one because changed: not the loaded one" "$out" "session's own"
	rm -rf $d
}

t_labels_kept() {
	allow $G
	local got
	# a process that read .env starts a session: it stays secret in there
	got=$(cd $W && "${U1000[@]}" sh -c 'read x < .env; exec "$0" run --policy "$1" -- "$2" send_as c 127.0.0.1 9 plain.txt' \
		"$AP" $POLICY $AGENT 2>/tmp/apuser-kept.err) || true
	unlabel_self
	expect_eq "secret carried into the session ($(cat /tmp/apuser-kept.err))" "$got" EPERM
}

t_nested() {
	allow $G
	local out got ids
	out=$(as_run 1000 --log /tmp/apuser-outer.log -- \
		"$AP" run --policy $POLICY -- sh -c "\"$AP\" status --json; $W/bin/fakegit push" 2>/dev/null) || true
	ids=$(json_get "$out" "' '.join('%d:%d' % (s['id'], s['parent']) for s in j['sessions'])")
	python3 -c '
import sys
rows = [tuple(map(int, r.split(":"))) for r in sys.argv[1].split()]
assert len(rows) == 2, rows
(a, pa), (b, pb) = rows
assert pa == 0 and pb == a, rows' "$ids" || fail "nested sessions: $ids"
	expect_contains "outer runner saw the inner violation" "$(cat /tmp/apuser-outer.log)" "no-push"
	expect_eq "pushes that ran" "$(grep -c push $W/ran.log)" 0
	# an agent of `sudo actplane run` nests a session of its own: the root
	# runner still records what happens inside it
	allow all
	rm -f $W/root.log
	(cd $W && SUDO_UID=1000 SUDO_GID=1000 "$AP" run --policy $POLICY --log $W/root.log -- \
		"$AP" run --policy $POLICY -- $W/bin/fakegit push) >/tmp/apuser-root.out 2>&1 || true
	cat /tmp/apuser-root.out
	expect_contains "root runner saw the nested violation" "$(cat $W/root.log)" "no-push"
	allow $G
	expect_eq "sessions left" "$(user_sessions 1000)" ""
}

# gates are the top session's: an edit in a nested session makes the outer
# session's tests stale (nesting is not a way around `after ... since`)
t_nested_gates() {
	allow $G
	local g=$W/gates.yaml
	mkdir -p $W/src && chown 1000 $W/src
	printf '#!/bin/sh\necho "$0 $*" >> %s/ran.log\n' $W > $W/bin/runtests
	chmod 755 $W/bin/runtests
	write_policy $g 'rule tested-commit:
  block exec "fakegit" "commit" unless after exec "runtests" since write "/tmp/apuser/src/**"
  because "run the tests after editing src"'
	chown 1000 $g
	"$AP" load $g >/dev/null
	: > $W/ran.log
	(cd $W && "${U1000[@]}" "$AP" run --policy $g -- sh -c "
		$W/bin/runtests
		\"$AP\" run --policy $g -- sh -c 'echo x > $W/src/a' 2>/dev/null
		$W/bin/fakegit commit -m edited-in-a-nested-session") >/dev/null 2>&1 || true
	expect_eq "commit after a nested edit" "$(grep -c commit $W/ran.log)" 0
	(cd $W && "${U1000[@]}" "$AP" run --policy $g -- sh -c "
		echo y > $W/src/a
		\"$AP\" run --policy $g -- $W/bin/runtests 2>/dev/null
		$W/bin/fakegit commit -m tested-in-a-nested-session") >/dev/null 2>&1 || true
	expect_eq "commit after nested tests" "$(grep -c commit $W/ran.log)" 1
	"$AP" load $POLICY >/dev/null
}

t_quota() {
	allow $G
	"$AP" limits --session-quota 2
	local p1 p2 rc out
	as_run 1000 -- sleep 30 >/dev/null 2>&1 & p1=$!
	as_run 1000 -- sleep 30 >/dev/null 2>&1 & p2=$!
	for _ in $(seq 100); do
		[ "$(user_sessions 1000 | wc -w)" = 2 ] && break
		sleep 0.1
	done
	expect_eq "two sessions" "$(user_sessions 1000 | wc -w)" 2
	expect_contains "status counts them" "$("${U1000[@]}" "$AP" status)" "2 per user, you have 2"
	rc=0
	out=$(as_run 1000 -- true 2>&1) || rc=$?
	expect_eq "third: exit status" "$rc" 1
	expect_contains "third: quota" "$out" "as many sessions as the quota allows"
	rc=0
	as_run 1001 -- true >/dev/null 2>&1 || rc=$?
	expect_eq "another user unaffected" "$rc" 0
	pkill -u 1000 -x sleep || true
	wait $p1 $p2 || true
	expect_eq "freed" "$(user_sessions 1000)" ""
	rc=0
	as_run 1000 -- true >/dev/null 2>&1 || rc=$?
	expect_eq "a session again" "$rc" 0
	"$AP" limits --session-quota 8
}

# your_memory of WHO (status --json as that user)
user_memory() {
	local who=U$1[@]
	json_get "$("${!who}" "$AP" status --json)" "j['user_sessions']['your_memory']"
}

# label memory per user: a secret agent labeling file after file reaches its
# own quota (fail-closed: its writes fail), another user's agent and root
# are untouched, and the charge goes with the labeled files
t_memory_quota() {
	allow $G
	local q=8192 d0=/tmp/apuser-q0 d1=/tmp/apuser-q1 n0 n1 used out rc
	# whatever happens, the next tests get the defaults back
	trap "\"\$AP\" limits --fail-mode open --session-memory 4M >/dev/null
	      \"\$AP\" load $POLICY >/dev/null; rm -rf $d0 $d1 /tmp/apuser-q-root /tmp/apuser-q2" EXIT
	rm -rf $d0 $d1 && mkdir -p $d0 $d1 && chown 1000 $d0 && chown 1001 $d1
	out=$("$AP" limits --session-memory 1K 2>&1) && fail "1K accepted: $out"
	expect_contains "too small: says the range" "$out" "from 4K to 1T"
	"$AP" limits --fail-mode closed --session-memory $q >/dev/null
	expect_contains "status shows the quota" "$("${U1000[@]}" "$AP" status)" \
		"label memory: $q bytes per user"
	# each new file the secret shell writes is a new labeled entry
	as_run 1000 -- sh -c 'exec >/dev/null 2>&1; read x < .env
		for i in $(seq 300); do echo "$x" > "$0/f$i"; done' $d0 || true
	n0=$(find $d0 -type f -size +0 | wc -l)
	[ "$n0" -gt 10 ] && [ "$n0" -lt 300 ] || fail "uid 1000 wrote $n0 of 300 labeled files (quota $q)"
	expect_contains "what it wrote is labeled" "$("$AP" labels $d0/f1)" secret
	used=$(user_memory 1000)
	[ "$used" -gt 0 ] && [ "$used" -le $q ] || fail "uid 1000's label memory: $used of $q"
	expect_eq "uid 1001 has used none" "$(user_memory 1001)" 0
	# with its quota full, a source file it has not read before cannot
	# carry the label: the read is refused (fail-closed), or a rename out
	# of the pattern would leave an unlabeled copy of the secret
	local readsrc='import errno, sys
try:
    open(sys.argv[1], "rb").read()
except OSError as e:
    sys.exit(3 if e.errno == errno.ENOMEM else 4)'
	mkdir -p /tmp/apuser-q2 && echo "TOKEN=t0" > /tmp/apuser-q2/.env && chmod 644 /tmp/apuser-q2/.env
	rc=0; as_run 1000 -- python3 -c "$readsrc" /tmp/apuser-q2/.env >/dev/null 2>&1 || rc=$?
	expect_eq "uid 1000, quota full: reading a new source file refused (ENOMEM)" $rc 3
	rc=0; (cd /tmp && "${U1001[@]}" "$AP" run --policy $POLICY -- python3 -c "$readsrc" \
		/tmp/apuser-q2/.env >/dev/null 2>&1) || rc=$?
	expect_eq "uid 1001 reads it" $rc 0
	expect_contains "and it is labeled" "$("$AP" labels /tmp/apuser-q2/.env)" secret
	# another user, same time: its own quota; root: the machine's budget
	(cd /tmp && "${U1001[@]}" "$AP" run --policy $POLICY -- sh -c 'exec >/dev/null 2>&1
		read x < "$1"; for i in $(seq 20); do echo "$x" > "$0/f$i"; done' $d1 $W/.env) || true
	n1=$(find $d1 -type f -size +0 | wc -l)
	expect_eq "uid 1001's agent labels all its files" "$n1" 20
	echo data > /tmp/apuser-q-root
	"$AP" label add secret /tmp/apuser-q-root >/dev/null || fail "root cannot label a file"
	"$AP" label clear secret /tmp/apuser-q-root >/dev/null
	# the charge goes with the files it is for (not all of it: a few other
	# objects the sessions labeled stay), and the agent
	# labels files again
	rm -rf $d0 $d1 /tmp/apuser-q-root /tmp/apuser-q2
	for _ in $(seq 100); do [ "$(user_memory 1000)" -lt $((used / 2)) ] && break; sleep 0.1; done
	[ "$(user_memory 1000)" -lt $((used / 2)) ] ||
		fail "not freed with the files: $(user_memory 1000) of $used bytes left"
	mkdir -p $d0 && chown 1000 $d0
	as_run 1000 -- sh -c 'exec >/dev/null 2>&1; read x < .env
		for i in $(seq 20); do echo "$x" > "$0/f$i"; done' $d0 || true
	expect_eq "a new session labels files again" "$(find $d0 -type f -size +0 | wc -l)" 20
	rm -rf $d0
	# endpoints are entries too: a Python agent sending its secret to port
	# after port is stopped at the same quota (ENOMEM), uid 1001's is not
	# (its exit status says how it went: an agent that holds the secret
	# cannot write a report anywhere new once its quota is full)
	local spray='import errno, socket, sys
data = open(sys.argv[1], "rb").read()
ok = nomem = 0
for port in range(int(sys.argv[3]), int(sys.argv[3]) + int(sys.argv[2])):
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(data, ("127.0.0.1", port)); ok += 1
    except OSError as e:
        nomem += e.errno == errno.ENOMEM
sys.exit(0 if ok == int(sys.argv[2]) else 3 if nomem else 4)'
	local qp=/tmp/apuser-q.yaml	# the machine's policy, without the network rule
	write_policy $qp 'source secret = file "**/.env"
rule no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"'
	chmod 644 $qp
	"$AP" load $qp >/dev/null
	spray_as() {	# WHO COUNT FIRST-PORT: the agent's exit status
		local who=U$1[@] rc=0
		(cd /tmp && "${!who}" "$AP" run --policy $qp -- python3 -c "$spray" $W/.env $2 $3 \
			>/dev/null 2>&1) || rc=$?
		echo $rc
	}
	expect_eq "uid 1000's agent: stopped by ENOMEM" "$(spray_as 1000 400 21000)" 3
	expect_eq "uid 1001's agent: every send tracked" "$(spray_as 1001 20 22000)" 0
	kernel_clean
}

t_privacy() {
	allow $G
	local p1 w1 w2 rows
	as_run 1001 -- sleep 30 >/dev/null 2>&1 & p1=$!
	for _ in $(seq 100); do [ -n "$(user_sessions 1001)" ] && break; sleep 0.1; done
	rows=$(user_sessions 1000)
	expect_eq "uid 1000 sees none of uid 1001's sessions" "$rows" ""
	case "$(user_sessions 1001)" in *:1001) ;; *) fail "uid 1001's own: $(user_sessions 1001)" ;; esac
	# uid 1001 and uid 1000 each watch; a violation in uid 1000's session
	rm -f /tmp/apuser-w1.err /tmp/apuser-w2.err
	timeout 15 "${U1001[@]}" "$AP" watch --json --count 1 > /tmp/apuser-w1 2> /tmp/apuser-w1.err & w1=$!
	timeout 15 "${U1000[@]}" "$AP" watch --json --count 1 > /tmp/apuser-w2 2> /tmp/apuser-w2.err & w2=$!
	for _ in $(seq 100); do
		grep -q watching /tmp/apuser-w1.err 2>/dev/null && grep -q watching /tmp/apuser-w2.err 2>/dev/null && break
		sleep 0.1
	done
	as_run 1000 -- $W/bin/fakegit push >/dev/null 2>&1 || true
	wait $w2 || true
	expect_contains "uid 1000 sees its own record" "$(cat /tmp/apuser-w2)" '"no-push"'
	kill $w1 2>/dev/null; wait $w1 || true
	expect_eq "uid 1001 saw nothing" "$(cat /tmp/apuser-w1)" ""
	# uid 1000 cannot end (signal) uid 1001's agent
	"${U1000[@]}" kill -KILL "$(pgrep -u 1001 -x sleep)" 2>/dev/null && fail "uid 1000 killed uid 1001's agent"
	pkill -u 1001 -x sleep
	wait $p1 || true
}

t_no_privilege_gain() {
	allow $G
	local s=/tmp/apuser-suid got
	mkdir -p $s
	mountpoint -q $s || mount -t tmpfs -o mode=755 tmpfs $s
	cp /usr/bin/id $s/id && chmod 4755 $s/id
	expect_eq "set-user-ID works outside" "$("${U1000[@]}" $s/id -u)" 0
	got=$(as_run 1000 -- $s/id -u 2>/dev/null) || true
	expect_eq "no privilege gained inside" "$got" 1000
	# a user namespace inside the session: still the session's rules
	if "${U1000[@]}" unshare -Ur true 2>/dev/null; then
		got=$(as_run 1000 -- unshare -Ur $AGENT exec_as c $W/bin/fakegit push 2>/dev/null) || true
		expect_eq "push from a user namespace" "$got" "$ARGV_REFUSED"
	fi
	umount $s
	kernel_clean
}

# session list / end: a user lists and ends its own sessions, not another's
t_session_end() {
	allow $G
	local p1 id out rc
	as_run 1000 -- sh -c 'sleep 60; echo survived' > /tmp/apuser-end.out 2>&1 & p1=$!
	for _ in $(seq 100); do [ -n "$(user_sessions 1000)" ] && break; sleep 0.1; done
	id=$(user_sessions 1000); id=${id%%:*}
	[ -n "$id" ] || fail "no session listed"
	out=$("${U1000[@]}" "$AP" session list)
	expect_contains "list as uid 1000" "$out" "$id "
	expect_eq "uid 1001 lists none" "$("${U1001[@]}" "$AP" session list)" "no sessions of yours"
	rc=0
	out=$("${U1001[@]}" "$AP" session end $id 2>&1) || rc=$?
	expect_eq "uid 1001 ends uid 1000's session: exit" "$rc" 1
	expect_contains "uid 1001 told" "$out" "no such session of yours"
	expect_eq "still running" "$(user_sessions 1000 | wc -w)" 1
	out=$("${U1000[@]}" "$AP" session end $id) || fail "end: $out"
	expect_contains "ended" "$out" "session $id: 2 processes ended"
	rc=0
	wait $p1 || rc=$?
	expect_eq "the run's exit status (its agent was killed)" "$rc" 137
	case "$(cat /tmp/apuser-end.out)" in *survived*) fail "the agent went on" ;; esac
	expect_eq "gone" "$(user_sessions 1000)" ""
}

# the boot service's start and stop (what actplane.service runs)
t_service() {
	local conf=/tmp/apuser-service.conf rc out got
	printf 'session_group = %s\nsession_quota = 4\nbase_policy = %s\n' $G $POLICY > $conf
	"$AP" down >/dev/null
	allow none
	out=$("$AP" service start --config $conf) || fail "start: $out"
	expect_contains "started" "$out" "actplane service started"
	expect_contains "its group" "$out" "group $G, 4 per user"
	got=$(as_run 1000 -- $AGENT exec_as c $W/bin/fakegit push 2>/dev/null) || true
	expect_eq "push, as uid 1000 under the service" "$got" "$ARGV_REFUSED"
	out=$("$AP" service stop) || fail "stop: $out"
	[ -e /sys/fs/bpf/actplane ] && fail "hooks still pinned after stop"
	rc=0
	out=$(as_run 1000 -- true 2>&1) || rc=$?
	expect_eq "after stop: exit status" "$rc" 1
	expect_contains "after stop: nobody may" "$out" "you may not create sessions"
	"$AP" up >/dev/null
}

setup
run_test "user sessions: nobody may start one until root allows a group" t_nobody_by_default
run_test "user sessions: own process, no_new_privs, no seed labels, the group" t_module_checks
run_test "user sessions: run as uid 1000 blocks push and .env -> net (sh, py, C)" t_user_run_enforces
run_test "user sessions: the workspace's own policy on top of the machine's (sh, py, C)" t_session_policy
run_test "user sessions: a session policy alone (no machine policy): argv, endpoint, path" t_session_policy_alone
run_test "user sessions: a session policy cannot loosen the machine's" t_session_cannot_loosen
run_test "user sessions: a session policy's own source: a private label, its declassify (sh, py, C)" t_private_labels
run_test "user sessions: private labels: not another session's, not outside, swept and reused" t_private_labels_stay_inside
run_test "user sessions: private labels: 8 per session policy, 8 per user" t_private_label_quota
run_test "user sessions: a session policy's own lineage marks" t_session_lineage
run_test "user sessions: a session policy's own after gates" t_session_gates
run_test "user sessions: session policies over netlink: what the module refuses; an attach race" t_session_policy_netlink
run_test "user sessions: a session's rules apply only inside it" t_session_rules_stay_inside
run_test "user sessions: nested session policies stack; the parent's stays" t_session_policy_nested
run_test "user sessions: the machine's policy replaced under a session policy, merged index or not" t_session_policy_reload
run_test "user sessions: a hostile policy file name is shown escaped" t_session_policy_hostile_name
run_test "user sessions: a session rule deeper than PATH_MAX follows the fail mode" t_session_policy_deep_path
run_test "user sessions: rule quota per user, freed at the end" t_session_rule_quota
run_test "user sessions: no workspace policy: the machine's" t_machine_policy
run_test "user sessions: the loaded policy is known by its meaning (digest), not its text" t_loaded_digest
run_test "user sessions: a secret process stays secret in its new session" t_labels_kept
run_test "user sessions: nesting; a nested session does not hide from the runner" t_nested
run_test "user sessions: nested sessions share the top session's gates" t_nested_gates
run_test "user sessions: quota per user, freed at the end" t_quota
run_test "user sessions: label memory per user: its own quota, freed with the files" t_memory_quota
run_test "user sessions: sessions and events private to their user" t_privacy
run_test "user sessions: no set-user-ID gain, user namespaces stay inside" t_no_privilege_gain
run_test "user sessions: session list and end, own sessions only" t_session_end
run_test "user sessions: the boot service starts and stops them" t_service
"$AP" limits --session-group none >/dev/null
"$AP" unload >/dev/null 2>&1
"$AP" down >/dev/null
