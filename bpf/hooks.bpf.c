// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF LSM hook programs.  Each one is thin on purpose: it hands the hook's
 * kernel objects to the module through one kfunc and returns its verdict.
 * All state and all decisions live in the module.
 */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/file_open")
int BPF_PROG(ap_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;	/* an earlier LSM already denied */
	ret = actplane_file_open(file);
	return AP_VERDICT(ret);
}
