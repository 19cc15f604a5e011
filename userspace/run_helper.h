/* SPDX-License-Identifier: GPL-2.0-only */
/* The unprivileged half of `actplane run`: see run_helper.c. */
#ifndef ACTPLANE_RUN_HELPER_H
#define ACTPLANE_RUN_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "violations.h"

/* who the agent runs as: the user who invoked sudo, or root itself */
struct ap_invoker {
	uid_t uid;
	gid_t gid;
	bool drop;	/* false: not started through sudo, stay as we are */
};

/* from SUDO_UID / SUDO_GID (the sudo user's groups come from initgroups) */
void ap_invoker_from_env(struct ap_invoker *who);
/*
 * Become @who for good: groups, gid, uid (real, effective and saved), and
 * check that root cannot be regained.  @set_env sets HOME, USER, LOGNAME.
 * 0, or -1 with errno.
 */
int ap_invoker_drop(const struct ap_invoker *who, bool set_env);

struct ap_helper_msg {
	struct ap_helper_msg *next;
	size_t len;
	char data[];
};

struct ap_helper {
	int sock;
	pid_t pid;
	struct ap_helper_msg *q_head, *q_tail;	/* violations not sent yet */
	size_t q_bytes;
	unsigned long lost;	/* violations the helper never got */
};

/* fork the helper; it drops to @who before it reads a request */
int ap_helper_start(struct ap_helper *h, const struct ap_invoker *who);
/*
 * Open the policy file as the user (@file, or NULL: found upwards from the
 * working directory).  Returns a descriptor and in @path the file's path
 * with its directory resolved, or -errno.
 */
int ap_helper_open_policy(struct ap_helper *h, const char *file, char *path, size_t len);
/* open @file for appending as the user: a descriptor or -errno */
int ap_helper_open_log(struct ap_helper *h, const char *file);
/*
 * Set the workspace and the feedback file (relative to it): create
 * .actplane/ and mark what violations.jsonl holds as delivered.  0 or -errno.
 */
int ap_helper_workspace(struct ap_helper *h, const char *workspace, const char *feedback);
/*
 * Record @v in the workspace.  Never blocks: what the helper cannot take yet
 * is queued (up to 16 MiB; beyond that, or once the helper is gone, counted
 * in ->lost).  Poll the socket for POLLOUT while ap_helper_pending() and call
 * ap_helper_flush() when it is writable.
 */
void ap_helper_violation(struct ap_helper *h, const struct ap_violation *v);
bool ap_helper_pending(const struct ap_helper *h);
int ap_helper_flush(struct ap_helper *h);
/* send what is queued (a few seconds at most), close the channel and reap the helper */
int ap_helper_stop(struct ap_helper *h);

#endif
