#!/usr/bin/env bash
# ActPlane benchmark suite, host side: build what the suite needs, boot the
# benchmark VM once, run selftests/bench/bench.py inside, collect the figures
# and write docs/benchmarks.md and docs/benchmarks.json.
#
#   scripts/bench.sh [-- BENCH_PY_ARGS...]   full run: one boot with one vCPU
#                                           and qemu -icount (guest ns = guest
#                                           instructions); < 30 minutes
#   scripts/bench.sh --smoke                 one short pass of every benchmark
#                                           in a normal VM (no icount, figures
#                                           discarded); prints KTAP with one
#                                           result: "ok 1 bench smoke (N
#                                           benchmarks ran)" or
#                                           "not ok 1 bench smoke # why"
# Environment: ACTPLANE_BENCH_NOBUILD=1 skips the build step;
# ACTPLANE_BENCH_DOCS=DIR writes the documents elsewhere than docs/.
# Logs: build/bench/{build,bench,smoke}.log.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
B=${ACTPLANE_BUILD:-$top/build}
out=$B/bench
docs=${ACTPLANE_BENCH_DOCS:-$top/docs}
smoke=0
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) sed -n '2,19p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$out"
[ $smoke = 0 ] || printf 'KTAP version 1\n1..1\n'

fail() {
	if [ $smoke = 1 ]; then
		echo "not ok 1 bench smoke # $(printf '%s' "$*" | tr '#\n' '% ')"
	else
		echo "bench.sh: $*" >&2
	fi
	exit 1
}

# ---- build (the top Makefile may or may not include bench.mk yet) ----------
if [ -z "${ACTPLANE_BENCH_NOBUILD:-}" ]; then
	[ $smoke = 1 ] || echo "== building (log: $out/build.log)"
	target=bench-build
	[ $smoke = 1 ] && target=bench-build-smoke
	make -C "$top" -f Makefile -f bench.mk --no-print-directory all $target \
		>"$out/build.log" 2>&1 || fail "build failed: $(tail -n 3 "$out/build.log" | tr '\n' ' ')"
fi

guest=(python3 "$top/selftests/bench/bench.py")

# ---- smoke -----------------------------------------------------------------
if [ $smoke = 1 ]; then
	log=$out/smoke.log
	ACTPLANE_VM_TIMEOUT=${ACTPLANE_VM_TIMEOUT:-300} "$top/scripts/vm.sh" --no-module -- \
		"${guest[@]}" --smoke --root "$out/root-smoke" --scale 0.002 --replay-rounds 1 \
		--mem-files 200 --mem-procs 20 --reload-rules 100 >"$log" 2>&1
	vrc=$?
	python3 "$top/selftests/bench/report.py" extract "$log" "$out/smoke.json" 2>/dev/null ||
		fail "the VM run produced no results (vm.sh exit $vrc; log: $log)"
	# one result: report.py's, unless the VM run itself failed
	res=$(python3 "$top/selftests/bench/report.py" smoke "$out/smoke.json")
	rrc=$?
	if [ $rrc = 0 ] && [ $vrc != 0 ]; then
		# results are fine but the guest kernel log was not (or the command failed)
		fail "VM run exited $vrc (log: $log)"
	fi
	grep -qE '^(not )?ok 1 ' <<<"$res" || fail "report.py smoke printed no result (exit $rrc)"
	printf '%s\n' "$res"
	exit $rrc
fi

# ---- full run --------------------------------------------------------------
log=$out/bench.log
start=$(date +%s)
echo "== benchmark VM (log: $log); progress lines start with '#'"
ACTPLANE_VM_TIMEOUT=${ACTPLANE_VM_TIMEOUT:-2400} "$top/scripts/vm.sh" --bench --no-module -- \
	"${guest[@]}" "${extra[@]}" 2>&1 | tee "$log" | grep --line-buffered '^# ' |
	while IFS= read -r line; do printf '%s %s\n' "$(date +%T)" "${line:0:150}"; done
vrc=${PIPESTATUS[0]}
wall=$(( $(date +%s) - start ))
python3 "$top/selftests/bench/report.py" extract "$log" "$out/raw.json" ||
	fail "the VM run produced no results (vm.sh exit $vrc)"

commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=false
[ -n "$(git -C "$top" status --porcelain -- kmod bpf userspace include 2>/dev/null)" ] && dirty=true
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
qemu=$(qemu-system-x86_64 --version 2>/dev/null | head -n1)
cat >"$out/meta.json" <<EOF
{"commit": "$commit", "dirty": $dirty, "date": "$(date -u +%Y-%m-%dT%H:%MZ)",
 "host": "$(nproc) x ${cpu//\"/}, ${qemu//\"/}", "wall_seconds": $wall,
 "kernel_abi": "$(cat "$B/kernel/abi" 2>/dev/null)"}
EOF
mkdir -p "$docs"
python3 "$top/selftests/bench/report.py" write "$out/raw.json" "$out/meta.json" \
	"$docs/benchmarks.md" "$docs/benchmarks.json" || fail "report failed"
echo "== wrote $docs/benchmarks.md and $docs/benchmarks.json ($((wall / 60)) min $((wall % 60)) s)"
if [ "$vrc" != 0 ]; then
	echo "bench.sh: the VM run reported errors (exit $vrc); see $log and the documents" >&2
	exit 1
fi
exit 0
