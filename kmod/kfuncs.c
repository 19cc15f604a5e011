// SPDX-License-Identifier: GPL-2.0-only
/*
 * kfuncs: the module's interface to BPF LSM programs and struct_ops
 * enforcers.  BPF hook programs stay thin: they pass the hook's own (trusted)
 * kernel objects to one kfunc per hook and return its verdict.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/fs.h>
#include "actplane.h"

__bpf_kfunc_start_defs();

/**
 * actplane_file_open() - report a file_open LSM event
 * @file: the file being opened (trusted, from the hook)
 *
 * Return: 0 to allow, or a negative errno the hook returns to deny.
 */
__bpf_kfunc int actplane_file_open(struct file *file)
{
	ap_stats_hook_hit(ACTPLANE_HOOK_FILE_OPEN);
	return 0;
}

/**
 * actplane_counter_read() - read one of the module's counters
 * @ctr: enum actplane_counter
 *
 * Lets enforcers (and tests) observe module state.  Return: the counter's
 * value summed over CPUs, 0 for an unknown id.
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
BTF_ID_FLAGS(func, actplane_counter_read)
BTF_KFUNCS_END(ap_kfunc_ids)

static const struct btf_kfunc_id_set ap_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &ap_kfunc_ids,
};

int ap_kfuncs_init(void)
{
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_LSM, &ap_kfunc_set);
	if (ret)
		return ret;
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS, &ap_kfunc_set);
}
