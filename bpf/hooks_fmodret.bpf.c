// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hook programs for a kernel whose BPF LSM is not active: the same
 * programs as hooks.bpf.c, attached as fmod_ret/fentry programs to the
 * security_*() functions (`actplane up --attach fmod_ret`, chosen by
 * `--attach auto` when bpf is not among the active LSMs).
 */
#define AP_FMODRET 1
#include "hooks.bpf.c"
