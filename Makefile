# ActPlane — top-level build.  `make` builds the module, the BPF objects and the
# tool; `make check` runs host and in-VM tests; `make demo` runs the VM demo.
# Everything generated goes under build/ (or next to the module sources, as
# kbuild does, all git-ignored).

TOP      := $(abspath .)
B        := $(TOP)/build
KDIR     ?= $(B)/kernel/headers
CLANG    ?= clang-19
BPFTOOL  ?= bpftool
# -mcpu=v3: 32-bit compares and moves (every hook program tests an int
# verdict; v1 widens it with two shifts first); any kernel >= 5.1 runs it
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3
CC       ?= gcc
V        ?= 0

ifeq ($(V),0)
Q := @
else
Q :=
endif

PKGS     := libbpf libnl-genl-3.0 libnl-3.0 yaml-0.1 json-c
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lelf -lz

CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wmissing-prototypes
UCFLAGS  := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -I$(TOP)/include -I$(TOP)/userspace \
            -I$(B)/gen $(PKG_CFLAGS)

GEN      := $(B)/gen
BPFOUT   := $(B)/bpf
OBJ      := $(B)/obj
HOSTT    := $(B)/host-tests

KO       := kmod/actplane.ko
# The newest Debian kernel (make deps fetches it): its module is built in its
# release's chroot (scripts/kmod-chroot.sh) into build/kmod/<release>/.
NEWEST   := $(shell cat $(B)/kernel-newest/abi 2>/dev/null)
KO_NEWEST := $(if $(NEWEST),$(B)/kmod/$(NEWEST)-amd64/actplane.ko)
KERNEL   ?= 6.12
# Module BTF split against the kernel's own vmlinux BTF, not a distilled base:
# the kfunc filter's build-time BTF ids must be the ids the kernel uses
# (kmod/kfuncs.c, ap_kfuncs_init()).  dkms.conf and kmod-chroot.sh say the same.
KBUILD_BTF := MODULE_PAHOLE_FLAGS= RESOLVE_BTFIDS_FLAGS=
TOOL     := $(B)/actplane
MAN8     := $(B)/actplane.8
BASH_COMPLETION := $(B)/actplane.bash-completion

# The policy library: pure userspace, shared by the tool, host tests and fuzzers;
# it carries the escaping of agent-controlled text, which its diagnostics use,
# and the file helpers (no link followed, atomic replace) that `init` uses.
SHARED_SRC := userspace/escape.c userspace/fileio.c
POLICY_SRC := $(wildcard userspace/policy/*.c) $(SHARED_SRC)
POLICY_OBJ := $(POLICY_SRC:%.c=$(OBJ)/%.o)
POLICY_LIB := $(B)/libactplane-policy.a

TOOL_SRC := $(filter-out $(SHARED_SRC),$(wildcard userspace/*.c))
TOOL_OBJ := $(TOOL_SRC:%.c=$(OBJ)/%.o)

BPF_HOOKS     := $(wildcard bpf/hooks*.bpf.c)
BPF_ENFORCERS := $(wildcard bpf/enforcer_*.bpf.c)
BPF_SRC       := $(BPF_HOOKS) $(BPF_ENFORCERS)
BPF_OBJ       := $(BPF_SRC:bpf/%.bpf.c=$(BPFOUT)/%.bpf.o)
BPF_SKEL      := $(BPF_HOOKS:bpf/%.bpf.c=$(GEN)/%.skel.h)

HOST_TEST_SRC := $(wildcard selftests/host/test_*.c)
HOST_TEST_BIN := $(HOST_TEST_SRC:selftests/host/%.c=$(HOSTT)/%)

VM_TEST_SRC := $(wildcard selftests/vm/*.c)
VM_TEST_BIN := $(VM_TEST_SRC:selftests/vm/%.c=$(B)/vm-tests/%)

.PHONY: all deps kmod bpf tool check check-host check-vm demo bench stress vm-shell fuzz clean help

all: kmod $(KO_NEWEST) bpf tool vmtests

help:
	@echo "make            build module, BPF objects, tool and test programs"
	@echo "make deps       install/fetch packages, guest kernel, virtme-ng (root)"
	@echo "make check      host tests + in-VM selftests, ends with 'N passed, N failed'"
	@echo "                (KERNEL=newest: the VM suites on the newest Debian kernel)"
	@echo "make demo       boot the VM and show ActPlane working"
	@echo "make vm-shell   interactive shell in the VM with the module inserted"
	@echo "make fuzz       longer run of the policy parser fuzzer"
	@echo "make stress     long hardening runs in the VM (stress, lifecycle, netlink fuzzer)"

deps:
	$(Q)scripts/deps.sh

$(KDIR)/Makefile:
	@echo "kernel headers missing: run 'make deps' (as root)" >&2; exit 1

# ---- kernel module --------------------------------------------------------
kmod: $(KO)
$(KO): $(KDIR)/Makefile
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) $(KBUILD_BTF) modules $(if $(filter 0,$(V)),-s,)

KMOD_SRC := $(wildcard kmod/*.c kmod/*.h kmod/Kbuild include/uapi/*.h include/actplane/*.h) Kbuild
$(KO): $(KMOD_SRC)
ifneq ($(NEWEST),)
$(KO_NEWEST): $(KMOD_SRC) $(B)/kernel-newest/abi scripts/kmod-chroot.sh
	$(Q)scripts/kmod-chroot.sh $(if $(filter 0,$(V)),,V=1)
endif

# ---- BPF ------------------------------------------------------------------
$(GEN)/vmlinux.h: $(KO)
	@mkdir -p $(GEN)
	$(Q)$(BPFTOOL) btf dump file $(KO) --base-btf $(KDIR)/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BPFOUT)/%.bpf.o: bpf/%.bpf.c $(GEN)/vmlinux.h $(wildcard bpf/*.h)
	@mkdir -p $(BPFOUT)
	$(Q)$(CLANG) $(BPF_CFLAGS) -D__TARGET_ARCH_x86 -Wall -Wno-unused-function \
		-I$(GEN) -I$(TOP)/bpf -c $< -o $@

# the fmod_ret programs are hooks.bpf.c built with AP_FMODRET
$(BPFOUT)/hooks_fmodret.bpf.o: bpf/hooks.bpf.c

$(GEN)/%.skel.h: $(BPFOUT)/%.bpf.o
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

# Enforcers are embedded in the tool as objects (a generic struct_ops loader,
# which also loads user-written enforcers from a file).
$(GEN)/enforcers.S: $(BPF_ENFORCERS:bpf/%.bpf.c=$(BPFOUT)/%.bpf.o) scripts/gen-embed.sh
	$(Q)scripts/gen-embed.sh $(BPFOUT) $(BPF_ENFORCERS:bpf/enforcer_%.bpf.c=%) > $@

bpf: $(BPF_OBJ) $(BPF_SKEL)

# ---- userspace tool -------------------------------------------------------
$(OBJ)/%.o: %.c $(wildcard userspace/*.h userspace/policy/*.h include/uapi/*.h include/actplane/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(OBJ)/userspace/up.o: $(BPF_SKEL)

$(POLICY_LIB): $(POLICY_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OBJ)/enforcers.o: $(GEN)/enforcers.S
	$(Q)$(CC) -c $< -o $@

tool: $(TOOL) $(MAN8) $(BASH_COMPLETION)
$(TOOL): $(TOOL_OBJ) $(POLICY_LIB) $(OBJ)/enforcers.o
	$(Q)$(CC) $(CFLAGS) -o $@ $(TOOL_OBJ) $(OBJ)/enforcers.o $(POLICY_LIB) $(PKG_LIBS)

# The man page and the bash completion, generated from the tool's command
# table and its commands' --help (userspace/gen_docs.c).
$(MAN8): $(TOOL)
	$(Q)$(TOOL) __gen-man > $@.tmp && mv $@.tmp $@
$(BASH_COMPLETION): $(TOOL)
	$(Q)$(TOOL) __gen-completion > $@.tmp && mv $@.tmp $@

# ---- tests ----------------------------------------------------------------
$(HOSTT)/%: selftests/host/%.c $(POLICY_LIB) $(wildcard selftests/*.h selftests/host/*.h) \
	    $(wildcard userspace/*.c userspace/*.h)
	@mkdir -p $(HOSTT)
	$(Q)$(CC) $(UCFLAGS) -Iselftests -Iselftests/host -o $@ $< $(POLICY_LIB) $(PKG_LIBS)

# The module's match indexes on the host: kmod/match.c compiled against a
# kernel shim (its linux/*.h found before the system's), checked against
# brute force with the policy library's compiler.
KSHIM := selftests/host/kshim
$(HOSTT)/test_kernel_index: selftests/host/test_kernel_index.c kmod/match.c $(POLICY_LIB) \
	    $(wildcard kmod/*.h $(KSHIM)/*.h $(KSHIM)/linux/*.h selftests/*.h selftests/host/*.h \
	               include/uapi/*.h include/actplane/*.h)
	@mkdir -p $(HOSTT)
	$(Q)$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -I$(TOP)/$(KSHIM) -I$(TOP)/include \
		-Iselftests -Iselftests/host -o $@ $< $(POLICY_LIB) $(PKG_LIBS)

# In-VM test programs may use the tool's netlink client.
VM_TEST_LIBOBJ := $(OBJ)/userspace/nl.o $(OBJ)/userspace/common.o
$(B)/vm-tests/%: selftests/vm/%.c $(VM_TEST_LIBOBJ) $(wildcard selftests/*.h selftests/vm/*.h include/uapi/*.h)
	@mkdir -p $(B)/vm-tests
	$(Q)$(CC) $(UCFLAGS) -Iselftests/vm -Iselftests -o $@ $< $(VM_TEST_LIBOBJ) $(PKG_LIBS) -luring -lpthread

VM_TEST_BPF := $(patsubst selftests/vm/bpf/%.bpf.c,$(B)/vm-tests/%.bpf.o,$(wildcard selftests/vm/bpf/*.bpf.c))
$(B)/vm-tests/%.bpf.o: selftests/vm/bpf/%.bpf.c $(GEN)/vmlinux.h $(wildcard bpf/*.h)
	@mkdir -p $(B)/vm-tests
	$(Q)$(CLANG) $(BPF_CFLAGS) -D__TARGET_ARCH_x86 -Wall -I$(GEN) -I$(TOP)/bpf -c $< -o $@

# preload payloads (shared objects) for the trusted-exec tests
VM_TEST_SO := $(patsubst selftests/vm/so/%.c,$(B)/vm-tests/lib%.so,$(wildcard selftests/vm/so/*.c))
$(B)/vm-tests/lib%.so: selftests/vm/so/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -Wall -shared -fPIC -o $@ $<

vmtests: $(VM_TEST_BIN) $(VM_TEST_BPF) $(VM_TEST_SO) $(HOST_TEST_BIN)

# make check: every suite on 6.12 (both attachment modes) and the suites of
# scripts/check.sh's NEWEST_SUITES on the newest kernel; KERNEL=newest runs
# every suite on the newest kernel instead.
CHECK_KERNEL := $(if $(filter-out 6.12 default,$(KERNEL)),--kernel $(KERNEL))
check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/check.sh $(CHECK_KERNEL)

check-host: all
	$(Q)scripts/check.sh --host-only

check-vm: all
	$(Q)scripts/check.sh --vm-only $(CHECK_KERNEL)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/vm.sh -- $(TOP)/scripts/demo.sh

vm-shell: all
	$(Q)scripts/vm.sh --shell

# The long hardening runs: 60 s stress, 100 lifecycle cycles, 1M fuzzer
# messages, bigger races and floods (make check runs bounded versions).
stress: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)ACTPLANE_VM_TIMEOUT=$${ACTPLANE_VM_TIMEOUT:-5400} \
		scripts/check.sh --vm-only --stress hardening netlink_fuzz lifecycle

clean:
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) clean -s 2>/dev/null || true
	$(Q)rm -rf $(GEN) $(BPFOUT) $(OBJ) $(HOSTT) $(B)/vm-tests $(B)/kmod $(TOOL) $(POLICY_LIB) \
		$(MAN8) $(BASH_COMPLETION)

# Policy parser fuzzing (targets fuzz, fuzz-smoke).
-include selftests/fuzz/fuzz.mk
# make install / uninstall (tool + DKMS module source).
-include install.mk
# make bench / bench-smoke.
-include bench.mk
