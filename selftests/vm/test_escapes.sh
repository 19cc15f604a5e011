#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Data paths around the hooks (issue #14): a process labeled SECRET tries to
# reach a loopback service that `block connect endpoint ... if SECRET`
# forbids, by a route the kernel accepts but the rule did not see.  Each
# escape sits next to a control showing the plain route is refused.
. "$(dirname "$0")/lib.sh"

T=/tmp/apescapes
POLICY=$T/actplane.yaml
ESC="python3 $ACTPLANE_TOP/selftests/vm/escapes.py"

setup() {
	"$AP" up >/dev/null
	mkdir -p $T
	mountpoint -q $T || mount -t tmpfs tmpfs $T
	echo "API_KEY=hunter2" > $T/secret.env
	load 'source SECRET = file "**/secret.env"
rule no-loopback4:
  block connect endpoint "127.0.0.1" if SECRET
  because "no secrets to local services"
rule no-loopback6:
  block connect endpoint "::1" if SECRET
  because "no secrets to local services"'
}

# refused CASE: the send was denied with EPERM and nothing arrived
refused() {
	local out
	out=$($ESC "$1" $T/secret.env)
	unlabel_self
	expect_eq "$1" "$out" "sent=EPERM received=no"
}

t_udp_control() { refused udp-plain; }
t_udp_unspec() { refused udp-unspec; }
t_udp_any() { refused udp-any4; }
t_tcp_control() { refused tcp-plain; }
t_tcp_any4() { refused tcp-any4; }
t_tcp_any6() { refused tcp-any6; }
t_tcp_any_mapped() { refused tcp-any-mapped; }

# eventfds share one anonymous inode machine-wide: a labeled writer of its
# own eventfd must not label an unrelated process reading another eventfd
t_eventfd_no_spread() {
	python3 -c "import os; open('$T/secret.env').read(); fd = os.eventfd(0); os.eventfd_write(fd, 1)"
	out=$(python3 -c "
import os, subprocess
fd = os.eventfd(0)
os.eventfd_write(fd, 1)
os.eventfd_read(fd)
print(subprocess.run(['$AP', 'labels', '--pid', str(os.getpid())], capture_output=True, text=True).stdout.strip())")
	expect_eq "labels of an unrelated eventfd reader" "$out" ""
}

# deeper than PATH_MAX under a protected directory: d_path cannot name it.
# The agent builds such paths at will; the rule must still hold (or, where
# it cannot be decided, follow the fail mode and be counted).
# deep_write mkdir|write: build the tree, or write a file at its bottom
deep_write() {
	python3 - "$T/prot" "$1" <<'PY'
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

t_deep_path() {
	"$AP" unload >/dev/null
	expect_eq "building the tree" "$(deep_write mkdir)" OK
	load 'rule protected:
  block write "'$T'/prot/**"
  because "protected"'
	"$AP" limits --fail-mode closed >/dev/null
	out=$(deep_write write)
	"$AP" limits --fail-mode open >/dev/null
	expect_eq "fail-closed: write deeper than PATH_MAX" "$out" EPERM
	before=$(counter incomplete_evals)
	out=$(deep_write write)
	after=$(counter incomplete_evals)
	# fail-open: refused if the rule could be decided, else allowed and counted
	[ "$out" = EPERM ] || [ "$after" -gt "$before" ] ||
		fail "fail-open: '$out' without an incomplete evaluation counted"
}

setup
run_test "escapes: control: UDP sendto 127.0.0.1 is refused" t_udp_control
run_test "escapes: UDP sendto with sin_family AF_UNSPEC is refused" t_udp_unspec
run_test "escapes: UDP sendto 0.0.0.0 (reaches loopback) is refused" t_udp_any
run_test "escapes: control: TCP connect 127.0.0.1 is refused" t_tcp_control
run_test "escapes: TCP connect 0.0.0.0 (reaches loopback) is refused" t_tcp_any4
run_test "escapes: TCP connect :: (reaches ::1) is refused" t_tcp_any6
run_test "escapes: TCP connect ::ffff:0.0.0.0 (reaches loopback) is refused" t_tcp_any_mapped
run_test "escapes: a labeled eventfd writer does not label other eventfd users" t_eventfd_no_spread
run_test "escapes: a write deeper than PATH_MAX under a protected directory" t_deep_path
"$AP" unload >/dev/null 2>&1
"$AP" down >/dev/null 2>&1
umount $T 2>/dev/null
