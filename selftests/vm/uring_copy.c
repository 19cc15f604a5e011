// SPDX-License-Identifier: GPL-2.0-only
/*
 * io_uring data path: open SRC and DST, *then* label SRC with LABEL (so the
 * opens propagate nothing), read SRC and write DST with io_uring operations
 * only (IORING_OP_READ / IORING_OP_WRITE), then print this process's labels.
 * io_uring requests pass the same LSM hooks (file_permission via
 * rw_verify_area), so labels must propagate exactly as with read/write.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <liburing.h>

static int run(struct io_uring *ring, int write, int fd, char *buf, unsigned int len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int res;

	if (write)
		io_uring_prep_write(sqe, fd, buf, len, 0);
	else
		io_uring_prep_read(sqe, fd, buf, len, 0);
	io_uring_submit(ring);
	if (io_uring_wait_cqe(ring, &cqe))
		return -1;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	char buf[4096], cmd[4200];
	int in, out, n, ret;

	if (argc != 4) {
		fprintf(stderr, "usage: uring_copy LABEL SRC DST\n");
		return 2;
	}
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	in = open(argv[2], O_RDONLY);
	out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in < 0 || out < 0) {
		perror("open");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "actplane label add %s %s", argv[1], argv[2]);
	if (system(cmd))
		return 1;
	n = run(&ring, 0, in, buf, sizeof(buf));
	if (n < 0 || run(&ring, 1, out, buf, (unsigned int)n) != n) {
		fprintf(stderr, "io_uring read/write failed: %d\n", n);
		return 1;
	}
	io_uring_queue_exit(&ring);
	snprintf(cmd, sizeof(cmd), "actplane labels --pid %d", getpid());
	return system(cmd) ? 1 : 0;
}
