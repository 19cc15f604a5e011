/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `actplane explain`: what a compiled policy decides for one hypothetical
 * event, and why, without the kernel.  The evaluation follows the module's
 * (kmod/eval.c) step by step: the operations the kernel evaluates for the
 * event, the sources, declassify/endorse and lineage marks the event itself
 * applies to a view of the subject, every clause whose target matches with
 * each of its conditions, and the strongest effect (kill > block > notify).
 * Paths, programs and endpoints are matched with the module's matchers
 * (include/actplane/match.h).
 *
 * The result is one json-c object (schema in docs/cli.md, "explain
 * --json"); the command prints it as text with ap_explain_print() and the
 * MCP server can return it as it is:
 *
 *	struct ap_explain_event ev;
 *	char *err = NULL;
 *
 *	ap_explain_event_init(&ev);
 *	if (ap_explain_set_event_text(&ev, "exec git push", &err) ||
 *	    ap_explain_add(&ev, AP_EXPLAIN_LABELS, "SECRET,AGENT", &err) ||
 *	    ap_explain_add(&ev, AP_EXPLAIN_AFTER, "pytest", &err))
 *		... *err says what is wrong (malloc'd) ...
 *	res = ap_explain_json(policy, &ev, &err);
 *	... json_object_put(res); ap_explain_event_free(&ev);
 *
 * Every input is bounded (AP_EXPLAIN_MAX_*) and refused with a message
 * beyond that; nothing is printed by these functions except
 * ap_explain_print(), which escapes every string (escape.h).
 */
#ifndef ACTPLANE_POLICY_EXPLAIN_H
#define ACTPLANE_POLICY_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy.h"

struct json_object;

#define AP_EXPLAIN_MAX_WORDS	256	/* words of the event (exec: program + arguments) */
#define AP_EXPLAIN_MAX_WORD	4096	/* bytes per word, incl. NUL (PATH_MAX) */
#define AP_EXPLAIN_MAX_TEXT	65536	/* bytes of a text to split into words */
#define AP_EXPLAIN_MAX_LIST	64	/* entries per list (labels, after, lineage) */

/* The lists ap_explain_add() fills. */
enum ap_explain_list {
	AP_EXPLAIN_LABELS,		/* labels the subject carries */
	AP_EXPLAIN_TARGET_LABELS,	/* exec: labels the program file carries */
	AP_EXPLAIN_AFTER,		/* the session's events, oldest first */
	AP_EXPLAIN_LINEAGE,		/* programs the subject or an ancestor executed */
};

/*
 * A hypothetical event.  Filled by the functions below, which check every
 * word; the fields are for reading.
 */
struct ap_explain_event {
	enum ap_op op;
	char **words;		/* TARGET [ARG...]: exec PROG ARGS, a path, an endpoint */
	size_t n_words;
	char **labels;			size_t n_labels;
	char **target_labels;		size_t n_target_labels;
	char **after;			size_t n_after;	/* each "PROG [ARG...]" or "OP TARGET" */
	char **lineage;			size_t n_lineage;
	char *cwd;		/* relative paths and programs; NULL: the working directory */
	bool have_event;
};

void ap_explain_event_init(struct ap_explain_event *ev);
void ap_explain_event_free(struct ap_explain_event *ev);

/*
 * The event as words: OP TARGET [ARG...], OP one of exec, read, open,
 * write, unlink, connect, recv.  exec takes a program and its arguments,
 * the file operations one path, connect and recv one endpoint
 * ("10.0.0.1:443", "[fd00::1]:443", "fd00::1"; no host names).
 * Return: 0, or -EINVAL with *err (malloc'd) saying why.
 */
int ap_explain_set_event(struct ap_explain_event *ev, char *const *words, size_t n, char **err);
/* The same from one text, split into words as a shell would ("..." '...' \). */
int ap_explain_set_event_text(struct ap_explain_event *ev, const char *text, char **err);

/*
 * Add to a list.  LABELS and TARGET_LABELS take names separated by commas;
 * AFTER one event of the session, "PROG [ARG...]" (a run of PROG) or
 * "exec|read|open|write|unlink TARGET [ARG...]", split as above; LINEAGE
 * one program.  Return: 0 or -EINVAL with *err.
 */
int ap_explain_add(struct ap_explain_event *ev, enum ap_explain_list which, const char *value,
		   char **err);
/* Set the directory relative paths resolve against (absolute). */
int ap_explain_set_cwd(struct ap_explain_event *ev, const char *dir, char **err);

/*
 * Split text into words as a shell would: blanks separate, '...' is
 * literal, "..." takes \" and \\, a backslash outside quotes takes the next
 * character.  At most AP_EXPLAIN_MAX_WORDS words.  Return: 0 with *words
 * (malloc'd, NULL-terminated, ap_explain_words_free()) and *n, or -EINVAL
 * with *err.
 */
int ap_explain_split(const char *text, char ***words, size_t *n, char **err);
void ap_explain_words_free(char **words);

/*
 * Evaluate ev against p.  Return: a new json-c object (the caller puts
 * it), or NULL with *err if ev has no event.
 */
struct json_object *ap_explain_json(const struct ap_policy *p, const struct ap_explain_event *ev,
				    char **err);

/* The result as text, every agent-controlled string escaped. */
void ap_explain_print(FILE *f, struct json_object *result);

/* The command's exit status for a result: 0 allowed (or notify only), 1 denied. */
int ap_explain_status(struct json_object *result);

#endif
