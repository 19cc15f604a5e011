// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane doctor`: check that this host can run ActPlane and say exactly
 * what to fix.  One line per check, "ok" or "FAIL", and for a failure the
 * fix indented below it.  Exit 0 only if everything passed.
 *
 * The checks follow what the module and the BPF programs need: a kernel
 * >= 6.9 (kfuncs and struct_ops features the module uses), kernel BTF and
 * module BTF (CO-RE, and the module's own kfunc/struct_ops types), the `bpf`
 * LSM active (otherwise BPF LSM programs load but never run), bpffs (the
 * links are pinned there), the module loaded and the programs attached.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <zlib.h>
#include <json-c/json.h>
#include <bpf/btf.h>

#include "args.h"
#include "cmd.h"
#include "common.h"
#include "nl.h"
#include "up.h"

#define DEFAULT_LSM_FILE	AP_LSM_FILE
#define MIN_MAJOR		6
#define MIN_MINOR		9

#define MAX_RESULTS	32
#define MAX_FIX		16

/* One result line: collected, then printed as text or JSON. */
struct result {
	const char *check;	/* which check: kernel, btf, struct_ops, lsm, bpffs, module,
				   programs, service, sessions */
	bool ok;
	char *message;
	char *fix[MAX_FIX];	/* what to do, one line each (failures) */
	int nfix;
};

struct doctor {
	const char *lsm_file;
	struct utsname uts;
	char *config;		/* kernel .config text, NULL if not found */
	const char *config_from;
	int failed;
	const char *check;	/* the check running */
	struct result results[MAX_RESULTS];
	int n;
};

static struct doctor *doc;	/* for fix(), which has no doctor argument */

static char *vfmt(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		ap_err("out of memory");
		exit(1);
	}
	return s;
}

static void result(struct doctor *d, bool good, const char *fmt, va_list ap)
{
	struct result *r;

	if (d->n >= MAX_RESULTS)
		return;
	r = &d->results[d->n++];
	r->check = d->check;
	r->ok = good;
	r->message = vfmt(fmt, ap);
}

static void ok(struct doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(struct doctor *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result(d, true, fmt, ap);
	va_end(ap);
}

static void fail(struct doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct doctor *d, const char *fmt, ...)
{
	va_list ap;

	d->failed++;
	va_start(ap, fmt);
	result(d, false, fmt, ap);
	va_end(ap);
}

/* "what to fix" lines under a FAIL (indented in the text output) */
static void fix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fix(const char *fmt, ...)
{
	struct result *r = doc && doc->n ? &doc->results[doc->n - 1] : NULL;
	va_list ap;

	if (!r || r->nfix >= MAX_FIX)
		return;
	va_start(ap, fmt);
	r->fix[r->nfix++] = vfmt(fmt, ap);
	va_end(ap);
}

static void print_text(const struct doctor *d)
{
	int i, j;

	for (i = 0; i < d->n; i++) {
		printf("%s  %s\n", d->results[i].ok ? "ok  " : "FAIL", d->results[i].message);
		for (j = 0; j < d->results[i].nfix; j++)
			printf("      %s\n", d->results[i].fix[j]);
	}
	if (d->failed)
		printf("\n%d check%s failed: fix %s above, then run `actplane doctor` again.\n",
		       d->failed, d->failed == 1 ? "" : "s",
		       d->failed == 1 ? "it as described" : "them as described");
	else
		printf("\nThis host is ready for ActPlane.\n");
}

static void print_json(const struct doctor *d)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int i, j;

	json_object_object_add(o, "ready", json_object_new_boolean(!d->failed));
	json_object_object_add(o, "kernel", json_object_new_string(d->uts.release));
	json_object_object_add(o, "failed", json_object_new_int(d->failed));
	for (i = 0; i < d->n; i++) {
		const struct result *r = &d->results[i];
		json_object *c = json_object_new_object(), *f = json_object_new_array();

		json_object_object_add(c, "check", json_object_new_string(r->check));
		json_object_object_add(c, "ok", json_object_new_boolean(r->ok));
		json_object_object_add(c, "message", json_object_new_string(r->message));
		for (j = 0; j < r->nfix; j++)
			json_object_array_add(f, json_object_new_string(r->fix[j]));
		json_object_object_add(c, "fix", f);
		json_object_array_add(a, c);
	}
	json_object_object_add(o, "checks", a);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void free_results(struct doctor *d)
{
	int i, j;

	for (i = 0; i < d->n; i++) {
		free(d->results[i].message);
		for (j = 0; j < d->results[i].nfix; j++)
			free(d->results[i].fix[j]);
	}
}

static char *read_gz(const char *path)
{
	gzFile g = gzopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int r;

	if (!g)
		return NULL;
	do {
		if (cap - n < 65536) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 262144);

			if (!nb) {
				free(buf);
				gzclose(g);
				return NULL;
			}
			buf = nb;
		}
		r = gzread(g, buf + n, (unsigned)(cap - n - 1));
		if (r > 0)
			n += (size_t)r;
	} while (r > 0);
	gzclose(g);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* the kernel config: /boot/config-RELEASE, else /proc/config.gz */
static void load_config(struct doctor *d)
{
	static char boot[300];

	snprintf(boot, sizeof(boot), "/boot/config-%s", d->uts.release);
	d->config = ap_read_file(boot, NULL);
	d->config_from = boot;
	if (!d->config) {
		d->config = read_gz("/proc/config.gz");
		d->config_from = "/proc/config.gz";
	}
}

/* 'y', 'm', 'n' (set to n or "is not set"), or 0 when the config is unknown */
static char config_opt(const struct doctor *d, const char *opt)
{
	char key[128];
	const char *p;
	size_t n;

	if (!d->config)
		return 0;
	n = (size_t)snprintf(key, sizeof(key), "\n%s=", opt);
	p = strstr(d->config, key);
	if (!p && !strncmp(d->config, key + 1, n - 1))
		p = d->config - 1;
	return p ? p[n] : 'n';
}

static void check_kernel(struct doctor *d)
{
	unsigned major = 0, minor = 0;

	if (sscanf(d->uts.release, "%u.%u", &major, &minor) != 2) {
		fail(d, "kernel %s: cannot tell its version", d->uts.release);
		fix("ActPlane needs Linux %d.%d or newer.", MIN_MAJOR, MIN_MINOR);
		return;
	}
	if (major > MIN_MAJOR || (major == MIN_MAJOR && minor >= MIN_MINOR)) {
		ok(d, "kernel %s (>= %d.%d)", d->uts.release, MIN_MAJOR, MIN_MINOR);
		return;
	}
	fail(d, "kernel %s is older than %d.%d", d->uts.release, MIN_MAJOR, MIN_MINOR);
	fix("install a newer kernel and boot it; on Debian 12:");
	fix("  echo 'deb http://deb.debian.org/debian bookworm-backports main' | "
	    "sudo tee /etc/apt/sources.list.d/backports.list");
	fix("  sudo apt update && sudo apt install -t bookworm-backports "
	    "linux-image-amd64 linux-headers-amd64 && sudo reboot");
}

static void check_btf(struct doctor *d)
{
	struct stat st;
	struct dirent *e;
	bool modules = false;
	char c;
	DIR *dir;

	if (!stat("/sys/kernel/btf/vmlinux", &st)) {
		ok(d, "kernel BTF (/sys/kernel/btf/vmlinux)");
	} else {
		fail(d, "no kernel BTF: /sys/kernel/btf/vmlinux is missing");
		fix("the kernel must be built with CONFIG_DEBUG_INFO_BTF=y (Debian's "
		    "kernels are); boot such a kernel");
	}

	/* a loaded module with BTF shows up next to vmlinux */
	dir = opendir("/sys/kernel/btf");
	while (dir && (e = readdir(dir))) {
		if (e->d_name[0] != '.' && strcmp(e->d_name, "vmlinux")) {
			modules = true;
			break;
		}
	}
	if (dir)
		closedir(dir);
	c = config_opt(d, "CONFIG_DEBUG_INFO_BTF_MODULES");
	if (modules || c == 'y') {
		ok(d, "module BTF (%s)", modules ? "modules in /sys/kernel/btf" :
		   "CONFIG_DEBUG_INFO_BTF_MODULES=y");
	} else if (c) {
		fail(d, "no module BTF: CONFIG_DEBUG_INFO_BTF_MODULES is not set (%s)",
		     d->config_from);
		fix("the module's kfuncs and struct_ops type need module BTF: boot a "
		    "kernel built with CONFIG_DEBUG_INFO_BTF_MODULES=y (Debian's are)");
	} else {
		fail(d, "module BTF: no module in /sys/kernel/btf and no kernel config "
		     "to check CONFIG_DEBUG_INFO_BTF_MODULES");
		fix("boot a kernel built with CONFIG_DEBUG_INFO_BTF_MODULES=y, or load "
		    "any module and run doctor again");
	}
}

/*
 * The enforcement backend is a struct_ops type the module registers: the
 * kernel needs __register_bpf_struct_ops() (6.9).  A probe of the kernel's
 * BTF, not of its version: a distribution kernel may have it backported.
 */
static void check_struct_ops(struct doctor *d)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool have = vmlinux &&
		btf__find_by_name_kind(vmlinux, "__register_bpf_struct_ops", BTF_KIND_FUNC) > 0;

	btf__free(vmlinux);
	if (have) {
		ok(d, "struct_ops types from modules (the actplane_ops enforcement backend)");
		return;
	}
	fail(d, "this kernel cannot register a module's struct_ops type "
	     "(no __register_bpf_struct_ops in %s)", vmlinux ? "its BTF" : "a readable BTF");
	fix("the module's enforcement backend needs Linux %d.%d or newer "
	    "(struct_ops from modules): boot such a kernel", MIN_MAJOR, MIN_MINOR);
}

/* the lsm= value to use: the active list without "capability" (always first,
 * implicitly), plus bpf */
static void lsm_with_bpf(const char *list, char *out, size_t len)
{
	char *dup = strdup(list), *tok, *save = NULL;
	size_t n = 0;

	out[0] = '\0';
	for (tok = dup ? strtok_r(dup, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "capability") || !*tok)
			continue;
		n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s",
				      n ? "," : "", tok);
	}
	snprintf(out + (n < len ? n : len - 1), n < len ? len - n : 1, "%sbpf",
		 n ? "," : "");
	free(dup);
}

static void check_lsm(struct doctor *d)
{
	char *list, *cmdline, *grub, want[1024];
	const char *line, *cur = NULL;
	int have = ap_bpf_lsm_active(d->lsm_file, &list);

	if (have < 0) {
		fail(d, "cannot read the active LSM list %s: %s", d->lsm_file,
		     strerror(errno));
		if (!strcmp(d->lsm_file, DEFAULT_LSM_FILE))
			fix("mount securityfs: sudo mount -t securityfs securityfs "
			    "/sys/kernel/security");
		return;
	}
	if (have) {
		ok(d, "bpf LSM active (%s: %s)", d->lsm_file, list);
		free(list);
		return;
	}
	lsm_with_bpf(list, want, sizeof(want));
	if (config_opt(d, "CONFIG_BPF_LSM") == 'n') {
		fail(d, "bpf is not among the active LSMs (%s: %s)", d->lsm_file, list);
		fix("this kernel is built without CONFIG_BPF_LSM (%s): boot a kernel "
		    "with CONFIG_BPF_LSM=y first (Debian's have it)", d->config_from);
	} else {
		/* the fmod_ret mode covers this kernel; say what it changes and how to leave it */
		ok(d, "bpf is not among the active LSMs (%s: %s): `actplane up` attaches the "
		   "hooks in fmod_ret mode (docs/SECURITY.md, \"The fmod_ret mode\")",
		   d->lsm_file, list);
		fix("the LSM mode runs every hook with the kernel's LSM semantics; for it");
	}
	fix("add bpf to the LSM list on the kernel command line:");
	fix("  lsm=%s", want);
	fix("1. edit /etc/default/grub and add it to GRUB_CMDLINE_LINUX, e.g.");
	grub = ap_read_file("/etc/default/grub", NULL);
	for (line = grub; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, "GRUB_CMDLINE_LINUX=", 19))
			cur = line;
	}
	if (cur) {
		int len = (int)strcspn(cur, "\n");
		const char *q = strchr(cur, '"');
		const char *end = q ? strchr(q + 1, '"') : NULL;

		fix("     now:  %.*s", len, cur);
		if (q && end && end < cur + len) {
			const char *old = strstr(cur, "lsm=");

			if (old && old < end)
				fix("     new:  GRUB_CMDLINE_LINUX=\"...\" with its lsm=... "
				    "replaced by lsm=%s", want);
			else
				fix("     new:  GRUB_CMDLINE_LINUX=\"%.*s%slsm=%s\"",
				    (int)(end - q - 1), q + 1, end > q + 1 ? " " : "",
				    want);
		}
	} else {
		fix("     GRUB_CMDLINE_LINUX=\"lsm=%s\"", want);
	}
	fix("2. sudo update-grub");
	fix("3. sudo reboot, then check: cat /sys/kernel/security/lsm  (must list bpf)");
	cmdline = ap_read_file("/proc/cmdline", NULL);
	if (cmdline && strstr(cmdline, "lsm="))
		fix("note: the running kernel's command line already sets lsm= "
		    "(/proc/cmdline); replace that value");
	free(cmdline);
	free(grub);
	free(list);
}

static void check_bpffs(struct doctor *d)
{
	struct statfs sfs;

	if (!statfs(AP_BPFFS, &sfs) && sfs.f_type == BPF_FS_MAGIC) {
		ok(d, "bpffs mounted on %s", AP_BPFFS);
		return;
	}
	fail(d, "bpffs is not mounted on %s", AP_BPFFS);
	fix("sudo mount -t bpf bpf %s   (`actplane up` also mounts it; systemd "
	    "mounts it at boot)", AP_BPFFS);
}

static void check_module(struct doctor *d)
{
	struct stat st;
	char *ver;

	if (stat("/sys/module/actplane", &st)) {
		fail(d, "the actplane module is not loaded (/sys/module/actplane)");
		fix("sudo modprobe actplane   (installed by `make install` through DKMS;");
		fix("from a build tree: sudo insmod kmod/actplane.ko)");
		return;
	}
	ver = ap_read_file("/sys/module/actplane/version", NULL);
	if (ver)
		ver[strcspn(ver, "\n")] = '\0';
	if (ver && strcmp(ver, AP_TOOL_VERSION)) {
		fail(d, "actplane module %s loaded, but this tool is %s", ver, AP_TOOL_VERSION);
		fix("install both from one tree (sudo make install), then load that module:");
		fix("sudo systemctl stop actplane; sudo rmmod actplane; sudo systemctl start actplane");
		free(ver);
		return;
	}
	ok(d, "actplane module loaded%s%s", ver ? ", version " : "", ver ? ver : "");
	free(ver);
}

static bool unit_installed(void)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/lib/systemd/system",
					    "/usr/lib/systemd/system", "/usr/local/lib/systemd/system" };
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/actplane.service", dirs[i]);
		if (!access(path, F_OK))
			return true;
	}
	return false;
}

/* The boot service: not needed (sudo actplane run works), but if installed, running. */
static void check_service(struct doctor *d)
{
	if (!unit_installed()) {
		ok(d, "no boot service installed (`sudo actplane run` works without it; "
		      "`make install` installs actplane.service)");
		return;
	}
	if (access("/run/systemd/system", F_OK)) {
		ok(d, "actplane.service installed (systemd is not running here)");
		return;
	}
	if (system("systemctl is-active --quiet actplane.service") == 0) {
		ok(d, "actplane.service is active");
		return;
	}
	fail(d, "actplane.service is installed but not active");
	fix("sudo systemctl enable --now actplane   (why not: systemctl status actplane)");
}

static int parse_session_cfg(struct nlattr **tb, void *arg)
{
	long *gid = arg;

	if (tb[ACTPLANE_A_SESSION_GID])
		*gid = (long)nla_get_u32(tb[ACTPLANE_A_SESSION_GID]);
	return 0;
}

static bool in_group(gid_t g)
{
	gid_t groups[256];
	int n = getgroups(256, groups), i;

	if (getegid() == g)
		return true;
	for (i = 0; i < n; i++)
		if (groups[i] == g)
			return true;
	return false;
}

/* Who may start sessions without root, and whether the caller may. */
static void check_sessions(struct doctor *d)
{
	char err[256], name[64];
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));
	struct group *g;
	long gid = -1;

	if (nl) {
		ap_nl_call(nl, ACTPLANE_CMD_STATUS, NULL, parse_session_cfg, &gid);
		ap_nl_close(nl);
	}
	if (gid < 0) {
		ok(d, "sessions without root: unknown until the module is loaded");
		return;
	}
	if (gid == ACTPLANE_SESSION_GID_ANYONE) {
		ok(d, "every user may start sessions without root");
		return;
	}
	if (gid == ACTPLANE_SESSION_GID_NOBODY) {
		if (ap_is_root()) {
			ok(d, "only root starts sessions (`actplane limits --session-group G`, "
			      "or the service, lets a group)");
			return;
		}
		fail(d, "you cannot start sessions without root: root allowed no group");
		fix("sudo actplane limits --session-group actplane   (or the service: "
		    "docs/install.md), or use sudo actplane run");
		return;
	}
	g = getgrgid((gid_t)gid);
	snprintf(name, sizeof(name), "%s", g ? g->gr_name : "");
	if (!name[0])
		snprintf(name, sizeof(name), "%ld", gid);
	if (ap_is_root() || in_group((gid_t)gid)) {
		ok(d, "group %s may start sessions without root%s", name,
		   ap_is_root() ? "" : ", and you are in it");
		return;
	}
	fail(d, "you cannot start sessions without root: you are not in group %s", name);
	fix("sudo usermod -aG %s $USER, then log in again", name);
}

static void check_programs(struct doctor *d)
{
	struct dirent *e;
	int hooks = 0;
	bool enforcer = false;
	DIR *dir = opendir(AP_PIN_DIR);

	if (!dir) {
		if (errno == EACCES) {
			fail(d, "cannot look into %s (permission denied)", AP_PIN_DIR);
			fix("run `sudo actplane doctor` to check the BPF programs");
		} else {
			fail(d, "the BPF programs are not attached (%s: %s)", AP_PIN_DIR,
			     strerror(errno));
			fix("sudo actplane up   (or start an agent with `actplane run`)");
		}
		return;
	}
	while ((e = readdir(dir))) {
		if (!strncmp(e->d_name, AP_PIN_HOOK_PREFIX, strlen(AP_PIN_HOOK_PREFIX)))
			hooks++;
		else if (!strcmp(e->d_name, "enforcer"))
			enforcer = true;
	}
	closedir(dir);
	if (hooks && enforcer) {
		ok(d, "BPF programs attached in %s mode (%d hook%s and the enforcer pinned in %s)",
		   ap_hooks_mode() ?: "an unknown", hooks, hooks == 1 ? "" : "s", AP_PIN_DIR);
		return;
	}
	fail(d, "BPF programs incomplete in %s: %d hook%s, %s enforcer", AP_PIN_DIR,
	     hooks, hooks == 1 ? "" : "s", enforcer ? "an" : "no");
	fix("sudo actplane up");
}

static const struct ap_opt doctor_opts[] = {
	AP_OPT_JSON,
	{ "lsm-file", 'l', "FILE", NULL, "read the active LSM list from FILE instead of\n"
					 DEFAULT_LSM_FILE },
	{ NULL }
};

AP_COMMAND(cmd_doctor, .name = "doctor", .order = 210, .args = "[--json] [--lsm-file F]",
	   .help = "check this host for what ActPlane needs",
	   .usage = "Usage: actplane doctor [--json] [--lsm-file FILE]\n"
		    "\n"
		    "Check that this host can run ActPlane: kernel >= 6.9, kernel and module\n"
		    "BTF, the bpf LSM active (if not: the fmod_ret mode `up` will use, and how\n"
		    "to enable the LSM), bpffs, the module (its version against the tool's)\n"
		    "and the BPF programs (and their mode), the boot service if installed,\n"
		    "and whether you may start sessions without root.\n"
		    "One line per check (ok or FAIL, with the fix).\n"
		    "Exit status 0 only if every check passed.  See docs/install.md.\n",
	   .opts = doctor_opts);

static int cmd_doctor(int argc, char **argv)
{
	struct doctor d = { .lsm_file = DEFAULT_LSM_FILE };
	bool json = false;
	int opt;

	while ((opt = ap_getopt(&cmd_doctor_cmd, argc, argv)) > 0) {
		if (opt == 'l')
			d.lsm_file = optarg;
		else
			json = true;
	}
	if (opt < 0)
		return ap_opt_exit(opt);
	if ((opt = ap_no_operands(&cmd_doctor_cmd, argc, argv)))
		return opt;
	if (uname(&d.uts)) {
		ap_err("doctor: uname: %s", strerror(errno));
		return 1;
	}
	doc = &d;
	d.check = "kernel";
	load_config(&d);
	check_kernel(&d);
	d.check = "btf";
	check_btf(&d);
	d.check = "struct_ops";
	check_struct_ops(&d);
	d.check = "lsm";
	check_lsm(&d);
	d.check = "bpffs";
	check_bpffs(&d);
	d.check = "module";
	check_module(&d);
	d.check = "programs";
	check_programs(&d);
	d.check = "service";
	check_service(&d);
	d.check = "sessions";
	check_sessions(&d);
	free(d.config);
	if (json)
		print_json(&d);
	else
		print_text(&d);
	free_results(&d);
	doc = NULL;
	return d.failed ? 1 : 0;
}
