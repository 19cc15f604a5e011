// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for `actplane explain` (issue #15, items 10 and 11): what a
 * policy decides for a hypothetical event, with the module's semantics --
 * clauses whose target matches, their conditions (arguments, `if`,
 * `unless target|lineage-includes|after` with `since`), the view of the
 * subject (sources, declassify, endorse, the program file's labels), the
 * strongest effect, the JSON schema of docs/cli.md, input checking and the
 * escaping of hostile text in the text form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json.h>

#include "harness.h"
#include "policy/explain.h"
#include "policy/policy.h"

static const char policy_text[] =
	"source SECRET = file \"**/.env\"\n"
	"source AGENT = exec \"**/codex\"\n"
	"source TAINT = file \"/data/**\"\n"
	"rule no-push:\n"
	"  block exec \"git\" \"push\" if SECRET unless lineage-includes exec \"human-approve\"\n"
	"  because \"pushing secrets is for humans\"\n"
	"rule test-first:\n"
	"  block exec \"git\" \"commit\" if AGENT\n"
	"    unless after exec \"pytest\" since write \"src/**\" or write \"tests/**\"\n"
	"  because \"run pytest first\"\n"
	"rule no-exfil:\n"
	"  block connect endpoint \"*\" if SECRET unless target \"10.0.0.0/8\"\n"
	"    unless target \"[fd00::]/8:443\"\n"
	"  because \"secrets stay here\"\n"
	"rule c-files:\n"
	"  block write \"src/*.c\" if AGENT\n"
	"  because \"no C\"\n"
	"rule env-read:\n"
	"  notify read \"**/.env\" if SECRET\n"
	"  because \"reading a secret\"\n"
	"rule prod:\n"
	"  block open \"**/prod.db\" unless lineage-includes exec \"**/migrate\"\n"
	"  because \"use migrate\"\n"
	"rule rm:\n"
	"  notify exec \"rm\"\n"
	"  kill exec \"rm\" \"-rf\" if AGENT\n"
	"  because \"no rm -rf\"\n"
	"rule rm2:\n"
	"  block exec \"rm\"\n"
	"  because \"no rm at all\"\n"
	"rule redacted:\n"
	"  notify exec \"redact\" if SECRET\n"
	"  because \"never fires: redact drops SECRET\"\n"
	"rule reviewed:\n"
	"  block exec \"deploy\" if not REVIEWED\n"
	"  block exec \"human-approve\" if not REVIEWED\n"
	"  because \"review first\"\n"
	"rule tainted-tool:\n"
	"  block exec \"/opt/tool\" if TAINT\n"
	"  because \"the tool file is tainted\"\n"
	"rule deletes:\n"
	"  block unlink \"/w/link\"\n"
	"  because \"keep the link\"\n"
	"rule tagged:\n"
	"  block exec \"git\" \"tag\" unless after exec \"make\" exits 2\n"
	"  because \"make must fail first\"\n"
	"declassify SECRET by exec \"redact\"\n"
	"endorse REVIEWED by exec \"human-approve\"\n";

static struct ap_policy *pol;

/* ---- helpers ----------------------------------------------------------------------- */

static json_object *get(json_object *o, const char *path)
{
	char buf[128], *save = NULL, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

static const char *gets_(json_object *o, const char *path)
{
	json_object *v = get(o, path);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Explain the event text with options: labels, after (';'-separated), lineage. */
static json_object *explain(const char *event, const char *labels, const char *after,
			    const char *lineage, const char *target_labels)
{
	struct ap_explain_event ev;
	json_object *res = NULL;
	char *err = NULL, *list, *save = NULL, *a;

	ap_explain_event_init(&ev);
	if (ap_explain_set_event_text(&ev, event, &err) ||
	    (labels && ap_explain_add(&ev, AP_EXPLAIN_LABELS, labels, &err)) ||
	    (target_labels && ap_explain_add(&ev, AP_EXPLAIN_TARGET_LABELS, target_labels,
					     &err)) ||
	    (lineage && ap_explain_add(&ev, AP_EXPLAIN_LINEAGE, lineage, &err)) ||
	    ap_explain_set_cwd(&ev, "/w", &err)) {
		printf("# %s: %s\n", event, err ? err : "?");
		goto out;
	}
	if (after) {
		list = strdup(after);
		for (a = strtok_r(list, ";", &save); a; a = strtok_r(NULL, ";", &save))
			if (ap_explain_add(&ev, AP_EXPLAIN_AFTER, a, &err)) {
				printf("# --after %s: %s\n", a, err ? err : "?");
				free(list);
				goto out;
			}
		free(list);
	}
	res = ap_explain_json(pol, &ev, &err);
out:
	free(err);
	ap_explain_event_free(&ev);
	return res;
}

/* decision effect and rule of the result */
static bool decides(json_object *res, const char *effect, const char *rule)
{
	if (!res)
		return false;
	if (!streq(gets_(res, "decision.effect"), effect)) {
		printf("# decision %s, want %s\n", gets_(res, "decision.effect"), effect);
		return false;
	}
	if (rule ? !streq(gets_(res, "decision.rule"), rule) : get(res, "decision.rule") != NULL) {
		printf("# rule %s, want %s\n", gets_(res, "decision.rule"), rule ? rule : "null");
		return false;
	}
	return true;
}

/* the clause of rule (index ci) in the result, NULL if it is not listed */
static json_object *clause_of(json_object *res, const char *rule, int ci)
{
	json_object *cl = get(res, "clauses");
	size_t i;

	for (i = 0; cl && i < json_object_array_length(cl); i++) {
		json_object *c = json_object_array_get_idx(cl, i);

		if (streq(gets_(c, "rule"), rule) &&
		    json_object_get_int(get(c, "clause")) == ci)
			return c;
	}
	return NULL;
}

/* the condition of kind in clause c: does it hold? -1 if there is none */
static int cond_holds(json_object *c, const char *kind)
{
	json_object *cs = get(c, "conditions");
	size_t i;

	for (i = 0; cs && i < json_object_array_length(cs); i++) {
		json_object *k = json_object_array_get_idx(cs, i);

		if (streq(gets_(k, "kind"), kind))
			return json_object_get_boolean(get(k, "holds"));
	}
	return -1;
}

static bool has_label(json_object *res, const char *list, const char *label)
{
	json_object *a = get(res, list);
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++)
		if (streq(json_object_get_string(json_object_array_get_idx(a, i)), label))
			return true;
	return false;
}

static char *printed(json_object *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ap_explain_print(f, res);
	fclose(f);
	return buf;
}

/* one result: NAME holds if COND does */
#define CHECK(name, cond) RESULT(cond, name, "%s", #cond)

/* ---- tests ------------------------------------------------------------------------- */

TEST(exec_argv_labels)
{
	json_object *r = explain("exec git push origin", "SECRET", NULL, NULL, NULL), *c;

	c = clause_of(r, "no-push", 0);
	CHECK("explain: block exec git push if SECRET blocks a process with SECRET",
	      decides(r, "block", "no-push") && ap_explain_status(r) == 1 &&
	      streq(gets_(r, "decision.because"), "pushing secrets is for humans") &&
	      json_object_get_boolean(get(r, "decision.denied")));
	CHECK("explain: the clause's conditions hold, its unless does not",
	      c && cond_holds(c, "target") == 1 && cond_holds(c, "argv") == 1 &&
	      cond_holds(c, "if") == 1 && cond_holds(c, "unless-lineage") == 0 &&
	      json_object_get_boolean(get(c, "fires")));
	CHECK("explain: a clause whose arguments differ is listed and does not fire",
	      (c = clause_of(r, "test-first", 0)) && cond_holds(c, "argv") == 0 &&
	      !json_object_get_boolean(get(c, "fires")));
	json_object_put(r);

	r = explain("exec git push", NULL, NULL, NULL, NULL);
	c = clause_of(r, "no-push", 0);
	CHECK("explain: without SECRET git push is allowed",
	      decides(r, "allow", NULL) && ap_explain_status(r) == 0 && c &&
	      cond_holds(c, "if") == 0 && !json_object_get_boolean(get(c, "fires")));
	json_object_put(r);

	r = explain("exec git --force push", "SECRET", NULL, NULL, NULL);
	CHECK("explain: arguments need only appear in order", decides(r, "block", "no-push"));
	json_object_put(r);
	r = explain("exec git status push", "SECRET", NULL, NULL, NULL);
	CHECK("explain: ... anywhere after argv[0]", decides(r, "block", "no-push"));
	json_object_put(r);
	r = explain("exec git pushx", "SECRET", NULL, NULL, NULL);
	CHECK("explain: an argument is matched whole", decides(r, "allow", NULL));
	json_object_put(r);
}

TEST(lineage)
{
	json_object *r = explain("exec git push", "SECRET", NULL, "/opt/bin/human-approve", NULL);
	json_object *c = clause_of(r, "no-push", 0);

	CHECK("explain: unless lineage-includes exempts a process whose ancestor ran it",
	      decides(r, "allow", NULL) && c && cond_holds(c, "unless-lineage") == 1);
	json_object_put(r);
	r = explain("exec git push", "SECRET", NULL, "/opt/bin/human-approver", NULL);
	CHECK("explain: ... not one whose ancestor ran another program",
	      decides(r, "block", "no-push"));
	json_object_put(r);

	r = explain("read /srv/prod.db", NULL, NULL, NULL, NULL);
	CHECK("explain: open clauses apply to a read (block open stops cat)",
	      decides(r, "block", "prod"));
	json_object_put(r);
	r = explain("write /srv/prod.db", NULL, NULL, "/usr/local/bin/migrate", NULL);
	CHECK("explain: mediation: the migration tool's descendants may open it",
	      decides(r, "allow", NULL));
	json_object_put(r);
}

TEST(gates)
{
	json_object *r = explain("exec git commit", "AGENT", NULL, NULL, NULL);
	json_object *c = clause_of(r, "test-first", 0);

	CHECK("explain: after gate without a run: blocked, the gate does not hold",
	      decides(r, "block", "test-first") && c && cond_holds(c, "unless-after") == 0);
	json_object_put(r);
	r = explain("exec git commit", "AGENT", "pytest -q", NULL, NULL);
	c = clause_of(r, "test-first", 0);
	CHECK("explain: after pytest: the gate holds, allowed",
	      decides(r, "allow", NULL) && c && cond_holds(c, "unless-after") == 1);
	json_object_put(r);
	r = explain("exec git commit", "AGENT", "pytest;write src/a.c", NULL, NULL);
	CHECK("explain: a write to src/** after pytest makes the gate stale",
	      decides(r, "block", "test-first"));
	json_object_put(r);
	r = explain("exec git commit", "AGENT", "write src/a.c;exec /usr/bin/pytest", NULL, NULL);
	CHECK("explain: a run after the write arms it again", decides(r, "allow", NULL));
	json_object_put(r);
	r = explain("exec git commit", "AGENT", "pytest;read src/a.c;write docs/x", NULL, NULL);
	CHECK("explain: reads and other writes leave the gate armed", decides(r, "allow", NULL));
	json_object_put(r);
	r = explain("exec git commit", "AGENT", "pytest;write /w/tests/t.py", NULL, NULL);
	CHECK("explain: the second since event stales it too", decides(r, "block", "test-first"));
	json_object_put(r);

	r = explain("exec git tag", NULL, "make", NULL, NULL);
	c = clause_of(r, "tagged", 0);
	CHECK("explain: an `exits 2` gate is not armed by a run given with --after",
	      decides(r, "block", "tagged") && c && cond_holds(c, "unless-after") == 0);
	json_object_put(r);
}

TEST(endpoints)
{
	json_object *r = explain("connect 1.2.3.4:443", "SECRET", NULL, NULL, NULL);

	CHECK("explain: connect to a blocked endpoint with SECRET is blocked",
	      decides(r, "block", "no-exfil") && streq(gets_(r, "event.target"), "1.2.3.4:443"));
	json_object_put(r);
	r = explain("connect 10.9.8.7:22", "SECRET", NULL, NULL, NULL);
	CHECK("explain: an allow-listed range is exempt (unless target)",
	      decides(r, "allow", NULL) &&
	      cond_holds(clause_of(r, "no-exfil", 0), "unless-target") == 1);
	json_object_put(r);
	r = explain("connect [::ffff:10.0.0.1]:80", "SECRET", NULL, NULL, NULL);
	CHECK("explain: an IPv4-mapped IPv6 address is matched as IPv4",
	      decides(r, "allow", NULL) && streq(gets_(r, "event.target"), "10.0.0.1:80"));
	json_object_put(r);
	r = explain("connect [fd00::5]:443", "SECRET", NULL, NULL, NULL);
	CHECK("explain: IPv6 prefix with port exempts", decides(r, "allow", NULL));
	json_object_put(r);
	r = explain("connect [fd00::5]:80", "SECRET", NULL, NULL, NULL);
	CHECK("explain: ... not on another port", decides(r, "block", "no-exfil"));
	json_object_put(r);
	r = explain("connect 1.2.3.4:443", NULL, NULL, NULL, NULL);
	CHECK("explain: connect without SECRET is allowed", decides(r, "allow", NULL));
	json_object_put(r);
}

TEST(paths)
{
	json_object *r = explain("write src/a.c", "AGENT", NULL, NULL, NULL);

	CHECK("explain: a relative path resolves against the working directory; glob write",
	      decides(r, "block", "c-files") && streq(gets_(r, "event.target"), "/w/src/a.c"));
	json_object_put(r);
	r = explain("write /w/src/sub/a.c", "AGENT", NULL, NULL, NULL);
	CHECK("explain: '*' stays within one directory", decides(r, "allow", NULL) &&
	      json_object_array_length(get(r, "clauses")) == 0);
	json_object_put(r);
	r = explain("write /w/x/../src/./a.c", "AGENT", NULL, NULL, NULL);
	CHECK("explain: '.' and '..' are folded", decides(r, "block", "c-files"));
	json_object_put(r);
	r = explain("read /w/src/a.c", "AGENT", NULL, NULL, NULL);
	CHECK("explain: a read is not a write", decides(r, "allow", NULL));
	json_object_put(r);
	r = explain("open /w/src/a.c", "AGENT", NULL, NULL, NULL);
	CHECK("explain: open is an open for reading and writing",
	      decides(r, "block", "c-files") &&
	      json_object_array_length(get(r, "event.ops")) == 3);
	json_object_put(r);
}

TEST(view)
{
	json_object *r = explain("read /home/u/.env", NULL, NULL, NULL, NULL);

	CHECK("explain: a read of a file source gives its label before the rules run",
	      decides(r, "notify", "env-read") && ap_explain_status(r) == 0 &&
	      has_label(r, "subject.gained", "SECRET") && has_label(r, "subject.view", "SECRET"));
	json_object_put(r);
	r = explain("write /home/u/.env", NULL, NULL, NULL, NULL);
	CHECK("explain: a write of it does not", decides(r, "allow", NULL) &&
	      !has_label(r, "subject.view", "SECRET"));
	json_object_put(r);
	r = explain("exec /usr/local/bin/redact", "SECRET", NULL, NULL, NULL);
	CHECK("explain: declassify: exec of the releaser drops the label",
	      decides(r, "allow", NULL) && has_label(r, "subject.dropped", "SECRET") &&
	      cond_holds(clause_of(r, "redacted", 0), "if") == 0);
	json_object_put(r);
	r = explain("exec /opt/human-approve", NULL, NULL, NULL, NULL);
	CHECK("explain: endorse: exec of the endorser gains the label",
	      decides(r, "allow", NULL) && has_label(r, "subject.gained", "REVIEWED"));
	json_object_put(r);
	r = explain("exec /opt/deploy", NULL, NULL, NULL, NULL);
	CHECK("explain: ... other programs do not", decides(r, "block", "reviewed"));
	json_object_put(r);
	r = explain("exec /opt/tool", NULL, NULL, NULL, "TAINT");
	CHECK("explain: exec takes the program file's labels (--target-labels)",
	      decides(r, "block", "tainted-tool"));
	json_object_put(r);
	r = explain("exec /opt/tool", "BOGUS", NULL, NULL, NULL);
	CHECK("explain: a label the policy does not have is ignored with a note",
	      decides(r, "allow", NULL) && json_object_array_length(get(r, "notes")) >= 1 &&
	      json_object_array_length(get(r, "subject.labels")) == 0);
	json_object_put(r);
}

TEST(precedence)
{
	json_object *r = explain("exec /bin/rm -rf /", "AGENT", NULL, NULL, NULL);

	CHECK("explain: kill > block > notify, whatever the order of the rules",
	      decides(r, "kill", "rm") && json_object_array_length(get(r, "clauses")) == 3);
	json_object_put(r);
	r = explain("exec /bin/rm x", "AGENT", NULL, NULL, NULL);
	CHECK("explain: block > notify", decides(r, "block", "rm2") &&
	      json_object_get_int(get(r, "decision.line")) > 0);
	json_object_put(r);
	r = explain("exec /usr/bin/ls", NULL, NULL, NULL, NULL);
	CHECK("explain: no rule about an event: allowed, no clause",
	      decides(r, "allow", NULL) && json_object_array_length(get(r, "clauses")) == 0);
	json_object_put(r);
}

TEST(symlinks)
{
	char dir[] = "/tmp/ap-explain.XXXXXX", a[64], b[64], l[64], *oldpath;
	json_object *r;
	FILE *f;

	if (!mkdtemp(dir)) {
		RESULT_SKIP("explain: symbolic links", strerror(errno));
		return;
	}
	snprintf(a, sizeof(a), "%s/rm.real", dir);
	snprintf(b, sizeof(b), "%s/rm", dir);
	snprintf(l, sizeof(l), "%s/link", dir);
	f = fopen(a, "w");
	if (f)
		fclose(f);
	chmod(a, 0755);
	if (symlink("rm.real", b) || symlink("rm.real", l)) {
		RESULT_SKIP("explain: symbolic links", strerror(errno));
		return;
	}
	oldpath = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", dir, 1);
	r = explain("exec rm x", NULL, NULL, NULL, NULL);
	CHECK("explain: a program is found in PATH and its symbolic link followed, as the "
	      "module sees the file that runs",
	      r && strstr(gets_(r, "event.target"), "/rm.real") &&
	      decides(r, "allow", NULL) && json_object_array_length(get(r, "notes")) == 1);
	json_object_put(r);
	setenv("PATH", "/nonexistent", 1);
	r = explain("exec rm x", NULL, NULL, NULL, NULL);
	CHECK("explain: a program not in PATH is matched by its name",
	      decides(r, "block", "rm2") && streq(gets_(r, "event.target"), "rm"));
	json_object_put(r);
	if (oldpath)
		setenv("PATH", oldpath, 1);
	free(oldpath);
	r = explain(l, NULL, NULL, NULL, NULL);	/* not an event: an error */
	CHECK("explain: a path alone is not an event", !r);
	{
		char ev[128];

		snprintf(ev, sizeof(ev), "unlink %s", l);
		r = explain(ev, NULL, NULL, NULL, NULL);
		CHECK("explain: unlink does not follow the link it removes",
		      r && streq(gets_(r, "event.target"), l));
		json_object_put(r);
		snprintf(ev, sizeof(ev), "read %s", l);
		r = explain(ev, NULL, NULL, NULL, NULL);
		CHECK("explain: read follows it", r && strstr(gets_(r, "event.target"), "rm.real"));
		json_object_put(r);
	}
	unlink(a);
	unlink(b);
	unlink(l);
	rmdir(dir);
}

TEST(schema)
{
	json_object *r = explain("exec git push", "SECRET", "pytest", "/opt/x", NULL);
	json_object *c = clause_of(r, "no-push", 0), *k;
	static const char *const top[] = { "policy", "domain", "event", "subject", "clauses",
					   "decision", "notes" };
	bool ok = r != NULL;
	size_t i;

	for (i = 0; ok && i < sizeof(top) / sizeof(top[0]); i++)
		ok = json_object_object_get_ex(r, top[i], NULL);
	ok = ok && streq(gets_(r, "event.op"), "exec") && streq(gets_(r, "event.written"), "git") &&
	     json_object_is_type(get(r, "event.ops"), json_type_array) &&
	     json_object_array_length(get(r, "event.argv")) == 2 &&
	     json_object_is_type(get(r, "subject.labels"), json_type_array) &&
	     json_object_is_type(get(r, "subject.view"), json_type_array) &&
	     json_object_is_type(get(r, "subject.gained"), json_type_array) &&
	     json_object_is_type(get(r, "subject.dropped"), json_type_array) &&
	     json_object_array_length(get(r, "subject.after")) == 1 &&
	     json_object_array_length(get(r, "subject.lineage")) == 1 &&
	     json_object_is_type(get(r, "decision.denied"), json_type_boolean) &&
	     json_object_is_type(get(r, "decision.line"), json_type_int);
	CHECK("explain --json: the top-level, event, subject and decision fields", ok);
	ok = c && streq(gets_(c, "effect"), "block") && streq(gets_(c, "op"), "exec") &&
	     json_object_get_int(get(c, "rule_id")) == 0 &&
	     json_object_get_int(get(c, "line")) == 5 &&
	     json_object_get_int(get(c, "rule_line")) == 4 &&
	     streq(gets_(c, "file"), "<rule>") &&
	     streq(gets_(c, "text"), "block exec \"git\" \"push\" if SECRET unless "
		   "lineage-includes exec \"human-approve\"") &&
	     streq(gets_(c, "because"), "pushing secrets is for humans") &&
	     json_object_is_type(get(c, "fires"), json_type_boolean);
	for (i = 0; ok && i < json_object_array_length(get(c, "conditions")); i++) {
		k = json_object_array_get_idx(get(c, "conditions"), i);
		ok = gets_(k, "kind") && gets_(k, "text") && gets_(k, "detail") &&
		     json_object_is_type(get(k, "holds"), json_type_boolean);
	}
	CHECK("explain --json: each clause's rule, location, text, conditions, because", ok);
	json_object_put(r);
}

TEST(hostile)
{
	json_object *r = explain("write '/w/src/a\n\x1b[31mb\xe2\x80\xae.c'", "AGENT", NULL, NULL,
				 NULL);
	char *out = r ? printed(r) : NULL;

	CHECK("explain: a hostile path is matched as it is (JSON keeps it)",
	      decides(r, "block", "c-files") &&
	      streq(gets_(r, "event.target"), "/w/src/a\n\x1b[31mb\xe2\x80\xae.c"));
	CASE("explain: ... and printed escaped: no raw newline, escape or bidi override");
	EXPECT_TRUE(out != NULL);
	EXPECT_NOT_CONTAINS(out, "\x1b");
	EXPECT_NOT_CONTAINS(out, "\xe2\x80\xae");
	EXPECT_CONTAINS(out, "a\\n\\x1b[31mb\\u202e.c");
	EXPECT_NOT_CONTAINS(out, "\nb\xe2");
	CASE_END();
	free(out);
	json_object_put(r);

	r = explain("exec git push", "SECRET", "$'x\ny'", NULL, NULL);
	out = r ? printed(r) : NULL;
	CASE("explain: hostile --after text is printed escaped");
	EXPECT_TRUE(out != NULL);
	EXPECT_NOT_CONTAINS(out, "x\ny");
	EXPECT_CONTAINS(out, "x\\ny");
	CASE_END();
	free(out);
	json_object_put(r);
}

TEST(input_errors)
{
	static const struct {
		const char *event, *frag;
	} bad[] = {
		{ "exce git", "did you mean 'exec'" },
		{ "frobnicate x", "operations are" },
		{ "", "give the event" },
		{ "exec", "needs a program" },
		{ "write a b", "takes one path" },
		{ "connect example.com:443", "host names" },
		{ "connect 10.0.0.1:99999", "port" },
		{ "connect [fd00::1:443", "[ADDR]:PORT" },
		{ "recv 1.2.3", "not an IP address" },
		{ "exec 'git", "not closed" },
	};
	struct ap_explain_event ev;
	char *err = NULL, big[4 + AP_EXPLAIN_MAX_WORDS * 2 + 1];
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ap_explain_event_init(&ev);
		if (ap_explain_set_event_text(&ev, bad[i].event, &err) != -EINVAL || !err ||
		    !strstr(err, bad[i].frag)) {
			printf("# '%s': %s\n", bad[i].event, err ? err : "accepted");
			ok = false;
		}
		free(err);
		err = NULL;
		ap_explain_event_free(&ev);
	}
	CHECK("explain: bad events are refused with a reason", ok);

	ap_explain_event_init(&ev);
	ok = ap_explain_add(&ev, AP_EXPLAIN_LABELS, "A,B c", &err) == -EINVAL &&
	     strstr(err, "not a label name");
	free(err);
	err = NULL;
	ok = ok && ap_explain_add(&ev, AP_EXPLAIN_AFTER, "connect 1.2.3.4:80", &err) == -EINVAL;
	free(err);
	err = NULL;
	ok = ok && !ap_explain_add(&ev, AP_EXPLAIN_LABELS, "SECRET,AGENT", &err) &&
	     ev.n_labels == 2;
	ok = ok && !ap_explain_json(pol, &ev, &err) && err;	/* no event yet */
	free(err);
	err = NULL;
	ap_explain_event_free(&ev);
	CHECK("explain: bad labels and --after events are refused; no event, no result", ok);

	memcpy(big, "exec", 4);		/* exec and AP_EXPLAIN_MAX_WORDS arguments */
	for (i = 0; i < AP_EXPLAIN_MAX_WORDS; i++) {
		big[4 + 2 * i] = ' ';
		big[4 + 2 * i + 1] = 'x';
	}
	big[4 + 2 * i] = '\0';
	ap_explain_event_init(&ev);
	ok = ap_explain_set_event_text(&ev, big, &err) == -EINVAL && strstr(err, "more than");
	free(err);
	ap_explain_event_free(&ev);
	CHECK("explain: the number of words is bounded", ok);
}

TEST(split)
{
	char **w = NULL, *err = NULL;
	size_t n = 0;
	bool ok = !ap_explain_split(" exec  'a b' \"c \\\"d\\\\\" e\\ f ''", &w, &n, &err) &&
		  n == 5 && streq(w[1], "a b") && streq(w[2], "c \"d\\") && streq(w[3], "e f") &&
		  streq(w[4], "") && !w[5];

	ap_explain_words_free(w);
	CHECK("explain: event text is split into words as a shell would", ok);
}

int main(int argc, char **argv)
{
	struct ap_diag d;
	int rc;

	ap_diag_init(&d);
	pol = ap_policy_load_dsl(policy_text, strlen(policy_text), "/w", &d);
	if (!pol) {
		ap_diag_print(stdout, &d, false);
		ktap_result(0, "explain: the test policy compiles", NULL);
		return ktap_exit();
	}
	ap_diag_free(&d);
	setenv("PATH", "/nonexistent", 1);	/* programs by name: matched by name */
	rc = test_harness_run(argc, argv);
	ap_policy_free(pol);
	return rc;
}
