#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host tests of the man page and the bash completion: both generated from the
# tool's command table and its commands' --help (`actplane __gen-man`,
# `actplane __gen-completion`), installed by `make install`.
. "$(dirname "$0")/lib.sh" docs
top=${ACTPLANE_TOP:-.}

# the commands, as `actplane help` lists them from the table
CMDS=$("$AP" help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
# opts CMD: the long options of CMD's help (its synopsis and its option
# lines), and --help, which every command takes
opts() {
	{ "$AP" help "$1" | awk '/^$/ { s = 1 } !s || /^ +-/' |
		grep -o -- '--[a-z][a-z0-9-]*'; echo --help; } | sort -u
}

"$AP" __gen-man >"$T/actplane.8" 2>"$T/man.err"
man_rc=$?
"$AP" __gen-completion >"$T/actplane.bash" 2>"$T/comp.err"
comp_rc=$?

t "the command table has commands" '[ "$(echo "$CMDS" | wc -w)" -ge 20 ]'
t "__gen-man and __gen-completion succeed quietly" \
	'[ $man_rc = 0 ] && [ $comp_rc = 0 ] && [ ! -s "$T/man.err" ] && [ ! -s "$T/comp.err" ]'
t "the hidden generators are not listed as commands" \
	'! "$AP" help | grep -q __gen'

# ---- man page --------------------------------------------------------------------
t "man page: a .TH title, NAME and SYNOPSIS sections" \
	'grep -q "^\.TH ACTPLANE 8 " "$T/actplane.8" && grep -q "^\.SH NAME" "$T/actplane.8" &&
	 grep -q "^\.SH SYNOPSIS" "$T/actplane.8" && grep -q "^\.SH COMMANDS" "$T/actplane.8"'
t "man page: a section for every command of the table" \
	'for c in $CMDS; do grep -qx "\.SS $c" "$T/actplane.8" || { echo "no .SS $c"; exit 1; }; done'
t "man page: every option of every command" \
	'for c in $CMDS; do for o in $(opts $c); do
		grep -q -- "$(echo "$o" | sed "s/-/\\\\\\\\-/g")" "$T/actplane.8" || { echo "$c $o"; exit 1; }
	 done; done'
t "man page: no line starts with a stray control character" \
	'[ -s "$T/actplane.8" ] && ! grep -n "^['"'"'.][^A-Za-z\\\\]" "$T/actplane.8"'
if command -v groff >/dev/null; then
	t "man page: groff -man -ww renders it without a warning" \
		'[ -s "$T/actplane.8" ] && out=$(groff -man -Tutf8 -ww -z "$T/actplane.8" 2>&1) && [ -z "$out" ]'
	t "man page: the rendered page names every command and option" \
		'txt=$(groff -man -Tutf8 -P-c -P-b -P-u "$T/actplane.8" 2>/dev/null) &&
		 for c in $CMDS; do echo "$txt" | grep -q "^   $c\$" || { echo "no $c"; exit 1; }
			for o in $(opts $c); do echo "$txt" | grep -q -- "$o" || { echo "$c $o"; exit 1; }; done
		 done'
else
	ktap_skip "docs: man page rendering" "groff is not installed (structural checks only)"
fi
if command -v man >/dev/null; then
	t "man page: man -l formats it" \
		'MANWIDTH=80 man -l "$T/actplane.8" 2>/dev/null | grep -q "actplane setup"'
fi

# ---- bash completion ---------------------------------------------------------------
# comp WORD...: what completing the last WORD of "actplane WORD..." offers
comp() {
	bash --norc --noprofile -c '. "$1" || exit 1; shift
		COMP_WORDS=(actplane "$@"); COMP_CWORD=$#; COMP_LINE="actplane $*"
		_actplane || exit 1; printf "%s\n" "${COMPREPLY[@]}"' _ "$T/actplane.bash" "$@"
}
t "completion: bash -n accepts the script" '[ -s "$T/actplane.bash" ] && bash -n "$T/actplane.bash"'
t "completion: registered for actplane" \
	'bash --norc -c ". \"$T/actplane.bash\"; complete -p actplane" | grep -q "_actplane actplane"'
t "completion: the first word offers every command" \
	'got=$(comp ""); for c in $CMDS; do echo "$got" | grep -qx -- "$c" || { echo "no $c"; exit 1; }; done'
t "completion: a prefix offers the matching commands only" \
	'[ "$(comp lab | sort | tr "\n" " ")" = "label labels " ]'
for c in $CMDS; do
	[ "$c" = help ] && continue
	t "completion: $c -- offers every option of $c" \
		'got=$(comp '$c' --); want=$(opts '$c'); [ "$(echo "$want" | wc -l)" -ge 1 ] &&
		 for o in $want; do echo "$got" | grep -qx -- "$o" || { echo "no $o in: $got"; exit 1; }; done'
done
t "completion: an option's values (limits --fail-mode)" \
	'[ "$(comp limits --fail-mode "" | sort | tr "\n" " ")" = "closed open " ]'
t "completion: a value list after a short option (limits -f o)" \
	'[ "$(comp limits -f o)" = open ]'
t "completion: an option taking a file offers nothing of its own" \
	'out=$(comp check --policy "") && [ -z "$out" ]'
t "completion: subcommand words (label, session, service)" \
	'[ "$(comp label "" | sort | tr "\n" " ")" = "add clear " ] && [ "$(comp session "" | sort | tr "\n" " ")" = "create end list " ] && [ "$(comp service "" | sort | tr "\n" " ")" = "check start stop " ]'
t "completion: help offers the commands" \
	'[ "$(comp help stat)" = status ]'
t "completion: setup offers --user and --remove" \
	'got=$(comp setup --); echo "$got" | grep -qx -- --user && echo "$got" | grep -qx -- --remove'
t "completion: run -- completes the agent's command" \
	'comp run --policy p.yaml -- bas | grep -qx bash'

# ---- make install ------------------------------------------------------------------
# -o: the tool counts as built (the test must not rebuild anything)
make -s -C "$top" -o "$AP" install-tool DESTDIR="$T/inst" PREFIX=/usr >"$T/install.log" 2>&1
install_rc=$?
t "make install puts the man page in share/man/man8" \
	'[ $install_rc = 0 ] && cmp "$T/inst/usr/share/man/man8/actplane.8" "$T/actplane.8"'
t "make install puts the completion in share/bash-completion/completions" \
	'cmp "$T/inst/usr/share/bash-completion/completions/actplane" "$T/actplane.bash"'
installed=$(ls "$T/inst/usr/share/man/man8/actplane.8" "$T/inst/usr/share/bash-completion/completions/actplane" 2>/dev/null | wc -l)
make -s -C "$top" -o "$AP" uninstall DESTDIR="$T/inst" PREFIX=/usr DKMS=/bin/false >/dev/null 2>&1
t "make uninstall removes them" \
	'[ "$installed" = 2 ] && [ ! -e "$T/inst/usr/share/man/man8/actplane.8" ] && [ ! -e "$T/inst/usr/share/bash-completion/completions/actplane" ]'
