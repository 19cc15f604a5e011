#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A process that repeats the same flow between label changes.

    [MEMO_THREAD=1] flow_memo.py DIR STEP...

The module remembers, per CPU, the last read and the last write by a
process that changed nothing, and skips the same flow until some label
state changes (kmod/task.h, "Propagate only on change").  This process
holds DIR/memo-in (read), DIR/memo-out (written) and both ends of a pipe
(fds 10 and 11) open.  Before step N it names itself "memo-N" (prctl: no
file is touched, so no label state changes) and waits for SIGUSR1, while
the test changes labels from outside; then it repeats its STEP 20 times:
"read" (DIR/memo-in), "write" (DIR/memo-out), "pipe" (write one byte into
the pipe, read it back) or "connect" (connect a UDP socket to 127.0.0.1,
port $MEMO_PORT).  The first repetition may propagate; the rest find
nothing to do.
The test asserts that the step after a change saw the change.  With
MEMO_THREAD=1 the steps run in a second thread (as in a thread pool),
which uses its process's memos as the leader does.  Nothing the
test's own shell writes reaches this process: signals carry no labels.
"""
import ctypes
import os
import signal
import socket
import sys
import threading

PR_SET_NAME = 15
libc = ctypes.CDLL(None, use_errno=True)
T = sys.argv[1]
# The memo is found through the CPU's hint to the last process entry a
# lookup found, and whatever the test ran meanwhile may have moved it.  So
# each step first opens DIR/memo-warm for writing: that asks for this
# process's labels (the hint is this process again) and moves nothing (the
# test gave that file every label this process will carry).  Then the first
# flow after a change finds the memo: without the change's bump it would be
# skipped, and a missing bump fails the test.  This process stays on CPU 0
# and the test keeps itself off it (when there are two), so nothing else
# with an entry runs there in between.
os.sched_setaffinity(0, {0})
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
fin = os.open(f"{T}/memo-in", os.O_RDONLY)
fout = os.open(f"{T}/memo-out", os.O_WRONLY)
r, w = os.pipe()
os.dup2(r, 10)
os.dup2(w, 11)
os.close(r)
os.close(w)


def pipe():
    os.write(11, b"x")
    os.read(10, 1)


udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
FLOWS = {
    "connect": lambda: udp.connect(("127.0.0.1", int(os.environ["MEMO_PORT"]))),
    "read": lambda: os.pread(fin, 16, 0),
    "write": lambda: os.pwrite(fout, b"x", 0),
    "pipe": pipe,
}


def flows(step):
    os.close(os.open(f"{T}/memo-warm", os.O_WRONLY))
    for _ in range(20):
        FLOWS[step]()


run = flows
if os.environ.get("MEMO_THREAD") == "1":
    # one worker runs every step while the leader waits for it
    steps, go, done = [], threading.Semaphore(0), threading.Semaphore(0)

    def worker():
        while True:
            go.acquire()
            flows(steps.pop())
            done.release()

    def run(step):
        steps.append(step)
        go.release()
        done.acquire()

    threading.Thread(target=worker, daemon=True).start()

for n, step in enumerate(sys.argv[2:]):
    libc.prctl(PR_SET_NAME, f"memo-{n}".encode(), 0, 0, 0)
    if not signal.sigtimedwait([signal.SIGUSR1], 60):
        sys.exit("flow_memo.py: no SIGUSR1 for a minute")
    run(step)
libc.prctl(PR_SET_NAME, b"memo-done", 0, 0, 0)
signal.sigtimedwait([signal.SIGUSR1], 60)
