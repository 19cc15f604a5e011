/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by every ActPlane BPF program: kernel and module types come from
 * vmlinux.h (bpftool btf dump of the module with vmlinux as base), the
 * module's kfuncs are declared here.
 */
#ifndef ACTPLANE_BPF_H
#define ACTPLANE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define AP_EPERM	1
#define AP_ENOMEM	12

/*
 * LSM programs must return 0 or a negative errno; the verifier checks the
 * range of the returned register, so map the kfunc's verdict onto constants:
 * allow, -ENOMEM (fail-closed: cannot track), or -EPERM (denied).
 */
#define AP_VERDICT(r) ((r) == 0 ? 0 : (r) == -AP_ENOMEM ? -AP_ENOMEM : -AP_EPERM)

/* Hook kfuncs: return 0 to allow or a negative errno to deny. */
extern int actplane_file_open(struct file *file) __ksym;
extern int actplane_file_permission(struct file *file, int mask) __ksym;
extern int actplane_file_truncate(struct file *file) __ksym;
extern int actplane_path_truncate(const struct path *path) __ksym;
extern int actplane_path_unlink(const struct path *dir, struct dentry *dentry) __ksym;
extern int actplane_path_create(const struct path *dir, struct dentry *dentry, __u32 kind) __ksym;
extern int actplane_path_rename(const struct path *old_dir, struct dentry *old_dentry,
				const struct path *new_dir, struct dentry *new_dentry) __ksym;
extern int actplane_path_link(struct dentry *old_dentry, const struct path *new_dir,
			      struct dentry *new_dentry) __ksym;
extern int actplane_mmap_file(struct file *file, unsigned long prot, unsigned long flags) __ksym;
extern int actplane_file_mprotect(struct vm_area_struct *vma, unsigned long prot) __ksym;
extern int actplane_bprm_check_security(struct linux_binprm *bprm) __ksym;
extern void actplane_bprm_committing_creds(const struct linux_binprm *bprm) __ksym;
extern int actplane_task_alloc(struct task_struct *task, u64 clone_flags) __ksym;
extern void actplane_task_free(struct task_struct *task) __ksym;
extern void actplane_inode_free_security(struct inode *inode) __ksym;
extern void actplane_sb_free_security(struct super_block *sb) __ksym;
extern int actplane_socket_connect(struct socket *sock, struct sockaddr *address,
				   int addrlen) __ksym;
extern int actplane_socket_sendmsg(struct socket *sock, struct msghdr *msg) __ksym;
extern int actplane_socket_recvmsg(struct socket *sock) __ksym;
extern int actplane_unix_may_send(struct socket *sock, struct socket *other) __ksym;
extern void actplane_sk_free_security(struct sock *sk) __ksym;
extern void actplane_pipe_read_done(struct kiocb *iocb, long ret) __ksym;
extern void actplane_sock_recv_done(struct socket *sock, int ret) __ksym;
extern void actplane_task_exit(struct task_struct *task) __ksym;
extern void actplane_splice(struct file *in, struct file *out) __ksym;
extern void actplane_splice_to_pipe(struct file *in, struct pipe_inode_info *pipe) __ksym;
extern void actplane_pipe_fill(struct pipe_inode_info *pipe) __ksym;
extern void actplane_pipe_consume(struct pipe_inode_info *pipe) __ksym;
extern void actplane_pipe_free(struct pipe_inode_info *pipe) __ksym;
extern int actplane_ptrace_access_check(struct task_struct *child, unsigned int mode) __ksym;
extern int actplane_uring_sqpoll(void) __ksym;
extern int actplane_msg_queue_msgsnd(struct kern_ipc_perm *q) __ksym;
extern int actplane_msg_queue_msgrcv(struct kern_ipc_perm *q, struct task_struct *target) __ksym;
extern void actplane_ipc_free(struct kern_ipc_perm *perm) __ksym;
extern void actplane_key_read(struct key *key) __ksym;
extern int actplane_key_create(struct key *key) __ksym;
extern void actplane_key_free(struct key *key) __ksym;
extern int actplane_sctp_bind_connect(struct sock *sk, int optname, struct sockaddr *address,
				      int addrlen) __ksym;

/* Label storage and helpers (for enforcers and custom programs). */
extern u64 actplane_task_labels(struct task_struct *task) __ksym;
extern int actplane_task_add_labels(struct task_struct *task, u64 labels) __ksym;
extern void actplane_task_clear_labels(struct task_struct *task, u64 labels) __ksym;
extern u32 actplane_task_session(struct task_struct *task) __ksym;
extern u64 actplane_inode_labels(struct inode *inode) __ksym;
extern int actplane_inode_add_labels(struct inode *inode, u64 labels) __ksym;
extern void actplane_inode_clear_labels(struct inode *inode, u64 labels) __ksym;
extern u64 actplane_endpoint_labels(struct sockaddr *addr, int addrlen) __ksym;
extern int actplane_endpoint_add_labels(struct sockaddr *addr, int addrlen, u64 labels) __ksym;
extern void actplane_endpoint_clear_labels(struct sockaddr *addr, int addrlen, u64 labels) __ksym;
extern u64 actplane_counter_read(u32 ctr) __ksym;

#endif
