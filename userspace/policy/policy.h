/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ActPlane policy compiler: public API.
 *
 * An actplane.yaml (legacy `policy: |` form or the `rules:` + `domains:`
 * catalog form) is parsed, checked and compiled into a struct ap_policy: flat
 * arrays of labels, sources, transforms, gates, invalidators, lineage marks
 * and rules.  Records refer to each other only by small integer ids (array
 * indices), never by pointer, so the structure maps one-to-one onto the
 * generic-netlink ABI the kernel module loads (docs/policy-language.md).
 *
 * Every path pattern is pre-classified (struct ap_matcher) the way the module
 * indexes it: ANY, EXACT, BASENAME, PREFIX, SUFFIX or GLOB.  The full absolute
 * glob is always kept as well, and class-specific matching agrees with
 * ap_glob_match() on absolute paths (tested over a table).
 *
 * Errors and warnings go to a struct ap_diag with file:line:col positions in
 * the YAML file, the offending line and a hint.  A load that reports any error
 * returns NULL: nothing is ever half-compiled.
 *
 * Memory: a policy owns all its strings and arrays; ap_policy_free() releases
 * everything.  Allocation failure aborts (this is a command-line compiler).
 */
#ifndef ACTPLANE_POLICY_H
#define ACTPLANE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uapi/actplane.h>

struct json_object;

/*
 * ---- limits ------------------------------------------------------------
 * What the kernel module refuses, `check` refuses too: limits the UAPI header
 * states are taken from it; the others are at most the module's
 * (kmod/policy.h) and internal.h asserts the enums below mirror the UAPI's.
 */
#define AP_MAX_LABELS		ACTPLANE_MAX_LABELS	/* label bits 0..63 */
#define AP_LABEL_NAME_MAX	ACTPLANE_LABEL_NAME_LEN	/* bytes per label name, incl. NUL */
#define AP_MAX_RULES		16384	/* rules per policy (>= 1024 guaranteed) */
#define AP_MAX_CLAUSES		256	/* clauses per rule */
#define AP_MAX_GATES		256	/* distinct `after` gates */
#define AP_MAX_LINEAGES		64	/* distinct `lineage-includes` marks */
#define AP_MAX_ARGS		32	/* argument strings per exec target */
#define AP_MAX_UNLESS		32	/* `unless` conditions per clause */
#define AP_PATTERN_MAX		4096	/* bytes per pattern (PATH_MAX), incl. NUL */
#define AP_TEXT_MAX		4096	/* bytes per `because` text / argument */
#define AP_NAME_MAX		128	/* bytes per rule name, incl. NUL (module: 127 + NUL) */
#define AP_EXPR_MAX_INSNS	128	/* postfix instructions per condition */
#define AP_EXPR_MAX_DEPTH	16	/* evaluation stack depth per condition */

/* ---- vocabulary -------------------------------------------------------- */
enum ap_op {
	AP_OP_EXEC,
	AP_OP_READ,
	AP_OP_OPEN,	/* any open: for reading, writing or both */
	AP_OP_WRITE,
	AP_OP_UNLINK,
	AP_OP_CONNECT,	/* connect and UDP sendto/sendmsg */
	AP_OP_RECV,
	AP_OP__COUNT
};

/* ordered by strength: when several clauses match, the largest value wins */
enum ap_effect {
	AP_EFFECT_NOTIFY = 1,
	AP_EFFECT_BLOCK = 2,
	AP_EFFECT_KILL = 3,
};

enum ap_target_kind {
	AP_TARGET_FILE,
	AP_TARGET_EXEC,
	AP_TARGET_ENDPOINT,
};

enum ap_match_class {
	AP_MATCH_ANY,		/* every path (see ap_glob_classify) */
	AP_MATCH_EXACT,		/* literal == full path */
	AP_MATCH_BASENAME,	/* literal == last path component */
	AP_MATCH_PREFIX,	/* path starts with literal (which ends in '/') */
	AP_MATCH_SUFFIX,	/* path ends with literal (".pem", "/etc/passwd") */
	AP_MATCH_GLOB,		/* ap_glob_match(glob, path) */
};

/* A pre-classified path pattern. */
struct ap_matcher {
	enum ap_match_class cls;
	char *literal;	/* class-specific string; "" for ANY, == glob for GLOB */
	char *glob;	/* full absolute glob, always set (exec "git" is "**" + "/git") */
	char *written;	/* the pattern as written in the policy */
};

/*
 * An endpoint: address prefix plus optional port.  family is AF_UNSPEC for
 * "any address" ("*", ":443"), AF_INET or AF_INET6 otherwise; addr holds 4 or
 * 16 bytes in network order, the rest zero and the bits beyond prefix_len
 * cleared.  port is in host order, 0 = any port.
 */
struct ap_endpoint {
	int family;
	uint8_t addr[16];
	uint8_t prefix_len;
	uint16_t port;
	char *written;
};

/* What a source, target or condition matches: a path pattern or an endpoint. */
struct ap_target {
	enum ap_target_kind kind;
	struct ap_matcher path;		/* FILE and EXEC */
	struct ap_endpoint ep;		/* ENDPOINT */
};

/* Line (1-based) of a declaration in the policy (YAML) file, for feedback. */
struct ap_loc {
	unsigned line, col;
};

struct ap_label {
	char *name;
	unsigned bit;		/* 0..63, equal to the array index */
};

/* `source L = file|exec|endpoint "PAT"` */
struct ap_source {
	struct ap_target target;
	unsigned label;		/* label bit */
	/* exec source matching every program: labels the session root that
	 * `actplane run` starts, not every process on the machine */
	bool session_root;
	struct ap_loc loc;
};

enum ap_transform_kind {
	AP_TRANSFORM_DECLASSIFY,	/* running G drops L, does not absorb L */
	AP_TRANSFORM_ENDORSE,		/* running G gains L */
};

struct ap_transform {
	enum ap_transform_kind kind;
	unsigned label;
	struct ap_matcher exec;
	struct ap_loc loc;
};

/*
 * `after OP "G" ["ARG" ...] [exits N] [since EV or EV ...]`.  One gate per
 * distinct (op, pattern, args, exit status, since-list): the gate is armed
 * (per session) when the gate event happens and goes stale when one of its
 * invalidators happens later.
 */
struct ap_gate {
	unsigned id;		/* == array index */
	enum ap_op op;		/* AP_OP_EXEC normally; READ/OPEN/WRITE/UNLINK too */
	struct ap_matcher match;
	char **argv;		/* exec gates: required arguments, in order */
	size_t argc;
	int exit_status;	/* -1: armed at exec; 0..255: armed at exit with it */
	struct ap_loc loc;
};

/* `since EV`: an event that makes gate `gate` stale. */
struct ap_invalidator {
	unsigned gate;
	enum ap_op op;		/* EXEC, READ, OPEN, WRITE or UNLINK */
	struct ap_matcher match;
	char **argv;		/* exec invalidators: required arguments */
	size_t argc;
};

/* `lineage-includes exec "G"`: marks a process tree that exec'd G. */
struct ap_lineage {
	unsigned id;
	struct ap_matcher exec;
};

/* Condition program: postfix over the subject's label set. */
enum ap_expr_op {
	AP_EXPR_PUSH_LABEL,	/* push (labels >> bit) & 1 */
	AP_EXPR_PUSH_TRUE,
	AP_EXPR_NOT,
	AP_EXPR_AND,
	AP_EXPR_OR,
};

struct ap_expr_insn {
	uint8_t op;		/* enum ap_expr_op */
	uint8_t bit;		/* PUSH_LABEL only */
};

enum ap_cond_kind {
	AP_COND_TARGET,		/* unless target [not] PAT */
	AP_COND_LINEAGE,	/* unless lineage-includes exec G */
	AP_COND_AFTER,		/* unless after ... */
};

struct ap_cond {
	enum ap_cond_kind kind;
	bool negate;		/* TARGET: `target not PAT` */
	struct ap_target target;	/* TARGET */
	unsigned id;		/* LINEAGE: lineage id; AFTER: gate id */
};

struct ap_clause {
	enum ap_effect effect;
	enum ap_op op;
	struct ap_target target;
	char **argv;		/* exec: each must appear in argv[1..], in order */
	size_t argc;
	struct ap_expr_insn *expr;	/* `if` program; [PUSH_TRUE] when absent */
	size_t expr_len;
	uint64_t label_mask;	/* labels the program reads */
	struct ap_cond *unless;	/* the clause is exempt if any holds */
	size_t n_unless;
	struct ap_loc loc;
};

enum ap_bind_mode {
	AP_BIND_NONE,		/* legacy `policy: |` form */
	AP_BIND_LOCKED,
	AP_BIND_DEFAULT,
};

struct ap_rule {
	unsigned id;		/* == array index */
	char *name;
	char *because;		/* "" when the rule has no `because` */
	struct ap_clause *clauses;
	size_t n_clauses;
	char *binding;		/* catalog rule key, NULL in the legacy form */
	enum ap_bind_mode mode;
	struct ap_loc loc;
};

struct ap_policy {
	char *path;		/* policy file ("<rule>" for raw DSL) */
	char *base_dir;		/* relative patterns resolve against this */
	char *domain;		/* selected domain; NULL in the legacy form */
	char *feedback_path;	/* absolute; NULL when not configured */

	struct ap_label *labels;		size_t n_labels;
	struct ap_source *sources;		size_t n_sources;
	struct ap_transform *transforms;	size_t n_transforms;
	struct ap_gate *gates;			size_t n_gates;
	struct ap_invalidator *invalidators;	size_t n_invalidators;
	struct ap_lineage *lineages;		size_t n_lineages;
	struct ap_rule *rules;			size_t n_rules;

	void *priv;		/* owns the memory */
};

/* ---- diagnostics ------------------------------------------------------- */
enum ap_severity {
	AP_SEV_ERROR,
	AP_SEV_WARNING,
};

struct ap_diag_entry {
	enum ap_severity severity;
	char *file;		/* NULL when not tied to a file */
	unsigned line, col;	/* 1-based; 0 when unknown */
	unsigned span;		/* caret width (>= 1) */
	char *message;
	char *hint;		/* NULL when none */
	char *source_line;	/* the line the position is in, NULL if unknown */
};

struct ap_diag {
	struct ap_diag_entry *v;
	size_t n, cap;
	unsigned errors, warnings;
};

void ap_diag_init(struct ap_diag *d);
void ap_diag_free(struct ap_diag *d);
void ap_diag_session_policy(struct ap_diag *d);
/* gcc-style: "file:line:col: error: msg", the line, a caret, "hint: ..." */
void ap_diag_print(FILE *f, const struct ap_diag *d, bool color);
void ap_diag_print_entry(FILE *f, const struct ap_diag_entry *e, bool color);
/* first entry whose message or hint contains fragment (NULL if none) */
const struct ap_diag_entry *ap_diag_find(const struct ap_diag *d,
					 const char *fragment);

/* ---- loading ----------------------------------------------------------- */
/*
 * Load, check and compile a policy file.  domain selects a domain of the
 * catalog form (NULL: default_domain, else "session", else the only one).
 * Returns NULL if any error was reported in diags (diags may be NULL).
 */
struct ap_policy *ap_policy_load_file(const char *path, const char *domain,
				      struct ap_diag *diags);
/* Same, from an open descriptor (read to its end, at most 16 MiB). */
struct ap_policy *ap_policy_load_fd(int fd, const char *path, const char *domain,
				    struct ap_diag *diags);
/* Same, from memory; path names the file (and its directory is the base). */
struct ap_policy *ap_policy_load_string(const char *text, size_t len,
					const char *path, const char *domain,
					struct ap_diag *diags);
/* A raw DSL text (no YAML), relative patterns resolved against base_dir. */
struct ap_policy *ap_policy_load_dsl(const char *text, size_t len,
				     const char *base_dir, struct ap_diag *diags);
void ap_policy_free(struct ap_policy *p);

/*
 * Can @p be a session policy (`actplane run` as a user, `check --session`)?
 * Rules, and sources whose labels are its own (at most
 * ACTPLANE_SESSION_PRIVATE_MAX), declassified or endorsed only by it; no
 * gates, lineages, or `unless` other than a target.  0, or -1 with an
 * error at file:line:col, and a hint, added to @d.  (That its other
 * labels are the machine's is checked against the module.)
 */
int ap_policy_session_check(const struct ap_policy *p, struct ap_diag *d);
/* The same, the error printed on @err (no color). */
int ap_policy_session_report(const struct ap_policy *p, FILE *err);

/*
 * Find the policy file: walk up from cwd, in each directory trying
 * actplane.yaml then .actplane/policy.yaml.  Returns 0 and the path in out,
 * -ENOENT if none, -ENAMETOOLONG if out is too small.
 */
int ap_policy_find(const char *cwd, char *out, size_t len);

/* ---- output ------------------------------------------------------------ */
void ap_policy_dump_text(FILE *f, const struct ap_policy *p);
/* only the rules section; AP_DUMP_PORTABLE leaves out source lines and
 * catalog bindings (what `actplane rules` can read back from the module) */
#define AP_DUMP_PORTABLE	1u
void ap_policy_dump_rules(FILE *f, const struct ap_policy *p, unsigned flags);
/* new json-c object (caller puts it) */
struct json_object *ap_policy_dump_json(const struct ap_policy *p);
/* infix rendering of a condition program into buf; returns buf */
char *ap_expr_format(const struct ap_policy *p, const struct ap_expr_insn *e,
		     size_t n, char *buf, size_t len);

/* ---- matching (the module's matchers, include/actplane/match.h) -------- */
/*
 * Glob: '*' matches within one segment (no '/'), '?' one non-'/' character,
 * "**" any span including '/', and "**" followed by '/' zero or more whole
 * segments (so "/a/" "**" "/b" matches "/a/b").  Everything else is literal.
 * No length limit.
 */
bool ap_glob_match(const char *pattern, const char *path);
/*
 * Classify an absolute glob.  *lit / *lit_len receive the class literal as a
 * slice of pattern (length 0 for ANY; the whole pattern for GLOB).
 */
enum ap_match_class ap_glob_classify(const char *pattern, const char **lit,
				     size_t *lit_len);
/* Match an absolute path with the class-specific test. */
bool ap_class_match(enum ap_match_class cls, const char *lit, size_t lit_len,
		    const char *pattern, const char *path);
bool ap_matcher_match(const struct ap_matcher *m, const char *path);
/*
 * Turn a pattern as written into an absolute glob (malloc'd):
 *  exec patterns without '/' match the basename ("git" becomes "**" + "/git");
 *  relative patterns ("src/" "**", "./x") are joined to base_dir;
 *  "." and ".." segments and "//" are normalised.
 * Returns NULL on an invalid pattern (*why says why) or allocation failure.
 */
char *ap_pattern_resolve(const char *pattern, bool exec, const char *base_dir,
			 const char **why);

/* Endpoints: "*", ":443", "*:443", "10.0.0.1", "10.0.0.1:443", "10.0.0.0/8",
 * "10.0.0.", "::1", "[::1]:443", "fd00::/8", "[fd00::]/8:443".
 * Returns 0 or -EINVAL with *why (and *hint, may be NULL) set. */
int ap_endpoint_parse(const char *s, struct ap_endpoint *ep, const char **why,
		      const char **hint);
/* family AF_INET (addr 4 bytes) or AF_INET6 (16 bytes); an IPv4-mapped IPv6
 * address is matched as IPv4, as the module keys it */
bool ap_endpoint_match(const struct ap_endpoint *ep, int family,
		       const void *addr, uint16_t port);
int ap_endpoint_format(const struct ap_endpoint *ep, char *buf, size_t len);

/* every want[i] appears in argv[1..argc-1], in order (exact strings) */
bool ap_argv_match(char *const *want, size_t nwant, char *const *argv,
		   size_t argc);
/* 1 true, 0 false, -1 malformed program */
int ap_expr_eval(const struct ap_expr_insn *e, size_t n, uint64_t labels);

/* ---- names ------------------------------------------------------------- */
const char *ap_op_name(enum ap_op op);
const char *ap_effect_name(enum ap_effect e);
const char *ap_match_class_name(enum ap_match_class c);
const char *ap_target_kind_name(enum ap_target_kind k);

/* ---- `actplane explain`: explain.h --------------------------------------- */

/* ---- `actplane init` ---------------------------------------------------- */
extern const char ap_starter_policy[];

/* ---- commands (argv[0] is the subcommand; return the exit status) ------- */
int ap_cli_check(int argc, char **argv, FILE *out, FILE *err);
int ap_cli_compile(int argc, char **argv, FILE *out, FILE *err);
int ap_cli_init(int argc, char **argv, FILE *out, FILE *err);

#endif
