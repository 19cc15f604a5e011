/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bringing ActPlane up (up.c): the work of `actplane up` and `actplane
 * enforcer NAME` as functions, which those commands and `actplane run` call.
 * They print nothing on stdout (the commands print their one-line result);
 * a failure is reported on stderr with ap_err() and returned as -errno.
 * They need root and the module loaded (which they check, and report).
 */
#ifndef ACTPLANE_UP_H
#define ACTPLANE_UP_H

#include <stdbool.h>

#define AP_DEFAULT_ENFORCER "enforce"

/* How the hook programs attach (`actplane up --attach`). */
enum ap_attach {
	AP_ATTACH_AUTO,		/* lsm if the BPF LSM is active, else fmod_ret */
	AP_ATTACH_LSM,		/* BPF LSM programs (bpf among the active LSMs) */
	AP_ATTACH_FMODRET,	/* fmod_ret/fentry programs on security_*() */
};

struct ap_up_opts {
	enum ap_attach attach;
	/*
	 * A built-in enforcer NAME or a struct_ops FILE.bpf.o: attached, or
	 * swapped in place of the attached one.  NULL keeps the attached
	 * enforcer, and attaches AP_DEFAULT_ENFORCER if there is none.
	 */
	const char *enforcer;
};

struct ap_up_result {
	int hooks_attached;	/* hook programs this call attached (0: all were up) */
	bool enforcer_attached;	/* this call attached or switched an enforcer */
};

/*
 * Mount bpffs if needed, attach and pin every hook program not pinned yet
 * in the mode @o->attach asks (refusing `lsm` when the BPF LSM is not
 * active, and a mode other than the one pinned), then the enforcer as @o says.
 * Idempotent.  0 or -errno (reported).
 */
int ap_up(const struct ap_up_opts *o, struct ap_up_result *r);

/*
 * The mode the pinned hook programs were attached in: "lsm", "fmod_ret",
 * or NULL when none is pinned (or the pin cannot be read).
 */
const char *ap_hooks_mode(void);

/* Hook program runs the kernel skipped on recursion (summed over the pins). */
unsigned long long ap_hooks_missed(void);

/* Unpin every link (the enforcer first) and wait for the module to be free.
 * 0 (also when nothing was up) or -errno (reported); *@removed: links removed. */
int ap_down(int *removed);

/* "lsm", "fmod_ret", "auto" -> @a.  0 or -EINVAL. */
int ap_attach_parse(const char *s, enum ap_attach *a);

/*
 * Load the module if its family is missing: modprobe, else the build tree's
 * .ko next to the tool @self (/proc/self/exe).  0, or -1 (reported).
 */
int ap_ensure_module(const char *self);

/* Swap the attached enforcer for @what (NAME or FILE); actplane must be up.  0 or -errno. */
int ap_enforcer_switch(const char *what);

/*
 * Check an enforcer argument of command @cmd before anything is contacted:
 * a built-in name or a readable file.  0, or the usage error's exit status
 * (AP_EXIT_USAGE, the error printed as ap_usage_error() does).
 */
int ap_enforcer_arg_check(const char *cmd, const char *what);

#endif
