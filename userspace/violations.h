/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Violation records: the one format `actplane run` writes and the agent-facing
 * commands (`feedback-hook`, `mcp`) read.
 *
 * Files, all in <workspace>/.actplane/ (docs/agent-integration.md):
 *   violations.jsonl    append-only, one JSON object per line (one write(2)
 *                       per line, O_APPEND, so concurrent writers never
 *                       interleave inside a line)
 *   last-violation.txt  the latest violation as a readable block addressed to
 *                       the agent; replaced atomically (temp file + rename).
 *                       The policy's `feedback: path` may move it.
 *   feedback-offset     delivery state of `actplane feedback-hook`: how far
 *                       into violations.jsonl the agent has been told.
 *
 * All JSON goes through json-c.  The struct borrows its strings: a writer
 * points them at its own buffers, a reader at the json-c object it parsed
 * (valid while that object lives); only the pointer arrays filled by
 * ap_violation_from_json() are allocated, ap_violation_release() frees them.
 */
#ifndef ACTPLANE_VIOLATIONS_H
#define ACTPLANE_VIOLATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "fileio.h"

struct json_object;

#define AP_STATE_DIR		".actplane"
#define AP_VIOLATIONS_FILE	"violations.jsonl"
#define AP_LAST_VIOLATION_FILE	"last-violation.txt"
#define AP_FEEDBACK_STATE_FILE	"feedback-offset"

/*
 * One hop of a provenance chain: @obj @name took the label by @op, done by
 * @comm[@pid] at @time; for op "source", @rule introduced it.  Words (obj,
 * op) are the UAPI's (ACTPLANE_PROV_*_NAMES).
 */
struct ap_hop {
	const char *obj;	/* process|file|pipe|socket|endpoint|message|key */
	const char *name;	/* path, address:port, comm[pid]; may be "" */
	const char *op;		/* source|read|write|exec|fork|trace|map|admin */
	int pid;
	const char *comm;
	const char *time;	/* RFC 3339, UTC, ms */
	const char *rule;	/* op "source": the source; NULL otherwise */
};

/*
 * Why the subject carries a label: {"label": name, "from": object, and the
 * chain of hops from the subject back to where the label entered, newest
 * first: "chain": [hop...], "chain_more": hops not included,
 * "chain_end": "origin" | "unrecorded" | "too-long"}.
 */
struct ap_provenance {
	const char *label;
	const char *from;	/* e.g. "file /work/.env", "exec /usr/bin/claude" */
	const struct ap_hop *hops;	/* NULL: no chain (older records) */
	size_t n_hops;
	unsigned int more;
	const char *end;
};

/* The chain of @p, one line per hop, each line starting with @indent. */
void ap_chain_format(FILE *f, const struct ap_provenance *p, const char *indent);
/* Add "chain", "chain_more" and "chain_end" of @pv to the JSON object @p. */
void ap_chain_to_json(struct json_object *p, const struct ap_provenance *pv);

struct ap_violation {
	uint64_t seq;		/* kernel event sequence number */
	const char *time;	/* RFC 3339, UTC; NULL: now, when serialised */
	int pid, ppid;
	int uid;
	const char *comm, *exe;
	int64_t session;
	const char *op;		/* exec|read|open|write|unlink|connect|recv */
	const char *target;	/* path or "address:port" */
	const char **argv;	/* NULL: absent (the field is omitted) */
	size_t argc;
	const char *rule;
	const char *effect;	/* applied: notify|block|kill */
	const char *proposed;	/* what the policy asked for (audit differs) */
	bool blocked, killed;
	const char **labels;
	size_t n_labels;
	const struct ap_provenance *provenance;
	size_t n_provenance;
	const char *because;	/* the rule's reason text ("" if none) */
	const char *enforcer;
};

/* "2025-01-31T12:00:00Z" for now; buf needs 21 bytes */
char *ap_rfc3339_now(char *buf, size_t len);

/* ---- JSON -------------------------------------------------------------- */
/* new object (caller puts it); field order as in docs/agent-integration.md */
struct json_object *ap_violation_to_json(const struct ap_violation *v);
/*
 * Fill v from a parsed record (strings borrowed from o).  Missing or
 * mistyped fields are left 0/NULL.  Returns 0, or -EINVAL if o is not an
 * object.  Call ap_violation_release() afterwards either way.
 */
int ap_violation_from_json(struct json_object *o, struct ap_violation *v);
void ap_violation_release(struct ap_violation *v);

/* ---- text -------------------------------------------------------------- */
/*
 * Every field is treated as agent-controlled: escaped as escape.h describes,
 * names quoted, so no field can start a line of these blocks.
 */
/* the block `actplane run` prints on stderr (or --log) for each violation */
void ap_violation_format_text(const struct ap_violation *v, FILE *f);
/*
 * The block addressed to the agent: what was attempted, by which process,
 * the rule, the effect, the reason and what to do instead.  Used for
 * last-violation.txt, the hooks' additional context and MCP.
 */
void ap_violation_format_feedback(const struct ap_violation *v, FILE *f);
/* "<workspace>/.actplane/<name>" in a sentence: quoted and escaped */
void ap_state_path_put(FILE *f, const char *workspace, const char *name);

/* ---- files ------------------------------------------------------------- */
/* "<workspace>/.actplane/<name>" into out; -ENAMETOOLONG if it does not fit */
int ap_state_path(const char *workspace, const char *name, char *out,
		  size_t len);
/*
 * Every file under the workspace is opened beneath a descriptor of it,
 * following no link (fileio.h: ap_open_beneath, ap_mkdir_beneath).
 * Return a descriptor or -errno.
 */
int ap_workspace_open(const char *workspace);
/* create <workspace>/.actplane if needed (refusing a link) */
int ap_state_dir_ensure(const char *workspace);
/* append one line to violations.jsonl; 0 or -errno */
int ap_violations_append(const char *workspace, const struct ap_violation *v);
/*
 * Replace the feedback file @rel (relative to the workspace descriptor
 * @wsfd, e.g. ".actplane/last-violation.txt") with the feedback block:
 * a new temporary file renamed over it (ap_write_replace).  0 or -errno.
 */
int ap_last_violation_write(int wsfd, const char *rel, const struct ap_violation *v);
/* default path of the feedback file: <workspace>/.actplane/last-violation.txt */
int ap_last_violation_path(const char *workspace, char *out, size_t len);

/*
 * Find the workspace: walk up from dir (NULL: the working directory) to the
 * first directory holding actplane.yaml or a .actplane/ directory.
 * Returns 0 and the directory in out, -ENOENT if there is none.
 */
int ap_workspace_find(const char *dir, char *out, size_t len);

/* ---- reading ----------------------------------------------------------- */
/* a position in violations.jsonl; ino tells a replaced file from a grown one */
struct ap_jsonl_pos {
	uint64_t offset;
	uint64_t ino;
};

/* return non-zero to stop; o is the parsed line (valid during the call) */
typedef int (*ap_violation_cb)(const struct ap_violation *v,
			       struct json_object *o, void *ctx);

/*
 * Call cb for every complete line appended since *pos and advance *pos past
 * the last complete line (a line still being written is left for next
 * time).  If the file was replaced (other inode) or truncated below
 * pos->offset, reading restarts at its beginning.  Lines that are not JSON
 * objects are skipped.  Returns the number of records passed to cb, 0 if the
 * file does not exist, or -errno.
 */
int ap_violations_read_since(const char *workspace, struct ap_jsonl_pos *pos,
			     ap_violation_cb cb, void *ctx);
/*
 * The last max records (oldest first) through cb; *total receives how many
 * records the file holds in the part scanned (the last few MiB).
 */
int ap_violations_read_latest(const char *workspace, size_t max,
			      ap_violation_cb cb, void *ctx, size_t *total);

/* ---- delivery state (feedback-hook) ------------------------------------- */
/*
 * The hook's state file holds the position up to which violations were
 * delivered to the agent.  ap_feedback_begin() opens and locks it (flock:
 * parallel hook runs deliver each violation once) and loads the position
 * (zero when the file is new or unreadable).  Returns a descriptor >= 0 to
 * pass to ap_feedback_commit() / ap_feedback_end(), or -errno.
 */
int ap_feedback_begin(const char *workspace, struct ap_jsonl_pos *pos);
int ap_feedback_commit(int fd, const struct ap_jsonl_pos *pos);
void ap_feedback_end(int fd);
/*
 * Mark everything currently in violations.jsonl as delivered (for `run` at
 * the start of a session, so an agent is not told about older sessions).
 */
int ap_feedback_mark_delivered(const char *workspace);

#endif
