#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host tests of the boot service's pieces: `actplane service check` on the
# shipped configuration and base policy and on broken ones (file:line:col,
# a hint, nothing started), `service start|stop` refusing without root, the
# unit file verified by systemd-analyze, `make install-service DESTDIR=`.
. "$(dirname "$0")/lib.sh" service

TOP=$(cd "$(dirname "$0")/../.." && pwd)

conf() {	# conf TEXT: $T/c.conf with TEXT, base policy the shipped one
	printf '%s\n' "$1" > "$T/c.conf"
}

t "the shipped configuration and base policy check" \
	'sed "s|/etc/actplane/base.yaml|$TOP/dist/base.yaml|" "$TOP/dist/actplane.conf" > "$T/ship.conf" &&
	 out=$("$AP" service check --config "$T/ship.conf") &&
	 echo "$out" | grep -q "base policy: \"$TOP/dist/base.yaml\" (2 rules)" &&
	 echo "$out" | grep -q "attach: auto, enforcer: enforce"'
t "a group this system lacks: nobody, and how to add it" \
	'conf "session_group = no-such-group-here
base_policy = $T/none.yaml" &&
	 out=$("$AP" service check --config "$T/c.conf") &&
	 echo "$out" | grep -q "nobody (no group .no-such-group-here. on this system: groupadd --system" &&
	 echo "$out" | grep -q "absent: no rules until"'
t "all users, a quota, a group by number" \
	'conf "session_group = all
session_quota = 3
base_policy = $T/none.yaml" && "$AP" service check --config "$T/c.conf" | grep -q "every user, 3 per user" &&
	 conf "session_group = 4242
base_policy = $T/none.yaml" && "$AP" service check --config "$T/c.conf" | grep -q "group 4242, 8 per user" &&
	 conf "session_rules = 100
base_policy = $T/none.yaml" && "$AP" service check --config "$T/c.conf" | grep -q "session policies 100 rules together" &&
	 conf "session_memory = 16M
base_policy = $T/none.yaml" && "$AP" service check --config "$T/c.conf" | grep -q "their label memory 16777216 bytes" &&
	 conf "session_memory = 1T
base_policy = $T/none.yaml" && "$AP" service check --config "$T/c.conf" | grep -q "their label memory 1099511627776 bytes"'
# bad FILE_TEXT NEEDLE: check fails (exit 1) with NEEDLE on stderr and a file:line:col
bad() {
	local rc=0 err
	conf "$1"
	err=$("$AP" service check --config "$T/c.conf" 2>&1 >/dev/null) || rc=$?
	[ $rc = 1 ] || { echo "exit $rc"; return 1; }
	case "$err" in *"$2"*) ;; *) echo "lacks '$2': $err"; return 1 ;; esac
}
t "unknown key: file:line:col and the keys" \
	'bad "# a comment

sesion_group = all" "c.conf:3:1: error: unknown key '"'"'sesion_group'"'"'" &&
	 bad "sesion_group = all" "hint: session_group, session_quota, session_rules, session_memory, base_policy, attach, enforcer"'
t "no '=', no value, twice, bad quota or memory, relative path, bad attach" \
	'bad "session_group all" "c.conf:1:1: error: no" &&
	 bad "session_group =" "has no value" &&
	 bad "attach = lsm
attach = auto" "c.conf:2:1: error: '"'"'attach'"'"' is set twice" &&
	 bad "session_quota = 0" "c.conf:1:17: error: bad session_quota" &&
	 bad "session_rules = 1048577" "c.conf:1:17: error: bad session_rules" &&
	 bad "session_quota = 2000" "a number from 1 to 1024" &&
	 bad "session_memory = 1K" "c.conf:1:18: error: bad session_memory" &&
	 bad "session_memory = lots" "a size from 4K to 1T" &&
	 bad "session_memory = 2T" "c.conf:1:18: error: bad session_memory" &&
	 bad "base_policy = base.yaml" "is not absolute" &&
	 bad "attach = bpf" "lsm, fmod_ret or auto" &&
	 bad "session_group = 4294967295" "not a group id"'
t "a base policy with an error: its file:line:col" \
	'printf "version: 1\npolicy: |\n  rule x:\n    block opne \"a\"\n    because \"b\"\n" > "$T/bad.yaml" &&
	 bad "base_policy = $T/bad.yaml" "bad.yaml:4:"'
t "a missing --config file is an error" \
	'"$AP" service check --config "$T/nope.conf" >/dev/null 2>&1; [ $? = 1 ]'
t "usage: a subcommand is required, unknown ones refused (exit 2)" \
	'"$AP" service >/dev/null 2>&1; [ $? = 2 ] && "$AP" service restart >/dev/null 2>&1; [ $? = 2 ]'
if [ "$(id -u)" != 0 ]; then
	t "start and stop need root" \
		'out=$("$AP" service start 2>&1); [ $? = 1 ] && echo "$out" | grep -q "needs root"'
fi
if command -v systemd-analyze >/dev/null; then
	t "the unit verifies (systemd-analyze verify)" \
		'sed "s|@BINDIR@|$(dirname "$AP")|" "$TOP/dist/actplane.service.in" > "$T/actplane.service" &&
		 out=$(systemd-analyze verify "$T/actplane.service" 2>&1) && [ -z "$out" ] || { echo "$out"; false; }'
else
	ktap_skip "service: the unit verifies" "no systemd-analyze"
fi
t "make install-service DESTDIR= installs the unit and keeps an edited configuration" \
	'd=$T/root && make -s -C "$TOP" install-service DESTDIR="$d" PREFIX=/usr >/dev/null &&
	 grep -q "^ExecStart=/usr/bin/actplane service start$" "$d/lib/systemd/system/actplane.service" &&
	 cmp -s "$d/etc/actplane/base.yaml" "$TOP/dist/base.yaml" &&
	 echo "session_group = all" > "$d/etc/actplane/actplane.conf" &&
	 make -s -C "$TOP" install-service DESTDIR="$d" PREFIX=/usr >/dev/null &&
	 [ "$(cat "$d/etc/actplane/actplane.conf")" = "session_group = all" ]'
