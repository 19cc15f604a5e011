/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the policy compiler shared by its translation units: the
 * arena that owns a compiled policy, source texts with a line index, the
 * diagnostics helpers and the compile context (struct builder) that the DSL
 * parser fills and the YAML front end drives.
 */
#ifndef ACTPLANE_POLICY_INTERNAL_H
#define ACTPLANE_POLICY_INTERNAL_H

#include <stdarg.h>
#include <limits.h>
#include "policy.h"

/*
 * The compiled policy is sent to the module with these values as they are
 * (userspace/load.c): the enums must mirror the UAPI's, one for one.
 */
#define AP_SAME(a, b) _Static_assert((int)(a) == (int)(b), #a " != " #b)
AP_SAME(AP_OP_EXEC, ACTPLANE_OP_EXEC);
AP_SAME(AP_OP_READ, ACTPLANE_OP_READ);
AP_SAME(AP_OP_OPEN, ACTPLANE_OP_OPEN);
AP_SAME(AP_OP_WRITE, ACTPLANE_OP_WRITE);
AP_SAME(AP_OP_UNLINK, ACTPLANE_OP_UNLINK);
AP_SAME(AP_OP_CONNECT, ACTPLANE_OP_CONNECT);
AP_SAME(AP_OP_RECV, ACTPLANE_OP_RECV);
AP_SAME(AP_OP__COUNT, __ACTPLANE_OP_MAX);
AP_SAME(AP_EFFECT_NOTIFY, ACTPLANE_EFFECT_NOTIFY);
AP_SAME(AP_EFFECT_BLOCK, ACTPLANE_EFFECT_BLOCK);
AP_SAME(AP_EFFECT_KILL, ACTPLANE_EFFECT_KILL);
AP_SAME(AP_TARGET_FILE, ACTPLANE_TARGET_FILE);
AP_SAME(AP_TARGET_EXEC, ACTPLANE_TARGET_EXEC);
AP_SAME(AP_TARGET_ENDPOINT, ACTPLANE_TARGET_ENDPOINT);
AP_SAME(AP_MATCH_ANY, ACTPLANE_MATCH_ANY);
AP_SAME(AP_MATCH_EXACT, ACTPLANE_MATCH_EXACT);
AP_SAME(AP_MATCH_BASENAME, ACTPLANE_MATCH_BASENAME);
AP_SAME(AP_MATCH_PREFIX, ACTPLANE_MATCH_PREFIX);
AP_SAME(AP_MATCH_SUFFIX, ACTPLANE_MATCH_SUFFIX);
AP_SAME(AP_MATCH_GLOB, ACTPLANE_MATCH_GLOB);
AP_SAME(AP_TRANSFORM_DECLASSIFY, ACTPLANE_TRANSFORM_DECLASSIFY);
AP_SAME(AP_TRANSFORM_ENDORSE, ACTPLANE_TRANSFORM_ENDORSE);
AP_SAME(AP_COND_TARGET, ACTPLANE_COND_TARGET);
AP_SAME(AP_COND_LINEAGE, ACTPLANE_COND_LINEAGE);
AP_SAME(AP_COND_AFTER, ACTPLANE_COND_AFTER);
AP_SAME(AP_EXPR_PUSH_LABEL, ACTPLANE_EXPR_LABEL);
AP_SAME(AP_EXPR_PUSH_TRUE, ACTPLANE_EXPR_TRUE);
AP_SAME(AP_EXPR_NOT, ACTPLANE_EXPR_NOT);
AP_SAME(AP_EXPR_AND, ACTPLANE_EXPR_AND);
AP_SAME(AP_EXPR_OR, ACTPLANE_EXPR_OR);
_Static_assert(AP_MAX_LABELS <= 64, "label sets are 64-bit masks");
_Static_assert(AP_NAME_MAX > AP_LABEL_NAME_MAX, "rule names may be longer");

/* ---- allocation (abort on failure) ------------------------------------- */
void *ap_xmalloc(size_t n);
void *ap_xcalloc(size_t n, size_t size);
void *ap_xrealloc(void *p, size_t n);
char *ap_xstrdup(const char *s);
char *ap_xstrndup(const char *s, size_t n);
char *ap_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Everything a compiled policy points to lives in one arena. */
struct ap_arena {
	struct ap_chunk *head;
};

void *ar_alloc(struct ap_arena *a, size_t n);	/* zeroed */
char *ar_strdup(struct ap_arena *a, const char *s);
char *ar_strndup(struct ap_arena *a, const char *s, size_t n);
char *ar_printf(struct ap_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* make room for one more element in *arr (n used, *cap allocated) */
void ar_reserve(struct ap_arena *a, void **arr, size_t n, size_t *cap,
		size_t elem);
void ar_release(struct ap_arena *a);

#define AR_PUSH(ar, arr, n, cap)						\
	(ar_reserve((ar), (void **)&(arr), (n), &(cap), sizeof(*(arr))),	\
	 memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

/* ---- source texts ------------------------------------------------------ */
struct ap_text {
	const char *name;	/* file name shown in diagnostics */
	const char *s;
	size_t len;
	size_t *lines;		/* offset of each line start */
	size_t n_lines;
};

void text_init(struct ap_text *t, const char *name, const char *s, size_t len);
void text_free(struct ap_text *t);
/* line (0-based) without its newline; NULL if out of range */
const char *text_line(const struct ap_text *t, unsigned line, size_t *len);

/* ---- diagnostics ------------------------------------------------------- */
#define AP_NOPOS UINT_MAX

/* line/col 0-based in t (line AP_NOPOS: no position) */
void diag_add(struct ap_diag *d, enum ap_severity sev, const struct ap_text *t,
	      unsigned line, unsigned col, unsigned span, const char *hint,
	      const char *fmt, ...) __attribute__((format(printf, 8, 9)));
void diag_vadd(struct ap_diag *d, enum ap_severity sev,
	       const struct ap_text *t, unsigned line, unsigned col,
	       unsigned span, const char *hint, const char *fmt, va_list ap)
	__attribute__((format(printf, 8, 0)));
/* at @line:@col (1-based; line 0: unknown) of @file, when its text is gone */
void diag_add_at(struct ap_diag *d, enum ap_severity sev, const char *file, unsigned line,
		 unsigned col, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* closest candidate within a small edit distance, or NULL */
const char *did_you_mean(const char *word, const char *const *cands, size_t n);

/* ---- a DSL snippet and where it sits in the YAML file ------------------- */
enum snippet_map {
	MAP_DIRECT,	/* the DSL is the file (raw DSL input) */
	MAP_BLOCK,	/* literal block scalar: line0 + line, indent + col */
	MAP_INLINE,	/* single-line scalar: line0, col0 + col */
	MAP_FIXED,	/* anything else: always line0:col0 */
};

struct snippet {
	const struct ap_text *file;	/* positions and lines are shown here */
	enum snippet_map map;
	unsigned line0, col0;		/* 0-based, see enum snippet_map */
	unsigned fix_line, fix_col;	/* fallback: where the scalar starts */
	const char *dsl;
	size_t len;
	const char *binding;		/* catalog rule key or NULL */
	enum ap_bind_mode mode;
	/* offset of each DSL line start (set by dsl_compile; NULL: scan) */
	const size_t *dsl_lines;
	size_t n_dsl_lines;
};

/* map a DSL position (0-based) to a position in sn->file (0-based) */
void snippet_map_pos(const struct snippet *sn, unsigned line, unsigned col,
		     unsigned *fline, unsigned *fcol);

/* ---- compile context ---------------------------------------------------- */
struct label_info {
	bool introduced;	/* by a source or an endorse */
	bool used;		/* read by some `if` */
	bool declassified;
	const struct ap_text *use_file;	/* first use in an `if` */
	unsigned use_line, use_col, use_span;
};

/* ---- string -> index maps (keys are borrowed, not copied) ---------------- */
struct strmap {
	const char **keys;
	long *vals;
	size_t n, cap;
};

long strmap_get(const struct strmap *m, const char *key);	/* -1: absent */
/* insert; returns the existing value (and changes nothing) or -1 */
long strmap_put(struct strmap *m, const char *key, long val);
void strmap_free(struct strmap *m);

struct clause_info {
	unsigned rule, clause;
	const struct ap_text *file;
	unsigned line, col, span;
};

struct builder {
	struct ap_arena *ar;
	struct ap_policy *p;
	struct ap_diag *diag;
	unsigned errors;
	bool no_warnings;	/* scratch compile of an unselected snippet */
	unsigned limits_said;	/* module limits already reported (dsl.c) */

	size_t cap_labels, cap_sources, cap_transforms, cap_gates;
	size_t cap_invalidators, cap_lineages, cap_rules;
	struct label_info labels[AP_MAX_LABELS];
	char **gate_keys;	/* canonical key per gate, malloc'd */
	struct clause_info *clauses;	/* for post-pass warnings, malloc'd */
	size_t n_clauses, cap_clauses;
	struct strmap rule_names;	/* rule name (the rule's own copy) -> index */
};

void builder_init(struct builder *b, struct ap_arena *ar, struct ap_policy *p,
		  struct ap_diag *diag);
void builder_destroy(struct builder *b);
/* parse and compile one DSL snippet into b->p */
void dsl_compile(struct builder *b, const struct snippet *sn);
/* infix rendering of a condition program (malloc'd) */
char *expr_string(const struct ap_policy *p, const struct ap_expr_insn *e,
		  size_t n);
/* cross-snippet checks (unused labels, rules that never fire, ...) */
void builder_finish(struct builder *b);

/* ---- matcher construction (glob.c) ------------------------------------- */
/* resolve + classify into m (arena strings); returns NULL or an error why */
const char *matcher_build(struct ap_arena *ar, struct ap_matcher *m,
			  const char *written, bool exec, const char *base_dir);

/* ---- path helpers -------------------------------------------------------- */
char *path_dirname_abs(const char *path);	/* malloc'd, absolute */

#endif
