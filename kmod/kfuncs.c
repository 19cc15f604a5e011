// SPDX-License-Identifier: GPL-2.0-only
/*
 * kfuncs: the module's interface to BPF programs.
 *
 * Hook kfuncs (one per hook program): the BPF program passes the hook's own
 * kernel objects and returns the verdict (0 allow, negative errno deny).
 * Hooks whose arguments the verifier treats as trusted take KF_TRUSTED_ARGS;
 * task_free, sk_free_security, fentry/fexit and fmod_ret programs get plain
 * (legacy) pointers, which their kfuncs take as arguments named *__ign (the
 * verifier of 6.19 and later requires trusted arguments of every kfunc
 * otherwise); those kfuncs only use the pointer as a key or read the object
 * the kernel is still holding for the call, and only the program on that
 * call may call them (ap_kfunc_filter()).
 *
 * The fmod_ret mode (kernels whose BPF LSM is not active) calls each
 * trusted-argument hook kfunc through an untrusted twin actplane_fm_<name>
 * (hooks.h's FM column), from the fmod_ret program on its security_*()
 * function only; the void hooks' kfuncs list that function among their
 * attach points.
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
#include <linux/module.h>
#include <linux/net.h>
#include <linux/path.h>
#include "actplane.h"
#include "task.h"
#include "compat.h"
#include "hooks.h"
#include "stats.h"

__bpf_kfunc_start_defs();

/* ---- hook kfuncs: generated from the hook table (hooks.h) ---- */

/* Each counts its hit, then does what the table says. */
#define AP_KFUNC_int(NAME, name, params, call)				\
	__bpf_kfunc int actplane_##name params					\
	{									\
		ap_stats_hook_hit(ACTPLANE_HOOK_##NAME);			\
		return call;							\
	}
#define AP_KFUNC_void(NAME, name, params, call)				\
	__bpf_kfunc void actplane_##name params				\
	{									\
		ap_stats_hook_hit(ACTPLANE_HOOK_##NAME);			\
		call;								\
	}
/* pass 1: the kfuncs of TRUSTED hooks, their arguments named as written */
#define AP_ARG(x) x
#define AP_KFUNC_T(NAME, ret, name, params, call, flags, attach, fm)	\
	AP_IF_TRUSTED(flags)(AP_KFUNC_##ret(NAME, name, params, call))
AP_HOOKS(AP_KFUNC_T)
#undef AP_ARG

/* pass 2: UNTRUSTED hooks and the fmod_ret twins: pointers named x__ign */
#define AP_ARG(x) x##__ign
#define AP_KFUNC_U(NAME, ret, name, params, call, flags, attach, fm)	\
	AP_IF_UNTRUSTED(flags)(AP_KFUNC_##ret(NAME, name, params, call))	\
	AP_IF_FM(fm)(AP_KFUNC_##ret(NAME, fm_##name, params, AP_FM_CALL(fm)))
AP_HOOKS(AP_KFUNC_U)
#undef AP_ARG

/* ---- label storage ---- */

/** actplane_task_labels() - label bits of @task's process */
__bpf_kfunc u64 actplane_task_labels(struct task_struct *task)
{
	return ap_task_labels(task);
}

/** actplane_task_add_labels() - add @labels; 0 or the fail-mode verdict */
__bpf_kfunc int actplane_task_add_labels(struct task_struct *task, u64 labels)
{
	return ap_task_absorb(task, labels, AP_FROM_ADMIN);
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
	return ap_inode_absorb(inode, labels, AP_FROM_ADMIN);
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

	return ap_ep_from_sockaddr(addr, addrlen, &k) ? ap_ep_absorb(&k, labels, AP_FROM_ADMIN) : -EINVAL;
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

#define AP_KFUNC_ID(NAME, ret, name, params, call, flags, attach, fm)	\
	BTF_ID_FLAGS(func, actplane_##name, AP_KF_##flags)			\
	AP_IF_FM(fm)(BTF_ID_FLAGS(func, actplane_fm_##name))
BTF_KFUNCS_START(ap_kfunc_ids)
AP_HOOKS(AP_KFUNC_ID)
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
#define AP_HOOK_ID(NAME, ret, name, params, call, flags, attach, fm)	\
	BTF_ID(func, actplane_##name)						\
	AP_IF_FM(fm)(BTF_ID(func, actplane_fm_##name))
#define AP_HOOK_AT(NAME, ret, name, params, call, flags, attach, fm)	\
	attach "\0",	/* a list ends with an empty name */			\
	AP_IF_FM(fm)(AP_FM_FN(fm) "\0",)
BTF_ID_LIST(ap_hook_kfunc_ids)
AP_HOOKS(AP_HOOK_ID)
static const char *const ap_hook_attach[] = { AP_HOOKS(AP_HOOK_AT) };

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

	/*
	 * The filter compares kfunc ids with ap_hook_kfunc_ids, resolved at
	 * build time.  A module BTF built on a distilled base (.BTF.base; the
	 * kbuild default for external modules with newer pahole and
	 * resolve_btfids) is renumbered at load and those ids would match
	 * nothing: every program could call every hook kfunc.  The Makefile
	 * and dkms.conf build without it; a module built otherwise refuses to
	 * load rather than run without its filter.
	 */
	if (THIS_MODULE->btf_base_data_size) {
		pr_err("actplane: built with a distilled base BTF, which breaks its kfunc filter: "
		       "build with 'MODULE_PAHOLE_FLAGS= RESOLVE_BTFIDS_FLAGS=' (see docs/install.md)\n");
		return -ENOEXEC;
	}
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ret = register_btf_kfunc_id_set(types[i], &ap_kfunc_set);
		if (ret)
			return ret;
	}
	return 0;
}
