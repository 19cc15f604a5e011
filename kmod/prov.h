/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Provenance: where each label on each object came from (docs/architecture.md,
 * "Provenance").  The first arrival of a label set on an object is a record
 * (struct ap_prov, prov.c); records are immutable, shared and reference
 * counted, and each points at the records its source held when the labels
 * flowed, so a chain outlives the processes, pipes and files it passed
 * through.  Objects hold their records in a push-only list, newest first.
 */
#ifndef ACTPLANE_PROV_H
#define ACTPLANE_PROV_H

#include <linux/types.h>
#include <uapi/actplane.h>

struct ap_prov;
struct path;
struct sk_buff;

/* What a flow's labels come from (how the source's records are found). */
enum ap_src {
	AP_SRC_NONE,		/* nothing recorded: an origin (ADMIN), or unknown */
	AP_SRC_TASK,		/* .ptr: a task_struct (its process) */
	AP_SRC_FILE,		/* .ptr: an inode, as its data: a FIFO's buffer, then the inode */
	AP_SRC_CHAN,		/* .ptr: a channel key (pipe buffer, Unix sock, message, key) */
	AP_SRC_EP,		/* .ptr: a struct ap_ep_key */
	AP_SRC_RULES,		/* .ptr: a struct ap_polset, whose sources introduce the labels */
	AP_SRC_SOCK,		/* .ptr: a struct sock, as what it receives (hooks_net.c) */
};

/*
 * One flow, as the hook that causes it describes it: how (@op), from what
 * (@src, @ptr), and, for a destination the store cannot name by itself,
 * what it is (@obj: a channel's kind) and its path (@path: a file).
 */
struct ap_from {
	u8 op;			/* enum actplane_prov_op */
	u8 src;			/* enum ap_src */
	u8 obj;			/* enum actplane_prov_obj of a channel destination */
	const void *ptr;
	const struct path *path;
};

/*
 * Hooks do not build a struct ap_from: a local whose address is taken gets
 * the function a stack canary (CONFIG_STACKPROTECTOR_STRONG), paid on every
 * call, also when nothing flows.  They pass scalars to the store's entry
 * points (ap_task_take(), ap_*_write()), which build it on the slow path.
 */
extern const struct ap_from ap_from_admin;	/* label add, session seeds, kfuncs */
#define AP_FROM_ADMIN	(&ap_from_admin)

bool ap_prov_enabled(void);
void ap_prov_enable(bool on);
struct ap_prov *ap_prov_new(u64 labels, u8 op, u8 obj, const char *name, const char *rule,
			    struct ap_prov *from);
void ap_prov_push(struct ap_prov **head, struct ap_prov *n);
struct ap_prov *ap_prov_get(struct ap_prov *n);
void ap_prov_put(struct ap_prov *n);
void ap_prov_forget(u64 mask);
void ap_prov_stats(u64 *records, u64 *bytes, u64 *limit);
int ap_prov_put_chain(struct sk_buff *msg, int type, const char *label, u32 bit,
		      const struct ap_prov *head, const struct ap_prov *alt);

#endif
