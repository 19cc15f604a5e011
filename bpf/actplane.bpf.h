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

/* Hook kfuncs: return 0 to allow or a negative errno to deny. */
extern int actplane_file_open(struct file *file) __ksym;

/* Helpers for enforcers. */
extern u64 actplane_counter_read(u32 ctr) __ksym;

#endif
