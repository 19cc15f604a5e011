// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hooks between processes: another process's memory (ptrace access,
 * process_vm_readv), io_uring SQPOLL rings, SysV and POSIX message queues
 * and keys.
 * Forks, exits and frees go straight to store.c and eval.c (hooks.h).
 */
#include <linux/ipc.h>
#include <linux/key.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include "propagate.h"

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

	if (mode & PTRACE_MODE_NOAUDIT)
		return 0;
	ret = ap_flow_in(ap_task_labels(child), TRACE, TASK, child);
	if (ret || !(mode & PTRACE_MODE_ATTACH))
		return ret;
	l = ap_task_labels(current);
	return l ? ap_task_take(child, l, ACTPLANE_PROV_TRACE, AP_SRC_TASK, current, false) : 0;
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
	return ap_task_session(current) ? -EPERM : 0;
}

/* ---- IPC objects ------------------------------------------------------------ */

/*
 * SysV message queues and keys are channels like pipes: labeled by
 * address, dropped when freed.  (A SysV shared memory segment is a shmem
 * file: shmat() passes mmap_file, which labels it as a file mapping.)
 */

int ap_on_msgsnd(struct kern_ipc_perm *q)
{
	return ap_flow_to_chan(q, MESSAGE);
}

/* @target receives (a receiver already waiting gets the message in the sender's context). */
int ap_on_msgrcv(struct kern_ipc_perm *q, struct task_struct *target)
{
	u64 l;

	l = ap_chan_labels(q);
	return l ? ap_task_take(target, l, ACTPLANE_PROV_READ, AP_SRC_CHAN, q, false) : 0;
}

void ap_on_ipc_free(struct kern_ipc_perm *perm)
{
	ap_chan_free(perm);
}

/*
 * One message, SysV or POSIX: POSIX queues (mq_timedsend and
 * mq_timedreceive) pass no hook that names the queue, but every message of
 * either kind is a struct msg_msg allocated with the sender's data
 * (load_msg, in the sender's context) and copied out by store_msg in the
 * receiver's.  The message carries its sender's labels; the receiver
 * absorbs them.  A message that cannot be labeled is refused in
 * fail-closed mode (the send fails with ENOMEM).
 */
int ap_on_msg_alloc(struct msg_msg *msg)
{
	return ap_flow_to_chan(msg, MESSAGE);
}

void ap_on_msg_store(struct msg_msg *msg)
{
	ap_flow_in_done(ap_chan_labels(msg), READ, CHAN, msg);
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
	ap_flow_in_done(ap_chan_labels(key), READ, CHAN, key);
}

/* add_key or keyctl update: a new key, or a new payload for an existing one. */
int ap_on_key_create(struct key *key)
{
	return ap_flow_to_chan(key, KEY);
}

void ap_on_key_free(struct key *key)
{
	ap_chan_free(key);
}
