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
 * Every LSM program first honours an earlier LSM's denial (ret != 0).
 */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/file_open")
int BPF_PROG(ap_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	ret = actplane_file_open(file);
	return AP_VERDICT(ret);
}

SEC("lsm/file_permission")
int BPF_PROG(ap_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	ret = actplane_file_permission(file, mask);
	return AP_VERDICT(ret);
}

SEC("lsm/file_truncate")
int BPF_PROG(ap_file_truncate, struct file *file, int ret)
{
	if (ret)
		return ret;
	ret = actplane_file_truncate(file);
	return AP_VERDICT(ret);
}

SEC("lsm/path_truncate")
int BPF_PROG(ap_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_truncate(path);
	return AP_VERDICT(ret);
}

SEC("lsm/path_unlink")
int BPF_PROG(ap_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_unlink(dir, dentry);
	return AP_VERDICT(ret);
}

/* New names: open(O_CREAT) of a new file and mknod, mkdir, symlink. */
SEC("lsm/path_mknod")
int BPF_PROG(ap_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_mknod(dir, dentry);
	return AP_VERDICT(ret);
}

SEC("lsm/path_mkdir")
int BPF_PROG(ap_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_mkdir(dir, dentry);
	return AP_VERDICT(ret);
}

SEC("lsm/path_symlink")
int BPF_PROG(ap_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_symlink(dir, dentry);
	return AP_VERDICT(ret);
}

/* Once per rename: RENAME_EXCHANGE comes in @flags (both names are replaced). */
SEC("lsm/path_rename")
int BPF_PROG(ap_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_rename(old_dir, old_dentry, new_dir, new_dentry, flags);
	return AP_VERDICT(ret);
}

SEC("lsm/path_link")
int BPF_PROG(ap_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_link(old_dentry, new_dir, new_dentry);
	return AP_VERDICT(ret);
}

SEC("lsm/mmap_file")
int BPF_PROG(ap_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file)
		return 0;	/* anonymous mapping */
	ret = actplane_mmap_file(file, prot, flags);
	return AP_VERDICT(ret);
}

SEC("lsm/file_mprotect")
int BPF_PROG(ap_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	if (ret)
		return ret;
	ret = actplane_file_mprotect(vma, prot);
	return AP_VERDICT(ret);
}

/* Sleepable: reading the new program's argv may fault pages in. */
SEC("lsm.s/bprm_check_security")
int BPF_PROG(ap_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	ret = actplane_bprm_check_security(bprm);
	return AP_VERDICT(ret);
}

/*
 * Past the exec's point of no return (after de_thread): the trust the
 * exec's checks granted is applied only now, when the program will run.
 */
SEC("lsm/bprm_committing_creds")
void BPF_PROG(ap_bprm_committing_creds, const struct linux_binprm *bprm)
{
	actplane_bprm_committing_creds(bprm);
}

SEC("lsm/task_alloc")
int BPF_PROG(ap_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret)
		return ret;
	ret = actplane_task_alloc(task, clone_flags);
	return AP_VERDICT(ret);
}

SEC("lsm/task_free")
void BPF_PROG(ap_task_free, struct task_struct *task)
{
	actplane_task_free(task);
}

SEC("lsm/inode_free_security")
void BPF_PROG(ap_inode_free_security, struct inode *inode)
{
	actplane_inode_free_security(inode);
}

SEC("lsm/sb_free_security")
void BPF_PROG(ap_sb_free_security, struct super_block *sb)
{
	actplane_sb_free_security(sb);
}

SEC("lsm/socket_connect")
int BPF_PROG(ap_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	if (ret)
		return ret;
	ret = actplane_socket_connect(sock, address, addrlen);
	return AP_VERDICT(ret);
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(ap_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	if (ret)
		return ret;
	ret = actplane_socket_sendmsg(sock, msg);
	return AP_VERDICT(ret);
}

SEC("lsm/socket_recvmsg")
int BPF_PROG(ap_socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags,
	     int ret)
{
	if (ret)
		return ret;
	ret = actplane_socket_recvmsg(sock);
	return AP_VERDICT(ret);
}

SEC("lsm/unix_may_send")
int BPF_PROG(ap_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	if (ret)
		return ret;
	ret = actplane_unix_may_send(sock, other);
	return AP_VERDICT(ret);
}

SEC("lsm/sk_free_security")
void BPF_PROG(ap_sk_free_security, struct sock *sk)
{
	actplane_sk_free_security(sk);
}

/* A blocking read checks permission before it sleeps; re-check after data arrived. */
SEC("fexit/pipe_read")
int BPF_PROG(ap_pipe_read, struct kiocb *iocb, struct iov_iter *to, long ret)
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

SEC("lsm/ptrace_access_check")
int BPF_PROG(ap_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	ret = actplane_ptrace_access_check(child, mode);
	return AP_VERDICT(ret);
}

SEC("lsm/uring_sqpoll")
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
SEC("lsm/msg_queue_msgsnd")
int BPF_PROG(ap_msg_queue_msgsnd, struct kern_ipc_perm *perm, struct msg_msg *msg, int msqflg,
	     int ret)
{
	if (ret)
		return ret;
	ret = actplane_msg_queue_msgsnd(perm);
	return AP_VERDICT(ret);
}

SEC("lsm/msg_queue_msgrcv")
int BPF_PROG(ap_msg_queue_msgrcv, struct kern_ipc_perm *perm, struct msg_msg *msg,
	     struct task_struct *target, long type, int mode, int ret)
{
	if (ret)
		return ret;
	ret = actplane_msg_queue_msgrcv(perm, target);
	return AP_VERDICT(ret);
}

SEC("lsm/msg_queue_free_security")
void BPF_PROG(ap_msg_queue_free_security, struct kern_ipc_perm *perm)
{
	actplane_ipc_free(perm);
}

/* every message, SysV or POSIX: labeled when allocated, absorbed where copied out */
SEC("lsm/msg_msg_alloc_security")
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

SEC("lsm/msg_msg_free_security")
void BPF_PROG(ap_msg_msg_free_security, struct msg_msg *msg)
{
	actplane_msg_msg_free(msg);
}

SEC("fentry/user_read")
int BPF_PROG(ap_key_read, const struct key *key)
{
	actplane_key_read((struct key *)key);
	return 0;
}

SEC("fentry/user_update")
int BPF_PROG(ap_key_update, struct key *key)
{
	actplane_key_create(key);
	return 0;
}

SEC("lsm/key_post_create_or_update")
void BPF_PROG(ap_key_post_create_or_update, struct key *keyring, struct key *key)
{
	actplane_key_create(key);
}

SEC("fentry/security_key_free")
int BPF_PROG(ap_key_free, struct key *key)
{
	actplane_key_free(key);
	return 0;
}

SEC("lsm/sctp_bind_connect")
int BPF_PROG(ap_sctp_bind_connect, struct sock *sk, int optname, struct sockaddr *address,
	     int addrlen, int ret)
{
	if (ret)
		return ret;
	ret = actplane_sctp_bind_connect(sk, optname, address, addrlen);
	return AP_VERDICT(ret);
}
