#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host tests of the tool's help, usage errors and argument validation (no
# module needed): `actplane help CMD`, `CMD --help`, did-you-mean for an
# unknown command, 80-column help, one error style, and bad arguments
# refused with exit status 2 before the module is contacted.
. "$(dirname "$0")/lib.sh" cli-args

CMDS="run check compile explain init load unload rules watch status up down enforcer label labels session limits service setup feedback-hook mcp doctor version"

# fails_usage NEEDLE ARGS...: exit 2, NEEDLE and the one hint on stderr, nothing
# on stdout, and no sign of a netlink call (which would say the module is missing)
fails_usage() {
	local needle=$1 out err rc=0
	shift
	out=$("$AP" "$@" 2>"$T/err" </dev/null) || rc=$?
	err=$(cat "$T/err")
	[ "$rc" = 2 ] || { echo "exit $rc, want 2: $err"; return 1; }
	[ -z "$out" ] || { echo "stdout: $out"; return 1; }
	case "$err" in *"$needle"*) ;; *) echo "stderr lacks '$needle': $err"; return 1 ;; esac
	case "$err" in *"module is not loaded"*|*netlink*) echo "contacted the module: $err"; return 1 ;; esac
	case "$err" in *"Try 'actplane $1 --help'."*) ;; *) echo "no hint: $err"; return 1 ;; esac
}

for c in $CMDS; do
	t "help $c prints the help of $c (exit 0, Usage line)" \
		'out=$("$AP" help '$c' </dev/null) && echo "$out" | head -n 1 | grep -q "^Usage: actplane '$c'"'
	t "$c --help is the same text as help $c" \
		'[ "$("$AP" '$c' --help </dev/null)" = "$("$AP" help '$c' </dev/null)" ]'
	t "help $c fits 80 columns" \
		'"$AP" help '$c' </dev/null | awk "length > 80 { print; bad = 1 } END { exit bad }"'
done
t "help lists every command within 80 columns" \
	'out=$("$AP" help) && for c in $CMDS; do echo "$out" | grep -q "^  $c " || exit 1; done &&
	 echo "$out" | awk "length > 80 { print; bad = 1 } END { exit bad }"'
t "--help and -h are help" '[ "$("$AP" --help)" = "$("$AP" help)" ] && [ "$("$AP" -h)" = "$("$AP" help)" ]'
t "no command: a short usage on stderr, exit 2" \
	'out=$("$AP" 2>&1); [ $? = 2 ] && [ "$(echo "$out" | wc -l)" -le 3 ] && echo "$out" | grep -q "actplane help"'
t "unknown command: did-you-mean and a hint, not the whole usage" \
	'out=$("$AP" stauts 2>&1); [ $? = 2 ] && echo "$out" | grep -q "unknown command .stauts." &&
	 echo "$out" | grep -q "Did you mean .actplane status.?" && echo "$out" | grep -q "actplane help" &&
	 [ "$(echo "$out" | wc -l)" -le 3 ]'
t "did-you-mean for a prefix and a transposition" \
	'"$AP" rule 2>&1 | grep -q "actplane rules" && "$AP" lable 2>&1 | grep -q "actplane label"'
t "no suggestion for a word close to nothing" \
	'out=$("$AP" frobnicate 2>&1); [ $? = 2 ] && ! echo "$out" | grep -q "Did you mean"'
t "help for an unknown command suggests one" \
	'out=$("$AP" help stauts 2>&1); [ $? = 2 ] && echo "$out" | grep -q "actplane status"'
t "an agent-chosen command name is printed escaped" \
	'"$AP" "$(printf "x\033]0;t\007")" 2>&1 | grep -q "x\\\\x1b\]0;t\\\\x07"'

# bad arguments: refused with exit 2 before the module is contacted
t "enforcer bogus" 'fails_usage "unknown enforcer" enforcer bogus'
t "enforcer with a missing object file" 'fails_usage "cannot read enforcer object" enforcer /nonexistent/e.bpf.o'
t "enforcer test with an unknown effect" 'fails_usage "unknown effect" enforcer test maybe'
t "up --enforcer bogus" 'fails_usage "unknown enforcer" up --enforcer bogus'
t "run --enforcer bogus" 'fails_usage "unknown enforcer" run --enforcer bogus -- true'
t "run --enforcer with a missing object file" \
	'fails_usage "cannot read enforcer object" run --enforcer /nonexistent/e.bpf.o -- true'
t "limits --bytes -5" 'fails_usage "invalid size" limits --bytes -5'
t "limits --bytes 12Q" 'fails_usage "invalid size" limits --bytes 12Q'
t "limits --bytes overflowing 64 bits" 'fails_usage "invalid size" limits --bytes 99999999999999999999G'
t "limits --fail-mode maybe" 'fails_usage "open" limits --fail-mode maybe'
t "limits without anything to set" 'fails_usage "give --bytes" limits'
t "watch --count abc" 'fails_usage "--count" watch --count abc'
t "watch --count 0" 'fails_usage "--count" watch --count 0'
t "watch --count -1" 'fails_usage "--count" watch --count -1'
t "watch --count with nothing after it" 'fails_usage "missing argument for option" watch --count'
t "watch --session abc" 'fails_usage "--session" watch --session abc'
t "watch --pid 0" 'fails_usage "--pid" watch --pid 0'
t "watch --pid 12x" 'fails_usage "--pid" watch --pid 12x'
t "watch --rule with an empty name" 'fails_usage "--rule" watch --rule ""'
t "watch --json --oneline" 'fails_usage "exclude" watch --json --oneline'
t "watch with a stray argument" 'fails_usage "unexpected argument" watch now'
t "watch with an unknown option" 'fails_usage "unknown option" watch --follow'
t "watch with an unknown short option in a cluster" "fails_usage \"unknown option '-x'\" watch -jx"
t "status with an unknown option" 'fails_usage "unknown option" status --verbose'
t "label with an unknown subcommand" 'fails_usage "unknown subcommand" label set X --pid 1'
t "label add --pid abc" 'fails_usage "--pid" label add X --pid abc'
t "labels with neither --pid nor PATH" 'fails_usage "give --pid" labels'
t "session create without --pid" 'fails_usage "--pid" session create'
t "session with an unknown subcommand" 'fails_usage "unknown subcommand" session destroy'
t "rules --diff and --json together" 'fails_usage "exclude" rules --json --diff x.yaml'
t "rules --domain without --diff" 'fails_usage "--domain" rules --domain d'
t "rules with a stray argument" 'fails_usage "unexpected argument" rules all'
t "load with two files" 'fails_usage "unexpected argument" load a.yaml b.yaml'
t "unload with an argument" 'fails_usage "unexpected argument" unload now'
t "down with an argument" 'fails_usage "unexpected argument" down now'
t "up with an unknown option" 'fails_usage "unknown option" up --force'
t "run without a command" 'fails_usage "give the command" run --policy x.yaml'
t "doctor with a stray argument" 'fails_usage "unexpected argument" doctor now'
t "check with two files" 'fails_usage "unexpected argument" check a.yaml b.yaml'
t "explain without an event" 'fails_usage "give the event" explain --labels SECRET'
t "explain with an unknown operation" 'fails_usage "unknown operation" explain frob x'
t "explain with a host name" 'fails_usage "host names" explain connect example.com:443'

# valid watch filters pass the parser and only then need the module
t "valid watch filters are accepted (then the module is missing: exit 1)" \
	'out=$("$AP" watch --oneline --count 3 --rule no-push --rule r2 --session 4 --pid 77 2>&1); [ $? = 1 ] && echo "$out" | grep -q "module is not loaded"'

# check FILE and check - (standard input) as well as --policy
cat >"$T/p.yaml" <<'YAML'
version: 1
policy: |
  rule no-push:
    block exec "git" "push"
    because "no"
YAML
t "check FILE" 'out=$("$AP" check "$T/p.yaml") && echo "$out" | grep -q ": ok: 1 rule"'
t "check - reads standard input" 'out=$("$AP" check - <"$T/p.yaml") && echo "$out" | grep -q "ok: 1 rule"'
t "check - reports errors at <stdin>:line:col" \
	'out=$(printf "version: 1\npolicy: |\n  rule x:\n    block frob \"a\"\n" | "$AP" check - 2>&1); [ $? = 1 ] && echo "$out" | grep -q "^<stdin>:4:"'
t "check --policy FILE still works" '"$AP" check --policy "$T/p.yaml" | grep -q "ok: 1 rule"'

# doctor --json: the same results as the text, as one JSON object (docs/cli.md)
printf 'lockdown,capability,landlock,yama,apparmor,bpf\n' >"$T/lsm"
t "doctor --json: one object, the checks of the text output" \
	'"$AP" doctor --json --lsm-file "$T/lsm" >"$T/d.json"; rc=$?; "$AP" doctor --lsm-file "$T/lsm" >"$T/d.txt"; [ $? = $rc ] &&
	 python3 -c "import json,sys; d=json.load(open(sys.argv[1])); t=open(sys.argv[2]).read().splitlines()
c=d[\"checks\"]; lines=[l for l in t if l.startswith((\"ok  \", \"FAIL\"))]
assert len(c) == len(lines) == 10, (len(c), len(lines))
assert [x[\"ok\"] for x in c] == [l.startswith(\"ok\") for l in lines]
assert [x[\"message\"] for x in c] == [l[6:] for l in lines]
assert d[\"ready\"] == (sys.argv[3] == \"0\") and d[\"failed\"] == sum(not x[\"ok\"] for x in c)
assert {x[\"check\"] for x in c} == {\"kernel\", \"btf\", \"struct_ops\", \"lsm\", \"bpffs\", \"module\", \"programs\", \"service\", \"sessions\"}
assert all(x[\"fix\"] for x in c if not x[\"ok\"]) and [x for x in c if x[\"check\"] == \"lsm\"][0][\"ok\"]" "$T/d.json" "$T/d.txt" "$rc"'
