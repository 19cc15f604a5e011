// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane up | down | enforcer`: load the hook programs and an enforcer,
 * attach them and pin their links under /sys/fs/bpf/actplane so they stay
 * attached after the tool exits (no daemon).  `down` unpins them, which
 * detaches them.  Both are idempotent.
 *
 * The hook programs come in two builds of one source (bpf/hooks.bpf.c):
 * BPF LSM programs, and fmod_ret/fentry programs on the security_*()
 * functions for kernels whose BPF LSM is built but not active (the lsm=
 * list lacks bpf).  `--attach auto` picks by /sys/kernel/security/lsm.
 *
 * Enforcers are struct_ops objects: the shipped ones are embedded in the
 * tool, a user-written one is loaded from a .bpf.o file.  Switching
 * enforcers updates the pinned link in place (bpf_link_update), so there is
 * no moment without an enforcer.
 *
 * The work itself is ap_up() and ap_enforcer_switch() (up.h), which `run`
 * calls too; cmd_up() and cmd_enforcer() only parse arguments and print.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "enforcers.h"
#include "escape.h"
#include "nl.h"
#include "up.h"
#include "hooks.skel.h"
#include "hooks_fmodret.skel.h"

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN || getenv("ACTPLANE_DEBUG_BPF"))
		return vfprintf(stderr, fmt, args);
	return 0;
}

/* Make sure bpffs is mounted on /sys/fs/bpf and our pin directory exists. */
static int ensure_pin_dir(void)
{
	struct statfs sfs;

	if (statfs(AP_BPFFS, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", AP_BPFFS, "bpf", 0, "mode=0700")) {
			int err = errno;

			ap_err("bpffs is not mounted on %s and mounting it failed: %s",
			       AP_BPFFS, strerror(err));
			return -err;
		}
	}
	if (mkdir(AP_PIN_DIR, 0700) && errno != EEXIST) {
		int err = errno;

		ap_err("cannot create %s: %s", AP_PIN_DIR, strerror(err));
		return -err;
	}
	return 0;
}

static int module_loaded(void)
{
	struct ap_nl *nl = ap_nl_connect();

	ap_nl_close(nl);
	return nl != NULL;
}

static const char *const ap_attach_names[] = {
	[AP_ATTACH_AUTO] = "auto", [AP_ATTACH_LSM] = "lsm", [AP_ATTACH_FMODRET] = "fmod_ret",
};

const char *ap_hooks_mode(void)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(AP_PIN_DIR "/" AP_PIN_HOOK_PREFIX "file_open");
	const char *mode = NULL;

	if (fd < 0)
		return NULL;
	if (!bpf_link_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_TRACING)
		mode = info.tracing.attach_type == BPF_LSM_MAC ? "lsm" :
		       info.tracing.attach_type == BPF_MODIFY_RETURN ? "fmod_ret" : NULL;
	close(fd);
	return mode;
}

/*
 * Runs of the pinned hook programs the kernel skipped because one was
 * already running on that CPU (bpf_prog_info.recursion_misses).  LSM
 * programs are not guarded so and never skip; tracing programs (the
 * fentry/fexit ones, and every hook in fmod_ret mode) are.
 */
unsigned long long ap_hooks_missed(void)
{
	unsigned long long missed = 0;
	struct dirent *e;
	DIR *dir = opendir(AP_PIN_DIR);
	char path[512];

	if (!dir)
		return 0;
	while ((e = readdir(dir))) {
		struct bpf_link_info li = {};
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(li);
		int fd, pfd;

		if (strncmp(e->d_name, AP_PIN_HOOK_PREFIX, strlen(AP_PIN_HOOK_PREFIX)))
			continue;
		snprintf(path, sizeof(path), AP_PIN_DIR "/%s", e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_link_get_info_by_fd(fd, &li, &len)) {
			pfd = bpf_prog_get_fd_by_id(li.prog_id);
			len = sizeof(pi);
			if (pfd >= 0 && !bpf_prog_get_info_by_fd(pfd, &pi, &len))
				missed += pi.recursion_misses;
			if (pfd >= 0)
				close(pfd);
		}
		close(fd);
	}
	closedir(dir);
	return missed;
}

/*
 * The mode to attach in.  LSM programs load and attach on a kernel whose
 * BPF LSM is not active, and then never run: `lsm` is refused there, and
 * `auto` takes fmod_ret.  An unreadable list (securityfs not mounted) is
 * only a warning, and counts as active.
 */
static int attach_mode(enum ap_attach want, enum ap_attach *mode)
{
	char *list, *shown;
	int active = ap_bpf_lsm_active(AP_LSM_FILE, &list);

	if (active < 0) {
		if (want != AP_ATTACH_FMODRET)
			fprintf(stderr, "%s: warning: cannot read %s (%s): cannot tell whether "
				"the BPF LSM is active\n", ap_prog, AP_LSM_FILE, strerror(errno));
		*mode = want == AP_ATTACH_AUTO ? AP_ATTACH_LSM : want;
		return 0;
	}
	*mode = want != AP_ATTACH_AUTO ? want : active ? AP_ATTACH_LSM : AP_ATTACH_FMODRET;
	if (*mode == AP_ATTACH_LSM && !active) {
		shown = ap_esc_strdup(list, false);
		ap_err("the BPF LSM is not active (%s: %s): LSM programs would attach and "
		       "never run; use --attach fmod_ret (or auto), or add bpf to the lsm= boot "
		       "parameter (`actplane doctor` prints the line, docs/install.md)",
		       AP_LSM_FILE, shown ? shown : "?");
		free(shown);
		free(list);
		return -EOPNOTSUPP;
	}
	free(list);
	return 0;
}

/* Open the hook object of @mode (the skeletons' embedded ELF). */
static struct bpf_object *hooks_open(enum ap_attach mode)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "hooks");
	const void *elf;
	size_t sz;

	elf = mode == AP_ATTACH_FMODRET ? hooks_fmodret__elf_bytes(&sz) : hooks__elf_bytes(&sz);
	return bpf_object__open_mem(elf, sz, &oo);
}

/*
 * Optional programs (`SEC("?fentry/FN")`, hooks.bpf.c) follow a kernel
 * function that has different names on different kernels: load each whose
 * FN the running kernel's BTF has.  The programs of one group (the name up
 * to "__", as "ap_pipe_read__anon") cover one hook: a kernel with none of
 * them would lose the hook, and is refused.
 */
static int hooks_select(struct bpf_object *obj)
{
	struct bpf_program *prog, *other;
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int ret = 0;

	if (!vmlinux) {
		ret = errno ? -errno : -ENOENT;
		ap_err("cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): %s", strerror(-ret));
		return ret;
	}
	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog), *fn = strrchr(sec, '/');

		/* only the optional programs start with autoload off */
		if (!bpf_program__autoload(prog) && fn &&
		    btf__find_by_name_kind(vmlinux, fn + 1, BTF_KIND_FUNC) > 0)
			bpf_program__set_autoload(prog, true);
	}
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog), *sep = strstr(name, "__");
		bool covered = false;

		if (!sep || bpf_program__autoload(prog))
			continue;
		bpf_object__for_each_program(other, obj)
			if (!strncmp(bpf_program__name(other), name, (size_t)(sep - name + 2)) &&
			    bpf_program__autoload(other))
				covered = true;
		if (!covered) {
			ap_err("this kernel has none of the functions the %.*s hook attaches to "
			       "(this one: %s); ActPlane does not support it yet",
			       (int)(sep - name - 3), name + 3, bpf_program__section_name(prog));
			ret = -EOPNOTSUPP;
			break;
		}
	}
	btf__free(vmlinux);
	return ret;
}

/* Attach and pin every hook program that is not pinned yet. */
static int hooks_up(enum ap_attach want, int *attached)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	enum ap_attach mode;
	const char *pinned;
	char path[512];
	int missing = 0, ret = 0;

	*attached = 0;
	pinned = ap_hooks_mode();
	if (pinned && want != AP_ATTACH_AUTO && strcmp(pinned, ap_attach_names[want])) {
		ap_err("the hooks are attached in %s mode; `actplane down` first to switch to %s",
		       pinned, ap_attach_names[want]);
		return -EBUSY;
	}
	if (pinned)
		mode = strcmp(pinned, "lsm") ? AP_ATTACH_FMODRET : AP_ATTACH_LSM;
	else if ((ret = attach_mode(want, &mode)))
		return ret;
	obj = hooks_open(mode);
	if (!obj) {
		ret = errno ? -errno : -EINVAL;
		ap_err("cannot open the hook BPF object: %s", strerror(-ret));
		return ret;
	}
	if ((ret = hooks_select(obj)))
		goto out;
	bpf_object__for_each_program(prog, obj) {
		snprintf(path, sizeof(path), AP_PIN_DIR "/" AP_PIN_HOOK_PREFIX "%s",
			 bpf_program__name(prog) + 3 /* "ap_" */);
		if (bpf_program__autoload(prog) && access(path, F_OK))
			missing++;
	}
	if (!missing)
		goto out;
	ret = bpf_object__load(obj);
	if (ret) {
		ap_err("loading the hook programs (%s mode) failed: %s (`actplane doctor` "
		       "checks what the kernel needs)", ap_attach_names[mode], strerror(-ret));
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link;

		snprintf(path, sizeof(path), AP_PIN_DIR "/" AP_PIN_HOOK_PREFIX "%s",
			 bpf_program__name(prog) + 3);
		if (!bpf_program__autoload(prog) || !access(path, F_OK))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			ret = -errno;
			ap_err("attaching %s failed: %s", bpf_program__name(prog), strerror(-ret));
			goto out;
		}
		ret = bpf_link__pin(link, path);
		bpf_link__destroy(link);	/* the pin keeps it attached */
		if (ret) {
			ap_err("pinning %s failed: %s", path, strerror(-ret));
			goto out;
		}
		(*attached)++;
	}
out:
	bpf_object__close(obj);
	return ret;
}

static const struct ap_enforcer_blob *find_blob(const char *name)
{
	const struct ap_enforcer_blob *b;

	for (b = ap_enforcer_blobs; b->name; b++)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

static int is_file_arg(const char *s)
{
	return strchr(s, '/') || (strlen(s) > 2 && !strcmp(s + strlen(s) - 2, ".o"));
}

/*
 * Load enforcer NAME (embedded) or FILE (a struct_ops .bpf.o) and attach
 * it: pin a new link, or, if one is pinned already, swap it in place.
 */
static int enforcer_attach(const char *what)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts);
	const struct ap_enforcer_blob *blob = NULL;
	struct bpf_object *obj;
	struct bpf_map *map, *ops = NULL;
	struct bpf_link *link;
	int ret, pin_fd;

	if (is_file_arg(what)) {
		obj = bpf_object__open_file(what, NULL);
	} else {
		blob = find_blob(what);
		if (!blob) {
			const struct ap_enforcer_blob *b;

			ap_err("unknown enforcer '%s'; built-in enforcers:", what);
			for (b = ap_enforcer_blobs; b->name; b++)
				fprintf(stderr, "  %s\n", b->name);
			fprintf(stderr, "or give the path of a struct_ops object (FILE.bpf.o)\n");
			return -ENOENT;
		}
		oopts.object_name = blob->name;
		obj = bpf_object__open_mem(blob->start, (size_t)(blob->end - blob->start), &oopts);
	}
	if (!obj) {
		ret = errno ? -errno : -EINVAL;
		ap_err("cannot open enforcer %s: %s", what, strerror(-ret));
		return ret;
	}
	bpf_object__for_each_map(map, obj)
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS && !ops)
			ops = map;
	if (!ops) {
		ap_err("%s has no struct actplane_ops map (SEC(\".struct_ops.link\"))", what);
		ret = -EINVAL;
		goto out;
	}
	ret = bpf_object__load(obj);
	if (ret) {
		ap_err("loading enforcer %s failed: %s", what, strerror(-ret));
		goto out;
	}
	/*
	 * bpf_map__attach_struct_ops() first writes the ops into the map, then
	 * creates the link.  With an enforcer already attached the module
	 * refuses the second one (-EBUSY); the map is ready by then, so swap
	 * it into the existing pinned link instead.
	 */
	link = bpf_map__attach_struct_ops(ops);
	if (link) {
		ret = bpf_link__pin(link, AP_PIN_ENFORCER);
		if (ret)
			ap_err("pinning %s failed: %s", AP_PIN_ENFORCER, strerror(-ret));
		bpf_link__destroy(link);
		goto out;
	}
	ret = -errno;
	if (ret != -EBUSY) {
		ap_err("attaching enforcer %s failed: %s", what, strerror(-ret));
		goto out;
	}
	pin_fd = bpf_obj_get(AP_PIN_ENFORCER);
	if (pin_fd < 0) {
		ap_err("another enforcer is attached, but not by 'actplane up' (no %s); "
		       "detach it first", AP_PIN_ENFORCER);
		goto out;
	}
	ret = bpf_link_update(pin_fd, bpf_map__fd(ops), NULL);
	if (ret)
		ap_err("switching to enforcer %s failed: %s", what, strerror(-ret));
	close(pin_fd);
out:
	bpf_object__close(obj);
	return ret;
}

int ap_enforcer_switch(const char *what)
{
	libbpf_set_print(libbpf_quiet);
	if (!module_loaded())
		return -ENOENT;
	if (access(AP_PIN_DIR, F_OK)) {
		ap_err("actplane is not up; run 'actplane up --enforcer %s'", what);
		return -ENOENT;
	}
	return enforcer_attach(what);
}

int ap_enforcer_arg_check(const char *cmd, const char *what)
{
	const struct ap_enforcer_blob *b;

	if (is_file_arg(what)) {
		if (access(what, R_OK))
			return ap_usage_error(cmd, "cannot read enforcer object '%s': %s", what,
					      strerror(errno));
		return 0;
	}
	if (find_blob(what))
		return 0;
	fprintf(stderr, "actplane %s: unknown enforcer '", cmd);
	ap_esc_puts(stderr, what);
	fputs("' (built-in:", stderr);
	for (b = ap_enforcer_blobs; b->name; b++)
		fprintf(stderr, " %s", b->name);
	fprintf(stderr, "; or the path of a struct_ops FILE.bpf.o)\n"
		"Try 'actplane %s --help'.\n", cmd);
	return AP_EXIT_USAGE;
}

int ap_up(const struct ap_up_opts *o, struct ap_up_result *r)
{
	int ret;

	r->hooks_attached = 0;
	r->enforcer_attached = false;
	libbpf_set_print(libbpf_quiet);
	if (!module_loaded())
		return -ENOENT;
	ret = ensure_pin_dir();
	if (!ret)
		ret = hooks_up(o->attach, &r->hooks_attached);
	if (ret)
		return ret;
	if (o->enforcer || access(AP_PIN_ENFORCER, F_OK)) {
		ret = enforcer_attach(o->enforcer ? o->enforcer : AP_DEFAULT_ENFORCER);
		if (ret)
			return ret;
		r->enforcer_attached = true;
	}
	return 0;
}

static const struct ap_opt up_opts[] = {
	{ "enforcer", 'e', "E", NULL, "built-in enforcer name or struct_ops FILE.bpf.o" },
	{ "attach", 'a', "MODE", NULL, "lsm, fmod_ret or auto (default: auto)" },
	{ NULL }
};

/* --attach MODE; AP_EXIT_USAGE (reported) for another word. */
int ap_attach_parse(const char *s, enum ap_attach *a)
{
	unsigned int i;

	for (i = 0; i < sizeof(ap_attach_names) / sizeof(ap_attach_names[0]); i++)
		if (!strcmp(s, ap_attach_names[i])) {
			*a = i;
			return 0;
		}
	return -EINVAL;
}

static int parse_attach(const char *s, enum ap_attach *a)
{
	if (!ap_attach_parse(s, a))
		return 0;
	return ap_usage_error("up", "--attach takes lsm, fmod_ret or auto, not '%s'", s);
}

AP_COMMAND(cmd_up, .name = "up", .order = 110, .flags = AP_CMD_ROOT,
	   .args = "[--enforcer NAME|FILE] [--attach MODE]",
	   .help = "attach the BPF hooks and an enforcer",
	   .usage = "Usage: actplane up [--enforcer NAME|FILE.bpf.o] [--attach lsm|fmod_ret|auto]\n"
		    "\n"
		    "Attach the BPF hooks and an enforcer (default: " AP_DEFAULT_ENFORCER ") and pin them\n"
		    "under " AP_PIN_DIR ".  Idempotent: what is already attached stays;\n"
		    "--enforcer switches enforcers.  Needs root and the module loaded.\n"
		    "\n"
		    "--attach lsm: BPF LSM programs (bpf must be among the active LSMs);\n"
		    "fmod_ret: programs on the kernel's security_*() functions, for kernels\n"
		    "built with the BPF LSM but booted without bpf in lsm= (docs/SECURITY.md\n"
		    "lists what that mode does differently); auto (the default): lsm if\n"
		    "/sys/kernel/security/lsm lists bpf, else fmod_ret.  `actplane status`\n"
		    "shows the mode; switching it takes `actplane down` first.\n",
	   .opts = up_opts);

static int cmd_up(int argc, char **argv)
{
	struct ap_up_opts o = {};
	struct ap_up_result r;
	int c, ret;

	while ((c = ap_getopt(&cmd_up_cmd, argc, argv)) > 0) {
		if (c == 'e')
			o.enforcer = optarg;
		else if ((ret = parse_attach(optarg, &o.attach)))
			return ret;
	}
	if (c < 0)
		return ap_opt_exit(c);
	if ((ret = ap_no_operands(&cmd_up_cmd, argc, argv)))
		return ret;
	if (o.enforcer && (ret = ap_enforcer_arg_check("up", o.enforcer)))
		return ret;
	if (ap_up(&o, &r))
		return 1;
	printf("actplane is up: %d hook program%s newly attached (%s mode), enforcer %s\n",
	       r.hooks_attached, r.hooks_attached == 1 ? "" : "s", ap_hooks_mode() ?: "unknown",
	       o.enforcer ? o.enforcer : "unchanged or default");
	return 0;
}

/*
 * Unpinned links are released asynchronously (a tracing program's
 * trampoline waits for RCU-tasks grace periods, seconds on a slow VM);
 * wait (bounded, 30 s) until the module's reference count shows nothing
 * holds it, so `rmmod` right after `down` works.
 */
static void wait_detached(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char buf[32];
	int i, fd;

	for (i = 0; i < 1500; i++) {
		ssize_t n;

		fd = open("/sys/module/actplane/refcnt", O_RDONLY);
		if (fd < 0)
			return;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return;
		buf[n] = 0;
		if (atoi(buf) == 0)
			return;
		nanosleep(&ts, NULL);
	}
}

AP_COMMAND(cmd_down, .name = "down", .order = 120, .flags = AP_CMD_ROOT,
	   .args = "", .help = "detach the enforcer and the BPF hooks",
	   .usage = "Usage: actplane down\n"
		    "\n"
		    "Detach the enforcer and the BPF hooks (remove their pins in\n"
		    AP_PIN_DIR ").  Idempotent.  The module stays loaded.  Needs root.\n");

int ap_down(int *removed_out)
{
	DIR *d;
	struct dirent *de;
	int removed = 0, failed = 0;
	char path[512];

	*removed_out = 0;
	d = opendir(AP_PIN_DIR);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		ap_err("cannot open %s: %s", AP_PIN_DIR, strerror(errno));
		return -errno;
	}
	/* Enforcer first, so no hook runs with a half-detached backend. */
	if (!unlink(AP_PIN_ENFORCER))
		removed++;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), AP_PIN_DIR "/%s", de->d_name);
		if (unlink(path)) {
			ap_err("cannot remove %s: %s", path, strerror(errno));
			failed++;
		} else {
			removed++;
		}
	}
	closedir(d);
	if (!failed && rmdir(AP_PIN_DIR) && errno != ENOENT)
		ap_err("cannot remove %s: %s", AP_PIN_DIR, strerror(errno));
	wait_detached();
	*removed_out = removed;
	return failed ? -EBUSY : 0;
}

static int cmd_down(int argc, char **argv)
{
	int removed, c, ret;

	while ((c = ap_getopt(&cmd_down_cmd, argc, argv)) > 0)
		;
	if (c < 0)
		return ap_opt_exit(c);
	if ((c = ap_no_operands(&cmd_down_cmd, argc, argv)))
		return c;
	if (access(AP_PIN_DIR, F_OK) && errno == ENOENT) {
		printf("actplane is down (nothing attached)\n");
		return 0;
	}
	ret = ap_down(&removed);
	printf("actplane is down (%d link%s removed)\n", removed, removed == 1 ? "" : "s");
	return ret ? 1 : 0;
}

/* ---- actplane enforcer ------------------------------------------------- */

struct test_reply {
	unsigned int effect;	/* request */
	unsigned int verdict, proposed, state;
	char name[ACTPLANE_ENFORCER_NAME_LEN];
};

static int put_effect(struct nl_msg *msg, void *arg)
{
	const struct test_reply *r = arg;

	return nla_put_u32(msg, ACTPLANE_A_EFFECT, r->effect) ? -EMSGSIZE : 0;
}

static int parse_test(struct nlattr **tb, void *arg)
{
	struct test_reply *r = arg;

	if (!tb[ACTPLANE_A_VERDICT])
		return -EBADMSG;
	r->verdict = nla_get_u32(tb[ACTPLANE_A_VERDICT]);
	if (tb[ACTPLANE_A_EFFECT])
		r->proposed = nla_get_u32(tb[ACTPLANE_A_EFFECT]);
	if (tb[ACTPLANE_A_ENFORCER_STATE])
		r->state = nla_get_u32(tb[ACTPLANE_A_ENFORCER_STATE]);
	if (tb[ACTPLANE_A_ENFORCER])
		snprintf(r->name, sizeof(r->name), "%s", nla_get_string(tb[ACTPLANE_A_ENFORCER]));
	return 0;
}

static int enforcer_test(const char *effect_arg)
{
	struct test_reply r = { .effect = ACTPLANE_EFFECT_BLOCK };
	struct ap_nl *nl;
	int ret;

	if (effect_arg) {
		int e = ap_verdict_parse(effect_arg);

		if (e < 0)
			return ap_usage_error("enforcer", "unknown effect '%s' (none, notify, block "
					      "or kill)", effect_arg);
		r.effect = (unsigned int)e;
	}
	nl = ap_nl_connect();
	if (!nl)
		return 1;
	ret = ap_nl_call(nl, ACTPLANE_CMD_ENFORCER_TEST, put_effect, parse_test, &r);
	if (ret) {
		ap_nl_perror(nl, "enforcer test", ret);
		ap_nl_close(nl);
		return 1;
	}
	ap_nl_close(nl);
	printf("proposed %s -> %s (enforcer: %s)\n", ap_verdict_name(r.proposed),
	       ap_verdict_name(r.verdict),
	       r.state == ACTPLANE_ENFORCER_NONE ? "none, built-in default" : r.name);
	return 0;
}

/* --help's list of the built-in enforcers */
static void enforcer_help_tail(FILE *f)
{
	const struct ap_enforcer_blob *b;

	fprintf(f, "Built-in enforcers:");
	for (b = ap_enforcer_blobs; b->name; b++)
		fprintf(f, " %s", b->name);
	fprintf(f, "\n");
}

AP_COMMAND(cmd_enforcer, .name = "enforcer", .order = 130, .flags = AP_CMD_ROOT,
	   .args = "NAME|FILE | test [EFFECT]", .help = "switch or test the enforcer",
	   .usage = "Usage: actplane enforcer NAME|FILE.bpf.o\n"
		    "       actplane enforcer test [EFFECT]\n"
		    "\n"
		    "Switch the attached enforcer in place (actplane must be up), or ask it to\n"
		    "decide a synthetic match with EFFECT (none, notify, block or kill;\n"
		    "default block).  Needs root.\n"
		    "\n",
	   .tail = enforcer_help_tail);

/* NAME, FILE and EFFECT are operands: no options but --help, which must come first */
static int cmd_enforcer(int argc, char **argv)
{
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		ap_cmd_help(&cmd_enforcer_cmd, stdout);
		return 0;
	}
	if (argc < 2)
		return ap_usage_error("enforcer", "give an enforcer NAME or FILE, or 'test'");
	if (argv[1][0] == '-')
		return ap_usage_error("enforcer", "unknown option '%s'", argv[1]);
	if (!strcmp(argv[1], "test")) {
		if (argc > 3)
			return ap_usage_error("enforcer", "unexpected argument '%s'", argv[3]);
		return enforcer_test(argc == 3 ? argv[2] : NULL);
	}
	if (argc != 2)
		return ap_usage_error("enforcer", "unexpected argument '%s'", argv[2]);
	ret = ap_enforcer_arg_check("enforcer", argv[1]);
	if (ret)
		return ret;
	if (ap_enforcer_switch(argv[1]))
		return 1;
	printf("enforcer: %s\n", argv[1]);
	return 0;
}

/*
 * Load the module if its family is missing: modprobe, else the build tree's
 * .ko for the running kernel (build/kmod/<release>/ for a kernel other than
 * the default one, `make KERNEL=...`), else the tree's kmod/.
 */
int ap_ensure_module(const char *self)
{
	char err[256], dir[PATH_MAX], ko[PATH_MAX + 96], cmd[PATH_MAX + 128], *slash;
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));
	struct utsname u;

	if (nl) {
		ap_nl_close(nl);
		return 0;
	}
	if (system("modprobe actplane 2>/dev/null") == 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s", self);
	slash = strrchr(dir, '/');
	if (!slash) {
		ap_err("cannot load the actplane module (modprobe failed); see 'actplane doctor'");
		return -1;
	}
	*slash = 0;
	ko[0] = 0;
	if (!uname(&u))		/* next to the tool: build/actplane -> build/kmod/<release>/ */
		snprintf(ko, sizeof(ko), "%s/kmod/%s/actplane.ko", dir, u.release);
	if (!ko[0] || access(ko, R_OK))		/* build/actplane -> kmod/actplane.ko */
		snprintf(ko, sizeof(ko), "%s/../kmod/actplane.ko", dir);
	if (!access(ko, R_OK) && !strchr(ko, '\'')) {
		snprintf(cmd, sizeof(cmd), "insmod '%s'", ko);
		if (system(cmd) == 0)
			return 0;
	}
	ap_err("cannot load the actplane module (tried modprobe and %s); see 'actplane doctor'", ko);
	return -1;
}
