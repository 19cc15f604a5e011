#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Ways a labeled process tries to get data past an endpoint rule.

    escapes.py CASE SECRET_FILE

A receiver (this process; it never reads the secret) listens on loopback.

Send cases: a sender child reads SECRET_FILE (so it carries its labels) and
tries to deliver it by the route CASE names.  Relay cases: a labeled
producer hands the secret to an unlabeled relay by a route that moves data
without the read/write hooks (splice, tee, vmsplice, sendfile into a pipe,
recvmmsg, process_vm_readv, file mappings made before the label arrived,
shared anonymous memory); the relay then sends what it got.  Prints one
line:

    sent=<errno name or OK> received=<yes|no>

The test expects the send to be refused (EPERM) and nothing received, next
to a control showing the plain route is refused too.
"""
import ctypes
import errno
import os
import socket
import struct
import sys
import threading
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.sendto.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                        ctypes.c_char_p, ctypes.c_uint]
libc.connect.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.vmsplice.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint]
libc.vmsplice.restype = ctypes.c_ssize_t
libc.tee.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_size_t, ctypes.c_uint]
libc.tee.restype = ctypes.c_ssize_t
libc.recvmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                          ctypes.c_void_p]
libc.process_vm_readv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_ulong,
                                  ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
libc.process_vm_readv.restype = ctypes.c_ssize_t
libc.sendmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int]


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]


SECRET_LEN = 64		# the secret file is shorter; buffers are this big
IPC_KEY = 0x41504553	# SysV key of the queue/segment the IPC cases share
KEY_DESC = b"actplane-escape"
libc.msgget.argtypes = [ctypes.c_int, ctypes.c_int]
libc.msgsnd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.msgrcv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long,
                        ctypes.c_int]
libc.msgrcv.restype = ctypes.c_ssize_t
libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmat.restype = ctypes.c_void_p
libc.shmdt.argtypes = [ctypes.c_void_p]
libc.syscall.restype = ctypes.c_long
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
libc.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
libc.mq_receive.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p]
libc.mq_receive.restype = ctypes.c_ssize_t
libc.mq_unlink.argtypes = [ctypes.c_char_p]
MQ_NAME = b"/actplane-escape"	# the POSIX queue of the posix-mq case
SYS_ADD_KEY, SYS_KEYCTL = 248, 250
IPPROTO_SCTP, SCTP_SOCKOPT_CONNECTX, SCTP_SNDINFO, SCTP_SENDALL = 132, 110, 2, 64
KEYCTL_SEARCH, KEYCTL_READ, KEY_SPEC_USER_KEYRING = 10, 11, -4


def sockaddr_in(family, addr, port):
    """A raw struct sockaddr_in with any sa_family (AF_UNSPEC included)."""
    return struct.pack("=H", family) + struct.pack("!H", port) + socket.inet_aton(addr) + bytes(8)


def raw(fn, *args):
    if fn(*args) < 0:
        return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    return "OK"


def try_send(case, read_secret, port):
    """Run in the sender: returns the outcome of the send."""
    try:
        if case == "udp-cork":
            # corked to the receiver while unlabeled; the secret is appended
            # by a send without an address, which goes where the cork goes
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(b"x", socket.MSG_MORE, ("127.0.0.1", port))
            s.send(read_secret())
            return "OK"
        if case == "udp-cork-connected":
            # connected to an allowed address, corked to the blocked one
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.connect(("127.0.0.2", 9))
            s.sendto(b"x", socket.MSG_MORE, ("127.0.0.1", port))
            s.send(read_secret())
            return "OK"
        if case == "sctp-sendall":
            # an association set up while unlabeled; then the secret goes to
            # every association of the socket, with no address in the call
            s = socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, IPPROTO_SCTP)
            s.sendto(b"hello", ("127.0.0.1", port))
            sndinfo = struct.pack("=HHIII", 0, SCTP_SENDALL, 0, 0, 0)
            s.sendmsg([read_secret()], [(IPPROTO_SCTP, SCTP_SNDINFO, sndinfo)])
            return "OK"
        data = read_secret()
        if case == "sctp-connectx":	# connectx(2): a list of peer addresses
            s = socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, IPPROTO_SCTP)
            s.setsockopt(IPPROTO_SCTP, SCTP_SOCKOPT_CONNECTX,
                         sockaddr_in(socket.AF_INET, "127.0.0.1", port))
            return "OK"		# refused: connect() to it would be
        # source routes: the first hop is the blocked loopback address, the
        # destination an allowed one (the kernel routes to the first hop)
        if case == "udp-lsrr":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            lsrr = bytes([1, 131, 7, 4]) + socket.inet_aton("127.0.0.1")	# NOP, LSRR
            s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, lsrr)
            s.sendto(data, ("10.9.9.9", port))
            return "OK"
        srh = bytes([0, 2, 4, 0, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, "::1")
        if case == "udp6-srh":			# IPV6_RTHDR socket option, type 4
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RTHDR, srh)
            s.sendto(data, ("2001:db8::1", port))
            return "OK"
        if case == "tcp6-srh":			# the SYN goes to the first hop
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RTHDR, srh)
            s.settimeout(2)
            s.connect(("2001:db8::1", port))
            return "OK"
        if case == "udp6-rthdr-cmsg":		# ancillary data, type 2
            rh2 = bytes([0, 2, 2, 1, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, "::1")
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.sendmsg([data], [(socket.IPPROTO_IPV6, socket.IPV6_RTHDR, rh2)], 0,
                      ("2001:db8::1", port))
            return "OK"
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
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def err_name(e):
    return errno.errorcode.get(e, str(e))


def read_secret(secret):
    with open(secret, "rb") as f:
        return f.read()


def produce(case, secret, w, chan):
    """Run in the labeled producer: move the secret towards the relay."""
    if case == "splice-in":		# file -> pipe by splice(2)
        fd = os.open(secret, os.O_RDONLY)
        os.splice(fd, w, SECRET_LEN)
    elif case == "sendfile-pipe":	# file -> pipe by sendfile(2)
        fd = os.open(secret, os.O_RDONLY)
        os.sendfile(w, fd, None, SECRET_LEN)
    elif case == "vmsplice":		# memory -> pipe
        buf = ctypes.create_string_buffer(read_secret(secret))
        iov = iovec(ctypes.addressof(buf), len(buf.value))
        libc.vmsplice(w, ctypes.byref(iov), 1, 0)
    elif case == "tee":			# pipe -> pipe without reading it
        r1, w1 = os.pipe()
        os.write(w1, read_secret(secret))
        libc.tee(r1, w, SECRET_LEN, 0)
    elif case in ("relay-read", "splice-out", "splice-out-wait", "vmsplice-out"):
        if case == "splice-out-wait":
            import time
            time.sleep(0.5)		# the relay is already waiting on the pipe
        os.write(w, read_secret(secret))
    elif case in ("recvmmsg-dgram", "recvmmsg-stream"):
        import time
        chan.send(b"hello")		# unlabeled: received by the first message
        time.sleep(1)			# the relay waits for the second
        chan.send(read_secret(secret))	# received by the second, without a hook
    elif case == "sysv-msg":
        data = read_secret(secret)
        q = libc.msgget(IPC_KEY, 0o1600)	# IPC_CREAT | 0600
        msg = ctypes.create_string_buffer(struct.pack("l", 1) + data)
        libc.msgsnd(q, msg, len(data), 0)
    elif case == "mmap-early":		# into a file the relay mapped while it was unlabeled
        import time
        time.sleep(1)			# the relay has mapped it
        data = read_secret(secret)
        fd = os.open(mapped_file(secret), os.O_WRONLY)
        os.pwrite(fd, data, 0)
        time.sleep(3)			# until the relay has read it
    elif case == "mmap-write-early":	# through a mapping made before reading the secret
        import mmap, time
        fd = os.open(mapped_file(secret), os.O_RDWR)
        m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        data = read_secret(secret)
        m[:len(data)] = data
        time.sleep(3)
    elif case == "shared-anon":		# shared anonymous memory inherited across fork
        import time
        data = read_secret(secret)
        SHARED[0][:len(data)] = data
        time.sleep(3)
    elif case == "posix-mq":
        # opened while unlabeled: opening a queue for writing labels it like
        # a file, so the secret is read after the open, and only mq_send
        # carries it
        q = libc.mq_open(MQ_NAME, os.O_CREAT | os.O_WRONLY, 0o600, None)
        data = read_secret(secret)
        libc.mq_send(q, data, len(data), 0)
    elif case == "sysv-shm":
        data = read_secret(secret)
        seg = libc.shmget(IPC_KEY, 4096, 0o1600)
        addr = libc.shmat(seg, None, 0)
        ctypes.memmove(addr, data, len(data))
        import time
        time.sleep(3)			# until the relay has read it
    elif case == "keyring":
        data = read_secret(secret)
        libc.syscall(SYS_ADD_KEY, b"user", KEY_DESC, data, ctypes.c_size_t(len(data)),
                     KEY_SPEC_USER_KEYRING)
    elif case == "process-vm-readv":
        buf = ctypes.create_string_buffer(SECRET_LEN)
        os.write(w, b"%d" % ctypes.addressof(buf))	# unlabeled: only an address
        ctypes.memmove(buf, read_secret(secret), len(read_secret(secret)))
        import time
        time.sleep(3)			# until the relay has copied it
    os._exit(0)


def shm_attached(key):
    """Is the SysV segment with @key attached by someone?  Read from
    /proc/sysvipc/shm (key shmid perms size cpid lpid nattch ...), which
    carries no labels."""
    with open("/proc/sysvipc/shm") as f:
        for line in f.readlines()[1:]:
            col = line.split()
            if len(col) > 6 and int(col[0]) == key:
                return int(col[6]) > 0
    return False


def relay(case, r, chan, port, producer):
    """Run in the unlabeled relay: get the data, then send it on.  Returns
    the outcome of the send."""
    try:
        dest = ("127.0.0.1", port)
        if case in ("relay-read", "splice-in", "sendfile-pipe", "vmsplice", "tee",
                    "splice-out", "vmsplice-out", "process-vm-readv"):
            import select
            select.select([r], [], [], 5)	# the data is in the pipe (or an address)
        if case in ("splice-out", "splice-out-wait"):
            # pipe -> socket: the data never passes through this process
            s = socket.create_connection(dest)
            os.splice(r, s.fileno(), SECRET_LEN)
            s.close()
            return "OK"
        if case == "vmsplice-out":		# pipe -> memory
            buf = ctypes.create_string_buffer(SECRET_LEN)
            iov = iovec(ctypes.addressof(buf), SECRET_LEN)
            if libc.vmsplice(r, ctypes.byref(iov), 1, 0) < 0:
                return err_name(ctypes.get_errno())
            data = buf.raw.rstrip(b"\0")
        elif case.startswith("recvmmsg"):
            bufs = [ctypes.create_string_buffer(SECRET_LEN) for _ in range(2)]
            iovs = (iovec * 2)(*[iovec(ctypes.addressof(b), SECRET_LEN) for b in bufs])
            msgs = (mmsghdr * 2)()
            for i in range(2):
                msgs[i].hdr.iov = ctypes.pointer(iovs[i])
                msgs[i].hdr.iovlen = 1
            n = libc.recvmmsg(chan.fileno(), msgs, 2, 0, None)
            if n < 0:
                return "recvmmsg:" + err_name(ctypes.get_errno())
            data = b"".join(bufs[i].raw[:msgs[i].len] for i in range(n))
            if b"=" not in data:
                return "relay-got-no-secret"
        elif case in ("mmap-early", "mmap-write-early", "shared-anon"):
            import mmap, time
            if case == "mmap-early":
                fd = os.open(mapped_file(SECRET[0]), os.O_RDONLY)
                m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ)
            elif case == "shared-anon":
                m = SHARED[0]
            data = b""
            for _ in range(100):		# until the producer has put it there
                if case == "mmap-write-early":
                    with open(mapped_file(SECRET[0]), "rb") as f:
                        data = f.read(SECRET_LEN).rstrip(b"\0")
                else:
                    data = m[:SECRET_LEN].rstrip(b"\0")
                if data:
                    break
                time.sleep(0.05)
            if not data:
                return "relay-got-nothing"
        elif case in ("sysv-msg", "sysv-shm", "keyring", "posix-mq"):
            import time
            data = b""
            for _ in range(100):		# until the producer has put it there
                if case == "posix-mq":
                    q = libc.mq_open(MQ_NAME, os.O_RDONLY | os.O_NONBLOCK, 0, None)
                    buf = ctypes.create_string_buffer(8192)	# >= the default mq_msgsize
                    n = libc.mq_receive(q, buf, 8192, None) if q >= 0 else -1
                    data = buf.raw[:n] if n > 0 else b""
                    if q >= 0:
                        os.close(q)
                elif case == "sysv-msg":
                    q = libc.msgget(IPC_KEY, 0)
                    buf = ctypes.create_string_buffer(8 + SECRET_LEN)
                    n = libc.msgrcv(q, buf, SECRET_LEN, 0, 0o4000) if q >= 0 else -1
                    data = buf.raw[8:8 + n] if n > 0 else b""
                elif case == "sysv-shm":
                    # Attach only once the producer has: a segment attached
                    # before it was labeled shows later data without
                    # labeling the reader (docs/SECURITY.md 4.3), which
                    # this case does not test.
                    seg = libc.shmget(IPC_KEY, 4096, 0) if shm_attached(IPC_KEY) else -1
                    addr = libc.shmat(seg, None, 0o10000) if seg >= 0 else None	# SHM_RDONLY
                    if addr and addr != ctypes.c_void_p(-1).value:
                        data = ctypes.string_at(addr)
                        libc.shmdt(addr)
                    if data:
                        # shm_nattch counts the producer before its shmat
                        # reaches the mmap hook that labels the segment, so
                        # the attach above may have come first.  The data
                        # is written after that hook: attach once more.
                        addr = libc.shmat(seg, None, 0o10000)
                        if addr and addr != ctypes.c_void_p(-1).value:
                            data = ctypes.string_at(addr)
                            libc.shmdt(addr)
                else:
                    kid = libc.syscall(SYS_KEYCTL, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING,
                                       b"user", KEY_DESC, 0)
                    if kid > 0:
                        buf = ctypes.create_string_buffer(SECRET_LEN)
                        n = libc.syscall(SYS_KEYCTL, KEYCTL_READ, kid, buf,
                                         ctypes.c_size_t(SECRET_LEN))
                        data = buf.raw[:n] if n > 0 else b""
                if data:
                    break
                time.sleep(0.05)
            if not data:
                return "relay-got-nothing"
        elif case == "process-vm-readv":
            addr = int(os.read(r, 64))
            buf = ctypes.create_string_buffer(SECRET_LEN)
            for _ in range(100):
                local = iovec(ctypes.addressof(buf), SECRET_LEN)
                remote = iovec(addr, SECRET_LEN)
                if libc.process_vm_readv(producer, ctypes.byref(local), 1,
                                         ctypes.byref(remote), 1, 0) < 0:
                    return "process_vm_readv:" + err_name(ctypes.get_errno())
                if buf.value:
                    break
                import time
                time.sleep(0.05)
            data = buf.value
        else:
            data = os.read(r, SECRET_LEN)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(dest)
        s.sendall(data)
        s.close()
        return "OK"
    except OSError as e:
        return err_name(e.errno)


SECRET = [None]		# the secret file's path, for the relay's file cases
SHARED = [None]		# shared-anon: the mapping both children inherit


def mapped_file(secret):
    """The file the mmap cases share: next to the secret, zeroed by main."""
    return os.path.join(os.path.dirname(secret), "mapped.dat")


RELAYS = ("mmap-early", "mmap-write-early", "shared-anon", "relay-read", "splice-in", "sendfile-pipe", "vmsplice", "tee", "splice-out", "splice-out-wait",
          "vmsplice-out", "recvmmsg-dgram", "recvmmsg-stream", "process-vm-readv",
          "sysv-msg", "sysv-shm", "keyring", "posix-mq")


def main_relay(case, secret):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("0.0.0.0", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    r, w = os.pipe()
    chans = [None, None]
    if case.startswith("recvmmsg"):
        kind = socket.SOCK_DGRAM if case.endswith("dgram") else socket.SOCK_STREAM
        chans = socket.socketpair(socket.AF_UNIX, kind)
    SECRET[0] = secret
    if case.startswith("mmap"):
        # a new inode each time: labels stay with a file, and an earlier
        # case's label on it would make this one pass for the wrong reason
        try:
            os.unlink(mapped_file(secret))
        except FileNotFoundError:
            pass
        with open(mapped_file(secret), "wb") as f:
            f.write(bytes(4096))
    if case == "shared-anon":
        import mmap
        SHARED[0] = mmap.mmap(-1, 4096, flags=mmap.MAP_SHARED)
    res_r, res_w = os.pipe()
    producer = os.fork()
    if producer == 0:
        os.close(r)
        srv.close()
        produce(case, secret, w, chans[0])
    relay_pid = os.fork()
    if relay_pid == 0:
        os.close(w)
        srv.close()
        os.write(res_w, relay(case, r, chans[1], port, producer).encode())
        os._exit(0)
    os.close(w)
    os.close(res_w)
    srv.settimeout(5)
    got = b""
    try:
        conn, _ = srv.accept()
        conn.settimeout(3)
        got = conn.recv(4096)
    except (socket.timeout, OSError):
        pass
    outcome = os.read(res_r, 100).decode()
    os.waitpid(relay_pid, 0)
    os.kill(producer, 9)
    os.waitpid(producer, 0)
    if case in ("sysv-msg", "sysv-shm"):
        get = libc.msgget if case == "sysv-msg" else lambda k, f: libc.shmget(k, 0, f)
        ident = get(IPC_KEY, 0)
        if ident >= 0:
            (libc.msgctl if case == "sysv-msg" else libc.shmctl)(ident, 0, None)	# IPC_RMID
    if case == "posix-mq":
        libc.mq_unlink(MQ_NAME)
    if case == "keyring":
        kid = libc.syscall(SYS_KEYCTL, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, b"user", KEY_DESC, 0)
        if kid > 0:
            libc.syscall(SYS_KEYCTL, 21, kid)	# KEYCTL_INVALIDATE
    print("sent=%s received=%s" % (outcome, "yes" if got else "no"))


INFLIGHT = ("inflight-tcp", "inflight-sendmmsg", "inflight-done")
BIG = 24 << 20		# far more than a loopback TCP socket buffers


def read_into_later(secret, buf, at):
    """Start a sibling thread that, a second later, reads the secret into
    @buf at offset @at; return it and the dict its outcome goes to."""
    res = {}

    def reader():
        time.sleep(1)
        try:
            data = read_secret(secret)
            buf[at:at + len(data)] = data
            res["read"] = "OK"
        except OSError as e:
            res["read"] = err_name(e.errno)

    t = threading.Thread(target=reader)
    t.start()
    return t, res


def inflight_send(case, port, secret):
    """Run in the sender (a session process, unlabeled): a send that blocks
    for buffer space; meanwhile a sibling thread reads the secret and puts
    it into the part of the buffer not copied yet."""
    s = socket.create_connection(("127.0.0.1", port))	# blocking: one send
    if case == "inflight-done":
        # a send that has returned is not in flight: the read is allowed,
        # and the next send is checked with the label
        s.sendall(b"hello")
        try:
            read_secret(secret)
            rd = "OK"
        except OSError as e:
            rd = err_name(e.errno)
        try:
            s.sendall(b"API_KEY" + bytes(64))
            sent = "OK"
        except OSError as e:
            sent = err_name(e.errno)
        return "read=%s sent=%s" % (rd, sent)
    buf = bytearray(BIG)
    t, res = read_into_later(secret, buf, BIG - 4096)
    try:
        if case == "inflight-tcp":
            s.sendall(buf)
        else:
            # sendmmsg: the second message repeats the first's address, so
            # the kernel sends it without the LSM hook
            sa = sockaddr_in(socket.AF_INET, "127.0.0.1", port)
            name = ctypes.create_string_buffer(sa, len(sa))
            first = ctypes.create_string_buffer(b"x", 1)
            big = (ctypes.c_char * BIG).from_buffer(buf)
            iovs = (iovec * 2)(iovec(ctypes.addressof(first), 1),
                               iovec(ctypes.addressof(big), BIG))
            msgs = (mmsghdr * 2)()
            for i in range(2):
                msgs[i].hdr.name = ctypes.addressof(name)
                msgs[i].hdr.namelen = len(sa)
                msgs[i].hdr.iov = ctypes.pointer(iovs[i])
                msgs[i].hdr.iovlen = 1
            if libc.sendmmsg(s.fileno(), msgs, 2, 0) < 0:
                raise OSError(ctypes.get_errno(), "sendmmsg")
        sent = "OK"
    except OSError as e:
        sent = err_name(e.errno)
    t.join()
    return "read=%s sent=%s" % (res.get("read"), sent)


def drain(conn, timeout):
    """What @conn receives until EOF, or until @timeout seconds pass without data."""
    got = bytearray()
    conn.settimeout(timeout)
    try:
        while True:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            got += chunk
    except (socket.timeout, OSError):
        pass
    return got


def report(rd, pid, got, extra=""):
    """Print the sender's outcome (read from @rd once it is done) and
    whether the secret arrived."""
    outcome = os.read(rd, 100).decode()
    os.waitpid(pid, 0)
    print("%s received=%s%s" % (outcome, "yes" if b"API_KEY" in got else "no", extra))


def main_inflight(case, secret):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        srv.close()
        os.write(wr, inflight_send(case, port, secret).encode())
        os._exit(0)
    os.close(wr)
    srv.settimeout(10)
    got = b""
    try:
        conn, _ = srv.accept()
        time.sleep(3)		# the sender blocks; its sibling reads meanwhile
        got = drain(conn, 20)
    except (socket.timeout, OSError):
        pass
    report(rd, pid, got)


def seqpacket_send(a, secret):
    """Run in the sender (a session process, unlabeled): fill the socket's
    send buffer, then a send that waits for space before it copies;
    meanwhile a sibling thread reads the secret into its buffer."""
    msg = 32 << 10
    a.setblocking(False)
    try:
        while True:
            a.send(bytes(msg))
    except BlockingIOError:
        pass
    a.setblocking(True)
    buf = bytearray(msg)
    t, res = read_into_later(secret, buf, 0)
    a.send(buf)
    t.join()
    a.close()
    return "read=%s" % res.get("read")


def main_seqpacket(secret):
    """The receiver of a Unix seqpacket send in flight must end up carrying
    the label that arrived in the sender meanwhile: its connect to
    127.0.0.1 is then refused."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        b.close()
        os.write(wr, seqpacket_send(a, secret).encode())
        os._exit(0)
    os.close(wr)
    a.close()
    time.sleep(3)		# the sender blocks; its sibling reads meanwhile
    got = drain(b, 10)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        c.connect(srv.getsockname())	# before reading the sender's (labeled) outcome
        conn = "OK"
    except OSError as e:
        conn = err_name(e.errno)
    report(rd, pid, got, " connect=" + conn)


def main_overflow(secret, n):
    """@n threads of a session process each have a send in flight to
    127.0.0.2, where SECRET may go; then another thread reads the secret.
    Eight sends are recorded per process: with more, the label's arrival
    cannot be checked against all of them and follows the fail mode."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.2", 0))
    srv.listen(n)
    port = srv.getsockname()[1]
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        srv.close()
        socks = [socket.create_connection(("127.0.0.2", port)) for _ in range(n)]
        threads = [threading.Thread(target=c.sendall, args=(bytes(BIG),)) for c in socks]
        for t in threads:
            t.start()
        time.sleep(2)		# every send blocks for buffer space
        try:
            read_secret(secret)
            res = "OK"
        except OSError as e:
            res = err_name(e.errno)
        os.write(wr, ("read=%s" % res).encode())
        for t in threads:
            t.join()
        os._exit(0)
    os.close(wr)
    srv.settimeout(10)
    conns = [srv.accept()[0] for _ in range(n)]
    outcome = os.read(rd, 100).decode()	# only then drain
    for c in conns:
        threading.Thread(target=lambda c=c: [None for _ in iter(lambda: c.recv(1 << 20), b"")]).start()
    os.waitpid(pid, 0)
    print(outcome)


SO_ZEROCOPY, MSG_ZEROCOPY = 60, 0x4000000


def zerocopy_send(port, secret, go):
    """Run in the sender (a session process, unlabeled, one thread): a
    zero-copy send leaves its data in the process's pages, queued while the
    receiver does not read; the process then reads the secret into those
    pages, and the data goes out when the receiver drains."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, SO_ZEROCOPY, 1)
    buf = bytearray(8 << 20)
    try:
        n = s.send(buf, MSG_ZEROCOPY | socket.MSG_DONTWAIT)
        sent = "OK"
    except OSError as e:
        n, sent = 0, err_name(e.errno)
    try:
        data = read_secret(secret)
        rd = "OK"
        for off in range(0, n - len(data), len(data)):
            buf[off:off + len(data)] = data
    except OSError as e:
        rd = err_name(e.errno)
    os.write(go, b"x")		# the receiver may drain now
    time.sleep(4)		# keep the pages while it does
    s.close()
    return "sent=%s read=%s" % (sent, rd)


def main_zerocopy(secret):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    rd, wr = os.pipe()
    grd, gwr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        os.close(grd)
        srv.close()
        os.write(wr, zerocopy_send(port, secret, gwr).encode())
        os._exit(0)
    os.close(wr)
    os.close(gwr)
    srv.settimeout(10)
    got = b""
    try:
        conn, _ = srv.accept()
        os.read(grd, 1)		# not before the sender has read the secret
        got = drain(conn, 3)
    except (socket.timeout, OSError):
        pass
    report(rd, pid, got)


def main():
    case, secret = sys.argv[1], sys.argv[2]
    if case == "zerocopy":
        return main_zerocopy(secret)
    if case == "inflight-seqpacket":
        return main_seqpacket(secret)
    if case.startswith("inflight-threads-"):
        return main_overflow(secret, int(case.rsplit("-", 1)[1]))
    if case in INFLIGHT:
        return main_inflight(case, secret)
    if case in RELAYS:
        return main_relay(case, secret)
    tcp = case.startswith("tcp")
    sctp = case.startswith("sctp")
    six = case in ("tcp-any6", "tcp-any-mapped")
    fam = socket.AF_INET6 if six else socket.AF_INET
    if sctp:
        srv = socket.socket(fam, socket.SOCK_SEQPACKET, IPPROTO_SCTP)
    else:
        srv = socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    if six:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        srv.bind(("::", 0))
    else:
        srv.bind(("0.0.0.0", 0))
    port = srv.getsockname()[1]
    if tcp or sctp:
        srv.listen(1)
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        srv.close()
        os.write(wr, try_send(case, lambda: open(secret, "rb").read(), port).encode())
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
            while b"=" not in got:	# an SCTP association starts with a harmless message
                got += srv.recv(4096)
    except (socket.timeout, OSError):
        pass
    got = got if b"=" in got else b""
    outcome = os.read(rd, 100).decode()
    os.waitpid(pid, 0)
    print("sent=%s received=%s" % (outcome, "yes" if got else "no"))


main()
