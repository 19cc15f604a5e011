#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Exec trust is applied only when the exec is certain to run: an exec that
# passes bprm_check_security and then fails (here a `#!` chain deeper than
# the kernel allows: ELOOP) declassifies nothing, endorses nothing, grants
# no lineage and arms no gate, and the next exec of the same process does
# not inherit what it left pending, and the threads of the old image never
# run with the new trust.  Controls: the same programs, exec'd
# successfully (also through a `#!` chain), do grant their trust.
. "$(dirname "$0")/lib.sh"

W=/tmp/apx POLICY=/tmp/apx/actplane.yaml

setup() {
	"$AP" up >/dev/null
	mkdir -p $W
	mountpoint -q $W || mount -t tmpfs tmpfs $W
	mkdir -p $W/bin $W/loop $W/out $W/src
	echo "API_KEY=hunter2" > $W/.env
	# UDP connect to 127.0.0.1:9: prints ok or EPERM
	cat > $W/net.py <<'PY'
import errno, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.connect(("127.0.0.1", 9))
    print("ok")
except PermissionError:
    print("EPERM")
PY
	# open argv[1] for writing: prints ok or EPERM
	cat > $W/write.py <<'PY'
import sys
try:
    open(sys.argv[1], "w").write("x\n")
    print("ok")
except PermissionError:
    print("EPERM")
PY
	# read argv[1] (absorbing its labels), then execv argv[2:]; on failure
	# print the errno name and, with THEN set, execv the command in THEN
	cat > $W/tryexec.py <<'PY'
import errno, os, sys
if sys.argv[1] != "-":
    open(sys.argv[1]).read()
try:
    os.execv(sys.argv[2], sys.argv[2:])
except OSError as e:
    print(errno.errorcode[e.errno], flush=True)
then = os.environ.get("THEN")
if then:
    argv = then.split()
    os.execv(argv[0], argv)
PY
	# a `#!` chain deeper than the kernel follows: loop/l1 -> l2 -> ... -> l9 -> sh
	printf '#!/bin/sh\nexit 0\n' > $W/loop/l9
	for i in 8 7 6 5 4 3 2 1; do
		printf '#!%s/loop/l%d\nexit 0\n' $W $((i + 1)) > $W/loop/l$i
	done
	chmod +x $W/loop/l*
	# the trusted programs, each in a failing and a working version: the
	# failing one's interpreter is the deep chain, the working one runs a
	# one-level chain (shwrap is itself a script) ending in python
	printf '#!/bin/sh\nexec python3 "$APX_CMD"\n' > $W/bin/shwrap
	chmod +x $W/bin/shwrap
	for t in redact trusted tests; do
		mkdir -p $W/bad $W/good
		printf '#!%s/loop/l1\nexit 0\n' $W > $W/bad/$t
		printf '#!%s/bin/shwrap\n' $W > $W/good/$t
		chmod +x $W/bad/$t $W/good/$t
	done
	printf '#!/bin/sh\necho "$0 $*" >> %s/ran.log\n' $W > $W/bin/fakegit
	chmod +x $W/bin/fakegit
}

# the trusted program itself, exec'd with the deep chain, fails with ELOOP
t_chain_fails() {
	got=$(python3 $W/tryexec.py - $W/bad/redact) || true
	expect_eq "deep #! chain" "$got" ELOOP
	got=$(APX_CMD=$W/net.py python3 $W/tryexec.py - $W/good/redact) || true
	expect_eq "working chain" "$got" ok
}

t_declassify() {
	load 'source SECRET = file "**/.env"
declassify SECRET by exec "**/redact"
rule no-exfil:
  block connect "*" if SECRET
  because "secrets must not reach the network"'
	# a labeled process whose exec of the declassifier fails stays labeled
	got=$(THEN="/usr/bin/python3 $W/net.py" python3 $W/tryexec.py $W/.env $W/bad/redact | tr '\n' ' ') || true
	unlabel_self
	expect_eq "failed exec of redact, then connect" "$got" "ELOOP EPERM "
	# ... and the same process's next exec (not the declassifier) is not declassified either
	got=$(python3 - $W/.env $W/bad/redact <<'PY'
import errno, os, sys, subprocess
open(sys.argv[1]).read()
for _ in range(3):
    try:
        os.execv(sys.argv[2], [sys.argv[2]])
    except OSError as e:
        assert e.errno == errno.ELOOP, e
os.execv("/usr/bin/python3", ["python3", "/tmp/apx/net.py"])
PY
) || true
	unlabel_self
	expect_eq "three failed execs of redact, then exec python: connect" "$got" EPERM
	# control: the declassifier that runs does declassify (through a #! chain)
	got=$(APX_CMD=$W/net.py python3 $W/tryexec.py $W/.env $W/good/redact) || true
	unlabel_self
	expect_eq "successful exec of redact: connect" "$got" ok
	# and the labels say so: the failed one keeps SECRET
	python3 - $W/.env $W/bad/redact "$AP" <<'PY' || fail "labels after a failed exec"
import os, subprocess, sys
open(sys.argv[1]).read()
try:
    os.execv(sys.argv[2], [sys.argv[2]])
except OSError:
    pass
out = subprocess.run([sys.argv[3], "labels", "--pid", str(os.getpid())],
                     capture_output=True, text=True).stdout
assert "SECRET" in out, out
PY
	unlabel_self
	kernel_clean
}

# the threads of the image that execs the declassifier keep sending until
# de_thread: trust committed before that would let their sends through
t_siblings() {
	load 'source SECRET = file "**/.env"
declassify SECRET by exec "**/redact"
rule no-exfil:
  block connect "*" if SECRET
  because "secrets must not reach the network"'
	local i got hits=$W/sibling-hits
	: > $hits
	for i in 1 2 3 4 5; do
		got=$(APX_CMD=$W/net.py "$VMT/exec_siblings" $W/.env $hits 4 $W/good/redact |
			tr '\n' ' ') || true
		unlabel_self
		case "$got" in
		"refused "*" ok ") ;;
		*) fail "round $i: expected the siblings refused and redact declassified, got '$got'" ;;
		esac
	done
	expect_eq "sibling connects that got through during the exec" "$(stat -c %s $hits)" 0
	kernel_clean
}

t_lineage() {
	load 'rule out-via-trusted:
  block write "/tmp/apx/out/**" unless lineage-includes exec "**/trusted"
  because "out/ is written only under the trusted tool"'
	got=$(THEN="/usr/bin/python3 $W/write.py $W/out/a" python3 $W/tryexec.py - $W/bad/trusted | tr '\n' ' ') || true
	expect_eq "failed exec of trusted, then write" "$got" "ELOOP EPERM "
	[ ! -e $W/out/a ] || fail "the write created the file"
	# control: under the trusted tool (through a #! chain) the write goes through
	printf 'import subprocess\nsubprocess.run(["python3", "%s/write.py", "%s/out/b"])\n' $W $W > $W/w.py
	got=$(APX_CMD=$W/w.py python3 $W/tryexec.py - $W/good/trusted) || true
	expect_eq "successful exec of trusted, then write" "$got" ok
	kernel_clean
}

t_gate() {
	load 'rule tested:
  block exec "**/fakegit" "commit" unless after exec "**/tests" since write "/tmp/apx/src/**"
  because "run the tests first"'
	printf 'print("ran")\n' > $W/t.py
	: > $W/ran.log
	out=$(sh -c "
		$AP session create --pid \$\$ >/dev/null
		python3 $W/tryexec.py - $W/bad/tests
		$W/bin/fakegit commit -m one 2>/dev/null && echo ok1 || echo blocked1
		APX_CMD=$W/t.py python3 $W/tryexec.py - $W/good/tests
		$W/bin/fakegit commit -m two 2>/dev/null && echo ok2 || echo blocked2
	")
	expect_eq "failed tests exec, commit / tests run, commit" "$(echo $out)" "ELOOP blocked1 ran ok2"
	expect_eq "commits that ran" "$(grep -c commit $W/ran.log)" 1
	kernel_clean
}

# load_endorse GLOB: what $W/download/ holds is UNTRUSTED, an exec of GLOB
# endorses it REVIEWED, and writes under $W/out/ need REVIEWED; one
# download, $W/download/f.
load_endorse() {
	load "source UNTRUSTED = file \"**/download/**\"
endorse REVIEWED by exec \"$1\"
rule deploy:
  block write \"/tmp/apx/out/**\" if UNTRUSTED and not REVIEWED
  because \"review first\""
	mkdir -p $W/download
	echo x > $W/download/f
}

t_endorse() {
	load_endorse "**/redact"
	got=$(THEN="/usr/bin/python3 $W/write.py $W/out/e" python3 $W/tryexec.py $W/download/f $W/bad/redact | tr '\n' ' ') || true
	unlabel_self
	expect_eq "failed exec of the endorser, then write" "$got" "ELOOP EPERM "
	printf 'import subprocess\nsubprocess.run(["python3", "%s/write.py", "%s/out/f"])\n' $W $W > $W/w2.py
	got=$(APX_CMD=$W/w2.py python3 $W/tryexec.py $W/download/f $W/good/redact) || true
	unlabel_self
	expect_eq "successful exec of the endorser, then write" "$got" ok
	kernel_clean
}

# Propagate only on change (kmod/task.h): a process's memo says its writes
# to a file move nothing.  An exec of an endorser adds a label; the same
# process, on the same CPU (same memo), then writes to the same file
# through the inherited descriptor: the file must take the endorsed label.  Pinned to
# one CPU so the memo would be found (test_labels.sh t_flow_memo says why).
t_memo_across_exec() {
	load_endorse "**/memo-redact"
	: > $W/memo-out
	"$AP" label add UNTRUSTED $W/memo-out >/dev/null
	printf '#!/bin/sh\nprintf y >&9\n' > $W/memo-redact
	chmod +x $W/memo-redact
	[ "$(nproc)" -lt 2 ] || taskset -pc 1 $BASHPID >/dev/null
	taskset -c 0 python3 - $W/memo-out $W/download/f $W/memo-redact <<'PY'
import os, sys
os.dup2(os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND), 9)
open(sys.argv[2]).read()	# UNTRUSTED: the process now has label state
for _ in range(20):
    os.write(9, b"x")		# the file has UNTRUSTED already: nothing moves
os.execv(sys.argv[3], [sys.argv[3]])
PY
	expect_eq "file written after the endorser's exec" "$("$AP" labels $W/memo-out | sort | tr '\n' ' ')" \
		"REVIEWED UNTRUSTED "
	expect_eq "what was written" "$(cat $W/memo-out)" "xxxxxxxxxxxxxxxxxxxxy"
	kernel_clean
}

setup
run_test "a #! chain deeper than the limit fails with ELOOP; a short one runs" t_chain_fails
run_test "failed exec of a declassifier: still SECRET (also after the next exec); a run declassifies" t_declassify
run_test "sibling threads of the image that execs a declassifier stay refused" t_siblings
run_test "failed exec of a lineage program grants no lineage; a run does" t_lineage
run_test "failed exec of an after-gate program leaves the gate closed; a run opens it" t_gate
run_test "failed exec of an endorser endorses nothing; a run does" t_endorse
run_test "a write memo does not outlive an exec that endorses" t_memo_across_exec
"$AP" unload >/dev/null
"$AP" down >/dev/null
