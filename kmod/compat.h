/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernel series the module builds for (6.12 and the
 * newest Debian kernel, see docs/install.md).  Each is told apart by the type
 * or the presence of what the module uses, never by the version number, so a
 * distribution kernel with a backported change builds too.
 */
#ifndef ACTPLANE_KMOD_COMPAT_H
#define ACTPLANE_KMOD_COMPAT_H

#include <linux/btf.h>
#include <linux/fs_struct.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>

/*
 * fs_struct.seq was a seqcount_spinlock_t next to a spinlock (up to 6.1x)
 * and is a seqlock_t since; the unselected branch is never evaluated, its
 * cast only keeps it well-typed.  Copies current's root without a reference:
 * the caller holds rcu_read_lock() for as long as it uses it.
 */
#define ap_fs_seq_begin(fs)						\
	_Generic(&(fs)->seq,						\
		seqlock_t *: read_seqbegin((seqlock_t *)&(fs)->seq),	\
		default: read_seqcount_begin((seqcount_spinlock_t *)&(fs)->seq))
#define ap_fs_seq_retry(fs, s)						\
	_Generic(&(fs)->seq,						\
		seqlock_t *: read_seqretry((seqlock_t *)&(fs)->seq, (s)),	\
		default: read_seqcount_retry((seqcount_spinlock_t *)&(fs)->seq, (s)))

/*
 * The full grace-period state of the _full polling API
 * (get_state_synchronize_rcu_full()): struct rcu_gp_oldstate, renamed struct
 * rcu_gp_seq later.  Chosen by the type the function takes; the tag not
 * chosen stays an incomplete type that nothing uses.
 */
struct rcu_gp_oldstate;
struct rcu_gp_seq;
#define AP_GP_IS_OLDSTATE						\
	__builtin_types_compatible_p(typeof(&get_state_synchronize_rcu_full), \
				     void (*)(struct rcu_gp_oldstate *))
typedef typeof(*__builtin_choose_expr(AP_GP_IS_OLDSTATE, (struct rcu_gp_oldstate *)0,
				      (struct rcu_gp_seq *)0)) ap_gp_state;

static inline void ap_fs_root_lockless(struct fs_struct *fs, struct path *root)
{
	unsigned int seq;

	do {
		seq = ap_fs_seq_begin(fs);
		*root = fs->root;
	} while (ap_fs_seq_retry(fs, seq));
}

/*
 * Since 6.19 every kfunc takes trusted pointer arguments unless told
 * otherwise, and the flag that asked for it is gone: there, asking for
 * nothing asks for the same.
 */
#ifndef KF_TRUSTED_ARGS
#define KF_TRUSTED_ARGS 0
#endif

#endif
