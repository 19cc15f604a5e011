# SPDX-License-Identifier: GPL-2.0-only
# Helpers for in-VM shell selftests.  Source this file, define functions
# t_*, call run_test NAME FUNC for each.  The suite prints KTAP
# (selftests/ktap.sh): "KTAP version 1" now, one result per run_test,
# "ok N NAME" or the test's output as "# " lines then "not ok N NAME # why"
# (ktap_skip NAME WHY for a test that cannot run here), and at exit the plan
# "1..N" and "# Totals" line; the suite's exit status is left as it was.
. "$(dirname "${BASH_SOURCE[0]}")/../ktap.sh"
trap '_ktap_rc=$?; ktap_finish; exit $_ktap_rc' EXIT

AP=${AP:-actplane}
VMT=${ACTPLANE_TOP:-.}/build/vm-tests
UNPRIV=(setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all --bounding-set=-all)

# How an exec refused for its arguments ends: EPERM in the LSM mode; in the
# fmod_ret mode (this VM booted without bpf among its LSMs) the process is
# killed at the exec's commit, before the program runs (docs/SECURITY.md §4.6).
if grep -qE '(^|,)bpf(,|$)' /sys/kernel/security/lsm 2>/dev/null; then
	ARGV_REFUSED=EPERM
else
	ARGV_REFUSED=KILLED
fi

_fail_msg=""
fail() { echo "FAIL: $*" >&2; return 1; }

# run_test NAME FUNC: run FUNC in a subshell with errexit; report one result.
run_test() {
	local name=$1 fn=$2 out rc
	out=$( (set -e; "$fn") 2>&1 )
	rc=$?
	# the output may come from labeled processes: do not carry that into the next test
	"$AP" label clear --pid $BASHPID >/dev/null 2>&1 || true
	if [ $rc = 0 ]; then
		ktap_ok "$name"
	else
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 30
		ktap_not_ok "$name" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# json_get JSON_TEXT PY_EXPR: evaluate a Python expression on parsed JSON `j`.
json_get() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# write_policy FILE TEXT: a policy file in the legacy form, TEXT indented under `policy: |`
write_policy() {
	printf 'version: 1\npolicy: |\n%s\n' "$(printf '%s\n' "$2" | sed 's/^/  /')" > "$1"
}

# workspace DIR: a fresh tmpfs at DIR with bin/fakegit, which logs each run
# ("$0 $*") to DIR/ran.log
workspace() {
	mkdir -p "$1"
	mountpoint -q "$1" || mount -t tmpfs tmpfs "$1"
	mkdir -p "$1/bin"
	printf '#!/bin/sh\necho "$0 $*" >> %s/ran.log\n' "$1" > "$1/bin/fakegit"
	chmod +x "$1/bin/fakegit"
	: > "$1/ran.log"
}

# up_quiesced: `actplane up` with every CPU but the first offline.  Attaching
# the LSM programs text-pokes the hooked functions; under QEMU's
# multi-threaded TCG another vCPU can go on running a stale int3 and the guest
# dies (docs/architecture.md, "Tests").  Suites in a multi-threaded VM use this.
up_quiesced() {
	local c rc off=()
	for c in /sys/devices/system/cpu/cpu[1-9]*/online; do
		[ -f "$c" ] && [ "$(cat "$c")" = 1 ] || continue
		echo 0 > "$c" && off+=("$c")
	done
	"$AP" up >/dev/null
	rc=$?
	for c in "${off[@]}"; do echo 1 > "$c"; done
	return $rc
}

# load POLICY_TEXT: write it to $POLICY (set by the suite) and load it
load() {
	write_policy "$POLICY" "$1"
	"$AP" load "$POLICY" >/dev/null
}

# unlabel_self: reading labeled output labels the reader; drop that
unlabel_self() { "$AP" label clear --pid $BASHPID >/dev/null 2>&1 || true; }

# kernel_clean: fail if the kernel log so far has a warning, BUG or oops
BAD='WARNING:|BUG:|Oops|general protection|refcount_t|kernel BUG|UBSAN|Call Trace|RCU stall|hung_task|corruption|double free|use-after-free'
kernel_clean() { ! dmesg | grep -E "$BAD" | head -n 3 | grep . >&2 || fail "kernel log: see above"; }

status_json() { "$AP" status --json; }
hook_hits() { json_get "$(status_json)" "[h['hits'] for h in j['hooks'] if h['name']=='$1'][0]"; }
counter() { json_get "$(status_json)" "j['counters']['$1']"; }
enforcer_field() { json_get "$(status_json)" "j['enforcer']['$1']"; }

# exec_as HOW PROG ARGS: run PROG from a shell (sh), Python (py) or a C
# program (c: agent_op); prints ok, EPERM, or KILLED (SIGKILL ended it at the
# exec: how the fmod_ret mode refuses arguments, $ARGV_REFUSED)
exec_as() {
	local how=$1; shift
	case $how in
	sh) sh -c '"$@" >/dev/null 2>&1 && echo ok || case $? in 126) echo EPERM ;; 137) echo KILLED ;; *) echo failed ;; esac' sh "$@" ;;
	py) python3 -c '
import subprocess, sys
try:
    r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
    print("KILLED" if r.returncode == -9 else "ok")
except PermissionError: print("EPERM")' "$@" ;;
	c) "$VMT/agent_op" exec "$@" ;;
	esac
}

# for_all WANT OP ARGS: the suite's `run_as HOW OP ARGS` must print WANT
# under sh, py and c.  Reading a labeled process's output labels the reader:
# the test shell drops what it picked up, so one case cannot taint the next.
for_all() {
	local want=$1 how got; shift
	for how in sh py c; do
		got=$(run_as $how "$@") || true
		unlabel_self
		[ "$got" = "$want" ] || fail "$how: $* -> '$got', want '$want'"
	done
}

# read_as HOW FILE: read FILE from sh, Python or C; prints ok or EPERM
read_as() {
	case $1 in
	sh) sh -c 'cat "$1" >/dev/null 2>&1 && echo ok || echo EPERM' sh "$2" ;;
	py) python3 -c '
import sys
try:
    open(sys.argv[1]).read(); print("ok")
except PermissionError: print("EPERM")' "$2" ;;
	c) "$VMT/agent_op" read "$2" ;;
	esac
}

# deep_write DIR mkdir|write: under DIR, a tree deeper than PATH_MAX (24
# components of 201 bytes): build it, or write a file at its bottom; prints
# OK or the errno name
deep_write() {
	python3 - "$1" "$2" <<'PY'
import errno, os, sys
os.makedirs(sys.argv[1], exist_ok=True)
os.chdir(sys.argv[1])
for i in range(24):			# 24 x 201 bytes > PATH_MAX
    d = "d%03d" % i + "x" * 197
    if sys.argv[2] == "mkdir":
        os.makedirs(d, exist_ok=True)
    os.chdir(d)
try:
    if sys.argv[2] == "write":
        with open("f", "w") as f:
            f.write("x")
    print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])
PY
}

# expect_eq WHAT GOT WANT
# wait_until WHAT CMD...: until CMD succeeds, at most 20 s (then a failure naming WHAT)
wait_until() {
	local what=$1 i
	shift
	for i in $(seq 200); do "$@" && return 0; sleep 0.1; done
	fail "timed out waiting for $what"
}

expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
# expect_contains WHAT TEXT NEEDLE
expect_contains() { case "$2" in *"$3"*) ;; *) fail "$1: '$2' lacks '$3'" ;; esac; }

# start_watch COUNT FILE: `actplane watch --json --count COUNT > FILE` in the
# background, bounded to 60 s; returns once it is subscribed.  Sets WATCH_PID.
start_watch() {
	rm -f "$2.err"
	timeout 60 "$AP" watch --json --count "$1" > "$2" 2> "$2.err" &
	WATCH_PID=$!
	for _ in $(seq 100); do
		grep -q watching "$2.err" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "actplane watch did not start: $(cat "$2.err")"
}
