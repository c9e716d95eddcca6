#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Fuzz tier: build the ring-core libFuzzer harnesses (clang, -fsanitize=fuzzer,address,
# undefined) in their own build directory and run each one for a bounded time.
#   tests/fuzz/run.sh [SECONDS]          default 45 s per harness
#   VNET_FUZZ_RUNS=10000000 tests/fuzz/run.sh 0     run until 10^7 executions each instead
# Env: VNET_FUZZ_BUILD (build dir, default build-fuzz), VNET_FUZZ_RUNS (-runs). The harnesses
# run one after the other, niced: the machines are shared.
# Prints "PASS fuzz-<harness>: N execs in T s" or "FAIL ..." per harness; exit 1 on a crash
# (the crashing input is kept under <build>/fuzz-artifacts/ and named in the output).
# Exit 77 (and a SKIP line) when clang with libFuzzer is not available.
set -u

secs=${1:-45}
runs=${VNET_FUZZ_RUNS:--1}
top=$(cd "$(dirname "$0")/../.." && pwd)
bdir=${VNET_FUZZ_BUILD:-$top/build-fuzz}
[[ $bdir = /* ]] || bdir=$top/$bdir

if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP fuzz: clang not installed (apt-get install clang)"
	exit 77
fi
if [ ! -f "$bdir/build.ninja" ]; then
	slog=$(mktemp /tmp/vnet-fuzz-setup.XXXXXX)
	if ! CC=clang meson setup "$bdir" "$top" -Ddriver=disabled -Dfuzz=enabled \
		--buildtype=debugoptimized >"$slog" 2>&1; then
		tail -n 20 "$slog"
		if grep -q 'needs clang with libFuzzer' "$slog"; then
			echo "SKIP fuzz: clang has no libFuzzer (-fsanitize=fuzzer)"
			exit 77
		fi
		echo "FAIL fuzz: meson setup failed (log: $slog)"
		exit 1
	fi
	mv "$slog" "$bdir/fuzz-setup.log"
fi
if ! nice ninja -C "$bdir" tests/fuzz/vnet-fuzz-split tests/fuzz/vnet-fuzz-packed \
	>"$bdir/fuzz-build.log" 2>&1; then
	tail -n 30 "$bdir/fuzz-build.log"
	echo "FAIL fuzz: build failed (log: $bdir/fuzz-build.log)"
	exit 1
fi

rc=0
for h in split packed; do
	work=$bdir/fuzz-corpus/$h
	art=$bdir/fuzz-artifacts/$h-
	log=$bdir/fuzz-$h.log
	mkdir -p "$work" "$bdir/fuzz-artifacts"
	args=(-print_final_stats=1 -artifact_prefix="$art" -runs="$runs")
	[ "$secs" != 0 ] && args+=(-max_total_time="$secs")
	start=$(date +%s.%N)
	# New inputs go to the work corpus in the build dir; the committed seeds stay read-only.
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=abort_on_error=1 \
		nice "$bdir/tests/fuzz/vnet-fuzz-$h" "${args[@]}" "$work" \
		"$top/tests/fuzz/corpus/$h" >"$log" 2>&1
	frc=$?
	t=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	if [ $frc -eq 0 ] && [ -n "$execs" ]; then
		nwork=$(find "$work" -type f | wc -l)
		nseed=$(find "$top/tests/fuzz/corpus/$h" -type f | wc -l)
		echo "PASS fuzz-$h: ${execs} execs in ${t} s (${rate}/s)," \
			"corpus $nwork + $nseed seeds"
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		grep -E 'invariant failed|ERROR: (Address|Undefined|libFuzzer)|runtime error' \
			"$log" | head -n 5
		echo "FAIL fuzz-$h: exit $frc after ${execs:-?} execs in ${t} s;" \
			"input: ${crash:-none} (log: $log)"
		rc=1
	fi
done
exit $rc
