// SPDX-License-Identifier: GPL-2.0-only
/*
 * apbench-noop up|down — attach the no-op programs of configuration (b) and
 * pin their links under /sys/fs/bpf/apbench_noop (so they stay attached
 * after the loader exits), or unpin them (which detaches them).
 *
 * Detaching is not immediate: the last reference to a pinned link goes when
 * bpffs frees the inode (after an RCU grace period) and the link is then
 * released from a workqueue.  A benchmark started right after the unpin
 * would still pay for the programs, so `down` waits until no program of
 * ours is left in the kernel (a program's id goes after its link's release).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "noop.skel.h"

#define PIN_DIR "/sys/fs/bpf/apbench_noop"

/* Optional programs (`SEC("?...")`, a function other kernels name
 * otherwise): load those whose function this kernel has, as `actplane up`. */
static struct apbench_noop *open_and_load(void)
{
	struct apbench_noop *skel = apbench_noop__open();
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;

	if (!skel || !vmlinux) {
		btf__free(vmlinux);
		apbench_noop__destroy(skel);
		return NULL;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		const char *fn = strrchr(bpf_program__section_name(prog), '/');

		if (!bpf_program__autoload(prog) && fn &&
		    btf__find_by_name_kind(vmlinux, fn + 1, BTF_KIND_FUNC) > 0)
			bpf_program__set_autoload(prog, true);
	}
	btf__free(vmlinux);
	if (apbench_noop__load(skel)) {
		apbench_noop__destroy(skel);
		return NULL;
	}
	return skel;
}

static int up(void)
{
	struct apbench_noop *skel = open_and_load();
	struct bpf_program *prog;
	char path[256];
	int n = 0;

	if (!skel) {
		fprintf(stderr, "apbench-noop: loading the programs failed: %s\n", strerror(errno));
		return 1;
	}
	if (mkdir(PIN_DIR, 0700) && errno != EEXIST) {
		fprintf(stderr, "apbench-noop: %s: %s\n", PIN_DIR, strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);

		snprintf(path, sizeof(path), "%s/%s", PIN_DIR, bpf_program__name(prog));
		if (!link || bpf_link__pin(link, path)) {
			fprintf(stderr, "apbench-noop: attaching %s failed: %s\n",
				bpf_program__name(prog), strerror(errno));
			return 1;
		}
		bpf_link__destroy(link);	/* the pin keeps it attached */
		n++;
	}
	apbench_noop__destroy(skel);
	printf("apbench-noop: %d no-op programs attached\n", n);
	return 0;
}

/* Number of loaded BPF programs whose name starts with "noop_". */
static int our_progs(void)
{
	__u32 id = 0;
	int n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_prog_get_info_by_fd(fd, &info, &len) && !strncmp(info.name, "noop_", 5))
			n++;
		close(fd);
	}
	return n;
}

static int down(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, left;
	DIR *d = opendir(PIN_DIR);
	struct dirent *e;
	char path[512];

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", PIN_DIR, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(PIN_DIR);
	for (i = 0; i < 1000 && (left = our_progs()); i++)
		nanosleep(&ts, NULL);
	if (left) {
		fprintf(stderr, "apbench-noop: %d programs still loaded after 10 s\n", left);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "up"))
		return up();
	if (argc == 2 && !strcmp(argv[1], "down"))
		return down();
	fprintf(stderr, "usage: apbench-noop up|down\n");
	return 2;
}
