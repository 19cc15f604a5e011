# SPDX-License-Identifier: GPL-2.0-only
# Fill label storage from a labeled process: read SECRET (labeled), fork
# CHILDREN sleeping children, then create FILES files.  The results go to
# RESULT, a file that already carries the label (a new pipe or file would
# need a new entry, which fail-closed refuses once the table is full).
#   fill.py SECRET DIR CHILDREN FILES RESULT
import errno, json, os, sys, time

secret, d, nchild, nfiles, result = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
open(secret).read()
pids, fork_fail = [], 0
for i in range(nchild):
    try:
        pid = os.fork()
    except OSError as e:
        fork_fail += 1
        continue
    if pid == 0:
        # let go of the caller's pipes, so nobody waits for our output
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        time.sleep(300)
        os._exit(0)
    pids.append(pid)
ok, fail, errs, first_fail = 0, 0, {}, -1
for i in range(nfiles):
    try:
        with open(f"{d}/f{i}", "w") as f:
            f.write("x")
        ok += 1
    except OSError as e:
        fail += 1
        name = errno.errorcode.get(e.errno, str(e.errno))
        errs[name] = errs.get(name, 0) + 1
        if first_fail < 0:
            first_fail = i
try:
    open("/etc/hostname").read()
    read_ok = True
except OSError:
    read_ok = False
with open(result, "w") as f:
    json.dump({"read_ok": read_ok, "pids": pids, "fork_fail": fork_fail, "ok": ok, "fail": fail,
               "errs": errs, "first_fail": first_fail}, f)
    f.write("\n")
