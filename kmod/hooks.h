/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hook table: one line per hook kfunc, the only list of them.
 *
 *   X(NAME, ret, name, params, call, flags, attach, fm)
 *
 *   NAME    the hit counter ACTPLANE_HOOK_NAME (`actplane status` shows it
 *           as "name")
 *   ret     int (a verdict: 0 allow, negative errno deny) or void
 *   name    the kfunc is actplane_<name>(params)
 *   call    what the kfunc does: the handler in the file that owns the
 *           object (hooks_fs.c, hooks_net.c, hooks_task.c, eval.c)
 *   flags   its BTF_ID_FLAGS: KF_TRUSTED_ARGS where the program's arguments
 *           are trusted (LSM hooks; not the free hooks, not fentry/fexit)
 *   attach  the attach points (NUL-separated) whose programs may call it:
 *           "bpf_lsm_<hook>" for an LSM program, else the traced function;
 *           a kfunc without KF_TRUSTED_ARGS also lists the security_*()
 *           function its fmod_ret/fentry program attaches to without the
 *           BPF LSM
 *   fm      NOFM, or FM("security_<fn>", call2) for a hook whose LSM
 *           program passes trusted arguments: on a kernel whose BPF LSM is
 *           not active (`actplane up --attach fmod_ret`) an fmod_ret program
 *           on security_<fn>() calls the twin kfunc actplane_fm_<name>
 *           instead: same counter, no KF_TRUSTED_ARGS (tracing arguments
 *           are not trusted), never sleepable, and it does call2
 *
 * Expanded by kmod/actplane.h (the counter enum), kmod/stats.c (counter
 * names), kmod/kfuncs.c (the kfuncs, their BTF ids and flags, the filter)
 * and bpf/actplane.bpf.h (the programs' extern declarations; `call`,
 * `flags` and `attach` are not expanded there).  AP_IF_FM(fm)(TOKENS)
 * keeps TOKENS for an FM hook and drops them for NOFM.  Adding a hook: a line
 * here, its handler, its program in bpf/hooks.bpf.c (docs/CONTRIBUTING.md).
 */
#ifndef ACTPLANE_HOOKS_H
#define ACTPLANE_HOOKS_H

#define AP_HOOKS(X)							\
	/* files */							\
	X(FILE_OPEN, int, file_open, (struct file *file),		\
	  ap_on_file_open(file), KF_TRUSTED_ARGS, "bpf_lsm_file_open",	\
	  FM("security_file_open", ap_on_file_open(file)))		\
	X(FILE_PERMISSION, int, file_permission, (struct file *file, int mask), \
	  ap_on_file_permission(file, mask), KF_TRUSTED_ARGS,		\
	  "bpf_lsm_file_permission",					\
	  FM("security_file_permission", ap_on_file_permission(file, mask))) \
	X(FILE_TRUNCATE, int, file_truncate, (struct file *file),	\
	  ap_on_truncate(&file->f_path), KF_TRUSTED_ARGS, "bpf_lsm_file_truncate", \
	  FM("security_file_truncate", ap_on_truncate(&file->f_path)))	\
	X(PATH_TRUNCATE, int, path_truncate, (const struct path *path),	\
	  ap_on_truncate(path), KF_TRUSTED_ARGS, "bpf_lsm_path_truncate", \
	  FM("security_path_truncate", ap_on_truncate(path)))		\
	X(PATH_UNLINK, int, path_unlink, (const struct path *dir, struct dentry *dentry), \
	  ap_on_path_unlink(dir, dentry), KF_TRUSTED_ARGS, "bpf_lsm_path_unlink", \
	  FM("security_path_unlink", ap_on_path_unlink(dir, dentry)))	\
	/* new names: open(O_CREAT) of a new file and mknod, mkdir, symlink */ \
	X(PATH_MKNOD, int, path_mknod, (const struct path *dir, struct dentry *dentry), \
	  ap_on_path_create(dir, dentry), KF_TRUSTED_ARGS, "bpf_lsm_path_mknod", \
	  FM("security_path_mknod", ap_on_path_create(dir, dentry)))	\
	X(PATH_MKDIR, int, path_mkdir, (const struct path *dir, struct dentry *dentry), \
	  ap_on_path_create(dir, dentry), KF_TRUSTED_ARGS, "bpf_lsm_path_mkdir", \
	  FM("security_path_mkdir", ap_on_path_create(dir, dentry)))	\
	X(PATH_SYMLINK, int, path_symlink, (const struct path *dir, struct dentry *dentry), \
	  ap_on_path_create(dir, dentry), KF_TRUSTED_ARGS, "bpf_lsm_path_symlink", \
	  FM("security_path_symlink", ap_on_path_create(dir, dentry)))	\
	/* once per rename; RENAME_EXCHANGE in @flags swaps both names */ \
	X(PATH_RENAME, int, path_rename,				\
	  (const struct path *old_dir, struct dentry *old_dentry,	\
	   const struct path *new_dir, struct dentry *new_dentry, unsigned int flags), \
	  ap_on_path_rename(old_dir, old_dentry, new_dir, new_dentry, flags), \
	  KF_TRUSTED_ARGS, "bpf_lsm_path_rename",			\
	  FM("security_path_rename",					\
	     ap_on_path_rename(old_dir, old_dentry, new_dir, new_dentry, flags))) \
	X(PATH_LINK, int, path_link,					\
	  (struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry), \
	  ap_on_path_link(old_dentry, new_dir, new_dentry), KF_TRUSTED_ARGS, \
	  "bpf_lsm_path_link",						\
	  FM("security_path_link", ap_on_path_link(old_dentry, new_dir, new_dentry))) \
	X(MMAP_FILE, int, mmap_file,					\
	  (struct file *file, unsigned long prot, unsigned long flags),	\
	  ap_on_mmap(file, prot, flags), KF_TRUSTED_ARGS, "bpf_lsm_mmap_file", \
	  FM("security_mmap_file", ap_on_mmap(file, prot, flags)))	\
	X(FILE_MPROTECT, int, file_mprotect,				\
	  (struct vm_area_struct *vma, unsigned long prot),		\
	  ap_on_mprotect(vma, prot), KF_TRUSTED_ARGS, "bpf_lsm_file_mprotect", \
	  FM("security_file_mprotect", ap_on_mprotect(vma, prot)))	\
	X(INODE_FREE_SECURITY, void, inode_free_security, (struct inode *inode), \
	  ap_inode_free(inode), 0,					\
	  "bpf_lsm_inode_free_security\0security_inode_free", NOFM)	\
	X(SB_FREE_SECURITY, void, sb_free_security, (struct super_block *sb), \
	  ap_sb_free(sb), 0, "bpf_lsm_sb_free_security\0security_sb_free", NOFM) \
	/* pipes and the splice family */				\
	X(PIPE_READ_DONE, void, pipe_read_done, (struct kiocb *iocb, long ret), \
	  ap_on_pipe_read_done(iocb, ret), 0, "pipe_read", NOFM)	\
	X(SPLICE, void, splice, (struct file *in, struct file *out),	\
	  ap_on_splice(in, out), 0, "do_splice\0do_tee", NOFM)		\
	X(SPLICE_TO_PIPE, void, splice_to_pipe,				\
	  (struct file *in, struct pipe_inode_info *pipe),		\
	  ap_on_splice_to_pipe(in, pipe), 0, "splice_file_to_pipe", NOFM) \
	X(PIPE_FILL, void, pipe_fill, (struct pipe_inode_info *pipe),	\
	  ap_on_pipe_fill(pipe), 0, "add_to_pipe", NOFM)		\
	X(PIPE_CONSUME, void, pipe_consume, (struct pipe_inode_info *pipe), \
	  ap_on_pipe_consume(pipe), 0, "__splice_from_pipe\0pipe_wait_readable", NOFM) \
	X(PIPE_FREE, void, pipe_free, (struct pipe_inode_info *pipe),	\
	  ap_on_pipe_free(pipe), 0, "free_pipe_info", NOFM)		\
	/*								\
	 * exec (sleepable: reading the new program's argv may fault); the \
	 * twin cannot sleep and leaves what needs argv, the environment or \
	 * a path lookup to the commit (ap_on_exec_atomic())		\
	 */								\
	X(BPRM_CHECK_SECURITY, int, bprm_check_security, (struct linux_binprm *bprm), \
	  ap_on_exec(bprm), KF_TRUSTED_ARGS | KF_SLEEPABLE,		\
	  "bpf_lsm_bprm_check_security",				\
	  FM("security_bprm_check", ap_on_exec_atomic(bprm)))		\
	/* past the exec's point of no return; @bprm is only compared */ \
	X(BPRM_COMMITTING_CREDS, void, bprm_committing_creds,		\
	  (const struct linux_binprm *bprm), ap_on_exec_commit(bprm), 0, \
	  "bpf_lsm_bprm_committing_creds",				\
	  FM("security_bprm_committing_creds", ap_on_exec_commit_atomic(bprm))) \
	/* tasks */							\
	X(TASK_ALLOC, int, task_alloc, (struct task_struct *task, u64 clone_flags), \
	  ap_task_fork(task, clone_flags), KF_TRUSTED_ARGS, "bpf_lsm_task_alloc", \
	  FM("security_task_alloc", ap_task_fork(task, clone_flags)))	\
	X(TASK_FREE, void, task_free, (struct task_struct *task),	\
	  ap_task_free(task), 0, "bpf_lsm_task_free\0security_task_free", NOFM) \
	/* tp_btf/sched_process_exit: a thread exits, its exit code is set */ \
	X(TASK_EXIT, void, task_exit, (struct task_struct *task),	\
	  ap_on_task_exit(task), 0, "sched_process_exit", NOFM)		\
	X(PTRACE_ACCESS_CHECK, int, ptrace_access_check,		\
	  (struct task_struct *child, unsigned int mode),		\
	  ap_on_ptrace_access(child, mode), KF_TRUSTED_ARGS,		\
	  "bpf_lsm_ptrace_access_check",				\
	  FM("security_ptrace_access_check", ap_on_ptrace_access(child, mode))) \
	X(URING_SQPOLL, int, uring_sqpoll, (void), ap_on_uring_sqpoll(), 0, \
	  "bpf_lsm_uring_sqpoll\0security_uring_sqpoll", NOFM)		\
	/* SysV message queues and keys: labeled like pipes */		\
	X(MSG_QUEUE_MSGSND, int, msg_queue_msgsnd, (struct kern_ipc_perm *q), \
	  ap_on_msgsnd(q), KF_TRUSTED_ARGS, "bpf_lsm_msg_queue_msgsnd",	\
	  FM("security_msg_queue_msgsnd", ap_on_msgsnd(q)))		\
	X(MSG_QUEUE_MSGRCV, int, msg_queue_msgrcv,			\
	  (struct kern_ipc_perm *q, struct task_struct *target),	\
	  ap_on_msgrcv(q, target), KF_TRUSTED_ARGS, "bpf_lsm_msg_queue_msgrcv", \
	  FM("security_msg_queue_msgrcv", ap_on_msgrcv(q, target)))	\
	X(IPC_FREE, void, ipc_free, (struct kern_ipc_perm *perm),	\
	  ap_on_ipc_free(perm), 0,					\
	  "bpf_lsm_msg_queue_free_security\0security_msg_queue_free", NOFM) \
	/*								\
	 * messages, SysV and POSIX (mq_timedsend passes no hook naming	\
	 * its queue): labeled at allocation, absorbed where copied out	\
	 */								\
	X(MSG_MSG_ALLOC, int, msg_msg_alloc, (struct msg_msg *msg),	\
	  ap_on_msg_alloc(msg), 0,					\
	  "bpf_lsm_msg_msg_alloc_security\0security_msg_msg_alloc", NOFM) \
	X(MSG_STORE, void, msg_store, (struct msg_msg *msg),		\
	  ap_on_msg_store(msg), 0, "store_msg", NOFM)			\
	X(MSG_MSG_FREE, void, msg_msg_free, (struct msg_msg *msg),	\
	  ap_chan_free(msg), 0,						\
	  "bpf_lsm_msg_msg_free_security\0security_msg_msg_free", NOFM)	\
	X(KEY_READ, void, key_read, (struct key *key), ap_on_key_read(key), 0, \
	  "user_read", NOFM)						\
	X(KEY_CREATE, int, key_create, (struct key *key), ap_on_key_create(key), 0, \
	  "bpf_lsm_key_post_create_or_update\0security_key_post_create_or_update\0" \
	  "user_update", NOFM)						\
	X(KEY_FREE, void, key_free, (struct key *key), ap_on_key_free(key), 0, \
	  "security_key_free", NOFM)					\
	/* sockets */							\
	X(SOCKET_CONNECT, int, socket_connect,				\
	  (struct socket *sock, struct sockaddr *address, int addrlen),	\
	  ap_on_socket_connect(sock, address, addrlen), KF_TRUSTED_ARGS, \
	  "bpf_lsm_socket_connect",					\
	  FM("security_socket_connect", ap_on_socket_connect(sock, address, addrlen))) \
	X(SOCKET_SENDMSG, int, socket_sendmsg, (struct socket *sock, struct msghdr *msg), \
	  ap_on_socket_sendmsg(sock, msg), KF_TRUSTED_ARGS, "bpf_lsm_socket_sendmsg", \
	  FM("security_socket_sendmsg", ap_on_socket_sendmsg(sock, msg))) \
	X(SOCKET_RECVMSG, int, socket_recvmsg, (struct socket *sock),	\
	  ap_on_socket_recvmsg(sock), KF_TRUSTED_ARGS, "bpf_lsm_socket_recvmsg", \
	  FM("security_socket_recvmsg", ap_on_socket_recvmsg(sock)))	\
	/* after each protocol's recvmsg returned data (also recvmmsg's later ones) */ \
	X(SOCK_RECV_DONE, void, sock_recv_done, (struct socket *sock, int ret), \
	  ap_on_sock_recv_done(sock, ret), 0,				\
	  "inet_recvmsg\0inet6_recvmsg\0unix_stream_recvmsg\0"		\
	  "unix_dgram_recvmsg\0unix_seqpacket_recvmsg", NOFM)		\
	/* tp_btf/sock_send_length: after every protocol sendmsg (also	\
	 * sendmmsg's later messages) */				\
	X(SOCK_SEND_DONE, void, sock_send_done, (struct sock *sk),	\
	  ap_on_sock_send_done(sk), 0, "sock_send_length", NOFM)	\
	X(SENDMMSG_BEGIN, void, sendmmsg_begin, (void), ap_on_sendmmsg_begin(), 0, \
	  "__sys_sendmmsg", NOFM)					\
	X(SENDMMSG_END, void, sendmmsg_end, (void), ap_on_sendmmsg_end(), 0, \
	  "__sys_sendmmsg", NOFM)					\
	X(UNIX_MAY_SEND, int, unix_may_send, (struct socket *sock, struct socket *other), \
	  ap_on_unix_may_send(sock, other), KF_TRUSTED_ARGS, "bpf_lsm_unix_may_send", \
	  FM("security_unix_may_send", ap_on_unix_may_send(sock, other))) \
	X(SK_FREE_SECURITY, void, sk_free_security, (struct sock *sk),	\
	  ap_on_sk_free(sk), 0, "bpf_lsm_sk_free_security\0security_sk_free", NOFM) \
	X(SCTP_BIND_CONNECT, int, sctp_bind_connect,			\
	  (struct sock *sk, int optname, struct sockaddr *address, int addrlen), \
	  ap_on_sctp_connect(sk, optname, address, addrlen), KF_TRUSTED_ARGS, \
	  "bpf_lsm_sctp_bind_connect",					\
	  FM("security_sctp_bind_connect",				\
	     ap_on_sctp_connect(sk, optname, address, addrlen)))

/* FM twins: AP_IF_FM(fm)(TOKENS) keeps TOKENS for FM(...), drops them for NOFM */
#define AP_IF_FM(fm)		AP_IF_FM_##fm
#define AP_IF_FM_FM(fn, call)	AP_FM_KEEP
#define AP_IF_FM_NOFM		AP_FM_DROP
#define AP_FM_KEEP(...)		__VA_ARGS__
#define AP_FM_DROP(...)
/* the twin's attach point and what it does */
#define AP_FM_FN(fm)		AP_FM_FN_##fm
#define AP_FM_FN_FM(fn, call)	fn
#define AP_FM_CALL(fm)		AP_FM_CALL_##fm
#define AP_FM_CALL_FM(fn, call)	call

#endif
