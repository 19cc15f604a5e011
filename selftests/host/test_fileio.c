// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of ap_write_replace() (userspace/fileio.c), the one way the
 * tool replaces a file whole (the feedback file, agent settings, `init
 * --force`): content and modes, a link at the target replaced and never
 * written through, links and ".." on the way refused beneath a directory,
 * temporary names that are random (not pre-plantable) and never left
 * behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "harness.h"
#include "fileio.h"

static char dir[PATH_MAX];
static int dfd;	/* dir, open: every test works in it */

static char *slurp(const char *rel)
{
	static char buf[4096];
	char p[PATH_MAX + 64];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	fd = open(p, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static mode_t mode_of(int fd, const char *rel)
{
	struct stat st;

	return fstatat(fd, rel, &st, AT_SYMLINK_NOFOLLOW) ? 0 : st.st_mode;
}

/* entries of @sub (relative to dir) whose name holds "tmp" */
static int tmp_entries(const char *sub)
{
	char p[PATH_MAX + 64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	d = opendir(p);
	while (d && (e = readdir(d)))
		n += strstr(e->d_name, "tmp") != NULL;
	if (d)
		closedir(d);
	return n;
}

TEST(content_and_mode)
{
	char *t;
	int ret;

	umask(022);
	ret = ap_write_replace(dfd, "a.txt", "one\n", 4, 0666, AP_WRITE_BENEATH);
	t = slurp("a.txt");
	RESULT(!ret && t && !strcmp(t, "one\n") && (mode_of(dfd, "a.txt") & 07777) == 0644,
	       "fileio: a new file, the umask applied", "ret=%d mode=%o", ret,
	       mode_of(dfd, "a.txt"));
	ret = ap_write_replace(dfd, "a.txt", "two", 3, 0600,
			       AP_WRITE_BENEATH | AP_WRITE_EXACT_MODE | AP_WRITE_FSYNC);
	t = slurp("a.txt");
	RESULT(!ret && t && !strcmp(t, "two") && (mode_of(dfd, "a.txt") & 07777) == 0600,
	       "fileio: replaced whole, exact mode", "ret=%d mode=%o", ret,
	       mode_of(dfd, "a.txt"));
	ret = ap_write_replace(dfd, "a.txt", "", 0, 0644, AP_WRITE_BENEATH);
	t = slurp("a.txt");
	RESULT(!ret && t && !*t, "fileio: an empty file", "ret=%d", ret);
	RESULT(!tmp_entries("."), "fileio: no temporary file left", NULL);
}

TEST(links)
{
	char victim[PATH_MAX + 16], p[PATH_MAX + 16];
	struct stat st;
	int ret, fd;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);

	/* a link at the target's name is replaced, in both modes */
	if (symlinkat(victim, dfd, "linked") || symlinkat(victim, dfd, "linked2"))
		perror("symlink");
	ret = ap_write_replace(dfd, "linked", "x", 1, 0644, AP_WRITE_BENEATH);
	stat(victim, &st);
	RESULT(!ret && st.st_size == 0 && S_ISREG(mode_of(dfd, "linked")),
	       "fileio: beneath, a link at the name is replaced, not followed",
	       "ret=%d victim size %lld", ret, (long long)st.st_size);
	snprintf(p, sizeof(p), "%s/linked2", dir);
	ret = ap_write_replace(AT_FDCWD, p, "x", 1, 0644, 0);
	stat(victim, &st);
	RESULT(!ret && st.st_size == 0 && S_ISREG(mode_of(dfd, "linked2")),
	       "fileio: a path, a link at the name is replaced, not followed",
	       "ret=%d victim size %lld", ret, (long long)st.st_size);

	/* beneath: a linked directory on the way, "..", an absolute path */
	if (mkdirat(dfd, "real", 0755) || symlinkat("real", dfd, "dirlink"))
		perror("mkdir/symlink");
	ret = ap_write_replace(dfd, "dirlink/f", "x", 1, 0644, AP_WRITE_BENEATH);
	RESULT((ret == -ELOOP || ret == -ENOTDIR) && mode_of(dfd, "real/f") == 0,
	       "fileio: beneath, a linked directory on the way is refused", "ret=%d", ret);
	ret = ap_write_replace(dfd, "real/../f", "x", 1, 0644, AP_WRITE_BENEATH);
	RESULT(ret == -EINVAL, "fileio: beneath, .. is refused", "ret=%d", ret);
	ret = ap_write_replace(dfd, p, "x", 1, 0644, AP_WRITE_BENEATH);
	RESULT(ret == -EINVAL, "fileio: beneath, an absolute path is refused", "ret=%d", ret);
	ret = ap_write_replace(dfd, "real/f", "sub", 3, 0644, AP_WRITE_BENEATH);
	RESULT(!ret && slurp("real/f") && !strcmp(slurp("real/f"), "sub"),
	       "fileio: beneath, a real subdirectory is fine", "ret=%d", ret);
	ret = ap_write_replace(dfd, "real/", "x", 1, 0644, 0);
	RESULT(ret == -EISDIR, "fileio: a path ending in / is refused", "ret=%d", ret);
}

/* the names the old writers used (pid and an unseeded random()) cannot stop it */
TEST(preplanted)
{
	char name[NAME_MAX + 1], victim[PATH_MAX + 16];
	struct stat st;
	unsigned int i;
	int ret;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	srandom(1);	/* what an unseeded random() returns */
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), ".p.actplane-tmp.%d.%u", (int)getpid(),
			 (unsigned int)random());
		symlinkat(victim, dfd, name);
	}
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "p.tmp.%d", (int)getpid() + (int)i);
		symlinkat(victim, dfd, name);
	}
	srandom(1);	/* as in a fresh process */
	ret = ap_write_replace(dfd, "p", "planted", 7, 0644, AP_WRITE_BENEATH);
	stat(victim, &st);
	RESULT(!ret && st.st_size == 0 && slurp("p") && !strcmp(slurp("p"), "planted"),
	       "fileio: temporary names planted in advance neither stop nor redirect it",
	       "ret=%d victim size %lld", ret, (long long)st.st_size);
	srandom(1);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), ".p.actplane-tmp.%d.%u", (int)getpid(),
			 (unsigned int)random());
		unlinkat(dfd, name, 0);
	}
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "p.tmp.%d", (int)getpid() + (int)i);
		unlinkat(dfd, name, 0);
	}
}

/* the temporary name, seen by inotify: ".NAME.actplane-tmp." and 16 random hex digits */
TEST(tmp_names)
{
	char seen[2][NAME_MAX + 1] = { "", "" }, buf[4096];
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), i, ok = 1;

	if (in < 0 || inotify_add_watch(in, dir, IN_CREATE) < 0) {
		RESULT_SKIP("fileio: temporary names are random", "no inotify");
		return;
	}
	for (i = 0; i < 2; i++) {
		ssize_t n;
		char *p;

		if (ap_write_replace(dfd, "n.txt", "n", 1, 0644, AP_WRITE_BENEATH))
			ok = 0;
		n = read(in, buf, sizeof(buf));
		for (p = buf; n > 0 && p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->len && !strncmp(ev->name, ".n.txt.actplane-tmp.", 20))
				snprintf(seen[i], sizeof(seen[i]), "%s", ev->name);
			p += sizeof(*ev) + ev->len;
		}
		if (strlen(seen[i]) != 20 + 16 ||
		    strspn(seen[i] + 20, "0123456789abcdef") != 16)
			ok = 0;
	}
	close(in);
	RESULT(ok && strcmp(seen[0], seen[1]),
	       "fileio: temporary names are random, in the target's directory",
	       "'%s' '%s'", seen[0], seen[1]);
}

/* a failed rename (a directory in the way) leaves the temporary file nowhere */
TEST(failure_cleans_up)
{
	int ret;

	if (mkdirat(dfd, "isdir", 0755) || mkdirat(dfd, "isdir/x", 0755))
		perror("mkdir");
	ret = ap_write_replace(dfd, "isdir", "x", 1, 0644, AP_WRITE_BENEATH);
	RESULT(ret < 0 && !tmp_entries("."), "fileio: a failed replace leaves no temporary file",
	       "ret=%d", ret);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/actplane-fileio-XXXXXX";
	char cmd[PATH_MAX + 16];
	int rc;

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", tmpl);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = test_harness_run(argc, argv);
	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return rc;
}
