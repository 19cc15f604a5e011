// SPDX-License-Identifier: GPL-2.0-only
/*
 * An LSM program on another hook calls ActPlane's file_open kfunc (which
 * evaluates rules and can SIGKILL current): the module's kfunc filter must
 * refuse it at load time.
 */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/file_ioctl")
int BPF_PROG(rogue_lsm, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return actplane_file_open(file) ? -1 : 0;
}
