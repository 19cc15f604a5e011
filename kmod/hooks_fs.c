// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hooks on files, exec, pipes and the splice family: what each does to
 * label state and which rules it asks (the hook table is hooks.h).
 *
 * Fast path: every function first asks the cheap question ("does the
 * process carry labels?", "is any object of this kind labeled?") and returns
 * before touching a table when the answer is no.  No path is resolved here
 * (eval.c resolves one only when a rule may need it).
 */
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/uio.h>
#include "propagate.h"

/* An event about the file at @path (eval.c: its name is read when needed). */
static void ap_ev_file(struct ap_event *ev, const struct path *path, const struct inode *inode)
{
	ap_event_file(ev, path, inode, raw_read_seqcount(&rename_lock.seqcount));
}

/* An event about @name inside directory @dir (unlink, rename and link targets). */
static void ap_ev_child(struct ap_event *ev, const struct path *dir, const struct dentry *d)
{
	memset(ev, 0, offsetof(struct ap_event, inline_buf));
	memset(ev->ops, AP_NO_OP, sizeof(ev->ops));
	ev->fpath = dir;
	ev->name_seq = 1;	/* a name in a directory: never remembered */
	ev->child_name = d->d_name.name;
	ev->name = d->d_name.name;
	ev->name_len = strnlen(ev->name, NAME_MAX);
	ev->inode = d_inode(d);
}

/* The current process writes an inode, reached by @path (names it in provenance). */
static int ap_flow_to_inode(struct inode *inode, const struct path *path)
{
	u64 l;

	if (S_ISCHR(inode->i_mode))
		return 0;
	l = ap_task_labels(current);
	return l ? ap_file_write(inode, l, ACTPLANE_PROV_WRITE, path) : 0;
}

/*
 * Objects that carry no labels themselves: sockets (the socket hooks handle
 * them), character devices (a tty's output and input are different
 * channels; /dev/null keeps nothing), and the anonymous-inode file system:
 * eventfd, timerfd, signalfd, epoll and friends of every process on the
 * machine share its one inode, so a label on it would spread from one
 * labeled writer to everything that touches any of them (docs/SECURITY.md
 * §4.3: their few bytes of state carry no labels).
 */
static bool ap_inode_untracked(const struct inode *inode)
{
	return S_ISSOCK(inode->i_mode) || S_ISCHR(inode->i_mode) ||
	       inode->i_sb->s_magic == ANON_INODE_FS_MAGIC;
}

int ap_on_file_open(struct file *file)
{
	struct inode *inode = file_inode(file);
	int ret = 0;

	if (ap_inode_untracked(inode))
		return 0;
	/* rules first: a denied open propagates nothing */
	if (ap_policy_loaded()) {
		/* "open" is any open; "read" and "write" say which way */
		u8 r = file->f_mode & FMODE_READ ? ACTPLANE_OP_READ : AP_NO_OP;
		u8 w = file->f_mode & FMODE_WRITE ? ACTPLANE_OP_WRITE : AP_NO_OP;

		ret = ap_evaluate_file(&file->f_path, inode,
				       r == AP_NO_OP ? AP_OPS(ACTPLANE_OP_OPEN, w, AP_NO_OP) :
						       AP_OPS(ACTPLANE_OP_OPEN, r, w));
		if (ret)
			return ret;
	}
	if (file->f_mode & FMODE_READ)
		ret = ap_flow_in(ap_file_labels(inode), READ, FILE, inode);
	if (!ret && (file->f_mode & FMODE_WRITE))
		ret = ap_flow_to_inode(inode, &file->f_path);
	return ret;
}

/*
 * The current process reads @inode's data (@done: after the fact, from a
 * tracing program: it cannot be refused).  A memo (task.h) only ever names
 * an inode that passed ap_inode_untracked(), so a repeated read that moved
 * nothing is answered before that question.  Its callers are asked only
 * when something carries labels (ap_io_idle(), actplane.h).
 */
static __always_inline int ap_file_flow_in(const struct inode *inode, bool done)
{
	if (ap_flow_unchanged(AP_FLOW_IN, inode) || ap_inode_untracked(inode))
		return 0;
	return ap_file_flow_in_slow(inode, done);
}

/* The current process writes into @file, which it holds open (the same). */
static __always_inline int ap_file_flow_out(const struct file *file)
{
	const struct inode *inode = file_inode(file);

	if (!ap_tasks_tracked())
		return 0;	/* labeled files, but no process carries labels */
	if (ap_flow_unchanged(AP_FLOW_OUT, inode) || ap_inode_untracked(inode))
		return 0;
	return ap_file_flow_out_slow(file);
}

/* ap_on_file_permission() (actplane.h) when something carries labels */
int ap_file_permission_labeled(struct file *file, int mask)
{
	int ret = 0;

	if (mask & MAY_READ)
		ret = ap_file_flow_in(file_inode(file), false);
	if (!ret && (mask & (MAY_WRITE | MAY_APPEND)))
		ret = ap_file_flow_out(file);
	return ret;
}

/*
 * After a pipe/FIFO read returned data.  The permission hook runs before a
 * blocking read sleeps, i.e. possibly before the writer labeled the pipe;
 * this catches what arrived while the reader slept.
 */
void ap_pipe_read_done_labeled(struct kiocb *iocb, long ret)
{
	if (ret > 0 && iocb->ki_filp)
		ap_file_flow_in(file_inode(iocb->ki_filp), true);
}

/* truncate(2), ftruncate(2), O_TRUNC: a write to the file at @path. */
int ap_on_truncate(const struct path *path)
{
	struct inode *inode = d_inode(path->dentry);
	struct ap_event ev __uninitialized;	/* zeroed in part: eval.h */
	int ret;

	if (!inode)
		return 0;
	if (ap_policy_loaded()) {
		ap_ev_file(&ev, path, inode);
		ev.ops[0] = ACTPLANE_OP_WRITE;
		ret = ap_eval_once(&ev);
		if (ret)
			return ret;
	}
	return ap_flow_to_inode(inode, path);
}

int ap_on_path_unlink(const struct path *dir, struct dentry *dentry)
{
	struct ap_event ev __uninitialized;	/* zeroed in part: eval.h */

	if (!ap_policy_loaded())
		return 0;	/* only rules care about a name going away */
	ap_ev_child(&ev, dir, dentry);
	ev.ops[0] = ACTPLANE_OP_UNLINK;
	return ap_eval_once(&ev);
}

/*
 * A new name in @dir: a file created by open(O_CREAT) or mknod, a directory,
 * a symlink.  It is a write of the new path (so "block write" rules leave
 * no empty file behind); nothing exists yet to carry labels.
 */
int ap_on_path_create(const struct path *dir, struct dentry *dentry)
{
	struct ap_event ev __uninitialized;	/* zeroed in part: eval.h */

	if (!ap_policy_loaded())
		return 0;	/* nothing exists yet to carry labels */
	ap_ev_child(&ev, dir, dentry);
	ev.ops[0] = ACTPLANE_OP_WRITE;
	return ap_eval_once(&ev);
}

/*
 * @inode gets the new name @dentry in @dir (rename onto, link): a write of
 * the new path (write rules), then the inode absorbs the actor's labels.
 */
static int ap_name_written(const struct path *dir, struct dentry *dentry, struct inode *inode)
{
	struct ap_event ev __uninitialized;	/* zeroed in part: eval.h */
	int ret;

	ap_ev_child(&ev, dir, dentry);
	ev.ops[0] = ACTPLANE_OP_WRITE;
	ev.inode = inode;
	ret = ap_eval_once(&ev);
	if (ret)
		return ret;
	if (!inode)
		return 0;
	{
		struct path to = { .mnt = dir->mnt, .dentry = dentry };	/* the new name */

		return ap_flow_to_inode(inode, &to);
	}
}

/*
 * One direction of a rename: the name @from goes away (unlink rules) and
 * @to is written (write rules; "rename onto"); the moved inode absorbs the
 * renamer's labels.
 */
static int ap_rename_one(const struct path *from_dir, struct dentry *from,
			 const struct path *to_dir, struct dentry *to)
{
	return ap_on_path_unlink(from_dir, from) ?: ap_name_written(to_dir, to, d_inode(from));
}

/*
 * rename(2), and renameat2(RENAME_EXCHANGE), which the kernel reports once
 * with the flag: both names are replaced, so both directions are checked.
 */
int ap_on_path_rename(const struct path *old_dir, struct dentry *old_dentry,
		      const struct path *new_dir, struct dentry *new_dentry, unsigned int flags)
{
	int ret = ap_rename_one(old_dir, old_dentry, new_dir, new_dentry);

	if (!ret && (flags & RENAME_EXCHANGE))
		ret = ap_rename_one(new_dir, new_dentry, old_dir, old_dentry);
	return ret;
}

/* link: a new name for the inode is written. */
int ap_on_path_link(struct dentry *old_dentry, const struct path *new_dir,
		    struct dentry *new_dentry)
{
	return ap_name_written(new_dir, new_dentry, d_inode(old_dentry));
}

/*
 * File mappings move data with no hook: what one process writes into a
 * shared mapping, or into the file by any means, every process mapping the
 * file sees.  The mmap hook transfers labels when a mapping is made; these
 * two keep mappings made earlier honest when labels arrive later.
 *
 * Both walks take a rwsem (trylock: hooks run atomically) and need process
 * context.  Labels grow from hooks, but also from the label-storage kfuncs,
 * which any LSM or struct_ops program may call, some from softirq (e.g. an
 * lsm/socket_sock_rcv_skb program).  There, and when the lock is contended,
 * the mappings cannot be brought up to date: the flow is not recorded, and
 * the fail mode answers (ap_untrackable(): counted; -ENOMEM fail-closed).
 */

/*
 * @t's process now carries the new labels @grew: files it maps shared and
 * writable (made while it carried less) absorb them, for what it writes
 * through them from now on.  Only for the current process: another's
 * memory map cannot be walked from here (docs/SECURITY.md 4.3).
 */
int ap_mm_labels_grew(const struct task_struct *t, u64 grew)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int ret = 0;

	if (!mm || t->signal != current->signal)
		return 0;
	if (!in_task())
		return ap_untrackable();
	/* hooks run atomically; the one holding mmap_lock for writing is rare */
	if (!mmap_read_trylock(mm))
		return ap_untrackable();
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			if (vma->vm_file && (vma->vm_flags & VM_SHARED) &&
			    (vma->vm_flags & VM_WRITE))
				ret = ap_file_write(file_inode(vma->vm_file), grew,
						    ACTPLANE_PROV_MAP, &vma->vm_file->f_path) ?: ret;
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

/*
 * @inode now carries the new labels @grew: every process mapping it
 * readable (mapped while it carried less) sees its data and absorbs them.
 * The mapping's VMAs lead to their mm; the mm's owner (a memory cgroup
 * field) to the process.
 */
int ap_mapping_labels_grew(const struct inode *inode, u64 grew)
{
	struct address_space *mapping = inode->i_mapping;
	struct vm_area_struct *vma;
	struct rb_node *n;
	int ret = 0;

	if (!mapping || !mapping_mapped(mapping))
		return 0;
#ifdef CONFIG_MEMCG
	if (!in_task() || !i_mmap_trylock_read(mapping))
		return ap_untrackable();
	rcu_read_lock();
	/* an in-order walk of the interval tree visits every VMA mapping the file */
	for (n = rb_first_cached(&mapping->i_mmap); n; n = rb_next(n)) {
		struct task_struct *owner;

		vma = rb_entry(n, struct vm_area_struct, shared.rb);
		if (!(vma->vm_flags & VM_READ))
			continue;
		owner = rcu_dereference(vma->vm_mm->owner);
		if (owner)
			ret = ap_task_take(owner, grew, ACTPLANE_PROV_MAP, AP_SRC_FILE, inode,
					   false) ?: ret;
	}
	rcu_read_unlock();
	i_mmap_unlock_read(mapping);
#endif
	return ret;
}

int ap_on_mmap(struct file *file, unsigned long prot, unsigned long flags)
{
	int ret = 0;

	if (!file)
		return 0;
	if (ap_inode_untracked(file_inode(file)))
		return 0;
	if (prot & PROT_READ)
		ret = ap_flow_in(ap_inode_labels(file_inode(file)), READ, FILE, file_inode(file));
	if (!ret && (prot & PROT_WRITE) && (flags & MAP_TYPE) != MAP_PRIVATE)
		ret = ap_flow_to_inode(file_inode(file), &file->f_path);
	return ret;
}

int ap_on_mprotect(struct vm_area_struct *vma, unsigned long prot)
{
	if (!vma->vm_file || !(vma->vm_flags & VM_SHARED) || !(prot & PROT_WRITE))
		return 0;
	return ap_flow_to_inode(file_inode(vma->vm_file), &vma->vm_file->f_path);
}

/*
 * execve, before the point of no return (sleepable hook): rules on the new
 * program, its arguments (read from the new mm, never from the caller's
 * memory) and the exec-time transforms.
 */
/*
 * A program whose content only root controls: owned by root (as the
 * initial namespace sees it), writable by nobody else, on a mount where
 * ownership means something (not nosuid: a FUSE file system a user mounts
 * with fusermount is nosuid, and its daemon reports any owner it likes).
 */
static bool ap_exec_root_owned(const struct file *file)
{
	const struct inode *inode = file_inode(file);

	return uid_eq(inode->i_uid, GLOBAL_ROOT_UID) && !(inode->i_mode & (S_IWGRP | S_IWOTH)) &&
	       inode->i_sb->s_user_ns == &init_user_ns &&
	       !(inode->i_sb->s_iflags & SB_I_UNTRUSTED_MOUNTER) &&
	       !(file->f_path.mnt->mnt_flags & MNT_NOSUID);
}

/*
 * The trust a declassify/endorse exec grants goes to the program, not to
 * whatever its caller makes it run:
 *  - the program runs in secure-execution mode (AT_SECURE, as for setuid
 *    programs): the dynamic loader ignores LD_PRELOAD, LD_LIBRARY_PATH,
 *    LD_AUDIT and the like, and the C library drops them from the
 *    environment its children inherit;
 *  - an environment that makes an interpreter load caller-chosen code
 *    (BASH_ENV, PYTHONPATH, PERL5OPT, NODE_OPTIONS, ...) withholds the
 *    trust: the program runs, without it;
 *  - the immunity it passes to what it executes ends at a program that is
 *    not root-owned and write-protected (a `sed` found first on the
 *    caller's PATH): see ap_on_exec().
 */
static void ap_exec_secure(struct linux_binprm *bprm)
{
	const char *bad;

	if (!ap_exec_trusts(bprm))
		return;
	bad = ap_exec_env_unsafe(bprm);
	if (bad) {
		ap_exec_withhold(bprm);
		ap_stats_inc(ACTPLANE_CTR_TRUST_WITHHELD);
		pr_notice_ratelimited("actplane: pid %d: trusted exec runs untrusted: environment sets %.*s\n",
				      task_tgid_nr(current), (int)strcspn(bad, "="), bad);
		return;
	}
	bprm->secureexec = 1;
}

/* The dynamic loader, by its name (ld-linux-x86-64.so.2, ld.so, ld64.so.1, ld-musl-*.so.1). */
static bool ap_is_loader(const struct qstr *n)
{
	const char *s = (const char *)n->name;

	return (!strncmp(s, "ld-", 3) && strstr(s, ".so")) || !strncmp(s, "ld.so", 5) ||
	       !strncmp(s, "ld64.so", 7);
}

/*
 * `ld.so /usr/bin/git push` runs git with no exec of git: the exec rules
 * are asked about PROGRAM and its arguments too (rules only: running a
 * program through the loader, which honours --preload, grants none of the
 * trust an exec of it would).  A copy of the loader under another name is
 * a copy (docs/SECURITY.md §4.1).
 */
static int ap_exec_loader(struct linux_binprm *bprm)
{
	struct ap_event args __uninitialized, ev __uninitialized;
	struct path path;
	const char *prog;
	int ret;

	memset(&args, 0, offsetof(struct ap_event, inline_buf));
	prog = ap_loader_argv(bprm, &args);
	if (!prog)
		return 0;
	if (IS_ERR(prog))
		return ap_incomplete();		/* its arguments could not be read */
	if (kern_path(prog, LOOKUP_FOLLOW, &path)) {
		kvfree(args.argv);
		return 0;			/* the loader will not find it either */
	}
	ap_ev_file(&ev, &path, d_inode(path.dentry));
	ev.ops[0] = ACTPLANE_OP_EXEC;
	ev.argv = args.argv;		/* freed with the event */
	ev.argv_len = args.argv_len;
	ev.argc = args.argc;
	ev.argv_read = true;
	ev.rules_only = true;
	ret = ap_eval_once(&ev);
	path_put(&path);
	return ret;
}

/*
 * The exec rules on the program @bprm runs, with its arguments if the
 * policy matches any.  @atomic: the fmod_ret mode's bprm_check, which cannot
 * read them; @committed: its commit, past the point of no return, where
 * only what has argument clauses is left to decide.
 */
static int ap_exec_eval(struct linux_binprm *bprm, bool atomic, bool committed)
{
	struct inode *inode = file_inode(bprm->file);
	struct ap_event ev __uninitialized;	/* zeroed in part: eval.h */

	ap_ev_file(&ev, &bprm->file->f_path, inode);
	ev.ops[0] = ACTPLANE_OP_EXEC;
	ev.exec = true;
	ev.bprm = bprm;
	ev.absorb_inode = !committed;
	ev.committed = committed;
	ev.argv_only = committed;
	/*
	 * If the arguments cannot be read (no memory, pages gone), ev.argv
	 * stays NULL and any clause, gate or invalidator that needs them
	 * marks the event incomplete: the fail mode decides (ap_event_argv_match()).
	 * Without sleeping they cannot be read before the commit: decided there.
	 */
	if (ap_policy_wants_argv()) {
		if (atomic && !committed)
			ev.argv_later = true;
		else
			ap_event_read_argv(&ev);
	}
	return ap_eval_once(&ev);
}

/*
 * execve at bprm_check_security, before the point of no return, once per
 * binfmt level (a `#!` script, then its interpreter).  @atomic: the fmod_ret
 * mode, which cannot sleep: argument clauses, the loader's program and the
 * trusted exec's environment wait for the commit (ap_on_exec_commit_atomic()).
 */
static int ap_exec_check(struct linux_binprm *bprm, bool atomic)
{
	struct inode *inode = file_inode(bprm->file);
	int ret;

	ret = ap_task_exec();
	if (ret)
		return ret;
	/* a trusted program's immunity does not reach code its caller supplied */
	if (!ap_exec_root_owned(bprm->file) && ap_task_drop_immunity(current))
		ap_stats_inc(ACTPLANE_CTR_IMMUNITY_DROPPED);
	/*
	 * The first `#!` level of an execve (no binfmt has changed interp
	 * yet): trust a failed earlier exec left pending is void.
	 */
	if (bprm->interp == bprm->filename)
		ap_exec_cancel();
	else if (atomic)
		ap_exec_pend_promote();	/* the earlier level is decided */
	ret = ap_exec_eval(bprm, atomic, false);
	if (!ret) {
		/* one section from the read to the store (ap_labels_release()) */
		rcu_read_lock();
		ret = ap_flow_in(ap_inode_labels(inode), EXEC, FILE, inode);
		rcu_read_unlock();
	}
	if (!ret && !atomic && ap_is_loader(&bprm->file->f_path.dentry->d_name))
		ret = ap_exec_loader(bprm);
	if (ret)
		ap_exec_cancel();	/* the exec fails: it grants nothing */
	else if (!atomic)
		ap_exec_secure(bprm);
	return ret;
}

int ap_on_exec(struct linux_binprm *bprm)
{
	return ap_exec_check(bprm, false);
}

int ap_on_exec_atomic(struct linux_binprm *bprm)
{
	return ap_exec_check(bprm, true);
}

/*
 * Exec checks the fmod_ret mode's commit leaves to the task's return from
 * execve (task_work, which may sleep), before the new program runs a single
 * instruction: those that must look a program up by name, the `#!` script
 * an interpreter now runs and `ld.so PROGRAM`.  A refusal kills.  The
 * exec's commit (trust, gates: ap_on_exec_commit()) waits for them, so they
 * see the gates as they were before this exec, as its other rules did.
 */
struct ap_exec_check {
	char *prog;
	char *argv;			/* the program's argument block */
	size_t argv_len;
	u32 argc;
	bool argv_only;			/* the rest was decided at bprm_check */
};

struct ap_exec_later {
	struct callback_head cb;
	const void *bprm;		/* the exec, only compared (ap_on_exec_commit()) */
	unsigned int n;
	struct ap_exec_check chk[2];
};

static int ap_exec_check_run(struct ap_exec_check *c)
{
	struct ap_event ev __uninitialized;
	struct path path;
	int ret;

	if (kern_path(c->prog, LOOKUP_FOLLOW, &path)) {
		kvfree(c->argv);
		/* the loader will not find it either; a script's name is gone */
		return c->argv_only ? ap_incomplete() : 0;
	}
	ap_ev_file(&ev, &path, d_inode(path.dentry));
	ev.ops[0] = ACTPLANE_OP_EXEC;
	ev.argv = c->argv;		/* freed with the event */
	ev.argv_len = c->argv_len;
	ev.argc = c->argc;
	ev.argv_read = true;
	ev.rules_only = true;
	ev.committed = true;
	ev.argv_only = c->argv_only;
	ret = ap_eval_once(&ev);
	path_put(&path);
	return ret;
}

static void ap_exec_later_run(struct callback_head *cb)
{
	struct ap_exec_later *w = container_of(cb, struct ap_exec_later, cb);
	unsigned int i;
	int ret = 0;

	for (i = 0; i < w->n; i++) {
		if (!ret)
			ret = ap_exec_check_run(&w->chk[i]);
		else
			kvfree(w->chk[i].argv);
		kfree(w->chk[i].prog);
	}
	if (ret) {
		ap_exec_cancel();
		send_sig(SIGKILL, current, 1);
	} else {
		ap_on_exec_commit(w->bprm);
	}
	kfree(w);
	module_put(THIS_MODULE);
}

/* Add the check of @prog with @args' argv (taken over) to *@wp.  0 or the fail mode. */
static int ap_exec_later_add(struct ap_exec_later **wp, const char *prog, struct ap_event *args,
			     bool argv_only)
{
	struct ap_exec_later *w = *wp;
	struct ap_exec_check *c;

	if (!w) {
		w = kzalloc(sizeof(*w), GFP_NOWAIT | __GFP_NOWARN);
		if (!w)
			goto fail;
		*wp = w;
	}
	c = &w->chk[w->n];
	c->prog = kstrdup(prog, GFP_NOWAIT | __GFP_NOWARN);
	if (!c->prog)
		goto fail;
	c->argv = args->argv;
	c->argv_len = args->argv_len;
	c->argc = args->argc;
	c->argv_only = argv_only;
	w->n++;
	return 0;
fail:
	kvfree(args->argv);
	return ap_incomplete();
}

/* Run the checks of @w, then commit @bprm, on the way out of execve. */
static int ap_exec_later_queue(struct ap_exec_later *w, const struct linux_binprm *bprm)
{
	w->bprm = bprm;
	init_task_work(&w->cb, ap_exec_later_run);
	__module_get(THIS_MODULE);
	if (!task_work_add(current, &w->cb, TWA_RESUME))
		return 0;
	module_put(THIS_MODULE);
	return -ESRCH;
}

static void ap_exec_later_free(struct ap_exec_later *w)
{
	unsigned int i;

	if (!w)
		return;
	for (i = 0; i < w->n; i++) {
		kvfree(w->chk[i].argv);
		kfree(w->chk[i].prog);
	}
	kfree(w);
}

/*
 * The fmod_ret mode's bprm_committing_creds: current runs on the new mm now
 * and the exec can no longer fail.  What bprm_check left (argument clauses,
 * the loader's program, the trusted exec's environment) is decided here or
 * on the way out of execve; a refusal kills the process before the new
 * program runs.  Then the commit.
 */
void ap_on_exec_commit_atomic(const struct linux_binprm *cbprm)
{
	struct linux_binprm *bprm = (struct linux_binprm *)cbprm;
	struct ap_event args __uninitialized;	/* only its argv is used */
	struct ap_exec_later *w = NULL;
	const char *prog;
	int ret = 0;

	memset(&args, 0, offsetof(struct ap_event, inline_buf));
	if (ap_policy_wants_argv()) {
		ret = ap_exec_eval(bprm, true, true);
		/* a `#!` script (interp changed): its own argument clauses */
		if (!ret && bprm->interp != bprm->filename) {
			ret = ap_script_argv(bprm, &args);
			ret = !ret ? ap_exec_later_add(&w, bprm->filename, &args, true) :
			      ret == -ENOENT ? 0 : ap_incomplete();
		}
	}
	ap_exec_pend_promote();
	if (!ret && ap_is_loader(&bprm->file->f_path.dentry->d_name)) {
		memset(&args, 0, offsetof(struct ap_event, inline_buf));
		prog = ap_loader_argv(bprm, &args);	/* the committed mm: no sleep */
		if (IS_ERR(prog))
			ret = ap_incomplete();
		else if (prog)
			ret = ap_exec_later_add(&w, prog, &args, false);
	}
	if (!ret)
		ap_exec_secure(bprm);
	if (!ret && w) {
		if (!ap_exec_later_queue(w, bprm))
			return;		/* it commits */
		ret = ap_incomplete();
	}
	ap_exec_later_free(w);
	if (ret) {
		ap_exec_cancel();
		send_sig(SIGKILL, current, 1);
	}
	ap_on_exec_commit(bprm);
}

/* ---- pipes and the splice family --------------------------------------------- */

/*
 * splice, tee, vmsplice and sendfile move data into and out of a pipe's
 * buffer without the read/write permission hooks on the pipe side, so these
 * tracing programs carry the labels.  They cannot refuse: a flow that
 * cannot be recorded is counted (ap_untrackable()) but not denied.
 */

/* The current process takes in the data of @file: a file, a pipe, a socket. */
static void ap_flow_from_file(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct socket *sock;

	if (S_ISSOCK(inode->i_mode)) {
		sock = sock_from_file(file);
		if (sock)
			ap_sock_flow_in(sock, true);	/* splice out of a socket: no recvmsg hook */
		return;
	}
	if (!ap_inode_untracked(inode))
		ap_flow_in_done(ap_file_labels(inode), READ, FILE, inode);
}

/*
 * splice(2) and tee(2) (also from io_uring): the caller moves data from @in
 * to @out.  Called on entry and again on return, for data that arrived
 * while it waited.  A socket @out is checked by the send hook, with the
 * labels taken here.
 */
void ap_on_splice(struct file *in, struct file *out)
{
	struct inode *inode = file_inode(out);

	ap_flow_from_file(in);
	if (!ap_inode_untracked(inode))
		ap_flow_to_inode(inode, &out->f_path);
}

/* sendfile(2) into a pipe, and splice from a file or socket into one. */
void ap_on_splice_to_pipe(struct file *in, struct pipe_inode_info *pipe)
{
	ap_flow_from_file(in);
	ap_flow_to_chan(pipe, PIPE);
}

/* vmsplice(2) from the caller's memory into @pipe. */
void ap_on_pipe_fill(struct pipe_inode_info *pipe)
{
	ap_flow_to_chan(pipe, PIPE);
}

/*
 * The caller takes data out of @pipe without reading it (splice to a file
 * or socket, vmsplice to memory, tee): before it starts and after each
 * wait for more data, so what a labeled writer added meanwhile is seen
 * before the data moves on.
 */
void ap_on_pipe_consume(struct pipe_inode_info *pipe)
{
	ap_flow_in_done(ap_chan_labels(pipe), READ, CHAN, pipe);
}

void ap_on_pipe_free(struct pipe_inode_info *pipe)
{
	ap_chan_free(pipe);
}
