#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Build the benchmark root: a small directory tree holding every file the
benchmarks execute or read (apbench, /bin/true, sh, make, the gcc toolchain,
git, coreutils, their shared libraries, the headers and link inputs of the
generated project) plus the macro workloads' source trees.

Why: in the virtme-ng guest the host filesystem is 9p without caching, so
every exec or open of a host file waits for the host; with -icount
sleep=off each wait makes guest time jump to the next timer deadline, which
turns instruction counts into noise (fork+exec of /bin/true from 9p: 0.6-0.9
"seconds" per exec, varying).  The guest copies this tree into a tmpfs and
runs the benchmarks chrooted there: no 9p access while measuring.

  mkroot.py OUT_DIR APBENCH_BINARY BENCH_SRC_DIR [--modules N] [--tree-modules N] [--tool ACTPLANE]
            [--rules DIR] [--check]

The closure is computed, not listed by hand: `ldd` for shared libraries,
`gcc -###` for the compiler's programs and link inputs, `gcc -M` for the
headers, `ld -t` for the libraries the linker opens.  Symlinks on the way
to each file are recreated as symlinks (merged /usr: /bin -> usr/bin).
`--check` builds the project and runs the replay chrooted on the host.
"""
import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

PROGRAMS = ["/bin/true", "/bin/sh", "true", "sh", "dash", "make", "gcc", "as", "ld", "git", "cat", "grep", "sed",
            "ls", "head", "tail", "wc", "find", "mkdir", "cp", "mv", "rm", "sort", "touch",
            "printf", "env", "test"]
ETC = ["/etc/ld.so.cache", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"]


class Root:
    def __init__(self, out):
        self.out = out
        self.done = set()

    def _dst(self, path):
        return os.path.join(self.out, path.lstrip("/"))

    def add(self, path):
        """Copy absolute @path into the root, recreating symlinks on the way."""
        path = os.path.normpath(path)
        if path in self.done:
            return
        self.done.add(path)
        parts = [p for p in path.split("/") if p]
        cur = "/"
        for i, comp in enumerate(parts):
            nxt = os.path.join(cur, comp)
            if os.path.islink(nxt):
                target = os.readlink(nxt)
                dst = self._dst(nxt)
                if not os.path.lexists(dst):
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    os.symlink(target, dst)
                resolved = os.path.normpath(os.path.join(cur, target))
                self.add(os.path.join(resolved, *parts[i + 1:]) if parts[i + 1:] else resolved)
                return
            if i == len(parts) - 1:
                dst = self._dst(nxt)
                if os.path.isdir(nxt):
                    os.makedirs(dst, exist_ok=True)
                elif os.path.exists(nxt) and not os.path.exists(dst):
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copy2(nxt, dst)
                    self.elf(nxt)
                return
            cur = nxt

    def elf(self, path):
        """Add the shared libraries and interpreter of @path if it is dynamic ELF."""
        with open(path, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return
        r = subprocess.run(["ldd", path], capture_output=True, text=True)
        if r.returncode:
            return  # static, or not an executable we can inspect
        for line in r.stdout.splitlines():
            m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
            if m:
                self.add(m.group(1))


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def gcc_closure(root, proj):
    """Everything gcc opens to compile and link @proj's sources."""
    mods = sorted(f for f in os.listdir(os.path.join(proj, "src")) if f.startswith("mod_"))
    sample = [os.path.join(proj, "src", mods[0]), os.path.join(proj, "src", "main.c")]
    for s in sample:
        deps = run(["gcc", "-O2", "-M", s]).stdout.replace("\\\n", " ").split()
        for d in deps:
            if d.startswith("/"):
                root.add(d)
    with tempfile.TemporaryDirectory() as tmp:
        objs = []
        for s in sample:
            o = os.path.join(tmp, os.path.basename(s) + ".o")
            err = run(["gcc", "-###", "-O2", "-c", s, "-o", o]).stderr
            for tok in re.findall(r'"?(/[^\s"]+)', err):
                if os.path.isfile(tok) and not tok.startswith((proj, tmp)):
                    root.add(tok)
            run(["gcc", "-O2", "-c", s, "-o", o])
            objs.append(o)
        app = os.path.join(tmp, "app")
        err = run(["gcc", "-###", "-o", app] + objs).stderr
        for tok in re.findall(r'"?(/[^\s"]+)', err):
            if os.path.isfile(tok) and not tok.startswith(tmp):
                root.add(tok)
        # (one module only: leave the other modules' symbols unresolved)
        out = run(["gcc", "-Wl,-t", "-Wl,--unresolved-symbols=ignore-all", "-o", app] + objs).stdout
        for line in out.splitlines():
            line = line.strip()
            if line.startswith("/") and not line.startswith(tmp) and os.path.isfile(line):
                root.add(line)


def check(out):
    """Build the project and run two replay rounds chrooted in @out."""
    script = ("set -e; rm -rf /tmp/chk-p /tmp/chk-t; cp -a /work/proj /tmp/chk-p; "
              "cd /tmp/chk-p; make -s -j1 >/dev/null; ./app >/dev/null; "
              "cp -a /work/tree /tmp/chk-t; /apbench-prep-tree /tmp/chk-t; "
              "/bin/sh /replay.sh /tmp/chk-t 2; /apbench run --scale 0.01 --dir /tmp/chk-w >/dev/null; "
              "rm -rf /tmp/chk-p /tmp/chk-t /tmp/chk-w")
    r = subprocess.run([shutil.which("chroot") or "/usr/sbin/chroot", out, "/bin/sh", "-c", script], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    if r.returncode:
        sys.stderr.write("mkroot: the benchmark root does not work:\n" + r.stdout + r.stderr)
        return 1
    return 0


PREP_TREE = """#!/bin/sh
# Make TREE a git repository with one commit (untimed setup of the replay).
set -e
cd "$1"
export HOME=/tmp GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=agent GIT_COMMITTER_NAME=agent \\
	GIT_AUTHOR_EMAIL=agent@example.invalid GIT_COMMITTER_EMAIL=agent@example.invalid
git init -q --template= -b main .
git add -A
git -c gc.auto=0 commit -q -m init
git status --porcelain > /dev/null
"""


def main():
    ap = argparse.ArgumentParser(description="build the benchmark root")
    ap.add_argument("out")
    ap.add_argument("apbench")
    ap.add_argument("srcdir", help="selftests/bench")
    ap.add_argument("--modules", type=int, default=150, help="modules of the C project (the build)")
    ap.add_argument("--tree-modules", type=int,
                    help="modules of the replay's working tree (default: --modules)")
    ap.add_argument("--tool", help="the actplane tool, copied to /actplane")
    ap.add_argument("--rules", help="directory of generated policies, copied to /rules")
    ap.add_argument("--check", action="store_true", help="try the workloads chrooted")
    a = ap.parse_args()
    out = a.out
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    root = Root(out)
    for p in PROGRAMS:
        w = p if p.startswith("/") else shutil.which(p, path="/usr/bin:/bin")
        if w:
            root.add(w)
    for e in ETC:
        if os.path.exists(e):
            root.add(e)
    gen = [sys.executable, os.path.join(a.srcdir, "genproj.py")]
    run(gen + ["build", os.path.join(out, "work/proj"), str(a.modules)])
    run(gen + ["tree", os.path.join(out, "work/tree"), str(a.tree_modules or a.modules)])
    gcc_closure(root, os.path.join(out, "work/proj"))
    for src, dst in ((a.apbench, "apbench"), (a.tool, "actplane")):
        if src:
            shutil.copy2(src, os.path.join(out, dst))
            root.elf(src)
    if a.rules:
        shutil.copytree(a.rules, os.path.join(out, "rules"))
    shutil.copy2(os.path.join(a.srcdir, "replay.sh"), os.path.join(out, "replay.sh"))
    with open(os.path.join(out, "apbench-prep-tree"), "w") as f:
        f.write(PREP_TREE)
    os.chmod(os.path.join(out, "apbench-prep-tree"), 0o755)
    for d in ("tmp", "dev", "proc"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    os.chmod(os.path.join(out, "tmp"), 0o1777)
    # the few device nodes the workloads open (git needs random bytes)
    for name, minor in (("null", 3), ("zero", 5), ("random", 8), ("urandom", 9)):
        os.mknod(os.path.join(out, "dev", name), 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    if a.check:
        return check(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
