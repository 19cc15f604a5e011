// SPDX-License-Identifier: GPL-2.0-only
/*
 * Violation records: JSON (json-c, never hand-escaped), the readable blocks
 * shown to the user and to the agent, the workspace files and the delivery
 * state of the agent hook.  See violations.h for the file layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <uapi/actplane.h>

#include "escape.h"
#include "violations.h"

/* never read more than this much of violations.jsonl in one call */
#define AP_JSONL_READ_MAX	(64u << 20)
/* the tail of violations.jsonl scanned for the latest records */
#define AP_JSONL_TAIL		(4u << 20)

char *ap_rfc3339_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "1970-01-01T00:00:00Z");
	return buf;
}

/* ---- JSON -------------------------------------------------------------- */
static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static struct json_object *jstrv(const char **v, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, jstr(v ? v[i] : NULL));
	return a;
}

/* "chain", "chain_more", "chain_end" of one provenance entry */
void ap_chain_to_json(struct json_object *p, const struct ap_provenance *pv)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < pv->n_hops; i++) {
		const struct ap_hop *h = &pv->hops[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "obj", jstr(h->obj));
		json_object_object_add(o, "name", jstr(h->name));
		json_object_object_add(o, "op", jstr(h->op));
		json_object_object_add(o, "pid", json_object_new_int(h->pid));
		json_object_object_add(o, "comm", jstr(h->comm));
		json_object_object_add(o, "time", jstr(h->time));
		if (h->rule)
			json_object_object_add(o, "rule", jstr(h->rule));
		json_object_array_add(a, o);
	}
	json_object_object_add(p, "chain", a);
	json_object_object_add(p, "chain_more", json_object_new_int((int)pv->more));
	json_object_object_add(p, "chain_end", jstr(pv->end));
}

struct json_object *ap_violation_to_json(const struct ap_violation *v)
{
	struct json_object *o = json_object_new_object(), *prov;
	char now[32];
	size_t i;

	json_object_object_add(o, "seq", json_object_new_uint64(v->seq));
	json_object_object_add(o, "time", jstr(v->time ? v->time :
					       ap_rfc3339_now(now, sizeof(now))));
	json_object_object_add(o, "pid", json_object_new_int(v->pid));
	json_object_object_add(o, "ppid", json_object_new_int(v->ppid));
	json_object_object_add(o, "uid", json_object_new_int(v->uid));
	json_object_object_add(o, "comm", jstr(v->comm));
	json_object_object_add(o, "exe", jstr(v->exe));
	json_object_object_add(o, "session", json_object_new_int64(v->session));
	json_object_object_add(o, "op", jstr(v->op));
	json_object_object_add(o, "target", jstr(v->target));
	if (v->argv)
		json_object_object_add(o, "argv", jstrv(v->argv, v->argc));
	json_object_object_add(o, "rule", jstr(v->rule));
	json_object_object_add(o, "effect", jstr(v->effect));
	json_object_object_add(o, "proposed", jstr(v->proposed ? v->proposed :
						   v->effect));
	json_object_object_add(o, "blocked", json_object_new_boolean(v->blocked));
	json_object_object_add(o, "killed", json_object_new_boolean(v->killed));
	json_object_object_add(o, "labels", jstrv(v->labels, v->n_labels));
	prov = json_object_new_array();
	for (i = 0; i < v->n_provenance; i++) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "label", jstr(v->provenance[i].label));
		json_object_object_add(p, "from", jstr(v->provenance[i].from));
		if (v->provenance[i].hops || v->provenance[i].end)
			ap_chain_to_json(p, &v->provenance[i]);
		json_object_array_add(prov, p);
	}
	json_object_object_add(o, "provenance", prov);
	json_object_object_add(o, "because", jstr(v->because));
	json_object_object_add(o, "enforcer", jstr(v->enforcer));
	return o;
}

static struct json_object *jget(struct json_object *o, const char *key,
				enum json_type type)
{
	struct json_object *f;

	if (!json_object_object_get_ex(o, key, &f) || !json_object_is_type(f, type))
		return NULL;
	return f;
}

static const char *jgetstr(struct json_object *o, const char *key)
{
	struct json_object *f = jget(o, key, json_type_string);

	return f ? json_object_get_string(f) : NULL;
}

static int64_t jgetint(struct json_object *o, const char *key)
{
	struct json_object *f = jget(o, key, json_type_int);

	return f ? json_object_get_int64(f) : 0;
}

static bool jgetbool(struct json_object *o, const char *key)
{
	struct json_object *f = jget(o, key, json_type_boolean);

	return f && json_object_get_boolean(f);
}

/* array of strings (non-strings skipped); NULL when absent or empty */
static const char **jgetstrv(struct json_object *o, const char *key, size_t *n)
{
	struct json_object *a = jget(o, key, json_type_array);
	size_t i, len;
	const char **v;

	*n = 0;
	if (!a)
		return NULL;
	len = json_object_array_length(a);
	v = calloc(len + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		if (json_object_is_type(e, json_type_string))
			v[(*n)++] = json_object_get_string(e);
	}
	return v;
}

/* The chain of a provenance entry (hops allocated, strings borrowed). */
static void ap_chain_from_json(struct json_object *e, struct ap_provenance *p)
{
	struct json_object *a = jget(e, "chain", json_type_array);
	struct ap_hop *h;
	size_t i, len;

	p->end = jgetstr(e, "chain_end");
	p->more = (unsigned int)jgetint(e, "chain_more");
	len = a ? json_object_array_length(a) : 0;
	h = len ? calloc(len, sizeof(*h)) : NULL;
	for (i = 0; h && i < len; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		struct ap_hop *x = &h[p->n_hops];

		if (!json_object_is_type(o, json_type_object))
			continue;
		x->obj = jgetstr(o, "obj");
		x->name = jgetstr(o, "name");
		x->op = jgetstr(o, "op");
		x->pid = (int)jgetint(o, "pid");
		x->comm = jgetstr(o, "comm");
		x->time = jgetstr(o, "time");
		x->rule = jgetstr(o, "rule");
		p->n_hops++;
	}
	p->hops = h;
}

int ap_violation_from_json(struct json_object *o, struct ap_violation *v)
{
	struct json_object *prov;
	struct ap_provenance *p;
	size_t i, len;

	memset(v, 0, sizeof(*v));
	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	v->seq = (uint64_t)jgetint(o, "seq");
	v->time = jgetstr(o, "time");
	v->pid = (int)jgetint(o, "pid");
	v->ppid = (int)jgetint(o, "ppid");
	v->uid = (int)jgetint(o, "uid");
	v->comm = jgetstr(o, "comm");
	v->exe = jgetstr(o, "exe");
	v->session = jgetint(o, "session");
	v->op = jgetstr(o, "op");
	v->target = jgetstr(o, "target");
	v->argv = jgetstrv(o, "argv", &v->argc);
	v->rule = jgetstr(o, "rule");
	v->effect = jgetstr(o, "effect");
	v->proposed = jgetstr(o, "proposed");
	v->blocked = jgetbool(o, "blocked");
	v->killed = jgetbool(o, "killed");
	v->labels = jgetstrv(o, "labels", &v->n_labels);
	v->because = jgetstr(o, "because");
	v->enforcer = jgetstr(o, "enforcer");

	prov = jget(o, "provenance", json_type_array);
	len = prov ? json_object_array_length(prov) : 0;
	p = len ? calloc(len, sizeof(*p)) : NULL;
	for (i = 0; p && i < len; i++) {
		struct json_object *e = json_object_array_get_idx(prov, i);

		if (!json_object_is_type(e, json_type_object))
			continue;
		p[v->n_provenance].label = jgetstr(e, "label");
		p[v->n_provenance].from = jgetstr(e, "from");
		if (!p[v->n_provenance].label)
			continue;
		ap_chain_from_json(e, &p[v->n_provenance]);
		v->n_provenance++;
	}
	v->provenance = p;
	return 0;
}

void ap_violation_release(struct ap_violation *v)
{
	size_t i;

	for (i = 0; v->provenance && i < v->n_provenance; i++)
		free((void *)v->provenance[i].hops);
	free(v->argv);
	free(v->labels);
	free((void *)v->provenance);
	v->argv = v->labels = NULL;
	v->provenance = NULL;
	v->argc = v->n_labels = v->n_provenance = 0;
}

/* ---- text -------------------------------------------------------------- */
/*
 * Every field of a record is agent-controlled: the kernel fills in the
 * agent's file names, argv and comm, and feedback-hook and mcp read the
 * records back from a file in the agent's workspace.  So each field goes
 * through escape.h: names in a sentence are quoted, words that should be
 * words are quoted when they are not, the reason stays prose; no field can
 * start a line of the template.
 */
static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static bool is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

/* the effect that was applied; derived from the flags if the field is absent */
static const char *applied(const struct ap_violation *v)
{
	if (v->effect && *v->effect)
		return v->effect;
	return v->killed ? "kill" : v->blocked ? "block" : "notify";
}

static bool audited(const struct ap_violation *v)
{
	return v->proposed && *v->proposed && strcmp(v->proposed, applied(v));
}

static void put_argv(FILE *f, const struct ap_violation *v)
{
	size_t i;

	for (i = 0; i < v->argc; i++) {
		if (i)
			fputc(' ', f);
		ap_esc_shell_word(f, str_or(v->argv[i], ""));
	}
}

/* 'running "/usr/bin/git"', 'connecting/sending to "1.2.3.4:443"' */
static void put_action(FILE *f, const struct ap_violation *v)
{
	/* the operations' words are the UAPI's; an operation without a verb here is "OP on" */
	static const char *const ops[__ACTPLANE_OP_MAX] = ACTPLANE_OP_NAMES;
	static const char *const verbs[__ACTPLANE_OP_MAX] = {
		[ACTPLANE_OP_EXEC] = "running ",
		[ACTPLANE_OP_READ] = "reading ",
		[ACTPLANE_OP_OPEN] = "opening ",
		[ACTPLANE_OP_WRITE] = "writing to ",
		[ACTPLANE_OP_UNLINK] = "deleting ",
		[ACTPLANE_OP_CONNECT] = "connecting/sending to ",
		[ACTPLANE_OP_RECV] = "receiving from ",
	};
	const char *op = str_or(v->op, "operation");
	size_t i;

	for (i = 0; i < __ACTPLANE_OP_MAX; i++)
		if (ops[i] && verbs[i] && is(op, ops[i]))
			break;
	if (i < __ACTPLANE_OP_MAX) {
		fputs(verbs[i], f);
	} else {
		ap_esc_word(f, op);
		fputs(" on ", f);
	}
	if (v->target && *v->target)
		ap_esc_quoted(f, v->target);
	else
		fputs("(unknown target)", f);
}

static void put_process(FILE *f, const struct ap_violation *v)
{
	ap_esc_quoted(f, str_or(v->comm, "?"));
	fprintf(f, " (pid %d, parent pid %d, uid %d", v->pid, v->ppid, v->uid);
	if (v->exe && *v->exe) {
		fputs(", ", f);
		ap_esc_quoted(f, v->exe);
	}
	fputc(')', f);
	if (v->session)
		fprintf(f, " in session %" PRId64, v->session);
}

/* "AGENT" (from "exec /usr/bin/claude"), "SECRET" (from "file /w/.env") */
static void put_labels(FILE *f, const struct ap_violation *v)
{
	size_t i, j;

	for (i = 0; i < v->n_labels; i++) {
		bool first = true;

		if (i)
			fputs(", ", f);
		ap_esc_quoted(f, v->labels[i]);
		for (j = 0; j < v->n_provenance; j++) {
			if (!is(v->provenance[j].label, v->labels[i]) ||
			    !v->provenance[j].from)
				continue;
			fputs(first ? " (from " : "; ", f);
			ap_esc_quoted(f, v->provenance[j].from);
			first = false;
		}
		if (!first)
			fputc(')', f);
	}
}

/*
 * One line per hop, newest first: what took the label, and how.
 *   process "python[980]" <- read at 12:03:05
 *   file "/w/build/config.json" <- write by "jq"[413] at 12:03:01
 *   file "/w/.env" <- "source file /w/.env", by "cat"[412] at 12:03:01
 */
void ap_chain_format(FILE *f, const struct ap_provenance *p, const char *indent)
{
	size_t i;

	for (i = 0; i < p->n_hops; i++) {
		const struct ap_hop *h = &p->hops[i];
		const char *t = str_or(h->time, "");
		bool self = is(h->obj, "process") && is(h->op, "read");

		fputs(indent, f);
		ap_esc_word(f, str_or(h->obj, "?"));
		if (h->name && *h->name) {
			fputc(' ', f);
			ap_esc_quoted(f, h->name);
		}
		fputs(" <- ", f);
		if (is(h->op, "source")) {
			ap_esc_quoted(f, str_or(h->rule, "a source"));
			fputs(", by ", f);
		} else if (is(h->op, "fork")) {
			fputs("fork, from its parent ", f);
		} else {
			ap_esc_word(f, str_or(h->op, "?"));
			fputs(self ? "" : " by ", f);
		}
		if (!self || is(h->op, "source") || is(h->op, "fork")) {
			ap_esc_quoted(f, str_or(h->comm, "?"));
			fprintf(f, "[%d]", h->pid);
		}
		/* the time of day: "2026-12-02T16:40:01.123Z" -> "16:40:01" */
		if (strlen(t) >= 19) {
			fputs(" at ", f);
			ap_esc_word(f, t + 11);
		}
		fputc('\n', f);
	}
	if (p->more) {
		fputs(indent, f);
		fprintf(f, "... %u more hop%s\n", p->more, p->more == 1 ? "" : "s");
	}
	if (is(p->end, "unrecorded")) {
		fputs(indent, f);
		fputs("(not recorded further: provenance recording was off or at its memory limit)\n", f);
	} else if (is(p->end, "too-long")) {
		fputs(indent, f);
		fputs("(the chain is longer than the module follows)\n", f);
	}
}

/* The chains of the labels the rule read, under a heading each. */
static void put_chains(FILE *f, const struct ap_violation *v, const char *head,
		       const char *indent)
{
	size_t i;

	for (i = 0; i < v->n_provenance; i++) {
		const struct ap_provenance *p = &v->provenance[i];

		if (!p->hops && !p->end)
			continue;
		fputs(head, f);
		ap_esc_quoted(f, str_or(p->label, "?"));
		fputs(" got here (newest first):\n", f);
		ap_chain_format(f, p, indent);
	}
}

static void put_rule(FILE *f, const struct ap_violation *v)
{
	ap_esc_quoted(f, str_or(v->rule, "?"));
}

static void put_because(FILE *f, const struct ap_violation *v)
{
	if (v->because && *v->because)
		ap_esc_puts(f, v->because);
	else
		fputs("(the rule gives no reason)", f);
}

/* BEFORE proposed MIDDLE enforcer (or dflt) AFTER, the two values escaped */
static void put_audit(FILE *f, const struct ap_violation *v, const char *before,
		      const char *middle, const char *dflt, const char *after)
{
	fputs(before, f);
	ap_esc_word(f, v->proposed);
	fputs(middle, f);
	ap_esc_word(f, str_or(v->enforcer, dflt));
	fputs(after, f);
}

static const char *upper_effect(const char *e)
{
	if (is(e, "block"))
		return "BLOCKED";
	if (is(e, "kill"))
		return "KILLED";
	if (is(e, "notify"))
		return "REPORTED";
	return "MATCHED";
}

void ap_state_path_put(FILE *f, const char *workspace, const char *name)
{
	char path[PATH_MAX];

	if (ap_state_path(workspace, name, path, sizeof(path)))
		snprintf(path, sizeof(path), "%s/%s", AP_STATE_DIR, name);
	ap_esc_quoted(f, path);
}

void ap_violation_format_text(const struct ap_violation *v, FILE *f)
{
	const char *e = applied(v);

	fprintf(f, "actplane: %s ", upper_effect(e));
	put_action(f, v);
	fputs(" (rule ", f);
	put_rule(f, v);
	fputs(")\n", f);
	if (v->argv && v->argc) {
		fprintf(f, "    command:  ");
		put_argv(f, v);
		fputc('\n', f);
	}
	fprintf(f, "    process:  ");
	put_process(f, v);
	fputc('\n', f);
	fprintf(f, "    effect:   ");
	ap_esc_word(f, e);
	if (audited(v)) {
		put_audit(f, v, " (policy proposed ", "; enforcer ", "?", ")");
	} else if (v->enforcer && *v->enforcer) {
		fputs(" (enforcer ", f);
		ap_esc_word(f, v->enforcer);
		fputc(')', f);
	}
	fputc('\n', f);
	if (v->n_labels) {
		fprintf(f, "    labels:   ");
		put_labels(f, v);
		fputc('\n', f);
	}
	fprintf(f, "    because:  ");
	put_because(f, v);
	fputc('\n', f);
	put_chains(f, v, "    how ", "      ");
}

void ap_violation_format_feedback(const struct ap_violation *v, FILE *f)
{
	const char *e = applied(v);
	const char *under = audited(v) ? v->proposed : e;

	fputs("ActPlane policy violation: rule ", f);
	put_rule(f, v);
	fprintf(f, " %s.\n",
		is(e, "block") ? "blocked your action" :
		is(e, "kill") ? "killed the process behind your action" :
		"flagged your action");
	fprintf(f, "- Attempted: ");
	put_action(f, v);
	if (v->argv && v->argc) {
		fprintf(f, " as `");
		put_argv(f, v);
		fputc('`', f);
	}
	fprintf(f, "\n- By process: ");
	put_process(f, v);
	fputs("\n- Rule: ", f);
	put_rule(f, v);
	fputc('\n', f);
	fprintf(f, "- Effect: ");
	if (is(e, "block"))
		fprintf(f, "blocked: the kernel refused the operation (EPERM) before it happened");
	else if (is(e, "kill"))
		fprintf(f, "killed: the process was terminated with SIGKILL");
	else
		fprintf(f, "reported: the operation was allowed, but the rule flags it");
	if (audited(v))
		put_audit(f, v, " (audit mode: the policy asks for ", ", the ",
			  "audit", " enforcer only reports)");
	fputc('\n', f);
	fprintf(f, "- Reason: ");
	put_because(f, v);
	fputc('\n', f);
	if (v->n_labels) {
		fprintf(f, "- Why it applied: your process carries the label%s ",
			v->n_labels == 1 ? "" : "s");
		put_labels(f, v);
		fprintf(f, "; labels follow data through files, pipes and child processes\n");
		put_chains(f, v, "- How ", "    ");
	}
	fprintf(f, "- What to do instead: ");
	if (is(under, "block") || is(under, "kill")) {
		if (audited(v))
			fprintf(f, "this session only audits (dry run), so the action went "
				"through, but under enforcement it would have been %s. "
				"Do not build on it or repeat it, and do not reach the same "
				"result another way",
				is(under, "kill") ? "killed" : "blocked");
		else
			fprintf(f, "%sDo not retry it, and do not reach the same result "
				"another way", is(e, "kill") ? "whatever that process was "
				"doing did not finish; check what it left behind. " : "");
		fprintf(f, " (another tool, shell, interpreter, script or copy of the "
			"data): the rule is enforced by the kernel for every process you "
			"start. Follow the reason above and change your approach, or ask "
			"the user.\n");
	} else {
		fprintf(f, "the action went through, but it is flagged. Follow the reason "
			"above before continuing, and ask the user if you are unsure it "
			"was intended.\n");
	}
	if (v->seq || v->time) {
		fprintf(f, "- Event: #%" PRIu64 " at ", v->seq);
		ap_esc_word(f, str_or(v->time, "?"));
		fputc('\n', f);
	}
}

/* ---- files ------------------------------------------------------------- */
int ap_state_path(const char *workspace, const char *name, char *out,
		  size_t len)
{
	int n = snprintf(out, len, "%s/%s%s%s", workspace, AP_STATE_DIR,
			 name ? "/" : "", name ? name : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int ap_last_violation_path(const char *workspace, char *out, size_t len)
{
	return ap_state_path(workspace, AP_LAST_VIOLATION_FILE, out, len);
}

int ap_workspace_open(const char *workspace)
{
	int fd = open(workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* open .actplane/<name> of the workspace, refusing links; creates the directory if asked */
static int state_open(const char *workspace, const char *name, int flags, mode_t mode)
{
	char rel[PATH_MAX];
	int ws, fd;

	if (snprintf(rel, sizeof(rel), "%s/%s", AP_STATE_DIR, name) >= (int)sizeof(rel))
		return -ENAMETOOLONG;
	ws = ap_workspace_open(workspace);
	if (ws < 0)
		return ws;
	fd = (flags & O_CREAT) ? ap_mkdir_beneath(ws, AP_STATE_DIR, 0755) : 0;
	if (!fd)	/* O_NONBLOCK: a FIFO planted there must not hang us */
		fd = ap_open_beneath(ws, rel, flags | O_NONBLOCK, mode);
	close(ws);
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			close(fd);
			return -EINVAL;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	return fd;
}

int ap_state_dir_ensure(const char *workspace)
{
	int ws = ap_workspace_open(workspace), ret;

	if (ws < 0)
		return ws;
	ret = ap_mkdir_beneath(ws, AP_STATE_DIR, 0755);
	close(ws);
	return ret;
}

int ap_violations_append(const char *workspace, const struct ap_violation *v)
{
	struct json_object *o;
	const char *js;
	char *line;
	size_t len;
	ssize_t w;
	int fd, ret;

	o = ap_violation_to_json(v);
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(js);
	line = malloc(len + 2);
	if (!line) {
		json_object_put(o);
		return -ENOMEM;
	}
	memcpy(line, js, len);
	line[len++] = '\n';
	json_object_put(o);

	fd = state_open(workspace, AP_VIOLATIONS_FILE, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0) {
		free(line);
		return fd;
	}
	/* one write per line: O_APPEND makes each line land whole at the end */
	do
		w = write(fd, line, len);
	while (w < 0 && errno == EINTR);
	ret = w < 0 ? -errno : (size_t)w != len ? -ENOSPC : 0;
	if (close(fd) && !ret)
		ret = -errno;
	free(line);
	return ret;
}

int ap_last_violation_write(int wsfd, const char *rel, const struct ap_violation *v)
{
	char *text = NULL, *slash;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	fprintf(f, "This file is written by ActPlane, the OS-level policy engine this agent session\n"
		"runs under. It describes the latest action a policy rule stopped or flagged.\n\n");
	ap_violation_format_feedback(v, f);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	/* its directory (normally .actplane) may not exist yet */
	slash = strrchr(rel, '/');
	ret = 0;
	if (slash) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
		ret = ap_mkdir_beneath(wsfd, dir, 0755);
	}
	if (!ret)
		ret = ap_write_replace(wsfd, rel, text, len, 0644, AP_WRITE_BENEATH);
	free(text);
	return ret;
}

int ap_workspace_find(const char *dir, char *out, size_t len)
{
	char cur[PATH_MAX], cand[PATH_MAX + 32];
	struct stat st;
	char *slash;

	if (dir) {
		if (snprintf(cur, sizeof(cur), "%s", dir) >= (int)sizeof(cur))
			return -ENAMETOOLONG;
	} else if (!getcwd(cur, sizeof(cur))) {
		return -errno;
	}
	/* strip trailing slashes (but keep "/") */
	while (strlen(cur) > 1 && cur[strlen(cur) - 1] == '/')
		cur[strlen(cur) - 1] = '\0';
	for (;;) {
		const char *base = strcmp(cur, "/") ? cur : "";

		snprintf(cand, sizeof(cand), "%s/actplane.yaml", base);
		if (!stat(cand, &st) && S_ISREG(st.st_mode))
			break;
		snprintf(cand, sizeof(cand), "%s/%s", base, AP_STATE_DIR);
		if (!stat(cand, &st) && S_ISDIR(st.st_mode))
			break;
		slash = strrchr(cur, '/');
		if (!slash || !strcmp(cur, "/"))
			return -ENOENT;
		if (slash == cur)
			cur[1] = '\0';
		else
			*slash = '\0';
	}
	if (strlen(cur) >= len)
		return -ENAMETOOLONG;
	strcpy(out, cur);
	return 0;
}

/* ---- reading ----------------------------------------------------------- */
static int open_jsonl(const char *workspace, struct stat *st)
{
	int fd = state_open(workspace, AP_VIOLATIONS_FILE, O_RDONLY, 0), ret;

	if (fd < 0)
		return fd;
	if (fstat(fd, st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* read [off, min(EOF, off + max)) into a NUL-terminated buffer */
static int read_from(int fd, uint64_t off, size_t max, char **out, size_t *outlen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		ssize_t r;

		if (len == max)
			break;
		if (cap - len < 65536 + 1) {
			char *nb;

			cap = cap ? cap * 2 : 65536 * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = pread(fd, buf + len, (cap - len - 1) < max - len ?
			  cap - len - 1 : max - len, (off_t)(off + len));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -errno;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static bool blank(const char *s)
{
	return !s[strspn(s, " \t\r")];
}

/* parse one NUL-terminated line and hand it to cb; 1 delivered, 0 skipped */
static int deliver_line(char *line, ap_violation_cb cb, void *ctx, int *stop)
{
	struct json_object *o;
	struct ap_violation v;

	if (blank(line))
		return 0;
	o = json_tokener_parse(line);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return 0;
	}
	if (ap_violation_from_json(o, &v) == 0 && cb)
		*stop = cb(&v, o, ctx);
	ap_violation_release(&v);
	json_object_put(o);
	return 1;
}

int ap_violations_read_since(const char *workspace, struct ap_jsonl_pos *pos,
			     ap_violation_cb cb, void *ctx)
{
	struct stat st;
	size_t len, done = 0;
	char *buf, *p, *nl;
	int fd, ret, count = 0, stop = 0;

	fd = open_jsonl(workspace, &st);
	if (fd == -ENOENT) {
		pos->offset = pos->ino = 0;	/* a new file starts over */
		return 0;
	}
	if (fd < 0)
		return fd;
	if ((pos->ino && pos->ino != (uint64_t)st.st_ino) ||
	    pos->offset > (uint64_t)st.st_size)
		pos->offset = 0;	/* replaced or truncated: start over */
	pos->ino = (uint64_t)st.st_ino;
	ret = read_from(fd, pos->offset, AP_JSONL_READ_MAX, &buf, &len);
	close(fd);
	if (ret)
		return ret;
	for (p = buf; !stop && (nl = memchr(p, '\n', len - (size_t)(p - buf))); p = nl + 1) {
		*nl = '\0';
		if (cb)
			count += deliver_line(p, cb, ctx, &stop);
		else
			count += !blank(p);
		done = (size_t)(nl + 1 - buf);
	}
	pos->offset += done;
	free(buf);
	return count;
}

int ap_violations_read_latest(const char *workspace, size_t max,
			      ap_violation_cb cb, void *ctx, size_t *total)
{
	struct json_object **keep;
	struct stat st;
	uint64_t start;
	size_t len, n_keep = 0, lines = 0, i;
	char *buf, *p, *end;
	int fd, ret;

	if (total)
		*total = 0;
	fd = open_jsonl(workspace, &st);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	start = (uint64_t)st.st_size > AP_JSONL_TAIL ?
		(uint64_t)st.st_size - AP_JSONL_TAIL : 0;
	ret = read_from(fd, start, AP_JSONL_TAIL, &buf, &len);
	close(fd);
	if (ret)
		return ret;
	p = buf;
	if (start) {		/* skip the partial first line */
		p = memchr(buf, '\n', len);
		p = p ? p + 1 : buf + len;
	}
	/* only complete lines count; the last one may still be being written */
	end = len ? memrchr(buf, '\n', len) : NULL;
	if (!end || end < p) {
		free(buf);
		return 0;
	}
	*end = '\0';
	keep = calloc(max ? max : 1, sizeof(*keep));
	if (!keep) {
		free(buf);
		return -ENOMEM;
	}
	/* walk backwards keeping the last max records that parse */
	for (;;) {
		char *ls = end > p ? memrchr(p, '\n', (size_t)(end - p)) : NULL;
		char *line = ls ? ls + 1 : p;

		*end = '\0';
		if (!blank(line)) {
			struct json_object *o = n_keep < max ?
				json_tokener_parse(line) : NULL;

			lines++;
			if (o && json_object_is_type(o, json_type_object))
				keep[n_keep++] = o;
			else
				json_object_put(o);
		}
		if (!ls)
			break;
		end = ls;
	}
	for (i = n_keep; i-- > 0;) {
		struct ap_violation v;
		int stop;

		if (!cb)
			break;
		ap_violation_from_json(keep[i], &v);
		stop = cb(&v, keep[i], ctx);
		ap_violation_release(&v);
		if (stop)
			break;
	}
	for (i = 0; i < n_keep; i++)
		json_object_put(keep[i]);
	free(keep);
	free(buf);
	if (total)
		*total = lines;
	return (int)n_keep;
}

/* ---- delivery state ----------------------------------------------------- */
int ap_feedback_begin(const char *workspace, struct ap_jsonl_pos *pos)
{
	char buf[64];
	ssize_t r;
	int fd, ret;

	memset(pos, 0, sizeof(*pos));
	fd = state_open(workspace, AP_FEEDBACK_STATE_FILE, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		return fd;
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			ret = -errno;
			close(fd);
			return ret;
		}
	}
	r = pread(fd, buf, sizeof(buf) - 1, 0);
	if (r > 0) {
		uint64_t off, ino;

		buf[r] = '\0';
		if (sscanf(buf, "%" SCNu64 " %" SCNu64, &off, &ino) == 2) {
			pos->offset = off;
			pos->ino = ino;
		}
	}
	return fd;
}

int ap_feedback_commit(int fd, const struct ap_jsonl_pos *pos)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIu64 "\n",
			 pos->offset, pos->ino);
	ssize_t w;

	if (ftruncate(fd, 0))
		return -errno;
	w = pwrite(fd, buf, (size_t)n, 0);
	if (w < 0)
		return -errno;
	return w == n ? 0 : -EIO;
}

void ap_feedback_end(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the lock */
}

int ap_feedback_mark_delivered(const char *workspace)
{
	struct ap_jsonl_pos pos;
	int fd = ap_feedback_begin(workspace, &pos), ret;

	if (fd < 0)
		return fd;
	ret = ap_violations_read_since(workspace, &pos, NULL, NULL);
	if (ret >= 0)
		ret = ap_feedback_commit(fd, &pos);
	ap_feedback_end(fd);
	return ret < 0 ? ret : 0;
}
