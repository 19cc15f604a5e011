#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hardening: a bounded netlink fuzzer (build/vm-tests/nl_fuzz) against a
# loaded policy, then valid-but-hostile policies (10k rules, 64 labels,
# deepest conditions, 256 gates, longest texts, patterns and argument lists).
# After each: the module answers, the last good policy is in force (or the
# new one loaded whole), and label memory and slab usage return to baseline.
#
#   AP_FUZZ_MSGS   requests the fuzzer sends (default 100000; AP_STRESS=1: 1000000)
#   AP_FUZZ_RULES  rules in the big policy and in the fuzzer's staged one (default 10000)
#   AP_FUZZ_SEED   fuzzer seed (default 1)
#   AP_FUZZ_TIMEOUT  seconds the fuzzer may run (default 600)
. "$(dirname "$0")/lib.sh"

W=/tmp/apfz
if [ "${AP_STRESS:-0}" = 1 ]; then	# make stress
	MSGS=${AP_FUZZ_MSGS:-1000000}
else
	MSGS=${AP_FUZZ_MSGS:-100000}
fi
NRULES=${AP_FUZZ_RULES:-10000}
SEED=${AP_FUZZ_SEED:-1}
SLAB_TOLERANCE_KB=$((8 * 1024))
T0=$SECONDS
NOTES=/tmp/apfz.notes	# comments from inside a test, printed after its result line
rm -f $NOTES

note() { echo "# $*" >> $NOTES; }

# rt NAME FUNC: run_test, then the test's notes and how long it took
rt() {
	local t=$SECONDS
	run_test "$@"
	if [ -s $NOTES ]; then cat $NOTES; fi
	rm -f $NOTES
	[ $((SECONDS - t)) -lt 3 ] || echo "#   ($((SECONDS - t)) s)"
}

setup() {
	# start from a fresh module: label names are never freed, and the
	# hostile policies need all 64 label bits
	"$AP" down >/dev/null 2>&1 || true
	if rmmod actplane 2>/dev/null; then
		insmod "$AP_KO"
	fi
	"$AP" up >/dev/null
	workspace $W
	mkdir -p $W/out $W/uw $W/pol
}

GOOD=$W/pol/good.yaml
SPOL=$W/pol/session.yaml	# uid 1000's session policy: blocks `fakegit status` in its session
write_good() {
	write_policy $GOOD 'rule fz-no-push:
  block exec "fakegit" "push"
  because "pushing is for humans"'
}

# status: exit status of running ARGS (126: exec refused)
status_of() { local rc=0; "$@" >/dev/null 2>&1 || rc=$?; echo $rc; }

good_enforced() {
	expect_eq "fakegit push (blocked)" "$(status_of $W/bin/fakegit push origin)" 126
	expect_eq "fakegit status (allowed)" "$(status_of $W/bin/fakegit status)" 0
}

mem_json() { json_get "$(status_json)" "sorted(j['memory'].items())"; }
sunreclaim_kb() { awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo; }
settle() { sync; echo 3 > /proc/sys/vm/drop_caches; sleep 2; }
policy_head() { "$AP" rules | head -n 1; }
rule_count() { "$AP" rules | grep -cE '^  r[0-9]+ ' || true; }

# slab caches that grew most since FILE (TAP comments)
slab_growth() {
	awk 'NR > 2 { print $1, $3 * $4 }' /proc/slabinfo > $W/slab.now
	awk 'NR == FNR { a[$1] = $2; next } { d = int(($2 - a[$1]) / 1024); if (d > 64 || d < -64) print d, $1 }' \
		"$1" $W/slab.now | sort -rn | head -n 8 | awk '{ printf "#   slab %-24s %+d KiB\n", $2, $1 }'
}

# expect_refused FILE NEEDLE: loading FILE fails, saying NEEDLE, and the policy in force stays
expect_refused() {
	local head out rc=0
	head=$(policy_head)
	out=$("$AP" load "$1" 2>&1) || rc=$?
	[ $rc != 0 ] || fail "loading $(basename "$1") succeeded: $out"
	expect_contains "error for $(basename "$1")" "$out" "$2"
	expect_eq "policy in force after the refused load" "$(policy_head)" "$head"
	note "refused: $(printf '%s' "$out" | grep -m1 -E 'error|actplane:')"
}

# expect_loaded FILE RULES: loading FILE succeeds and `rules` lists RULES rules
expect_loaded() {
	local out
	out=$("$AP" load "$1" 2>&1) || fail "loading $(basename "$1") failed: $out"
	expect_eq "rules listed for $(basename "$1")" "$(rule_count)" "$2"
}

t_baseline() {
	write_good
	"$AP" load $GOOD >/dev/null
	good_enforced
	settle
	"$AP" rules > $W/rules.base
	mem_json > $W/mem.base
	sunreclaim_kb > $W/slab.base
	awk 'NR > 2 { print $1, $3 * $4 }' /proc/slabinfo > $W/slabinfo.base
	note "baseline: $(head -n1 $W/rules.base); SUnreclaim $(cat $W/slab.base) kB"
}

# uid 1000's sessions stay through the fuzz (nl_fuzz compares the sessions
# before and after: none may end, none appear); one has a session policy
U1000=(setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all --bounding-set=-all)
user_sessions() { json_get "$("${U1000[@]}" "$AP" status --json)" "len(j['sessions'])"; }
session_rules() { json_get "$("${U1000[@]}" "$AP" status --json)" "j['user_sessions']['your_rules']"; }

t_user_sessions_start() {
	local i
	"$AP" limits --session-group all >/dev/null
	write_policy $SPOL 'rule fz-no-status:
  block exec "fakegit" "status"
  because "a session policy"'
	chmod 755 $W $W/pol && chmod 644 $GOOD $SPOL
	for i in $GOOD $GOOD $SPOL; do
		(cd /tmp && exec "${U1000[@]}" "$AP" run --policy $i -- sleep 3600) >/dev/null 2>&1 </dev/null &
	done
	for i in $(seq 100); do [ "$(user_sessions)" = 3 ] && break; sleep 0.1; done
	expect_eq "uid 1000's sessions" "$(user_sessions)" 3
	expect_eq "one with its own policy" "$(session_rules)" 1
}

# the sessions outlived the fuzz; then uid 1000 churns sessions and tries to
# end others' (refused); all of it ends, and nothing is left behind
t_user_sessions_after() {
	local i out
	expect_eq "uid 1000's sessions after the fuzz" "$(user_sessions)" 3
	expect_eq "its session policy's rules after the fuzz" "$(session_rules)" 1
	for i in $(seq 30); do
		"${U1000[@]}" "$AP" run --policy $GOOD -- true >/dev/null 2>&1 ||
			fail "uid 1000's run $i failed"
		expect_eq "run $i with a session policy: its rule" \
			"$(status_of "${U1000[@]}" "$AP" run --policy $SPOL -- $W/bin/fakegit status)" 126
	done
	sleep 60 & local other=$!
	"$AP" session create --pid $other >/dev/null	# root's, not uid 1000's
	for i in $(json_get "$(status_json)" "' '.join(str(s['id']) for s in j['sessions'] if s['uid'] != 1000)"); do
		out=$("${U1000[@]}" "$AP" session end $i 2>&1) && fail "uid 1000 ended session $i: $out"
	done
	for i in $(json_get "$("${U1000[@]}" "$AP" status --json)" "' '.join(str(s['id']) for s in j['sessions'])"); do
		"${U1000[@]}" "$AP" session end $i >/dev/null || fail "uid 1000 could not end its session $i"
	done
	kill $other; wait $other || true
	for i in $(seq 100); do [ "$(user_sessions)" = 0 ] && break; sleep 0.1; done
	expect_eq "uid 1000's sessions at the end" "$(user_sessions)" 0
	expect_eq "and their rules" "$(session_rules)" 0
	"$AP" limits --session-group none >/dev/null
}

t_fuzz() {
	local t=$SECONDS rc=0
	timeout -k 10 "${AP_FUZZ_TIMEOUT:-600}" "$VMT/nl_fuzz" -s "$SEED" -n "$MSGS" -r "$NRULES" \
		> $W/fuzz.out 2>&1 || rc=$?
	note "nl_fuzz exit $rc after $((SECONDS - t)) s"
	[ $rc = 0 ] || [ $rc = 1 ] || fail "nl_fuzz exited with $rc: $(tail -n 3 $W/fuzz.out)"
}

t_after_fuzz_status() {
	local j
	j=$(status_json) || fail "status failed"
	expect_eq "abi" "$(json_get "$j" "j['abi']")" 2
	expect_eq "enforcer" "$(json_get "$j" "j['enforcer']['state']")" active
}

t_after_fuzz_policy() {
	"$AP" rules > $W/rules.now
	cmp -s $W/rules.base $W/rules.now || fail "rules changed: $(diff $W/rules.base $W/rules.now | head -n 5)"
	good_enforced
}

t_after_memory() {
	local now base
	settle
	expect_eq "label memory (status --json)" "$(mem_json)" "$(cat $W/mem.base)"
	base=$(cat $W/slab.base)
	now=$(sunreclaim_kb)
	note "SUnreclaim: $base kB -> $now kB ($((now - base)) kB)"
	slab_growth $W/slabinfo.base >> $NOTES
	[ $((now - base)) -le $SLAB_TOLERANCE_KB ] ||
		fail "SUnreclaim grew by $((now - base)) kB (tolerance $SLAB_TOLERANCE_KB kB)"
}

# ---- valid-but-hostile policies -------------------------------------------------

t_many_rules() {
	local f=$W/pol/many.yaml t=$SECONDS
	# the catalog form: one small rule text per rule
	{
		printf 'version: 1\nrules:\n'
		seq "$NRULES" | awk -v w=$W '{ printf "  r%d:\n    ifc: |\n      rule r%d:\n        block exec \"%s/bin/t%d\"\n        because \"rule %d of many\"\n", $1, $1, w, $1, $1 }'
		printf 'domains:\n  session:\n    bind:\n'
		seq "$NRULES" | awk '{ printf "      - rule: r%d\n        mode: default\n", $1 }'
	} > $f
	expect_loaded $f "$NRULES"
	note "$NRULES rules compiled, loaded and listed in $((SECONDS - t)) s"
	# a reload between two parts of the rule dump (it takes dozens of parts
	# with thousands of rules): flagged, never mixed
	if [ "$NRULES" -ge 2000 ]; then
		"$VMT/nl_dump_intr" "\"$AP\" load $f >/dev/null" > $W/intr.out
		grep -qE '^ok [0-9]+ dump across a reload: flagged' $W/intr.out &&
			! grep -q '^not ok' $W/intr.out ||
			fail "POLICY_DUMP across a reload: $(grep -v '^ok' $W/intr.out | tr '\n' ' ')"
	fi
	local mid=$(( (NRULES + 1) / 2 ))
	cp $W/bin/fakegit $W/bin/t$mid
	expect_eq "exec of t$mid (blocked by rule r$mid)" "$(status_of $W/bin/t$mid)" 126
	expect_eq "fakegit push under the big policy" "$(status_of $W/bin/fakegit push)" 0
	"$AP" load $GOOD >/dev/null
	good_enforced
}

# labels l1..lN as file sources, and a rule blocking writes to $W/out/NAME if any of them
labels_policy() {
	local n=$1 name=$2 i s=""
	for i in $(seq "$n"); do s+="source l$i = file \"$W/src/l$i/**\""$'\n'; done
	s+="rule $name:"$'\n'"  block write \"$W/out/$name\" if l1"
	for i in $(seq 2 "$n"); do s+=" or l$i"; done
	s+=$'\n  because "many labels"'
	printf '%s' "$s"
}

t_deep_conditions() {
	local i e="" c="" s=""
	# stack depth 16: l1 and (l2 and (... and l16))
	for i in $(seq 16); do s+="source l$i = file \"$W/src/l$i/**\""$'\n'; done
	for i in $(seq 15); do e+="(l$i and "; c+=")"; done
	write_policy $W/pol/deep16.yaml "${s}rule deep16:
  block write \"$W/out/deep\" if ${e}l16$c
  because \"deep\""
	expect_loaded $W/pol/deep16.yaml 1
	# 64 nested nots
	write_policy $W/pol/not64.yaml "source l1 = file \"$W/src/l1/**\"
rule not64:
  block write \"$W/out/not\" if $(printf 'not %.0s' $(seq 64))l1
  because \"nots\""
	expect_loaded $W/pol/not64.yaml 1
	# one deeper each: refused, the previous policy stays
	write_policy $W/pol/deep17.yaml "${s}source l17 = file \"$W/src/l17/**\"
rule deep17:
  block write \"$W/out/deep\" if (l17 and ${e}l16$c)
  because \"deep\""
	expect_refused $W/pol/deep17.yaml "error"
	write_policy $W/pol/not65.yaml "source l1 = file \"$W/src/l1/**\"
rule not65:
  block write \"$W/out/not\" if $(printf 'not %.0s' $(seq 65))l1
  because \"nots\""
	expect_refused $W/pol/not65.yaml "deep"
	expect_contains "policy in force" "$(policy_head)" not64.yaml
}

t_max_labels() {
	# 64 labels, 127-instruction condition; then 65 refused by the compiler
	write_policy $W/pol/l64.yaml "$(labels_policy 64 lab64)"
	expect_loaded $W/pol/l64.yaml 1
	expect_eq "labels defined" "$(json_get "$(status_json)" "len(j['labels'])")" 64
	mkdir -p $W/src/l64
	echo data > $W/src/l64/f
	# a reader of an l64 file is labeled: its write to out/lab64 is blocked
	expect_eq "labeled write" "$(status_of sh -c "read x < $W/src/l64/f; echo x > $W/out/lab64")" 2
	expect_eq "unlabeled write" "$(status_of sh -c "echo x > $W/out/lab64")" 0
	write_policy $W/pol/l65.yaml "$(labels_policy 65 lab65)"
	expect_refused $W/pol/l65.yaml "64"
	# the module's table is full: a new label name is refused at commit
	write_policy $W/pol/newlabel.yaml "source l1 = file \"$W/src/l1/**\"
source fresh = file \"$W/src/fresh/**\"
rule fresh:
  block write \"$W/out/fresh\" if fresh or l1
  because \"one label too many\""
	expect_refused $W/pol/newlabel.yaml "64"
	expect_contains "policy in force" "$(policy_head)" l64.yaml
	rm -rf $W/src $W/out	# the labeled source file goes, and its label entry with it
	mkdir -p $W/out
}

t_max_gates() {
	seq 256 | awk -v w=$W '{ printf "rule g%d:\n  block write \"%s/g/f%d\" unless after exec \"%s/bin/g%d\"\n  because \"gate %d\"\n", $1, w, $1, w, $1, $1 }' > $W/g.txt
	write_policy $W/pol/g256.yaml "$(cat $W/g.txt)"
	expect_loaded $W/pol/g256.yaml 256
	seq 257 | awk -v w=$W '{ printf "rule g%d:\n  block write \"%s/g/f%d\" unless after exec \"%s/bin/g%d\"\n  because \"gate %d\"\n", $1, w, $1, w, $1, $1 }' > $W/g.txt
	write_policy $W/pol/g257.yaml "$(cat $W/g.txt)"
	expect_refused $W/pol/g257.yaml "256"
}

t_long_texts() {
	local because pat
	because=$(head -c 4095 /dev/zero | tr '\0' b)
	pat=$W/$(head -c $((4090 - ${#W} - 1)) /dev/zero | tr '\0' p)
	write_policy $W/pol/long.yaml "rule longtext:
  block exec \"fakegit\" \"push\"
  because \"$because\"
rule longpattern:
  block write \"$pat\"
  because \"long pattern\""
	expect_loaded $W/pol/long.yaml 2
	"$AP" rules | grep -qx "      because: $because" || fail "the 4095-byte because text is not listed whole"
	good_enforced
	write_policy $W/pol/long2.yaml "rule longtext:
  block exec \"fakegit\" \"push\"
  because \"${because}bb\""
	expect_refused $W/pol/long2.yaml "error"
}

t_long_argv() {
	# 32 arguments of 4095 bytes: one clause element of ~128 KiB, more than
	# one netlink attribute can hold.  Loaded whole (and enforced) or refused.
	local a args i rc=0 out head
	a=$(head -c 4095 /dev/zero | tr '\0' a)
	args=$(for i in $(seq 32); do printf '"%s" ' "$a"; done)
	write_policy $W/pol/argv.yaml "rule manyargs:
  block exec \"fakegit\" $args
  because \"long argv\""
	"$AP" load $GOOD >/dev/null
	head=$(policy_head)
	out=$("$AP" load $W/pol/argv.yaml 2>&1) || rc=$?
	if [ $rc = 0 ]; then
		"$AP" rules | grep -A2 -E '^  r[0-9]+ manyargs$' | grep -q 'c0 block exec' ||
			fail "loaded, but rule manyargs has no clause: $("$AP" rules | head -n 4 | cut -c1-100)"
		args=()
		for i in $(seq 32); do args+=("$a"); done
		expect_eq "exec with the 32 arguments" "$(status_of $W/bin/fakegit "${args[@]}")" 126
	else
		note "refused: $(printf '%s' "$out" | head -n1 | cut -c1-160)"
		expect_eq "policy in force after the refused load" "$(policy_head)" "$head"
	fi
}

t_big_element_late() {
	# An element of ~60 KiB (15 arguments of 4095 bytes) after ~30 KiB of
	# others: together more than the 16-bit length of one message's element
	# list.  The tool moves it to a message of its own; every rule, before
	# and after it, is loaded and enforced.
	local a args i s=""
	a=$(head -c 4095 /dev/zero | tr '\0' a)
	args=$(for i in $(seq 15); do printf '"%s" ' "$a"; done)
	for i in $(seq 200); do s+="rule small$i:"$'\n'"  block write \"$W/small/f$i\""$'\n'"  because \"small $i\""$'\n'; done
	s+="rule bigargs:"$'\n'"  block exec \"fakegit\" $args"$'\n'"  because \"big element\""$'\n'
	s+="rule last-one:"$'\n'"  block write \"$W/small/after\""$'\n'"  because \"after the big one\""
	write_policy $W/pol/bigelem.yaml "$s"
	expect_loaded $W/pol/bigelem.yaml 202
	args=()
	for i in $(seq 15); do args+=("$a"); done
	expect_eq "exec with the 15 arguments" "$(status_of $W/bin/fakegit "${args[@]}")" 126
	mkdir -p $W/small
	expect_eq "write of the first small rule's file" "$(sh -c "echo x > $W/small/f1" 2>/dev/null; echo $?)" 2
	expect_eq "write of the last rule's file" "$(sh -c "echo x > $W/small/after" 2>/dev/null; echo $?)" 2
	"$AP" load $GOOD >/dev/null
}

t_many_unless() {
	# 40 `unless target` exemptions on one clause: all of them apply, or the
	# policy is refused; never loaded with some silently dropped
	local i s="rule exempt:"$'\n'"  block write \"$W/uw/*\"" rc=0 out head
	for i in $(seq 40); do s+=" unless target \"$W/uw/e$i\""; done
	s+=$'\n  because "exemptions"'
	write_policy $W/pol/unless.yaml "$s"
	"$AP" load $GOOD >/dev/null
	head=$(policy_head)
	out=$("$AP" load $W/pol/unless.yaml 2>&1) || rc=$?
	if [ $rc = 0 ]; then
		expect_eq "write to a non-exempt file" "$(status_of sh -c "echo x > $W/uw/other")" 2
		expect_eq "write to exemption 1" "$(status_of sh -c "echo x > $W/uw/e1")" 0
		expect_eq "write to exemption 40" "$(status_of sh -c "echo x > $W/uw/e40")" 0
	else
		note "refused: $(printf '%s' "$out" | head -n1 | cut -c1-160)"
		expect_eq "policy in force after the refused load" "$(policy_head)" "$head"
	fi
}

t_good_again() {
	"$AP" load $GOOD >/dev/null
	good_enforced
	expect_eq "rules" "$(rule_count)" 1
}

# A refused LABEL_ADD or SESSION_CREATE must not define the label names it
# carried: names are never freed, and only 64 exist.
t_refused_label_requests() {
	local out labels
	out=$("$AP" label add fz_probe_a --pid 2147483647 2>&1) && fail "label add on no process succeeded"
	out=$("$AP" label add fz_probe_b 9invalid --pid $$ 2>&1) && fail "label add with an invalid name succeeded"
	out=$("$AP" session create --pid 2147483647 --label fz_probe_c 2>&1) &&
		fail "session create on no process succeeded"
	labels=$(json_get "$(status_json)" "' '.join(sorted(j['labels']))")
	case " $labels " in
	*fz_probe*) fail "refused requests defined labels: $labels" ;;
	esac
}

t_reload_module() {
	"$AP" unload >/dev/null
	"$AP" down >/dev/null
	rmmod actplane || fail "rmmod failed"
	insmod "$AP_KO"
	"$AP" status >/dev/null
}

rt "hardening: setup (fresh module, hooks up)" setup
rt "hardening: good policy loaded and enforced, baseline recorded" t_baseline
rt "hardening: three sessions of uid 1000 started without root" t_user_sessions_start
rt "hardening: nl_fuzz ran ($MSGS requests, seed $SEED)" t_fuzz
ktap_relay < $W/fuzz.out	# nl_fuzz's own results, numbered as this suite's
rt "hardening: module answers STATUS after the fuzzer" t_after_fuzz_status
rt "hardening: same rules after the fuzzer, and the rule still blocks" t_after_fuzz_policy
rt "hardening: uid 1000's sessions outlive the fuzzer, churn, end; others' refused" t_user_sessions_after
rt "hardening: label memory and slab usage back to baseline after the fuzzer" t_after_memory
rt "hostile: $NRULES-rule policy loads and is listed whole" t_many_rules
rt "hostile: deepest conditions load (depth 16, 64 nots); one deeper refused" t_deep_conditions
rt "hostile: 64 labels load and work; 65, or a new name when all are in use, refused" t_max_labels
rt "hostile: 256 gates load; 257 refused" t_max_gates
rt "hostile: 4095-byte because and 4090-byte pattern load; longer refused" t_long_texts
rt "hostile: 32 arguments of 4095 bytes: loaded whole or refused" t_long_argv
rt "a 60 KiB element late in a message: moved to its own, all rules enforced" t_big_element_late
rt "hostile: 40 unless-exemptions: all honoured or refused" t_many_unless
rt "hostile: good policy again after the hostile ones" t_good_again
rt "hostile: label memory and slab usage back to baseline" t_after_memory
rt "hardening: module unloads and reloads cleanly" t_reload_module
rt "hardening: refused label add / session create define no label name" t_refused_label_requests
t_reload_module >/dev/null 2>&1 || ktap_not_ok "hardening: final module reload"
echo "# test_netlink_fuzz.sh: $((SECONDS - T0)) s"
