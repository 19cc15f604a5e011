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

/*
 * Hook kfuncs, declared from the module's hook table: each returns 0 to
 * allow or a negative errno to deny (or nothing).  A program may call only
 * the kfunc of the attach point it is loaded for (kmod/kfuncs.c); the
 * fmod_ret programs (hooks_fmodret.bpf.c) call the untrusted twins
 * actplane_fm_<name>() where the table has them.
 */
#include "../kmod/hooks.h"
#define AP_ARG(x) x	/* the argument names do not matter here */
#define AP_HOOK_EXTERN(NAME, ret, name, params, call, flags, attach, fm) \
	extern ret actplane_##name params __ksym;				\
	AP_IF_FM(fm)(extern ret actplane_fm_##name params __ksym;)
AP_HOOKS(AP_HOOK_EXTERN)

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
