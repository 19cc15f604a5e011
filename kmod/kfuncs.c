// SPDX-License-Identifier: GPL-2.0-only
/*
 * kfuncs: the module's interface to BPF programs.
 *
 * Hook kfuncs (one per hook program): the BPF program passes the hook's own
 * kernel objects and returns the verdict (0 allow, negative errno deny).
 * Hooks whose arguments the verifier treats as trusted take KF_TRUSTED_ARGS;
 * task_free, sk_free_security and fexit programs get plain (legacy) pointers,
 * so their kfuncs only use the pointer as a key or read the object the
 * kernel is still holding for the call.
 *
 * Label storage kfuncs (get/add/clear on task, inode, endpoint) let other
 * BPF programs and enforcers read and seed labels.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/binfmts.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/net.h>
#include <linux/path.h>
#include "actplane.h"

__bpf_kfunc_start_defs();

/* ---- hook kfuncs ---- */

__bpf_kfunc int actplane_file_open(struct file *file)
{
	return ap_on_file_open(file);
}

__bpf_kfunc int actplane_file_permission(struct file *file, int mask)
{
	return ap_on_file_permission(file, mask);
}

__bpf_kfunc int actplane_file_truncate(struct file *file)
{
	return ap_on_truncate(&file->f_path, ACTPLANE_HOOK_FILE_TRUNCATE);
}

__bpf_kfunc int actplane_path_truncate(const struct path *path)
{
	return ap_on_truncate(path, ACTPLANE_HOOK_PATH_TRUNCATE);
}

__bpf_kfunc int actplane_path_unlink(const struct path *dir, struct dentry *dentry)
{
	return ap_on_path_unlink(dir, dentry);
}

/* @kind: 0 mknod (and O_CREAT), 1 mkdir, 2 symlink */
__bpf_kfunc int actplane_path_create(const struct path *dir, struct dentry *dentry, u32 kind)
{
	static const enum actplane_hook hooks[] = {
		ACTPLANE_HOOK_PATH_MKNOD, ACTPLANE_HOOK_PATH_MKDIR, ACTPLANE_HOOK_PATH_SYMLINK,
	};

	return ap_on_path_create(dir, dentry, hooks[kind < ARRAY_SIZE(hooks) ? kind : 0]);
}

/* Runs once per direction for RENAME_EXCHANGE. */
__bpf_kfunc int actplane_path_rename(const struct path *old_dir, struct dentry *old_dentry,
				     const struct path *new_dir, struct dentry *new_dentry)
{
	return ap_on_path_rename(old_dir, old_dentry, new_dir, new_dentry);
}

__bpf_kfunc int actplane_path_link(struct dentry *old_dentry, const struct path *new_dir,
				   struct dentry *new_dentry)
{
	return ap_on_path_link(old_dentry, new_dir, new_dentry);
}

__bpf_kfunc int actplane_mmap_file(struct file *file, unsigned long prot, unsigned long flags)
{
	return ap_on_mmap(file, prot, flags);
}

__bpf_kfunc int actplane_file_mprotect(struct vm_area_struct *vma, unsigned long prot)
{
	return ap_on_mprotect(vma, prot);
}

__bpf_kfunc int actplane_bprm_check_security(struct linux_binprm *bprm)
{
	return ap_on_exec(bprm);
}

/* bprm_committing_creds: the exec can no longer fail; @bprm is only compared */
__bpf_kfunc void actplane_bprm_committing_creds(const struct linux_binprm *bprm)
{
	ap_on_exec_commit(bprm);
}

__bpf_kfunc int actplane_task_alloc(struct task_struct *task, u64 clone_flags)
{
	return ap_on_task_alloc(task, clone_flags);
}

__bpf_kfunc void actplane_task_free(struct task_struct *task)
{
	ap_on_task_free(task);
}

__bpf_kfunc void actplane_inode_free_security(struct inode *inode)
{
	ap_on_inode_free(inode);
}

__bpf_kfunc void actplane_sb_free_security(struct super_block *sb)
{
	ap_on_sb_free(sb);
}

__bpf_kfunc int actplane_socket_connect(struct socket *sock, struct sockaddr *address,
					int addrlen)
{
	return ap_on_socket_connect(sock, address, addrlen);
}

__bpf_kfunc int actplane_socket_sendmsg(struct socket *sock, struct msghdr *msg)
{
	return ap_on_socket_sendmsg(sock, msg);
}

__bpf_kfunc int actplane_socket_recvmsg(struct socket *sock)
{
	return ap_on_socket_recvmsg(sock);
}

__bpf_kfunc int actplane_unix_may_send(struct socket *sock, struct socket *other)
{
	return ap_on_unix_may_send(sock, other);
}

__bpf_kfunc void actplane_sk_free_security(struct sock *sk)
{
	ap_on_sk_free(sk);
}

__bpf_kfunc void actplane_pipe_read_done(struct kiocb *iocb, long ret)
{
	ap_on_pipe_read_done(iocb, ret);
}

__bpf_kfunc void actplane_sock_recv_done(struct socket *sock, int ret)
{
	ap_on_sock_recv_done(sock, ret);
}

__bpf_kfunc void actplane_splice(struct file *in, struct file *out)
{
	ap_on_splice(in, out);
}

__bpf_kfunc void actplane_splice_to_pipe(struct file *in, struct pipe_inode_info *pipe)
{
	ap_on_splice_to_pipe(in, pipe);
}

__bpf_kfunc void actplane_pipe_fill(struct pipe_inode_info *pipe)
{
	ap_on_pipe_fill(pipe);
}

__bpf_kfunc void actplane_pipe_consume(struct pipe_inode_info *pipe)
{
	ap_on_pipe_consume(pipe);
}

__bpf_kfunc void actplane_pipe_free(struct pipe_inode_info *pipe)
{
	ap_on_pipe_free(pipe);
}

__bpf_kfunc int actplane_ptrace_access_check(struct task_struct *child, unsigned int mode)
{
	return ap_on_ptrace_access(child, mode);
}

__bpf_kfunc int actplane_uring_sqpoll(void)
{
	return ap_on_uring_sqpoll();
}

__bpf_kfunc int actplane_msg_queue_msgsnd(struct kern_ipc_perm *q)
{
	return ap_on_msgsnd(q);
}

__bpf_kfunc int actplane_msg_queue_msgrcv(struct kern_ipc_perm *q, struct task_struct *target)
{
	return ap_on_msgrcv(q, target);
}

__bpf_kfunc void actplane_ipc_free(struct kern_ipc_perm *perm)
{
	ap_on_ipc_free(perm);
}

__bpf_kfunc void actplane_key_read(struct key *key)
{
	ap_on_key_read(key);
}

__bpf_kfunc int actplane_key_create(struct key *key)
{
	return ap_on_key_create(key);
}

__bpf_kfunc void actplane_key_free(struct key *key)
{
	ap_on_key_free(key);
}

__bpf_kfunc int actplane_sctp_bind_connect(struct sock *sk, int optname, struct sockaddr *address,
					   int addrlen)
{
	return ap_on_sctp_connect(sk, optname, address, addrlen);
}

/* tp_btf/sched_process_exit: a thread is exiting, its exit code is set */
__bpf_kfunc void actplane_task_exit(struct task_struct *task)
{
	ap_on_task_exit(task);
}

/* ---- label storage ---- */

/** actplane_task_labels() - label bits of @task's process */
__bpf_kfunc u64 actplane_task_labels(struct task_struct *task)
{
	return ap_task_labels(task);
}

/** actplane_task_add_labels() - add @labels; 0 or the fail-mode verdict */
__bpf_kfunc int actplane_task_add_labels(struct task_struct *task, u64 labels)
{
	return ap_task_absorb(task, labels);
}

__bpf_kfunc void actplane_task_clear_labels(struct task_struct *task, u64 labels)
{
	ap_task_clear(task, labels);
}

__bpf_kfunc u32 actplane_task_session(struct task_struct *task)
{
	return ap_task_session(task);
}

__bpf_kfunc u64 actplane_inode_labels(struct inode *inode)
{
	return ap_inode_labels(inode);
}

__bpf_kfunc int actplane_inode_add_labels(struct inode *inode, u64 labels)
{
	return ap_inode_absorb(inode, labels);
}

__bpf_kfunc void actplane_inode_clear_labels(struct inode *inode, u64 labels)
{
	ap_inode_clear(inode, labels);
}

/** actplane_endpoint_labels() - labels of the endpoint in a kernel sockaddr */
__bpf_kfunc u64 actplane_endpoint_labels(struct sockaddr *addr, int addrlen)
{
	struct ap_ep_key k;

	return ap_ep_from_sockaddr(addr, addrlen, &k) ? ap_ep_labels(&k) : 0;
}

__bpf_kfunc int actplane_endpoint_add_labels(struct sockaddr *addr, int addrlen, u64 labels)
{
	struct ap_ep_key k;

	return ap_ep_from_sockaddr(addr, addrlen, &k) ? ap_ep_absorb(&k, labels) : -EINVAL;
}

__bpf_kfunc void actplane_endpoint_clear_labels(struct sockaddr *addr, int addrlen, u64 labels)
{
	struct ap_ep_key k;

	if (ap_ep_from_sockaddr(addr, addrlen, &k))
		ap_ep_clear(&k, labels);
}

/**
 * actplane_counter_read() - read one of the module's counters
 * @ctr: enum actplane_counter
 *
 * Return: the counter summed over CPUs, 0 for an unknown id.
 */
__bpf_kfunc u64 actplane_counter_read(u32 ctr)
{
	if (ctr >= __ACTPLANE_CTR_MAX)
		return 0;
	return ap_stats_read(ctr);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(ap_kfunc_ids)
BTF_ID_FLAGS(func, actplane_file_open, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_file_permission, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_file_truncate, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_path_truncate, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_path_unlink, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_path_create, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_path_rename, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_path_link, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_mmap_file, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_file_mprotect, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_bprm_check_security, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, actplane_bprm_committing_creds)
BTF_ID_FLAGS(func, actplane_task_alloc, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_task_free)
BTF_ID_FLAGS(func, actplane_inode_free_security)
BTF_ID_FLAGS(func, actplane_sb_free_security)
BTF_ID_FLAGS(func, actplane_socket_connect, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_socket_sendmsg, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_socket_recvmsg, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_unix_may_send, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_sk_free_security)
BTF_ID_FLAGS(func, actplane_pipe_read_done)
BTF_ID_FLAGS(func, actplane_sock_recv_done)
BTF_ID_FLAGS(func, actplane_splice)
BTF_ID_FLAGS(func, actplane_splice_to_pipe)
BTF_ID_FLAGS(func, actplane_pipe_fill)
BTF_ID_FLAGS(func, actplane_pipe_consume)
BTF_ID_FLAGS(func, actplane_pipe_free)
BTF_ID_FLAGS(func, actplane_ptrace_access_check, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_uring_sqpoll)
BTF_ID_FLAGS(func, actplane_msg_queue_msgsnd, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_msg_queue_msgrcv, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_ipc_free)
BTF_ID_FLAGS(func, actplane_key_read)
BTF_ID_FLAGS(func, actplane_key_create)
BTF_ID_FLAGS(func, actplane_key_free)
BTF_ID_FLAGS(func, actplane_sctp_bind_connect, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_task_exit)
BTF_ID_FLAGS(func, actplane_task_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_task_add_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_task_clear_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_task_session, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_inode_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_inode_add_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_inode_clear_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_endpoint_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_endpoint_add_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_endpoint_clear_labels, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, actplane_counter_read)
BTF_KFUNCS_END(ap_kfunc_ids)

/*
 * Which program may call each hook kfunc: only one attached where that
 * hook's kernel objects come from (the LSM hook, or the traced function),
 * so no other tracing, LSM or struct_ops program can evaluate rules or free
 * label state with objects it chose.  A hook program missing here fails to
 * load at `actplane up`.  Label storage and counter kfuncs stay open to the
 * registered program types (custom programs and enforcers).
 */
#define AP_HOOK_KFUNCS(X)							\
	X(actplane_file_open, "bpf_lsm_file_open")				\
	X(actplane_file_permission, "bpf_lsm_file_permission")			\
	X(actplane_file_truncate, "bpf_lsm_file_truncate")			\
	X(actplane_path_truncate, "bpf_lsm_path_truncate")			\
	X(actplane_path_unlink, "bpf_lsm_path_unlink")				\
	X(actplane_path_create, "bpf_lsm_path_mknod\0bpf_lsm_path_mkdir\0bpf_lsm_path_symlink") \
	X(actplane_path_rename, "bpf_lsm_path_rename")				\
	X(actplane_path_link, "bpf_lsm_path_link")				\
	X(actplane_mmap_file, "bpf_lsm_mmap_file")				\
	X(actplane_file_mprotect, "bpf_lsm_file_mprotect")			\
	X(actplane_bprm_check_security, "bpf_lsm_bprm_check_security")		\
	X(actplane_bprm_committing_creds, "bpf_lsm_bprm_committing_creds")	\
	X(actplane_task_alloc, "bpf_lsm_task_alloc")				\
	X(actplane_task_free, "bpf_lsm_task_free")				\
	X(actplane_inode_free_security, "bpf_lsm_inode_free_security")		\
	X(actplane_sb_free_security, "bpf_lsm_sb_free_security")		\
	X(actplane_socket_connect, "bpf_lsm_socket_connect")			\
	X(actplane_socket_sendmsg, "bpf_lsm_socket_sendmsg")			\
	X(actplane_socket_recvmsg, "bpf_lsm_socket_recvmsg")			\
	X(actplane_unix_may_send, "bpf_lsm_unix_may_send")			\
	X(actplane_sk_free_security, "bpf_lsm_sk_free_security")		\
	X(actplane_pipe_read_done, "pipe_read")					\
	X(actplane_sock_recv_done, "inet_recvmsg\0inet6_recvmsg\0unix_stream_recvmsg\0" \
				   "unix_dgram_recvmsg\0unix_seqpacket_recvmsg")	\
	X(actplane_splice, "do_splice\0do_tee")					\
	X(actplane_splice_to_pipe, "splice_file_to_pipe")			\
	X(actplane_pipe_fill, "add_to_pipe")					\
	X(actplane_pipe_consume, "__splice_from_pipe\0pipe_wait_readable")	\
	X(actplane_pipe_free, "free_pipe_info")					\
	X(actplane_ptrace_access_check, "bpf_lsm_ptrace_access_check")		\
	X(actplane_uring_sqpoll, "bpf_lsm_uring_sqpoll")			\
	X(actplane_msg_queue_msgsnd, "bpf_lsm_msg_queue_msgsnd")		\
	X(actplane_msg_queue_msgrcv, "bpf_lsm_msg_queue_msgrcv")		\
	X(actplane_ipc_free, "bpf_lsm_msg_queue_free_security")			\
	X(actplane_key_read, "user_read")					\
	X(actplane_key_create, "bpf_lsm_key_post_create_or_update\0user_update") \
	X(actplane_key_free, "security_key_free")				\
	X(actplane_sctp_bind_connect, "bpf_lsm_sctp_bind_connect")		\
	X(actplane_task_exit, "sched_process_exit")

#define AP_HOOK_ID(fn, at) BTF_ID(func, fn)
#define AP_HOOK_AT(fn, at) at "\0",	/* a list ends with an empty name */
BTF_ID_LIST(ap_hook_kfunc_ids)
AP_HOOK_KFUNCS(AP_HOOK_ID)
static const char *const ap_hook_attach[] = { AP_HOOK_KFUNCS(AP_HOOK_AT) };

/* Is @name one of the NUL-separated names in @list? */
static bool ap_attach_listed(const char *list, const char *name)
{
	for (; *list; list += strlen(list) + 1)
		if (!strcmp(list, name))
			return true;
	return false;
}

static int ap_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	const char *at = prog->aux->attach_func_name;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ap_hook_attach); i++) {
		if (ap_hook_kfunc_ids[i] != kfunc_id)
			continue;
		if (prog->type != BPF_PROG_TYPE_LSM && prog->type != BPF_PROG_TYPE_TRACING)
			return -EACCES;
		return at && ap_attach_listed(ap_hook_attach[i], at) ? 0 : -EACCES;
	}
	return 0;
}

static const struct btf_kfunc_id_set ap_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &ap_kfunc_ids,
	.filter = ap_kfunc_filter,
};

int ap_kfuncs_init(void)
{
	/*
	 * LSM, tracing (fexit) and perf programs share one kfunc hook in
	 * 6.12 (bpf_prog_type_to_kfunc_hook), and a module may register a set
	 * only once per hook: LSM covers the fexit programs too.
	 */
	static const enum bpf_prog_type types[] = {
		BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_STRUCT_OPS,
	};
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ret = register_btf_kfunc_id_set(types[i], &ap_kfunc_set);
		if (ret)
			return ret;
	}
	return 0;
}
