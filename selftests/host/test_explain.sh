#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host tests of `actplane explain` as a command (no module needed): the
# policy found like `check` finds it, the text and --json forms, the exit
# status (0 allowed, 1 denied, 2 usage or a bad policy), options after the
# event and arguments after `--`, and hostile text printed escaped.  The
# evaluation itself is tested in test_explain.c.
. "$(dirname "$0")/lib.sh" explain

mkdir -p "$T/ws/src/deep" "$T/other"
cat >"$T/ws/actplane.yaml" <<'YAML'
version: 1
policy: |
  source SECRET = file "**/.env"
  rule no-push:
    block exec "git" "push" if SECRET unless lineage-includes exec "human-approve"
    because "pushing secrets is for humans"
  rule force:
    kill exec "git" "push" "--force"
    because "never force-push"
  rule tests:
    block exec "git" "commit" unless after exec "pytest" since write "src/**"
    because "run pytest first"
  rule egress:
    block connect endpoint "*" if SECRET unless target "10.0.0.0/8"
    because "secrets stay here"
  rule c-files:
    notify write "src/*.c"
    because "C files are reviewed"
YAML
cd "$T/ws/src/deep" || exit 1
# ex ARGS...: run explain, keep stdout in $T/out, stderr in $T/err, return its
# status.  Programs named without '/' are looked up in PATH: an empty one keeps
# the answers independent of this host.
ex() {
	PATH=/nonexistent "$AP" explain "$@" >"$T/out" 2>"$T/err"
}

t "blocked: exit 1, the rule, its line and the because" \
	'ex exec git push --labels SECRET; [ $? = 1 ] &&
	 grep -q "^decision: block, by rule no-push (.*actplane.yaml:5)$" "$T/out" &&
	 grep -q "^because: pushing secrets is for humans$" "$T/out" &&
	 grep -q "^    yes  if SECRET: the process has SECRET$" "$T/out" && [ ! -s "$T/err" ]'
t "allowed without the label: exit 0, the clause shown as not firing" \
	'ex exec git push; [ $? = 0 ] && grep -q "^    no   if SECRET" "$T/out" &&
	 grep -q "does not fire: its .if. is false" "$T/out" && grep -q "^decision: allow" "$T/out"'
t "unless lineage-includes exempts (--lineage)" \
	'ex exec git push -l SECRET -L /opt/bin/human-approve; [ $? = 0 ] &&
	 grep -q "^    yes  unless lineage-includes exec \"human-approve\"" "$T/out" &&
	 grep -q "exempt: an .unless. holds" "$T/out"'
t "arguments that start with - go after --; the strongest effect wins" \
	'ex -l SECRET -- exec git push --force; [ $? = 1 ] &&
	 grep -q "^decision: kill, by rule force" "$T/out"'
t "an unknown option is a usage error, with the hint about --" \
	'ex exec git push --force; [ $? = 2 ] && grep -q "unknown option" "$T/err" &&
	 "$AP" explain --help | grep -q "go after .--."'
t "after gate: blocked without the run, allowed after it, stale after a write" \
	'ex exec git commit; [ $? = 1 ] || exit 1
	 ex exec git commit --after pytest; [ $? = 0 ] || exit 1
	 grep -q "armed by the earlier event \"pytest\"" "$T/out" || exit 1
	 ex exec git commit --after pytest --after "write ../x.c"; [ $? = 1 ] &&
	 grep -q "stale: \"write ../x.c\" came after \"pytest\"" "$T/out"'
t "connect: blocked endpoint, allowed range, IPv6 form" \
	'ex connect 1.2.3.4:443 --labels SECRET; [ $? = 1 ] || exit 1
	 ex connect 10.2.3.4:443 --labels SECRET; [ $? = 0 ] || exit 1
	 ex connect "[2001:db8::1]:443" --labels SECRET; [ $? = 1 ] &&
	 grep -q "^event:   connect \"\[2001:db8::1\]:443\"$" "$T/out"'
t "relative paths resolve against the working directory; notify exits 0" \
	'cd "$T/ws"; ex write src/a.c; [ $? = 0 ] &&
	 grep -q "^event:   write $T/ws/src/a.c$" "$T/out" &&
	 grep -q "^decision: notify, by rule c-files" "$T/out"'
t "the policy is found upwards from the working directory, like check" \
	'ex write ../a.c; [ $? = 0 ] && grep -q "decision: notify" "$T/out"'
t "--policy FILE; no policy anywhere is an error (exit 2)" \
	'cd "$T/other"; ex --policy "$T/ws/actplane.yaml" exec git push -l SECRET; [ $? = 1 ] || exit 1
	 ex exec git push; [ $? = 2 ] && grep -q "no actplane.yaml" "$T/err"'
t "a policy with errors: its diagnostics, exit 2" \
	'printf "version: 1\npolicy: |\n  rule x:\n    block frob \"a\"\n" >"$T/bad.yaml"
	 ex --policy "$T/bad.yaml" exec git; [ $? = 2 ] && grep -q "bad.yaml:4:" "$T/err" &&
	 [ ! -s "$T/out" ]'
t "usage errors are checked before the policy is read (exit 2)" \
	'cd "$T/other"; for a in "frob x" "exec" "connect example.com:80" "write a b"; do
		ex $a; [ $? = 2 ] || { echo "$a"; exit 1; }
		grep -q "Try .actplane explain --help." "$T/err" || exit 1
	 done
	 ex --labels "A B" exec x; [ $? = 2 ] && grep -q "not a label name" "$T/err" &&
	 ex read x --target-labels A; [ $? = 2 ] && grep -q "goes with exec" "$T/err" &&
	 ex --after "connect 1.2.3.4:80" exec x; [ $? = 2 ]'
t "a misspelt operation gets a did-you-mean" \
	'ex exce git; [ $? = 2 ] && grep -q "did you mean .exec." "$T/err"'
t "--json: one object with the documented fields" \
	'ex exec git push -l SECRET --after pytest --json; [ $? = 1 ] &&
	 python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
assert set(d) == {\"policy\", \"domain\", \"event\", \"subject\", \"clauses\", \"decision\", \"notes\"}, d.keys()
e=d[\"event\"]; assert e[\"op\"] == \"exec\" and e[\"argv\"] == [\"git\", \"push\"] and e[\"ops\"] == [\"exec\"]
assert e[\"written\"] == \"git\" and e[\"target\"] == \"git\"
s=d[\"subject\"]; assert s[\"labels\"] == [\"SECRET\"] and s[\"view\"] == [\"SECRET\"] and s[\"after\"] == [\"pytest\"]
assert s[\"gained\"] == [] and s[\"dropped\"] == [] and s[\"lineage\"] == []
c=d[\"clauses\"]; assert [x[\"rule\"] for x in c] == [\"no-push\", \"force\", \"tests\"], c
k=c[0]; assert k[\"fires\"] and k[\"effect\"] == \"block\" and k[\"line\"] == 5 and k[\"rule_line\"] == 4
assert [x[\"kind\"] for x in k[\"conditions\"]] == [\"target\", \"argv\", \"if\", \"unless-lineage\"]
assert all(set(x) == {\"kind\", \"text\", \"holds\", \"detail\"} for x in k[\"conditions\"])
assert not c[1][\"fires\"] and c[1][\"conditions\"][1][\"holds\"] is False
x=d[\"decision\"]; assert x == {\"effect\": \"block\", \"denied\": True, \"rule\": \"no-push\", \"line\": 5, \"because\": \"pushing secrets is for humans\"}, x
assert any(\"not in PATH\" in n for n in d[\"notes\"])" "$T/out"'
t "--json of an allowed event: decision allow, rule null" \
	'ex exec ls --json; [ $? = 0 ] &&
	 python3 -c "import json,sys; d=json.load(open(sys.argv[1])); x=d[\"decision\"]
assert x[\"effect\"] == \"allow\" and x[\"rule\"] is None and x[\"because\"] is None and not x[\"denied\"]
assert d[\"clauses\"] == []" "$T/out"'
t "a hostile path is printed escaped, never raw" \
	'cd "$T/ws"; ex write "$(printf "src/x\n\033]0;pwned\007.c")"; [ $? = 0 ] &&
	 ! grep -q "$(printf "\033")" "$T/out" && ! grep -q "$(printf "\007")" "$T/out" &&
	 grep -q "^event:   write \"$T/ws/src/x\\\\n\\\\x1b\]0;pwned\\\\x07.c\"$" "$T/out" &&
	 [ "$(grep -c "pwned" "$T/out")" = 2 ]'
t "hostile program names and --after text are printed escaped" \
	'ex exec "$(printf "git\033[2J")" push --after "$(printf "py\ntest")"; [ $? = 0 ] &&
	 ! grep -q "$(printf "\033")" "$T/out" && grep -q "^after:   \"py\\\\ntest\"$" "$T/out" &&
	 grep -q "git\\\\x1b\[2J" "$T/out"'
t "JSON carries hostile text as JSON strings" \
	'ex write "$(printf "src/x\n\033.c")" --json; [ $? = 0 ] &&
	 python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
assert d[\"event\"][\"written\"] == \"src/x\\n\\x1b.c\", d[\"event\"]" "$T/out"'
