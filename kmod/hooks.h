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
 *   flags   TRUSTED where every program that calls it passes trusted
 *           arguments (LSM hooks; not the free hooks, not fentry/fexit),
 *           TRUSTED_SLEEPABLE the same and it may sleep, UNTRUSTED
 *           otherwise: its pointer arguments are named AP_ARG(x), which
 *           gives them the suffix __ign, so no verifier checks their trust
 *           (since 6.19 every kfunc argument must be trusted unless so
 *           named; the attach filter still names the caller)
 *   attach  the attach points (NUL-separated) whose programs may call it:
 *           "bpf_lsm_<hook>" for an LSM program, else the traced function
 *           (with the names it has on other kernels: an optional program,
 *           `SEC("?...")`, attaches where the kernel has that function);
 *           an UNTRUSTED kfunc also lists the security_*() function its
 *           fmod_ret/fentry program attaches to without the BPF LSM
 *   fm      NOFM, or FM("security_<fn>", call2) for a TRUSTED hook: on a
 *           kernel whose BPF LSM is not active (`actplane up --attach
 *           fmod_ret`) an fmod_ret program on security_<fn>() calls the twin
 *           kfunc actplane_fm_<name> instead: same counter, UNTRUSTED
 *           (tracing arguments are not trusted), never sleepable, and it
 *           does call2
 *
 * Expanded by kmod/actplane.h (the counter enum), kmod/stats.c (counter
 * names), kmod/kfuncs.c (the kfuncs, their BTF ids and flags, the filter)
 * and bpf/actplane.bpf.h (the programs' extern declarations; `call`,
 * `flags` and `attach` are not expanded there).  kfuncs.c expands the table
 * twice: the TRUSTED kfuncs with AP_ARG(x) as x, then the UNTRUSTED ones and
 * the twins with AP_ARG(x) as x__ign (AP_IF_TRUSTED, AP_IF_UNTRUSTED).
 * AP_IF_FM(fm)(TOKENS) keeps TOKENS for an FM hook and drops them for NOFM.
 * Adding a hook: a line here, its handler, its program in bpf/hooks.bpf.c
 * (docs/CONTRIBUTING.md).
 */
#ifndef ACTPLANE_HOOKS_H
#define ACTPLANE_HOOKS_H

#define AP_HOOKS(X)							\
	/* files */							\
	X(FILE_OPEN, int, file_open, (struct file *AP_ARG(file)),	\
	  ap_on_file_open(AP_ARG(file)), TRUSTED, "bpf_lsm_file_open",	\
	  FM("security_file_open", ap_on_file_open(AP_ARG(file))))	\
	X(FILE_PERMISSION, int, file_permission,			\
	  (struct file *AP_ARG(file), int mask),			\
	  ap_on_file_permission(AP_ARG(file), mask), TRUSTED,		\
	  "bpf_lsm_file_permission",					\
	  FM("security_file_permission", ap_on_file_permission(AP_ARG(file), mask))) \
	X(FILE_TRUNCATE, int, file_truncate, (struct file *AP_ARG(file)), \
	  ap_on_truncate(&AP_ARG(file)->f_path), TRUSTED, "bpf_lsm_file_truncate", \
	  FM("security_file_truncate", ap_on_truncate(&AP_ARG(file)->f_path))) \
	X(PATH_TRUNCATE, int, path_truncate, (const struct path *AP_ARG(path)), \
	  ap_on_truncate(AP_ARG(path)), TRUSTED, "bpf_lsm_path_truncate", \
	  FM("security_path_truncate", ap_on_truncate(AP_ARG(path))))	\
	X(PATH_UNLINK, int, path_unlink,				\
	  (const struct path *AP_ARG(dir), struct dentry *AP_ARG(dentry)), \
	  ap_on_path_unlink(AP_ARG(dir), AP_ARG(dentry)), TRUSTED,	\
	  "bpf_lsm_path_unlink",					\
	  FM("security_path_unlink", ap_on_path_unlink(AP_ARG(dir), AP_ARG(dentry)))) \
	/* new names: open(O_CREAT) of a new file and mknod, mkdir, symlink */ \
	X(PATH_MKNOD, int, path_mknod, (const struct path *AP_ARG(dir),	\
	  struct dentry *AP_ARG(dentry)),				\
	  ap_on_path_create(AP_ARG(dir), AP_ARG(dentry)), TRUSTED,	\
	  "bpf_lsm_path_mknod",						\
	  FM("security_path_mknod", ap_on_path_create(AP_ARG(dir), AP_ARG(dentry)))) \
	X(PATH_MKDIR, int, path_mkdir, (const struct path *AP_ARG(dir),	\
	  struct dentry *AP_ARG(dentry)),				\
	  ap_on_path_create(AP_ARG(dir), AP_ARG(dentry)), TRUSTED,	\
	  "bpf_lsm_path_mkdir",						\
	  FM("security_path_mkdir", ap_on_path_create(AP_ARG(dir), AP_ARG(dentry)))) \
	X(PATH_SYMLINK, int, path_symlink,				\
	  (const struct path *AP_ARG(dir), struct dentry *AP_ARG(dentry)), \
	  ap_on_path_create(AP_ARG(dir), AP_ARG(dentry)), TRUSTED,	\
	  "bpf_lsm_path_symlink",					\
	  FM("security_path_symlink", ap_on_path_create(AP_ARG(dir), AP_ARG(dentry)))) \
	/* once per rename; RENAME_EXCHANGE in @flags swaps both names */ \
	X(PATH_RENAME, int, path_rename,				\
	  (const struct path *AP_ARG(old_dir), struct dentry *AP_ARG(old_dentry), \
	   const struct path *AP_ARG(new_dir),				\
	   struct dentry *AP_ARG(new_dentry), unsigned int flags),	\
	  ap_on_path_rename(AP_ARG(old_dir), AP_ARG(old_dentry),	\
	  AP_ARG(new_dir), AP_ARG(new_dentry), flags),			\
	  TRUSTED, "bpf_lsm_path_rename",				\
	  FM("security_path_rename",					\
	     ap_on_path_rename(AP_ARG(old_dir), AP_ARG(old_dentry),	\
	   AP_ARG(new_dir), AP_ARG(new_dentry), flags)))		\
	X(PATH_LINK, int, path_link,					\
	  (struct dentry *AP_ARG(old_dentry),				\
	  const struct path *AP_ARG(new_dir), struct dentry *AP_ARG(new_dentry)), \
	  ap_on_path_link(AP_ARG(old_dentry), AP_ARG(new_dir),		\
	  AP_ARG(new_dentry)), TRUSTED,					\
	  "bpf_lsm_path_link",						\
	  FM("security_path_link", ap_on_path_link(AP_ARG(old_dentry),	\
	  AP_ARG(new_dir), AP_ARG(new_dentry))))			\
	X(MMAP_FILE, int, mmap_file,					\
	  (struct file *AP_ARG(file), unsigned long prot, unsigned long flags), \
	  ap_on_mmap(AP_ARG(file), prot, flags), TRUSTED, "bpf_lsm_mmap_file", \
	  FM("security_mmap_file", ap_on_mmap(AP_ARG(file), prot, flags))) \
	X(FILE_MPROTECT, int, file_mprotect,				\
	  (struct vm_area_struct *AP_ARG(vma), unsigned long prot),	\
	  ap_on_mprotect(AP_ARG(vma), prot), TRUSTED, "bpf_lsm_file_mprotect", \
	  FM("security_file_mprotect", ap_on_mprotect(AP_ARG(vma), prot))) \
	X(INODE_FREE_SECURITY, void, inode_free_security,		\
	  (struct inode *AP_ARG(inode)),				\
	  ap_inode_free(AP_ARG(inode)), UNTRUSTED,			\
	  "bpf_lsm_inode_free_security\0security_inode_free", NOFM)	\
	X(SB_FREE_SECURITY, void, sb_free_security, (struct super_block *AP_ARG(sb)), \
	  ap_sb_free(AP_ARG(sb)), UNTRUSTED,				\
	  "bpf_lsm_sb_free_security\0security_sb_free", NOFM)		\
	/* pipes and the splice family */				\
	X(PIPE_READ_DONE, void, pipe_read_done,				\
	  (struct kiocb *AP_ARG(iocb), long ret),			\
	  ap_on_pipe_read_done(AP_ARG(iocb), ret), UNTRUSTED,			\
	  "pipe_read\0anon_pipe_read\0fifo_pipe_read", NOFM) \
	X(SPLICE, void, splice, (struct file *AP_ARG(in), struct file *AP_ARG(out)), \
	  ap_on_splice(AP_ARG(in), AP_ARG(out)), UNTRUSTED, "do_splice\0do_tee", NOFM) \
	X(SPLICE_TO_PIPE, void, splice_to_pipe,				\
	  (struct file *AP_ARG(in), struct pipe_inode_info *AP_ARG(pipe)), \
	  ap_on_splice_to_pipe(AP_ARG(in), AP_ARG(pipe)), UNTRUSTED,	\
	  "splice_file_to_pipe", NOFM)					\
	X(PIPE_FILL, void, pipe_fill, (struct pipe_inode_info *AP_ARG(pipe)), \
	  ap_on_pipe_fill(AP_ARG(pipe)), UNTRUSTED, "add_to_pipe", NOFM) \
	X(PIPE_CONSUME, void, pipe_consume, (struct pipe_inode_info *AP_ARG(pipe)), \
	  ap_on_pipe_consume(AP_ARG(pipe)), UNTRUSTED,			\
	  "__splice_from_pipe\0pipe_wait_readable", NOFM)		\
	X(PIPE_FREE, void, pipe_free, (struct pipe_inode_info *AP_ARG(pipe)), \
	  ap_on_pipe_free(AP_ARG(pipe)), UNTRUSTED, "free_pipe_info", NOFM) \
	/*								\
	 * exec (sleepable: reading the new program's argv may fault); the \
	 * twin cannot sleep and leaves what needs argv, the environment or \
	 * a path lookup to the commit (ap_on_exec_atomic())		\
	 */								\
	X(BPRM_CHECK_SECURITY, int, bprm_check_security,		\
	  (struct linux_binprm *AP_ARG(bprm)),				\
	  ap_on_exec(AP_ARG(bprm)), TRUSTED_SLEEPABLE,			\
	  "bpf_lsm_bprm_check_security",				\
	  FM("security_bprm_check", ap_on_exec_atomic(AP_ARG(bprm))))	\
	/* past the exec's point of no return; @bprm is only compared */ \
	X(BPRM_COMMITTING_CREDS, void, bprm_committing_creds,		\
	  (const struct linux_binprm *AP_ARG(bprm)),			\
	  ap_on_exec_commit(AP_ARG(bprm)), UNTRUSTED,			\
	  "bpf_lsm_bprm_committing_creds",				\
	  FM("security_bprm_committing_creds",				\
	  ap_on_exec_commit_atomic(AP_ARG(bprm))))			\
	/* tasks */							\
	X(TASK_ALLOC, int, task_alloc,					\
	  (struct task_struct *AP_ARG(task), u64 clone_flags),		\
	  ap_task_fork(AP_ARG(task), clone_flags), TRUSTED, "bpf_lsm_task_alloc", \
	  FM("security_task_alloc", ap_task_fork(AP_ARG(task), clone_flags))) \
	X(TASK_FREE, void, task_free, (struct task_struct *AP_ARG(task)), \
	  ap_task_free(AP_ARG(task)), UNTRUSTED,			\
	  "bpf_lsm_task_free\0security_task_free", NOFM)		\
	/* tp_btf/sched_process_exit: a thread exits, its exit code is set */ \
	X(TASK_EXIT, void, task_exit, (struct task_struct *AP_ARG(task)), \
	  ap_on_task_exit(AP_ARG(task)), UNTRUSTED, "sched_process_exit", NOFM) \
	X(PTRACE_ACCESS_CHECK, int, ptrace_access_check,		\
	  (struct task_struct *AP_ARG(child), unsigned int mode),	\
	  ap_on_ptrace_access(AP_ARG(child), mode), TRUSTED,		\
	  "bpf_lsm_ptrace_access_check",				\
	  FM("security_ptrace_access_check",				\
	  ap_on_ptrace_access(AP_ARG(child), mode)))			\
	X(URING_SQPOLL, int, uring_sqpoll, (void), ap_on_uring_sqpoll(), UNTRUSTED, \
	  "bpf_lsm_uring_sqpoll\0security_uring_sqpoll", NOFM)		\
	/* SysV message queues and keys: labeled like pipes */		\
	X(MSG_QUEUE_MSGSND, int, msg_queue_msgsnd, (struct kern_ipc_perm *AP_ARG(q)), \
	  ap_on_msgsnd(AP_ARG(q)), TRUSTED, "bpf_lsm_msg_queue_msgsnd",	\
	  FM("security_msg_queue_msgsnd", ap_on_msgsnd(AP_ARG(q))))	\
	X(MSG_QUEUE_MSGRCV, int, msg_queue_msgrcv,			\
	  (struct kern_ipc_perm *AP_ARG(q), struct task_struct *AP_ARG(target)), \
	  ap_on_msgrcv(AP_ARG(q), AP_ARG(target)), TRUSTED,		\
	  "bpf_lsm_msg_queue_msgrcv",					\
	  FM("security_msg_queue_msgrcv", ap_on_msgrcv(AP_ARG(q), AP_ARG(target)))) \
	X(IPC_FREE, void, ipc_free, (struct kern_ipc_perm *AP_ARG(perm)), \
	  ap_on_ipc_free(AP_ARG(perm)), UNTRUSTED,			\
	  "bpf_lsm_msg_queue_free_security\0security_msg_queue_free", NOFM) \
	/*								\
	 * messages, SysV and POSIX (mq_timedsend passes no hook naming	\
	 * its queue): labeled at allocation, absorbed where copied out	\
	 */								\
	X(MSG_MSG_ALLOC, int, msg_msg_alloc, (struct msg_msg *AP_ARG(msg)), \
	  ap_on_msg_alloc(AP_ARG(msg)), UNTRUSTED,			\
	  "bpf_lsm_msg_msg_alloc_security\0security_msg_msg_alloc", NOFM) \
	X(MSG_STORE, void, msg_store, (struct msg_msg *AP_ARG(msg)),	\
	  ap_on_msg_store(AP_ARG(msg)), UNTRUSTED, "store_msg", NOFM)	\
	X(MSG_MSG_FREE, void, msg_msg_free, (struct msg_msg *AP_ARG(msg)), \
	  ap_chan_free(AP_ARG(msg)), UNTRUSTED,				\
	  "bpf_lsm_msg_msg_free_security\0security_msg_msg_free", NOFM)	\
	/* a key's payload read: user_read() (up to 6.1x), __keyctl_read_key() */ \
	X(KEY_READ, void, key_read, (struct key *AP_ARG(key)),		\
	  ap_on_key_read(AP_ARG(key)), UNTRUSTED,			\
	  "user_read\0__keyctl_read_key", NOFM)				\
	X(KEY_CREATE, int, key_create, (struct key *AP_ARG(key)),	\
	  ap_on_key_create(AP_ARG(key)), UNTRUSTED,			\
	  "bpf_lsm_key_post_create_or_update\0security_key_post_create_or_update\0" \
	  "user_update", NOFM)						\
	X(KEY_FREE, void, key_free, (struct key *AP_ARG(key)),		\
	  ap_on_key_free(AP_ARG(key)), UNTRUSTED,			\
	  "security_key_free", NOFM)					\
	/* sockets */							\
	X(SOCKET_CONNECT, int, socket_connect,				\
	  (struct socket *AP_ARG(sock),					\
	  struct sockaddr *AP_ARG(address), int addrlen),		\
	  ap_on_socket_connect(AP_ARG(sock), AP_ARG(address), addrlen), TRUSTED, \
	  "bpf_lsm_socket_connect",					\
	  FM("security_socket_connect",					\
	  ap_on_socket_connect(AP_ARG(sock), AP_ARG(address), addrlen))) \
	X(SOCKET_SENDMSG, int, socket_sendmsg,				\
	  (struct socket *AP_ARG(sock), struct msghdr *AP_ARG(msg)),	\
	  ap_on_socket_sendmsg(AP_ARG(sock), AP_ARG(msg)), TRUSTED,	\
	  "bpf_lsm_socket_sendmsg",					\
	  FM("security_socket_sendmsg",					\
	  ap_on_socket_sendmsg(AP_ARG(sock), AP_ARG(msg))))		\
	X(SOCKET_RECVMSG, int, socket_recvmsg, (struct socket *AP_ARG(sock)), \
	  ap_on_socket_recvmsg(AP_ARG(sock)), TRUSTED, "bpf_lsm_socket_recvmsg", \
	  FM("security_socket_recvmsg", ap_on_socket_recvmsg(AP_ARG(sock)))) \
	/* after each protocol's recvmsg returned data (also recvmmsg's later ones) */ \
	X(SOCK_RECV_DONE, void, sock_recv_done,				\
	  (struct socket *AP_ARG(sock), int ret),			\
	  ap_on_sock_recv_done(AP_ARG(sock), ret), UNTRUSTED,		\
	  "inet_recvmsg\0inet6_recvmsg\0unix_stream_recvmsg\0"		\
	  "unix_dgram_recvmsg\0unix_seqpacket_recvmsg", NOFM)		\
	/* tp_btf/sock_send_length: after every protocol sendmsg (also	\
	 * sendmmsg's later messages) */				\
	X(SOCK_SEND_DONE, void, sock_send_done, (struct sock *AP_ARG(sk)), \
	  ap_on_sock_send_done(AP_ARG(sk)), UNTRUSTED, "sock_send_length", NOFM) \
	X(SENDMMSG_BEGIN, void, sendmmsg_begin, (void),			\
	  ap_on_sendmmsg_begin(), UNTRUSTED,				\
	  "__sys_sendmmsg", NOFM)					\
	X(SENDMMSG_END, void, sendmmsg_end, (void), ap_on_sendmmsg_end(), UNTRUSTED, \
	  "__sys_sendmmsg", NOFM)					\
	X(UNIX_MAY_SEND, int, unix_may_send,				\
	  (struct socket *AP_ARG(sock), struct socket *AP_ARG(other)),	\
	  ap_on_unix_may_send(AP_ARG(sock), AP_ARG(other)), TRUSTED,	\
	  "bpf_lsm_unix_may_send",					\
	  FM("security_unix_may_send", ap_on_unix_may_send(AP_ARG(sock), \
	  AP_ARG(other))))						\
	X(SK_FREE_SECURITY, void, sk_free_security, (struct sock *AP_ARG(sk)), \
	  ap_on_sk_free(AP_ARG(sk)), UNTRUSTED,				\
	  "bpf_lsm_sk_free_security\0security_sk_free", NOFM)		\
	X(SCTP_BIND_CONNECT, int, sctp_bind_connect,			\
	  (struct sock *AP_ARG(sk), int optname,			\
	  struct sockaddr *AP_ARG(address), int addrlen),		\
	  ap_on_sctp_connect(AP_ARG(sk), optname, AP_ARG(address), addrlen), TRUSTED, \
	  "bpf_lsm_sctp_bind_connect",					\
	  FM("security_sctp_bind_connect",				\
	     ap_on_sctp_connect(AP_ARG(sk), optname, AP_ARG(address), addrlen)))

/* the flags column: its BTF_ID_FLAGS, and which pass of kfuncs.c defines it */
#define AP_KF_TRUSTED			KF_TRUSTED_ARGS
#define AP_KF_TRUSTED_SLEEPABLE		(KF_TRUSTED_ARGS | KF_SLEEPABLE)
#define AP_KF_UNTRUSTED			0
#define AP_IF_TRUSTED(flags)		AP_IF_TRUSTED_##flags
#define AP_IF_TRUSTED_TRUSTED		AP_FM_KEEP
#define AP_IF_TRUSTED_TRUSTED_SLEEPABLE	AP_FM_KEEP
#define AP_IF_TRUSTED_UNTRUSTED		AP_FM_DROP
#define AP_IF_UNTRUSTED(flags)		AP_IF_UNTRUSTED_##flags
#define AP_IF_UNTRUSTED_TRUSTED		AP_FM_DROP
#define AP_IF_UNTRUSTED_TRUSTED_SLEEPABLE	AP_FM_DROP
#define AP_IF_UNTRUSTED_UNTRUSTED	AP_FM_KEEP

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
