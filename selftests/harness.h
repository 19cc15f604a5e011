/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test harness for the host tests and the in-VM C helpers, after the
 * conventions of the kernel's kselftest_harness.h; the output is KTAP
 * (Documentation/dev-tools/ktap.rst), which scripts/check.sh counts.
 *
 *   TEST(name) { EXPECT_EQ(f(2), 4); ASSERT_TRUE(p); ... }
 *
 *   FIXTURE(db) { int fd; };
 *   FIXTURE_SETUP(db) { self->fd = open(...); }
 *   FIXTURE_TEARDOWN(db) { close(self->fd); }
 *   TEST_F(db, reads) { EXPECT_LT(0, self->fd); }
 *
 *   TEST_HARNESS_MAIN          (or a main() of its own that ends with
 *                               "return test_harness_run(argc, argv);")
 *
 * Every TEST runs in a forked child: a crash, abort or timeout in one test is
 * that test's failure and the others still run.  A TEST reports one result,
 * named after it, unless it reports cases: a data-driven test reports one
 * result per case,
 *
 *   CASE("glob %s vs %s", pat, path);  EXPECT_...;  ...   (next CASE, CASE_END()
 *                                                           or the test's end
 *                                                           closes it)
 *   RESULT(ok, "name", "why %d", x);   one whole case: ok, or not ok with "# why"
 *
 * and then a result of its own only if something failed outside a case (or
 * it crashed outside one; a crash inside a case fails that case).
 * EXPECT_* records a failure and goes on; ASSERT_* records it and ends the
 * test (the fixture's teardown still runs).  SKIP(statement, fmt, ...) marks
 * the current case, or the test, skipped and runs statement (e.g. return).
 * EXPECT_STREQ/STRNE compare strings; EXPECT_CONTAINS/NOT_CONTAINS check
 * rendered output, which a failure prints whole as diagnostic lines.
 *
 * The output: "KTAP version 1", the plan "1..N", then per result
 * "ok N name", "not ok N name" or "ok N name # SKIP reason", each after its
 * "# ..." diagnostic lines (everything a test prints that is not a result is
 * shown as a "# " line), and "# Totals: pass:X fail:Y skip:Z".  The plan
 * counts the cases, so it is printed once every test has run.  The exit
 * status is 1 if anything failed.
 *   ./test [-l] [-t SUBSTRING]...   list the tests / run those whose name
 *                                   contains a SUBSTRING
 * ACTPLANE_TEST_TIMEOUT (seconds, default 600) bounds each TEST.
 *
 * Programs with a fixed sequence of checks (the in-VM helpers) use the
 * kselftest.h-like reporter instead: ktap_result(ok, name, fmt, ...),
 * ktap_skip(name, why) and "return ktap_exit();" print "ok N name" lines as
 * they go and the plan last.
 */
#ifndef ACTPLANE_HARNESS_H
#define ACTPLANE_HARNESS_H
#include <errno.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define TH_FORMAT(a, b) __attribute__((format(printf, a, b)))
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* ---- the streaming reporter (kselftest.h style) -------------------------------- */

static int ktap_n, ktap_pass, ktap_fail, ktap_skipped;

static inline void ktap_header(void)
{
	if (!ktap_n && !ktap_pass && !ktap_fail && !ktap_skipped)
		printf("KTAP version 1\n");
}

/* one result: "ok N name" or "# why" then "not ok N name" */
static inline void TH_FORMAT(3, 4) ktap_result(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	ktap_header();
	if (!ok) {
		printf("# %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt ? fmt : "failed", ap);
		va_end(ap);
		printf("\n");
	}
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++ktap_n, name);
	if (ok)
		ktap_pass++;
	else
		ktap_fail++;
	fflush(stdout);
}

static inline void ktap_skip(const char *name, const char *why)
{
	ktap_header();
	printf("ok %d %s # SKIP %s\n", ++ktap_n, name, why);
	ktap_skipped++;
	fflush(stdout);
}

/* the plan and totals; the exit status for main(): 1 if any result failed */
static inline int ktap_exit(void)
{
	ktap_header();
	printf("1..%d\n# Totals: pass:%d fail:%d skip:%d\n", ktap_n, ktap_pass, ktap_fail,
	       ktap_skipped);
	fflush(stdout);
	return ktap_fail ? 1 : 0;
}

/* ---- the harness: registration ------------------------------------------------- */

struct th_test {
	const char *name;
	void (*run)(void);
	struct th_test *next;
};

static struct th_test *th_first, **th_tail = &th_first;

static inline void th_register(struct th_test *t)
{
	*th_tail = t;
	th_tail = &t->next;
}

#define TH_REGISTER(id, label, runner)						\
	static struct th_test th_reg_t_##id = { label, runner, NULL };		\
	__attribute__((constructor)) static void th_reg_##id(void)		\
	{									\
		th_register(&th_reg_t_##id);					\
	}

#define TEST(name)								\
	static __attribute__((__noinline__)) void th_body_##name(void);	\
	static void th_run_##name(void)						\
	{									\
		if (!setjmp(th_abort))						\
			th_body_##name();					\
	}									\
	TH_REGISTER(name, #name, th_run_##name)					\
	static void th_body_##name(void)

#define FIXTURE_DATA(f) struct th_fixture_##f
#define FIXTURE(f)								\
	FIXTURE_DATA(f);							\
	static void th_setup_##f(FIXTURE_DATA(f) *self);			\
	static void th_teardown_##f(FIXTURE_DATA(f) *self);			\
	FIXTURE_DATA(f)
#define FIXTURE_SETUP(f) static void th_setup_##f(FIXTURE_DATA(f) __attribute__((unused)) *self)
#define FIXTURE_TEARDOWN(f)							\
	static void th_teardown_##f(FIXTURE_DATA(f) __attribute__((unused)) *self)

/* setup, the body, teardown; an ASSERT in setup skips the body, not teardown */
#define TEST_F(f, name)								\
	static __attribute__((__noinline__)) void th_body_##f##_##name(FIXTURE_DATA(f) *self); \
	static void th_run_##f##_##name(void)					\
	{									\
		static FIXTURE_DATA(f) self;					\
		if (!setjmp(th_abort)) {					\
			th_setup_##f(&self);					\
			if (!th_test_failed && !th_test_skipped)		\
				th_body_##f##_##name(&self);			\
		}								\
		if (!setjmp(th_abort))						\
			th_teardown_##f(&self);					\
	}									\
	TH_REGISTER(f##_##name, #f "." #name, th_run_##f##_##name)		\
	static void th_body_##f##_##name(FIXTURE_DATA(f) __attribute__((unused)) *self)

/* ---- the harness: the child's side --------------------------------------------- */

/*
 * The child reports to the parent on its stdout with lines starting with
 * TH_MARK: "B name" a case begins, "E P|F" it ended passing or failing,
 * "E S reason" skipped, "S reason" the test itself skipped.
 */
#define TH_MARK "\x1e"

static jmp_buf th_abort;
static bool th_test_failed, th_test_skipped, th_in_case, th_case_failed, th_case_skipped;
static char th_case_skip_why[512];

static inline void th_case_end(void)
{
	if (!th_in_case)
		return;
	if (th_case_skipped)
		printf(TH_MARK "E S %s\n", th_case_skip_why);
	else
		printf(TH_MARK "E %c\n", th_case_failed ? 'F' : 'P');
	fflush(stdout);
	th_in_case = false;
}

static inline void TH_FORMAT(1, 2) th_case_begin(const char *fmt, ...)
{
	char name[512];
	va_list ap;
	size_t i;

	th_case_end();
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	for (i = 0; name[i]; i++)	/* a KTAP description holds no '#' or newline */
		if (name[i] == '#' || name[i] == '\n')
			name[i] = name[i] == '#' ? '%' : ' ';
	printf(TH_MARK "B %s\n", name);
	fflush(stdout);
	th_in_case = true;
	th_case_failed = th_case_skipped = false;
}

#define CASE(...) th_case_begin(__VA_ARGS__)
#define CASE_END() th_case_end()

/* print text as diagnostic lines */
static inline void th_diag_text(const char *what, const char *s)
{
	const char *nl;

	if (!s) {
		printf("#   %s: (null)\n", what);
		return;
	}
	printf("#   %s:\n", what);
	do {
		nl = strchr(s, '\n');
		printf("#     %.*s\n", (int)(nl ? nl - s : (ptrdiff_t)strlen(s)), s);
		s = nl ? nl + 1 : NULL;
	} while (s && *s);
}

static inline void th_fail(void)
{
	if (th_in_case)
		th_case_failed = true;
	else
		th_test_failed = true;
}

static inline void th_abort_test(void)
{
	th_case_end();
	fflush(stdout);
	longjmp(th_abort, 1);
}

/* RESULT(ok, name, fmt, ...): a whole case; fmt (NULL: "failed") says why it failed */
static inline void TH_FORMAT(4, 5)
th_result(int line, int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	th_case_begin("%s", name);
	if (!ok) {
		printf("# line %d: ", line);
		va_start(ap, fmt);
		vprintf(fmt ? fmt : "failed", ap);
		va_end(ap);
		printf("\n");
		th_case_failed = true;
	}
	th_case_end();
}
#define RESULT(ok, name, ...) th_result(__LINE__, !!(ok), name, __VA_ARGS__)

/* RESULT_SKIP(name, why): a whole case, skipped */
static inline void th_result_skip(const char *name, const char *why)
{
	th_case_begin("%s", name);
	th_case_skipped = true;
	snprintf(th_case_skip_why, sizeof(th_case_skip_why), "%s", why);
	th_case_end();
}
#define RESULT_SKIP(name, why) th_result_skip(name, why)

/* SKIP(statement, fmt, ...): the current case or the test is skipped */
#define SKIP(statement, ...)							\
	do {									\
		if (th_in_case) {						\
			th_case_skipped = true;					\
			snprintf(th_case_skip_why, sizeof(th_case_skip_why), __VA_ARGS__); \
			th_case_end();						\
		} else {							\
			char th_why_[512];					\
			snprintf(th_why_, sizeof(th_why_), __VA_ARGS__);	\
			printf(TH_MARK "S %s\n", th_why_);			\
			fflush(stdout);						\
			th_test_skipped = true;					\
		}								\
		statement;							\
	} while (0)

/* the comparisons: fatal != 0 makes it an ASSERT */
#define TH_CMP(fatal, a, op, b)							\
	do {									\
		__typeof__(a) th_a_ = (a);					\
		__typeof__(b) th_b_ = (b);					\
		if (!(th_a_ op th_b_)) {					\
			printf("# %s:%d: expected %s %s %s: %lld vs %lld\n",	\
			       __FILE__, __LINE__, #a, #op, #b,			\
			       (long long)th_a_, (long long)th_b_);		\
			th_fail();						\
			if (fatal)						\
				th_abort_test();				\
		}								\
	} while (0)

#define TH_BOOL(fatal, cond, want)						\
	do {									\
		if ((bool)(cond) != (bool)(want)) {					\
			printf("# %s:%d: expected %s to be %s\n", __FILE__,	\
			       __LINE__, #cond, (want) ? "true" : "false");	\
			th_fail();						\
			if (fatal)						\
				th_abort_test();				\
		}								\
	} while (0)

static inline bool th_str(int fatal, const char *file, int line, const char *ea,
			  const char *eb, const char *a, const char *b, int how)
{
	bool ok;

	switch (how) {
	case 0: ok = a && b && !strcmp(a, b); break;		/* equal */
	case 1: ok = !(a && b && !strcmp(a, b)); break;		/* differ */
	case 2: ok = a && b && strstr(a, b); break;		/* a contains b */
	default: ok = !(a && b && strstr(a, b)); break;		/* a lacks b */
	}
	if (ok)
		return true;
	printf("# %s:%d: expected %s %s %s\n", file, line, ea,
	       (const char *[]){ "==", "!=", "to contain", "not to contain" }[how], eb);
	th_diag_text(ea, a);
	th_diag_text(eb, b);
	th_fail();
	if (fatal)
		th_abort_test();
	return false;
}

#define EXPECT_EQ(a, b) TH_CMP(0, a, ==, b)
#define EXPECT_NE(a, b) TH_CMP(0, a, !=, b)
#define EXPECT_LT(a, b) TH_CMP(0, a, <, b)
#define EXPECT_LE(a, b) TH_CMP(0, a, <=, b)
#define EXPECT_GT(a, b) TH_CMP(0, a, >, b)
#define EXPECT_GE(a, b) TH_CMP(0, a, >=, b)
#define EXPECT_TRUE(c) TH_BOOL(0, c, true)
#define EXPECT_FALSE(c) TH_BOOL(0, c, false)
#define EXPECT_STREQ(a, b) th_str(0, __FILE__, __LINE__, #a, #b, a, b, 0)
#define EXPECT_STRNE(a, b) th_str(0, __FILE__, __LINE__, #a, #b, a, b, 1)
#define EXPECT_CONTAINS(text, needle) th_str(0, __FILE__, __LINE__, #text, #needle, text, needle, 2)
#define EXPECT_NOT_CONTAINS(text, needle)					\
	th_str(0, __FILE__, __LINE__, #text, #needle, text, needle, 3)
#define ASSERT_EQ(a, b) TH_CMP(1, a, ==, b)
#define ASSERT_NE(a, b) TH_CMP(1, a, !=, b)
#define ASSERT_LT(a, b) TH_CMP(1, a, <, b)
#define ASSERT_LE(a, b) TH_CMP(1, a, <=, b)
#define ASSERT_GT(a, b) TH_CMP(1, a, >, b)
#define ASSERT_GE(a, b) TH_CMP(1, a, >=, b)
#define ASSERT_TRUE(c) TH_BOOL(1, c, true)
#define ASSERT_FALSE(c) TH_BOOL(1, c, false)
#define ASSERT_STREQ(a, b) th_str(1, __FILE__, __LINE__, #a, #b, a, b, 0)
#define ASSERT_STRNE(a, b) th_str(1, __FILE__, __LINE__, #a, #b, a, b, 1)
#define ASSERT_CONTAINS(text, needle) th_str(1, __FILE__, __LINE__, #text, #needle, text, needle, 2)
#define ASSERT_NOT_CONTAINS(text, needle)					\
	th_str(1, __FILE__, __LINE__, #text, #needle, text, needle, 3)

/* ---- the harness: the parent's side ------------------------------------------- */

struct th_out {
	FILE *f;		/* the results, printed after the plan */
	int n, pass, fail, skip;
};

static inline void th_emit(struct th_out *o, char res, const char *name, const char *why)
{
	o->n++;
	if (res == 'S') {
		o->skip++;
		fprintf(o->f, "ok %d %s # SKIP %s\n", o->n, name, why && *why ? why : "");
	} else if (res == 'P') {
		o->pass++;
		fprintf(o->f, "ok %d %s\n", o->n, name);
	} else {
		o->fail++;
		fprintf(o->f, "not ok %d %s%s%s\n", o->n, name, why ? " # " : "", why ? why : "");
	}
}

/* run t in a child; its output becomes diagnostic lines and numbered results */
static inline void th_run_one(struct th_test *t, struct th_out *o, unsigned timeout)
{
	char *line = NULL, *cname = NULL, *skip_why = NULL, why[64];
	size_t cap = 0;
	ssize_t len;
	int fds[2], st, cases = 0;
	pid_t pid;
	FILE *in;

	fflush(NULL);
	if (pipe(fds) || (pid = fork()) < 0) {
		fprintf(o->f, "# %s: cannot start: %s\n", t->name, strerror(errno));
		th_emit(o, 'F', t->name, NULL);
		return;
	}
	if (!pid) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[1]);
		setvbuf(stdout, NULL, _IOLBF, 0);
		alarm(timeout);
		t->run();
		th_case_end();
		fflush(NULL);
		_exit(th_test_failed ? 1 : th_test_skipped ? 2 : 0);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in && (len = getline(&line, &cap, in)) >= 0) {
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (!strncmp(line, TH_MARK "B ", 3)) {
			free(cname);
			cname = strdup(line + 3);
		} else if (!strncmp(line, TH_MARK "E ", 3) && cname) {
			th_emit(o, line[3], cname, line[3] == 'S' ? line + 5 : NULL);
			cases++;
			free(cname);
			cname = NULL;
		} else if (!strncmp(line, TH_MARK "S ", 3)) {
			free(skip_why);
			skip_why = strdup(line + 3);
		} else {
			fprintf(o->f, "%s%s\n", line[0] == '#' ? "" : "# ", line);
		}
	}
	if (in)
		fclose(in);
	free(line);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGALRM)
			snprintf(why, sizeof(why), "TIMEOUT %u seconds", timeout);
		else
			snprintf(why, sizeof(why), "killed by signal %d (%s)", WTERMSIG(st),
				 strsignal(WTERMSIG(st)));
		fprintf(o->f, "# %s: %s\n", t->name, why);
		th_emit(o, 'F', cname ? cname : t->name, why);	/* the open case, or the test */
	} else if (cname) {		/* exited inside a case */
		fprintf(o->f, "# %s: exited %d inside this case\n", t->name, WEXITSTATUS(st));
		th_emit(o, 'F', cname, NULL);
	} else if (WEXITSTATUS(st) == 2 && !cases) {
		th_emit(o, 'S', t->name, skip_why);
	} else if (WEXITSTATUS(st) == 1 || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 2)) {
		if (WEXITSTATUS(st) != 1)
			fprintf(o->f, "# %s: exited %d\n", t->name, WEXITSTATUS(st));
		th_emit(o, 'F', t->name, NULL);
	} else if (!cases) {
		th_emit(o, WEXITSTATUS(st) == 2 ? 'S' : 'P', t->name, skip_why);
	}
	free(cname);
	free(skip_why);
}

static inline int test_harness_run(int argc, char **argv)
{
	struct th_out o = { 0 };
	const char *e = getenv("ACTPLANE_TEST_TIMEOUT");
	unsigned timeout = e && *e ? (unsigned)strtoul(e, NULL, 0) : 600;
	char *buf = NULL;
	size_t blen = 0;
	struct th_test *t;
	int i, want;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l")) {
			for (t = th_first; t; t = t->next)
				printf("%s\n", t->name);
			return 0;
		}
		if (strcmp(argv[i], "-t") || i + 1 >= argc) {
			fprintf(stderr, "usage: %s [-l] [-t SUBSTRING]...\n", argv[0]);
			return 2;
		}
		i++;
	}
	o.f = open_memstream(&buf, &blen);
	if (!o.f)
		return 1;
	for (t = th_first; t; t = t->next) {
		for (want = 1, i = 1; i + 1 < argc; i += 2)
			if ((want = !!strstr(t->name, argv[i + 1])))
				break;
		if (want)
			th_run_one(t, &o, timeout);
	}
	fclose(o.f);
	printf("KTAP version 1\n1..%d\n%s", o.n, buf ? buf : "");
	printf("# Totals: pass:%d fail:%d skip:%d\n", o.pass, o.fail, o.skip);
	free(buf);
	return o.fail ? 1 : 0;
}

#define TEST_HARNESS_MAIN							\
	int main(int argc, char **argv)						\
	{									\
		return test_harness_run(argc, argv);				\
	}

#endif
