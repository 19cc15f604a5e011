// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF LSM hook programs, and the fentry, fexit and tp_btf programs of the
 * data paths no LSM hook covers.  Each one is thin on purpose: it hands
 * the hook's kernel objects to one module kfunc and returns its verdict.
 * All state and all decisions live in the module.
 *
 * Program names are "ap_" + the hook name; `actplane up` pins each link as
 * /sys/fs/bpf/actplane/hook_<hook name>.
 *
 * Every LSM program first honours an earlier LSM's denial (ret != 0); an
 * fmod_ret program, an earlier fmod_ret program's.
 */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * Where the LSM hook programs attach.  This file builds twice: as
 * hooks.bpf.o, LSM programs (the BPF LSM is active), and as
 * hooks_fmodret.bpf.o (AP_FMODRET), for kernels that have the BPF LSM
 * built but not in the lsm= list: each int hook becomes an fmod_ret program
 * on the security_<fn>() function that calls the hooks (a nonzero return
 * skips the function, so the operation fails without the other LSMs
 * asked; it never skips an allocation an error path would free), each void
 * hook an fentry program there, and trusted-argument kfuncs are called
 * through their untrusted twins (kmod/hooks.h).  Program names, and so the
 * pins, are the same in both.  The programs on other kernel functions
 * below are the same in both.
 */
#ifdef AP_FMODRET
#define AP_INT(hook, fn)		SEC("fmod_ret/security_" #fn)
#define AP_INT_SLEEPABLE(hook, fn)	SEC("fmod_ret/security_" #fn)
#define AP_VOID(hook, fn)		SEC("fentry/security_" #fn)
#define AP_TWIN(name)			actplane_fm_##name
#else
#define AP_INT(hook, fn)		SEC("lsm/" #hook)
#define AP_INT_SLEEPABLE(hook, fn)	SEC("lsm.s/" #hook)
#define AP_VOID(hook, fn)		SEC("lsm/" #hook)
#define AP_TWIN(name)			actplane_##name
#endif

AP_INT(file_open, file_open)
int BPF_PROG(ap_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(file_open)(file);
	return AP_VERDICT(ret);
}

AP_INT(file_permission, file_permission)
int BPF_PROG(ap_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(file_permission)(file, mask);
	return AP_VERDICT(ret);
}

AP_INT(file_truncate, file_truncate)
int BPF_PROG(ap_file_truncate, struct file *file, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(file_truncate)(file);
	return AP_VERDICT(ret);
}

AP_INT(path_truncate, path_truncate)
int BPF_PROG(ap_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(path_truncate)(path);
	return AP_VERDICT(ret);
}

AP_INT(path_unlink, path_unlink)
int BPF_PROG(ap_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(path_unlink)(dir, dentry);
	return AP_VERDICT(ret);
}

/* New names: open(O_CREAT) of a new file and mknod, mkdir, symlink. */
AP_INT(path_mknod, path_mknod)
int BPF_PROG(ap_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(path_mknod)(dir, dentry);
	return AP_VERDICT(ret);
}

AP_INT(path_mkdir, path_mkdir)
int BPF_PROG(ap_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(path_mkdir)(dir, dentry);
	return AP_VERDICT(ret);
}

AP_INT(path_symlink, path_symlink)
int BPF_PROG(ap_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(path_symlink)(dir, dentry);
	return AP_VERDICT(ret);
}

/* Once per rename: RENAME_EXCHANGE comes in @flags (both names are replaced). */
AP_INT(path_rename, path_rename)
int BPF_PROG(ap_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(path_rename)(old_dir, old_dentry, new_dir, new_dentry, flags);
	return AP_VERDICT(ret);
}

AP_INT(path_link, path_link)
int BPF_PROG(ap_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(path_link)(old_dentry, new_dir, new_dentry);
	return AP_VERDICT(ret);
}

AP_INT(mmap_file, mmap_file)
#ifdef AP_FMODRET
/* security_mmap_file() gets the requested protection only */
int BPF_PROG(ap_mmap_file, struct file *file, unsigned long prot, unsigned long flags, int ret)
#else
int BPF_PROG(ap_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
#endif
{
	if (ret)
		return ret;
	if (!file)
		return 0;	/* anonymous mapping */
	ret = AP_TWIN(mmap_file)(file, prot, flags);
	return AP_VERDICT(ret);
}

AP_INT(file_mprotect, file_mprotect)
int BPF_PROG(ap_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(file_mprotect)(vma, prot);
	return AP_VERDICT(ret);
}

/* Sleepable: reading the new program's argv may fault pages in. */
AP_INT_SLEEPABLE(bprm_check_security, bprm_check)
int BPF_PROG(ap_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(bprm_check_security)(bprm);
	return AP_VERDICT(ret);
}

/*
 * Past the exec's point of no return (after de_thread): the trust the
 * exec's checks granted is applied only now, when the program will run.
 */
AP_VOID(bprm_committing_creds, bprm_committing_creds)
int BPF_PROG(ap_bprm_committing_creds, const struct linux_binprm *bprm)
{
	AP_TWIN(bprm_committing_creds)(bprm);
	return 0;
}

AP_INT(task_alloc, task_alloc)
int BPF_PROG(ap_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(task_alloc)(task, clone_flags);
	return AP_VERDICT(ret);
}

AP_VOID(task_free, task_free)
int BPF_PROG(ap_task_free, struct task_struct *task)
{
	actplane_task_free(task);
	return 0;
}

AP_VOID(inode_free_security, inode_free)
int BPF_PROG(ap_inode_free_security, struct inode *inode)
{
	actplane_inode_free_security(inode);
	return 0;
}

AP_VOID(sb_free_security, sb_free)
int BPF_PROG(ap_sb_free_security, struct super_block *sb)
{
	actplane_sb_free_security(sb);
	return 0;
}

AP_INT(socket_connect, socket_connect)
int BPF_PROG(ap_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(socket_connect)(sock, address, addrlen);
	return AP_VERDICT(ret);
}

AP_INT(socket_sendmsg, socket_sendmsg)
int BPF_PROG(ap_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(socket_sendmsg)(sock, msg);
	return AP_VERDICT(ret);
}

AP_INT(socket_recvmsg, socket_recvmsg)
int BPF_PROG(ap_socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags,
	     int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(socket_recvmsg)(sock);
	return AP_VERDICT(ret);
}

AP_INT(unix_may_send, unix_may_send)
int BPF_PROG(ap_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(unix_may_send)(sock, other);
	return AP_VERDICT(ret);
}

AP_VOID(sk_free_security, sk_free)
int BPF_PROG(ap_sk_free_security, struct sock *sk)
{
	actplane_sk_free_security(sk);
	return 0;
}

/*
 * A blocking read checks permission before it sleeps; re-check after data
 * arrived.  pipe_read() became anon_pipe_read() and fifo_pipe_read() (6.1x):
 * optional programs (`SEC("?...")`), `actplane up` loads those whose function
 * the kernel has, and each group (the name up to "__") needs one.
 */
SEC("?fexit/pipe_read")
int BPF_PROG(ap_pipe_read__pipe, struct kiocb *iocb, struct iov_iter *to, long ret)
{
	if (ret > 0)
		actplane_pipe_read_done(iocb, ret);
	return 0;
}

SEC("?fexit/anon_pipe_read")
int BPF_PROG(ap_pipe_read__anon, struct kiocb *iocb, struct iov_iter *to, long ret)
{
	if (ret > 0)
		actplane_pipe_read_done(iocb, ret);
	return 0;
}

SEC("?fexit/fifo_pipe_read")
int BPF_PROG(ap_pipe_read__fifo, struct kiocb *iocb, struct iov_iter *to, long ret)
{
	if (ret > 0)
		actplane_pipe_read_done(iocb, ret);
	return 0;
}

/*
 * The exit status of a run of G arms `after exec G exits N` gates.  The
 * tracepoint fires after the exit code is set and before the parent can
 * reap the process, so a shell's next command already sees the gate.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(ap_sched_process_exit, struct task_struct *p)
{
	actplane_task_exit(p);
	return 0;
}

/*
 * Each protocol's recvmsg (called for every message, also for those recvmmsg
 * receives without the LSM hook): the receiver absorbs what arrived.
 */
SEC("fexit/inet_recvmsg")
int BPF_PROG(ap_inet_recvmsg, struct socket *sock, struct msghdr *msg, size_t size,
	     int flags, int ret)
{
	if (ret > 0)
		actplane_sock_recv_done(sock, ret);
	return 0;
}

SEC("fexit/inet6_recvmsg")
int BPF_PROG(ap_inet6_recvmsg, struct socket *sock, struct msghdr *msg, size_t size,
	     int flags, int ret)
{
	if (ret > 0)
		actplane_sock_recv_done(sock, ret);
	return 0;
}

SEC("fexit/unix_stream_recvmsg")
int BPF_PROG(ap_unix_stream_recvmsg, struct socket *sock, struct msghdr *msg, size_t size,
	     int flags, int ret)
{
	if (ret > 0)
		actplane_sock_recv_done(sock, ret);
	return 0;
}

SEC("fexit/unix_dgram_recvmsg")
int BPF_PROG(ap_unix_dgram_recvmsg, struct socket *sock, struct msghdr *msg, size_t size,
	     int flags, int ret)
{
	if (ret > 0)
		actplane_sock_recv_done(sock, ret);
	return 0;
}

SEC("fexit/unix_seqpacket_recvmsg")
int BPF_PROG(ap_unix_seqpacket_recvmsg, struct socket *sock, struct msghdr *msg, size_t size,
	     int flags, int ret)
{
	if (ret > 0)
		actplane_sock_recv_done(sock, ret);
	return 0;
}

/*
 * sock_sendmsg_nosec() returned (every message of every protocol, also those
 * sendmmsg sends without the LSM hook): the send is no longer in flight.
 */
SEC("tp_btf/sock_send_length")
int BPF_PROG(ap_sock_send_length, struct sock *sk, int ret, int flags)
{
	actplane_sock_send_done(sk);
	return 0;
}

/* sendmmsg(2): its sends stay in flight until the call returns */
SEC("fentry/__sys_sendmmsg")
int BPF_PROG(ap_sendmmsg_enter, int fd, void *mmsg, unsigned int vlen, unsigned int flags)
{
	actplane_sendmmsg_begin();
	return 0;
}

SEC("fexit/__sys_sendmmsg")
int BPF_PROG(ap_sendmmsg_exit, int fd, void *mmsg, unsigned int vlen, unsigned int flags,
	     bool forbid_cmsg_compat, int ret)
{
	actplane_sendmmsg_end();
	return 0;
}

AP_INT(ptrace_access_check, ptrace_access_check)
int BPF_PROG(ap_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(ptrace_access_check)(child, mode);
	return AP_VERDICT(ret);
}

AP_INT(uring_sqpoll, uring_sqpoll)
int BPF_PROG(ap_uring_sqpoll, int ret)
{
	if (ret)
		return ret;
	ret = actplane_uring_sqpoll();
	return AP_VERDICT(ret);
}

/*
 * The splice family moves data through a pipe's buffer without the pipe's
 * read/write permission hooks: splice and tee on entry and on return (data
 * that came in while they waited), sendfile into a pipe, vmsplice from
 * memory, every consumer of pipe data after each wait, and the buffer's end.
 */
SEC("fentry/do_splice")
int BPF_PROG(ap_splice_enter, struct file *in, loff_t *off_in, struct file *out)
{
	actplane_splice(in, out);
	return 0;
}

SEC("fexit/do_splice")
int BPF_PROG(ap_splice_exit, struct file *in, loff_t *off_in, struct file *out,
	     loff_t *off_out, size_t len, unsigned int flags, long ret)
{
	if (ret > 0)
		actplane_splice(in, out);
	return 0;
}

SEC("fentry/do_tee")
int BPF_PROG(ap_tee_enter, struct file *in, struct file *out)
{
	actplane_splice(in, out);
	return 0;
}

SEC("fexit/do_tee")
int BPF_PROG(ap_tee_exit, struct file *in, struct file *out, size_t len, unsigned int flags,
	     long ret)
{
	if (ret > 0)
		actplane_splice(in, out);
	return 0;
}

SEC("fentry/splice_file_to_pipe")
int BPF_PROG(ap_splice_file_to_pipe, struct file *in, struct pipe_inode_info *opipe)
{
	actplane_splice_to_pipe(in, opipe);
	return 0;
}

SEC("fentry/add_to_pipe")
int BPF_PROG(ap_add_to_pipe, struct pipe_inode_info *pipe)
{
	actplane_pipe_fill(pipe);
	return 0;
}

SEC("fentry/__splice_from_pipe")
int BPF_PROG(ap_splice_from_pipe, struct pipe_inode_info *pipe)
{
	actplane_pipe_consume(pipe);
	return 0;
}

SEC("fexit/pipe_wait_readable")
int BPF_PROG(ap_pipe_wait_readable, struct pipe_inode_info *pipe)
{
	actplane_pipe_consume(pipe);
	return 0;
}

SEC("fentry/free_pipe_info")
int BPF_PROG(ap_free_pipe_info, struct pipe_inode_info *pipe)
{
	actplane_pipe_free(pipe);
	return 0;
}

/* SysV message queues and keys: labeled like pipes */
AP_INT(msg_queue_msgsnd, msg_queue_msgsnd)
int BPF_PROG(ap_msg_queue_msgsnd, struct kern_ipc_perm *perm, struct msg_msg *msg, int msqflg,
	     int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(msg_queue_msgsnd)(perm);
	return AP_VERDICT(ret);
}

AP_INT(msg_queue_msgrcv, msg_queue_msgrcv)
int BPF_PROG(ap_msg_queue_msgrcv, struct kern_ipc_perm *perm, struct msg_msg *msg,
	     struct task_struct *target, long type, int mode, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(msg_queue_msgrcv)(perm, target);
	return AP_VERDICT(ret);
}

AP_VOID(msg_queue_free_security, msg_queue_free)
int BPF_PROG(ap_msg_queue_free_security, struct kern_ipc_perm *perm)
{
	actplane_ipc_free(perm);
	return 0;
}

/* every message, SysV or POSIX: labeled when allocated, absorbed where copied out */
AP_INT(msg_msg_alloc_security, msg_msg_alloc)
int BPF_PROG(ap_msg_msg_alloc_security, struct msg_msg *msg, int ret)
{
	if (ret)
		return ret;
	ret = actplane_msg_msg_alloc(msg);
	return AP_VERDICT(ret);
}

SEC("fentry/store_msg")
int BPF_PROG(ap_store_msg, void *dest, struct msg_msg *msg)
{
	actplane_msg_store(msg);
	return 0;
}

AP_VOID(msg_msg_free_security, msg_msg_free)
int BPF_PROG(ap_msg_msg_free_security, struct msg_msg *msg)
{
	actplane_msg_msg_free(msg);
	return 0;
}

/* a key's payload is read: user_read() up to 6.1x (later kernels' BTF
 * lacks it), __keyctl_read_key() where the kernel keeps it a function */
SEC("?fentry/user_read")
int BPF_PROG(ap_key_read__user, const struct key *key)
{
	actplane_key_read((struct key *)key);
	return 0;
}

SEC("?fentry/__keyctl_read_key")
int BPF_PROG(ap_key_read__keyctl, struct key *key)
{
	actplane_key_read(key);
	return 0;
}

SEC("fentry/user_update")
int BPF_PROG(ap_key_update, struct key *key)
{
	actplane_key_create(key);
	return 0;
}

AP_VOID(key_post_create_or_update, key_post_create_or_update)
int BPF_PROG(ap_key_post_create_or_update, struct key *keyring, struct key *key)
{
	actplane_key_create(key);
	return 0;
}

SEC("fentry/security_key_free")
int BPF_PROG(ap_key_free, struct key *key)
{
	actplane_key_free(key);
	return 0;
}

AP_INT(sctp_bind_connect, sctp_bind_connect)
int BPF_PROG(ap_sctp_bind_connect, struct sock *sk, int optname, struct sockaddr *address,
	     int addrlen, int ret)
{
	if (ret)
		return ret;
	ret = AP_TWIN(sctp_bind_connect)(sk, optname, address, addrlen);
	return AP_VERDICT(ret);
}
