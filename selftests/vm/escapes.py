#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Ways a labeled process tries to get data past an endpoint rule.

    escapes.py CASE SECRET_FILE

A receiver (this process; it never reads the secret) listens on loopback; a
sender child reads SECRET_FILE (so it carries its labels) and tries to
deliver it by the route CASE names.  Prints one line:

    sent=<errno name or OK> received=<yes|no>

The test expects the route to be refused (EPERM) and nothing received, next
to a control showing the plain route is refused too.
"""
import ctypes
import errno
import os
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.sendto.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                        ctypes.c_char_p, ctypes.c_uint]
libc.connect.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]


def sockaddr_in(family, addr, port):
    """A raw struct sockaddr_in with any sa_family (AF_UNSPEC included)."""
    return struct.pack("=H", family) + struct.pack("!H", port) + socket.inet_aton(addr) + bytes(8)


def raw(fn, *args):
    if fn(*args) < 0:
        return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    return "OK"


def try_send(case, data, port):
    """Run in the sender: returns the outcome of the send."""
    try:
        if case == "udp-plain":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(data, ("127.0.0.1", port))
        elif case == "udp-unspec":
            # udp_sendmsg treats sin_family AF_UNSPEC as AF_INET
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sa = sockaddr_in(socket.AF_UNSPEC, "127.0.0.1", port)
            return raw(libc.sendto, s.fileno(), data, len(data), 0, sa, len(sa))
        elif case == "udp-any4":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(data, ("0.0.0.0", port))
        elif case == "tcp-plain":
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(data)
        elif case == "tcp-any4":
            s = socket.create_connection(("0.0.0.0", port))
            s.sendall(data)
        elif case == "tcp-any6":
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.connect(("::", port))
            s.sendall(data)
        elif case == "tcp-any-mapped":
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.connect(("::ffff:0.0.0.0", port))
            s.sendall(data)
        else:
            return "unknown-case"
        s.close()
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def main():
    case, secret = sys.argv[1], sys.argv[2]
    tcp = case.startswith("tcp")
    six = case in ("tcp-any6", "tcp-any-mapped")
    fam = socket.AF_INET6 if six else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    if six:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        srv.bind(("::", 0))
    else:
        srv.bind(("0.0.0.0", 0))
    port = srv.getsockname()[1]
    if tcp:
        srv.listen(1)
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        srv.close()
        with open(secret, "rb") as f:
            data = f.read()
        os.write(wr, try_send(case, data, port).encode())
        os._exit(0)
    os.close(wr)
    srv.settimeout(3)
    got = b""
    try:
        if tcp:
            conn, _ = srv.accept()
            conn.settimeout(3)
            got = conn.recv(4096)
        else:
            got = srv.recv(4096)
    except (socket.timeout, OSError):
        pass
    outcome = os.read(rd, 100).decode()
    os.waitpid(pid, 0)
    print("sent=%s received=%s" % (outcome, "yes" if got else "no"))


main()
