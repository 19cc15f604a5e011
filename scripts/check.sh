#!/usr/bin/env bash
# Run the host tests and the in-VM selftests; print one summary line
# "N passed, N failed, N skipped" counting both.  Exit 0 only if nothing failed.
# Every test program and suite prints KTAP (selftests/harness.h,
# selftests/ktap.sh); the counts are of its top-level result lines, over all
# of them: "ok N ..." passed, "ok N ... # SKIP ..." skipped, "not ok N ..."
# failed (also with a SKIP).  Indented lines (nested KTAP) are not counted.
#   check.sh [--host-only | --vm-only] [--kernel K] [--stress] [VM_TEST_PATTERN...]
# --stress: the hardening suites' long versions (AP_STRESS=1 in the guest)
# The VM suites run on the 6.12 kernel (both attachment modes); the full run
# then boots the newest Debian kernel (build/kernel-newest, if `make deps`
# fetched it) for the suites NEWEST_SUITES names, in both modes.  --kernel
# newest runs the selected suites on the newest kernel only.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${ACTPLANE_BUILD:-$top/build}
host=1 vm=1 stress=0 solo=() kernel=6.12
# The suites the full run repeats on the newest kernel: the engine end to end
# (labels, policy, the runner), the kernel-side escapes, and the fmod_ret mode.
NEWEST_SUITES="test_foundation.sh test_labels.sh test_policy.sh test_run.sh test_hardening.sh"
NEWEST_FMODRET_SUITES="test_no_bpf_lsm.sh test_policy.sh"
case "${1:-}" in
--host-only) vm=0; shift ;;
--vm-only) host=0; shift ;;
esac
if [ "${1:-}" = --kernel ]; then
	kernel=$2
	shift 2
fi
if [ "${1:-}" = --stress ]; then
	stress=1
	shift
fi
log=$B/check.log
: >"$log"
status=0
export ACTPLANE_TOP=$top

if [ $host = 1 ]; then
	echo "== host tests" | tee -a "$log"
	for t in "$B"/host-tests/test_* "$top"/selftests/host/test_*.sh; do
		[ -x "$t" ] || continue
		echo "# $(basename "$t")" | tee -a "$log"
		"$t" 2>&1 | tee -a "$log"
		[ "${PIPESTATUS[0]}" = 0 ] || status=1
	done
	if grep -q '^fuzz-smoke:' "$top/selftests/fuzz/fuzz.mk" 2>/dev/null; then
		echo "# fuzz-smoke" | tee -a "$log"
		make -s -C "$top" fuzz-smoke 2>&1 | tee -a "$log"
		[ "${PIPESTATUS[0]}" = 0 ] || status=1
	fi
fi

# run_vm VM_OPTIONS FILE...: one VM boot running the named suites
run_vm() {
	local opts=$1 out rc
	shift
	out=$(mktemp)
	# shellcheck disable=SC2086 # VM_OPTIONS are words
	"$top/scripts/vm.sh" --tap --kernel "$kernel" $opts -- \
		env AP_STRESS=$stress AP_KERNEL_TAG="$ktag" "$top/selftests/vm/run.sh" "$@" 2>&1 |
		tee -a "$log" "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ]; then
		status=1
		grep -qE '^(not )?ok [0-9]+ kernel log clean' "$out" ||
			printf '# vm.sh\nKTAP version 1\n1..1\nnot ok 1 VM run of %s # vm.sh exited %s\n' "$*" "$rc" |
			tee -a "$log"
	fi
	rm -f "$out"
}

kdir() { case "$1" in newest) echo "$B/kernel-newest" ;; *) echo "$B/kernel" ;; esac; }
ktag=
[ "$kernel" = 6.12 ] || ktag=$kernel.
if [ $vm = 1 ]; then
	echo "== in-VM selftests (virtme-ng, guest kernel $(cat "$(kdir "$kernel")/abi"))" | tee -a "$log"
	# The suites selected by the patterns (all without any); a suite with a
	# "# vm-options: OPTS" line gets a VM of its own booted with OPTS (and
	# in the full run also the suites its "# vm-with:" line names: the
	# fmod_ret mode runs them again so).
	shared=()
	for t in "$top"/selftests/vm/test_*.sh; do
		name=$(basename "$t")
		if [ $# -gt 0 ]; then
			hit=0
			for p in "$@"; do
				case "$name" in *"$p"*) hit=1 ;; esac
			done
			[ $hit = 1 ] || continue
		fi
		opts=$(sed -n 's/^# vm-options: *//p' "$t")
		if [ -n "$opts" ]; then
			# "# vm-with: SUITE...": more suites for that VM (the full run only)
			with=""
			[ $# -gt 0 ] || with=$(sed -n 's/^# vm-with: *//p' "$t")
			solo+=("$opts|$name $with")
		else
			shared+=("$name")
		fi
	done
	# make check boots single-threaded TCG (two vCPUs taking turns): under
	# multi-threaded TCG a vCPU can execute a stale int3 while the kernel
	# text-pokes the hooks on up/down (docs/architecture.md, "Tests").
	# make stress keeps multi-threaded TCG for its races.
	main_opts=--tcg-single
	[ $stress = 0 ] || main_opts=
	[ ${#shared[@]} = 0 ] || run_vm "$main_opts" "${shared[@]}"
	for s in "${solo[@]}"; do
		# shellcheck disable=SC2086 # the suite names are words
		run_vm "${s%%|*}" ${s#*|}
	done
	# the newest kernel: its suites in the LSM mode (each with its own VM
	# options, as above), then the fmod_ret VM with its suites
	if [ $# = 0 ] && [ "$kernel" = 6.12 ] && [ -f "$B/kernel-newest/abi" ]; then
		kernel=newest ktag=newest.
		echo "== in-VM selftests on the newest kernel $(cat "$B/kernel-newest/abi")" | tee -a "$log"
		shared=()
		for name in $NEWEST_SUITES; do
			opts=$(sed -n 's/^# vm-options: *//p' "$top/selftests/vm/$name")
			if [ -n "$opts" ]; then
				run_vm "$opts" "$name"
			else
				shared+=("$name")
			fi
		done
		[ ${#shared[@]} = 0 ] || run_vm --tcg-single "${shared[@]}"
		fm_opts=$(sed -n 's/^# vm-options: *//p' "$top/selftests/vm/test_no_bpf_lsm.sh")
		# shellcheck disable=SC2086 # the suite names are words
		run_vm "$fm_opts" $NEWEST_FMODRET_SUITES
		kernel=6.12 ktag=
	fi
	# a tiny run of every benchmark, so the suite cannot rot
	if [ $# = 0 ] && grep -q '^bench-smoke:' "$top/bench.mk" 2>/dev/null; then
		echo "# bench-smoke" | tee -a "$log"
		make -s -C "$top" bench-smoke 2>&1 | tee -a "$log"
		[ "${PIPESTATUS[0]}" = 0 ] || status=1
	fi
fi

# a KTAP description holds no '#': the first one starts the directive
passed=$(grep -E '^ok [0-9]+ ' "$log" | grep -cvE '^ok [0-9]+ [^#]*# SKIP')
skipped=$(grep -cE '^ok [0-9]+ [^#]*# SKIP' "$log")
failed=$(grep -cE '^not ok [0-9]+ ' "$log")
if [ "$failed" != 0 ]; then
	echo
	echo "Failed:"
	# each with the program or suite it came from (its "# NAME" header line)
	awk '/^# [A-Za-z0-9_.-]+$/ { suite = substr($0, 3) }
	     /^not ok [0-9]+ / { print (suite != "" ? suite ": " : "") $0 }' "$log"
	status=1
fi
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
