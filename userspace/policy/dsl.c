// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ActPlane rule language: lexer, recursive-descent parser and compiler
 * into the flat struct ap_policy.  One snippet (a `policy: |` block, a
 * catalog rule, or a raw DSL text) is compiled at a time into a shared
 * struct builder, so labels, gates and rule names are shared across the rules
 * of a domain.
 *
 * Grammar (docs/policy-language.md has the full reference):
 *
 *   policy   := decl*
 *   decl     := "source" LABEL "=" KIND STRING
 *             | ("declassify" | "endorse") LABEL "by" "exec" STRING
 *             | "rule" NAME ":" (clause | "because" STRING)+
 *   clause   := EFFECT OP [KIND] STRING STRING* ("if" expr | "unless" cond)*
 *   expr     := unary (("and" | "or") unary)*        left to right
 *   unary    := "not" unary | "true" | LABEL | "(" expr ")"
 *   cond     := "target" ["not"] [KIND] STRING
 *             | "lineage-includes" "exec" STRING
 *             | "after" OP [KIND] STRING STRING* ["exits" N]
 *               ["since" event ("or" event)*]
 *   event    := OP [KIND] STRING STRING*
 *
 * Errors unwind with longjmp to the declaration loop, which skips to the
 * next declaration that starts a line and carries on, so one run reports
 * several independent mistakes.  All parser memory is in a scratch arena.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "internal.h"

#define MAX_ERRORS_PER_SNIPPET	20
#define MAX_EXPR_NESTING	64

enum tk {
	TK_EOF,
	TK_WORD,
	TK_STRING,
	TK_COLON,
	TK_EQ,
	TK_LPAREN,
	TK_RPAREN,
};

struct tok {
	enum tk k;
	unsigned off, len;	/* raw span in the snippet */
	unsigned line, col;	/* 0-based position in the snippet */
	char *s;		/* WORD / STRING text (decoded) */
	bool bol;		/* first token on its line */
};

struct parser {
	struct builder *b;
	struct ap_policy *P;
	struct ap_arena *ar;		/* the policy's arena */
	const struct snippet *sn;
	struct ap_arena tmp;		/* tokens and scratch */
	struct tok *t;
	size_t n, i, cap;
	jmp_buf jb;
	unsigned nerr;
	size_t decl_start;		/* first token of the declaration */
	bool args_ok;			/* an exec pattern here may take arguments */
	const char *rule_name;		/* rule being parsed, for messages */
};

/* ---- positions and messages ------------------------------------------------ */

static const char *dsl_line(const struct snippet *sn, unsigned line,
			    size_t *len)
{
	const char *s = sn->dsl, *end = sn->dsl + sn->len, *nl;

	if (sn->dsl_lines) {
		/* indexed: constant time, so mapping every position stays linear */
		if (line >= sn->n_dsl_lines)
			return NULL;
		s = sn->dsl + sn->dsl_lines[line];
		line = 0;
	}
	while (line--) {
		nl = memchr(s, '\n', end - s);
		if (!nl)
			return NULL;
		s = nl + 1;
	}
	nl = memchr(s, '\n', end - s);
	*len = (nl ? nl : end) - s;
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	return s;
}

void snippet_map_pos(const struct snippet *sn, unsigned line, unsigned col,
		     unsigned *fline, unsigned *fcol)
{
	const char *raw, *d;
	size_t rlen, dlen;

	switch (sn->map) {
	case MAP_DIRECT:
		*fline = line;
		*fcol = col;
		return;
	case MAP_INLINE:
		if (line == 0) {
			*fline = sn->line0;
			*fcol = sn->col0 + col;
			return;
		}
		break;
	case MAP_BLOCK:
		/*
		 * A literal block keeps every line, minus the block's
		 * indentation: the DSL line is the tail of the file line.
		 */
		raw = text_line(sn->file, sn->line0 + line, &rlen);
		d = dsl_line(sn, line, &dlen);
		if (raw && d && rlen >= dlen &&
		    !memcmp(raw + rlen - dlen, d, dlen)) {
			*fline = sn->line0 + line;
			*fcol = rlen - dlen + col;
			return;
		}
		break;
	case MAP_FIXED:
		break;
	}
	*fline = sn->fix_line;
	*fcol = sn->fix_col;
}

static void tok_pos(const struct parser *p, const struct tok *t,
		    unsigned *line, unsigned *col)
{
	snippet_map_pos(p->sn, t->line, t->col, line, col);
}

static void __attribute__((noreturn, format(printf, 4, 5)))
perr(struct parser *p, const struct tok *t, const char *hint,
     const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;

	tok_pos(p, t, &line, &col);
	va_start(ap, fmt);
	diag_vadd(p->b->diag, AP_SEV_ERROR, p->sn->file, line, col, t->len,
		  hint, fmt, ap);
	va_end(ap);
	p->b->errors++;
	longjmp(p->jb, 1);
}

/* an error that does not stop the parse (the caller recovers in place) */
static void __attribute__((format(printf, 5, 6)))
perr_go_on(struct parser *p, const struct tok *t, unsigned span,
	   const char *hint, const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;

	tok_pos(p, t, &line, &col);
	va_start(ap, fmt);
	diag_vadd(p->b->diag, AP_SEV_ERROR, p->sn->file, line, col, span,
		  hint, fmt, ap);
	va_end(ap);
	p->b->errors++;
	p->nerr++;
}

static void __attribute__((format(printf, 4, 5)))
pwarn(struct parser *p, const struct tok *t, const char *hint,
      const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;

	if (p->b->no_warnings)
		return;
	tok_pos(p, t, &line, &col);
	va_start(ap, fmt);
	diag_vadd(p->b->diag, AP_SEV_WARNING, p->sn->file, line, col, t->len,
		  hint, fmt, ap);
	va_end(ap);
}

/*
 * A limit of the module was hit: it is reported the first time only, later
 * hits abandon their declaration without a message of their own.
 */
enum { LIMIT_LABELS = 1, LIMIT_LINEAGES = 2, LIMIT_GATES = 4, LIMIT_RULES = 8 };

static void limit_once(struct parser *p, unsigned which)
{
	if (p->b->limits_said & which)
		longjmp(p->jb, 1);
	p->b->limits_said |= which;
}

/* "'word'", "string \"...\"", "end of policy" for messages */
static const char *describe(struct parser *p, const struct tok *t)
{
	switch (t->k) {
	case TK_EOF:
		return "the end of the policy";
	case TK_WORD:
		return ar_printf(&p->tmp, "'%.40s'", t->s);
	case TK_STRING:
		return ar_printf(&p->tmp, "the string \"%.40s%s\"", t->s,
				 strlen(t->s) > 40 ? "..." : "");
	case TK_COLON:
		return "':'";
	case TK_EQ:
		return "'='";
	case TK_LPAREN:
		return "'('";
	case TK_RPAREN:
		return "')'";
	}
	return "?";
}

/* ---- vocabulary ------------------------------------------------------------------ */

static const char *const decl_words[] = { "source", "declassify", "endorse",
					  "rule" };
/* a rule's effects, NOTIFY..KILL (enum ap_effect is enum actplane_effect) */
static const char *const effect_names[__ACTPLANE_EFFECT_MAX] = ACTPLANE_EFFECT_NAMES;
#define effect_words	(effect_names + AP_EFFECT_NOTIFY)
#define N_EFFECT_WORDS	(size_t)(AP_EFFECT_KILL - AP_EFFECT_NOTIFY + 1)
/* indexed by enum ap_op, which is enum actplane_op (internal.h asserts it) */
static const char *const op_words[__ACTPLANE_OP_MAX] = ACTPLANE_OP_NAMES;
static const char *const kind_words[] = { "file", "exec", "endpoint" };
static const char *const cond_words[] = { "target", "lineage-includes",
					  "after" };
static const char *const reserved[] = {
	"and", "or", "not", "true", "if", "unless", "because", "rule",
	"source", "declassify", "endorse", "by", "notify", "block", "kill",
	"since", "target", "after", "lineage-includes",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- lexer ------------------------------------------------------------------ */

static struct tok *push_tok(struct parser *p)
{
	struct tok *t = AR_PUSH(&p->tmp, p->t, p->n, p->cap);

	return t;
}

static bool is_word_char(unsigned char c)
{
	return c > ' ' && c != '"' && c != ':' && c != '=' && c != '(' &&
	       c != ')' && c != 0x7f;
}

/* the raw end of a string starting at s[i] == '"' (at its closing quote, or n) */
static size_t string_close(const char *s, size_t n, size_t i)
{
	size_t e = i + 1;

	while (e < n && s[e] != '"')
		e += s[e] == '\\' && e + 1 < n &&
		     (s[e + 1] == '"' || s[e + 1] == '\\') ? 2 : 1;
	return e;
}

/* does the line at s[i..] start like policy text ("rule x:", "block exec")? */
static bool line_is_code(const char *s, size_t n, size_t i)
{
	static const char *const heads[] = {
		"rule ", "source ", "declassify ", "endorse ", "because \"",
		"notify ", "block ", "kill ",
	};
	size_t k, l;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
		l = strlen(heads[k]);
		if (n - i < l || memcmp(s + i, heads[k], l))
			continue;
		if (k < 5)
			return true;
		/* an effect needs an operation after it */
		i += l;
		while (i < n && s[i] == ' ')
			i++;
		for (l = 0; l < N(op_words); l++) {
			size_t ol = strlen(op_words[l]);

			if (n - i > ol && !memcmp(s + i, op_words[l], ol) &&
			    (s[i + ol] == ' ' || s[i + ol] == '"'))
				return true;
		}
		return false;
	}
	return false;
}

/*
 * A string starting at s[i]: *end is where its closing quote is (or n) and
 * the return value is n when it is fine, else where to cut it because it
 * was left open: at its first line break, when it runs off the end of the
 * policy or swallows a line that reads like a rule ("because \"...",
 * "block exec ...").  Strings may span lines (a `because` text wraps; a path
 * may even hold a newline), so a line break alone says nothing.
 */
static size_t string_extent(struct parser *p, size_t i, size_t *end)
{
	const char *s = p->sn->dsl;
	size_t n = p->sn->len, nl, q;

	*end = string_close(s, n, i);
	nl = i + 1;
	while (nl < *end && s[nl] != '\n')
		nl++;
	if (nl >= *end)
		return n;		/* on one line */
	if (*end >= n)
		return nl;
	/* the closing quote counts: `because "` is where a text starts */
	for (q = nl; q < *end; q++)
		if (s[q] == '\n' && line_is_code(s, *end + 1, q + 1))
			return nl;
	return n;
}

static void unterminated(struct parser *p, struct tok *t, size_t start,
			 size_t close)
{
	const char *s = p->sn->dsl;
	size_t n = p->sn->len, q;
	unsigned line = t->line, fline, fcol;
	const char *hint;

	for (q = start; q < close && q < n; q++)
		line += s[q] == '\n';
	snippet_map_pos(p->sn, line, 0, &fline, &fcol);
	line = fline;
	if (close >= n)
		hint = "close it with '\"' (a '\"' inside a string is written \\\")";
	else
		hint = ar_printf(&p->tmp,
				 "close it with '\"' on this line; as written it runs on to the '\"' on line %u",
				 line + 1);
	perr_go_on(p, t, t->len, hint, "unterminated string");
}

static void lex_all(struct parser *p)
{
	const char *s = p->sn->dsl;
	size_t n = p->sn->len, i = 0;
	unsigned line = 0, col = 0, last_line = (unsigned)-1;
	struct tok *t;

	while (i < n) {
		unsigned char c = s[i];

		if (c == '\n') {
			line++;
			col = 0;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v') {
			i++;
			col++;
			continue;
		}
		if (c == '#') {
			while (i < n && s[i] != '\n') {
				i++;
				col++;
			}
			continue;
		}
		t = push_tok(p);
		t->off = i;
		t->line = line;
		t->col = col;
		t->bol = line != last_line;
		last_line = line;
		if (c == '"') {
			size_t j = i + 1, k = 0, end, stop;
			unsigned l2 = line, c2 = col + 1;
			char *out;

			/* where the string ends, or where an unclosed one is cut */
			stop = string_extent(p, i, &end);
			out = ar_alloc(&p->tmp, end - i + 1);
			if (stop < n) {
				/* unclosed: report it where it starts, at its line */
				size_t eol = stop;

				while (eol > i + 1 && (s[eol - 1] == '\r' ||
						       s[eol - 1] == ' ' ||
						       s[eol - 1] == '\t'))
					eol--;
				t->k = TK_STRING;
				t->len = eol - i;
				unterminated(p, t, i, end);
				for (j = i + 1; j < eol; j++)
					out[k++] = s[j];
				out[k] = '\0';
				t->s = out;
				col += stop - i;
				i = stop;
				continue;
			}

			while (j < n && s[j] != '"') {
				if (s[j] == '\\' && j + 1 < n &&
				    (s[j + 1] == '"' || s[j + 1] == '\\')) {
					out[k++] = s[j + 1];
					j += 2;
					c2 += 2;
					continue;
				}
				if (s[j] == '\0') {
					t->len = 1;
					t->line = l2;
					t->col = c2;
					perr(p, t, "remove the NUL character",
					     "NUL character in a string");
				}
				if (s[j] == '\n') {
					l2++;
					c2 = 0;
				} else {
					c2++;
				}
				out[k++] = s[j++];
			}
			if (j >= n) {
				t->k = TK_STRING;
				t->len = 1;
				perr(p, t,
				     "close the string with '\"' (a '\"' inside a string is written \\\")",
				     "unterminated string");
			}
			out[k] = '\0';
			t->k = TK_STRING;
			t->s = out;
			t->len = j + 1 - i;
			i = j + 1;
			line = l2;
			col = c2 + 1;
			continue;
		}
		if (c == ':' || c == '=' || c == '(' || c == ')') {
			t->k = c == ':' ? TK_COLON : c == '=' ? TK_EQ :
			       c == '(' ? TK_LPAREN : TK_RPAREN;
			t->len = 1;
			i++;
			col++;
			continue;
		}
		if (!is_word_char(c)) {
			t->k = TK_WORD;
			t->len = 1;
			if (c == 0)
				perr(p, t, "remove the NUL character",
				     "NUL character in the policy");
			perr(p, t, "remove the control character (only tab and newline may appear in the text)",
			     "unexpected control character 0x%02x", c);
		}
		{
			size_t j = i;

			while (j < n && is_word_char(s[j]))
				j++;
			t->k = TK_WORD;
			t->len = j - i;
			t->s = ar_strndup(&p->tmp, s + i, j - i);
			col += j - i;
			i = j;
		}
	}
	t = push_tok(p);
	t->k = TK_EOF;
	t->bol = true;
	if (p->n > 1) {
		/* point just after the last token */
		struct tok *last = &p->t[p->n - 2];
		size_t len;
		const char *l = dsl_line(p->sn, last->line, &len);

		t->line = last->line;
		t->col = last->col + last->len;
		if (l && t->col > len)
			t->col = len;
		if (last->k == TK_STRING && memchr(s + last->off, '\n',
						   last->len)) {
			t->line = last->line;
			t->col = last->col;
		}
	}
	t->len = 1;
}

/* returns false after reporting an error */
static bool lex(struct parser *p)
{
	/* an error during lexing unwinds to here */
	if (setjmp(p->jb))
		return false;
	lex_all(p);
	return true;
}

/* ---- token helpers ------------------------------------------------------------ */

static struct tok *peek(struct parser *p)
{
	return &p->t[p->i];
}

static struct tok *next(struct parser *p)
{
	struct tok *t = &p->t[p->i];

	if (t->k != TK_EOF)
		p->i++;
	return t;
}

static bool is_word(struct parser *p, const char *w)
{
	struct tok *t = peek(p);

	return t->k == TK_WORD && !strcmp(t->s, w);
}

static struct tok *expect_word(struct parser *p, const char *what,
			       const char *hint)
{
	struct tok *t = peek(p);

	if (t->k != TK_WORD)
		perr(p, t, hint, "expected %s, got %s", what, describe(p, t));
	return next(p);
}

static struct tok *expect_string(struct parser *p, const char *what,
				 const char *hint)
{
	struct tok *t = peek(p);

	if (t->k != TK_STRING) {
		if (t->k == TK_WORD)
			perr(p, t, hint ? hint :
			     "patterns and texts are written in double quotes",
			     "expected %s in double quotes, got %s", what,
			     describe(p, t));
		perr(p, t, hint, "expected %s, got %s", what, describe(p, t));
	}
	return next(p);
}

static void expect_keyword(struct parser *p, const char *kw, const char *hint)
{
	struct tok *t = peek(p);

	if (t->k != TK_WORD || strcmp(t->s, kw))
		perr(p, t, hint, "expected '%s', got %s", kw, describe(p, t));
	next(p);
}


static int word_index(const char *w, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(w, v[i]))
			return i;
	return -1;
}

static bool is_decl_word(const struct tok *t)
{
	return t->k == TK_WORD && word_index(t->s, decl_words,
					     N(decl_words)) >= 0;
}

static bool is_effect_word(const struct tok *t)
{
	return t->k == TK_WORD && word_index(t->s, effect_words, N_EFFECT_WORDS) >= 0;
}

static const char *suggest(struct parser *p, const char *w,
			   const char *const *v, size_t n, const char *fallback)
{
	const char *m = did_you_mean(w, v, n);

	if (m)
		return ar_printf(&p->tmp, "did you mean '%s'? %s", m, fallback);
	return fallback;
}

static enum ap_op parse_op(struct parser *p, const char *what)
{
	struct tok *t = peek(p);
	static const char ops_hint[] =
		"operations are exec, read, open, write, unlink, connect and recv";
	int i;

	if (t->k != TK_WORD)
		perr(p, t, ops_hint, "expected %s, got %s", what,
		     describe(p, t));
	i = word_index(t->s, op_words, N(op_words));
	if (i < 0)
		perr(p, t, suggest(p, t->s, op_words, N(op_words), ops_hint),
		     "unknown operation '%s'", t->s);
	next(p);
	return (enum ap_op)i;
}

static bool valid_name(const char *s, bool label)
{
	size_t i;

	if (!s[0] || strlen(s) >= AP_NAME_MAX)
		return false;
	if (label && !isalpha((unsigned char)s[0]) && s[0] != '_')
		return false;
	for (i = 0; s[i]; i++) {
		unsigned char c = s[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return word_index(s, reserved, N(reserved)) < 0;
}

/* ---- labels ------------------------------------------------------------------ */

static unsigned label_get(struct parser *p, struct tok *t)
{
	struct ap_policy *P = p->P;
	struct ap_label *l;
	size_t i;

	if (strlen(t->s) >= AP_LABEL_NAME_MAX)
		perr(p, t, ar_printf(&p->tmp, "the kernel module accepts label names of at most %d bytes; shorten it",
				     AP_LABEL_NAME_MAX - 1),
		     "label name '%.*s...' is %zu bytes long", 16, t->s,
		     strlen(t->s));
	if (!valid_name(t->s, true)) {
		if (word_index(t->s, reserved, N(reserved)) >= 0)
			perr(p, t, "label names are identifiers like SECRET or TASK_A",
			     "expected a label name, got the keyword '%s'",
			     t->s);
		perr(p, t,
		     "label names start with a letter or '_' and contain letters, digits, '_', '-' and '.'",
		     "invalid label name '%s'", t->s);
	}
	for (i = 0; i < P->n_labels; i++)
		if (!strcmp(P->labels[i].name, t->s))
			return i;
	if (P->n_labels == AP_MAX_LABELS) {
		limit_once(p, LIMIT_LABELS);
		perr(p, t, ar_printf(&p->tmp, "the kernel module holds at most %d distinct labels",
				     AP_MAX_LABELS),
		     "too many labels: '%s' would be label %d", t->s,
		     AP_MAX_LABELS + 1);
	}
	l = AR_PUSH(p->ar, P->labels, P->n_labels, p->b->cap_labels);
	l->name = ar_strdup(p->ar, t->s);
	l->bit = P->n_labels - 1;
	return l->bit;
}

/* ---- patterns ------------------------------------------------------------------ */

/*
 * `exec "git push"`: a program pattern is matched against the program's
 * path, so the space makes it a program called "git push".  Paths with a
 * spaced directory ("/opt/My Tools/bin/x") are left alone.
 */
static void warn_spaced_program(struct parser *p, struct tok *t, const char *w)
{
	const char *sp = strchr(w, ' ');
	char *fix, *o;

	if (w[0] == '/' && strchr(sp, '/'))
		return;
	/* "git push --force" -> "git" "push" "--force" */
	fix = o = ar_alloc(&p->tmp, 3 * strlen(w) + 3);
	*o++ = '"';
	for (; *w; w++) {
		if (*w != ' ') {
			*o++ = *w;
			continue;
		}
		while (w[1] == ' ')
			w++;
		if (w[1])
			o += sprintf(o, "\" \"");
	}
	*o++ = '"';
	*o = '\0';
	pwarn(p, t,
	      p->args_ok ?
	      ar_printf(&p->tmp, "did you mean `exec %s`? The program comes first, then each argument as a string of its own", fix) :
	      "a program pattern matches the program's path only; arguments can be matched by clauses (`block exec \"git\" \"push\"`)",
	      "program pattern \"%s\" contains a space, so it only matches a program whose file name has that space",
	      t->s);
}

/* `write "/etc"`: the directory itself, where its contents were meant */
static void warn_directory(struct parser *p, struct tok *t,
			   const struct ap_matcher *m)
{
	size_t len = strlen(t->s);
	struct stat st;

	if (stat(m->glob, &st) || !S_ISDIR(st.st_mode))
		return;
	pwarn(p, t,
	      ar_printf(&p->tmp, "did you mean \"%s%s**\" (everything below it)?",
			t->s, len && t->s[len - 1] == '/' ? "" : "/"),
	      "\"%s\" is a directory: the pattern matches the directory itself, not the files in it",
	      t->s);
}

static void build_path(struct parser *p, struct tok *t, struct ap_matcher *m,
		       bool exec)
{
	const char *why, *w = t->s;
	size_t len = strlen(w);

	if (len >= AP_PATTERN_MAX)
		perr(p, t, "patterns are limited to PATH_MAX (4096) bytes",
		     "pattern is %zu bytes long", len);
	why = matcher_build(p->ar, m, w, exec, p->P->base_dir);
	if (why) {
		const char *hint = NULL;

		if (w[0] == '~')
			hint = "write the absolute path, or \"**/NAME\" to match the name anywhere";
		else if (!w[0])
			hint = exec ? "write a program name like \"git\" or a path" :
				      "write a path or a glob like \"src/**\"";
		else
			hint = "patterns are paths with '*' (one segment), '**' (any depth) and '?'";
		perr(p, t, hint, "invalid pattern \"%s\": %s", w, why);
	}
	if (exec && strchr(w, ' '))
		warn_spaced_program(p, t, w);
	if (!exec && m->cls == AP_MATCH_EXACT)
		warn_directory(p, t, m);
	if (exec && !strchr(w, '/'))
		return;
	if (w[0] == '*' && w[1] != '*')
		pwarn(p, t,
		      ar_printf(&p->tmp, "write \"**/%s\" to match it in any directory", w),
		      "relative pattern \"%s\" only matches in %s (the policy's directory)",
		      w, p->P->base_dir);
	else if (len > 1 && w[len - 1] == '/')
		pwarn(p, t,
		      ar_printf(&p->tmp, "write \"%s**\" for everything below it", w),
		      "pattern \"%s\" ends with '/' and matches no file", w);
}

static void build_endpoint(struct parser *p, struct tok *t,
			   struct ap_endpoint *ep)
{
	const char *why, *hint;

	if (ap_endpoint_parse(t->s, ep, &why, &hint))
		perr(p, t, hint ? hint :
		     "endpoints look like \"*\", \"10.0.0.1:443\", \"10.0.0.0/8\", \"10.0.0.\", \"[::1]:443\" or \":53\"",
		     "invalid endpoint \"%s\": %s", t->s, why);
	ep->written = ar_strdup(p->ar, t->s);
}

static void build_target(struct parser *p, struct tok *t,
			 enum ap_target_kind kind, struct ap_target *out)
{
	out->kind = kind;
	if (kind == AP_TARGET_ENDPOINT)
		build_endpoint(p, t, &out->ep);
	else
		build_path(p, t, &out->path, kind == AP_TARGET_EXEC);
}

static enum ap_target_kind op_kind(enum ap_op op)
{
	switch (op) {
	case AP_OP_EXEC:
		return AP_TARGET_EXEC;
	case AP_OP_CONNECT:
	case AP_OP_RECV:
		return AP_TARGET_ENDPOINT;
	default:
		return AP_TARGET_FILE;
	}
}

/*
 * [KIND] STRING for operation op.  The kind word is optional (it defaults
 * from the operation) but must agree with it; exec also accepts a file
 * pattern (no basename rule then).
 */
static struct tok *parse_kind_pattern(struct parser *p, enum ap_op op,
				      enum ap_target_kind *kind)
{
	struct tok *t = peek(p);
	enum ap_target_kind want = op_kind(op);

	*kind = want;
	if (t->k == TK_WORD) {
		int k = word_index(t->s, kind_words, N(kind_words));

		if (k < 0)
			perr(p, t, ar_printf(&p->tmp,
					     "write the pattern in double quotes, e.g. %s %s",
					     ap_op_name(op),
					     want == AP_TARGET_EXEC ? "\"git\"" :
					     want == AP_TARGET_FILE ? "file \"src/**\"" :
					     "endpoint \"*\""),
			     "expected a quoted pattern after '%s', got %s",
			     ap_op_name(op), describe(p, t));
		if ((enum ap_target_kind)k != want &&
		    !(op == AP_OP_EXEC && k == AP_TARGET_FILE))
			perr(p, t, ar_printf(&p->tmp, "write `%s %s \"...\"`",
					     ap_op_name(op),
					     ap_target_kind_name(want)),
			     "'%s' applies to %s targets, not %s",
			     ap_op_name(op),
			     want == AP_TARGET_EXEC ? "program" :
			     want == AP_TARGET_FILE ? "file" : "endpoint",
			     t->s);
		*kind = k;
		next(p);
	}
	return expect_string(p, "a pattern", NULL);
}

/* trailing argument strings of an exec pattern */
static void parse_args(struct parser *p, enum ap_op op, char ***argv,
		       size_t *argc)
{
	size_t cap = 0;

	while (peek(p)->k == TK_STRING) {
		struct tok *t = peek(p);

		if (op != AP_OP_EXEC)
			perr(p, t, "argument strings follow exec patterns: block exec \"git\" \"push\"",
			     "only exec targets take argument strings");
		if (*argc == AP_MAX_ARGS)
			perr(p, t, "match the most telling arguments only", "too many argument strings (max %d)",
			     AP_MAX_ARGS);
		if (strlen(t->s) >= AP_TEXT_MAX || !t->s[0])
			perr(p, t, "an argument string is one non-empty argv entry", "argument strings must be 1..%d bytes",
			     AP_TEXT_MAX - 1);
		ar_reserve(p->ar, (void **)argv, *argc, &cap, sizeof(**argv));
		(*argv)[(*argc)++] = ar_strdup(p->ar, t->s);
		next(p);
	}
}

/* ---- expressions ------------------------------------------------------------- */

struct expr_ctx {
	struct ap_expr_insn *v;
	size_t n, cap;
	uint64_t mask;
	struct tok *mixed;	/* first operator that mixed and/or */
};

static void emit(struct parser *p, struct expr_ctx *e, enum ap_expr_op op,
		 unsigned bit)
{
	struct ap_expr_insn *i = AR_PUSH(&p->tmp, e->v, e->n, e->cap);

	i->op = op;
	i->bit = bit;
}

static void parse_expr(struct parser *p, struct expr_ctx *e, unsigned depth);

static void parse_unary(struct parser *p, struct expr_ctx *e, unsigned depth)
{
	struct tok *t = peek(p);

	if (depth > MAX_EXPR_NESTING)
		perr(p, t, "simplify the condition", "condition nested too deeply");
	if (t->k == TK_WORD && !strcmp(t->s, "not")) {
		next(p);
		parse_unary(p, e, depth + 1);
		emit(p, e, AP_EXPR_NOT, 0);
		return;
	}
	if (t->k == TK_WORD && !strcmp(t->s, "true")) {
		next(p);
		emit(p, e, AP_EXPR_PUSH_TRUE, 0);
		return;
	}
	if (t->k == TK_LPAREN) {
		struct tok *open = next(p);

		parse_expr(p, e, depth + 1);
		if (peek(p)->k != TK_RPAREN)
			perr(p, peek(p),
			     ar_printf(&p->tmp, "the '(' at column %u is not closed",
				       open->col + 1),
			     "expected ')', got %s", describe(p, peek(p)));
		next(p);
		return;
	}
	if (t->k == TK_WORD && word_index(t->s, reserved, N(reserved)) < 0) {
		struct label_info *li;
		unsigned bit = label_get(p, t);

		li = &p->b->labels[bit];
		if (!li->used) {
			li->used = true;
			li->use_file = p->sn->file;
			tok_pos(p, t, &li->use_line, &li->use_col);
			li->use_span = t->len;
		}
		e->mask |= 1ULL << bit;
		emit(p, e, AP_EXPR_PUSH_LABEL, bit);
		next(p);
		return;
	}
	perr(p, t, "a condition combines labels with not, and, or, true and parentheses",
	     "expected a label, 'not', 'true' or '(' in the condition, got %s",
	     describe(p, t));
}

static void parse_expr(struct parser *p, struct expr_ctx *e, unsigned depth)
{
	const char *last = NULL;

	parse_unary(p, e, depth);
	while (is_word(p, "and") || is_word(p, "or")) {
		struct tok *op = next(p);

		if (last && strcmp(last, op->s) && !e->mixed)
			e->mixed = op;
		last = op->s;
		parse_unary(p, e, depth);
		emit(p, e, !strcmp(op->s, "and") ? AP_EXPR_AND : AP_EXPR_OR, 0);
	}
}

static size_t expr_depth(const struct ap_expr_insn *v, size_t n)
{
	size_t sp = 0, max = 0, i;

	for (i = 0; i < n; i++) {
		if (v[i].op == AP_EXPR_PUSH_LABEL || v[i].op == AP_EXPR_PUSH_TRUE)
			sp++;
		else if (v[i].op == AP_EXPR_AND || v[i].op == AP_EXPR_OR)
			sp--;
		if (sp > max)
			max = sp;
	}
	return max;
}

static void parse_if(struct parser *p, struct ap_clause *c, struct tok *kw)
{
	struct expr_ctx e = { 0 };

	parse_expr(p, &e, 0);
	if (e.n > AP_EXPR_MAX_INSNS || expr_depth(e.v, e.n) > AP_EXPR_MAX_DEPTH)
		perr(p, kw, "split the clause into several clauses",
		     "condition too complex (%zu steps, depth %zu; the limits are %d and %d)",
		     e.n, expr_depth(e.v, e.n), AP_EXPR_MAX_INSNS,
		     AP_EXPR_MAX_DEPTH);
	c->expr = ar_alloc(p->ar, e.n * sizeof(*c->expr));
	memcpy(c->expr, e.v, e.n * sizeof(*c->expr));
	c->expr_len = e.n;
	c->label_mask = e.mask;
	if (e.mixed) {
		char *s = expr_string(p->P, c->expr, c->expr_len);

		pwarn(p, e.mixed,
		      "add parentheses to say which you mean; like ActPlane, this reads 'and' and 'or' strictly left to right",
		      "'and' and 'or' mixed without parentheses: read as %s",
		      ar_strdup(&p->tmp, s));
		free(s);
	}
}

/* ---- conditions ---------------------------------------------------------------- */

static unsigned lineage_get(struct parser *p, struct tok *t)
{
	struct ap_policy *P = p->P;
	struct ap_matcher m = { 0 };
	struct ap_lineage *l;
	size_t i;

	build_path(p, t, &m, true);
	for (i = 0; i < P->n_lineages; i++)
		if (!strcmp(P->lineages[i].exec.glob, m.glob))
			return i;
	if (P->n_lineages == AP_MAX_LINEAGES) {
		limit_once(p, LIMIT_LINEAGES);
		perr(p, t, "share programs between rules, or use a pattern that covers several", "too many distinct lineage-includes programs (max %d)",
		     AP_MAX_LINEAGES);
	}
	l = AR_PUSH(p->ar, P->lineages, P->n_lineages, p->b->cap_lineages);
	l->id = P->n_lineages - 1;
	l->exec = m;
	return l->id;
}

struct event {
	enum ap_op op;
	struct ap_target target;
	char **argv;
	size_t argc;
};

static void key_matcher(FILE *f, const struct ap_target *t)
{
	char buf[128];

	if (t->kind == AP_TARGET_ENDPOINT) {
		ap_endpoint_format(&t->ep, buf, sizeof(buf));
		fprintf(f, "E%s", buf);
	} else {
		fprintf(f, "%c%s", t->kind == AP_TARGET_EXEC ? 'X' : 'F',
			t->path.glob);
	}
}

static void key_event(FILE *f, const struct event *ev)
{
	size_t i;

	fprintf(f, "\x1e%d", ev->op);
	key_matcher(f, &ev->target);
	for (i = 0; i < ev->argc; i++)
		fprintf(f, "\x1f%s", ev->argv[i]);
}

static unsigned gate_get(struct parser *p, struct tok *at,
			 const struct event *g, int exit_status,
			 const struct event *since, size_t n_since)
{
	struct ap_policy *P = p->P;
	struct builder *b = p->b;
	struct ap_gate *gate;
	char *key = NULL;
	size_t klen = 0, i;
	FILE *f = open_memstream(&key, &klen);

	if (!f)
		perr(p, at, "free some memory and retry", "out of memory");
	key_event(f, g);
	fprintf(f, "\x1d%d", exit_status);
	for (i = 0; i < n_since; i++)
		key_event(f, &since[i]);
	fclose(f);
	for (i = 0; i < P->n_gates; i++) {
		if (!strcmp(b->gate_keys[i], key)) {
			free(key);
			return i;
		}
	}
	if (P->n_gates == AP_MAX_GATES) {
		free(key);
		limit_once(p, LIMIT_GATES);
		perr(p, at, "reuse the same `after ... since ...` condition across rules", "too many distinct `after` gates (max %d)",
		     AP_MAX_GATES);
	}
	gate = AR_PUSH(p->ar, P->gates, P->n_gates, b->cap_gates);
	b->gate_keys = ap_xrealloc(b->gate_keys,
				   P->n_gates * sizeof(*b->gate_keys));
	b->gate_keys[P->n_gates - 1] = key;
	gate->id = P->n_gates - 1;
	gate->op = g->op;
	gate->match = g->target.path;
	gate->argv = g->argv;
	gate->argc = g->argc;
	gate->exit_status = exit_status;
	tok_pos(p, at, &gate->loc.line, &gate->loc.col);
	gate->loc.line++;
	gate->loc.col++;
	for (i = 0; i < n_since; i++) {
		struct ap_invalidator *inv =
			AR_PUSH(p->ar, P->invalidators, P->n_invalidators,
				b->cap_invalidators);

		inv->gate = gate->id;
		inv->op = since[i].op;
		inv->match = since[i].target.path;
		inv->argv = since[i].argv;
		inv->argc = since[i].argc;
	}
	return gate->id;
}

/* OP [KIND] STRING STRING* for a gate or an invalidator */
static void parse_event(struct parser *p, struct event *ev, const char *what)
{
	enum ap_target_kind kind;
	struct tok *t;

	memset(ev, 0, sizeof(*ev));
	ev->op = parse_op(p, what);
	t = parse_kind_pattern(p, ev->op, &kind);
	if (kind == AP_TARGET_ENDPOINT) {
		/* checked by the caller; keep the pattern valid anyway */
		build_target(p, t, kind, &ev->target);
		return;
	}
	p->args_ok = true;
	build_target(p, t, kind, &ev->target);
	p->args_ok = false;
	parse_args(p, ev->op, &ev->argv, &ev->argc);
}

static void parse_after(struct parser *p, struct ap_cond *c, struct tok *kw)
{
	struct event g, *since = NULL;
	size_t n_since = 0, cap = 0;
	int exit_status = -1;
	struct tok *gt = peek(p);

	parse_event(p, &g, "an operation after 'after' (usually exec)");
	if (g.op == AP_OP_CONNECT || g.op == AP_OP_RECV)
		perr(p, gt, "gates are events of this session: `after exec \"pytest\"` (or read/write of a file)",
		     "'after %s' cannot be a gate", ap_op_name(g.op));
	if (is_word(p, "exits")) {
		struct tok *t = next(p), *n;
		char *end;
		long v;

		if (g.op != AP_OP_EXEC)
			perr(p, t, "an exit status arms a gate when a program exits: `after exec \"make\" \"test\" exits 0`",
			     "'exits' only applies to `after exec` gates");
		n = expect_word(p, "an exit status after 'exits'", "exits 0");
		errno = 0;
		v = strtol(n->s, &end, 10);
		if (*end || v < 0 || v > 255 || !isdigit((unsigned char)n->s[0]))
			perr(p, n, "exit statuses are 0..255",
			     "invalid exit status '%s'", n->s);
		exit_status = v;
	}
	if (is_word(p, "since")) {
		next(p);
		for (;;) {
			struct tok *et = peek(p);
			struct event ev;

			parse_event(p, &ev, "an operation after 'since'");
			/*
			 * The module watches exec, read, open, write and
			 * unlink invalidators (kmod/policy.c, ap_add_gate);
			 * a network event would be accepted here and then
			 * never make the gate stale, so it is refused.
			 */
			if (ev.op == AP_OP_CONNECT || ev.op == AP_OP_RECV)
				perr(p, et,
				     "only exec, read, open, write and unlink events make a gate stale; remove it, or gate on a file the network step writes (`since write \"...\"`)",
				     "'since %s' cannot make a gate stale",
				     ap_op_name(ev.op));
			ar_reserve(&p->tmp, (void **)&since, n_since, &cap,
				   sizeof(*since));
			since[n_since++] = ev;
			if (!is_word(p, "or"))
				break;
			next(p);
		}
	}
	c->kind = AP_COND_AFTER;
	c->id = gate_get(p, kw, &g, exit_status, since, n_since);
}

static const char *target_written(const struct ap_target *t)
{
	return t->kind == AP_TARGET_ENDPOINT ? t->ep.written : t->path.written;
}

/* the part of a glob before its first wildcard, and after its last */
static size_t glob_head(const char *g)
{
	return strcspn(g, "*?");
}

static const char *glob_tail(const char *g)
{
	const char *s = g + strlen(g);

	while (s > g && s[-1] != '*' && s[-1] != '?')
		s--;
	return s;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);

	return ls >= lf && !memcmp(s + ls - lf, suf, lf);
}

/*
 * Can some path match both globs?  Conservative: false only when they
 * cannot (an exact path the other does not match, fixed beginnings or
 * endings that disagree).
 */
static bool globs_may_meet(const struct ap_matcher *a, const struct ap_matcher *b)
{
	size_t ha = glob_head(a->glob), hb = glob_head(b->glob);
	const char *ta, *tb;

	if (!a->glob[ha])
		return ap_glob_match(b->glob, a->glob);
	if (!b->glob[hb])
		return ap_glob_match(a->glob, b->glob);
	if (memcmp(a->glob, b->glob, ha < hb ? ha : hb))
		return false;
	ta = glob_tail(a->glob);
	tb = glob_tail(b->glob);
	return ends_with(ta, tb) || ends_with(tb, ta);
}

static bool endpoints_may_meet(const struct ap_endpoint *a,
			       const struct ap_endpoint *b)
{
	unsigned bits, i;

	if (a->port && b->port && a->port != b->port)
		return false;
	if (!a->family || !b->family || a->family != b->family)
		return true;	/* any address, or v4 against v4-mapped v6 */
	bits = a->prefix_len < b->prefix_len ? a->prefix_len : b->prefix_len;
	for (i = 0; i < bits; i++)
		if ((a->addr[i / 8] ^ b->addr[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

static bool targets_may_meet(const struct ap_target *a, const struct ap_target *b)
{
	if (a->kind == AP_TARGET_ENDPOINT || b->kind == AP_TARGET_ENDPOINT)
		return a->kind != b->kind || endpoints_may_meet(&a->ep, &b->ep);
	return globs_may_meet(&a->path, &b->path);
}

/* does every target matching `in` also match `outer`? (only sure cases) */
static bool target_covers(const struct ap_target *outer, const struct ap_target *in)
{
	if (outer->kind == AP_TARGET_ENDPOINT || in->kind == AP_TARGET_ENDPOINT)
		return outer->kind == in->kind && !outer->ep.family &&
		       !outer->ep.port;
	if (outer->path.cls == AP_MATCH_ANY)
		return true;
	return !in->path.glob[glob_head(in->path.glob)] &&
	       ap_glob_match(outer->path.glob, in->path.glob);
}

static void parse_cond(struct parser *p, struct ap_clause *cl,
		       struct ap_cond *c)
{
	static const char cond_hint[] =
		"conditions are `target [not] \"PAT\"`, `lineage-includes exec \"PAT\"` and `after exec \"PAT\" [since write \"PAT\"]`";
	struct tok *t = peek(p), *pt;
	enum ap_target_kind kind;

	if (t->k != TK_WORD)
		perr(p, t, cond_hint, "expected a condition after 'unless', got %s",
		     describe(p, t));
	if (!strcmp(t->s, "target")) {
		next(p);
		if (is_word(p, "not")) {
			next(p);
			c->negate = true;
		}
		pt = parse_kind_pattern(p, cl->op, &kind);
		c->kind = AP_COND_TARGET;
		build_target(p, pt, kind, &c->target);
		if (!c->negate &&
		    ((kind != AP_TARGET_ENDPOINT &&
		      c->target.path.cls == AP_MATCH_ANY) ||
		     (kind == AP_TARGET_ENDPOINT &&
		      c->target.ep.family == 0 && !c->target.ep.port)))
			pwarn(p, pt, "remove the clause, or narrow the pattern",
			      "this clause can never fire: `unless target` matches every target");
		else if (!c->negate && !targets_may_meet(&cl->target, &c->target))
			pwarn(p, pt,
			      ar_printf(&p->tmp, "it exempts nothing, so the clause always applies; did you mean a pattern within \"%s\"?",
					target_written(&cl->target)),
			      "`unless target \"%s\"` can never hold: no target of the clause (\"%s\") matches it",
			      pt->s, target_written(&cl->target));
		else if (c->negate && target_covers(&c->target, &cl->target))
			pwarn(p, pt, "it exempts nothing, so the clause always applies; remove it or change the pattern",
			      "`unless target not \"%s\"` can never hold: every target of the clause (\"%s\") matches it",
			      pt->s, target_written(&cl->target));
		return;
	}
	if (!strcmp(t->s, "lineage-includes")) {
		next(p);
		expect_keyword(p, "exec",
			       "write `unless lineage-includes exec \"migrate\"`");
		pt = expect_string(p, "a program pattern", NULL);
		c->kind = AP_COND_LINEAGE;
		c->id = lineage_get(p, pt);
		return;
	}
	if (!strcmp(t->s, "after")) {
		next(p);
		parse_after(p, c, t);
		return;
	}
	perr(p, t, suggest(p, t->s, cond_words, N(cond_words), cond_hint),
	     "unknown condition '%s'", t->s);
}

/* ---- declarations ---------------------------------------------------------------- */

static void set_loc(struct parser *p, struct tok *t, struct ap_loc *loc)
{
	tok_pos(p, t, &loc->line, &loc->col);
	loc->line++;
	loc->col++;
}

static void parse_source(struct parser *p)
{
	struct tok *kw = next(p), *lt, *kt, *pt;
	struct ap_source *s;
	struct ap_target tg = { 0 };
	unsigned bit;
	int k;

	lt = expect_word(p, "a label name after 'source'",
			 "source SECRET = file \"**/.env\"");
	bit = label_get(p, lt);
	if (peek(p)->k != TK_EQ)
		perr(p, peek(p), "source SECRET = file \"**/.env\"",
		     "expected '=' after the label name, got %s",
		     describe(p, peek(p)));
	next(p);
	kt = expect_word(p, "a source kind (file, exec or endpoint)",
			 "source SECRET = file \"**/.env\"");
	k = word_index(kt->s, kind_words, N(kind_words));
	if (k < 0)
		perr(p, kt, suggest(p, kt->s, kind_words, N(kind_words),
				    "source kinds are file, exec and endpoint"),
		     "unknown source kind '%s'", kt->s);
	pt = expect_string(p, "a pattern", NULL);
	build_target(p, pt, k, &tg);
	if (peek(p)->k == TK_STRING)
		perr(p, peek(p), "declare one source per pattern",
		     "a source takes a single pattern");

	s = AR_PUSH(p->ar, p->P->sources, p->P->n_sources,
		    p->b->cap_sources);
	s->target = tg;
	s->label = bit;
	s->session_root = k == AP_TARGET_EXEC && tg.path.cls == AP_MATCH_ANY;
	set_loc(p, kw, &s->loc);
	p->b->labels[bit].introduced = true;
}

static void parse_xform(struct parser *p)
{
	struct tok *kw = next(p), *lt, *pt;
	bool endorse = !strcmp(kw->s, "endorse");
	struct ap_transform *x;
	struct ap_matcher m = { 0 };
	unsigned bit;

	lt = expect_word(p, ar_printf(&p->tmp, "a label name after '%s'",
				      kw->s),
			 endorse ? "endorse REVIEWED by exec \"human-approve\"" :
				   "declassify SECRET by exec \"redact\"");
	bit = label_get(p, lt);
	expect_keyword(p, "by", endorse ?
		       "endorse REVIEWED by exec \"human-approve\"" :
		       "declassify SECRET by exec \"redact\"");
	expect_keyword(p, "exec", "transforms are triggered by running a program: `by exec \"PROGRAM\"`");
	pt = expect_string(p, "a program pattern", NULL);
	build_path(p, pt, &m, true);

	x = AR_PUSH(p->ar, p->P->transforms, p->P->n_transforms,
		    p->b->cap_transforms);
	x->kind = endorse ? AP_TRANSFORM_ENDORSE : AP_TRANSFORM_DECLASSIFY;
	x->label = bit;
	x->exec = m;
	set_loc(p, kw, &x->loc);
	if (endorse) {
		p->b->labels[bit].introduced = true;
	} else if (!p->b->labels[bit].declassified) {
		struct label_info *li = &p->b->labels[bit];

		li->declassified = true;
		if (!li->used) {
			/* remember where, for the "never introduced" warning */
			li->use_file = p->sn->file;
			tok_pos(p, lt, &li->use_line, &li->use_col);
			li->use_span = lt->len;
		}
	}
}

static void parse_clause(struct parser *p, struct ap_clause *c)
{
	struct tok *et = next(p), *pt, *t;
	enum ap_target_kind kind;
	bool have_if = false;

	c->effect = (enum ap_effect)(AP_EFFECT_NOTIFY +
				     word_index(et->s, effect_words, N_EFFECT_WORDS));
	set_loc(p, et, &c->loc);
	c->op = parse_op(p, ar_printf(&p->tmp, "an operation after '%s'",
				      et->s));
	pt = parse_kind_pattern(p, c->op, &kind);
	p->args_ok = true;
	build_target(p, pt, kind, &c->target);
	p->args_ok = false;
	parse_args(p, c->op, &c->argv, &c->argc);
	if (is_word(p, "@arg"))
		perr(p, peek(p), "write the arguments as strings after the pattern: `block exec \"git\" \"commit\"`",
		     "the '@arg' form was removed");

	for (;;) {
		t = peek(p);
		if (is_word(p, "if")) {
			if (have_if)
				perr(p, t, "combine the conditions with 'and'",
				     "a clause has one 'if' condition");
			have_if = true;
			next(p);
			parse_if(p, c, t);
		} else if (is_word(p, "unless")) {
			size_t cap = c->n_unless;

			if (c->n_unless == AP_MAX_UNLESS)
				perr(p, t, "split the clause, or cover several exemptions with one pattern",
				     "more than %d `unless` conditions on one clause", AP_MAX_UNLESS);
			next(p);
			ar_reserve(p->ar, (void **)&c->unless, c->n_unless,
				   &cap, sizeof(*c->unless));
			memset(&c->unless[c->n_unless], 0,
			       sizeof(*c->unless));
			parse_cond(p, c, &c->unless[c->n_unless]);
			c->n_unless++;
		} else {
			break;
		}
	}
	t = peek(p);
	if (t->k != TK_EOF && !t->bol && !is_effect_word(t) &&
	    !is_decl_word(t) && !is_word(p, "because")) {
		/* on the clause's line, after it: a misspelt keyword? */
		static const char *const clause_words[] = {
			"if", "unless", "and", "or", "not", "since", "exits",
			"target", "lineage-includes", "after",
		};

		if (t->k == TK_STRING)
			perr(p, t, "exec targets take argument strings; other patterns take one string",
			     "unexpected extra string %s", describe(p, t));
		perr(p, t, t->k == TK_WORD ?
		     suggest(p, t->s, clause_words, N(clause_words),
			     "a clause goes on with `if CONDITION` or `unless ...`") :
		     "a clause goes on with `if CONDITION` or `unless ...`",
		     "unexpected %s in the clause", describe(p, t));
	}
	if (!have_if) {
		c->expr = ar_alloc(p->ar, sizeof(*c->expr));
		c->expr[0].op = AP_EXPR_PUSH_TRUE;
		c->expr_len = 1;
	}
}

static char *fold_text(struct parser *p, const char *s)
{
	/* a `because` text may wrap lines: fold the breaks into spaces */
	char *out = ar_alloc(p->ar, strlen(s) + 1), *o = out;

	while (*s) {
		if (*s == '\n' || *s == '\r') {
			while (*s == '\n' || *s == '\r' || *s == ' ' ||
			       *s == '\t')
				s++;
			if (o > out && o[-1] != ' ' && *s)
				*o++ = ' ';
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* a rule body being parsed */
struct rule_st {
	struct tok *nt, *bt;
	struct ap_clause *clauses;
	size_t n, cap;
	const char *because;
	bool bad;		/* an error was reported in it */
};

/* words that may start a line inside a rule, for did-you-mean */
static const char *const rule_line_words[] = {
	"notify", "block", "kill", "because", "if", "unless", "and", "or",
	"since", "rule", "source", "declassify", "endorse",
};

/* after an error inside a rule: a line start where parsing can go on */
static bool rule_resync(const struct tok *t)
{
	return t->k == TK_EOF ||
	       (t->bol && t->k == TK_WORD &&
		(is_effect_word(t) || is_decl_word(t) ||
		 !strcmp(t->s, "because") ||
		 word_index(t->s, reserved, N(reserved)) < 0));
}

/* one clause or `because` of a rule; false at the end of the rule */
static bool rule_item(struct parser *p, struct rule_st *st)
{
	struct tok *t = peek(p), *nt = st->nt;

	p->args_ok = false;	/* an error may have left it set */
	if (is_effect_word(t)) {
		struct ap_clause *c;

		if (st->n == AP_MAX_CLAUSES)
			perr(p, t, "split the rule", "too many clauses in rule '%s' (max %d)",
			     nt->s, AP_MAX_CLAUSES);
		ar_reserve(p->ar, (void **)&st->clauses, st->n, &st->cap,
			   sizeof(*st->clauses));
		c = &st->clauses[st->n];
		memset(c, 0, sizeof(*c));
		parse_clause(p, c);
		st->n++;
	} else if (is_word(p, "because")) {
		if (st->bt)
			perr(p, t, "merge the texts into one `because`",
			     "rule '%s' has a second 'because'", nt->s);
		st->bt = next(p);
		t = expect_string(p, "the reason text after 'because'",
				  "because \"tests are stale; re-run them, then commit\"");
		if (strlen(t->s) >= AP_TEXT_MAX)
			perr(p, t, "keep the reason short; the agent reads it after every violation", "'because' text longer than %d bytes",
			     AP_TEXT_MAX - 1);
		st->because = t->s;
	} else if (is_word(p, "deny")) {
		perr(p, t, "start each clause with its effect: `block exec \"git\" \"push\"` (the `deny ... effect` form was removed)",
		     "'deny' is not an effect");
	} else if (is_word(p, "reason")) {
		perr(p, t, "write `because \"...\"`",
		     "'reason' was renamed to 'because'");
	} else if (is_word(p, "effect") || is_word(p, "remediation")) {
		perr(p, t, t->s[0] == 'e' ?
		     "put the effect at the start of each clause: notify, block or kill" :
		     "put the remediation into the `because` text",
		     "'%s' lines are not part of the language", t->s);
	} else if (t->k == TK_WORD && t->bol && !is_decl_word(t) &&
		   !(p->i + 2 < p->n && p->t[p->i + 1].k == TK_WORD &&
		     p->t[p->i + 2].k == TK_COLON)) {
		/* a misspelt keyword (not a misspelt `rule NAME:`) */
		perr(p, t, suggest(p, t->s, rule_line_words, N(rule_line_words),
				   "a rule holds clauses that start with notify, block or kill, and a `because` text"),
		     "unknown keyword '%s' in rule '%s'", t->s, nt->s);
	} else {
		return false;
	}
	return true;
}

/*
 * rule_item, recovering from an error inside it at the next line that can
 * go on the rule (or end it), so every mistake in a rule is reported.
 */
static bool rule_item_guarded(struct parser *p, struct rule_st *st)
{
	jmp_buf outer;
	size_t start = p->i;
	bool more;

	memcpy(outer, p->jb, sizeof(outer));
	if (setjmp(p->jb)) {
		memcpy(p->jb, outer, sizeof(outer));
		st->bad = true;
		if (++p->nerr >= MAX_ERRORS_PER_SNIPPET)
			longjmp(p->jb, 1);
		if (p->i == start && peek(p)->k != TK_EOF)
			next(p);
		while (!rule_resync(peek(p)))
			next(p);
		return peek(p)->k != TK_EOF;
	}
	more = rule_item(p, st);
	memcpy(p->jb, outer, sizeof(outer));
	return more;
}

static void parse_rule(struct parser *p)
{
	struct tok *kw = next(p), *nt, *bt;
	struct rule_st st = { .because = "" };
	struct ap_clause *clauses;
	size_t n, i;
	struct ap_rule *r;
	const char *because;
	long dup;

	nt = expect_word(p, "a rule name after 'rule'", "rule no-git-push:");
	if (strlen(nt->s) >= AP_NAME_MAX)
		perr(p, nt, ar_printf(&p->tmp, "the kernel module accepts rule names of at most %d bytes; shorten it",
				      AP_NAME_MAX - 1),
		     "rule name '%.*s...' is %zu bytes long", 16, nt->s,
		     strlen(nt->s));
	if (!valid_name(nt->s, false))
		perr(p, nt, "rule names contain letters, digits, '_', '-' and '.'",
		     "invalid rule name '%s'", nt->s);
	if (peek(p)->k != TK_COLON)
		perr(p, peek(p), ar_printf(&p->tmp, "write `rule %s:`", nt->s),
		     "expected ':' after the rule name, got %s",
		     describe(p, peek(p)));
	next(p);
	p->rule_name = nt->s;

	st.nt = nt;
	while (rule_item_guarded(p, &st))
		;
	/* its errors are reported: no follow-on "no clauses" */
	if (st.bad) {
		p->rule_name = NULL;
		return;
	}
	clauses = st.clauses;
	n = st.n;
	bt = st.bt;
	because = st.because;
	if (!n)
		perr(p, nt, "add a clause such as `block exec \"git\" \"push\"`",
		     "rule '%s' has no clauses", nt->s);
	if (p->P->n_rules == AP_MAX_RULES) {
		/* said once; the rules after it are still checked */
		limit_once(p, LIMIT_RULES);
		perr(p, nt, "split the policy into domains, or merge rules that share a `because`",
		     "too many rules: '%s' would be rule %d, the kernel module's limit is %d",
		     nt->s, AP_MAX_RULES + 1, AP_MAX_RULES);
	}
	r = AR_PUSH(p->ar, p->P->rules, p->P->n_rules, p->b->cap_rules);
	r->id = p->P->n_rules - 1;
	r->name = ar_strdup(p->ar, nt->s);
	dup = strmap_put(&p->b->rule_names, r->name, (long)r->id);
	if (dup >= 0)
		perr(p, nt, ar_printf(&p->tmp, "the first '%s' is at line %u",
				      nt->s, p->P->rules[dup].loc.line),
		     "duplicate rule name '%s'", nt->s);
	r->because = fold_text(p, because);
	r->clauses = clauses;
	r->n_clauses = n;
	r->binding = p->sn->binding ? ar_strdup(p->ar, p->sn->binding) : NULL;
	r->mode = p->sn->mode;
	set_loc(p, kw, &r->loc);
	p->rule_name = NULL;

	if (!bt)
		pwarn(p, nt, "add `because \"...\"` so the agent learns why and what to do instead",
		      "rule '%s' has no 'because' text", nt->s);
	for (i = 0; i < n; i++) {
		struct clause_info *ci;
		struct builder *b = p->b;

		if (b->n_clauses == b->cap_clauses) {
			b->cap_clauses = b->cap_clauses ? b->cap_clauses * 2 : 64;
			b->clauses = ap_xrealloc(b->clauses, b->cap_clauses *
						 sizeof(*b->clauses));
		}
		ci = &b->clauses[b->n_clauses++];
		ci->rule = r->id;
		ci->clause = i;
		ci->file = p->sn->file;
		ci->line = clauses[i].loc.line - 1;
		ci->col = clauses[i].loc.col - 1;
		ci->span = strlen(ap_effect_name(clauses[i].effect));
	}
}

static void parse_decl(struct parser *p)
{
	struct tok *t = peek(p);

	p->args_ok = false;	/* an error may have left it set */

	if (t->k == TK_WORD) {
		if (!strcmp(t->s, "source")) {
			parse_source(p);
			return;
		}
		if (!strcmp(t->s, "declassify") || !strcmp(t->s, "endorse")) {
			parse_xform(p);
			return;
		}
		if (!strcmp(t->s, "rule")) {
			parse_rule(p);
			return;
		}
		if (!strcmp(t->s, "label"))
			perr(p, t, "declare where the label comes from: `source NAME = exec|file|endpoint \"PATTERN\"`",
			     "the 'label' declaration was removed");
		if (is_effect_word(t) || !strcmp(t->s, "because") ||
		    !strcmp(t->s, "if") || !strcmp(t->s, "unless"))
			perr(p, t, "clauses and 'because' belong to a rule: start it with `rule NAME:`",
			     "'%s' outside of a rule", t->s);
		perr(p, t, suggest(p, t->s, decl_words, N(decl_words),
				   "declarations are source, declassify, endorse and rule"),
		     "unknown declaration '%s'", t->s);
	}
	if (t->k == TK_STRING && p->i > 0 && p->t[p->i - 1].k == TK_STRING)
		perr(p, t, "exec targets take argument strings; other patterns take one string",
		     "unexpected extra string %s", describe(p, t));
	perr(p, t, "declarations are source, declassify, endorse and rule",
	     "expected a declaration, got %s", describe(p, t));
}

/*
 * Skip to the next line that starts with a word that cannot continue a
 * clause: a declaration, or (likely) a misspelt one.
 */
static bool resync_point(const struct tok *t)
{
	return t->bol && t->k == TK_WORD &&
	       (is_decl_word(t) || word_index(t->s, reserved, N(reserved)) < 0);
}

static void recover(struct parser *p)
{
	if (p->i == p->decl_start && peek(p)->k != TK_EOF)
		next(p);
	while (peek(p)->k != TK_EOF && !resync_point(peek(p)))
		next(p);
}

static void parse_all(struct parser *p)
{
	while (peek(p)->k != TK_EOF) {
		if (setjmp(p->jb)) {
			if (++p->nerr >= MAX_ERRORS_PER_SNIPPET)
				return;
			recover(p);
			continue;
		}
		p->decl_start = p->i;
		parse_decl(p);
	}
}

void dsl_compile(struct builder *b, const struct snippet *sn)
{
	struct snippet isn = *sn;
	struct parser p;
	size_t *lines, n = 1, i;

	/* index the snippet's lines once: positions are mapped per token */
	for (i = 0; i < sn->len; i++)
		n += sn->dsl[i] == '\n';
	lines = ap_xmalloc(n * sizeof(*lines));
	lines[0] = 0;
	for (i = 0, n = 1; i < sn->len; i++)
		if (sn->dsl[i] == '\n')
			lines[n++] = i + 1;
	isn.dsl_lines = lines;
	isn.n_dsl_lines = n;

	memset(&p, 0, sizeof(p));
	p.b = b;
	p.P = b->p;
	p.ar = b->ar;
	p.sn = &isn;
	if (lex(&p))
		parse_all(&p);
	ar_release(&p.tmp);
	free(lines);
}

/* ---- builder ----------------------------------------------------------------------- */

void builder_init(struct builder *b, struct ap_arena *ar, struct ap_policy *p,
		  struct ap_diag *diag)
{
	memset(b, 0, sizeof(*b));
	b->ar = ar;
	b->p = p;
	b->diag = diag;
}

void builder_destroy(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->p->n_gates; i++)
		free(b->gate_keys[i]);
	free(b->gate_keys);
	free(b->clauses);
	strmap_free(&b->rule_names);
	b->gate_keys = NULL;
	b->clauses = NULL;
}

/* can the program be true with labels outside `allowed` clear? */
static int satisfiable(const struct ap_clause *c, uint64_t allowed)
{
	uint64_t vars = c->label_mask & allowed, v;
	unsigned bits[AP_MAX_LABELS], nb = 0, i;
	uint64_t k;

	for (i = 0; i < 64; i++)
		if (vars >> i & 1)
			bits[nb++] = i;
	if (nb > 16)
		return -1;	/* too many to enumerate: assume yes */
	for (k = 0; k < (1ULL << nb); k++) {
		v = 0;
		for (i = 0; i < nb; i++)
			if (k >> i & 1)
				v |= 1ULL << bits[i];
		if (ap_expr_eval(c->expr, c->expr_len, v) == 1)
			return 1;
	}
	return 0;
}

/* the introduced label closest to a name nothing introduces, or NULL */
static const char *near_label(const struct builder *b, const char *name)
{
	const char *cands[AP_MAX_LABELS];
	size_t i, n = 0;

	for (i = 0; i < b->p->n_labels; i++)
		if (b->labels[i].introduced)
			cands[n++] = b->p->labels[i].name;
	return did_you_mean(name, cands, n);
}

void builder_finish(struct builder *b)
{
	struct ap_policy *P = b->p;
	uint64_t introduced = 0;
	const char *near;
	size_t i;

	if (b->no_warnings)
		return;
	for (i = 0; i < P->n_labels; i++) {
		struct label_info *li = &b->labels[i];
		char hint[2 * AP_NAME_MAX + 128];

		if (li->introduced) {
			introduced |= 1ULL << i;
			continue;
		}
		if (!li->used && !li->declassified)
			continue;
		near = near_label(b, P->labels[i].name);
		if (near)
			snprintf(hint, sizeof(hint), "did you mean %s?", near);
		else
			snprintf(hint, sizeof(hint),
				 "add `source %s = exec|file|endpoint \"...\"` or `endorse %s by exec \"...\"`",
				 P->labels[i].name, P->labels[i].name);
		diag_add(b->diag, AP_SEV_WARNING, li->use_file, li->use_line,
			 li->use_col, li->use_span, hint,
			 li->used ? "label '%s' is never introduced by a source or an endorse, so it is never set" :
				    "label '%s' is declassified but never introduced",
			 P->labels[i].name);
	}
	for (i = 0; i < b->n_clauses; i++) {
		const struct clause_info *ci = &b->clauses[i];
		const struct ap_rule *r = &P->rules[ci->rule];
		const struct ap_clause *c = &r->clauses[ci->clause];
		int sat_all = satisfiable(c, ~0ULL);

		if (sat_all == 0)
			diag_add(b->diag, AP_SEV_WARNING, ci->file, ci->line,
				 ci->col, ci->span,
				 "the 'if' condition is a contradiction; rewrite or remove the clause",
				 "this clause of rule '%s' can never fire",
				 r->name);
		else if (satisfiable(c, introduced) == 0)
			diag_add(b->diag, AP_SEV_WARNING, ci->file, ci->line,
				 ci->col, ci->span,
				 "its 'if' condition needs a label that no source or endorse introduces",
				 "this clause of rule '%s' can never fire",
				 r->name);
	}
}

/* ---- rendering a condition program -------------------------------------------------- */

char *expr_string(const struct ap_policy *p, const struct ap_expr_insn *e,
		  size_t n)
{
	char *st[AP_EXPR_MAX_DEPTH + 1], *out;
	size_t sp = 0, i;
	bool bad = false;

	for (i = 0; i < n && !bad; i++) {
		char *a, *b;

		switch (e[i].op) {
		case AP_EXPR_PUSH_TRUE:
		case AP_EXPR_PUSH_LABEL:
			if (sp > AP_EXPR_MAX_DEPTH) {
				bad = true;
				break;
			}
			if (e[i].op == AP_EXPR_PUSH_TRUE)
				st[sp++] = ap_xstrdup("true");
			else if (p && e[i].bit < p->n_labels)
				st[sp++] = ap_xstrdup(p->labels[e[i].bit].name);
			else
				st[sp++] = ap_xasprintf("L%u", e[i].bit);
			break;
		case AP_EXPR_NOT:
			if (!sp) {
				bad = true;
				break;
			}
			a = st[sp - 1];
			st[sp - 1] = ap_xasprintf("not %s", a);
			free(a);
			break;
		case AP_EXPR_AND:
		case AP_EXPR_OR:
			if (sp < 2) {
				bad = true;
				break;
			}
			b = st[--sp];
			a = st[sp - 1];
			st[sp - 1] = ap_xasprintf("(%s %s %s)", a,
						  e[i].op == AP_EXPR_AND ? "and" : "or",
						  b);
			free(a);
			free(b);
			break;
		default:
			bad = true;
		}
	}
	if (bad || sp != 1) {
		out = ap_xstrdup("<malformed>");
	} else {
		size_t l = strlen(st[0]);

		/* a binary operator at the top wraps it all: drop that pair */
		if ((e[n - 1].op == AP_EXPR_AND || e[n - 1].op == AP_EXPR_OR) &&
		    l > 2)
			out = ap_xstrndup(st[0] + 1, l - 2);
		else
			out = ap_xstrdup(st[0]);
	}
	while (sp)
		free(st[--sp]);
	return out;
}

char *ap_expr_format(const struct ap_policy *p, const struct ap_expr_insn *e,
		     size_t n, char *buf, size_t len)
{
	char *s = expr_string(p, e, n);

	snprintf(buf, len, "%s", s);
	free(s);
	return buf;
}
