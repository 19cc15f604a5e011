// SPDX-License-Identifier: GPL-2.0-only
/*
 * Label propagation: what each hook does to label state.  The rules are
 * fixed (DESIGN §3): fork copies, exec and read make the process absorb the
 * object's labels, write makes the object absorb the process's labels,
 * sending labels the destination endpoint or socket, receiving absorbs it.
 *
 * Fast path: every function first asks the cheap question ("does the
 * process carry labels?", "is any object of this kind labeled?") and returns
 * before touching a table when the answer is no.  No path is resolved here.
 *
 * Return values are hook verdicts: 0, or -ENOMEM when a flow could not be
 * recorded and the fail mode is fail-closed.
 */
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/af_unix.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <linux/pipe_fs_i.h>
#include <linux/ptrace.h>
#include <linux/udp.h>
#include <uapi/linux/sctp.h>
#include <linux/ipc.h>
#include <linux/key.h>
#include <net/ip.h>
#include <uapi/linux/seg6.h>
#include "actplane.h"
#include "eval.h"

/* An event about a file at @path (name is its last component). */
static void ap_ev_file(struct ap_event *ev, const struct path *path, const struct inode *inode)
{
	memset(ev, 0, offsetof(struct ap_event, inline_buf));
	memset(ev->ops, AP_NO_OP, sizeof(ev->ops));
	ev->fpath = path;
	ev->inode = inode;
	ev->name = path->dentry->d_name.name;
	ev->name_len = strnlen(ev->name, NAME_MAX);
}

/* An event about @name inside directory @dir (unlink, rename and link targets). */
static void ap_ev_child(struct ap_event *ev, const struct path *dir, const struct dentry *d)
{
	memset(ev, 0, offsetof(struct ap_event, inline_buf));
	memset(ev->ops, AP_NO_OP, sizeof(ev->ops));
	ev->fpath = dir;
	ev->child_name = d->d_name.name;
	ev->name = d->d_name.name;
	ev->name_len = strnlen(ev->name, NAME_MAX);
	ev->inode = d_inode(d);
}

static int ap_eval_once(struct ap_event *ev)
{
	int ret = ap_evaluate(ev);

	ap_event_release(ev);
	return ret;
}

/* The current process reads an object carrying @obj. */
static int ap_flow_in(u64 obj)
{
	return obj ? ap_task_absorb(current, obj) : 0;
}

/* The current process writes an inode. */
static int ap_flow_to_inode(struct inode *inode)
{
	u64 l;

	if (S_ISCHR(inode->i_mode))
		return 0;
	l = ap_task_labels(current);
	return l ? ap_file_absorb(inode, l) : 0;
}

/*
 * Objects that carry no labels themselves: sockets (the socket hooks handle
 * them), character devices (a tty's output and input are different
 * channels; /dev/null keeps nothing), and the anonymous-inode file system:
 * eventfd, timerfd, signalfd, epoll and friends of every process on the
 * machine share its one inode, so a label on it would spread from one
 * labeled writer to everything that touches any of them (docs/SECURITY.md
 * §4.3: their few bytes of state carry no labels).
 */
static bool ap_inode_untracked(const struct inode *inode)
{
	return S_ISSOCK(inode->i_mode) || S_ISCHR(inode->i_mode) ||
	       inode->i_sb->s_magic == ANON_INODE_FS_MAGIC;
}

int ap_on_file_open(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct ap_event ev;
	int ret = 0, n = 0;

	ap_stats_hook_hit(ACTPLANE_HOOK_FILE_OPEN);
	if (ap_inode_untracked(inode))
		return 0;
	/* rules first: a denied open propagates nothing */
	ap_ev_file(&ev, &file->f_path, inode);
	/* "open" is any open; "read" and "write" say which way */
	ev.ops[n++] = ACTPLANE_OP_OPEN;
	if (file->f_mode & FMODE_READ)
		ev.ops[n++] = ACTPLANE_OP_READ;
	if (file->f_mode & FMODE_WRITE)
		ev.ops[n++] = ACTPLANE_OP_WRITE;
	ret = ap_eval_once(&ev);
	if (ret)
		return ret;
	if (file->f_mode & FMODE_READ)
		ret = ap_flow_in(ap_file_labels(inode));
	if (!ret && (file->f_mode & FMODE_WRITE))
		ret = ap_flow_to_inode(inode);
	return ret;
}

int ap_on_file_permission(struct file *file, int mask)
{
	struct inode *inode = file_inode(file);
	int ret = 0;

	ap_stats_hook_hit(ACTPLANE_HOOK_FILE_PERMISSION);
	if (ap_inode_untracked(inode))
		return 0;
	if (mask & MAY_READ)
		ret = ap_flow_in(ap_file_labels(inode));
	if (!ret && (mask & (MAY_WRITE | MAY_APPEND)))
		ret = ap_flow_to_inode(inode);
	return ret;
}

/*
 * After a pipe/FIFO read returned data.  The permission hook runs before a
 * blocking read sleeps, i.e. possibly before the writer labeled the pipe;
 * this catches what arrived while the reader slept.
 */
void ap_on_pipe_read_done(struct kiocb *iocb, long ret)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_PIPE_READ);
	if (ret > 0 && iocb->ki_filp && !ap_inode_untracked(file_inode(iocb->ki_filp)))
		ap_flow_in(ap_file_labels(file_inode(iocb->ki_filp)));
}

int ap_on_inode_write(struct inode *inode, enum actplane_hook hook)
{
	ap_stats_hook_hit(hook);
	return inode ? ap_flow_to_inode(inode) : 0;
}

/* truncate(2), ftruncate(2), O_TRUNC: a write to the file at @path. */
int ap_on_truncate(const struct path *path, enum actplane_hook hook)
{
	struct inode *inode = d_inode(path->dentry);
	struct ap_event ev;
	int ret;

	ap_stats_hook_hit(hook);
	if (!inode)
		return 0;
	ap_ev_file(&ev, path, inode);
	ev.ops[0] = ACTPLANE_OP_WRITE;
	ret = ap_eval_once(&ev);
	return ret ?: ap_flow_to_inode(inode);
}

int ap_on_path_unlink(const struct path *dir, struct dentry *dentry)
{
	struct ap_event ev;

	ap_stats_hook_hit(ACTPLANE_HOOK_PATH_UNLINK);
	ap_ev_child(&ev, dir, dentry);
	ev.ops[0] = ACTPLANE_OP_UNLINK;
	return ap_eval_once(&ev);
}

/*
 * A new name in @dir: a file created by open(O_CREAT) or mknod, a directory,
 * a symlink.  It is a write of the new path (so "block write" rules leave
 * no empty file behind); nothing exists yet to carry labels.
 */
int ap_on_path_create(const struct path *dir, struct dentry *dentry, enum actplane_hook hook)
{
	struct ap_event ev;

	ap_stats_hook_hit(hook);
	ap_ev_child(&ev, dir, dentry);
	ev.ops[0] = ACTPLANE_OP_WRITE;
	return ap_eval_once(&ev);
}

/*
 * rename: the old name goes away (unlink rules) and the new name is written
 * (write rules; "rename onto").  The moved inode absorbs the renamer's labels.
 */
int ap_on_path_rename(const struct path *old_dir, struct dentry *old_dentry,
		      const struct path *new_dir, struct dentry *new_dentry)
{
	struct ap_event ev;
	int ret;

	ap_stats_hook_hit(ACTPLANE_HOOK_INODE_RENAME);
	ap_ev_child(&ev, old_dir, old_dentry);
	ev.ops[0] = ACTPLANE_OP_UNLINK;
	ret = ap_eval_once(&ev);
	if (ret)
		return ret;
	ap_ev_child(&ev, new_dir, new_dentry);
	ev.ops[0] = ACTPLANE_OP_WRITE;
	ev.inode = d_inode(old_dentry);
	ret = ap_eval_once(&ev);
	if (ret)
		return ret;
	return d_inode(old_dentry) ? ap_flow_to_inode(d_inode(old_dentry)) : 0;
}

/* link: a new name for the inode is written. */
int ap_on_path_link(struct dentry *old_dentry, const struct path *new_dir,
		    struct dentry *new_dentry)
{
	struct ap_event ev;
	int ret;

	ap_stats_hook_hit(ACTPLANE_HOOK_INODE_LINK);
	ap_ev_child(&ev, new_dir, new_dentry);
	ev.ops[0] = ACTPLANE_OP_WRITE;
	ev.inode = d_inode(old_dentry);
	ret = ap_eval_once(&ev);
	if (ret)
		return ret;
	return d_inode(old_dentry) ? ap_flow_to_inode(d_inode(old_dentry)) : 0;
}

int ap_on_mmap(struct file *file, unsigned long prot, unsigned long flags)
{
	int ret = 0;

	ap_stats_hook_hit(ACTPLANE_HOOK_MMAP_FILE);
	if (!file)
		return 0;
	if (ap_inode_untracked(file_inode(file)))
		return 0;
	if (prot & PROT_READ)
		ret = ap_flow_in(ap_inode_labels(file_inode(file)));
	if (!ret && (prot & PROT_WRITE) && (flags & MAP_TYPE) != MAP_PRIVATE)
		ret = ap_flow_to_inode(file_inode(file));
	return ret;
}

int ap_on_mprotect(struct vm_area_struct *vma, unsigned long prot)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_FILE_MPROTECT);
	if (!vma->vm_file || !(vma->vm_flags & VM_SHARED) || !(prot & PROT_WRITE))
		return 0;
	return ap_flow_to_inode(file_inode(vma->vm_file));
}

/*
 * execve, before the point of no return (sleepable hook): rules on the new
 * program, its arguments (read from the new mm, never from the caller's
 * memory) and the exec-time transforms.
 */
/*
 * A program whose content only root controls: owned by root (as the
 * initial namespace sees it), writable by nobody else, on a mount where
 * ownership means something (not nosuid: a FUSE file system a user mounts
 * with fusermount is nosuid, and its daemon reports any owner it likes).
 */
static bool ap_exec_root_owned(const struct file *file)
{
	const struct inode *inode = file_inode(file);

	return uid_eq(inode->i_uid, GLOBAL_ROOT_UID) && !(inode->i_mode & (S_IWGRP | S_IWOTH)) &&
	       inode->i_sb->s_user_ns == &init_user_ns &&
	       !(inode->i_sb->s_iflags & SB_I_UNTRUSTED_MOUNTER) &&
	       !(file->f_path.mnt->mnt_flags & MNT_NOSUID);
}

/*
 * The trust a declassify/endorse exec grants goes to the program, not to
 * whatever its caller makes it run:
 *  - the program runs in secure-execution mode (AT_SECURE, as for setuid
 *    programs): the dynamic loader ignores LD_PRELOAD, LD_LIBRARY_PATH,
 *    LD_AUDIT and the like, and the C library drops them from the
 *    environment its children inherit;
 *  - an environment that makes an interpreter load caller-chosen code
 *    (BASH_ENV, PYTHONPATH, PERL5OPT, NODE_OPTIONS, ...) withholds the
 *    trust: the program runs, without it;
 *  - the immunity it passes to what it executes ends at a program that is
 *    not root-owned and write-protected (a `sed` found first on the
 *    caller's PATH): see ap_on_exec().
 */
static void ap_exec_secure(struct linux_binprm *bprm)
{
	const char *bad;

	if (!ap_exec_trusts(bprm))
		return;
	bad = ap_exec_env_unsafe(bprm);
	if (bad) {
		ap_exec_withhold(bprm);
		ap_stats_inc(ACTPLANE_CTR_TRUST_WITHHELD);
		pr_notice_ratelimited("actplane: pid %d: trusted exec runs untrusted: environment sets %.*s\n",
				      task_tgid_nr(current), (int)strcspn(bad, "="), bad);
		return;
	}
	bprm->secureexec = 1;
}

/* The dynamic loader, by its name (ld-linux-x86-64.so.2, ld.so, ld64.so.1, ld-musl-*.so.1). */
static bool ap_is_loader(const struct qstr *n)
{
	const char *s = (const char *)n->name;

	return (!strncmp(s, "ld-", 3) && strstr(s, ".so")) || !strncmp(s, "ld.so", 5) ||
	       !strncmp(s, "ld64.so", 7);
}

/*
 * `ld.so /usr/bin/git push` runs git with no exec of git: the exec rules
 * are asked about PROGRAM and its arguments too (rules only: running a
 * program through the loader, which honours --preload, grants none of the
 * trust an exec of it would).  A copy of the loader under another name is
 * a copy (docs/SECURITY.md §4.1).
 */
static int ap_exec_loader(struct linux_binprm *bprm)
{
	struct ap_event args, ev;
	struct path path;
	const char *prog;
	int ret;

	memset(&args, 0, offsetof(struct ap_event, inline_buf));
	prog = ap_loader_argv(bprm, &args);
	if (!prog)
		return 0;
	if (IS_ERR(prog))
		return ap_incomplete();		/* its arguments could not be read */
	if (kern_path(prog, LOOKUP_FOLLOW, &path)) {
		kvfree(args.argv);
		return 0;			/* the loader will not find it either */
	}
	ap_ev_file(&ev, &path, d_inode(path.dentry));
	ev.ops[0] = ACTPLANE_OP_EXEC;
	ev.argv = args.argv;		/* freed with the event */
	ev.argv_len = args.argv_len;
	ev.argc = args.argc;
	ev.argv_read = true;
	ev.rules_only = true;
	ret = ap_eval_once(&ev);
	path_put(&path);
	return ret;
}

int ap_on_exec(struct linux_binprm *bprm)
{
	struct inode *inode = file_inode(bprm->file);
	struct ap_event ev;
	int ret;

	ap_stats_hook_hit(ACTPLANE_HOOK_BPRM_CHECK);
	ret = ap_task_exec();
	if (ret)
		return ret;
	/* a trusted program's immunity does not reach code its caller supplied */
	if (!ap_exec_root_owned(bprm->file) && ap_task_drop_immunity(current))
		ap_stats_inc(ACTPLANE_CTR_IMMUNITY_DROPPED);
	/*
	 * The first `#!` level of an execve (no binfmt has changed interp
	 * yet): trust a failed earlier exec left pending is void.
	 */
	if (bprm->interp == bprm->filename)
		ap_exec_cancel();
	ap_ev_file(&ev, &bprm->file->f_path, inode);
	ev.ops[0] = ACTPLANE_OP_EXEC;
	ev.exec = true;
	ev.bprm = bprm;
	ev.absorb = ap_inode_labels(inode);
	/*
	 * If the arguments cannot be read (no memory, pages gone), ev.argv
	 * stays NULL and any clause, gate or invalidator that needs them
	 * marks the event incomplete: the fail mode decides (ap_argv_match()).
	 */
	if (ap_policy_wants_argv())
		ap_event_read_argv(&ev);
	ret = ap_eval_once(&ev);
	if (!ret)
		ret = ap_flow_in(ap_inode_labels(inode));
	if (!ret && ap_is_loader(&bprm->file->f_path.dentry->d_name))
		ret = ap_exec_loader(bprm);
	if (ret)
		ap_exec_cancel();	/* the exec fails: it grants nothing */
	else
		ap_exec_secure(bprm);
	return ret;
}

int ap_on_task_alloc(struct task_struct *task, u64 clone_flags)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_TASK_ALLOC);
	return ap_task_fork(task, clone_flags);
}

void ap_on_task_free(struct task_struct *task)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_TASK_FREE);
	ap_task_free(task);
}

void ap_on_inode_free(struct inode *inode)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_INODE_FREE);
	ap_inode_free(inode);
}

void ap_on_sb_free(struct super_block *sb)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_SB_FREE);
	ap_sb_free(sb);
}

/* ---- network endpoints ------------------------------------------------------ */

static void ap_ep_set(struct ap_ep_key *k, u16 family, const void *addr, __be16 port)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->port = port;
	if (addr)
		memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
}

static void ap_ep_set6(struct ap_ep_key *k, const struct in6_addr *a, __be16 port)
{
	if (ipv6_addr_v4mapped(a))
		ap_ep_set(k, AF_INET, &a->s6_addr32[3], port);
	else
		ap_ep_set(k, AF_INET6, a, port);
}

/* Parse a kernel copy of a sockaddr (connect, sendto). */
bool ap_ep_from_sockaddr(const struct sockaddr *sa, int len, struct ap_ep_key *k)
{
	if (!sa || len < (int)sizeof(sa_family_t))
		return false;
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		if (len < (int)sizeof(*sin))
			return false;
		ap_ep_set(k, AF_INET, &sin->sin_addr, sin->sin_port);
		return true;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		if (len < SIN6_LEN_RFC2133)
			return false;
		ap_ep_set6(k, &sin6->sin6_addr, sin6->sin6_port);
		return true;
	}
	}
	return false;
}

static bool ap_ep_is_inet(const struct sock *sk)
{
	return sk && (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}

static bool ap_ep_unspecified(const struct ap_ep_key *k)
{
	static const u8 zero[16];

	return !memcmp(k->addr, zero, k->family == AF_INET ? 4 : 16);
}

/*
 * The destination the kernel will really use when @sk connects or sends to
 * @sa.  Two forms name a destination indirectly:
 *  - sin_family AF_UNSPEC on an IPv4 socket: udp_sendmsg and raw_sendmsg
 *    take it as AF_INET (only sendmsg; connect with AF_UNSPEC disconnects);
 *  - the unspecified address (0.0.0.0, ::, ::ffff:0.0.0.0): routed to the
 *    socket's bound IPv4 address or to loopback (ip_route_connect, and
 *    tcp_v6_connect / ip6_datagram_connect for ::).
 * A rule on 127.0.0.1 or ::1 must see those sends as what they are.
 */
static bool ap_ep_dest(const struct sock *sk, const struct sockaddr *sa, int len, bool send,
		       struct ap_ep_key *k)
{
	if (send && sa && sa->sa_family == AF_UNSPEC && sk->sk_family == AF_INET &&
	    len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		ap_ep_set(k, AF_INET, &sin->sin_addr, sin->sin_port);
	} else if (!ap_ep_from_sockaddr(sa, len, k)) {
		return false;
	}
	if (!ap_ep_unspecified(k))
		return true;
	if (k->family == AF_INET) {
		__be32 src = inet_sk(sk)->inet_saddr ?: inet_sk(sk)->inet_rcv_saddr;
		__be32 lo = htonl(INADDR_LOOPBACK);

		memcpy(k->addr, src ? &src : &lo, 4);
	} else if (ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr)) {
		__be32 lo = htonl(INADDR_LOOPBACK);	/* bound to a v4-mapped address */

		ap_ep_set(k, AF_INET, &lo, k->port);
	} else {
		memcpy(k->addr, &in6addr_loopback, 16);
	}
	return true;
}

/*
 * A UDP socket with a corked datagram (MSG_MORE, UDP_CORK): udp_sendmsg and
 * udpv6_sendmsg append to it and ignore any address given, so the data goes
 * where the cork's flow says, whatever msg_name or the peer are.
 */
static bool ap_ep_corked(struct sock *sk, struct ap_ep_key *k)
{
	const struct flowi *fl = &inet_sk(sk)->cork.fl;

	if (sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_protocol != IPPROTO_UDP && sk->sk_protocol != IPPROTO_UDPLITE))
		return false;
	switch (READ_ONCE(udp_sk(sk)->pending)) {
	case AF_INET:
		ap_ep_set(k, AF_INET, &fl->u.ip4.daddr, fl->u.ip4.fl4_dport);
		return true;
	case AF_INET6:
		ap_ep_set6(k, &fl->u.ip6.daddr, fl->u.ip6.fl6_dport);
		return true;
	}
	return false;
}

static bool ap_ep_local(const struct sock *sk, struct ap_ep_key *k)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (sk->sk_family == AF_INET6)
		ap_ep_set6(k, &sk->sk_v6_rcv_saddr, inet->inet_sport);
	else
		ap_ep_set(k, AF_INET, &inet->inet_rcv_saddr, inet->inet_sport);
	return inet->inet_sport != 0;
}

static bool ap_ep_peer(const struct sock *sk, struct ap_ep_key *k)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (sk->sk_family == AF_INET6)
		ap_ep_set6(k, &sk->sk_v6_daddr, inet->inet_dport);
	else
		ap_ep_set(k, AF_INET, &inet->inet_daddr, inet->inet_dport);
	return inet->inet_dport != 0;
}

static bool ap_ep_is_local_addr(const struct ap_ep_key *k)
{
	static const u8 zero[16];

	if (!memcmp(k->addr, zero, 16))
		return true;
	if (k->family == AF_INET)
		return k->addr[0] == 127;
	return ipv6_addr_loopback((const struct in6_addr *)k->addr);
}

/* The wildcard-address form of @k: what a socket bound to any address sees. */
static void ap_ep_any(const struct ap_ep_key *k, struct ap_ep_key *any)
{
	ap_ep_set(any, k->family, NULL, k->port);
}

/*
 * Data with @labels is sent to @k.  A loopback destination is also recorded
 * under the wildcard address, so a receiver bound to 0.0.0.0 / :: finds it.
 */
static int ap_ep_send(const struct ap_ep_key *k, u64 labels)
{
	struct ap_ep_key any;
	int ret = ap_ep_absorb(k, labels);

	if (!ret && ap_ep_is_local_addr(k)) {
		ap_ep_any(k, &any);
		ret = ap_ep_absorb(&any, labels);
	}
	return ret;
}

/* Labels of what a socket receives: its own address (local senders) and its peer. */
static u64 ap_ep_recv_labels(const struct sock *sk)
{
	struct ap_ep_key k, any;
	u64 l = 0;

	if (!ap_mem_count_of(AP_OBJ_ENDPOINT))
		return 0;
	if (ap_ep_local(sk, &k)) {
		l |= ap_ep_labels(&k);
		if (ap_ep_is_local_addr(&k)) {
			ap_ep_any(&k, &any);
			l |= ap_ep_labels(&any);
		}
	}
	if (ap_ep_peer(sk, &k))
		l |= ap_ep_labels(&k);
	return l;
}

/* Rules about sending to (connect) or receiving from (recv) endpoint @k. */
static int ap_eval_ep(const struct ap_ep_key *k, u8 op)
{
	struct ap_event ev;

	memset(&ev, 0, offsetof(struct ap_event, inline_buf));
	memset(ev.ops, AP_NO_OP, sizeof(ev.ops));
	ev.ops[0] = op;
	ev.ep = k;
	return ap_eval_once(&ev);
}

/*
 * The current process's data may go to @k: only if the connect rules allow
 * it, and then @k carries the sender's labels.  Every destination the kernel
 * can send to (the address, a corked datagram's, source-route hops, SCTP
 * peers) goes through here or through ap_ep_check_dest() + ap_ep_label().
 */
static int ap_ep_label(const struct ap_ep_key *k)
{
	u64 l = ap_task_labels(current);

	return l ? ap_ep_send(k, l) : 0;
}

static int ap_ep_dest_send(const struct ap_ep_key *k)
{
	return ap_eval_ep(k, ACTPLANE_OP_CONNECT) ?: ap_ep_label(k);
}

/* ---- source routing ---------------------------------------------------------- */

/*
 * A source route sends the packet to the hops it lists before the
 * destination, and the kernel routes to the first hop (ip_route_connect
 * with opt.faddr, fl6_update_dst): IPv4 LSRR/SSRR options and IPv6 routing
 * headers (types 2 and 4) need no privilege, as a socket option or as
 * ancillary data.  Every listed address is a destination the rules see,
 * with the destination's port; any of them refused refuses the send.
 */
struct ap_route_ctx {
	__be16 port;
	int ret;
};

static void ap_route_hop(struct ap_route_ctx *c, u16 family, const void *addr)
{
	struct ap_ep_key k;

	if (c->ret)
		return;
	if (family == AF_INET)
		ap_ep_set(&k, AF_INET, addr, c->port);
	else
		ap_ep_set6(&k, addr, c->port);
	c->ret = ap_ep_dest_send(&k);
}

/* Raw IPv4 options (as given to IP_OPTIONS or IP_RETOPTS): the addresses of LSRR/SSRR. */
static void ap_route_ip_opts(struct ap_route_ctx *c, const u8 *p, size_t len)
{
	size_t i = 0, olen, a;

	while (i < len && p[i] != IPOPT_END) {
		if (p[i] == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || p[i + 1] < 2 || i + p[i + 1] > len)
			return;		/* malformed: ip_options_compile refuses it */
		olen = p[i + 1];
		if (p[i] == IPOPT_LSRR || p[i] == IPOPT_SSRR)
			for (a = 3; a + 4 <= olen; a += 4)
				ap_route_hop(c, AF_INET, p + i + a);
		i += olen;
	}
}

static void ap_route_rthdr(struct ap_route_ctx *c, const struct ipv6_rt_hdr *rt, size_t len)
{
	const struct in6_addr *a = (const void *)(rt + 1) + 4;	/* after the 8-byte header */
	size_t n, i;

	if (len < 8)
		return;
	if (rt->type == IPV6_SRCRT_TYPE_4)
		n = ((const struct ipv6_sr_hdr *)rt)->first_segment + 1;
	else
		n = rt->hdrlen / 2;
	n = min(n, (len - 8) / sizeof(*a));
	for (i = 0; i < n; i++)
		ap_route_hop(c, AF_INET6, &a[i]);
}

/*
 * Destinations given as ancillary data (sendmsg copied it into the kernel
 * before the hook): IPv4 source routes (IP_RETOPTS) and IPv6 routing
 * headers for UDP and raw sockets; SCTP_DSTADDRV4/V6, more peers of a new
 * association, for SCTP, which ignores the IP-level ones.
 */
static void ap_cmsg_dests(struct ap_route_ctx *c, const struct msghdr *msg, bool sctp)
{
	struct cmsghdr *cmsg;

	if (!msg || !msg->msg_controllen || msg->msg_control_is_user)
		return;
	for_each_cmsghdr(cmsg, (struct msghdr *)msg) {
		size_t len;

		if (!CMSG_OK(msg, cmsg) || c->ret)
			break;
		len = cmsg->cmsg_len - CMSG_LEN(0);
		if (sctp) {
			if (cmsg->cmsg_level != IPPROTO_SCTP)
				continue;
			if (cmsg->cmsg_type == SCTP_DSTADDRV4 && len >= sizeof(struct in_addr))
				ap_route_hop(c, AF_INET, CMSG_DATA(cmsg));
			else if (cmsg->cmsg_type == SCTP_DSTADDRV6 &&
				 len >= sizeof(struct in6_addr))
				ap_route_hop(c, AF_INET6, CMSG_DATA(cmsg));
		} else if (cmsg->cmsg_level == SOL_IP && cmsg->cmsg_type == IP_RETOPTS) {
			ap_route_ip_opts(c, CMSG_DATA(cmsg), len);
		} else if (cmsg->cmsg_level == SOL_IPV6 &&
			   (cmsg->cmsg_type == IPV6_RTHDR || cmsg->cmsg_type == IPV6_2292RTHDR)) {
			ap_route_rthdr(c, (const void *)CMSG_DATA(cmsg), len);
		}
	}
}

static int ap_source_route(struct sock *sk, const struct msghdr *msg, __be16 port)
{
	struct ap_route_ctx c = { .port = port };
	const struct ip_options_rcu *o4;
	const struct ipv6_pinfo *np;
	const struct ipv6_txoptions *o6;

	np = sk->sk_family == AF_INET6 ? inet6_sk(sk) : NULL;
	if (!rcu_access_pointer(inet_sk(sk)->inet_opt) && !(np && rcu_access_pointer(np->opt)) &&
	    !(msg && msg->msg_controllen))
		return 0;	/* the common case: no options, no ancillary data */
	rcu_read_lock();
	o4 = rcu_dereference(inet_sk(sk)->inet_opt);
	if (o4 && o4->opt.srr) {
		ap_route_hop(&c, AF_INET, &o4->opt.faddr);
		if (o4->opt.srr >= sizeof(struct iphdr) &&
		    o4->opt.srr - sizeof(struct iphdr) < o4->opt.optlen)
			ap_route_ip_opts(&c, o4->opt.__data + o4->opt.srr - sizeof(struct iphdr),
					 o4->opt.optlen - (o4->opt.srr - sizeof(struct iphdr)));
	}
	o6 = np ? rcu_dereference(np->opt) : NULL;
	if (o6 && o6->srcrt)
		ap_route_rthdr(&c, o6->srcrt, (o6->srcrt->hdrlen + 1) << 3);
	rcu_read_unlock();

	ap_cmsg_dests(&c, msg, false);
	return c.ret;
}

/* The connect rules on destination @k and on the hops of a source route to it. */
static int ap_ep_check_dest(struct sock *sk, const struct msghdr *msg, const struct ap_ep_key *k)
{
	return ap_eval_ep(k, ACTPLANE_OP_CONNECT) ?: ap_source_route(sk, msg, k->port);
}

int ap_on_socket_connect(struct socket *sock, struct sockaddr *addr, int addrlen)
{
	struct ap_ep_key k;

	ap_stats_hook_hit(ACTPLANE_HOOK_SOCKET_CONNECT);
	if (!ap_ep_is_inet(sock->sk) || !ap_ep_dest(sock->sk, addr, addrlen, false, &k))
		return 0;	/* AF_UNIX: data flows via sendmsg to the peer */
	return ap_ep_check_dest(sock->sk, NULL, &k) ?: ap_ep_label(&k);
}

/*
 * SCTP: an association may send to any of the peer's addresses, and a
 * one-to-many socket sends to associations named by id (or to all of them,
 * SCTP_SENDALL) with no address in the call.  Addresses given are checked;
 * beyond that the destination of a labeled process's data cannot be known
 * here, so with endpoint rules loaded the send follows the fail mode.
 */
static int ap_sctp_sendmsg(struct sock *sk, struct msghdr *msg)
{
	struct ap_route_ctx c = { 0 };
	struct ap_ep_key k;

	if (msg->msg_name && msg->msg_namelen &&
	    ap_ep_dest(sk, msg->msg_name, msg->msg_namelen, true, &k)) {
		c.ret = ap_ep_dest_send(&k);
		c.port = k.port;	/* the port of SCTP_DSTADDRV4/V6 peers */
	}
	ap_cmsg_dests(&c, msg, true);
	if (!c.ret && ap_task_labels(current) && ap_policy_has_ep_rules(ACTPLANE_OP_CONNECT))
		c.ret = ap_incomplete();
	return c.ret;
}

/* connectx, a sendmsg that sets up an association, SCTP_PRIMARY_ADDR: packed peer addresses */
int ap_on_sctp_connect(struct sock *sk, int optname, struct sockaddr *addrs, int len)
{
	struct ap_ep_key k;
	int off = 0, sz, ret = 0;

	ap_stats_hook_hit(ACTPLANE_HOOK_SCTP_CONNECT);
	if (optname != SCTP_SOCKOPT_CONNECTX && optname != SCTP_SENDMSG_CONNECT &&
	    optname != SCTP_PRIMARY_ADDR)
		return 0;	/* local addresses (bindx, ASCONF) */
	while (!ret && off + (int)sizeof(sa_family_t) <= len) {
		struct sockaddr *sa = (void *)addrs + off;

		sz = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		     sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
		if (!sz || off + sz > len)
			break;		/* sctp refuses the list (EINVAL) */
		if (ap_ep_dest(sk, sa, sz, false, &k))
			ret = ap_ep_dest_send(&k);
		off += sz;
	}
	return ret;
}

int ap_on_socket_sendmsg(struct socket *sock, struct msghdr *msg)
{
	struct sock *sk = sock->sk, *peer;
	struct ap_ep_key k;
	u64 l;

	ap_stats_hook_hit(ACTPLANE_HOOK_SOCKET_SENDMSG);
	if (!sk)
		return 0;
	if (ap_ep_is_inet(sk) && sk->sk_protocol == IPPROTO_SCTP)
		return ap_sctp_sendmsg(sk, msg);
	if (ap_ep_is_inet(sk)) {
		int ret;

		/*
		 * Where the data goes: a corked datagram's destination (the
		 * cork is read without the socket lock, and another thread may
		 * cork or uncork before udp_sendmsg takes it, so the address
		 * named is checked as well), msg_name (the kernel's copy,
		 * sendto), else the peer.  With none of them the protocol
		 * refuses the send (EDESTADDRREQ, ENOTCONN/EPIPE) before any
		 * data moves.
		 */
		if (ap_ep_corked(sk, &k)) {
			ret = ap_ep_dest_send(&k);
			if (ret)
				return ret;
		}
		if (!(msg->msg_name && msg->msg_namelen &&
		      ap_ep_dest(sk, msg->msg_name, msg->msg_namelen, true, &k)) &&
		    !ap_ep_peer(sk, &k))
			return 0;
		/* every send is checked: labels may have grown since connect() */
		return ap_ep_check_dest(sk, msg, &k) ?: ap_ep_label(&k);
	}
	l = ap_task_labels(current);
	if (!l)
		return 0;
	if (sk->sk_family == AF_UNIX && sk->sk_type != SOCK_DGRAM) {
		/* stream/seqpacket: label the receiving end (only used as a key) */
		peer = READ_ONCE(unix_peer(sk));
		if (peer)
			return ap_chan_absorb(peer, l);
	}
	return 0;	/* AF_UNIX datagrams: ap_on_unix_may_send() */
}

int ap_on_unix_may_send(struct socket *sock, struct socket *other)
{
	u64 l;

	ap_stats_hook_hit(ACTPLANE_HOOK_UNIX_MAY_SEND);
	l = ap_task_labels(current);
	if (!l || !other->sk)
		return 0;
	return ap_chan_absorb(other->sk, l);
}

static int ap_recv(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	if (ap_ep_is_inet(sk))
		return ap_flow_in(ap_ep_recv_labels(sk));
	if (sk->sk_family == AF_UNIX)
		return ap_flow_in(ap_chan_labels(sk));
	return 0;
}

int ap_on_socket_recvmsg(struct socket *sock)
{
	struct ap_ep_key k;
	int ret;

	ap_stats_hook_hit(ACTPLANE_HOOK_SOCKET_RECVMSG);
	if (sock->sk && ap_ep_is_inet(sock->sk) && ap_ep_peer(sock->sk, &k)) {
		ret = ap_eval_ep(&k, ACTPLANE_OP_RECV);
		if (ret)
			return ret;
	}
	return ap_recv(sock);
}

/*
 * After a protocol's recvmsg returned data: the sender may have labeled it
 * while the receiver waited, and recvmmsg receives every message after the
 * first without the LSM hook (sock_recvmsg_nosec).
 */
void ap_on_sock_recv_done(struct socket *sock, int ret)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_SOCK_RECV_DONE);
	if (ret > 0)
		ap_recv(sock);
}

void ap_on_sk_free(struct sock *sk)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_SK_FREE);
	if (sk->sk_family == AF_UNIX)
		ap_chan_free(sk);
}

/* ---- pipes and the splice family --------------------------------------------- */

/*
 * splice, tee, vmsplice and sendfile move data into and out of a pipe's
 * buffer without the read/write permission hooks on the pipe side, so these
 * tracing programs carry the labels.  They cannot refuse: a flow that
 * cannot be recorded is counted (ap_untrackable()) but not denied.
 */

/* The current process takes in the data of @file: a file, a pipe, a socket. */
static void ap_flow_from_file(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct socket *sock;

	if (S_ISSOCK(inode->i_mode)) {
		sock = sock_from_file(file);
		if (sock)
			ap_recv(sock);	/* splice out of a socket: no recvmsg hook */
		return;
	}
	if (!ap_inode_untracked(inode))
		ap_flow_in(ap_file_labels(inode));
}

static void ap_flow_to_pipe(const struct pipe_inode_info *pipe)
{
	u64 l = ap_task_labels(current);

	if (l)
		ap_chan_absorb(pipe, l);
}

/*
 * splice(2) and tee(2) (also from io_uring): the caller moves data from @in
 * to @out.  Called on entry and again on return, for data that arrived
 * while it waited.  A socket @out is checked by the send hook, with the
 * labels taken here.
 */
void ap_on_splice(struct file *in, struct file *out)
{
	struct inode *inode = file_inode(out);

	ap_stats_hook_hit(ACTPLANE_HOOK_SPLICE);
	ap_flow_from_file(in);
	if (!ap_inode_untracked(inode))
		ap_flow_to_inode(inode);
}

/* sendfile(2) into a pipe, and splice from a file or socket into one. */
void ap_on_splice_to_pipe(struct file *in, struct pipe_inode_info *pipe)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_SPLICE_TO_PIPE);
	ap_flow_from_file(in);
	ap_flow_to_pipe(pipe);
}

/* vmsplice(2) from the caller's memory into @pipe. */
void ap_on_pipe_fill(struct pipe_inode_info *pipe)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_PIPE_FILL);
	ap_flow_to_pipe(pipe);
}

/*
 * The caller takes data out of @pipe without reading it (splice to a file
 * or socket, vmsplice to memory, tee): before it starts and after each
 * wait for more data, so what a labeled writer added meanwhile is seen
 * before the data moves on.
 */
void ap_on_pipe_consume(struct pipe_inode_info *pipe)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_PIPE_CONSUME);
	ap_flow_in(ap_chan_labels(pipe));
}

void ap_on_pipe_free(struct pipe_inode_info *pipe)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_PIPE_FREE);
	ap_chan_free(pipe);
}

/* ---- another process's memory ---------------------------------------------- */

/*
 * process_vm_readv/writev, /proc/PID/mem and environ, ptrace, pidfd_getfd:
 * reading a process's memory absorbs its labels; attaching to it (which can
 * also write) gives it the caller's.  Probes the kernel marks NOAUDIT (the
 * extra fields of /proc/PID/stat) move no data.  Same-process access never
 * reaches this hook.
 */
int ap_on_ptrace_access(struct task_struct *child, unsigned int mode)
{
	u64 l;
	int ret;

	ap_stats_hook_hit(ACTPLANE_HOOK_PTRACE);
	if (mode & PTRACE_MODE_NOAUDIT)
		return 0;
	ret = ap_flow_in(ap_task_labels(child));
	if (ret || !(mode & PTRACE_MODE_ATTACH))
		return ret;
	l = ap_task_labels(current);
	return l ? ap_task_absorb(child, l) : 0;
}

/*
 * io_uring SQPOLL: the ring's kernel thread belongs to the process that set
 * it up and runs whatever any holder of the ring queues, with no system
 * call by the submitter, so its labels are never seen.  Inside a session
 * (where processes of one agent carry different labels) such rings are
 * refused; rings without SQPOLL run work as the submitting process.
 */
int ap_on_uring_sqpoll(void)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_URING_SQPOLL);
	return ap_task_session(current) ? -EPERM : 0;
}

/* ---- IPC objects ------------------------------------------------------------ */

/*
 * SysV message queues and keys are channels like pipes: labeled by
 * address, dropped when freed.  (A SysV shared memory segment is a shmem
 * file: shmat() passes mmap_file, which labels it as a file mapping.)
 */
static int ap_flow_to_chan(const void *chan)
{
	u64 l = ap_task_labels(current);

	return l ? ap_chan_absorb(chan, l) : 0;
}

int ap_on_msgsnd(struct kern_ipc_perm *q)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_MSGSND);
	return ap_flow_to_chan(q);
}

/* @target receives (a receiver already waiting gets the message in the sender's context). */
int ap_on_msgrcv(struct kern_ipc_perm *q, struct task_struct *target)
{
	u64 l;

	ap_stats_hook_hit(ACTPLANE_HOOK_MSGRCV);
	l = ap_chan_labels(q);
	return l ? ap_task_absorb(target, l) : 0;
}

void ap_on_ipc_free(struct kern_ipc_perm *perm)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_IPC_FREE);
	ap_chan_free(perm);
}

/*
 * keyctl read of a "user" key's payload (the key types that hold data the
 * caller gave: the verifier cannot see key_permission's key_ref_t).  The
 * program attaches to security/keys' user_read by name; SELinux has a
 * static function of the same name, which the kernel's by-name lookup does
 * not pick on Debian's 6.12 build (lower address wins) — a VM test checks
 * the key path.
 */
void ap_on_key_read(const struct key *key)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_KEY_READ);
	ap_flow_in(ap_chan_labels(key));
}

/* add_key or keyctl update: a new key, or a new payload for an existing one. */
int ap_on_key_create(struct key *key)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_KEY_CREATE);
	return ap_flow_to_chan(key);
}

void ap_on_key_free(struct key *key)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_KEY_FREE);
	ap_chan_free(key);
}
