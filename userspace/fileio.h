/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Opening and replacing files without being led elsewhere (fileio.c).
 *
 * Every file under an agent's workspace is opened through ap_open_beneath()
 * and ap_mkdir_beneath(), whoever runs them: beneath a directory descriptor,
 * with no symlink, magic link, "." or ".." on the way (openat2
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or a component-by-component
 * O_NOFOLLOW walk where openat2 is missing).  The agent owns the workspace
 * and may plant links anywhere in it; a link is an error (ELOOP), never
 * followed.  Nothing here changes an owner: `run` writes the workspace files
 * from a helper that runs as the agent's user, `setup` as the invoking user.
 *
 * ap_write_replace() is the one way the tool replaces a file whole.
 * This file is part of the policy library (it has no other dependency), so
 * `init` there uses it too.
 */
#ifndef ACTPLANE_FILEIO_H
#define ACTPLANE_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* A descriptor (open) or 0 (mkdir, which makes the parents too), or -errno. */
int ap_open_beneath(int dirfd, const char *rel, int flags, mode_t mode);
int ap_mkdir_beneath(int dirfd, const char *rel, mode_t mode);

/* write(2) all of buf, retrying on EINTR and short writes: 0 or -errno */
int ap_write_all(int fd, const void *buf, size_t len);

/* flags of ap_write_replace() */
#define AP_WRITE_BENEATH	0x1	/* @path is resolved as by ap_open_beneath() */
#define AP_WRITE_FSYNC		0x2	/* fsync the new file before it replaces the old */
#define AP_WRITE_EXACT_MODE	0x4	/* fchmod to @mode (the umask does not apply) */

/*
 * Replace @path (relative to @dirfd, as for openat; AT_FDCWD for the working
 * directory) with @len bytes of @buf, atomically: readers see the old file or
 * the new one, never part of one.  The bytes go to a new temporary file in
 * the same directory, ".NAME.actplane-tmp.RANDOM" (RANDOM from getrandom:
 * not predictable), created O_EXCL | O_NOFOLLOW -- never an existing file,
 * never through a link planted in its place -- and renamed over NAME
 * (renameat replaces a link at NAME, it does not follow it), both relative
 * to the one directory descriptor opened once.  With AP_WRITE_BENEATH that
 * directory is opened with ap_open_beneath(), so no link, "." or ".." on
 * the way is followed either; without it, the directory part of @path is
 * resolved as open(2) would.  @mode: the new file's mode (less the umask
 * unless AP_WRITE_EXACT_MODE).
 * 0, or -errno with the temporary file removed and @path as it was.
 */
int ap_write_replace(int dirfd, const char *path, const void *buf, size_t len,
		     mode_t mode, unsigned int flags);

#endif
