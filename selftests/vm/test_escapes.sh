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

setup
run_test "escapes: control: UDP sendto 127.0.0.1 is refused" t_udp_control
run_test "escapes: UDP sendto with sin_family AF_UNSPEC is refused" t_udp_unspec
run_test "escapes: UDP sendto 0.0.0.0 (reaches loopback) is refused" t_udp_any
run_test "escapes: control: TCP connect 127.0.0.1 is refused" t_tcp_control
run_test "escapes: TCP connect 0.0.0.0 (reaches loopback) is refused" t_tcp_any4
run_test "escapes: TCP connect :: (reaches ::1) is refused" t_tcp_any6
run_test "escapes: TCP connect ::ffff:0.0.0.0 (reaches loopback) is refused" t_tcp_any_mapped
run_test "escapes: a labeled eventfd writer does not label other eventfd users" t_eventfd_no_spread
"$AP" unload >/dev/null 2>&1
"$AP" down >/dev/null 2>&1
umount $T 2>/dev/null
