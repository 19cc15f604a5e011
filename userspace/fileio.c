// SPDX-License-Identifier: GPL-2.0-only
/* Opening and replacing files without following links (see fileio.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "fileio.h"

/* openat2(2) by number: glibc 2.36 has no wrapper */
static int openat2_nofollow(int dirfd, const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/* the same by hand, one component at a time, where openat2 is missing */
static int walk_nofollow(int dirfd, const char *rel, int flags, mode_t mode)
{
	char buf[PATH_MAX], *comp, *next;
	int cur = dirfd, fd, err;

	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (comp = buf; (next = strchr(comp, '/')); comp = next + 1) {
		*next = '\0';
		fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = errno;
		if (cur != dirfd)
			close(cur);
		if (fd < 0) {
			errno = err;
			return -1;
		}
		cur = fd;
	}
	fd = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	err = errno;
	if (cur != dirfd)
		close(cur);
	errno = err;
	return fd;
}

/* a relative path with no "", "." or ".." component */
static bool plain_relative(const char *rel)
{
	const char *c = rel;

	if (!*rel || *rel == '/')
		return false;
	for (;;) {
		size_t n = strcspn(c, "/");

		if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!c[n])
			return true;
		c += n + 1;
	}
}

int ap_open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
	int fd;

	if (!plain_relative(rel))
		return -EINVAL;
	fd = openat2_nofollow(dirfd, rel, flags, mode);
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))	/* old kernel, seccomp */
		fd = walk_nofollow(dirfd, rel, flags, mode);
	return fd < 0 ? -errno : fd;
}

int ap_mkdir_beneath(int dirfd, const char *rel, mode_t mode)
{
	char buf[PATH_MAX], *slash;
	int fd, ret = 0;

	if (!plain_relative(rel))
		return -EINVAL;
	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	slash = strrchr(buf, '/');
	if (slash) {		/* the parents first */
		*slash = '\0';
		ret = ap_mkdir_beneath(dirfd, buf, mode);
		if (ret)
			return ret;
		*slash = '/';
	}
	/* mkdirat does not follow a final symlink: an existing link is EEXIST */
	if (slash) {
		*slash = '\0';
		fd = ap_open_beneath(dirfd, buf, O_RDONLY | O_DIRECTORY, 0);
		*slash = '/';
		if (fd < 0)
			return fd;
		ret = mkdirat(fd, slash + 1, mode) && errno != EEXIST ? -errno : 0;
		close(fd);
	} else {
		ret = mkdirat(dirfd, buf, mode) && errno != EEXIST ? -errno : 0;
	}
	if (ret)
		return ret;
	/* whatever is there now must be a real directory, not a link */
	fd = ap_open_beneath(dirfd, buf, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int ap_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* 64 unpredictable bits for a temporary name */
static uint64_t tmp_nonce(void)
{
	uint64_t r;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	/* no entropy yet (early boot): unique enough, and O_EXCL still holds */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^
	       ((uint64_t)getpid() << 16) ^ (uint64_t)random();
}

/* the directory of @path, opened (beneath @dirfd if asked); *name: the last component */
static int open_dir_of(int dirfd, const char *path, unsigned int flags, const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	if (!slash) {
		*name = path;
		if (dirfd == AT_FDCWD)
			fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		else
			fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	*name = slash + 1;
	if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (flags & AP_WRITE_BENEATH)
		return ap_open_beneath(dirfd, dir, O_RDONLY | O_DIRECTORY, 0);
	fd = openat(dirfd, slash == path ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int ap_write_replace(int dirfd, const char *path, const void *buf, size_t len,
		     mode_t mode, unsigned int flags)
{
	const char *name;
	char tmp[NAME_MAX + 1];
	unsigned int i;
	int dfd, fd = -EEXIST, ret;

	if ((flags & AP_WRITE_BENEATH) && !plain_relative(path))
		return -EINVAL;
	dfd = open_dir_of(dirfd, path, flags, &name);
	if (dfd < 0)
		return dfd;
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
		close(dfd);
		return -EISDIR;
	}
	for (i = 0; i < 100 && fd == -EEXIST; i++) {
		if (snprintf(tmp, sizeof(tmp), ".%.200s.actplane-tmp.%016llx", name,
			     (unsigned long long)tmp_nonce()) >= (int)sizeof(tmp)) {
			close(dfd);
			return -ENAMETOOLONG;
		}
		/* one component: never an existing file, never through a link */
		if (flags & AP_WRITE_BENEATH) {
			fd = ap_open_beneath(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
		} else {
			fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				    mode);
			if (fd < 0)
				fd = -errno;
		}
	}
	if (fd < 0) {
		close(dfd);
		return fd;
	}
	ret = ap_write_all(fd, buf, len);
	if (!ret && (flags & AP_WRITE_EXACT_MODE) && fchmod(fd, mode))
		ret = -errno;
	if (!ret && (flags & AP_WRITE_FSYNC) && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && renameat(dfd, tmp, dfd, name))
		ret = -errno;
	if (ret)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return ret;
}
