#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The CLI against the module: `rules` reads the loaded policy back in the
# syntax of `compile --dump`, `rules --diff FILE` compares it with a file,
# `rules --json` and `status --json` parse, `watch --oneline` and its
# filters.  The round trip needs a module whose POLICY_DUMP sends complete
# clauses; with one that sends only the target text those tests skip.
. "$(dirname "$0")/lib.sh"

W=/tmp/apc POLICY=/tmp/apc/actplane.yaml
OP=$VMT/agent_op

TEXT='source secret = file "**/.env"
declassify secret by exec "redact"
rule no-push:
  block exec "fakegit" "push" unless after exec "runtests" since write "/tmp/apc/src/**"
  because "pushing is for humans"
rule no-exfil:
  block connect "*" if secret unless target "127.0.0.0/8"
  because "secrets stay here"
rule prod-db:
  block open "/tmp/apc/prod.db" unless lineage-includes exec "migrate"
  because "migrations only"
rule notes:
  notify write "/tmp/apc/notes/**"
  kill write "/etc/apc-test/**" unless target not "/etc/apc-test/x/**"
  because "watched"'

setup() {
	"$AP" up >/dev/null
	workspace $W
	mkdir -p $W/src $W/notes
	load "$TEXT"
}

complete() { [ "$(json_get "$("$AP" rules --json)" "j['complete']")" = True ]; }

# skip_or_run NAME FUNC: the round-trip tests need complete clauses
skip_or_run() {
	if complete; then
		run_test "$1" "$2"
	else
		ktap_skip "$1" "this module's POLICY_DUMP sends only each clause's target text"
	fi
}

t_rules_roundtrip() {
	local want got
	# compile --dump's rules section without its "(line N)" notes
	want=$("$AP" compile --dump --policy "$POLICY" 2>/dev/null |
		sed -n '/^rules (/,/^index (/p' | sed '$d; s/  (line [0-9]*)$//')
	got=$("$AP" rules | sed 1d)
	[ "$got" = "$want" ] || fail "rules differs from compile --dump: $(diff <(echo "$want") <(echo "$got") | head -n 6)"
	expect_contains "header" "$("$AP" rules | head -n 1)" "# policy $POLICY (generation "
	expect_contains "arguments and unless" "$got" 'c0 block exec basename "fakegit" "push" unless after g0'
	expect_contains "if and unless target" "$got" 'if secret unless target endpoint 127.0.0.0/8'
	expect_contains "negated target" "$got" 'unless target not file prefix "/etc/apc-test/x/"'
	out=$("$AP" rules --diff "$POLICY") || fail "rules --diff of the loaded file: exit $?: $out"
	expect_eq "rules --diff output for the same file" "$out" ""
}

t_rules_diff_change() {
	local out rc=0
	sed 's/"push"/"pull"/; s/because "watched"/because "watched!"/' "$POLICY" > $W/changed.yaml
	out=$("$AP" rules --diff $W/changed.yaml) || rc=$?
	expect_eq "exit status for a difference" "$rc" 1
	expect_contains "--- line" "$out" "--- loaded (generation"
	expect_contains "+++ line" "$out" "+++ $W/changed.yaml"
	expect_contains "removed clause" "$out" '-      c0 block exec basename "fakegit" "push" unless after g0'
	expect_contains "added clause" "$out" '+      c0 block exec basename "fakegit" "pull" unless after g0'
	expect_contains "changed because" "$out" '+      because: watched!'
	rc=0
	out=$("$AP" rules --diff $W/missing.yaml 2>&1) || rc=$?
	expect_eq "exit status for a missing file" "$rc" 2
}

t_rules_json() {
	local j
	j=$("$AP" rules --json) || fail "rules --json failed"
	expect_eq "policy name" "$(json_get "$j" "j['policy']['name']")" "$POLICY"
	expect_eq "rule names" "$(json_get "$j" "[r['name'] for r in j['rules']]")" \
		"['no-push', 'no-exfil', 'prod-db', 'notes']"
	expect_eq "because" "$(json_get "$j" "j['rules'][0]['because']")" "pushing is for humans"
	if complete; then
		expect_eq "clause" "$(json_get "$j" "(lambda c: [c['effect'], c['op'], c['target']['class'], c['target']['literal'], c['argv'], c['if'], c['unless'][0]['kind']])(j['rules'][0]['clauses'][0])")" \
			"['block', 'exec', 'basename', 'fakegit', ['push'], None, 'after']"
		expect_eq "if" "$(json_get "$j" "j['rules'][1]['clauses'][0]['if']")" "secret"
		expect_eq "endpoint" "$(json_get "$j" "j['rules'][1]['clauses'][0]['unless'][0]['target']['endpoint']")" "127.0.0.0/8"
	fi
}

t_status_json() {
	local j
	j=$(status_json) || fail "status --json failed"
	expect_eq "policy name" "$(json_get "$j" "j['policy']['name']")" "$POLICY"
	expect_eq "policy rules" "$(json_get "$j" "j['policy']['rules']")" 4
	expect_eq "generation > 0" "$(json_get "$j" "j['policy']['generation'] > 0")" True
	expect_eq "label table" "$(json_get "$j" "'secret' in j['labels']")" True
	expect_contains "status text" "$("$AP" status)" "policy:    $POLICY (generation "
}

t_watch_oneline_filters() {
	local out
	rm -f $W/ev.err
	timeout 60 "$AP" watch --oneline --rule no-push --count 1 > $W/ev.txt 2> $W/ev.err &
	for _ in $(seq 100); do grep -q watching $W/ev.err 2>/dev/null && break; sleep 0.1; done
	echo x > $W/notes/a.md		# rule notes: filtered out
	# in a session of its own (the rule's gate is per session)
	sh -c "\"$AP\" session create --pid \$\$ >/dev/null; exec \"$OP\" exec $W/bin/fakegit push" \
		>/dev/null 2>&1 || true
	wait $! || fail "watch exited with $?: $(cat $W/ev.err)"
	out=$(cat $W/ev.txt)
	expect_eq "one line" "$(wc -l < $W/ev.txt)" 1
	expect_contains "oneline fields" "$out" "block  exec    no-push \"$W/bin/fakegit\" pid="
	case "$out" in *notes*) fail "--rule no-push let a notes event through: $out" ;; esac
	unlabel_self
}

t_rules_unloaded() {
	"$AP" unload >/dev/null
	expect_eq "rules" "$("$AP" rules)" "no policy loaded"
	expect_eq "rules --json" "$(json_get "$("$AP" rules --json)" "j['policy']")" None
	expect_eq "status --json" "$(json_get "$(status_json)" "j['policy']")" None
	local rc=0
	"$AP" rules --diff "$POLICY" >/dev/null 2>&1 || rc=$?
	expect_eq "rules --diff without a policy" "$rc" 2
}

# version: the module answers without privileges, with the tool's ABI
t_version() {
	local out j
	out=$("${UNPRIV[@]}" "$AP" version) || fail "version as uid 1000: exit $?: $out"
	expect_contains "module line" "$out" "module: actplane "
	j=$("${UNPRIV[@]}" "$AP" version --json)
	expect_eq "module loaded" "$(json_get "$j" "j['module']['loaded']")" True
	expect_eq "same ABI" "$(json_get "$j" "j['module']['abi'] == j['tool']['abi'] and j['abi_match']")" True
}

setup
run_test "version: the tool's and the module's, without root" t_version
skip_or_run "rules prints what compile --dump prints; rules --diff of the same file is empty" t_rules_roundtrip
skip_or_run "rules --diff shows a changed argument and because, exit 1" t_rules_diff_change
run_test "rules --json: names, because and clause parts" t_rules_json
run_test "status --json and status name the loaded policy" t_status_json
run_test "watch --oneline --rule: one line, other rules filtered out" t_watch_oneline_filters
run_test "without a policy: rules, --json and --diff say so" t_rules_unloaded
"$AP" unload >/dev/null 2>&1
"$AP" down >/dev/null
