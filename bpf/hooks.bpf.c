// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF LSM hook programs (and two fexit programs).  Each one is thin on
 * purpose: it hands the hook's kernel objects to one module kfunc and
 * returns its verdict.  All state and all decisions live in the module.
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
	ret = actplane_path_create(dir, dentry, 0);
	return AP_VERDICT(ret);
}

SEC("lsm/path_mkdir")
int BPF_PROG(ap_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_create(dir, dentry, 1);
	return AP_VERDICT(ret);
}

SEC("lsm/path_symlink")
int BPF_PROG(ap_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_create(dir, dentry, 2);
	return AP_VERDICT(ret);
}

/* RENAME_EXCHANGE calls the hook twice, once per direction. */
SEC("lsm/path_rename")
int BPF_PROG(ap_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	if (ret)
		return ret;
	ret = actplane_path_rename(old_dir, old_dentry, new_dir, new_dentry);
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

SEC("fexit/sock_recvmsg")
int BPF_PROG(ap_sock_recvmsg, struct socket *sock, struct msghdr *msg, int flags, int ret)
{
	if (ret > 0)
		actplane_sock_recv_done(sock, ret);
	return 0;
}
