// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane explain`: evaluate a compiled policy for one hypothetical event
 * the way the module does (kmod/eval.c, ap_evaluate()), and say why.
 *
 *   1. The event's operations, as the kernel's hooks report them: an exec
 *      is `exec`; a read is an open for reading (`open` + `read`), a write
 *      an open for writing (`open` + `write`), an open both; `unlink`,
 *      `connect` and `recv` are themselves.
 *   2. The view of the subject: its labels, plus what the event's own
 *      sources give it (a file source on a read, an exec source on an exec,
 *      an endpoint source on a recv), on an exec the program file's labels,
 *      minus what a declassify of the program drops, plus what an endorse
 *      adds; its lineage marks, plus the one an exec of the marked program
 *      sets.
 *   3. Every clause of those operations whose target matches, with each of
 *      its conditions: the arguments, `if` over the view, and each
 *      `unless` (target, lineage, and gates as the session's earlier events
 *      left them: armed by a run, stale after a `since` event).
 *   4. The decision: the strongest effect of the clauses that fire, kill >
 *      block > notify; the first such clause in policy order names it.
 *
 * Paths are made absolute against the working directory and resolved like
 * the kernel sees them (symbolic links followed where the operation
 * follows them); a program without '/' is looked up in PATH.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <actplane/decide.h>

#include "../escape.h"
#include "explain.h"
#include "internal.h"

#define OPBIT(op)	(1u << (op))

/* ---- errors and lists ----------------------------------------------------------- */

static int __attribute__((format(printf, 2, 3)))
fail(char **err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (err) {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
		free(*err);
		*err = msg;
	}
	return -EINVAL;
}

/* s shortened for an error message, escaped (malloc'd) */
static char *shown(const char *s)
{
	char *cut = ap_xstrndup(s, strnlen(s, 80)), *e = ap_esc_strdup(cut, true);

	free(cut);
	if (!e)
		e = ap_xstrdup("\"?\"");
	return e;
}

static void list_push(char ***v, size_t *n, const char *s)
{
	*v = ap_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = ap_xstrdup(s);
}

static void list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ap_explain_words_free(char **words)
{
	size_t i;

	for (i = 0; words && words[i]; i++)
		free(words[i]);
	free(words);
}

void ap_explain_event_init(struct ap_explain_event *ev)
{
	memset(ev, 0, sizeof(*ev));
}

void ap_explain_event_free(struct ap_explain_event *ev)
{
	list_free(ev->words, ev->n_words);
	list_free(ev->labels, ev->n_labels);
	list_free(ev->target_labels, ev->n_target_labels);
	list_free(ev->after, ev->n_after);
	list_free(ev->lineage, ev->n_lineage);
	free(ev->cwd);
	memset(ev, 0, sizeof(*ev));
}

/* ---- words ---------------------------------------------------------------------- */

int ap_explain_split(const char *text, char ***words, size_t *n, char **err)
{
	size_t len = strlen(text), cap = 16, nw = 0, wl;
	char **v, *w;
	const char *s = text;
	char q;

	*words = NULL;
	*n = 0;
	if (len >= AP_EXPLAIN_MAX_TEXT)
		return fail(err, "the text is longer than %d bytes", AP_EXPLAIN_MAX_TEXT - 1);
	v = ap_xcalloc(cap, sizeof(*v));
	w = ap_xmalloc(len + 1);
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s)
			break;
		wl = 0;
		q = 0;
		for (; *s; s++) {
			if (q == '\'') {
				if (*s == '\'')
					q = 0;
				else
					w[wl++] = *s;
			} else if (q == '"') {
				if (*s == '"')
					q = 0;
				else if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					w[wl++] = *++s;
				else
					w[wl++] = *s;
			} else if (*s == '\'' || *s == '"') {
				q = *s;
			} else if (*s == '\\' && s[1]) {
				w[wl++] = *++s;
			} else if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
				break;
			} else {
				w[wl++] = *s;
			}
		}
		if (q) {
			ap_explain_words_free(v);
			free(w);
			return fail(err, "a %s quote is not closed", q == '"' ? "double" : "single");
		}
		if (nw == AP_EXPLAIN_MAX_WORDS) {
			ap_explain_words_free(v);
			free(w);
			return fail(err, "more than %d words", AP_EXPLAIN_MAX_WORDS);
		}
		if (nw + 1 == cap) {
			v = ap_xrealloc(v, 2 * cap * sizeof(*v));
			memset(v + cap, 0, cap * sizeof(*v));
			cap *= 2;
		}
		v[nw++] = ap_xstrndup(w, wl);
	}
	free(w);
	*words = v;
	*n = nw;
	return 0;
}

static int op_parse(const char *w)
{
	int op;

	for (op = 0; op < AP_OP__COUNT; op++)
		if (!strcmp(w, ap_op_name((enum ap_op)op)))
			return op;
	return -1;
}

/* ---- endpoints -------------------------------------------------------------------- */

struct xep {
	int family;		/* AF_INET (also for IPv4-mapped IPv6) or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;		/* 0: none given */
};

static int port_parse(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i == 5)
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (!i || !v || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "10.0.0.1", "10.0.0.1:443", "fd00::1", "[fd00::1]:443" */
static int ep_parse(const char *s, struct xep *e, const char **why)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char buf[INET6_ADDRSTRLEN + 1];
	const char *addr = s, *port = NULL, *colon = strchr(s, ':');
	size_t alen = strlen(s);

	memset(e, 0, sizeof(*e));
	*why = NULL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || (close[1] && close[1] != ':')) {
			*why = "write an IPv6 address with a port as [ADDR]:PORT";
			return -1;
		}
		addr = s + 1;
		alen = (size_t)(close - addr);
		port = close[1] ? close + 2 : NULL;
		e->family = AF_INET6;
	} else if (colon && strchr(colon + 1, ':')) {
		e->family = AF_INET6;		/* a bare IPv6 address */
	} else {
		e->family = AF_INET;
		if (colon) {
			alen = (size_t)(colon - s);
			port = colon + 1;
		}
	}
	if (port && port_parse(port, &e->port)) {
		*why = "the port must be a number from 1 to 65535";
		return -1;
	}
	if (!alen || alen >= sizeof(buf)) {
		*why = "not an IP address";
		return -1;
	}
	memcpy(buf, addr, alen);
	buf[alen] = '\0';
	if (inet_pton(e->family, buf, e->addr) != 1) {
		*why = strspn(buf, "0123456789.:abcdefABCDEF") == alen ? "not an IP address" :
		       "host names are not resolved: give an address, the kernel sees addresses";
		return -1;
	}
	if (e->family == AF_INET6 && !memcmp(e->addr, v4mapped, sizeof(v4mapped))) {
		memmove(e->addr, e->addr + 12, 4);	/* the module keys it as IPv4 */
		memset(e->addr + 4, 0, 12);
		e->family = AF_INET;
	}
	return 0;
}

static void ep_format(const struct xep *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(e->family, e->addr, a, sizeof(a));
	if (!e->port)
		snprintf(buf, len, "%s", a);
	else if (e->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, e->port);
	else
		snprintf(buf, len, "%s:%u", a, e->port);
}

/* ---- the event -------------------------------------------------------------------- */

static bool op_is_file(int op)
{
	return op == AP_OP_READ || op == AP_OP_OPEN || op == AP_OP_WRITE || op == AP_OP_UNLINK;
}

/* Check one event's words (op already taken off); after: an `--after` event. */
static int check_words(int op, char *const *w, size_t n, bool after, char **err)
{
	const char *name = ap_op_name((enum ap_op)op), *why;
	struct xep e;
	size_t i;

	if (!n)
		return fail(err, "%s needs a %s", name, op == AP_OP_EXEC ? "program" :
			    op_is_file(op) ? "path" : "endpoint (ADDRESS:PORT)");
	for (i = 0; i < n; i++) {
		if (strlen(w[i]) >= AP_EXPLAIN_MAX_WORD)
			return fail(err, "a word is longer than %d bytes", AP_EXPLAIN_MAX_WORD - 1);
		if (!w[i][0] && i == 0)
			return fail(err, "%s: the %s is empty", name,
				    op == AP_OP_EXEC ? "program" : "target");
	}
	if (after && (op == AP_OP_CONNECT || op == AP_OP_RECV))
		return fail(err, "a %s neither arms nor stales a gate: only exec, read, open, "
			    "write and unlink events do", name);
	if (op != AP_OP_EXEC && n > 1) {
		char *s = shown(w[1]);
		int ret = fail(err, "%s takes one %s; unexpected %s", name,
			       op_is_file(op) ? "path" : "endpoint", s);

		free(s);
		return ret;
	}
	if ((op == AP_OP_CONNECT || op == AP_OP_RECV) && ep_parse(w[0], &e, &why)) {
		char *s = shown(w[0]);
		int ret = fail(err, "%s %s: %s", name, s, why);

		free(s);
		return ret;
	}
	return 0;
}

int ap_explain_set_event(struct ap_explain_event *ev, char *const *words, size_t n, char **err)
{
	size_t i;
	int op, ret;

	if (!n)
		return fail(err, "give the event: exec PROG [ARG...], read|open|write|unlink PATH, "
			    "or connect|recv ADDRESS:PORT");
	if (n > AP_EXPLAIN_MAX_WORDS)
		return fail(err, "more than %d words", AP_EXPLAIN_MAX_WORDS);
	op = op_parse(words[0]);
	if (op < 0) {
		static const char *const ops[] = { "exec", "read", "open", "write", "unlink",
						   "connect", "recv" };
		const char *best = did_you_mean(words[0], ops, sizeof(ops) / sizeof(ops[0]));
		char *s = shown(words[0]);

		ret = fail(err, "unknown operation %s (%s%s%s)", s,
			   best ? "did you mean '" : "operations are exec, read, open, write, "
			   "unlink, connect and recv", best ? best : "", best ? "'?" : "");
		free(s);
		return ret;
	}
	ret = check_words(op, words + 1, n - 1, false, err);
	if (ret)
		return ret;
	list_free(ev->words, ev->n_words);
	ev->words = NULL;
	ev->n_words = 0;
	for (i = 1; i < n; i++)
		list_push(&ev->words, &ev->n_words, words[i]);
	ev->op = (enum ap_op)op;
	ev->have_event = true;
	return 0;
}

int ap_explain_set_event_text(struct ap_explain_event *ev, const char *text, char **err)
{
	char **w;
	size_t n;
	int ret = ap_explain_split(text, &w, &n, err);

	if (ret)
		return ret;
	ret = ap_explain_set_event(ev, w, n, err);
	ap_explain_words_free(w);
	return ret;
}

/* An `--after` entry: "OP TARGET [ARG...]" with a file or exec OP, else a run. */
static int after_op(char **w, size_t n)
{
	int op = n > 1 ? op_parse(w[0]) : -1;

	return op < 0 ? -1 : op;
}

static int label_word_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n >= AP_LABEL_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      (i && ((c >= '0' && c <= '9') || c == '-' || c == '.'))))
			return 0;
	}
	return 1;
}

/* names separated by commas, all checked before any is added */
static int add_labels(char ***v, size_t *nv, const char *value, char **err)
{
	const char *s;
	size_t n, count = 0;

	for (s = value;; s += n + 1) {
		n = strcspn(s, ",");
		if (!label_word_ok(s, n)) {
			char *part = ap_xstrndup(s, n), *q = shown(part);
			int ret = fail(err, "%s is not a label name", q);

			free(part);
			free(q);
			return ret;
		}
		count++;
		if (!s[n])
			break;
	}
	if (*nv + count > AP_EXPLAIN_MAX_LIST)
		return fail(err, "more than %d labels", AP_EXPLAIN_MAX_LIST);
	*v = ap_xrealloc(*v, (*nv + count) * sizeof(**v));
	for (s = value;; s += n + 1) {
		n = strcspn(s, ",");
		(*v)[(*nv)++] = ap_xstrndup(s, n);
		if (!s[n])
			return 0;
	}
}

int ap_explain_add(struct ap_explain_event *ev, enum ap_explain_list which, const char *value,
		   char **err)
{
	char **w;
	size_t n;
	int ret, op;

	switch (which) {
	case AP_EXPLAIN_LABELS:
		return add_labels(&ev->labels, &ev->n_labels, value, err);
	case AP_EXPLAIN_TARGET_LABELS:
		return add_labels(&ev->target_labels, &ev->n_target_labels, value, err);
	case AP_EXPLAIN_AFTER:
		if (ev->n_after == AP_EXPLAIN_MAX_LIST)
			return fail(err, "more than %d earlier events", AP_EXPLAIN_MAX_LIST);
		ret = ap_explain_split(value, &w, &n, err);
		if (ret)
			return ret;
		op = after_op(w, n);
		if (!n)
			ret = fail(err, "an earlier event is empty");
		else if (op < 0)
			ret = check_words(AP_OP_EXEC, w, n, true, err);
		else
			ret = check_words(op, w + 1, n - 1, true, err);
		ap_explain_words_free(w);
		if (!ret)
			list_push(&ev->after, &ev->n_after, value);
		return ret;
	case AP_EXPLAIN_LINEAGE:
		if (ev->n_lineage == AP_EXPLAIN_MAX_LIST)
			return fail(err, "more than %d ancestors", AP_EXPLAIN_MAX_LIST);
		if (!value[0] || strlen(value) >= AP_EXPLAIN_MAX_WORD)
			return fail(err, "a program must be 1 to %d bytes", AP_EXPLAIN_MAX_WORD - 1);
		list_push(&ev->lineage, &ev->n_lineage, value);
		return 0;
	}
	return fail(err, "unknown list");
}

int ap_explain_set_cwd(struct ap_explain_event *ev, const char *dir, char **err)
{
	if (dir[0] != '/' || strlen(dir) >= PATH_MAX)
		return fail(err, "the working directory must be an absolute path");
	free(ev->cwd);
	ev->cwd = ap_xstrdup(dir);
	return 0;
}

/* ---- paths -------------------------------------------------------------------------- */

/* path made absolute against cwd, "." and ".." and "//" folded (malloc'd) */
static char *path_abs(const char *cwd, const char *path)
{
	char *joined = path[0] == '/' ? ap_xstrdup(path) : ap_xasprintf("%s/%s", cwd, path);
	char *out = ap_xmalloc(strlen(joined) + 2), *seg, *save = NULL;
	size_t n = 0;

	for (seg = strtok_r(joined, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			while (n && out[n - 1] != '/')
				n--;
			if (n)
				n--;		/* the '/' before it */
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, seg, strlen(seg));
		n += strlen(seg);
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	free(joined);
	return out;
}

/*
 * The path the kernel would see: absolute, with symbolic links resolved in
 * the directories and, if follow, in the last component (what open and
 * exec do; unlink works on the link itself).  A path that does not exist
 * keeps what cannot be resolved as written.
 */
static char *path_resolve(const char *cwd, const char *path, bool follow)
{
	char *abs = path_abs(cwd, path), *real, *slash, *dir, *out;

	if (follow && (real = realpath(abs, NULL))) {
		free(abs);
		return real;
	}
	slash = strrchr(abs, '/');
	if (slash == abs || !slash[1])
		return abs;
	dir = ap_xstrndup(abs, (size_t)(slash - abs));
	real = realpath(dir, NULL);
	free(dir);
	if (!real)
		return abs;
	out = ap_xasprintf("%s%s", strcmp(real, "/") ? real : "", slash);
	free(real);
	free(abs);
	return out;
}

static bool executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/*
 * The file a program name runs: with a '/', the path; without, the first
 * executable PROG in PATH (relative PATH entries against cwd).  NULL if
 * there is none.
 */
static char *prog_find(const char *cwd, const char *prog)
{
	const char *pathenv = getenv("PATH"), *d;
	char *cand;

	if (strchr(prog, '/'))
		return path_resolve(cwd, prog, true);
	if (!pathenv || !*pathenv)
		pathenv = "/usr/local/bin:/usr/bin:/bin";
	for (d = pathenv;; d += strcspn(d, ":") + 1) {
		size_t dl = strcspn(d, ":");
		char *dir = dl ? ap_xstrndup(d, dl) : ap_xstrdup(".");

		cand = path_abs(cwd, dir);
		free(dir);
		dir = cand;
		cand = ap_xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", prog);
		free(dir);
		if (executable(cand)) {
			char *out = path_resolve(cwd, cand, true);

			free(cand);
			return out;
		}
		free(cand);
		if (!d[dl])
			return NULL;
	}
}

/* ---- evaluation state ------------------------------------------------------------- */

/* One event, resolved: what the module matches. */
struct xevent {
	int op;
	unsigned int ops;	/* OPBIT() of the operations the kernel evaluates */
	bool ep;
	char *path;		/* file and exec events */
	struct xep e;		/* connect, recv */
	char *const *argv;	/* exec: the program as given, then its arguments */
	size_t argc;
	char *target;		/* as shown: the path or the endpoint */
};

struct xstate {
	const struct ap_policy *p;
	const struct ap_explain_event *ev;
	const char *cwd;
	struct xevent x;
	uint64_t given, absorb, src, declass, endorse, view;
	uint64_t lineage, lineage_add;	/* lineage ids */
	int armed_by[AP_MAX_GATES];	/* the --after entry that armed it last, -1 none */
	int staled_by[AP_MAX_GATES];	/* a later entry that made it stale, -1 none */
	json_object *notes;
};

static unsigned int event_ops(int op)
{
	switch (op) {
	case AP_OP_READ:
		return OPBIT(AP_OP_OPEN) | OPBIT(AP_OP_READ);
	case AP_OP_WRITE:
		return OPBIT(AP_OP_OPEN) | OPBIT(AP_OP_WRITE);
	case AP_OP_OPEN:
		return OPBIT(AP_OP_OPEN) | OPBIT(AP_OP_READ) | OPBIT(AP_OP_WRITE);
	default:
		return OPBIT(op);
	}
}

static void __attribute__((format(printf, 2, 3)))
note(struct xstate *s, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg)
		json_object_array_add(s->notes, json_object_new_string(msg));
	free(msg);
}

/* Resolve one event (op, words as checked) into x; notes about it into s. */
static void event_resolve(struct xstate *s, int op, char *const *w, size_t n,
			  struct xevent *x)
{
	char buf[INET6_ADDRSTRLEN + 16];
	const char *why;

	memset(x, 0, sizeof(*x));
	x->op = op;
	x->ops = event_ops(op);
	if (op == AP_OP_CONNECT || op == AP_OP_RECV) {
		x->ep = true;
		ep_parse(w[0], &x->e, &why);	/* checked when it was set */
		ep_format(&x->e, buf, sizeof(buf));
		x->target = ap_xstrdup(buf);
		return;
	}
	if (op == AP_OP_EXEC) {
		x->argv = w;
		x->argc = n;
		x->path = prog_find(s->cwd, w[0]);
		if (!x->path) {
			x->path = ap_xstrdup(w[0]);
			note(s, "%s is not in PATH: only patterns on its file name can match it",
			     w[0]);
		} else {
			const char *base = strrchr(x->path, '/'), *name = strrchr(w[0], '/');

			if (strcmp(base ? base + 1 : x->path, name ? name + 1 : w[0]))
				note(s, "%s runs %s (a symbolic link): the module matches the file "
				     "that runs", w[0], x->path);
		}
	} else {
		x->path = path_resolve(s->cwd, w[0], op != AP_OP_UNLINK);
	}
	x->target = ap_xstrdup(x->path);
}

static void event_release(struct xevent *x)
{
	free(x->path);
	free(x->target);
}

static bool target_match(const struct ap_target *t, const struct xevent *x)
{
	if (t->kind == AP_TARGET_ENDPOINT)
		return x->ep && ap_endpoint_match(&t->ep, x->e.family, x->e.addr, x->e.port);
	return !x->ep && ap_matcher_match(&t->path, x->path);
}

static bool argv_match(char *const *want, size_t nwant, const struct xevent *x)
{
	return ap_argv_match(want, nwant, x->argv, x->argc);
}

/* Label bit of name in p, -1 if p has none. */
static int label_bit(const struct ap_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_labels; i++)
		if (!strcmp(p->labels[i].name, name))
			return (int)p->labels[i].bit;
	return -1;
}

static uint64_t labels_of(struct xstate *s, char *const *names, size_t n, const char *what)
{
	uint64_t set = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int bit = label_bit(s->p, names[i]);

		if (bit < 0)
			note(s, "%s %s: this policy has no such label (ignored)", what, names[i]);
		else
			set |= 1ULL << bit;
	}
	return set;
}

static json_object *labels_json(const struct ap_policy *p, uint64_t set)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < p->n_labels; i++)
		if (set >> p->labels[i].bit & 1)
			json_object_array_add(a, json_object_new_string(p->labels[i].name));
	return a;
}

/* "A B" of the labels in set, "no labels" for none (malloc'd) */
static char *labels_text(const struct ap_policy *p, uint64_t set)
{
	char *out = ap_xstrdup(""), *t;
	size_t i;

	for (i = 0; i < p->n_labels; i++) {
		if (!(set >> p->labels[i].bit & 1))
			continue;
		t = ap_xasprintf("%s%s%s", out, *out ? " " : "", p->labels[i].name);
		free(out);
		out = t;
	}
	if (!*out) {
		free(out);
		out = ap_xstrdup("no labels");
	}
	return out;
}

/*
 * The session's history (--after, oldest first): each event arms the gates
 * it runs (a run counts as exiting with status 0) and makes stale the gates
 * it is a `since` event of, as ap_session_gates_update() does: stale first,
 * then arm.
 */
static void replay_after(struct xstate *s)
{
	const struct ap_policy *p = s->p;
	size_t i, g, k;

	for (g = 0; g < AP_MAX_GATES; g++)
		s->armed_by[g] = s->staled_by[g] = -1;
	for (i = 0; i < s->ev->n_after; i++) {
		struct xevent x;
		char **w;
		size_t n;
		int op;

		if (ap_explain_split(s->ev->after[i], &w, &n, NULL))
			continue;	/* checked when it was added */
		op = after_op(w, n);
		if (op < 0)
			event_resolve(s, AP_OP_EXEC, w, n, &x);
		else
			event_resolve(s, op, w + 1, n - 1, &x);
		for (k = 0; k < p->n_invalidators; k++) {
			const struct ap_invalidator *v = &p->invalidators[k];

			if (v->gate < AP_MAX_GATES && (x.ops & OPBIT(v->op)) &&
			    ap_matcher_match(&v->match, x.path) &&
			    (v->op != AP_OP_EXEC || argv_match(v->argv, v->argc, &x)) &&
			    s->armed_by[v->gate] >= 0)
				s->staled_by[v->gate] = (int)i;
		}
		for (g = 0; g < p->n_gates && g < AP_MAX_GATES; g++) {
			const struct ap_gate *gt = &p->gates[g];

			if ((x.ops & OPBIT(gt->op)) && ap_matcher_match(&gt->match, x.path) &&
			    (gt->op != AP_OP_EXEC || argv_match(gt->argv, gt->argc, &x)) &&
			    gt->exit_status <= 0) {
				s->armed_by[g] = (int)i;
				s->staled_by[g] = -1;
			}
		}
		event_release(&x);
		ap_explain_words_free(w);
	}
}

/* ---- policy text ------------------------------------------------------------------- */

/* s as a DSL string: in double quotes, '"' and '\' escaped */
static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_args(FILE *f, char *const *argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++) {
		fputc(' ', f);
		put_str(f, argv[i]);
	}
}

/* the kind word a target needs after op (none when it is op's default) */
static void put_target(FILE *f, int op, const struct ap_target *t)
{
	bool dflt = t->kind == AP_TARGET_ENDPOINT ? op == AP_OP_CONNECT || op == AP_OP_RECV :
		    t->kind == AP_TARGET_EXEC ? op == AP_OP_EXEC : op_is_file(op);

	if (!dflt)
		fprintf(f, "%s ", ap_target_kind_name(t->kind));
	put_str(f, t->kind == AP_TARGET_ENDPOINT ? t->ep.written : t->path.written);
}

static void put_gate(FILE *f, const struct ap_policy *p, const struct ap_gate *g)
{
	const char *sep = " since ";
	size_t i;

	fprintf(f, "after %s ", ap_op_name(g->op));
	put_str(f, g->match.written);
	put_args(f, g->argv, g->argc);
	if (g->exit_status >= 0)
		fprintf(f, " exits %d", g->exit_status);
	for (i = 0; i < p->n_invalidators; i++) {
		const struct ap_invalidator *v = &p->invalidators[i];

		if (v->gate != g->id)
			continue;
		fprintf(f, "%s%s ", sep, ap_op_name(v->op));
		put_str(f, v->match.written);
		put_args(f, v->argv, v->argc);
		sep = " or ";
	}
}

static void put_cond(FILE *f, const struct ap_policy *p, int op, const struct ap_cond *u)
{
	switch (u->kind) {
	case AP_COND_TARGET:
		fputs(u->negate ? "target not " : "target ", f);
		put_target(f, op, &u->target);
		break;
	case AP_COND_LINEAGE:
		fputs("lineage-includes exec ", f);
		put_str(f, u->id < p->n_lineages ? p->lineages[u->id].exec.written : "?");
		break;
	case AP_COND_AFTER:
		if (u->id < p->n_gates)
			put_gate(f, p, &p->gates[u->id]);
		else
			fputs("after ?", f);
		break;
	}
}

static bool has_if(const struct ap_clause *c)
{
	return !(c->expr_len == 1 && c->expr[0].op == AP_EXPR_PUSH_TRUE);
}

struct membuf {
	char *s;
	size_t len;
	FILE *f;
};

static FILE *mb_open(struct membuf *m)
{
	m->s = NULL;
	m->len = 0;
	m->f = open_memstream(&m->s, &m->len);
	if (!m->f)
		abort();	/* out of memory: the library's allocation policy */
	return m->f;
}

static json_object *mb_json(struct membuf *m)
{
	json_object *o;

	fclose(m->f);
	o = json_object_new_string(m->s);
	free(m->s);
	return o;
}

static json_object *clause_text(const struct ap_policy *p, const struct ap_clause *c)
{
	struct membuf m;
	FILE *f = mb_open(&m);
	size_t i;

	fprintf(f, "%s %s ", ap_effect_name(c->effect), ap_op_name(c->op));
	put_target(f, c->op, &c->target);
	put_args(f, c->argv, c->argc);
	if (has_if(c)) {
		char *e = expr_string(p, c->expr, c->expr_len);

		fprintf(f, " if %s", e);
		free(e);
	}
	for (i = 0; i < c->n_unless; i++) {
		fputs(" unless ", f);
		put_cond(f, p, c->op, &c->unless[i]);
	}
	return mb_json(&m);
}

/* ---- one clause ---------------------------------------------------------------------- */

static json_object *cond_json(const char *kind, json_object *text, bool holds,
			      const char *detail)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "text", text);
	json_object_object_add(o, "holds", json_object_new_boolean(holds));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	return o;
}

static json_object *str_json(const char *s)
{
	return json_object_new_string(s);
}

/* an `unless after` gate: does it hold, and why (malloc'd) */
static bool gate_holds(struct xstate *s, unsigned int id, char **detail)
{
	const struct ap_gate *g = id < s->p->n_gates ? &s->p->gates[id] : NULL;
	int a = id < AP_MAX_GATES ? s->armed_by[id] : -1;
	int st = id < AP_MAX_GATES ? s->staled_by[id] : -1;

	if (!g) {
		*detail = ap_xstrdup("no such gate");
		return false;
	}
	if (a >= 0 && st < 0) {
		*detail = ap_xasprintf("armed by the earlier event \"%s\"", s->ev->after[a]);
		return true;
	}
	if (a >= 0)
		*detail = ap_xasprintf("stale: \"%s\" came after \"%s\"", s->ev->after[st],
				       s->ev->after[a]);
	else if (g->exit_status > 0)
		*detail = ap_xasprintf("needs a run that exits with %d; earlier events given "
				       "with --after count as exiting with 0", g->exit_status);
	else
		*detail = ap_xstrdup("no earlier event in this session arms it");
	return false;
}

static bool lineage_holds(struct xstate *s, unsigned int id, char **detail)
{
	if (id < 64 && (s->lineage_add >> id & 1)) {
		*detail = ap_xstrdup("this exec runs it");
		return true;
	}
	if (id < 64 && (s->lineage >> id & 1)) {
		*detail = ap_xstrdup("an ancestor given with --lineage ran it");
		return true;
	}
	*detail = ap_xstrdup("neither this process nor an ancestor given with --lineage ran it");
	return false;
}

/* Evaluate one clause whose target matches: its conditions, and whether it fires. */
static json_object *clause_json(struct xstate *s, const struct ap_rule *r, size_t ci,
				bool *fires)
{
	const struct ap_policy *p = s->p;
	const struct ap_clause *c = &r->clauses[ci];
	json_object *o = json_object_new_object(), *conds = json_object_new_array();
	struct membuf m;
	bool args = true, cond = true, exempt = false;
	char *detail, *t;
	size_t i;

	json_object_object_add(o, "rule", str_json(r->name));
	json_object_object_add(o, "rule_id", json_object_new_int((int)r->id));
	json_object_object_add(o, "clause", json_object_new_int((int)ci));
	json_object_object_add(o, "file", str_json(p->path ? p->path : ""));
	json_object_object_add(o, "rule_line", json_object_new_int((int)r->loc.line));
	json_object_object_add(o, "line", json_object_new_int((int)c->loc.line));
	json_object_object_add(o, "effect", str_json(ap_effect_name(c->effect)));
	json_object_object_add(o, "op", str_json(ap_op_name(c->op)));
	json_object_object_add(o, "text", clause_text(p, c));

	mb_open(&m);
	put_target(m.f, c->op, &c->target);
	json_object_array_add(conds, cond_json("target", mb_json(&m), true, s->x.target));
	if (c->argc) {
		args = argv_match(c->argv, c->argc, &s->x);
		mb_open(&m);
		put_args(m.f, c->argv, c->argc);
		fclose(m.f);
		/* m.s + 1: without the blank put_args() starts with */
		json_object_array_add(conds, cond_json("argv", str_json(m.s + 1), args,
						       args ? "in the arguments, in this order" :
						       "not in the arguments in this order"));
		free(m.s);
	}
	if (has_if(c)) {
		int v = ap_expr_eval(c->expr, c->expr_len, s->view);
		char *e = expr_string(p, c->expr, c->expr_len);

		cond = v == 1;
		t = labels_text(p, s->view);
		detail = ap_xasprintf("the process has %s", t);
		json_object_array_add(conds, cond_json("if", str_json(e), cond, detail));
		free(detail);
		free(t);
		free(e);
	}
	for (i = 0; i < c->n_unless; i++) {
		const struct ap_cond *u = &c->unless[i];
		bool holds = false;
		const char *kind = "unless-target";

		switch (u->kind) {
		case AP_COND_TARGET:
			holds = apm_unless_target(target_match(&u->target, &s->x), u->negate);
			detail = ap_xasprintf("%s %s", s->x.target,
					      target_match(&u->target, &s->x) ? "matches" :
					      "does not match");
			break;
		case AP_COND_LINEAGE:
			kind = "unless-lineage";
			holds = lineage_holds(s, u->id, &detail);
			break;
		default:
			kind = "unless-after";
			holds = gate_holds(s, u->id, &detail);
			break;
		}
		mb_open(&m);
		put_cond(m.f, p, c->op, u);
		json_object_array_add(conds, cond_json(kind, mb_json(&m), holds, detail));
		free(detail);
		exempt |= holds;
	}
	json_object_object_add(o, "conditions", conds);
	*fires = args && cond && !exempt;
	json_object_object_add(o, "fires", json_object_new_boolean(*fires));
	json_object_object_add(o, "because", str_json(r->because));
	return o;
}

/* ---- the whole event ------------------------------------------------------------------ */

/* Sources, transforms and lineage marks the event applies, and the view. */
static void apply_event(struct xstate *s)
{
	const struct ap_policy *p = s->p;
	const struct xevent *x = &s->x;
	size_t i;

	for (i = 0; i < p->n_sources; i++) {
		const struct ap_source *src = &p->sources[i];
		bool hit;

		if (src->session_root) {
			if (!(s->given >> src->label & 1))
				note(s, "the session `actplane run` starts carries %s (source exec "
				     "\"%s\"); give --labels %s to include it",
				     p->labels[src->label].name, src->target.path.written,
				     p->labels[src->label].name);
			continue;
		}
		switch (src->target.kind) {
		case AP_TARGET_FILE:
			hit = (x->ops & OPBIT(AP_OP_READ)) && target_match(&src->target, x);
			break;
		case AP_TARGET_EXEC:
			hit = (x->ops & OPBIT(AP_OP_EXEC)) && target_match(&src->target, x);
			break;
		default:
			hit = (x->ops & OPBIT(AP_OP_RECV)) && target_match(&src->target, x);
			break;
		}
		if (hit)
			s->src |= 1ULL << src->label;
	}
	if (x->op == AP_OP_EXEC) {
		for (i = 0; i < p->n_transforms; i++) {
			const struct ap_transform *t = &p->transforms[i];

			if (!ap_matcher_match(&t->exec, x->path))
				continue;
			if (t->kind == AP_TRANSFORM_DECLASSIFY)
				s->declass |= 1ULL << t->label;
			else
				s->endorse |= 1ULL << t->label;
		}
		for (i = 0; i < p->n_lineages && i < 64; i++)
			if (ap_matcher_match(&p->lineages[i].exec, x->path))
				s->lineage_add |= 1ULL << i;
		/* no immunity but this exec's declassify: the module's view */
		s->view = apm_view(s->given, s->absorb, s->src, s->declass, s->endorse, true);
	} else {
		/* no object labels (--target-labels: exec only), no immunity */
		s->view = apm_view(s->given, 0, s->src, 0, 0, false);
	}
}

/* Lineage marks of the programs given with --lineage. */
static void apply_lineage(struct xstate *s)
{
	const struct ap_policy *p = s->p;
	size_t i, k;

	for (k = 0; k < s->ev->n_lineage; k++) {
		char *path = prog_find(s->cwd, s->ev->lineage[k]);

		if (!path) {
			note(s, "--lineage %s is not in PATH: only patterns on its file name can "
			     "match it", s->ev->lineage[k]);
			path = ap_xstrdup(s->ev->lineage[k]);
		}
		for (i = 0; i < p->n_lineages && i < 64; i++)
			if (ap_matcher_match(&p->lineages[i].exec, path))
				s->lineage |= 1ULL << i;
		free(path);
	}
}

static json_object *strings_json(char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, str_json(v[i]));
	return a;
}

static json_object *event_json(const struct xstate *s)
{
	const struct ap_explain_event *ev = s->ev;
	json_object *o = json_object_new_object(), *ops = json_object_new_array();
	int op;

	json_object_object_add(o, "op", str_json(ap_op_name(ev->op)));
	json_object_object_add(o, "written", str_json(ev->words[0]));
	json_object_object_add(o, "target", str_json(s->x.target));
	for (op = 0; op < AP_OP__COUNT; op++)
		if (s->x.ops & OPBIT(op))
			json_object_array_add(ops, str_json(ap_op_name((enum ap_op)op)));
	json_object_object_add(o, "ops", ops);
	json_object_object_add(o, "argv", ev->op == AP_OP_EXEC ?
			       strings_json(ev->words, ev->n_words) : json_object_new_array());
	return o;
}

struct json_object *ap_explain_json(const struct ap_policy *p, const struct ap_explain_event *ev,
				    char **err)
{
	json_object *res, *subject, *clauses, *decision;
	const struct ap_clause *best = NULL;
	const struct ap_rule *best_rule = NULL;
	struct xstate s;
	char *cwd = NULL;
	size_t r, c;

	if (!ev->have_event) {
		fail(err, "no event to explain");
		return NULL;
	}
	if (!ev->cwd) {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			cwd = ap_xstrdup("/");
	}
	memset(&s, 0, sizeof(s));
	s.p = p;
	s.ev = ev;
	s.cwd = ev->cwd ? ev->cwd : cwd;
	s.notes = json_object_new_array();
	event_resolve(&s, ev->op, ev->words, ev->n_words, &s.x);
	s.given = labels_of(&s, ev->labels, ev->n_labels, "--labels");
	if (ev->n_target_labels && ev->op != AP_OP_EXEC)
		note(&s, "--target-labels: the labels of the object of a %s do not take part in "
		     "its decision (they move after it); ignored", ap_op_name(ev->op));
	else
		s.absorb = labels_of(&s, ev->target_labels, ev->n_target_labels,
				     "--target-labels");
	apply_lineage(&s);
	replay_after(&s);
	apply_event(&s);

	clauses = json_object_new_array();
	for (r = 0; r < p->n_rules; r++) {
		const struct ap_rule *rule = &p->rules[r];

		for (c = 0; c < rule->n_clauses; c++) {
			const struct ap_clause *cl = &rule->clauses[c];
			bool fires;

			if (!(s.x.ops & OPBIT(cl->op)) || !target_match(&cl->target, &s.x))
				continue;
			json_object_array_add(clauses, clause_json(&s, rule, c, &fires));
			if (fires && apm_stronger(cl->effect, best ? best->effect : 0)) {
				best = cl;
				best_rule = rule;
			}
		}
	}

	res = json_object_new_object();
	json_object_object_add(res, "policy", str_json(p->path ? p->path : ""));
	json_object_object_add(res, "domain", p->domain ? str_json(p->domain) : NULL);
	json_object_object_add(res, "event", event_json(&s));
	subject = json_object_new_object();
	json_object_object_add(subject, "labels", labels_json(p, s.given));
	json_object_object_add(subject, "view", labels_json(p, s.view));
	json_object_object_add(subject, "gained", labels_json(p, s.view & ~s.given));
	json_object_object_add(subject, "dropped", labels_json(p, s.given & ~s.view));
	json_object_object_add(subject, "after", strings_json(ev->after, ev->n_after));
	json_object_object_add(subject, "lineage", strings_json(ev->lineage, ev->n_lineage));
	json_object_object_add(res, "subject", subject);
	json_object_object_add(res, "clauses", clauses);
	decision = json_object_new_object();
	json_object_object_add(decision, "effect", str_json(best ? ap_effect_name(best->effect) :
							     "allow"));
	json_object_object_add(decision, "denied",
			       json_object_new_boolean(best && best->effect >= AP_EFFECT_BLOCK));
	json_object_object_add(decision, "rule", best ? str_json(best_rule->name) : NULL);
	json_object_object_add(decision, "line", best ?
			       json_object_new_int((int)best->loc.line) : NULL);
	json_object_object_add(decision, "because", best ? str_json(best_rule->because) : NULL);
	json_object_object_add(res, "decision", decision);
	json_object_object_add(res, "notes", s.notes);
	event_release(&s.x);
	free(cwd);
	return res;
}

/* ---- text ---------------------------------------------------------------------------- */

static json_object *jget(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int jint(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v ? json_object_get_int(v) : 0;
}

static bool jbool(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v && json_object_get_boolean(v);
}

/* "WORD WORD" of a JSON array of strings, each a word or escaped in quotes */
static void put_words(FILE *f, json_object *a, const char *none)
{
	size_t i, n = a ? json_object_array_length(a) : 0;

	if (!n)
		fputs(none, f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(' ', f);
		ap_esc_word(f, json_object_get_string(json_object_array_get_idx(a, i)));
	}
}

/* "HEAD WORD WORD\n", nothing for an empty list */
static void put_line(FILE *f, const char *head, json_object *a)
{
	if (!json_object_array_length(a))
		return;
	fputs(head, f);
	put_words(f, a, "");
	fputc('\n', f);
}

/* why a clause that matched does not fire: the first condition that stops it */
static void put_outcome(FILE *f, json_object *cl)
{
	json_object *conds = jget(cl, "conditions");
	size_t i, n = conds ? json_object_array_length(conds) : 0;

	if (jbool(cl, "fires")) {
		fprintf(f, "    => %s\n", jstr(cl, "effect"));
		return;
	}
	for (i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(conds, i);
		const char *kind = jstr(k, "kind");
		bool holds = jbool(k, "holds");

		if (!strcmp(kind, "argv") && !holds) {
			fputs("    => does not fire: the arguments differ\n", f);
			return;
		}
		if (!strcmp(kind, "if") && !holds) {
			fputs("    => does not fire: its `if` is false\n", f);
			return;
		}
		if (!strncmp(kind, "unless", 6) && holds) {
			fputs("    => exempt: an `unless` holds\n", f);
			return;
		}
	}
	fputs("    => does not fire\n", f);
}

void ap_explain_print(FILE *f, struct json_object *res)
{
	json_object *ev = jget(res, "event"), *subj = jget(res, "subject");
	json_object *clauses = jget(res, "clauses"), *dec = jget(res, "decision");
	json_object *notes = jget(res, "notes"), *argv = jget(ev, "argv");
	const char *file = jstr(res, "policy");
	size_t i, k, n = clauses ? json_object_array_length(clauses) : 0;
	int last_rule = -1;

	fprintf(f, "event:   %s ", jstr(ev, "op"));
	ap_esc_word(f, jstr(ev, "target"));
	for (i = 1; argv && i < json_object_array_length(argv); i++) {
		fputc(' ', f);
		ap_esc_word(f, json_object_get_string(json_object_array_get_idx(argv, i)));
	}
	fputs("\nlabels:  ", f);
	put_words(f, jget(subj, "labels"), "(none)");
	if (json_object_array_length(jget(subj, "gained")) ||
	    json_object_array_length(jget(subj, "dropped"))) {
		fputs("; the rules see ", f);
		put_words(f, jget(subj, "view"), "none");
		fputs(" (this event", f);
		if (json_object_array_length(jget(subj, "gained"))) {
			fputs(" gives ", f);
			put_words(f, jget(subj, "gained"), "");
		}
		if (json_object_array_length(jget(subj, "dropped"))) {
			fputs(json_object_array_length(jget(subj, "gained")) ? ", drops " : " drops ",
			      f);
			put_words(f, jget(subj, "dropped"), "");
		}
		fputc(')', f);
	}
	fputc('\n', f);
	put_line(f, "after:   ", jget(subj, "after"));
	put_line(f, "lineage: ", jget(subj, "lineage"));
	for (i = 0; notes && i < json_object_array_length(notes); i++) {
		fputs("note:    ", f);
		ap_esc_puts(f, json_object_get_string(json_object_array_get_idx(notes, i)));
		fputc('\n', f);
	}

	for (i = 0; i < n; i++) {
		json_object *cl = json_object_array_get_idx(clauses, i);
		json_object *conds = jget(cl, "conditions");

		if (jint(cl, "rule_id") != last_rule) {
			if (last_rule >= 0) {
				fputs("  because: ", f);
				ap_esc_puts(f, jstr(json_object_array_get_idx(clauses, i - 1),
						    "because"));
				fputc('\n', f);
			}
			last_rule = jint(cl, "rule_id");
			fputs("\nrule ", f);
			ap_esc_word(f, jstr(cl, "rule"));
			fputs(" (", f);
			ap_esc_puts(f, file);
			fprintf(f, ":%d)\n", jint(cl, "rule_line"));
		}
		fputs("  ", f);
		ap_esc_puts(f, jstr(cl, "text"));
		fprintf(f, "   (line %d)\n", jint(cl, "line"));
		for (k = 0; conds && k < json_object_array_length(conds); k++) {
			json_object *cd = json_object_array_get_idx(conds, k);
			const char *kind = jstr(cd, "kind");

			fprintf(f, "    %-4s %s ", jbool(cd, "holds") ? "yes" : "no",
				!strcmp(kind, "argv") ? "arguments" : !strcmp(kind, "if") ? "if" :
				!strncmp(kind, "unless", 6) ? "unless" : "target");
			ap_esc_puts(f, jstr(cd, "text"));
			fputs(": ", f);
			ap_esc_puts(f, jstr(cd, "detail"));
			fputc('\n', f);
		}
		put_outcome(f, cl);
	}
	if (n) {
		fputs("  because: ", f);
		ap_esc_puts(f, jstr(json_object_array_get_idx(clauses, n - 1), "because"));
		fputc('\n', f);
	}

	fprintf(f, "\ndecision: %s", jstr(dec, "effect"));
	if (jstr(dec, "rule")) {
		fputs(", by rule ", f);
		ap_esc_word(f, jstr(dec, "rule"));
		fputs(" (", f);
		ap_esc_puts(f, file);
		fprintf(f, ":%d)\n", jint(dec, "line"));
		if (jstr(dec, "because") && *jstr(dec, "because")) {
			fputs("because: ", f);
			ap_esc_puts(f, jstr(dec, "because"));
			fputc('\n', f);
		}
	} else if (n) {
		fprintf(f, " (%zu clause%s about this event, none fires)\n", n, n == 1 ? "" : "s");
	} else {
		fputs(" (no rule is about this event)\n", f);
	}
}

int ap_explain_status(struct json_object *res)
{
	return jbool(jget(res, "decision"), "denied") ? 1 : 0;
}
