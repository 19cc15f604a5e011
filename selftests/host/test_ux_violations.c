// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the violation records (userspace/violations.c): JSON round
 * trip, the append-only jsonl under concurrent writers, incremental reading
 * with partial lines, replaced and truncated files, the feedback hook's
 * delivery state, the atomic feedback file and the readable blocks.
 * The tool's source is compiled in directly (host tests do not link it).
 */
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"
#include "../../userspace/violations.c"

static char ws[256];	/* a mkdtemp name under /tmp */

static const char *argv_push[] = { "git", "push", "origin", "main" };
static const char *labels1[] = { "AGENT", "SECRET" };
static const struct ap_provenance prov1[] = {
	{ .label = "AGENT", .from = "exec /usr/bin/claude" },
	{ .label = "SECRET", .from = "file /work/.env" },
};

static struct ap_violation sample(uint64_t seq, const char *rule)
{
	struct ap_violation v = {
		.seq = seq, .time = "2025-05-01T10:00:00Z",
		.pid = 4242, .ppid = 4200, .uid = 1000,
		.comm = "git", .exe = "/usr/bin/git", .session = 3,
		.op = "exec", .target = "/usr/bin/git",
		.argv = argv_push, .argc = 4,
		.rule = rule, .effect = "block", .proposed = "block",
		.blocked = true,
		.labels = labels1, .n_labels = 2,
		.provenance = prov1, .n_provenance = 2,
		.because = "Pushing is left to the user: say \"push\"\\\n\t\u00e9 </tag>",
		.enforcer = "enforce",
	};
	return v;
}

/* run "CMD 'PATH'" (PATH is one of our temp paths: no quotes in it) */
static void sh(const char *cmd, const char *path)
{
	char line[PATH_MAX * 2];

	snprintf(line, sizeof(line), "%s '%s'", cmd, path);
	if (system(line))
		fprintf(stderr, "command failed: %s\n", line);
}

static char *slurp_path(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int count_lines(const char *path, int *valid)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	*valid = 0;
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		struct json_object *o = json_tokener_parse(line);

		n++;
		if (o && json_object_is_type(o, json_type_object))
			(*valid)++;
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return n;
}

TEST(roundtrip)
{
	struct ap_violation v = sample(7, "no-agent-push"), back;
	struct json_object *o = ap_violation_to_json(&v), *f;
	const char *js = json_object_to_json_string(o);
	struct json_object *re = json_tokener_parse(js);
	bool ok;

	ok = re && !ap_violation_from_json(re, &back) &&
	     back.seq == 7 && back.pid == 4242 && back.ppid == 4200 &&
	     back.uid == 1000 && back.session == 3 &&
	     !strcmp(back.because, v.because) && !strcmp(back.rule, v.rule) &&
	     !strcmp(back.op, "exec") && back.argc == 4 &&
	     !strcmp(back.argv[1], "push") && back.n_labels == 2 &&
	     back.n_provenance == 2 && !strcmp(back.provenance[1].from, "file /work/.env") &&
	     back.blocked && !back.killed && !strcmp(back.effect, "block") &&
	     !strcmp(back.enforcer, "enforce") && !strcmp(back.time, v.time);
	RESULT(ok, "violations: JSON round trip keeps every field (quotes, newlines, UTF-8)",
	       "%s", js);
	ap_violation_release(&back);
	json_object_put(re);
	json_object_put(o);

	v.argv = NULL;
	v.time = NULL;
	o = ap_violation_to_json(&v);
	ok = !json_object_object_get_ex(o, "argv", &f) &&
	     json_object_object_get_ex(o, "time", &f) &&
	     strlen(json_object_get_string(f)) == 20 &&
	     json_object_get_string(f)[19] == 'Z';
	RESULT(ok, "violations: absent argv is omitted, missing time becomes RFC 3339 UTC",
	       "%s", json_object_to_json_string(o));
	json_object_put(o);
}

struct seen {
	int n;
	uint64_t last_seq;
	char rules[16][32];
};

static int see(const struct ap_violation *v, struct json_object *o, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 16)
		snprintf(s->rules[s->n], sizeof(s->rules[0]), "%s", v->rule ? v->rule : "");
	s->n++;
	s->last_seq = v->seq;
	return 0;
}

TEST(append_and_read)
{
	struct ap_violation v1 = sample(1, "r1"), v2 = sample(2, "r2");
	struct ap_jsonl_pos pos = { 0 }, p2;
	struct seen s = { 0 };
	char path[PATH_MAX];
	int n, valid, fd;

	ap_state_path(ws, AP_VIOLATIONS_FILE, path, sizeof(path));
	n = ap_violations_read_since(ws, &pos, see, &s);
	RESULT(n == 0 && pos.offset == 0, "violations: reading a missing file gives nothing",
	       "n=%d", n);

	ap_violations_append(ws, &v1);
	ap_violations_append(ws, &v2);
	n = count_lines(path, &valid);
	RESULT(n == 2 && valid == 2, "violations: append writes one JSON object per line",
	       "%d lines, %d valid", n, valid);

	n = ap_violations_read_since(ws, &pos, see, &s);
	RESULT(n == 2 && s.n == 2 && !strcmp(s.rules[0], "r1") &&
	       !strcmp(s.rules[1], "r2"),
	       "violations: read_since returns the records in order", "n=%d", n);
	n = ap_violations_read_since(ws, &pos, see, &s);
	RESULT(n == 0, "violations: read_since from the end returns nothing", "n=%d", n);

	/* a line still being written is left for the next reader */
	fd = open(path, O_WRONLY | O_APPEND);
	n = write(fd, "{\"seq\":3,\"rule\":\"r3\"", 20);
	p2 = pos;
	n = ap_violations_read_since(ws, &pos, see, &s);
	RESULT(n == 0 && pos.offset == p2.offset,
	       "violations: an incomplete last line is not consumed", "n=%d off=%llu",
	       n, (unsigned long long)pos.offset);
	n = write(fd, "}\nnot json\n\n", 12);
	close(fd);
	s.n = 0;
	n = ap_violations_read_since(ws, &pos, see, &s);
	RESULT(n == 1 && s.n == 1 && !strcmp(s.rules[0], "r3"),
	       "violations: the completed line is read, garbage lines are skipped",
	       "n=%d", n);
	n = ap_violations_read_since(ws, &pos, see, &s);
	RESULT(n == 0, "violations: skipped garbage is consumed once", "n=%d", n);

	/* replaced file (other inode): start over even though it is longer */
	{
		char tmp[PATH_MAX + 8];
		FILE *f;
		int i;

		snprintf(tmp, sizeof(tmp), "%s.new", path);
		f = fopen(tmp, "w");
		for (i = 0; i < 40; i++)
			fprintf(f, "{\"seq\":%d,\"rule\":\"x%d\"}\n", 100 + i, i);
		fclose(f);
		rename(tmp, path);
	}
	s.n = 0;
	n = ap_violations_read_since(ws, &pos, see, &s);
	RESULT(n == 40 && !strcmp(s.rules[0], "x0"),
	       "violations: a replaced file is read from its start", "n=%d", n);
	/* truncated in place */
	if (truncate(path, 0))
		perror("truncate");
	n = ap_violations_read_since(ws, &pos, see, &s);
	RESULT(n == 0 && pos.offset == 0, "violations: a truncated file restarts at 0",
	       "n=%d off=%llu", n, (unsigned long long)pos.offset);
}

TEST(concurrent_append)
{
	char path[PATH_MAX];
	int i, n, valid, status;

	ap_state_path(ws, AP_VIOLATIONS_FILE, path, sizeof(path));
	unlink(path);
	for (i = 0; i < 4; i++) {
		if (fork() == 0) {
			struct ap_violation v = sample(0, "concurrent");
			int j;

			for (j = 0; j < 200; j++) {
				v.seq = (uint64_t)(i * 1000 + j);
				if (ap_violations_append(ws, &v))
					_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++)
		wait(&status);
	n = count_lines(path, &valid);
	RESULT(n == 800 && valid == 800,
	       "violations: 4 concurrent writers never interleave inside a line",
	       "%d lines, %d valid", n, valid);
}

TEST(latest)
{
	struct seen s = { 0 };
	size_t total = 0;
	char path[PATH_MAX];
	int i, n;

	ap_state_path(ws, AP_VIOLATIONS_FILE, path, sizeof(path));
	unlink(path);
	for (i = 0; i < 25; i++) {
		struct ap_violation v = sample((uint64_t)i + 1, "latest");

		ap_violations_append(ws, &v);
	}
	n = ap_violations_read_latest(ws, 20, see, &s, &total);
	RESULT(n == 20 && total == 25 && s.n == 20 && s.last_seq == 25,
	       "violations: read_latest gives the newest 20 of 25, oldest first",
	       "n=%d total=%zu last=%llu", n, total, (unsigned long long)s.last_seq);
}

TEST(delivery_state)
{
	struct ap_jsonl_pos pos, again;
	struct ap_violation v = sample(50, "state");
	struct seen s = { 0 };
	int fd, n;

	fd = ap_feedback_begin(ws, &pos);
	n = ap_violations_read_since(ws, &pos, see, &s);
	ap_feedback_commit(fd, &pos);
	ap_feedback_end(fd);
	fd = ap_feedback_begin(ws, &again);
	ap_feedback_end(fd);
	RESULT(fd >= 0 && n == 25 && again.offset == pos.offset && again.ino == pos.ino,
	       "violations: the delivery state survives between hook runs",
	       "n=%d off %llu/%llu", n, (unsigned long long)pos.offset,
	       (unsigned long long)again.offset);

	ap_violations_append(ws, &v);
	ap_feedback_mark_delivered(ws);
	fd = ap_feedback_begin(ws, &pos);
	s.n = 0;
	n = ap_violations_read_since(ws, &pos, see, &s);
	ap_feedback_end(fd);
	RESULT(n == 0, "violations: mark_delivered skips what is already there", "n=%d", n);
}

TEST(feedback_file)
{
	struct ap_violation v = sample(9, "no-agent-push");
	char path[PATH_MAX], *text;
	struct dirent *e;
	bool tmp_left = false;
	DIR *d;

	int wsfd = ap_workspace_open(ws);

	ap_last_violation_path(ws, path, sizeof(path));
	ap_last_violation_write(wsfd, ".actplane/" AP_LAST_VIOLATION_FILE, &v);
	v.rule = "second-rule";
	ap_last_violation_write(wsfd, ".actplane/" AP_LAST_VIOLATION_FILE, &v);
	close(wsfd);
	text = slurp_path(path);
	RESULT(text && strstr(text, "second-rule") && !strstr(text, "no-agent-push") &&
	       strstr(text, "What to do instead") && strstr(text, "Pushing is left to the user") &&
	       strstr(text, "git push origin main") && strstr(text, "pid 4242"),
	       "violations: last-violation.txt holds the latest block for the agent",
	       "%s", text ? text : "(missing)");
	ap_state_path(ws, NULL, path, sizeof(path));
	d = opendir(path);
	while (d && (e = readdir(d)))
		tmp_left |= strstr(e->d_name, "tmp") != NULL;
	if (d)
		closedir(d);
	RESULT(!tmp_left, "violations: the atomic rewrite leaves no temp file", NULL);
}

TEST(text)
{
	struct ap_violation v = sample(9, "no-agent-push");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ap_violation_format_text(&v, f);
	v.effect = "notify";
	v.blocked = false;
	v.enforcer = "audit";
	ap_violation_format_text(&v, f);
	ap_violation_format_feedback(&v, f);
	fclose(f);
	RESULT(strstr(buf, "BLOCKED running \"/usr/bin/git\" (rule \"no-agent-push\")") &&
	       strstr(buf, "because:  Pushing is left") &&
	       strstr(buf, "\"AGENT\" (from \"exec /usr/bin/claude\")") &&
	       strstr(buf, "REPORTED") && strstr(buf, "policy proposed block; enforcer audit") &&
	       strstr(buf, "under enforcement it would have been blocked"),
	       "violations: readable blocks name the action, process, rule, effect, reason and audit",
	       "%s", buf);
	free(buf);
}

/*
 * Provenance chains (issue #19): kept through the JSON round trip, shown
 * one line per hop in both blocks, hostile names escaped.
 */
static const struct ap_hop hops1[] = {
	{ "process", "python3[980]", "read", 980, "python3", "2026-12-02T16:40:01.123Z", NULL },
	{ "file", "/w/cfg\n- Effect: none\x1b[31m", "write", 413, "jq", "2026-12-02T16:39:58.000Z",
	  NULL },
	{ "file", "/w/.env", "source", 412, "cat", "2026-12-02T16:39:57.500Z",
	  "source file **/.env" },
};

TEST(chain)
{
	struct ap_provenance prov[] = {
		{ .label = "SECRET", .from = "source file **/.env", .hops = hops1, .n_hops = 3,
		  .more = 2, .end = "origin" },
	};
	struct ap_violation v = sample(11, "no-exfil"), back;
	struct json_object *o, *re;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	v.provenance = prov;
	v.n_provenance = 1;
	o = ap_violation_to_json(&v);
	re = json_tokener_parse(json_object_to_json_string(o));
	ASSERT_TRUE(re && !ap_violation_from_json(re, &back));
	ASSERT_EQ(back.n_provenance, 1u);
	EXPECT_EQ(back.provenance[0].n_hops, 3u);
	EXPECT_EQ(back.provenance[0].more, 2u);
	EXPECT_STREQ(back.provenance[0].end, "origin");
	EXPECT_STREQ(back.provenance[0].hops[1].name, hops1[1].name);
	EXPECT_EQ(back.provenance[0].hops[1].pid, 413);
	EXPECT_STREQ(back.provenance[0].hops[2].rule, "source file **/.env");
	EXPECT_TRUE(back.provenance[0].hops[0].rule == NULL);

	f = open_memstream(&buf, &len);
	ap_violation_format_text(&back, f);
	ap_violation_format_feedback(&back, f);
	fclose(f);
	EXPECT_CONTAINS(buf, "    how \"SECRET\" got here (newest first):\n"
			     "      process \"python3[980]\" <- read at 16:40:01.123Z\n");
	EXPECT_CONTAINS(buf, "file \"/w/cfg\\n- Effect: none\\x1b[31m\" <- write by \"jq\"[413]");
	EXPECT_CONTAINS(buf, "file \"/w/.env\" <- \"source file **/.env\", by \"cat\"[412]");
	EXPECT_CONTAINS(buf, "... 2 more hops\n");
	EXPECT_CONTAINS(buf, "- How \"SECRET\" got here");
	EXPECT_NOT_CONTAINS(buf, "\n- Effect: none");
	EXPECT_NOT_CONTAINS(buf, "\x1b");
	free(buf);
	ap_violation_release(&back);
	json_object_put(re);
	json_object_put(o);
}

/* `open` is any open (issue #15): the text must not claim "for writing" */
TEST(text_open)
{
	struct ap_violation v = sample(9, "mediate-proddb");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	v.op = "open";
	v.target = "/srv/prod.db";
	v.argc = 0;
	ap_violation_format_text(&v, f);
	ap_violation_format_feedback(&v, f);
	fclose(f);
	RESULT(buf && strstr(buf, "opening \"/srv/prod.db\"") &&
	       !strstr(buf, "for writing"),
	       "violations: an open violation reads 'opening X' (any open, not only for writing)",
	       "%s", buf);
	free(buf);
}

TEST(workspace_find)
{
	char sub[PATH_MAX + 16], out[PATH_MAX];
	int ret;

	snprintf(sub, sizeof(sub), "%s/a/b/c", ws);
	sh("mkdir -p", sub);
	ret = ap_workspace_find(sub, out, sizeof(out));
	RESULT(!ret && !strcmp(out, ws), "violations: the workspace is found from a subdirectory",
	       "ret=%d out=%s", ret, out);
}

/* the agent owns the workspace: a link planted there is never followed */
TEST(links_refused)
{
	struct ap_violation v = sample(1, "links");
	char sub[PATH_MAX + 16], path[PATH_MAX + 64], victim[PATH_MAX + 64];
	struct ap_jsonl_pos pos;
	struct stat st;
	char *text;
	int fd, ret, wsfd;

	snprintf(sub, sizeof(sub), "%s/hostile", ws);
	snprintf(victim, sizeof(victim), "%s/victim", ws);
	mkdir(sub, 0755);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);

	/* .actplane itself a link to another directory */
	snprintf(path, sizeof(path), "%s/.actplane", sub);
	if (symlink(ws, path))
		perror("symlink");
	ret = ap_violations_append(sub, &v);
	RESULT(ret == -ELOOP || ret == -ENOTDIR,
	       "workspace files: a .actplane that is a link is refused", "ret=%d", ret);
	unlink(path);

	/* violations.jsonl and feedback-offset as links to another file */
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/.actplane/violations.jsonl", sub);
	if (symlink(victim, path))
		perror("symlink");
	ret = ap_violations_append(sub, &v);
	stat(victim, &st);
	RESULT(ret == -ELOOP && st.st_size == 0,
	       "workspace files: violations.jsonl as a link is not followed", "ret=%d size=%lld",
	       ret, (long long)st.st_size);
	snprintf(path, sizeof(path), "%s/.actplane/feedback-offset", sub);
	if (symlink(victim, path))
		perror("symlink");
	fd = ap_feedback_begin(sub, &pos);
	stat(victim, &st);
	RESULT(fd == -ELOOP && st.st_size == 0,
	       "workspace files: feedback-offset as a link is not followed", "fd=%d", fd);
	if (fd >= 0)
		ap_feedback_end(fd);

	/* the feedback file: a link at its name is replaced, not written through */
	wsfd = ap_workspace_open(sub);
	snprintf(path, sizeof(path), "%s/.actplane/last-violation.txt", sub);
	if (symlink(victim, path))
		perror("symlink");
	ret = ap_last_violation_write(wsfd, ".actplane/last-violation.txt", &v);
	stat(victim, &st);
	text = slurp_path(path);
	RESULT(!ret && st.st_size == 0 && !lstat(path, &st) && S_ISREG(st.st_mode) &&
	       text && strstr(text, "links"),
	       "workspace files: a link at the feedback file's name is replaced, not followed",
	       "ret=%d", ret);
	ret = ap_last_violation_write(wsfd, "../escape.txt", &v);
	RESULT(ret == -EINVAL, "workspace files: a feedback path with .. is refused",
	       "ret=%d", ret);
	ret = ap_last_violation_write(wsfd, "/tmp/escape.txt", &v);
	RESULT(ret == -EINVAL, "workspace files: an absolute feedback path is refused",
	       "ret=%d", ret);
	close(wsfd);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/actplane-ux-XXXXXX";
	int rc;

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(ws, sizeof(ws), "%s", tmpl);
	ap_state_dir_ensure(ws);

	rc = test_harness_run(argc, argv);
	sh("rm -rf", ws);
	return rc;
}
