#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Issue #15, "policies mean what they say": `open` is every open, for reading
# or writing, as in the research engine's language (its mediation example
# must stop `cat prod.db`); `read` stays an open for reading, `write` stays
# modifying.  And the `since` events the compiler keeps (open, unlink) do make
# a gate stale in the kernel.  Each case runs under a shell, Python and a C
# program (agent_op).
. "$(dirname "$0")/lib.sh"

W=/tmp/apo POLICY=/tmp/apo/actplane.yaml
OP=$VMT/agent_op

setup() {
	"$AP" up >/dev/null
	workspace $W
	mkdir -p $W/src
	for t in fakegit runtests; do
		printf '#!/bin/sh\necho "$0 $*" >> %s/ran.log\n' $W > $W/bin/$t
		chmod +x $W/bin/$t
	done
	echo "row 1" > $W/prod.db
	export PATH=$W/bin:$PATH
}

# write_as HOW FILE: prints ok or EPERM (read_as: lib.sh)
write_as() {
	case $1 in
	sh) sh -c 'echo x 2>/dev/null >> "$1" && echo ok || echo EPERM' sh "$2" ;;
	py) python3 -c '
import sys
try:
    open(sys.argv[1], "a").write("x"); print("ok")
except PermissionError: print("EPERM")' "$2" ;;
	c) "$OP" write "$2" ;;
	esac
}

# each WANT FUNC FILE: FUNC under sh, python and C must give WANT
each() {
	local want=$1 fn=$2 how got
	for how in sh py c; do
		got=$($fn $how "$3") || true
		unlabel_self
		[ "$got" = "$want" ] || fail "$fn $how $3 -> '$got', want '$want'"
	done
}

t_open_is_any_open() {
	load 'rule mediate-proddb:
  block open file "**/prod.db" unless lineage-includes exec "**/migrate"
  because "prod.db is reachable only through the migration tool"'
	each EPERM read_as $W/prod.db
	each EPERM write_as $W/prod.db
	# a program started by a `migrate` executable may open it both ways
	cat > $W/bin/migrate <<EOF
#!/bin/sh
echo "sh:\$(cat $W/prod.db >/dev/null 2>&1 && echo ok || echo EPERM)"
python3 -c 'import sys; open(sys.argv[1]).read(); print("py:ok")' $W/prod.db 2>/dev/null || echo py:EPERM
echo "c:\$($OP read $W/prod.db)"
echo "cw:\$($OP write $W/prod.db)"
EOF
	chmod +x $W/bin/migrate
	got=$(migrate | tr '\n' ' ')
	unlabel_self
	expect_eq "opens under migrate" "$got" "sh:ok py:ok c:ok cw:ok "
}

t_read_and_write_keep_their_direction() {
	echo a > $W/ro.txt
	echo b > $W/wo.txt
	load 'rule ro:
  block read file "/tmp/apo/ro.txt"
  block write file "/tmp/apo/wo.txt"
  because "direction"'
	each EPERM read_as $W/ro.txt
	each ok write_as $W/ro.txt
	each EPERM write_as $W/wo.txt
	each ok read_as $W/wo.txt
}

# `since open` / `since unlink`: accepted by `check`, enforced by the module
t_since_open_and_unlink() {
	load 'rule tested:
  block exec "fakegit" "commit" unless after exec "runtests" since open "/tmp/apo/src/**" or unlink "/tmp/apo/gen/**"
  because "re-run the tests after touching src/ or removing generated files"'
	mkdir -p $W/gen
	echo v1 > $W/src/a.c
	touch $W/gen/g1 $W/gen/g2
	out=$(sh -c "
		$AP session create --pid \$\$ >/dev/null
		runtests
		fakegit commit -m one >/dev/null 2>&1 && echo ok1 || echo blocked1
		cat $W/src/a.c > /dev/null
		fakegit commit -m two >/dev/null 2>&1 && echo ok2 || echo blocked2
		runtests
		fakegit commit -m three >/dev/null 2>&1 && echo ok3 || echo blocked3
		rm -f $W/gen/g1
		fakegit commit -m four >/dev/null 2>&1 && echo ok4 || echo blocked4
	")
	expect_eq "test, commit / read src, commit / test, commit / unlink, commit" \
		"$(echo $out)" "ok1 blocked2 ok3 blocked4"
}

setup
run_test "open rule stops reads of prod.db by sh, python and C; migrate may" t_open_is_any_open
run_test "read rules stop only reads, write rules only writes" t_read_and_write_keep_their_direction
run_test "since open / since unlink make the gate stale" t_since_open_and_unlink
"$AP" unload >/dev/null
"$AP" down >/dev/null
