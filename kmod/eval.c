// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy evaluation for one event.
 *
 *   1. Look up what the event's target matches in the per-operation index
 *      (path or endpoint): by the last path component; the full path is
 *      built only when that name or an ancestor directory's name says a
 *      full-path entry may match.
 *   2. Apply sources, declassify/endorse and lineage marks to a *view* of
 *      the subject's state.
 *   3. Evaluate the matching clauses against that view and against the
 *      session's gates as they were before this event; the strongest
 *      effect wins (kill > block > notify), however many clauses match.
 *   4. Ask the enforcer, apply its verdict, report an event.
 *   5. If something evaluation needed could not be had (a path or argv
 *      buffer, the exec arguments), the event was not evaluated
 *      completely: unless a rule already denies it, the fail mode decides
 *      (ap_incomplete()).  Never a silent "no match".
 *   6. If the operation goes ahead: commit the event's changes (labels,
 *      immunity, lineage) and its gate stamps and invalidations.
 *
 * An exec is decided at bprm_check_security, once per `#!` level, but it
 * can still fail after that (a `#!` chain too deep, a missing interpreter,
 * ...), and the old image's other threads still run until de_thread.  So
 * an exec commits only its taint there (adding labels is conservative);
 * the trust it grants (declassify, endorse, lineage marks, gate arming and
 * staleness, `exits` runs, rooting a session) waits in the process's
 * struct ap_exec_pend and is applied at bprm_committing_creds, past the
 * point of no return, when the process is single-threaded.  Each `#!`
 * level is evaluated against the committed state plus what the earlier
 * levels left pending.  A failed exec's pending trust is dropped by the
 * next exec (it is tied to that exec's bprm, and reset at its first
 * level) and is never seen by any other event.
 */
#include <linux/binfmts.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/mmap_lock.h>
#include <linux/moduleparam.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <asm/word-at-a-time.h>
#include <actplane/decide.h>
#include "policy.h"
#include "eval.h"
#include "task.h"
#include "compat.h"

#define AP_STACK_PATH	256

/* Trust an exec in progress grants, applied when it commits (see above). */
struct ap_exec_pend {
	const struct linux_binprm *bprm;	/* the exec it belongs to */
	u64 gen;			/* policy generation of the gate bits */
	u64 label_seq;			/* label releases when the exec was evaluated */
	u64 declass, endorse, lineage, slineage;
	bool root;			/* a subject source: root a session */
	DECLARE_BITMAP(arm, AP_GATE_BITS);
	DECLARE_BITMAP(stale, AP_GATE_BITS);
	DECLARE_BITMAP(exits, AP_GATE_BITS);	/* `exits N` runs to record */
	/*
	 * The fmod_ret mode decides a level's argument clauses at the commit
	 * (eval.h, argv_later): until then that level's gate hits wait here,
	 * so its own rules are checked, as in one pass, against the earlier
	 * levels' only (ap_exec_pend_promote()).
	 */
	bool later;
	DECLARE_BITMAP(later_arm, AP_GATE_BITS);
	DECLARE_BITMAP(later_stale, AP_GATE_BITS);
	DECLARE_BITMAP(later_exits, AP_GATE_BITS);
};

/* An ancestor walk's answer, and what it was for (ap_memo_get()). */
#define AP_WALK_CACHE_BITS	2
#define AP_WALK_CACHE_POLS	2	/* compared one by one in ap_memo_get() */

struct ap_walk_cached {
	const struct dentry *start, *root;
	const struct vfsmount *mnt;
	const struct ap_policy *pols[AP_WALK_CACHE_POLS];
	u64 epoch;
	ap_gp_state gp;
	unsigned int rseq;
	u8 n;
	u16 open;
};

struct ap_eval {
	struct ap_event *ev;
	const struct ap_policy *pol;
	const struct ap_exec_pend *xp;	/* exec: what earlier `#!` levels left pending */
	u64 labels;			/* subject's labels, view */
	u64 immune;
	u64 lineage, slineage;
	u32 session;
	/* changes from this event */
	u64 src_labels, declass, endorse, lineage_add, slineage_add;
	bool exec_transform;		/* exec: immunity is reset to declass */
	bool gate_hits, pend_hits;	/* gate_hits: the bitmaps below are valid */
	bool subject_src;		/* an exec source labels the subject */
	/* the strongest clause that fires so far, and its policy */
	const struct ap_clause *best;
	const struct ap_policy *best_pol;
	u32 proposed;
	/*
	 * Clauses that matched the target, evaluated after sources.  More
	 * than fit: the index is queried again once the view is known and
	 * every clause is evaluated as it is found (ap_hit(), @rescan).
	 * Only the first @ncand entries are ever read, so the array is not
	 * zeroed with the rest (ap_evaluate()).
	 */
	u32 ncand;
	bool cand_overflow;
	bool rescan;
	/*
	 * The index being queried is pols[slot]'s own (u->slot is 0), or
	 * the session's merged index (slot 0, u->slot says whose).
	 */
	u8 slot, slot0;
	u8 pol_slot;			/* @pol is pols[pol_slot] */
	bool base_hit;			/* something with state to commit matched (ap_hit()) */
	/*
	 * Gates this event arms, makes stale, or arms when the run exits
	 * (`exits N`).  Not zeroed with the rest: most events touch no gate,
	 * and 120 bytes are cleared at the first hit (ap_gate_hit()).
	 */
	DECLARE_BITMAP(arm, AP_GATE_BITS);
	DECLARE_BITMAP(stale, AP_GATE_BITS);
	DECLARE_BITMAP(pend, AP_GATE_BITS);
	/*
	 * The policies the event is evaluated against: pols[0] the machine's
	 * (or NULL), then those of the subject's session chain, outermost
	 * first.  The indexes queried (each policy's own, or the session's
	 * merged index) share one ancestor walk (memo.pols, ap_target).
	 * Set by ap_evaluate().
	 */
	const struct ap_policy *pols[1 + ACTPLANE_SESSION_DEPTH_MAX];
	u8 npols;
	struct ap_anc_memo memo;
	bool walk_keyed;		/* walk_key is set: ap_memo_get() */
	struct ap_walk_cached walk_key;
	u32 cand[32];
	u8 cand_slot[32];		/* cand[i] is a clause of pols[cand_slot[i]] */
};

/* ---- test knob: injected allocation failures ------------------------------------- */

/*
 * fault_inject=N (root only): the next N argv and path buffer allocations
 * of the evaluator fail, so the tests can check that an incomplete
 * evaluation follows the fail mode.  Debian's kernel has no
 * CONFIG_FAILSLAB; this is the narrow equivalent.  Costs one read of a
 * read-mostly word on allocation paths only, never on the common path.
 */
static atomic_t ap_fault_budget = ATOMIC_INIT(0);

static int ap_fault_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	if (ret)
		return ret;
	if (n > INT_MAX)
		return -ERANGE;
	atomic_set(&ap_fault_budget, n);
	return 0;
}

static int ap_fault_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read(&ap_fault_budget));
}

static const struct kernel_param_ops ap_fault_ops = {
	.set = ap_fault_set,
	.get = ap_fault_get,
};
module_param_cb(fault_inject, &ap_fault_ops, NULL, 0600);
MODULE_PARM_DESC(fault_inject,
		 "test knob: make the next N argv/path buffer allocations of the evaluator fail");

/* Should this allocation fail on purpose?  Takes one from the budget. */
static bool ap_fault_inject(void)
{
	return unlikely(atomic_read(&ap_fault_budget) > 0) &&
	       atomic_dec_if_positive(&ap_fault_budget) >= 0;
}

/* A PATH_MAX buffer for a path that did not fit the event's inline one. */
static char *ap_path_buf_alloc(void)
{
	if (ap_fault_inject())
		return NULL;
	return kmalloc(PATH_MAX, GFP_ATOMIC | __GFP_NOWARN);
}

/* ---- argv of a pending exec (read from the new mm before it runs) ------------------ */

/*
 * How many of the @n bytes at @s a reader of @*nstr more strings takes: up
 * to and including the @*nstr-th NUL (all @n if there are fewer); *@nstr
 * less the NULs among them.  A word with no NUL is passed whole (an
 * argument can be 128 KiB); one with any is counted byte by byte.
 */
static size_t ap_strings_span(const char *s, size_t n, u32 *nstr)
{
	const struct word_at_a_time ones = WORD_AT_A_TIME_CONSTANTS;
	unsigned long bits;
	u32 left = *nstr;
	size_t i = 0, stop;

	while (left && i < n) {
		if (n - i >= sizeof(long) &&
		    !has_zero(get_unaligned((const unsigned long *)(s + i)), &bits, &ones)) {
			i += sizeof(long);
			continue;
		}
		for (stop = min(n, i + sizeof(long)); left && i < stop; )
			if (!s[i++])
				left--;
	}
	*nstr = left;
	return i;
}

/*
 * Copy from @addr of the new program's argument block (within one page, at
 * most @n bytes) the next *@nstr strings, or what of them the @n bytes
 * hold; *@nstr is what is left to read.  Only what is wanted is copied and
 * scanned: argv sits below the environment, which a reader of argv alone
 * never touches.  Before the point of no return the block is in bprm->mm,
 * whose pages are not mapped into any running task yet:
 * get_user_pages_remote() under the mm's lock (sleeps).  Once the exec
 * committed (bprm->mm is NULL: current runs on the new mm; the fmod_ret
 * mode reads there, where it cannot sleep) the pages copy_strings() just
 * wrote are read without faulting, copied first, then scanned.
 * Return: the bytes copied, or -EFAULT.
 */
static ssize_t ap_bprm_copy(struct linux_binprm *bprm, unsigned long addr, char *dst,
			    size_t n, u32 *nstr)
{
	struct page *page;
	char *kaddr;

	if (!bprm->mm) {
		if (copy_from_user_nofault(dst, (const void __user *)addr, n))
			return -EFAULT;
		return ap_strings_span(dst, n, nstr);
	}
	if (get_user_pages_remote(bprm->mm, addr, 1, FOLL_FORCE, &page, NULL) <= 0)
		return -EFAULT;
	kaddr = kmap_local_page(page);
	n = ap_strings_span(kaddr + (addr & ~PAGE_MASK), n, nstr);
	memcpy(dst, kaddr + (addr & ~PAGE_MASK), n);
	kunmap_local(kaddr);
	put_page(page);
	return n;
}

/* A buffer for @size bytes of an argument block (fault injection counts it). */
static char *ap_bprm_buf(size_t size, bool atomic)
{
	if (ap_fault_inject())
		return NULL;
	return atomic ? kmalloc(size, GFP_NOWAIT | __GFP_NOWARN) : kvmalloc(size, GFP_KERNEL);
}

/*
 * The first @nstr strings of the new program's argument block (argv, then
 * the environment: bprm->p upwards, argv[0]\0argv[1]\0...envp...), read
 * from the new mm, never from the caller's memory.  The buffer starts at
 * a page, or the block if smaller, and doubles as the strings need: its
 * size follows what is read, not the environment above it.
 * Return: a kvmalloc'ed buffer of the strings, each with its NUL (*@lenp
 * bytes), and one more NUL; or an ERR_PTR.  Sleeps before the exec
 * committed; after it, does not (and a page that is not there makes it
 * fail: the fail mode decides).
 */
static char *ap_bprm_strings(struct linux_binprm *bprm, u32 nstr, size_t *lenp)
{
	unsigned long pos = bprm->p, end = bprm->exec;
	bool atomic = !bprm->mm;
	size_t len, cap, got = 0;
	char *buf, *more;
	int err = 0;
	ssize_t n;

	if (end <= pos)
		return ERR_PTR(-EINVAL);
	len = end - pos;
	cap = min_t(size_t, len, PAGE_SIZE - 1);	/* and the final NUL: a page */
	buf = ap_bprm_buf(cap + 1, atomic);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (!atomic)
		mmap_read_lock(bprm->mm);
	while (got < len && nstr) {
		if (got == cap) {
			cap = min_t(size_t, len, 2 * cap + 1);
			more = ap_bprm_buf(cap + 1, atomic);
			if (!more) {
				err = -ENOMEM;
				break;
			}
			memcpy(more, buf, got);
			kvfree(buf);
			buf = more;
		}
		n = min3(PAGE_SIZE - ((pos + got) & ~PAGE_MASK), len - got, cap - got);
		n = ap_bprm_copy(bprm, pos + got, buf + got, n, &nstr);
		if (n < 0)
			break;
		got += n;
	}
	if (!atomic)
		mmap_read_unlock(bprm->mm);
	if (err || nstr) {
		kvfree(buf);
		return ERR_PTR(err ?: -EFAULT);
	}
	buf[got] = 0;
	*lenp = got;
	return buf;
}

int ap_event_read_argv(struct ap_event *ev)
{
	size_t len;
	char *buf;

	ev->argv_read = true;
	buf = ap_bprm_strings(ev->bprm, ev->bprm->argc, &len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ev->argv = buf;
	ev->argv_len = len;
	ev->argc = ev->bprm->argc;
	return 0;
}

/* ld.so options followed by a value (glibc's `ld.so --help`) */
static const char *const ap_loader_valued[] = {
	"--library-path", "--inhibit-rpath", "--audit", "--preload", "--argv0",
	"--glibc-hwcaps-prepend", "--glibc-hwcaps-mask",
};

/*
 * @ev's argv becomes the strings of @buf (an argument block of @bprm) from
 * @s to @end, @argc of them; @buf is freed.  0 or -ENOMEM.
 */
static int ap_argv_tail(struct linux_binprm *bprm, struct ap_event *ev, char *buf,
			const char *s, const char *end, u32 argc)
{
	size_t n = end - s;
	char *copy;

	copy = bprm->mm ? kvmalloc(n + 1, GFP_KERNEL) : kmalloc(n + 1, GFP_NOWAIT | __GFP_NOWARN);
	if (copy) {
		memcpy(copy, s, n);
		copy[n] = 0;
	}
	kvfree(buf);
	if (!copy)
		return -ENOMEM;
	ev->argv = copy;
	ev->argv_len = n;
	ev->argc = argc;
	ev->argv_read = true;
	return 0;
}

/*
 * ap_loader_argv() - the program the dynamic loader, run as a program, runs
 *
 * `ld.so [OPTIONS] PROGRAM [ARGS]`: PROGRAM and its arguments become @ev's
 * argv (PROGRAM first, as its own exec would have it).
 * Return: PROGRAM, NULL if the loader runs none (--help, --list-tunables,
 * ...), or an ERR_PTR if the arguments could not be read.
 */
const char *ap_loader_argv(struct linux_binprm *bprm, struct ap_event *ev)
{
	const char *s, *end;
	size_t len;
	u32 i, k;
	char *buf;

	buf = ap_bprm_strings(bprm, bprm->argc, &len);
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	end = buf + len;
	s = buf + strnlen(buf, len) + 1;	/* the loader's own name */
	for (i = 1; i < bprm->argc && s < end && !strncmp(s, "--", 2); i++) {
		for (k = 0; k < ARRAY_SIZE(ap_loader_valued); k++)
			if (!strcmp(s, ap_loader_valued[k]))
				break;
		if (k < ARRAY_SIZE(ap_loader_valued) && i + 1 < bprm->argc) {
			s += strnlen(s, end - s) + 1;	/* the option's value */
			i++;
		}
		s += strnlen(s, end - s) + 1;
	}
	if (i >= bprm->argc || s >= end) {
		kvfree(buf);
		return NULL;
	}
	return ap_argv_tail(bprm, ev, buf, s, end, bprm->argc - i) ? ERR_PTR(-ENOMEM) : ev->argv;
}

/*
 * ap_script_argv() - the arguments a `#!` script was started with
 *
 * At the commit its interpreter's argument block reads [interpreter,
 * (its argument), script name, arguments...]: @ev gets the block from the
 * script's name (bprm->filename) on, as the script's own exec had it.
 * Return: 0, -ENOENT if there is no such name, or -errno.  (The fmod_ret
 * mode's commit: ap_on_exec_commit_atomic().)
 */
int ap_script_argv(struct linux_binprm *bprm, struct ap_event *ev)
{
	const char *s, *end;
	size_t len;
	char *buf;
	u32 i;

	buf = ap_bprm_strings(bprm, bprm->argc, &len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	end = buf + len;
	s = buf + strnlen(buf, len) + 1;
	for (i = 1; i < 3 && i < bprm->argc && s < end; i++) {
		if (!strcmp(s, bprm->filename))
			return ap_argv_tail(bprm, ev, buf, s, end, bprm->argc - i);
		s += strnlen(s, end - s) + 1;
	}
	kvfree(buf);
	return -ENOENT;
}

/*
 * Environment variables that make a program run code its caller chose,
 * besides the loader's (LD_PRELOAD and friends), which secure-execution
 * mode already ignores: interpreters' search paths, startup files and
 * options.
 */
static const char *const ap_unsafe_env[] = {
	"BASH_ENV=", "ENV=", "SHELLOPTS=", "BASHOPTS=", "PS4=",
	"PYTHONPATH=", "PYTHONSTARTUP=", "PYTHONHOME=", "PYTHONUSERBASE=",
	"PERL5LIB=", "PERL5OPT=", "PERLLIB=", "PERL5DB=",
	"RUBYLIB=", "RUBYOPT=", "NODE_OPTIONS=", "NODE_PATH=", "PYTHONINSPECT=",
	"BASH_FUNC_",	/* exported bash functions: run inside the trusted shell */
};

/*
 * ap_exec_env_unsafe() - does @bprm's environment choose code for the program?
 *
 * Return: the offending variable's name (a static string), or NULL.  An
 * environment that cannot be read counts as unsafe.
 */
const char *ap_exec_env_unsafe(struct linux_binprm *bprm)
{
	const char *bad = NULL, *s, *end;
	size_t len;
	u32 i, k;
	char *buf;

	buf = ap_bprm_strings(bprm, bprm->argc + bprm->envc, &len);
	if (IS_ERR(buf))
		return "(unreadable environment)";
	s = buf;
	end = buf + len;
	for (i = 0; i < bprm->argc && s < end; i++)
		s += strnlen(s, end - s) + 1;
	for (i = 0; i < bprm->envc && s < end && !bad; i++) {
		for (k = 0; k < ARRAY_SIZE(ap_unsafe_env); k++)
			if (!strncmp(s, ap_unsafe_env[k], strlen(ap_unsafe_env[k])))
				bad = ap_unsafe_env[k];
		s += strnlen(s, end - s) + 1;
	}
	kvfree(buf);
	return bad;
}

/*
 * Each wanted argument appears in argv[1..], in order (exact strings:
 * include/actplane/decide.h).  An exec whose arguments could not be read
 * cannot claim a match either way: the event is marked incomplete.
 */
static bool ap_event_argv_match(struct ap_event *ev, const struct ap_argv *want)
{
	struct apm_packed_args cur;

	if (!want->argc)
		return !ev->argv_only;
	if (ev->argv_later)
		return false;
	if (!ev->argv) {
		if (ev->bprm)
			ev->incomplete = true;	/* an exec: the read failed */
		return false;
	}
	cur = (struct apm_packed_args){ .a = ev->argv, .end = ev->argv + ev->argv_len,
					.argc = ev->argc };
	return apm_argv_match((const char *const *)want->argv, want->argc, apm_packed_next, &cur);
}

/* ---- the event's path ------------------------------------------------------------------ */

/*
 * An event about the file at @path, @seq the rename sequence read before
 * (even, or the name is never remembered: ap_nohit_key()).  Its name (the
 * last component) is read by ap_evaluate() when it is needed.
 */
void ap_event_file(struct ap_event *ev, const struct path *path, const struct inode *inode,
		   unsigned int seq)
{
	memset(ev, 0, offsetof(struct ap_event, inline_buf));
	memset(ev->ops, AP_NO_OP, sizeof(ev->ops));
	ev->fpath = path;
	ev->inode = inode;
	ev->name_seq = seq;
}

/*
 * The last component of a file event's path, read only once the no-hit
 * cache has missed (ap_event_file() leaves it out: most events never need
 * it).  After the rename sequence the event took when it was built, as
 * prepend_name() reads a name: the sequence tells whether this is the
 * name an answer was remembered under.
 */
static void ap_event_name(struct ap_event *ev)
{
	if (!ev->fpath || ev->ep)
		return;
	smp_rmb();	/* ev->name_seq, then the name it guards */
	ev->name = READ_ONCE(ev->fpath->dentry->d_name.name);
	ev->name_len = strnlen(ev->name, NAME_MAX);
}

/*
 * Resolve the event's full path (once).  A short path goes into the
 * event's inline buffer; a long one into a PATH_MAX allocation.  NULL if
 * there is no buffer for it or it does not fit in PATH_MAX: the event is
 * then marked incomplete (whoever asked for the path could not match it),
 * and later calls give up at once.
 */
const char *ap_event_path(struct ap_event *ev)
{
	char *p;

	if (ev->path || !ev->fpath || ev->path_failed)
		return ev->path;
	ap_stats_inc(ACTPLANE_CTR_PATH_LOOKUPS);
	p = d_path(ev->fpath, ev->inline_buf, sizeof(ev->inline_buf));
	if (IS_ERR(p) && PTR_ERR(p) == -ENAMETOOLONG) {
		ev->heap_buf = ap_path_buf_alloc();
		if (!ev->heap_buf)
			goto fail;
		p = d_path(ev->fpath, ev->heap_buf, PATH_MAX);
	}
	if (IS_ERR(p))
		goto fail;
	if (ev->child_name) {
		/* directory path + "/" + name (unlink, rename, link targets) */
		char *buf = ev->heap_buf ?: ev->inline_buf;
		size_t bufsz = ev->heap_buf ? PATH_MAX : sizeof(ev->inline_buf);
		size_t dl = strlen(p), nl = strlen(ev->child_name);

		if ((p - buf) + dl + 1 + nl + 1 > bufsz) {
			char *big = dl + 1 + nl + 1 > PATH_MAX ? NULL : ap_path_buf_alloc();

			if (!big)
				goto fail;
			memcpy(big, p, dl + 1);
			kfree(ev->heap_buf);
			ev->heap_buf = big;
			p = big;
		}
		if (dl && p[dl - 1] != '/')
			p[dl++] = '/';
		memcpy(p + dl, ev->child_name, nl + 1);
	}
	ev->path = p;
	ev->path_len = strlen(p);
	return p;
fail:
	ev->path_failed = true;
	ev->incomplete = true;
	return NULL;
}

void ap_event_release(struct ap_event *ev)
{
	/* most events allocate nothing: skip the calls */
	if (unlikely(ev->heap_buf))
		kfree(ev->heap_buf);
	if (unlikely(ev->argv))
		kvfree(ev->argv);
}

/* Does the loaded policy have any rule or use of endpoints for @op? */
bool ap_policy_has_ep_rules(u8 op)
{
	bool rcu;
	const struct ap_policy *pol;
	bool has;

	rcu = ap_rcu_lock();
	pol = ap_policy_get();
	has = (pol && !pol->ep[op].empty) || atomic_read(&ap_spol_ep[op]);
	ap_rcu_unlock(rcu);
	return has;
}

/* The loaded policy's session-root labels (`exec "**"` sources), 0 if none. */
u64 ap_policy_session_root_labels(void)
{
	const struct ap_policy *pol;
	u64 labels;

	rcu_read_lock();
	pol = ap_policy_get();
	labels = pol ? pol->session_root_labels : 0;
	rcu_read_unlock();
	return labels;
}

/* Does the active policy match exec arguments anywhere? (argv is read first) */
bool ap_policy_wants_argv(void)
{
	const struct ap_policy *pol;
	bool want;

	rcu_read_lock();
	pol = ap_policy_get();
	want = (pol && pol->exec_argv) || atomic_read(&ap_spol_argv);
	rcu_read_unlock();
	return want;
}

/* ---- evaluation ---------------------------------------------------------------------- */

static bool ap_clause_fires(struct ap_eval *e, const struct ap_clause *c);

/* Evaluate clause @idx against the view; keep it if it is the strongest so far. */
static void ap_consider(struct ap_eval *e, u32 idx)
{
	const struct ap_clause *c = &e->pol->clauses[idx];

	if (!apm_stronger(c->effect, e->proposed) || !ap_clause_fires(e, c))
		return;
	e->best = c;
	e->best_pol = e->pol;
	e->proposed = c->effect;
}

/* The event touches a gate: its bitmaps become valid (cleared once). */
static void ap_gate_hit(struct ap_eval *e)
{
	if (!e->gate_hits) {
		bitmap_zero(e->arm, AP_GATE_BITS);
		bitmap_zero(e->stale, AP_GATE_BITS);
		bitmap_zero(e->pend, AP_GATE_BITS);
		e->gate_hits = true;
	}
}

/* The evaluation's bit for gate @id of pols[@slot] (AP_GATE_BITS). */
static inline u32 ap_gate_bit(u32 slot, u32 id)
{
	return slot ? AP_SGATE_BIT(slot, id) : id;
}

static void ap_hit(const struct ap_use *u, void *arg)
{
	struct ap_eval *e = arg;
	u32 slot = e->slot + u->slot;
	const struct ap_policy *pol = e->pols[slot];
	struct ap_event *ev = e->ev;

	if (unlikely(e->rescan)) {
		/* second query: everything but the clauses was taken already */
		if (u->kind == AP_USE_CLAUSE) {
			e->pol = pol;
			e->pol_slot = slot;
			ap_consider(e, u->idx);
		}
		return;
	}
	/* anything but a clause is state to commit, whose policy it is */
	e->base_hit |= !slot || u->kind != AP_USE_CLAUSE;
	switch (u->kind) {
	case AP_USE_CLAUSE:
		if (e->ncand < ARRAY_SIZE(e->cand)) {
			e->cand_slot[e->ncand] = slot;
			e->cand[e->ncand++] = u->idx;
		} else {
			e->cand_overflow = true;
		}
		break;
	case AP_USE_SOURCE:
		e->src_labels |= BIT_ULL(pol->sources[u->idx].bit);
		e->subject_src |= pol->sources[u->idx].target_kind == ACTPLANE_TARGET_EXEC;
		break;
	case AP_USE_TRANSFORM:
		if (pol->transforms[u->idx].kind == ACTPLANE_TRANSFORM_DECLASSIFY)
			e->declass |= BIT_ULL(pol->transforms[u->idx].bit);
		else
			e->endorse |= BIT_ULL(pol->transforms[u->idx].bit);
		break;
	case AP_USE_LINEAGE:
		if (!slot)
			e->lineage_add |= BIT_ULL(u->idx);
		else
			e->slineage_add |= BIT_ULL(AP_SLINEAGE_BIT(slot, u->idx));
		break;
	case AP_USE_GATE:
		if (!ap_event_argv_match(ev, &pol->gates[u->idx].args))
			break;
		ap_gate_hit(e);
		if (pol->gates[u->idx].exit_status >= 0 && ev->exec) {
			__set_bit(ap_gate_bit(slot, u->idx), e->pend);
			e->pend_hits = true;
		} else {
			__set_bit(ap_gate_bit(slot, u->idx), e->arm);
		}
		break;
	case AP_USE_INVAL:
		if (ap_event_argv_match(ev, &pol->invals[u->idx].args)) {
			ap_gate_hit(e);
			__set_bit(ap_gate_bit(slot, pol->invals[u->idx].gate), e->stale);
		}
		break;
	}
}

/*
 * A subject source labeled a process outside any session: it roots a new
 * one, so its gates work without `actplane run` (an agent started by hand).
 */
static u32 ap_root_session(void)
{
	int id = ap_session_create(task_tgid_nr(current), GFP_NOWAIT, NULL);

	if (id > 0 && ap_task_start_session(current, id))
		return id;
	return ap_task_session(current);	/* somebody else was first, or none */
}

/*
 * current now runs G of one or more `after exec G exits N` gates: remember
 * them, with each gate's stale epoch, until the process exits.
 */
static void ap_pend_exit(struct ap_proc *p, const struct ap_policy *pol,
			 const unsigned long *pend, u32 session)
{
	u64 gen = ap_gen_of(pol);
	u32 g, i;

	if (p->pend_gen != gen) {
		p->npend = 0;
		p->pend_gen = gen;
	}
	for_each_set_bit(g, pend, AP_GATE_BITS) {
		for (i = 0; i < p->npend && p->pend[i].gate != g; i++)
			;
		if (i == p->npend && p->npend == AP_PEND_MAX) {
			pr_warn_ratelimited("actplane: more than %d `exits` gates pending in one process\n",
					    AP_PEND_MAX);
			break;
		}
		p->pend[i].gate = g;
		p->pend[i].epoch = ap_session_gate_epoch(session, g);
		if (i == p->npend)
			WRITE_ONCE(p->npend, p->npend + 1);
	}
}

/*
 * The `exits N` of gate bit @g (AP_GATE_BITS) for @p: the machine policy
 * @pol's gate, or one of its session chain's policies'; -1 if none.
 */
static int ap_gate_exit_status(struct ap_proc *p, const struct ap_policy *pol, u32 g)
{
	const struct ap_policy *const *spols;
	const struct ap_policy *m;
	u32 n, lvl, id;

	if (g < AP_POL_MAX_GATES)
		return pol && g < pol->n_gates ? pol->gates[g].exit_status : -1;
	lvl = AP_SGATE_LEVEL(g);
	id = AP_SGATE_ID(g);
	n = p->session ? ap_session_policies(p, p->session, pol, &spols, &m) : 0;
	return lvl < n && id < spols[lvl]->n_gates ? spols[lvl]->gates[id].exit_status : -1;
}

/*
 * A thread of @t's process is exiting.  When it is the last one, arm the
 * `exits N` gates whose run ended with status N (a signal death arms none),
 * unless the gate went stale while the run was going.
 */
void ap_on_task_exit(struct task_struct *t)
{
	const struct ap_policy *pol;
	struct ap_proc *p;
	int code = READ_ONCE(t->exit_code);
	u32 i;

	if (t == current)
		ap_send_exit();
	if (!ap_tasks_tracked() || atomic_read(&t->signal->live))
		return;
	rcu_read_lock();
	p = ap_proc_of(t);
	if (!p || !READ_ONCE(p->npend))
		goto out;
	pol = ap_policy_get();
	if (ap_gen_of(pol) == p->pend_gen && !(code & 0x7f))
		for (i = 0; i < p->npend; i++) {
			u16 g = p->pend[i].gate;

			if (ap_gate_exit_status(p, pol, g) == ((code >> 8) & 0xff))
				ap_session_gate_arm_after(p->session, g, p->pend[i].epoch);
		}
	WRITE_ONCE(p->npend, 0);
out:
	rcu_read_unlock();
}

/* ---- exec trust, applied when the exec commits ------------------------------------ */

void ap_exec_pend_drop(struct ap_proc *p)
{
	struct ap_exec_pend *xp = p->xpend;

	if (xp) {
		p->xpend = NULL;
		kfree(xp);
	}
}

/* current's exec failed or starts over: what it left pending is void. */
void ap_exec_cancel(void)
{
	struct ap_proc *p;

	rcu_read_lock();
	p = ap_proc_of(current);
	if (p)
		ap_exec_pend_drop(p);
	rcu_read_unlock();
}

/* What the earlier `#!` levels of this exec left pending, or NULL. */
static const struct ap_exec_pend *ap_exec_pend_of(const struct ap_proc *p,
						  const struct ap_event *ev)
{
	const struct ap_exec_pend *xp = p ? p->xpend : NULL;

	return xp && xp->bprm == ev->bprm ? xp : NULL;
}

/*
 * Add the trust one `#!` level of current's exec grants to what waits for
 * the exec to commit, as committing the levels one after the other would
 * leave it.  Runs under the group's cred_guard_mutex (held from
 * prepare_bprm_creds() to past bprm_committing_creds).
 */
/* One level's gate hits join the exec's: its invalidations undo earlier armings. */
static void ap_exec_pend_merge(struct ap_exec_pend *xp, const unsigned long *arm,
			       const unsigned long *stale, const unsigned long *pend, u32 n)
{
	bitmap_andnot(xp->arm, xp->arm, stale, n);
	bitmap_or(xp->arm, xp->arm, arm, n);
	bitmap_andnot(xp->exits, xp->exits, stale, n);
	bitmap_or(xp->exits, xp->exits, pend, n);
	bitmap_or(xp->stale, xp->stale, stale, n);
}

static int ap_exec_pend_add(const struct ap_eval *e)
{
	struct ap_proc *p = ap_proc_of(current);
	struct ap_exec_pend *xp;
	/* the machine's policy (none with session policies alone) */
	u64 gen = ap_gen_of(e->pol);
	u32 n = AP_GATE_BITS;
	u64 immune;

	if (!p) {
		if (ap_task_seed(current, 0))
			return ap_untrackable();
		p = ap_proc_of(current);
		if (!p)
			return 0;
	}
	xp = p->xpend;
	if (xp && xp->bprm != e->ev->bprm)
		memset(xp, 0, sizeof(*xp));	/* left by an exec that failed */
	if (!xp) {
		xp = kzalloc(sizeof(*xp), GFP_NOWAIT | __GFP_NOWARN);
		if (!xp)
			return ap_untrackable();
		p->xpend = xp;
	}
	if (xp->bprm != e->ev->bprm)	/* the first level: before any bit it stages */
		xp->label_seq = ap_labels_release_seq();
	xp->bprm = e->ev->bprm;
	if (xp->gen != gen) {
		/* its gate ids changed; the session policies' stay */
		bitmap_zero(xp->arm, AP_POL_MAX_GATES);
		bitmap_zero(xp->stale, AP_POL_MAX_GATES);
		bitmap_zero(xp->exits, AP_POL_MAX_GATES);
		xp->gen = gen;
	}
	/* an endorsement of an earlier level is dropped by a later declassify */
	immune = atomic64_read(&p->immune) | xp->declass | e->declass;
	xp->endorse = (xp->endorse & ~immune) | e->endorse;
	xp->declass |= e->declass;
	xp->lineage |= e->lineage_add;
	xp->slineage |= e->slineage_add;
	xp->root |= e->subject_src && !e->session;
	if (e->gate_hits && (e->ev->argv_later || e->ev->argv_only)) {
		/* one level in two passes: gather, apply at the promotion */
		bitmap_or(xp->later_arm, xp->later_arm, e->arm, n);
		bitmap_or(xp->later_stale, xp->later_stale, e->stale, n);
		bitmap_or(xp->later_exits, xp->later_exits, e->pend, n);
		xp->later = true;
	} else if (e->gate_hits) {
		ap_exec_pend_merge(xp, e->arm, e->stale, e->pend, n);
	}
	return 0;
}

/**
 * ap_exec_pend_promote() - the level the fmod_ret mode split is decided
 *
 * Its gate hits join what the exec leaves pending, in order (a later level
 * invalidates an earlier level's arming).  Called before each level's
 * bprm_check and after the commit's argument pass.
 */
void ap_exec_pend_promote(void)
{
	struct ap_exec_pend *xp;
	struct ap_proc *p;

	rcu_read_lock();
	p = ap_proc_of(current);
	xp = p ? p->xpend : NULL;
	if (xp && xp->later) {
		ap_exec_pend_merge(xp, xp->later_arm, xp->later_stale, xp->later_exits,
				   AP_GATE_BITS);
		bitmap_zero(xp->later_arm, AP_GATE_BITS);
		bitmap_zero(xp->later_stale, AP_GATE_BITS);
		bitmap_zero(xp->later_exits, AP_GATE_BITS);
		xp->later = false;
	}
	rcu_read_unlock();
}

/* Does current's exec @bprm grant trust in labels (declassify, endorse)? */
bool ap_exec_trusts(const struct linux_binprm *bprm)
{
	const struct ap_exec_pend *xp;
	struct ap_proc *p;
	bool trusts;

	rcu_read_lock();
	p = ap_proc_of(current);
	xp = p ? p->xpend : NULL;
	trusts = xp && xp->bprm == bprm && (xp->declass || xp->endorse);
	rcu_read_unlock();
	return trusts;
}

/* current's exec @bprm runs, but is not trusted with labels. */
void ap_exec_withhold(const struct linux_binprm *bprm)
{
	struct ap_exec_pend *xp;
	struct ap_proc *p;

	rcu_read_lock();
	p = ap_proc_of(current);
	xp = p ? p->xpend : NULL;
	if (xp && xp->bprm == bprm)
		xp->declass = xp->endorse = 0;
	rcu_read_unlock();
}

/**
 * ap_on_exec_commit() - bprm_committing_creds: current's exec will run
 * @bprm: the exec
 *
 * Past the point of no return (after de_thread: current is the only
 * thread left, and no error brings the old image back): apply the trust
 * the exec's `#!` levels granted.
 */
void ap_on_exec_commit(const struct linux_binprm *bprm)
{
	const struct ap_policy *pol;
	struct ap_exec_pend *xp;
	struct ap_proc *p;
	u32 session;

	rcu_read_lock();
	p = ap_proc_of(current);
	xp = p ? p->xpend : NULL;
	if (!xp)
		goto out;
	p->xpend = NULL;
	if (xp->bprm != bprm)
		goto free;
	if (xp->declass || xp->endorse) {
		/* staged while the exec could sleep: nothing given back since */
		u64 gone = ap_labels_gone_since(xp->label_seq);

		xp->declass &= ~gone;
		xp->endorse &= ~gone;
	}
	if (xp->declass || xp->endorse || xp->lineage || xp->slineage)
		ap_task_commit(current, 0, xp->declass, xp->endorse, xp->lineage, xp->slineage,
			       true, NULL);
	session = READ_ONCE(p->session);
	if (xp->root && !session)
		session = ap_root_session();
	pol = ap_policy_get();
	if (session) {
		if (ap_gen_of(pol) != xp->gen) {
			/* the machine's gate ids changed meanwhile: only the sessions' stay */
			bitmap_zero(xp->arm, AP_POL_MAX_GATES);
			bitmap_zero(xp->stale, AP_POL_MAX_GATES);
			bitmap_zero(xp->exits, AP_POL_MAX_GATES);
		}
		ap_session_gates_update(session, xp->arm, xp->stale);
		if (!bitmap_empty(xp->exits, AP_GATE_BITS))
			ap_pend_exit(p, pol, xp->exits, session);
	}
free:
	kfree(xp);
out:
	rcu_read_unlock();
}

/* The clause's `if` over the view (include/actplane/decide.h); validated at load. */
static bool ap_expr_eval(const struct ap_clause *c, u64 labels)
{
	return !c->expr_len || apm_expr_eval((const u8 (*)[2])c->expr, c->expr_len, labels, false);
}

/* Does the event's target match pattern/endpoint (kind, idx)? */
static bool ap_target_matches(struct ap_eval *e, u8 kind, u32 idx)
{
	const char *path;

	if (kind == ACTPLANE_TARGET_ENDPOINT)
		return e->ev->ep && ap_ep_match(&e->pol->eps[idx], e->ev->ep);
	path = ap_event_path(e->ev);
	return path && ap_pat_match(&e->pol->pats[idx], path, e->ev->path_len);
}

static bool ap_clause_fires(struct ap_eval *e, const struct ap_clause *c)
{
	/* the machine's gate bits an exec staged are its policy generation's */
	const struct ap_exec_pend *xg = e->xp && (e->pol_slot || e->xp->gen == e->pol->generation) ?
					e->xp : NULL;
	u16 i;

	if (!ap_expr_eval(c, e->labels))
		return false;
	for (i = 0; i < c->n_unless; i++) {
		const struct ap_cond *k = &c->unless[i];
		bool holds = false;

		switch (k->kind) {
		case ACTPLANE_COND_TARGET:
			holds = apm_unless_target(ap_target_matches(e, k->target_kind, k->arg),
						  k->negate);
			break;
		case ACTPLANE_COND_LINEAGE:
			/* each policy's own marks: ids are per policy */
			holds = !e->pol_slot ? e->lineage & BIT_ULL(k->arg) :
				e->slineage & BIT_ULL(AP_SLINEAGE_BIT(e->pol_slot, k->arg));
			break;
		case ACTPLANE_COND_AFTER: {
			u32 g = ap_gate_bit(e->pol_slot, k->arg);

			if (xg && test_bit(g, xg->arm))
				holds = true;	/* an earlier `#!` level arms it */
			else if (xg && test_bit(g, xg->stale))
				holds = false;
			else
				holds = e->session && ap_session_gate(e->session, g);
			break;
		}
		}
		if (holds)
			return false;
	}
	return ap_event_argv_match(e->ev, &c->args);	/* last: may read the new argv */
}

static const char *ap_lazy_path(void *arg, size_t *len)
{
	struct ap_eval *e = arg;
	const char *path = ap_event_path(e->ev);

	*len = e->ev->path_len;
	return path;
}

/*
 * Where a walk of the ancestors of a target starts (the file at @p, or a
 * name in the directory @p if @child): the first directory to look at
 * (*@start) and the process root it ends at (*@root).  1: walk
 * from there; 0: nothing to walk (the target is the root); -1: the walk
 * cannot vouch for the ancestors (another mount than the root's, a mount
 * root, a disconnected dentry).  Caller holds rcu_read_lock().
 */
static __always_inline int ap_walk_start_at(const struct path *p, bool child, struct path *root,
					    struct dentry **start)
{
	struct fs_struct *fs = current->fs;
	struct dentry *d;

	if (!p || !fs)
		return -1;
	ap_fs_root_lockless(fs, root);
	if (root->mnt != p->mnt)
		return -1;
	d = p->dentry;
	if (!child) {		/* d is the target: start at its directory */
		if (d == root->dentry)
			return 0;
		if (d == p->mnt->mnt_root || IS_ROOT(d))
			return -1;
		d = READ_ONCE(d->d_parent);
	}
	*start = d;
	return 1;
}

/* The same for the event's target: @p, or a name in the directory @p. */
static int ap_walk_start(const struct ap_event *ev, struct path *root, struct dentry **start)
{
	return ap_walk_start_at(ev->fpath, ev->child_name, root, start);
}

/*
 * Visit the names of the target's ancestor directories, nearest first, up to
 * the process root, from the dentries: no path is built.  The walk stays in
 * the mount of the process root (a module cannot see where other mounts
 * sit) and gives up, returning false, on a mount root, a disconnected
 * dentry, a rename racing it, more than AP_WALK_MAX levels, or when visit
 * says stop: the caller then builds the full path.
 */
#define AP_WALK_MAX	64

static bool ap_walk_ancestors(void *arg, ap_name_fn visit, void *ctx,
			      const struct ap_name_filter *f)
{
	const struct ap_event *ev = ((struct ap_eval *)arg)->ev;
	struct dentry *d, *mroot;
	struct path root;
	unsigned int rseq;
	int depth;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ap_walk_ancestors() outside RCU");
	rseq = read_seqbegin(&rename_lock);
	depth = ap_walk_start(ev, &root, &d);
	if (depth <= 0)
		return !depth && !read_seqretry(&rename_lock, rseq);
	mroot = ev->fpath->mnt->mnt_root;
	for (depth = 0; depth < AP_WALK_MAX; depth++) {
		const char *name;
		u32 len;

		if (d == root.dentry)
			return !read_seqretry(&rename_lock, rseq);
		if (d == mroot || IS_ROOT(d))
			return false;
		/*
		 * Most names are passed over by their length alone (a rename
		 * changing it under us fails the rename_lock check at the end).
		 * Others as prepend_name() reads them: the acquire makes the
		 * name's NUL visible, and the length found bounds the read of
		 * the signature and the visit.
		 */
		len = READ_ONCE(d->d_name.len);
		if (len < AP_NAME_LENS && test_bit(len, f->lens)) {
			name = smp_load_acquire(&d->d_name.name);
			len = strnlen(name, len);
			if (test_bit(ap_sig(name, len), f->sig) && !visit(ctx, name, len))
				return false;
		}
		d = READ_ONCE(d->d_parent);
	}
	return false;
}

/*
 * The memo's answer, remembered per CPU for the last few directories a walk
 * started from (a program opens many files in one directory).  An entry
 * answers for a later event whose walk would read exactly what it read:
 *
 * - the same start directory, process root and mount.  These are pointers,
 *   so an entry must not outlive the objects they named: it holds an RCU
 *   grace-period cookie taken when it is stored, and is dropped once a
 *   grace period has passed since (poll_state_synchronize_rcu_full(): the
 *   one-word cookie can miss a normal grace period that ran alongside an
 *   expedited one, and here a missed one would keep a stale entry).  After
 *   the cookie, the store checks that no rename happened since the walk
 *   (so the start is still the pinned target's directory, or the pinned
 *   directory itself) and that the process root is still the key's
 *   (ap_gp_root_held()): each object was still held after the cookie, so
 *   it is freed, and its memory can name another object, only a grace
 *   period after it.  A lookup takes no cookie.
 * - the same ancestors' names and parents: nothing renamed anywhere since
 *   (the rename_lock sequence; every name or parent change is a rename);
 * - the same policies (index pointers, and ap_index_epoch: no index was
 *   allocated since, so none can sit where a remembered one was).
 *
 * Events in interrupt context never walk; the entries are read and written
 * with preemption off, so two tasks on one CPU do not mix them.
 */
static DEFINE_PER_CPU(struct ap_walk_cached[1 << AP_WALK_CACHE_BITS], ap_walk_cache);

/*
 * walk_cache=0 (root only): evaluate without the cache (the tests compare
 * verdicts with and without it; the benchmark measures it).
 */
static bool ap_walk_cache_on = true;
module_param_named(walk_cache, ap_walk_cache_on, bool, 0600);
MODULE_PARM_DESC(walk_cache, "remember ancestor-walk answers per CPU (default 1)");

/*
 * Is the process root still @root on @mnt?  Asked by a cache store after
 * it took its grace-period cookie: the key's root was read earlier in this
 * read-side section, and nothing read in a section is freed before it ends,
 * so the same pointer now is the same root, still held after the cookie,
 * and freed (its memory then free to be another root) only a grace period
 * after it.  Dentries and mounts are freed through RCU; the only dentries
 * that are not, pseudo files', are never on the process root's mount,
 * which both keys require.  Caller in RCU.
 */
static bool ap_gp_root_held(const struct dentry *root, const struct vfsmount *mnt)
{
	struct fs_struct *fs = current->fs;
	struct path now;

	if (!fs)
		return false;
	ap_fs_root_lockless(fs, &now);
	return now.dentry == root && now.mnt == mnt;
}

/*
 * The indexes an answer was found in, for a cache key: @m's index pointers
 * (NULL past its count), and the index epoch they are valid in (returned).
 */
static __always_inline u64 ap_key_indexes(const struct ap_policy **pols,
					  const struct ap_policy *const *from, u8 n)
{
	u32 i;

	for (i = 0; i < AP_WALK_CACHE_POLS; i++)
		pols[i] = i < n ? from[i] : NULL;
	smp_rmb();		/* the index pointers (read before), then the epoch */
	return atomic64_read(&ap_index_epoch);
}

/* This event's walk, as memo_get() found it: what memo_put() may store. */
static bool ap_walk_key(struct ap_eval *e, const struct ap_anc_memo *m,
			struct ap_walk_cached *k)
{
	struct path root;
	struct dentry *start;

	if (m->n > AP_WALK_CACHE_POLS || !in_task() || !READ_ONCE(ap_walk_cache_on))
		return false;
	k->rseq = raw_read_seqcount(&rename_lock.seqcount);
	if (k->rseq & 1)
		return false;	/* a rename is under way */
	smp_rmb();		/* the sequence, then what it guards */
	if (ap_walk_start(e->ev, &root, &start) <= 0)
		return false;	/* nothing to walk: the walk answers at once */
	k->start = start;
	k->root = root.dentry;
	k->mnt = root.mnt;
	k->n = m->n;
	k->epoch = ap_key_indexes(k->pols, m->pols, m->n);
	return true;
}

static struct ap_walk_cached *ap_walk_slot(const struct dentry *start)
{
	return this_cpu_ptr(&ap_walk_cache[hash_ptr(start, AP_WALK_CACHE_BITS)]);
}

static bool ap_memo_get(void *arg, const struct ap_anc_memo *m, u16 *open)
{
	struct ap_eval *e = arg;
	struct ap_walk_cached *k = &e->walk_key, *c;
	ap_gp_state gp = {};
	bool hit;

	e->walk_keyed = ap_walk_key(e, m, k);
	if (!e->walk_keyed)
		return false;
	preempt_disable();
	c = ap_walk_slot(k->start);
	hit = c->start == k->start && c->root == k->root && c->mnt == k->mnt &&
	      c->rseq == k->rseq && c->epoch == k->epoch && c->n == k->n &&
	      c->pols[0] == k->pols[0] && c->pols[1] == k->pols[1];
	if (hit) {
		*open = c->open;
		gp = c->gp;
	}
	preempt_enable();
	return hit && !poll_state_synchronize_rcu_full(&gp);
}

static void ap_memo_put(void *arg, const struct ap_anc_memo *m, u16 open)
{
	struct ap_eval *e = arg;
	struct ap_walk_cached *k = &e->walk_key;

	if (!e->walk_keyed)
		return;
	/* the cookie first: then what the key names is checked to be still held */
	get_state_synchronize_rcu_full(&k->gp);
	if (read_seqcount_retry(&rename_lock.seqcount, k->rseq) ||
	    !ap_gp_root_held(k->root, k->mnt))
		return;		/* renamed meanwhile (the walk may have seen either), or chrooted */
	k->open = open;
	preempt_disable();
	*ap_walk_slot(k->start) = *k;
	preempt_enable();
}

/*
 * Targets no rule is about, remembered per CPU: most events (every open of
 * a library, every send to the model's API) match nothing in any index, and
 * the same targets come back again and again.  An entry says "querying
 * these indexes for these operations on this target finds nothing": no
 * clause, no source, transform, gate or lineage use (any of those, or a
 * path that had to be resolved, and nothing is stored).  Labels and gates
 * play no part in finding nothing, so one entry holds for every process.
 * An entry answers only while what the query read is unchanged:
 *
 * - an endpoint: the key itself (a value);
 * - a file (not an exec, not a name in a directory): the same dentry,
 *   process root and mount, as for the walk cache (ap_memo_get()): the
 *   RCU cookie for the pointers (taken when the entry is stored:
 *   ap_nohit_put()), the rename_lock sequence for the name and the
 *   ancestors; and only on the root's mount (the walk's vouching, no
 *   d_path), so where other mounts sit plays no part;
 * - the same indexes (pointers and ap_index_epoch) and operations.
 *
 * nohit_cache=0 (root only) evaluates without it.
 */
#define AP_NOHIT_BITS	2

struct ap_nohit {
	union {
		struct {
			const struct dentry *d, *root;
			const struct vfsmount *mnt;
		} f;
		struct ap_ep_key ep;
	} t;
	const struct ap_policy *pols[AP_WALK_CACHE_POLS];
	u64 epoch;
	u32 rseq;
	u32 opsn;	/* AP_OPS() | how many indexes << 24 (| AP_NOHIT_FILE: a file) */
	/* not compared: checked with poll_state_synchronize_rcu_full(); set when stored */
	ap_gp_state gp;
};
#define AP_NOHIT_WORDS	(offsetof(struct ap_nohit, gp) / sizeof(u64))
#define AP_NOHIT_FILE	0x80	/* in opsn's top byte */
static_assert(sizeof_field(struct ap_nohit, t.f) == sizeof(struct ap_ep_key));
static_assert(offsetof(struct ap_nohit, gp) % sizeof(u64) == 0);
static_assert(offsetof(struct ap_nohit, gp) == offsetof(struct ap_nohit, opsn) + sizeof(u32));
static_assert(AP_WALK_CACHE_POLS < AP_NOHIT_FILE);

static DEFINE_PER_CPU(struct ap_nohit[1 << AP_NOHIT_BITS], ap_nohit_cache);
static bool ap_nohit_on = true;
module_param_named(nohit_cache, ap_nohit_on, bool, 0600);
MODULE_PARM_DESC(nohit_cache, "remember per CPU the targets no rule is about (default 1)");

/*
 * @k for a target of the current process (every byte compared is set: they
 * are compared as words): the file at @fpath, its name read after rename
 * sequence @rseq, or the endpoint @ep; for @ops (AP_OPS()), queried in the @n indexes
 * @pols.  False if its answer may not be remembered.  Caller in RCU.
 */
static __always_inline bool ap_nohit_key_of(struct ap_nohit *k, const struct ap_policy *const *pols,
					    u8 n, u32 ops, const struct path *fpath,
					    unsigned int rseq, const struct ap_ep_key *ep)
{
	struct dentry *start;
	struct path root;

	if (n > AP_WALK_CACHE_POLS || !in_task() || !READ_ONCE(ap_nohit_on))
		return false;
	if (ep) {
		k->t.ep = *ep;	/* a key with no padding (struct ap_ep_key) */
		rseq = 0;
	} else {
		/*
		 * The sequence taken before the event read the name: an entry
		 * stored under it was for the name the dentry has now.
		 */
		if (rseq & 1)
			return false;	/* a rename was under way, or no name read */
		if (ap_walk_start_at(fpath, false, &root, &start) < 0)
			return false;	/* another mount, a mount root: d_path's */
		k->t.f.d = fpath->dentry;
		k->t.f.root = root.dentry;
		k->t.f.mnt = root.mnt;
	}
	k->rseq = rseq;
	k->opsn = ops | (u32)(n | (ep ? 0 : AP_NOHIT_FILE)) << 24;
	k->epoch = ap_key_indexes(k->pols, pols, n);
	return true;
}

/* The same for an event: not an exec, a name in a directory, or incomplete. */
static bool ap_nohit_key(const struct ap_event *ev, const struct ap_anc_memo *m,
			 struct ap_nohit *k)
{
	if (ev->exec || ev->child_name || ev->incomplete)
		return false;
	return ap_nohit_key_of(k, m->pols, m->n, AP_OPS(ev->ops[0], ev->ops[1], ev->ops[2]),
			       ev->fpath, ev->name_seq, ev->ep);
}

static struct ap_nohit *ap_nohit_slot(const struct ap_nohit *k)
{
	const u64 *w = (const u64 *)&k->t;

	return this_cpu_ptr(&ap_nohit_cache[hash_64(w[0] ^ w[1] ^ w[2], AP_NOHIT_BITS)]);
}

/* Is @k remembered: does the query find nothing? */
static __always_inline bool ap_nohit_get(const struct ap_nohit *k)
{
	const u64 *a = (const u64 *)k, *b;
	ap_gp_state gp;
	u64 diff = 0;
	u32 i;

	preempt_disable();
	b = (const u64 *)ap_nohit_slot(k);
#pragma GCC unroll 16
	for (i = 0; i < AP_NOHIT_WORDS; i++)
		diff |= a[i] ^ b[i];
	gp = ((const struct ap_nohit *)b)->gp;
	preempt_enable();
	if (diff)
		return false;
	return !(k->opsn >> 24 & AP_NOHIT_FILE) || !poll_state_synchronize_rcu_full(&gp);
}

/* The query for @k found nothing: remember it, unless a rename raced it. */
static void ap_nohit_put(const struct ap_eval *e, struct ap_nohit *k)
{
	if (e->ev->ep) {
		k->gp = (ap_gp_state){};	/* a value: nothing to outlive */
	} else {
		if (e->ev->path || e->ev->path_failed)
			return;	/* the full path was read: not the walk's vouching */
		/*
		 * The cookie, then the root checked (the dentry and its mount
		 * are the hook's, held until it returns); _full: see the
		 * walk cache.
		 */
		get_state_synchronize_rcu_full(&k->gp);
		if (read_seqcount_retry(&rename_lock.seqcount, k->rseq) ||
		    !ap_gp_root_held(k->t.f.root, k->t.f.mnt))
			return;	/* a name or the root changed meanwhile */
	}
	preempt_disable();
	*ap_nohit_slot(k) = *k;
	preempt_enable();
}

static void ap_query(struct ap_eval *e, const struct ap_policy *ix, u32 op)
{
	const struct ap_pathidx *x = &ix->path[op];
	struct ap_event *ev = e->ev;
	struct ap_target t;

	if (ev->ep) {
		if (!ix->ep[op].empty)
			ap_epidx_query(ix, &ix->ep[op], ev->ep, ap_hit, e);
		return;
	}
	if (x->empty)
		return;
	t = (struct ap_target){
		.name = ev->name, .name_len = ev->name_len,
		.path = ap_lazy_path, .walk = ap_walk_ancestors, .arg = e,
		.anc_memo = &e->memo, .memo_get = ap_memo_get, .memo_put = ap_memo_put,
	};
	ap_pathidx_query(ix, x, &t, ap_hit, e);
}

/* Query index @ix (pols[@slot]'s, or the merged one at 0) for every operation of the event. */
static void ap_query_ops(struct ap_eval *e, const struct ap_policy *ix, u32 slot)
{
	int k;

	e->slot = slot;
	for (k = 0; k < ARRAY_SIZE(e->ev->ops) && e->ev->ops[k] != AP_NO_OP; k++)
		ap_query(e, ix, e->ev->ops[k]);
}

/*
 * Every index the event is evaluated against (e->memo.pols): each
 * policy's own, pols[slot0 + i], or the session's merged index alone.
 */
static void ap_query_all(struct ap_eval *e)
{
	u32 i;

	for (i = 0; i < e->memo.n; i++)
		ap_query_ops(e, e->memo.pols[i], e->slot0 + i);
}

/*
 * The policies an event of the current process is evaluated against,
 * e->pols: the machine's (or NULL), then those of its session chain,
 * outermost first; and the indexes queried for it, e->memo.pols: each
 * policy's own, or the session's merged index alone.  Returns the slot in
 * e->pols of memo.pols[0]; *@procp is the process if it was looked up.
 * Only these fields of @e are set.  Caller in RCU.
 */
/* ap_eval_select()'s part for a machine with session policies. */
static noinline u8 ap_eval_select_sessions(struct ap_eval *e, const struct ap_policy *pol,
					   u8 slot0, struct ap_proc **procp)
{
	const struct ap_policy *const *spols;
	struct ap_proc *proc;
	u32 i, sid;

	/* the session policies of the subject's session chain, one lookup */
	proc = ap_proc_of(current);
	*procp = proc;
	sid = proc ? READ_ONCE(proc->session) : 0;
	if (sid) {
		const struct ap_policy *m = NULL;
		u32 n = ap_session_policies(proc, sid, pol, &spols, &m);

		for (i = 0; i < n; i++)
			e->pols[e->npols++] = spols[i];
		if (m) {
			/* all of them in one index */
			e->memo.pols[0] = m;
			e->memo.n = 1;
			slot0 = 0;
		} else {
			for (i = 0; i < n; i++)
				e->memo.pols[e->memo.n++] = spols[i];
		}
	}
	return slot0;
}

static __always_inline u8 ap_eval_select(struct ap_eval *e, const struct ap_policy *pol,
					 bool spol, struct ap_proc **procp)
{
	e->pols[0] = pol;
	e->npols = 1;
	e->memo.n = 0;
	e->memo.done = false;
	e->walk_keyed = false;
	if (pol)
		e->memo.pols[e->memo.n++] = pol;
	BUILD_BUG_ON(AP_ANC_MEMO_MAX < 1 + ACTPLANE_SESSION_DEPTH_MAX);	/* none is left out */
	if (unlikely(spol))
		return ap_eval_select_sessions(e, pol, pol ? 0 : 1, procp);
	return pol ? 0 : 1;
}

/*
 * The machine's policy (*@polp) and ap_eval_select()'s choice; false if no
 * policy is loaded at all: nothing to evaluate.  Caller in RCU.  (The hot
 * paths read the same two words in ap_evaluate_target(), in the order that
 * lets them key the no-hit cache before anything is selected.)
 */
static __always_inline bool ap_eval_begin(struct ap_eval *e, const struct ap_policy **polp,
					  u8 *slot0, struct ap_proc **procp)
{
	const struct ap_policy *pol = ap_policy_get();
	bool spol = atomic_read(&ap_spol_count);

	if (!pol && !spol)
		return false;
	*polp = pol;
	*slot0 = ap_eval_select(e, pol, spol, procp);
	return true;
}

/*
 * An evaluation the no-hit cache did not answer: @e has its policies and
 * indexes (ap_eval_select(), which gave @slot0 and perhaps @proc); @nk is
 * the key to remember the target under if nothing is about it, or NULL.
 * Caller in RCU.
 */
static int ap_evaluate_rest(struct ap_eval *e, struct ap_event *ev, const struct ap_policy *pol,
			    u8 slot0, struct ap_proc *proc, struct ap_nohit *nk)
{
	const struct ap_clause *best;
	struct ap_from from __uninitialized;	/* set at the commit */
	struct ap_polset polset __uninitialized;	/* ditto */
	u32 i, verdict = ACTPLANE_EFFECT_NONE, proposed;
	bool incomplete, base_any;
	int ret = 0;

	memset(e, 0, offsetof(struct ap_eval, arm));
	e->ev = ev;
	e->slot0 = slot0;
	if (!ev->name)
		ap_event_name(ev);
	ap_query_all(e);
	/* after the query: resolving the path for it may have failed */
	base_any = e->base_hit || ev->incomplete;
	e->pol = pol;
	if (!e->ncand && !base_any) {
		if (nk)
			ap_nohit_put(e, nk);
		goto out;	/* the common case: nothing in any policy is about this event */
	}
	if (!proc)
		proc = ap_proc_of(current);
	if (proc) {
		e->labels = atomic64_read(&proc->labels);
		e->immune = atomic64_read(&proc->immune);
		e->lineage = atomic64_read(&proc->lineage);
		e->slineage = atomic64_read(&proc->slineage);
		e->session = proc->session;
	}
	if (ev->exec)
		e->xp = ap_exec_pend_of(proc, ev);
	if (ev->absorb_inode)	/* in this section: see struct ap_event */
		ev->absorb = ap_inode_labels(ev->inode);

	/* the view: what the subject will be if the operation happens */
	if (ev->exec) {
		/*
		 * Declassification: the process now running G drops L and stops
		 * absorbing it.  The immunity stays with the process subtree G
		 * starts (its interpreter, the helpers it forks or execs): a
		 * trusted releaser's implementation is part of the releaser.
		 */
		u64 pend_endorse = 0;

		if (e->xp) {	/* what the earlier `#!` levels will commit */
			e->immune |= e->xp->declass;
			e->lineage |= e->xp->lineage;
			e->slineage |= e->xp->slineage;
			pend_endorse = e->xp->endorse;
		}
		e->immune |= e->declass;
		e->labels = apm_view(e->labels, ev->absorb, e->src_labels | pend_endorse, e->immune,
				    e->endorse, true);
	} else {
		e->labels = apm_view(e->labels, ev->absorb | ev->view, e->src_labels, e->immune, 0,
				    false);
	}
	e->lineage |= e->lineage_add;
	e->slineage |= e->slineage_add;

	if (likely(!e->cand_overflow)) {
		for (i = 0; i < e->ncand; i++) {
			e->pol_slot = e->cand_slot[i];
			e->pol = e->pols[e->pol_slot];
			ap_consider(e, e->cand[i]);
		}
	} else {
		/*
		 * More candidates than the buffer holds: query the indexes
		 * again and evaluate every clause as it is found, against the
		 * view that is complete now.  Rare (many rules on one target);
		 * the path, if needed, is resolved already.
		 */
		e->rescan = true;
		ap_query_all(e);
	}
	e->pol = pol;
	e->pol_slot = 0;
	if (!base_any && !e->best && !ev->incomplete)
		goto out;	/* nothing to decide, no state to commit */
	best = e->best;
	proposed = e->proposed;
	/* before the report, which may resolve the path for the record only */
	incomplete = ev->incomplete;
	if (best) {
		struct actplane_decision d = {
			.seq = ap_next_seq(),
			.op = best->op,
			.rule_id = best->rule | (e->best_pol != pol ? ACTPLANE_RULE_ID_SESSION : 0),
			.proposed = proposed,
			.pid = task_tgid_nr(current),
			.session = e->session,
		};

		verdict = ap_enforcer_decide(&d);
		if (unlikely(ev->committed) && verdict == ACTPLANE_EFFECT_BLOCK)
			verdict = ACTPLANE_EFFECT_KILL;
		if (verdict != ACTPLANE_EFFECT_NONE)
			ap_event_report(ev, pol, e->best_pol, best, e->labels, e->session, proposed, verdict);
		if (verdict >= ACTPLANE_EFFECT_BLOCK) {
			ret = -EPERM;
			ap_stats_inc(ACTPLANE_CTR_BLOCKED);
			if (verdict == ACTPLANE_EFFECT_KILL) {
				send_sig(SIGKILL, current, 1);
				ap_stats_inc(ACTPLANE_CTR_KILLED);
			}
			goto out;	/* the operation does not happen: no state changes */
		}
	}
	if (unlikely(incomplete)) {
		/* no rule denies it, but one we could not evaluate might have */
		ret = ap_incomplete();
		if (ret)
			goto out;
	}
	if (ev->rules_only || !base_any)
		goto out;	/* !base_any: no source, transform, gate or lineage matched */

	/* commit: the operation goes ahead; what the process takes, it takes from... */
	polset = (struct ap_polset){ .pols = e->pols, .n = e->npols };
	from = ev->inode ? (struct ap_from){ .op = ACTPLANE_PROV_READ, .src = AP_SRC_FILE,
					     .ptr = ev->inode } :
			   (struct ap_from){ .op = ACTPLANE_PROV_READ, .src = AP_SRC_RULES,
					     .ptr = &polset };
	if (e->src_labels && ev->inode) {
		/*
		 * The file carries its source label, so a copy by rename or
		 * link out of the pattern stays labeled.  If that cannot be
		 * stored (no memory, the user's quota full), the fail mode
		 * says whether the read happens at all; nothing has changed yet.
		 */
		struct ap_from src = {
			.op = ACTPLANE_PROV_SOURCE, .src = AP_SRC_RULES, .ptr = &polset,
			.path = ev->child_name ? NULL : ev->fpath,
		};

		ret = ap_inode_absorb(ev->inode, e->src_labels, &src);
		if (ret)
			goto out;
	}
	if (ev->exec) {
		/*
		 * The taint now (conservative); the trust when the exec is
		 * certain to run (ap_on_exec_commit()).
		 */
		from.op = ACTPLANE_PROV_EXEC;
		ret = ap_task_commit(current, ev->absorb | e->src_labels, 0, 0, 0, 0, false, &from);
		if (!ret && (e->declass || e->endorse || e->lineage_add || e->slineage_add ||
			     e->gate_hits ||
			     (e->subject_src && !e->session)))
			ret = ap_exec_pend_add(e);
	} else {
		if (e->src_labels || e->lineage_add || e->slineage_add)
			ret = ap_task_commit(current, ev->absorb | e->src_labels, 0, 0,
					     e->lineage_add, e->slineage_add, false, &from);
		if (e->gate_hits && e->session)
			ap_session_gates_update(e->session, e->arm, e->stale);
	}
out:
	return ret;
}

/**
 * ap_evaluate() - evaluate the policy for one event
 * @ev: the event (op(s), target, subject = current)
 *
 * Return: 0 to allow; -EPERM if a rule blocks or kills it, or if it could
 * not be evaluated completely in fail-closed mode; -ENOMEM if its label
 * changes could not be stored in fail-closed mode.
 */
int ap_evaluate(struct ap_event *ev)
{
	const struct ap_policy *pol;
	struct ap_proc *proc = NULL;
	struct ap_eval e __uninitialized;	/* zeroed in part: see the struct */
	struct ap_nohit nk __uninitialized;	/* set by ap_nohit_key() */
	bool nh, rcu;
	int ret = 0;
	u8 slot0;

	/*
	 * Every index, the machine's first: the clauses found wait for the
	 * view (gates and lineages come from the machine's policy only;
	 * sources and transforms also from the session's).  The strongest effect of all the policies wins: a session's
	 * rule can add a block, never take one away.
	 */
	rcu = ap_rcu_lock();
	if (!ap_eval_begin(&e, &pol, &slot0, &proc))
		goto out;	/* no policy: nothing to build */
	nh = ap_nohit_key(ev, &e.memo, &nk);
	if (nh && ap_nohit_get(&nk))
		goto out;	/* the target is one no rule is about */
	ret = ap_evaluate_rest(&e, ev, pol, slot0, proc, nh ? &nk : NULL);
out:
	ap_rcu_unlock(rcu);
	return ret;
}

/*
 * ap_evaluate() for the hot paths, every open, connect and send: a target
 * (the file at @path, or the endpoint @ep) no rule is about is answered
 * from the no-hit cache before an event is built; with no session policy,
 * keyed by the machine's index alone, before the evaluation's state is
 * set up.  @ops: the operations (AP_OPS()); @view: as struct
 * ap_event's (endpoints only).
 */
static __always_inline int ap_evaluate_target(const struct path *path,
					      const struct inode *inode,
					      const struct ap_ep_key *ep, u32 ops,
					      u64 view)
{
	const struct ap_policy *pol;
	struct ap_proc *proc = NULL;
	struct ap_eval e __uninitialized;	/* zeroed in part: see the struct */
	struct ap_event ev __uninitialized;	/* built on a miss */
	struct ap_nohit nk __uninitialized;	/* set by ap_nohit_key_of() */
	const struct ap_policy *const *pols;
	unsigned int seq = 0;
	bool nh, rcu, spol;
	int ret = 0;
	u8 slot0, npols;

	rcu = ap_rcu_lock();
	pol = ap_policy_get();
	spol = atomic_read(&ap_spol_count);
	if (likely(!spol)) {
		if (!pol)
			goto out;	/* no policy: nothing to evaluate */
		pols = &pol;	/* its index alone: ap_eval_select() after a miss */
		npols = 1;
	} else {
		slot0 = ap_eval_select(&e, pol, true, &proc);
		pols = e.memo.pols;
		npols = e.memo.n;
	}
	if (!ep)
		seq = raw_read_seqcount(&rename_lock.seqcount);
	nh = ap_nohit_key_of(&nk, pols, npols, ops, path, seq, ep);
	if (nh && ap_nohit_get(&nk))
		goto out;	/* the target is one no rule is about */
	if (likely(!spol))
		slot0 = ap_eval_select(&e, pol, false, &proc);
	if (ep) {
		memset(&ev, 0, offsetof(struct ap_event, inline_buf));
		ev.ep = ep;
		ev.view = view;
		ev.rules_only = view != 0;
	} else {
		ap_event_file(&ev, path, inode, seq);
	}
	ap_ops_unpack(ev.ops, ops);
	ret = ap_evaluate_rest(&e, &ev, pol, slot0, proc, nh ? &nk : NULL);
	ap_rcu_unlock(rcu);
	ap_event_release(&ev);
	return ret;
out:
	ap_rcu_unlock(rcu);
	return ret;
}

/**
 * ap_evaluate_file() - evaluate @ops of the current process on the file at @path
 * @path: the file's path (the hook's: it outlives the call)
 * @inode: the file
 * @ops: the operations (AP_OPS(): at most three, AP_NO_OP past the last)
 *
 * Return: as ap_evaluate().
 */
int ap_evaluate_file(const struct path *path, const struct inode *inode, u32 ops)
{
	return ap_evaluate_target(path, inode, NULL, ops, 0);
}

/**
 * ap_evaluate_ep() - evaluate @op of the current process on endpoint @k
 * @k: the endpoint
 * @op: connect (a send) or recv
 * @view: labels the process is seen with in addition to its own; nonzero
 *	  decides only (struct ap_event's rules_only)
 *
 * Return: as ap_evaluate().
 */
int ap_evaluate_ep(const struct ap_ep_key *k, u8 op, u64 view)
{
	return ap_evaluate_target(NULL, NULL, k, AP_OPS(op, AP_NO_OP, AP_NO_OP), view);
}
