#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A reader that takes data from one labeled entry (test_labels.sh).

    one_reader.py pipe-after-exit | pipe-blocked | file PATH

Each mode prints one PID on stdout and waits; the test labels something,
sends this process SIGUSR1, and asks for its labels once it has stopped
itself (SIGSTOP) after its one read:

pipe-after-exit  a child holds a pipe's write end and prints its PID;
                 on SIGUSR1 (it was labeled) it writes and exits.  Then
                 this process waits for SIGUSR1 (the child's entries are
                 gone: the pipe's buffer holds the labels alone) and reads.
pipe-blocked     the same child; this process reads at once, and sleeps
                 in the read while the child is labeled and writes.
file PATH        opens PATH, prints its own PID, and reads on SIGUSR1 (the
                 file was labeled after it was opened: the read, not the
                 open, takes the labels).
"""
import os
import signal
import sys

signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])


def usr1():
    if not signal.sigtimedwait([signal.SIGUSR1], 60):
        sys.exit("one_reader.py: no SIGUSR1")


mode = sys.argv[1]
if mode == "file":
    fd = os.open(sys.argv[2], os.O_RDONLY)
    print(os.getpid(), flush=True)
    usr1()
else:
    fd, w = os.pipe()
    child = os.fork()
    if not child:
        os.close(fd)
        usr1()
        os.write(w, b"data")
        os._exit(0)
    os.close(w)
    print(child, flush=True)
    if mode == "pipe-after-exit":
        os.waitpid(child, 0)
        usr1()
os.read(fd, 4)
os.kill(os.getpid(), signal.SIGSTOP)
