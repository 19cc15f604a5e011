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

# A hostile agent against the remembered ancestor walks (eval.c: the walk
# cache): it opens a file in an unprotected directory until the answer "no
# protected ancestor" is remembered, then moves that directory into the
# protected tree, or removes it and makes one there (whose memory may be the
# old one's), and opens again.  Every open under prot/ must be refused, with
# the cache on and off, and the unprotected opens allowed.  The agent runs
# chrooted into the workspace (a tmpfs): the walk works from the process
# root, and paths are seen from there.
t_prefix_rule_after_renames() {
	load 'rule prot:
  block open file "/prot/**"
  because "prot/ is off limits"'
	local wc out
	for wc in 1 0 1; do
		echo $wc > /sys/module/actplane/parameters/walk_cache
		rm -rf $W/a $W/prot
		mkdir -p $W/a $W/prot
		out=$(python3 - $W $ACTPLANE_TOP/selftests/vm <<'PY'
import ctypes, os, sys, time
sys.path.insert(0, sys.argv[2])
from ws_agent import enter, opens
libc = ctypes.CDLL(None, use_errno=True)
bad = enter(sys.argv[1])
W = ""

def warm(d):
    os.makedirs(d)
    os.mknod(d + "/f")
    for _ in range(3):
        if opens(d + "/f") != "ok":
            bad.append("unprotected " + d)

for i in range(100):
    # moved into the protected tree (same file system: a rename)
    warm("%s/a/d%d" % (W, i))
    os.rename("%s/a/d%d" % (W, i), "%s/prot/d%d" % (W, i))
    if opens("%s/prot/d%d/f" % (W, i)) != "EPERM":
        bad.append("renamed d%d" % i)
    # removed, and a new directory made in the protected tree
    warm("%s/a/e" % W)
    os.unlink("%s/a/e/f" % W)
    os.rmdir("%s/a/e" % W)
    # let the kernel free its dentry and inode (membarrier GLOBAL waits
    # for a grace period), so the new directory may take their memory
    libc.syscall(324, 1, 0, 0)
    time.sleep(0.002)
    os.makedirs("%s/prot/e%d" % (W, i))
    os.mknod("%s/prot/e%d/f" % (W, i))
    if opens("%s/prot/e%d/f" % (W, i)) != "EPERM":
        bad.append("re-created e%d" % i)
print(" ".join(bad[:5]) if bad else "all held")
PY
)
		expect_eq "walk_cache=$wc" "$out" "all held"
	done
	rm -rf $W/a $W/prot
}

# The no-hit cache (eval.c) remembers targets no rule is about.  A hostile
# agent makes a remembered file become one a rule is about (renamed to the
# rule's name, in place or into another directory), has a rule's condition
# come true for a remembered destination, and has a new policy block one:
# every one of them must be refused at once.  Chrooted into the workspace,
# so the files are on the process root's mount (where the cache applies).
t_nohit_cache_holds() {
	local nh out pre
	for nh in 1 0 1; do
		echo $nh > /sys/module/actplane/parameters/nohit_cache
		load 'source TAG = file "**/tag.txt"
rule sec:
  block open file "**/secret.txt"
  because "secret"
rule data:
  block open file "/r/data/**"
  because "data"
rule net:
  block connect endpoint "127.0.0.1:47001"
  block connect endpoint "127.0.0.1:47002" if TAG
  because "closed port"'
		rm -rf $W/a $W/r; mkdir -p $W/a; echo t > $W/tag.txt
		out=$(python3 - $W $ACTPLANE_TOP/selftests/vm <<'PY'
import os, sys
sys.path.insert(0, sys.argv[2])
from ws_agent import enter, opens, connects
bad = enter(sys.argv[1])

def warm(p):
    os.mknod(p)
    for _ in range(3):
        if opens(p) != "ok":
            bad.append("unprotected " + p)

for i in range(50):
    os.makedirs("/a/d%d" % i)
    warm("/a/x%d" % i)			# renamed into another directory
    os.rename("/a/x%d" % i, "/a/d%d/secret.txt" % i)
    if opens("/a/d%d/secret.txt" % i) != "EPERM":
        bad.append("moved x%d" % i)
    warm("/a/d%d/zecret.txt" % i)	# renamed in place, a name of the same length
    os.rename("/a/d%d/zecret.txt" % i, "/a/d%d/secret.txt" % i)
    if opens("/a/d%d/secret.txt" % i) != "EPERM":
        bad.append("renamed in place %d" % i)
# A no-hit is for a path: the same file seen from a root higher up has
# another one.  Remembered with /r/data as the root (the cache is per CPU:
# all on CPU 0), then opened as /r/data/x/f.
os.sched_setaffinity(0, {0})
os.makedirs("/r/data/x")
os.mknod("/r/data/x/f")
top = os.open("/", os.O_RDONLY)
os.chroot("/r/data")
for _ in range(3):
    if opens("/x/f") != "ok":
        bad.append("/x/f under /r/data")
os.fchdir(top)
os.chroot(".")
os.chdir("/")
if opens("/r/data/x/f") != "EPERM":
    bad.append("/r/data/x/f after its no-hit under /r/data")
for _ in range(3):
    if connects(47001) != "EPERM":
        bad.append("47001")
    if connects(47002) != "ok":
        bad.append("47002 before TAG")
os.read(os.open("/tag.txt", os.O_RDONLY), 10)	# the condition comes true
if connects(47002) != "EPERM":
    bad.append("47002 with TAG")
print(" ".join(bad[:5]) if bad else "all held")
PY
)
		unlabel_self	# the output came from a TAG process
		expect_eq "nohit_cache=$nh" "$out" "all held"
		# a destination remembered, then a policy that blocks it
		for pre in 1 2 3; do
			out=$(python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(("127.0.0.1", 47003)); print("ok")' 2>&1)
			expect_eq "47003 before, nohit_cache=$nh" "$out" ok
		done
		load 'rule net:
  block connect endpoint "127.0.0.1:47003"
  because "closed now"'
		out=$(python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(("127.0.0.1", 47003)); print("ok")' 2>&1 | tail -1)
		expect_contains "47003 after the load, nohit_cache=$nh" "$out" "PermissionError"
	done
	rm -rf $W/a $W/r $W/tag.txt
}

# Connects and sends ask each endpoint index's filter before anything else
# (ap_epidx_misses(), policy.h): a filter that missed one key would let the
# agent through to that destination with no rule evaluated.  The agent
# tries every destination of a policy of 300 endpoint rules of every form
# (address and port, address, prefix, the "a.b.c." form, IPv6 prefixes;
# through an IPv4-mapped IPv6 socket too), and the addresses next to them.
t_many_endpoints() {
	local out
	load "$(python3 - <<'PY'
def rule(name, eps):
    print("rule %s:" % name)
    for e in eps:
        print('  block connect endpoint "%s"' % e)
    print('  because "listed"')
rule("ports", ["127.1.%d.%d:%d" % (i // 50, i % 50 + 1, 40000 + i) for i in range(150)])
rule("cidrs", ["10.77.%d.0/24" % i for i in range(60)])
rule("dots", ["172.31.%d." % i for i in range(30)])
rule("v6", ["[fd00:77:%x::]/48" % i for i in range(40)])
rule("hosts", ["127.2.0.%d" % (i + 1) for i in range(20)])
PY
)"
	out=$(python3 - <<'PY'
import socket
bad = []

def try_(fam, dest, send=False):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        if send:
            s.sendto(b"x", dest)
        else:
            s.connect(dest)
        return "ok"
    except PermissionError:
        return "EPERM"
    except OSError:
        return "ok"	# refused by the network, not by a rule
    finally:
        s.close()

def want(w, fam, dest, send=False):
    got = try_(fam, dest, send)
    if got != w:
        bad.append("%s %s%s" % (dest, "sendto " if send else "", got))

V4, V6 = socket.AF_INET, socket.AF_INET6
for i in range(150):
    a, p = "127.1.%d.%d" % (i // 50, i % 50 + 1), 40000 + i
    want("EPERM", V4, (a, p))
    want("EPERM", V4, (a, p), send=True)
    want("EPERM", V6, ("::ffff:" + a, p))
    want("ok", V4, (a, p + 1000))
    want("ok", V4, ("127.1.%d.%d" % (i // 50, i % 50 + 100), p))
for i in range(60):
    want("EPERM", V4, ("10.77.%d.%d" % (i, i * 4 + 1), 9))
    want("ok", V4, ("10.77.%d.1" % (i + 100), 9))
for i in range(30):
    want("EPERM", V4, ("172.31.%d.%d" % (i, 255 - i), 53))
    want("ok", V4, ("172.31.%d.1" % (i + 100), 53))
for i in range(40):
    want("EPERM", V6, ("fd00:77:%x::%x" % (i, i + 5), 9))
    want("EPERM", V6, ("fd00:77:%x:ffff::1" % i, 9), send=True)
    want("ok", V6, ("fd00:78:%x::5" % i, 9))
for i in range(20):
    want("EPERM", V4, ("127.2.0.%d" % (i + 1), 1 + i * 97))
    want("ok", V4, ("127.2.0.%d" % (i + 100), 1 + i * 97))
print(" ".join(bad[:5]) if bad else "all held")
PY
)
	expect_eq "destinations of 300 endpoint rules" "$out" "all held"
	"$AP" unload >/dev/null
}

setup
run_test "open rule stops reads of prod.db by sh, python and C; migrate may" t_open_is_any_open
run_test "read rules stop only reads, write rules only writes" t_read_and_write_keep_their_direction
run_test "since open / since unlink make the gate stale" t_since_open_and_unlink
run_test "a prefix rule holds for directories moved or re-made under it (walk cache on and off)" t_prefix_rule_after_renames
run_test "remembered no-hit targets: renamed files, a condition come true, a new policy (cache on and off)" t_nohit_cache_holds
run_test "every destination of 300 endpoint rules is refused, the addresses next to them are not" t_many_endpoints
"$AP" unload >/dev/null
"$AP" down >/dev/null
