# Benchmark suite (issue 8), included from the top-level Makefile.
#
#   make bench         build, boot the benchmark VM once (one CPU, qemu
#                      -icount), run every configuration, write
#                      docs/benchmarks.md and docs/benchmarks.json (< 30 min)
#   make bench-smoke   one short iteration of every benchmark in a normal VM
#                      (no icount, no figures kept); prints one line
#                      KTAP with one result: "ok 1 bench smoke (N benchmarks
#                      ran)" or "not ok 1 bench smoke # why"
#   make bench-build   only build what the suite needs (under build/bench/);
#                      bench-build-smoke: what the smoke run needs
#
# Uses the top Makefile's $(B), $(TOP), $(CC), $(CLANG), $(BPFTOOL), $(GEN),
# $(UCFLAGS), $(PKG_LIBS) and $(TOOL).  scripts/bench.sh also reads this file
# with `make -f Makefile -f bench.mk`, so it is guarded against a second read.

ifndef ACTPLANE_BENCH_MK
ACTPLANE_BENCH_MK := 1

BENCH_OUT    := $(B)/bench
BENCH_SRC    := $(TOP)/selftests/bench
BENCH_RULES  := $(foreach n,10 100 1000,$(BENCH_OUT)/rules/rules-$(n).yaml) \
                $(foreach n,100 1000,$(foreach v,a b,$(BENCH_OUT)/rules/reload-$(n)-$(v).yaml)) \
                $(BENCH_OUT)/rules/session-100.yaml
BENCH_ROOT_DEPS := $(BENCH_SRC)/mkroot.py $(BENCH_SRC)/genproj.py $(BENCH_SRC)/replay.sh \
                   $(BENCH_OUT)/apbench $(TOOL)
# modules of the generated C project the build macro-benchmark compiles,
# and of the replay's working tree (full run / smoke run).  The build is
# 30 modules (about 4 billion instructions a run, 13 runs): its ratios are
# far from their targets and repeat to 0.05%, and 60 took a third of the
# run's wall clock.  The replay's tree stays at 60, as it was measured.
BENCH_MODULES       ?= 30
BENCH_TREE_MODULES  ?= 60
BENCH_SMOKE_MODULES ?= 1

.PHONY: bench bench-smoke bench-build bench-build-smoke

$(BENCH_OUT)/apbench: $(BENCH_SRC)/apbench.c
	@mkdir -p $(BENCH_OUT)
	$(Q)$(CC) $(UCFLAGS) -o $@ $<

# Configuration (b): no-op programs generated from ActPlane's own hook list.
$(BENCH_OUT)/noop.bpf.c: $(BENCH_SRC)/gen_noop.py bpf/hooks.bpf.c
	@mkdir -p $(BENCH_OUT)
	$(Q)python3 $^ > $@.tmp && mv $@.tmp $@

$(BENCH_OUT)/noop.bpf.o: $(BENCH_OUT)/noop.bpf.c $(GEN)/vmlinux.h
	$(Q)$(CLANG) $(BPF_CFLAGS) -D__TARGET_ARCH_x86 -Wall -I$(GEN) -c $< -o $@

$(BENCH_OUT)/noop.skel.h: $(BENCH_OUT)/noop.bpf.o
	$(Q)$(BPFTOOL) gen skeleton $< name apbench_noop > $@.tmp && mv $@.tmp $@

$(BENCH_OUT)/apbench-noop: $(BENCH_SRC)/noop_loader.c $(BENCH_OUT)/noop.skel.h
	$(Q)$(CC) $(UCFLAGS) -I$(BENCH_OUT) -o $@ $< $(PKG_LIBS)

# Generated policies, each validated by the compiler (warnings are errors).
$(BENCH_OUT)/rules/rules-%.yaml: $(BENCH_SRC)/genrules.py $(TOOL)
	@mkdir -p $(BENCH_OUT)/rules
	$(Q)python3 $< $* $@.tmp && $(TOOL) check --strict --policy $@.tmp >/dev/null && mv $@.tmp $@

# Configuration (k): a session policy, rules only, other numbers than
# rules-100's (its `if` labels are rules-100's, so no --strict: they have
# no source here).
$(BENCH_OUT)/rules/session-%.yaml: $(BENCH_SRC)/genrules.py $(TOOL)
	@mkdir -p $(BENCH_OUT)/rules
	$(Q)python3 $< $* $@.tmp --session --variant 7 && $(TOOL) check --policy $@.tmp >/dev/null \
		&& mv $@.tmp $@

# Reload test: pairs of different policies (1000 rules; 100 for the smoke
# run), each also denying reads of the canary file.
$(BENCH_OUT)/rules/reload-%.yaml: $(BENCH_SRC)/genrules.py $(TOOL)
	@mkdir -p $(BENCH_OUT)/rules
	$(Q)python3 $< $(firstword $(subst -, ,$*)) $@.tmp --canary apbench-canary \
		--variant $(if $(filter %-a,$*),0,1) \
		&& $(TOOL) check --strict --policy $@.tmp >/dev/null && mv $@.tmp $@

# The chroot the guest copies into a tmpfs (see mkroot.py for why); checked
# by building the project and replaying chrooted on the host.
$(BENCH_OUT)/root/.stamp: $(BENCH_ROOT_DEPS) $(BENCH_RULES)
	$(Q)python3 $(BENCH_SRC)/mkroot.py $(BENCH_OUT)/root $(BENCH_OUT)/apbench $(BENCH_SRC) \
		--modules $(BENCH_MODULES) --tree-modules $(BENCH_TREE_MODULES) --tool $(TOOL) \
		--rules $(BENCH_OUT)/rules --check
	$(Q)touch $@

$(BENCH_OUT)/root-smoke/.stamp: $(BENCH_ROOT_DEPS) $(BENCH_RULES)
	$(Q)python3 $(BENCH_SRC)/mkroot.py $(BENCH_OUT)/root-smoke $(BENCH_OUT)/apbench $(BENCH_SRC) \
		--modules $(BENCH_SMOKE_MODULES) --tool $(TOOL) --rules $(BENCH_OUT)/rules
	$(Q)touch $@

bench-build-smoke: $(BENCH_OUT)/apbench $(BENCH_OUT)/apbench-noop $(BENCH_RULES) \
		   $(BENCH_OUT)/root-smoke/.stamp

bench-build: bench-build-smoke $(BENCH_OUT)/root/.stamp

bench: deps
	$(Q)$(TOP)/scripts/bench.sh

bench-smoke:
	$(Q)$(TOP)/scripts/bench.sh --smoke

endif
