#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hardening: privileges, memory limits filled in both fail modes, stress
# under reload and enforcer switching, event loss and TOCTOU races (the
# module's lifecycle is test_lifecycle.sh).  Each test also fails on any
# kernel warning logged so far.  Sizes are bounded for `make check`;
# AP_STRESS=1 (`make stress`) runs the long versions.
#
# scripts/check.sh runs this file in a VM of its own with multi-threaded
# TCG (the default), so the races below get two host threads; make check's
# shared VM is single-threaded (see docs/architecture.md, "Tests").
# vm-options: --cpus 2
. "$(dirname "$0")/lib.sh"

H=/tmp/aphard POLICY=/tmp/aphard/policy.yaml
if [ "${AP_STRESS:-0}" = 1 ]; then
	STRESS_SECS=60 RACE_N=200000 FLOOD=20000 FILL_FILES=20000
else
	STRESS_SECS=10 RACE_N=20000 FLOOD=3000 FILL_FILES=3000
fi

mem() { json_get "$(status_json)" "j['memory']['$1']"; }

setup() {
	up_quiesced
	workspace $H
	mkdir -p $H/protected $H/free $H/fill
	echo "API_KEY=hunter2" > $H/.env
	: > $H/protected/f
}

# ---- privileges ----------------------------------------------------------------

# try_refused WHO... -- CMD...: CMD must fail and the kernel's ext-ACK must say why
try_refused() {
	local who=() out
	while [ "$1" != -- ]; do who+=("$1"); shift; done
	shift
	if out=$("${who[@]}" "$AP" "$@" 2>&1 </dev/null); then
		fail "${who[*]}: actplane $* succeeded: $out"
		return 1
	fi
	case "$out" in
	*CAP_NET_ADMIN*|*"Operation not permitted"*|*"not permitted"*) ;;
	*) fail "${who[*]}: actplane $*: unexpected refusal: $out" ;;
	esac
}

privileges_as() {	# privileges_as PREFIX...: nothing changes state, events stay private
	local rules limit labels sessions
	rules=$("$AP" rules)
	[ -n "$rules" ] || fail "no rules to compare"
	limit=$(mem limit)
	labels=$("$AP" labels $H/.env)
	sessions=$(json_get "$(status_json)" "len(j['sessions'])")
	try_refused "$@" -- load $H/policy-other.yaml
	try_refused "$@" -- unload
	try_refused "$@" -- label add secret $H/protected/f
	try_refused "$@" -- label clear $H/.env
	try_refused "$@" -- limits --bytes 4096
	try_refused "$@" -- limits --fail-mode closed
	try_refused "$@" -- session create --pid 1
	try_refused "$@" -- enforcer test
	# a user's watch reads only its own sessions' records: none of these
	timeout 5 "$@" "$AP" watch --json --count 1 > $H/watch-priv.out 2> $H/watch-priv.err &
	local wpid=$! i
	for i in $(seq 50); do grep -q watching $H/watch-priv.err 2>/dev/null && break; sleep 0.1; done
	$H/bin/fakegit push 2>/dev/null && fail "fakegit push ran"
	wait $wpid || true
	expect_eq "events a watch by $* saw" "$(cat $H/watch-priv.out)" ""
	expect_eq "rules after $*" "$("$AP" rules)" "$rules"
	expect_eq "limit after $*" "$(mem limit)" "$limit"
	expect_eq "file labels after $*" "$("$AP" labels $H/.env)" "$labels"
	expect_eq "protected/f labels after $*" "$("$AP" labels $H/protected/f)" ""
	expect_eq "sessions after $*" "$(json_get "$(status_json)" "len(j['sessions'])")" "$sessions"
	expect_eq "enforcer after $*" "$(enforcer_field name)" enforce
}

t_privileges() {
	load 'source secret = file "**/.env"
rule no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"'
	printf 'version: 1\npolicy: |\n  rule other:\n    block exec "ls"\n    because "x"\n' > $H/policy-other.yaml
	"$AP" label add secret $H/.env
	chmod 755 $H && chmod 644 $H/policy-other.yaml
	privileges_as "${UNPRIV[@]}"
	# root in a new user namespace has every capability there, none in the initial one
	privileges_as unshare -Ur
	# with a new network namespace too, the family is not even visible
	out=$(unshare -Urn "$AP" unload 2>&1) && fail "unload from a new user+net namespace succeeded"
	expect_contains "new netns" "$out" "not loaded"
	kernel_clean
}

# ---- memory limits -------------------------------------------------------------

# fill MODE: a labeled process forks children and writes files past the limit
fill() {
	local mode=$1 base_bytes base_inodes base_procs base_denied lim res pids
	rm -rf $H/fill && mkdir -p $H/fill
	: > $H/fill-result.json
	share=$(mem bytes)
	"$AP" label add secret $H/fill-result.json
	base_bytes=$(mem bytes) base_inodes=$(mem inodes) base_procs=$(mem procs)
	share=$((base_bytes - share))	# the result file's entry, dropped below
	base_denied=$(mem denied)
	lim=$((base_bytes + 32 * 1024))
	"$AP" limits --bytes $lim --fail-mode $mode
	rc=0
	python3 "$ACTPLANE_TOP/selftests/vm/fill.py" $H/.env $H/fill 40 $FILL_FILES $H/fill-result.json || rc=$?
	FILL_BYTES=$(mem bytes) FILL_INODES=$(($(mem inodes) - base_inodes))
	FILL_PROCS=$(($(mem procs) - base_procs)) FILL_DENIED=$(($(mem denied) - base_denied))
	# while full: unlabeled processes are untouched
	FILL_UNLABELED=ok
	sh -c "echo plain > $H/free/unlabeled && sh -c true" || FILL_UNLABELED=failed
	# read the result without picking up its label (a reader's new entry
	# would count against the baseline)
	"$AP" label clear $H/fill-result.json
	res=$(head -n1 $H/fill-result.json)
	FILL_OK=$(json_get "$res" "j['ok']") FILL_FAIL=$(json_get "$res" "j['fail']")
	FILL_FORK_FAIL=$(json_get "$res" "j['fork_fail']") FILL_FIRST=$(json_get "$res" "j['first_fail']")
	FILL_ERRS=$(json_get "$res" "j['errs']")
	# the labeled filler itself, while full: reading an unlabeled file and
	# writing its (already labeled) result file need no new entry
	FILL_EXISTING=$(json_get "$res" "j['read_ok']")
	# the first files got entries, the rest none: the last labeled file and
	# the first unlabeled one sit exactly at the entry count
	FILL_EDGE="$("$AP" labels $H/fill/f$((FILL_INODES - 1)))|$("$AP" labels $H/fill/f$FILL_INODES)"
	echo "# $mode: limit $lim, used $FILL_BYTES; files ok $FILL_OK failed $FILL_FAIL (first $FILL_FIRST, $FILL_ERRS); file entries +$FILL_INODES, process entries +$FILL_PROCS, fork failures $FILL_FORK_FAIL, denied +$FILL_DENIED" >&2
	[ "$FILL_BYTES" -le "$lim" ] || fail "usage $FILL_BYTES past the limit $lim"
	[ "$FILL_INODES" -gt 10 ] || fail "only $FILL_INODES file entries before the limit"
	[ "$FILL_INODES" -lt "$FILL_FILES" ] || fail "the limit never bit"
	# recovery: the children exit, the files go; every byte comes back
	pids=$(json_get "$res" "' '.join(map(str, j['pids']))")
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	rm -rf $H/fill
	# (the result file's entry went with its label)
	for _ in $(seq 100); do
		[ "$(mem bytes)" = "$((base_bytes - share))" ] && break
		sleep 0.1
	done
	expect_eq "bytes after freeing ($mode)" "$(mem bytes)" "$((base_bytes - share))"
	expect_eq "file entries after freeing ($mode)" "$(mem inodes)" "$((base_inodes - 1))"
	"$AP" limits --bytes 16M --fail-mode open
	mkdir -p $H/fill
	sh -c "read x < $H/.env; echo \$x > $H/fill/after" || fail "labeled write after recovery failed"
	expect_eq "tracked again after recovery" "$("$AP" labels $H/fill/after)" secret
}

t_limit_fill_open() {
	"$AP" unload >/dev/null
	fill open
	expect_eq "fail-open: every write succeeds" "$FILL_FAIL" 0
	expect_eq "fail-open: every fork succeeds" "$FILL_FORK_FAIL" 0
	expect_eq "fail-open: labels of the files either side of the entry count" "$FILL_EDGE" "secret|"
	expect_eq "fail-open: unlabeled while full" "$FILL_UNLABELED" ok
	expect_eq "fail-open: labeled, existing entry, while full" "$FILL_EXISTING" True
	kernel_clean
}

t_limit_fill_closed() {
	fill closed
	# exactly the untrackable writes failed: one per file beyond the entries
	expect_eq "fail-closed: writes that succeeded = new file entries" "$FILL_OK" "$FILL_INODES"
	expect_eq "fail-closed: failures are ENOMEM" "$FILL_ERRS" "{'ENOMEM': $FILL_FAIL}"
	expect_eq "fail-closed: labels of the files either side of the entry count" "$FILL_EDGE" "secret|"
	[ "$FILL_DENIED" -ge "$FILL_FAIL" ] || fail "denied +$FILL_DENIED < $FILL_FAIL failed writes"
	expect_eq "fail-closed: unlabeled while full" "$FILL_UNLABELED" ok
	expect_eq "fail-closed: labeled, existing entry, while full" "$FILL_EXISTING" True
	kernel_clean
}

# ---- stress --------------------------------------------------------------------

t_stress() {
	local a='source secret = file "**/.env"
source other = file "**/other.txt"' b rules before after out
	rules='rule no-push:
  block exec "fakegit" "push"
  because "no push"
rule protected:
  block write "/tmp/aphard/protected/**"
  because "protected"
rule no-exfil:
  block connect "127.0.0.2/32" if secret
  because "no exfil"'
	b='source other = file "**/other.txt"
source secret = file "**/.env"'
	load "$a
$rules"
	cp $H/policy.yaml $H/policy-a.yaml
	load "$b
$rules"
	cp $H/policy.yaml $H/policy-b.yaml
	: > $H/ran.log
	# meanwhile uid 1000 creates and ends sessions with a session policy
	# (each lives as long as the `session create` process that roots it),
	# and one of them stays up through the whole run
	printf 'version: 1\npolicy: |\n  rule s:\n    block exec "fakegit" "status"\n    because "s"\n' > $H/spol.yaml
	chmod 755 $H && chmod 644 $H/spol.yaml
	"$AP" limits --session-group all >/dev/null
	(cd /tmp && exec "${UNPRIV[@]}" "$AP" run --policy $H/spol.yaml -- sleep 600) \
		>/dev/null 2>&1 </dev/null &
	local keeper=$! churn
	for _ in $(seq 100); do
		[ "$(json_get "$("${UNPRIV[@]}" "$AP" status --json)" "j['user_sessions']['your_rules']")" = 1 ] && break
		sleep 0.1
	done
	( while :; do "${UNPRIV[@]}" --no-new-privs sh -c \
		'exec "$0" session create --pid $$ --policy "$1"' "$AP" $H/spol.yaml >/dev/null 2>&1
	  done ) &
	churn=$!
	before=$(counter blocked)
	out=$("$VMT/stress" $H $STRESS_SECS 8 "$(command -v "$AP")") || true
	echo "$out" >&2
	after=$(counter blocked)
	kill $churn || true; wait $churn || true
	for _ in $(seq 50); do	# the last churned session ends with its process
		[ "$(json_get "$("${UNPRIV[@]}" "$AP" status --json)" "j['user_sessions']['your_rules']")" = 1 ] && break
		sleep 0.1
	done
	expect_eq "the lasting session's policy: its rule" \
		"$(json_get "$("${UNPRIV[@]}" "$AP" status --json)" "j['user_sessions']['your_rules']")" 1
	kill $keeper || true; wait $keeper || true
	for _ in $(seq 50); do
		[ "$(json_get "$("${UNPRIV[@]}" "$AP" status --json)" "j['user_sessions']['your_rules']")" = 0 ] && break
		sleep 0.1
	done
	expect_eq "session policies all freed" \
		"$(json_get "$("${UNPRIV[@]}" "$AP" status --json)" "j['user_sessions']['your_rules']")" 0
	"$AP" limits --session-group none >/dev/null
	grep '^not ok' <<<"$out" >&2 && fail "stress checks failed"
	grep -qE '^ok [0-9]+ stress: no blocked operation' <<<"$out" || fail "stress did not report"
	expect_eq "blocked counter = refusals the workers saw" "$((after - before))" \
		"$(sed -n 's/^blocked //p' <<<"$out")"
	expect_eq "enforcer after stress" "$(enforcer_field name)" enforce
	kernel_clean
}

# ---- event loss ----------------------------------------------------------------

t_event_loss() {
	local before_drop after_drop before_blocked after_blocked got lost refused
	load 'rule protected:
  block write "/tmp/aphard/protected/**"
  because "protected"'
	before_drop=$(counter events_dropped)
	before_blocked=$(counter blocked)
	# a reader that does not read until the flood is over: its socket buffer
	# overruns however fast or slow the flood runs.  `watch` asks for a 4 MiB
	# buffer, which the kernel caps at net.core.rmem_max: newer kernels'
	# default (4 MiB) holds the whole flood, so cap it at the older default
	# while the reader starts
	rm -f $H/watch.json $H/watch.err $H/flood.done
	local rmem_max
	rmem_max=$(cat /proc/sys/net/core/rmem_max)
	echo 212992 > /proc/sys/net/core/rmem_max
	( timeout 120 "$AP" watch --json 2> $H/watch.err |
		{ while [ ! -e $H/flood.done ]; do sleep 0.1; done; cat; } > $H/watch.json ) &
	local wp=$!
	for _ in $(seq 100); do grep -q watching $H/watch.err 2>/dev/null && break; sleep 0.1; done
	echo "$rmem_max" > /proc/sys/net/core/rmem_max
	refused=$(python3 - $H/protected/f $FLOOD <<'PY'
import sys
n = 0
for _ in range(int(sys.argv[2])):
    try:
        open(sys.argv[1], "w")
    except PermissionError:
        n += 1
print(n)
PY
)
	after_blocked=$(counter blocked)
	touch $H/flood.done
	# let the reader drain, then stop it
	for _ in $(seq 150); do
		sleep 0.2
		[ "$(tail -c 200 $H/watch.json 2>/dev/null | grep -c '"seq"')" -gt 0 ] || continue
		n1=$(wc -l < $H/watch.json); sleep 0.5; [ "$(wc -l < $H/watch.json)" = "$n1" ] && break
	done
	pkill -f "actplane watch --json" || true
	wait $wp || true
	after_drop=$(counter events_dropped)
	got=$(grep -c '"seq"' $H/watch.json || true)
	lost=$(sed -n 's/.* \([0-9][0-9]*\) event(s) lost.*/\1/p' $H/watch.err | awk '{s+=$1} END {print s+0}')
	# events after the last one received are lost too, without a later seq to show the gap
	tail_lost=$(python3 - $H/watch.json $FLOOD <<'PY'
import json, sys
seqs = [json.loads(l)["seq"] for l in open(sys.argv[1]) if l.startswith("{")]
print(seqs[0] + int(sys.argv[2]) - 1 - seqs[-1] + (0 if seqs else 0) if seqs else int(sys.argv[2]))
PY
)
	echo "# flood $FLOOD (rmem_max $rmem_max, 212992 for the reader): refused $refused, received $got, gaps $lost, after the last $tail_lost, dropped $((after_drop - before_drop))" >&2
	expect_eq "every write refused although events were lost" "$refused" "$FLOOD"
	expect_eq "blocked counter" "$((after_blocked - before_blocked))" "$FLOOD"
	[ "$((after_drop - before_drop))" -gt 0 ] || fail "the slow reader lost nothing: flood too small"
	expect_eq "received + dropped = violations" "$((got + after_drop - before_drop))" "$FLOOD"
	expect_eq "sequence gaps = dropped" "$((lost + tail_lost))" "$((after_drop - before_drop))"
	kernel_clean
}

# ---- TOCTOU --------------------------------------------------------------------

t_toctou() {
	"$AP" unload >/dev/null
	: > $H/protected/f	# the stress test's audit windows wrote it
	load 'rule protected:
  block write "/tmp/aphard/protected/**"
  because "protected"
rule no-push:
  block exec "fakegit" "push"
  because "no push"
rule no-exfil:
  block connect "127.0.0.2/32"
  because "no exfil"'
	: > $H/ran.log
	: > $H/free/ok
	out=$("$VMT/toctou" open $H/protected/f $H/free/ok $RACE_N) || true
	echo "$out" >&2
	grep -qE '^ok [0-9]+ ' <<<"$out" || fail "open race"
	[ ! -s $H/protected/f ] || fail "protected file was written"
	out=$("$VMT/toctou" exec $H/bin/fakegit $((RACE_N / 20))) || true
	echo "$out" >&2
	grep -qE '^ok [0-9]+ ' <<<"$out" || fail "exec race"
	# torn copies ("pushs", "ptatus") are other arguments; an exact "push" must never run
	expect_eq "pushes that ran" "$(grep -c ' push$' $H/ran.log || true)" 0
	echo "# argv values that ran: $(awk '{print $2}' $H/ran.log | sort | uniq -c | tr '\n' ' ')" >&2
	out=$("$VMT/toctou" send $RACE_N) || true
	echo "$out" >&2
	grep -qE '^ok [0-9]+ ' <<<"$out" || fail "sendto race"
	kernel_clean
}

setup
run_test "privileges: uid 1000 and userns root change nothing, see no events" t_privileges
run_test "memory limit filled, fail-open: capped, exact, recovers" t_limit_fill_open
run_test "memory limit filled, fail-closed: only untrackable operations fail, recovers" t_limit_fill_closed
run_test "stress: 8 workers, reload every 10 ms, audit <-> enforce, session policies churning" t_stress
run_test "event loss: slow reader, sequence gaps = drop counter, enforcement intact" t_event_loss
run_test "TOCTOU: racing path, argv and sockaddr buffers never get a blocked action through" t_toctou
"$AP" unload >/dev/null 2>&1
