# Policy parser fuzzing (libFuzzer), included from the top-level Makefile.
#
#   make fuzz         long run (FUZZ_TIME seconds, default 600)
#   make fuzz-smoke   bounded run (~20 s) for `make check`; prints KTAP with
#                     one result, "ok 1 ..." / "not ok 1 ...", fails on a crash
#
# Uses $(POLICY_SRC) from the top Makefile, builds into build/fuzz/ and seeds
# the corpus with the valid host-test policies.  New inputs the fuzzer finds
# stay in build/fuzz/corpus/ (never in the source tree).

FUZZ_CC      ?= clang-14
FUZZ_DIR     := $(B)/fuzz
FUZZ_BIN     := $(FUZZ_DIR)/fuzz_policy
FUZZ_TIME    ?= 600
FUZZ_SMOKE   ?= 20
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
                -std=gnu11 -D_GNU_SOURCE -I$(TOP)/include -I$(TOP)/userspace \
                $(shell pkg-config --cflags yaml-0.1 json-c 2>/dev/null)
FUZZ_LIBS    := $(shell pkg-config --libs yaml-0.1 json-c 2>/dev/null)

.PHONY: fuzz fuzz-smoke

$(FUZZ_BIN): selftests/fuzz/fuzz_policy.c $(POLICY_SRC) $(wildcard userspace/policy/*.h include/actplane/*.h)
	@mkdir -p $(FUZZ_DIR)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ selftests/fuzz/fuzz_policy.c \
		$(POLICY_SRC) $(FUZZ_LIBS)

fuzz: $(FUZZ_BIN)
	$(Q)selftests/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_DIR) $(FUZZ_TIME) long

fuzz-smoke: $(FUZZ_BIN)
	$(Q)selftests/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_DIR) $(FUZZ_SMOKE) smoke
