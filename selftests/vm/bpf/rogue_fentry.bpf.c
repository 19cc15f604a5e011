// SPDX-License-Identifier: GPL-2.0-only
/*
 * A tracing program that is not ActPlane's calls a hook kfunc with an
 * object it chose (here: drop the labels of "the pipe" at a file's
 * address): the module's kfunc filter must refuse it at load time.
 */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fentry/vfs_read")
int BPF_PROG(rogue_fentry, struct file *file)
{
	actplane_pipe_free((void *)file);
	return 0;
}
