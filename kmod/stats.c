// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counters.  Hot paths only ever increment their own CPU's copy; readers
 * (STATUS) sum over all CPUs, so counting takes no lock and no atomic.
 */
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include "actplane.h"

struct ap_stats {
	u64 hook_hits[__ACTPLANE_HOOK_MAX];
	u64 ctr[__ACTPLANE_CTR_MAX];
};

static DEFINE_PER_CPU(struct ap_stats, ap_stats);

const char *const actplane_hook_names[__ACTPLANE_HOOK_MAX] = {
	[ACTPLANE_HOOK_FILE_OPEN] = "file_open",
	[ACTPLANE_HOOK_FILE_PERMISSION] = "file_permission",
	[ACTPLANE_HOOK_FILE_TRUNCATE] = "file_truncate",
	[ACTPLANE_HOOK_PATH_TRUNCATE] = "path_truncate",
	[ACTPLANE_HOOK_INODE_RENAME] = "path_rename",
	[ACTPLANE_HOOK_INODE_LINK] = "path_link",
	[ACTPLANE_HOOK_PATH_UNLINK] = "path_unlink",
	[ACTPLANE_HOOK_MMAP_FILE] = "mmap_file",
	[ACTPLANE_HOOK_FILE_MPROTECT] = "file_mprotect",
	[ACTPLANE_HOOK_BPRM_CHECK] = "bprm_check_security",
	[ACTPLANE_HOOK_TASK_ALLOC] = "task_alloc",
	[ACTPLANE_HOOK_TASK_FREE] = "task_free",
	[ACTPLANE_HOOK_INODE_FREE] = "inode_free_security",
	[ACTPLANE_HOOK_SB_FREE] = "sb_free_security",
	[ACTPLANE_HOOK_SOCKET_CONNECT] = "socket_connect",
	[ACTPLANE_HOOK_SOCKET_SENDMSG] = "socket_sendmsg",
	[ACTPLANE_HOOK_SOCKET_RECVMSG] = "socket_recvmsg",
	[ACTPLANE_HOOK_UNIX_MAY_SEND] = "unix_may_send",
	[ACTPLANE_HOOK_SK_FREE] = "sk_free_security",
	[ACTPLANE_HOOK_PIPE_READ] = "pipe_read",
	[ACTPLANE_HOOK_SOCK_RECV_DONE] = "proto_recvmsg",
	[ACTPLANE_HOOK_TASK_EXIT] = "sched_process_exit",
	[ACTPLANE_HOOK_PATH_MKNOD] = "path_mknod",
	[ACTPLANE_HOOK_PATH_MKDIR] = "path_mkdir",
	[ACTPLANE_HOOK_PATH_SYMLINK] = "path_symlink",
	[ACTPLANE_HOOK_BPRM_COMMITTING] = "bprm_committing_creds",
	[ACTPLANE_HOOK_SPLICE] = "do_splice",
	[ACTPLANE_HOOK_SPLICE_TO_PIPE] = "splice_file_to_pipe",
	[ACTPLANE_HOOK_PIPE_FILL] = "add_to_pipe",
	[ACTPLANE_HOOK_PIPE_CONSUME] = "pipe_consume",
	[ACTPLANE_HOOK_PIPE_FREE] = "free_pipe_info",
	[ACTPLANE_HOOK_PTRACE] = "ptrace_access_check",
	[ACTPLANE_HOOK_URING_SQPOLL] = "uring_sqpoll",
	[ACTPLANE_HOOK_MSGSND] = "msg_queue_msgsnd",
	[ACTPLANE_HOOK_MSGRCV] = "msg_queue_msgrcv",
	[ACTPLANE_HOOK_IPC_FREE] = "msg_queue_free_security",
	[ACTPLANE_HOOK_KEY_READ] = "user_read",
	[ACTPLANE_HOOK_KEY_CREATE] = "key_post_create_or_update",
	[ACTPLANE_HOOK_KEY_FREE] = "security_key_free",
	[ACTPLANE_HOOK_SCTP_CONNECT] = "sctp_bind_connect",
};

void ap_stats_hook_hit(enum actplane_hook hook)
{
	if (hook < __ACTPLANE_HOOK_MAX)
		this_cpu_inc(ap_stats.hook_hits[hook]);
}

u64 ap_stats_hook_hits(enum actplane_hook hook)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&ap_stats, cpu)->hook_hits[hook];
	return sum;
}

void ap_stats_inc(enum actplane_counter ctr)
{
	if (ctr < __ACTPLANE_CTR_MAX)
		this_cpu_inc(ap_stats.ctr[ctr]);
}

u64 ap_stats_read(enum actplane_counter ctr)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&ap_stats, cpu)->ctr[ctr];
	return sum;
}
