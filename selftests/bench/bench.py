#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""In-VM benchmark driver (started by scripts/bench.sh through scripts/vm.sh
with --no-module, as root).  Switches configurations, runs the benchmarks
chrooted in a tmpfs copy of the benchmark root, and prints every raw figure
as one JSON document between the lines APBENCH_JSON_BEGIN / APBENCH_JSON_END
(the host computes medians and ratios: selftests/bench/report.py).

  bench.py [--smoke] [--trials N] [--macro-trials N] [--scale F]
           [--configs a,b,...] [--benchmarks open,pipe,...] [--no-macro]
           [--no-memory] [--no-reload]

Method: configuration (a) is run before every other configuration within a
trial (a, b, a, c, a, ...), a warm-up trial comes first and is discarded.
Under qemu -icount shift=0 guest nanoseconds are guest instructions.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.environ.get("ACTPLANE_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
B = os.path.join(TOP, "build")
AP = os.path.join(B, "actplane")
NOOP = os.path.join(B, "bench", "apbench-noop")
KO = os.path.join(TOP, "kmod", "actplane.ko")
ROOT = "/tmp/apbench-root"
NO_LOAD = "skipped: policy engine not available (actplane load missing)"

# The configurations, data-driven: what each needs is declared here and
# applied by apply().  `policy` configurations need `actplane load`.
CONFIGS = [
    {"id": "a", "name": "no module",
     "desc": "kernel without actplane.ko and without BPF programs (baseline)"},
    {"id": "b", "name": "no-op BPF LSM programs",
     "desc": "no module; no-op programs on the same hooks as ActPlane ({nhooks} programs, "
             "generated from bpf/hooks.bpf.c)",
     "noop": True},
    {"id": "c", "name": "ActPlane up, no policy",
     "desc": "module inserted, `actplane up` ({nhooks} hook programs + enforcer), no policy loaded",
     "module": True},
    {"id": "d", "name": "10 rules (none fire)", "module": True, "policy": "rules-10.yaml",
     "extra": True,
     "desc": "(c) + `actplane load` of 10 generated rules that never fire"},
    {"id": "e", "name": "100 rules (none fire)", "module": True, "policy": "rules-100.yaml",
     "desc": "(c) + `actplane load` of 100 generated rules that never fire"},
    {"id": "f", "name": "1000 rules (none fire)", "module": True, "policy": "rules-1000.yaml",
     "desc": "(c) + `actplane load` of 1000 generated rules that never fire"},
    {"id": "g", "name": "labeled subject", "module": True, "label": "bench", "extra": True,
     "desc": "(c) + the benchmark process carries a label: its forks, writes and "
             "connects propagate it; no policy, so nothing can violate"},
    {"id": "h", "name": "100 rules + labeled subject", "module": True,
     "policy": "rules-100.yaml", "label": "NOFIRE_0",
     "desc": "(e) + the benchmark process carries NOFIRE_0, a label the rules' `if` "
             "conditions test: conditions hold, targets never match"},
    {"id": "l", "name": "1000 rules + labeled subject", "module": True,
     "policy": "rules-1000.yaml", "label": "NOFIRE_0",
     "desc": "(h) with the 1000 rules of (f) (issue 20's (h')): (l)÷(h) is what ten times "
             "the rules cost an agent whose conditions hold"},
    {"id": "i", "name": "labeled subject, provenance off", "module": True, "label": "bench",
     "prov": "off", "extra": True,
     "desc": "(g) with provenance recording off (`actplane limits --provenance off`): "
             "(g)÷(i) is what recording where labels come from costs"},
    {"id": "j", "name": "(h) in the fmod_ret mode", "module": True,
     "policy": "rules-100.yaml", "label": "NOFIRE_0", "attach": "fmod_ret",
     "desc": "(h) with the hooks attached by `actplane up --attach fmod_ret` (fmod_ret/fentry "
             "programs on the security_*() functions, the mode for kernels booted without "
             "bpf among their LSMs; docs/SECURITY.md §4.6): (j)÷(h) is what the mode costs"},
    {"id": "k", "name": "(e) + a 100-rule session policy, 50 other sessions", "module": True,
     "policy": "rules-100.yaml", "session_policy": "session-100.yaml", "others": 50,
     "desc": "(e) + the benchmark process runs in its own session with a 100-rule session "
             "policy (`actplane session create --policy`, rules that never fire, half with "
             "`if` on the loaded policy's labels), and 50 other sessions with the same "
             "session policy are alive: (k)÷(e) is what a user's session policy costs"},
]
# "extra" configurations ((d), (g), (i)) run only when named in --configs
# (time budget: the default set, (h), (j) and (l) included, runs in under 30
# minutes).  The replay also runs as the labeled agent (h), and with the no-op
# programs (b), the floor its target is judged against; a build is not what an
# agent's session does, and costs as much as a micro trial.
MACRO_CONFIGS = {"build": ["a", "c", "e"], "replay": ["a", "b", "c", "e", "h"]}
MEMORY_CONFIG = "c"
SMOKE_CONFIGS = ["a", "b", "c", "e", "g", "j", "k"]    # every kind of setup, once
SMOKE_MACRO_CONFIGS = ["c"]


T0 = time.monotonic()


def log(msg):
    sys.stderr.write("# [%7.1f] %s\n" % (time.monotonic() - T0, msg))
    sys.stderr.flush()


def emit(kind, obj):
    """Stream one result as it is measured, so an interrupted run keeps what
    it measured (report.py assembles these if the final document is missing)."""
    print("APBENCH_REC " + json.dumps(dict(obj, kind=kind), separators=(",", ":")))
    sys.stdout.flush()


class Failed(Exception):
    pass


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and r.returncode:
        raise Failed("%s: exit %d: %s" % (" ".join(cmd[:4]), r.returncode,
                                          (r.stderr or r.stdout).strip()[-400:]))
    return r


def load_available():
    r = run([AP, "--help"], check=False)
    return any(line.split()[:1] == ["load"] for line in r.stdout.splitlines())


# ---- configurations ---------------------------------------------------------

STATE = {"noop": False, "module": False, "policy": None, "prov": "on", "attach": "auto",
         "others": 0}
SMOKE = False
OTHERS = []     # the other sessions' processes (configuration (k))


def in_session(spol, cmd):
    """@cmd in a new session of its own whose session policy is @spol."""
    return ["sh", "-c", '"$0" session create --pid $$ --policy "$1" >/dev/null && shift && '
            'exec "$@"', AP, os.path.join(ROOT, "rules", spol)] + cmd


def stop_others():
    for p in OTHERS:
        p.kill()
        p.wait()
    del OTHERS[:]


def start_others(n, spol):
    """@n idle processes, each in a session of its own with session policy @spol."""
    for _ in range(n):
        OTHERS.append(subprocess.Popen(in_session(spol, ["sleep", "1000000"]),
                                       stdout=subprocess.DEVNULL))
    for _ in range(100):
        r = run([AP, "status", "--json"])
        if len(json.loads(r.stdout)["sessions"]) >= n:
            return
        time.sleep(0.1)
    raise Failed("the %d other sessions did not start" % n)


def teardown():
    stop_others()
    STATE.update(noop=False, module=False, policy=None, prov="on", attach="auto", others=0)
    if os.path.isdir("/sys/fs/bpf/actplane") and os.listdir("/sys/fs/bpf/actplane"):
        run([AP, "down"])
    run([NOOP, "down"])
    if os.path.isdir("/sys/module/actplane"):
        for _ in range(50):
            if run(["rmmod", "actplane"], check=False).returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise Failed("rmmod actplane keeps failing")


def apply(cfg):
    """Bring the machine into @cfg's state.  From one ActPlane configuration
    to another only the policy changes (the smoke run's order uses that);
    anything else starts from a clean kernel: no module, no programs."""
    want = {"noop": bool(cfg.get("noop")), "module": bool(cfg.get("module")),
            "policy": cfg.get("policy"), "prov": cfg.get("prov", "on"),
            "attach": cfg.get("attach", "auto"), "others": cfg.get("others", 0)}
    if want["module"] and STATE["module"] and not want["noop"] and not STATE["noop"] \
            and want["attach"] == STATE["attach"] and want["others"] == STATE["others"]:
        if want["prov"] != STATE["prov"]:
            run([AP, "limits", "--provenance", want["prov"]])
            STATE["prov"] = want["prov"]
        if want["policy"] != STATE["policy"]:
            if want["policy"]:
                run([AP, "load", os.path.join(ROOT, "rules", want["policy"])])
            else:
                run([AP, "unload"])
            STATE["policy"] = want["policy"]
        return
    teardown()
    if want["noop"]:
        run([NOOP, "up"])
    if want["module"]:
        run(["insmod", KO])
        run([AP, "up", "--attach", want["attach"]])
    if want["policy"]:
        run([AP, "load", os.path.join(ROOT, "rules", want["policy"])])
    if want["module"] and want["prov"] != "on":
        run([AP, "limits", "--provenance", want["prov"]])
    if want["others"]:
        start_others(want["others"], cfg["session_policy"])
    STATE.update(want)
    settle()


def settle():
    """Let deferred work of the switch (RCU and RCU-tasks callbacks freeing
    programs, trampolines and module memory; workqueues) finish before
    measuring, or the next run's first benchmark pays for it.  With -icount
    sleep=off an idle guest costs no instructions and little wall time."""
    if SMOKE:
        return
    run(["sync"])
    time.sleep(2)

def subject(cfg, cmd):
    """@cmd, started by a process that first labels itself if @cfg says so,
    in a session with @cfg's session policy if it has one."""
    if cfg.get("session_policy"):
        cmd = in_session(cfg["session_policy"], cmd)
    if not cfg.get("label"):
        return cmd
    return ["sh", "-c", '"$0" label add "$1" --pid $$ >/dev/null && shift && exec "$@"',
            AP, cfg["label"]] + cmd


def unlabel_self(label):
    """The driver reads what a labeled subject wrote (its output pipe), so it
    absorbs the label, and would pass it on to every later child: drop it."""
    run([AP, "label", "clear", label, "--pid", str(os.getpid())], check=False)


def chroot(*args):
    return ["chroot", ROOT] + list(args)


# ---- the benchmark root -----------------------------------------------------

def setup_root(src):
    """A tmpfs copy of @src: nothing the benchmarks run or read is on 9p.
    (Also in the smoke run: copying is faster than running gcc from 9p.)
    The module and the tool are snapshotted too, so a rebuild on the host
    during the run cannot mix versions."""
    global AP, KO
    os.makedirs(ROOT, exist_ok=True)
    run(["mount", "-t", "tmpfs", "-o", "size=1536M", "apbench", ROOT])
    run(["cp", "-a", src + "/.", ROOT + "/"])
    run(["mount", "-t", "proc", "proc", ROOT + "/proc"])
    os.makedirs(ROOT + "/snapshot", exist_ok=True)
    shutil.copy2(KO, ROOT + "/snapshot/actplane.ko")
    shutil.copy2(AP, ROOT + "/snapshot/actplane")
    shutil.copy2(AP, ROOT + "/actplane")
    KO, AP = ROOT + "/snapshot/actplane.ko", ROOT + "/snapshot/actplane"


# ---- micro ------------------------------------------------------------------

class Runner:
    def __init__(self, args):
        self.args = args
        self.seq = 0
        self.errors = []

    def subject_run(self, cfg, cmd):
        """Run @cmd (a shell command line inside the root) as @cfg's subject;
        return its output.  The output goes through a file whose label is
        cleared before the driver reads it: reading what a labeled subject
        wrote would label the driver, and every later child with it."""
        self.seq += 1
        outf = "/tmp/out%d" % self.seq
        r = run(subject(cfg, chroot("/bin/sh", "-c", "exec %s >%s 2>&1" % (cmd, outf))),
                check=False)
        if cfg.get("label"):
            run([AP, "label", "clear", cfg["label"], ROOT + outf], check=False)
        with open(ROOT + outf) as f:
            out = f.read()
        os.unlink(ROOT + outf)
        if r.returncode:
            raise Failed("%s: exit %d: %s" % (cmd, r.returncode, (out + r.stderr)[-400:]))
        return out

    def micro(self, cfg, trial):
        self.seq += 1
        wd = "/tmp/w%d" % self.seq
        out = self.subject_run(cfg, "/apbench run --scale %s --dir %s %s" % (
            self.args.scale, wd, " ".join(self.args.benchmarks.split(","))))
        vals = {}
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3:
                vals[f[0]] = float(f[1])
        rec = {"trial": trial, "config": cfg["id"], "ns_per_op": vals}
        if cfg.get("label"):
            # prove the subject propagated: the file it wrote carries its label
            lab = run([AP, "labels", ROOT + wd + "/write.dat"], check=False).stdout.split()
            rec["propagated"] = cfg["label"] in lab
        shutil.rmtree(ROOT + wd, ignore_errors=True)
        return rec

    def macro(self, kind, cfg, trial):
        self.seq += 1
        d = "/tmp/m%d" % self.seq
        if kind == "build":
            prep = "cp -a /work/proj %s" % d
            timed = "/apbench time /bin/sh -c 'cd %s && make -s -j1'" % d
        else:
            prep = "cp -a /work/tree %s && /apbench-prep-tree %s" % (d, d)
            timed = "/apbench time /bin/sh /replay.sh %s %d" % (d, self.args.replay_rounds)
        run(chroot("/bin/sh", "-c", prep))
        out = self.subject_run(cfg, timed)
        m = re.search(r"^time (\d+)$", out, re.M)
        if not m:
            raise Failed("%s: no time in output: %r" % (kind, out[-200:]))
        shutil.rmtree(ROOT + d, ignore_errors=True)
        return {"trial": trial, "config": cfg["id"], "ns": int(m.group(1))}


def schedule(configs, trials, warmup, smoke=False):
    """(trial, config) in the order they run: a before every other configuration
    (smoke: each configuration once).  Warm-up (trial -1, discarded): "trial"
    runs a whole trial first, "base" only one run of (a)."""
    base = configs[0]
    order = []
    if smoke:
        return [(0, c) for c in configs]
    if warmup == "base":
        order.append((-1, base))
    for t in range(-1 if warmup == "trial" else 0, trials):
        if len(configs) == 1:
            order.append((t, base))
        for x in configs[1:]:
            order += [(t, base), (t, x)]
    return order


def run_series(r, configs, trials, warmup, fn, label):
    """Run fn(cfg, trial) following schedule(); skip a configuration that fails."""
    recs, failed = [], {}
    cur = None
    for t, cfg in schedule(configs, trials, warmup, r.args.smoke):
        if cfg["id"] in failed:
            continue
        try:
            if cur != cfg["id"]:
                apply(cfg)
                cur = cfg["id"]
            rec = fn(cfg, t)
            recs.append(rec)
            emit(label, rec)
            log("%s trial %d config %s: %s" % (label, t, cfg["id"], json.dumps(
                rec.get("ns_per_op", rec.get("ns")))))
        except Failed as e:
            log("%s config %s failed: %s" % (label, cfg["id"], e))
            failed[cfg["id"]] = str(e)
            r.errors.append("%s %s: %s" % (label, cfg["id"], e))
            cur = None
            if cfg["id"] == "a":
                break
    return recs, failed


# ---- memory -----------------------------------------------------------------

def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            if k in ("Slab", "SReclaimable", "SUnreclaim", "MemFree"):
                out[k + "_kB"] = int(v.split()[0])
    return out


def slabinfo(name="ap_obj"):
    """The module's slab cache (absent if the allocator merged it into another)."""
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                fld = line.split()
                if fld and fld[0] == name:
                    return {"active_objs": int(fld[1]), "num_objs": int(fld[2]),
                            "objsize": int(fld[3])}
    except OSError:
        pass
    alias = "/sys/kernel/slab/" + name
    if os.path.islink(alias):
        return {"merged_into": os.path.basename(os.readlink(alias))}
    return None


def snapshot():
    st = json.loads(run([AP, "status", "--json"]).stdout)
    run(["sync"])
    return {"module": st.get("memory", {}), "meminfo": meminfo(), "slab": slabinfo()}


def memory_bench(args):
    cfg = next(c for c in CONFIGS if c["id"] == MEMORY_CONFIG)
    teardown()  # a fresh module: nothing left from earlier configurations
    apply(cfg)
    nf, npr = args.mem_files, args.mem_procs
    res = {"config": cfg["id"], "files": nf, "procs": npr, "steps": []}

    def step(name):
        s = snapshot()
        s["step"] = name
        res["steps"].append(s)
        log("memory %s: %s" % (name, json.dumps(s["module"])))

    step("start")
    run(chroot("/apbench", "mkfiles", "/tmp/mem-unlabeled", str(nf)))
    step("files-unlabeled")
    run(subject(dict(cfg, label="mem"), chroot("/apbench", "mkfiles", "/tmp/mem-labeled", str(nf))))
    step("files-labeled")
    for name, lab in (("procs-unlabeled", None), ("procs-labeled", "mem")):
        c = dict(cfg, label=lab) if lab else cfg
        p = subprocess.Popen(subject(c, chroot("/apbench", "spawn", str(npr))),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if p.stdout.readline().strip() != "ready":
            p.kill()
            raise Failed("apbench spawn did not get ready")
        step(name)
        p.stdin.close()
        p.wait()
        if lab:
            unlabel_self(lab)
    shutil.rmtree(ROOT + "/tmp/mem-unlabeled", ignore_errors=True)
    shutil.rmtree(ROOT + "/tmp/mem-labeled", ignore_errors=True)
    return res


# ---- reload -----------------------------------------------------------------

def timed(cmd, parts=None):
    """Guest time of @cmd; with @parts (a dict), also the parts that
    `actplane load --timing` reports, in ns."""
    r = run(cmd)
    m = re.search(r"^time (\d+)$", r.stdout, re.M)
    if not m:
        raise Failed("%s: no time in output" % " ".join(cmd[:5]))
    if parts is not None:
        t = re.search(r"^actplane: timing: compile ([\d.]+) ms, encode ([\d.]+) ms, "
                      r"send ([\d.]+) ms, commit ([\d.]+) ms$", r.stderr, re.M)
        if not t:
            raise Failed("%s: no timing line in output" % " ".join(cmd[:5]))
        for k, v in zip(("compile", "encode", "send", "commit"), t.groups()):
            parts[k] = int(float(v) * 1e6)
    return int(m.group(1))


def reload_bench(args):
    """Guest time of `actplane load` of 1000 rules (smoke: 100) into an empty
    engine, of replacing them with as many others, and of `actplane check` of the same file
    (the userspace part: parse and compile); then the swap test: a process
    opens a file every policy denies, in a loop, while policies are replaced —
    any open that succeeds is an event no policy evaluated."""
    cfg = next(c for c in CONFIGS if c["id"] == "c")
    apply(cfg)
    STATE["policy"] = "(reload test)"
    pa = "/rules/reload-%d-a.yaml" % args.reload_rules
    pb = "/rules/reload-%d-b.yaml" % args.reload_rules
    res = {"config": "c", "policy_rules": args.reload_rules, "load": [], "replace": [],
           "compile": [], "load_parts": [], "replace_parts": []}
    for t in range(0 if args.smoke else -1, 1 if args.smoke else args.trials):
        run([AP, "unload"])
        lp, rp = {}, {}
        first = timed(chroot("/apbench", "time", "/actplane", "load", "--timing", pa), lp)
        repl = timed(chroot("/apbench", "time", "/actplane", "load", "--timing", pb), rp)
        comp = timed(chroot("/apbench", "time", "/actplane", "check", "--policy", pb))
        log("reload trial %d: load %d replace %d compile %d; load %s replace %s"
            % (t, first, repl, comp, json.dumps(lp), json.dumps(rp)))
        if t >= 0:
            res["load"].append(first)
            res["replace"].append(repl)
            res["compile"].append(comp)
            res["load_parts"].append(lp)
            res["replace_parts"].append(rp)
    canary = ROOT + "/tmp/apbench-canary"
    with open(canary, "w") as f:
        f.write("canary\n")
    swaps = 2 if args.smoke else 20
    p = subprocess.Popen(chroot("/apbench", "hammer", "/tmp/apbench-canary"),
                         stdout=subprocess.PIPE, text=True)
    try:
        if p.stdout.readline().strip() != "ready":
            raise Failed("apbench hammer did not start")
        for i in range(swaps):
            run(chroot("/actplane", "load", (pb, pa)[i % 2]))
    finally:
        p.terminate()
        out = p.communicate()[0]
    m = re.search(r"opens (\d+) allowed (\d+) denied (\d+) other (\d+)", out)
    if not m:
        raise Failed("apbench hammer: no counts: %r" % out)
    w = dict(zip(("opens", "allowed", "denied", "other"), map(int, m.groups())))
    w["swaps"] = swaps
    w["ok"] = w["allowed"] == 0 and w["other"] == 0 and w["denied"] > 0
    res["swap_test"] = w
    log("reload swap test: %s" % json.dumps(w))
    run([AP, "unload"])
    STATE["policy"] = None
    return res


# ---- main -------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--root", default=os.path.join(B, "bench", "root"))
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--macro-trials", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--replay-rounds", type=int, default=15)
    ap.add_argument("--mem-files", type=int, default=10000)
    ap.add_argument("--mem-procs", type=int, default=1000)
    ap.add_argument("--reload-rules", type=int, default=1000, choices=(100, 1000))
    ap.add_argument("--configs", default="")
    ap.add_argument("--benchmarks", default="",
                    help="comma-separated micro-benchmarks to run (default: all)")
    ap.add_argument("--no-macro", action="store_true")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-reload", action="store_true")
    args = ap.parse_args()
    global SMOKE
    SMOKE = args.smoke
    warmup = not args.smoke

    r = Runner(args)
    log("setting up the benchmark root")
    setup_root(args.root)
    have_load = load_available()
    want = set(args.configs.split(",")) if args.configs else None
    configs = []
    for c in CONFIGS:
        c = dict(c)
        if args.smoke and c["id"] not in SMOKE_CONFIGS:
            c["status"] = "not run in the smoke test"
        elif (want and c["id"] not in want and c["id"] != "a") or \
                (c.get("extra") and not (want and c["id"] in want)):
            c["status"] = "not selected (run it with --configs)"
        elif c.get("policy") and not have_load:
            c["status"] = NO_LOAD
        else:
            c["status"] = "ran"
        configs.append(c)
    active = [c for c in configs if c["status"] == "ran"]
    try:
        with open(os.path.join(B, "bench", "noop.bpf.c")) as f:
            nhooks = len(re.findall(r'^SEC\("(?:lsm|fentry|fexit)', f.read(), re.M))
    except OSError:
        nhooks = "?"
    for c in configs:
        c["desc"] = c["desc"].replace("{nhooks}", str(nhooks))

    uname = os.uname()
    doc = {"kernel": uname.release, "smoke": args.smoke, "policy_engine": have_load,
           "trials": args.trials, "macro_trials": args.macro_trials, "scale": args.scale,
           "replay_rounds": args.replay_rounds, "warmup": warmup,
           "configs": [{k: c.get(k) for k in ("id", "name", "desc", "status")} for c in configs]}
    bench_list = run([os.path.join(args.root, "apbench"), "list"]).stdout
    doc["benchmarks"] = [dict(zip(("name", "what"), line.split("\t", 1)))
                         for line in bench_list.splitlines()]

    nmod = len([f for f in os.listdir(ROOT + "/work/proj/src") if f.endswith(".c")]) - 1
    doc["build_modules"] = nmod
    doc["tree_modules"] = len([f for f in os.listdir(ROOT + "/work/tree/src")
                               if f.startswith("mod_") and f.endswith(".c")])

    log("micro: %d configurations, %d trials" % (len(active), args.trials))
    print("APBENCH_META " + json.dumps(doc, separators=(",", ":")))
    sys.stdout.flush()
    doc["micro"], failed = run_series(r, active, args.trials if not args.smoke else 1,
                                      warmup and "trial", r.micro, "micro")
    for c in doc["configs"]:
        if c["id"] in failed:
            c["status"] = "failed: " + failed[c["id"]]

    if not args.no_memory:
        try:
            doc["memory"] = memory_bench(args)
            emit("memory", doc["memory"])
        except Failed as e:
            r.errors.append("memory: %s" % e)
            log("memory failed: %s" % e)

    if args.no_reload:
        doc["reload"] = {"status": "not selected"}
    elif have_load:
        try:
            doc["reload"] = reload_bench(args)
            emit("reload", doc["reload"])
        except Failed as e:
            r.errors.append("reload: %s" % e)
    else:
        doc["reload"] = {"status": NO_LOAD}

    doc["macro"] = {}
    if not args.no_macro:
        for kind in ("build", "replay"):
            mcfgs = [c for c in active
                     if c["id"] in (SMOKE_MACRO_CONFIGS if args.smoke else MACRO_CONFIGS[kind])]
            log("macro %s: configurations %s" % (kind, ",".join(c["id"] for c in mcfgs)))
            recs, _ = run_series(r, mcfgs, args.macro_trials if not args.smoke else 1,
                                 warmup and "base",
                                 lambda cfg, t, k=kind: r.macro(k, cfg, t), "macro " + kind)
            doc["macro"][kind] = recs

    try:
        teardown()
    except Failed as e:
        r.errors.append("teardown: %s" % e)
    doc["errors"] = r.errors
    print("APBENCH_JSON_BEGIN")
    print(json.dumps(doc, separators=(",", ":")))
    print("APBENCH_JSON_END")
    sys.stdout.flush()
    return 1 if r.errors else 0


if __name__ == "__main__":
    sys.exit(main())
