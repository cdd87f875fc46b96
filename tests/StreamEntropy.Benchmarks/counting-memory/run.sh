#!/usr/bin/env bash
# Memory and speed of the exact counting tables (Core/Counting), this tree against an older commit, in one run.
#
#   tests/StreamEntropy.Benchmarks/counting-memory/run.sh                  # against main, N = 10⁶, 3 rounds
#   BASE=7d1d94a N=1000000 ROUNDS=3 tests/StreamEntropy.Benchmarks/counting-memory/run.sh
#
# Steps: (a) export BASE with `git archive` into WORK/base and copy this harness into it; (b) build the harness in
# Release against both trees' StreamEntropy.Core; (c) ROUNDS times, the two builds in turn, each measurement in a
# fresh process: `memory values N` (N distinct 8-byte values interned and counted once: resident-set growth, peak and
# at the end, and live managed heap, per value), `memory values N 24` (24-byte values, compared with the arena),
# `memory pairs N` (N distinct pairs in a PairCountTable), and `time N` (hits in random order at N distinct values
# and pairs, and the random-load floor of this machine); then (d) `ab`: the hit paths of both builds in one process,
# alternately, by CPU time (AB_ROUNDS samples each, default 11; Zipf and uniform order), the figures to trust on a
# loaded machine. Nothing is checked here: the tests check the results.
# COLLECT=1 makes `memory values` request a background gen-2 collection every 65 536 values (how much of the growth is
# garbage the runtime has not yet given back).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BASE="${BASE:-main}"
N="${N:-1000000}"
ROUNDS="${ROUNDS:-3}"
WORK="${WORK:-${TMPDIR:-/tmp}/stream-entropy-counting-memory}"

rm -rf "$WORK/base" && mkdir -p "$WORK/base"
git -C "$ROOT" archive "$BASE" src/StreamEntropy.Core Directory.Build.props Directory.Packages.props .editorconfig | tar -x -C "$WORK/base"
mkdir -p "$WORK/base/tests/StreamEntropy.Benchmarks/counting-memory"
cp "$HERE/CountingHarness.csproj" "$HERE"/*.cs "$WORK/base/tests/StreamEntropy.Benchmarks/counting-memory/"

echo "== building the harness against this tree and against $BASE ($(git -C "$ROOT" rev-parse --short "$BASE"))"
dotnet build "$HERE/CountingHarness.csproj" -c Release -o "$WORK/new" >"$WORK/new.log" 2>&1 || { cat "$WORK/new.log" >&2; exit 2; }
dotnet build "$WORK/base/tests/StreamEntropy.Benchmarks/counting-memory/CountingHarness.csproj" -c Release -p:Base=true \
  -o "$WORK/basebin" >"$WORK/base.log" 2>&1 || { cat "$WORK/base.log" >&2; exit 2; }

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for build in basebin new; do
    for args in "memory values $N" "memory values $N 24" "memory pairs $N" "time $N"; do
      # shellcheck disable=SC2086
      dotnet "$WORK/$build/CountingHarness.dll" $args | sed "s/^/${build%bin}: /"
    done
  done
done

echo "== A/B by CPU time, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$WORK/new/CountingHarness.dll" ab "$WORK/basebin" "$N" "${AB_ROUNDS:-11}"
