#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Socket and thread flows for the label-engine selftests.

    flows.py CASE SECRET_FILE

A *receiver* process (never reads the secret) and a *sender* process (reads
SECRET_FILE first, so it carries its labels) exchange data over the channel
named by CASE.  After receiving, the receiver prints its own labels as the
module reports them (`actplane labels --pid`), one per line, and nothing
else.  The test asserts on that output.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time


def labels_of(pid):
    out = subprocess.run(["actplane", "labels", "--pid", str(pid)],
                         capture_output=True, text=True, check=True).stdout
    return [l for l in out.splitlines() if not l.startswith("session ")]


def report():
    print("\n".join(labels_of(os.getpid())))
    sys.stdout.flush()


def read_secret(path):
    with open(path) as f:
        return f.read().encode()


def inet_case(secret, family, kind):
    host = "127.0.0.1" if family == socket.AF_INET else "::1"
    stype = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
    srv = socket.socket(family, stype)
    srv.bind((host, 0))
    port = srv.getsockname()[1]
    if kind == "tcp":
        srv.listen(1)
    pid = os.fork()
    if pid == 0:  # sender
        srv.close()
        data = read_secret(secret)
        c = socket.socket(family, stype)
        if kind == "tcp":
            c.connect((host, port))
            c.sendall(data)
        else:
            c.sendto(data, (host, port))  # unconnected UDP: sendmsg with an address
        c.close()
        os._exit(0)
    if kind == "tcp":
        conn, _ = srv.accept()
        conn.recv(4096)
    else:
        srv.recvfrom(4096)
    os.waitpid(pid, 0)
    report()


def unix_case(secret, stype, pair):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "sock")
    if pair:
        a, b = socket.socketpair(socket.AF_UNIX, stype)
    else:
        b = socket.socket(socket.AF_UNIX, stype)
        b.bind(path)
        if stype == socket.SOCK_STREAM:
            b.listen(1)
    pid = os.fork()
    if pid == 0:
        data = read_secret(secret)
        if pair:
            b.close()
            a.send(data)
        else:
            c = socket.socket(socket.AF_UNIX, stype)
            if stype == socket.SOCK_STREAM:
                c.connect(path)
                c.send(data)
            else:
                c.sendto(data, path)
        os._exit(0)
    if pair:
        a.close()
        b.recv(4096)
    elif stype == socket.SOCK_STREAM:
        conn, _ = b.accept()
        conn.recv(4096)
    else:
        b.recv(4096)
    os.waitpid(pid, 0)
    report()


def blocked_reader_case(secret):
    """The receiver blocks in recv before the sender has read the secret."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        a.close()
        time.sleep(0.5)
        b.send(read_secret(secret))
        os._exit(0)
    b.close()
    a.recv(4096)
    os.waitpid(pid, 0)
    report()


def thread_case(secret):
    """A secondary thread reads; the process (all threads) carries the label."""
    t = threading.Thread(target=lambda: read_secret(secret))
    t.start()
    t.join()
    report()


def mmap_case(secret, target):
    """A labeled process writes a file through a shared writable mapping."""
    import mmap
    read_secret(secret)
    with open(target, "r+b") as f:
        m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        m[0:1] = b"x"
        m.close()


def main():
    case, secret = sys.argv[1], sys.argv[2]
    cases = {
        "tcp4": lambda: inet_case(secret, socket.AF_INET, "tcp"),
        "tcp6": lambda: inet_case(secret, socket.AF_INET6, "tcp"),
        "udp4": lambda: inet_case(secret, socket.AF_INET, "udp"),
        "udp6": lambda: inet_case(secret, socket.AF_INET6, "udp"),
        "socketpair": lambda: unix_case(secret, socket.SOCK_STREAM, True),
        "unix-stream": lambda: unix_case(secret, socket.SOCK_STREAM, False),
        "unix-dgram": lambda: unix_case(secret, socket.SOCK_DGRAM, False),
        "blocked-reader": lambda: blocked_reader_case(secret),
        "thread": lambda: thread_case(secret),
        "mmap": lambda: mmap_case(secret, sys.argv[3]),
    }
    cases[case]()


if __name__ == "__main__":
    main()
