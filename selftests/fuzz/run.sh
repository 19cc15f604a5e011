#!/usr/bin/env bash
# Run the policy fuzzer: run.sh BINARY WORKDIR SECONDS smoke|long
# Prints KTAP with exactly one result; exits non-zero on a crash.
set -u
bin=$1 dir=$2 secs=$3 mode=$4
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$dir/corpus
log=$dir/fuzz-$mode.log

mkdir -p "$corpus" "$dir/artifacts"
cp -f "$top"/selftests/host/corpus/valid/*.yaml "$corpus"/ 2>/dev/null
cp -f "$top"/selftests/host/corpus/invalid/*.yaml "$corpus"/ 2>/dev/null

extra=()
[ "$mode" = smoke ] && extra=(-max_len=4096)
"$bin" "$corpus" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$dir/artifacts/" -print_final_stats=1 "${extra[@]}" \
	>"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
[ -n "$runs" ] || runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' | tail -1)
printf 'KTAP version 1\n1..1\n'
if [ "$rc" = 0 ]; then
	echo "ok 1 fuzz policy parser (${runs:-0} runs)"
	exit 0
fi
crash=$(ls -t "$dir"/artifacts/ 2>/dev/null | head -1)
why=$(grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error' "$log")
why=$(printf '%s' "${why:-exit $rc}" | tr '#' '%')
echo "not ok 1 fuzz policy parser # $why (input: $dir/artifacts/$crash, log: $log)"
exit 1
