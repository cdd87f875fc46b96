#!/usr/bin/env bash
# End-to-end `stream-entropy profile` against pandas + scipy on the same 4-million-row CSV.
#
#   tests/StreamEntropy.Benchmarks/profile-vs-pandas/run.sh            # 4M rows, 3 timed runs of each
#   ROWS=400000 RUNS=1 WORK=/tmp/pvp tests/StreamEntropy.Benchmarks/profile-vs-pandas/run.sh
#
# Steps: (a) generate the CSV (4 columns, Zipf-like, "user" with ~200k distinct values) unless WORK already holds
# one with as many rows; (b) `dotnet publish` the worker in Release and time `profile FILE --pair ... --base e
# --format json`; (c) time Debian's python3 + pandas + scipy computing the same measures; (d) compare every value to
# 1e-9 relative, then print the times (best and median of RUNS wall-clock runs, process start to exit) and the speed-up.
# Exit status: 0 when every value agrees, 1 otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
ROWS="${ROWS:-4000000}"
RUNS="${RUNS:-3}"
WORK="${WORK:-${TMPDIR:-/tmp}/stream-entropy-profile-vs-pandas}"
PYTHON=/usr/bin/python3
HELPER="$HERE/profile_pandas.py"
CSV="$WORK/events-$ROWS.csv"
PAIRS=(country,device user,event)

mkdir -p "$WORK"
[[ -x /usr/bin/time ]] || { echo "error: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
"$PYTHON" -c "import pandas, scipy" 2>/dev/null || {
  echo "error: $PYTHON cannot import pandas and scipy (apt-get install python3-pandas python3-scipy)" >&2
  exit 2
}

if [[ ! -s "$CSV" ]]; then
  echo "== generating $CSV ($ROWS rows)"
  "$PYTHON" "$HELPER" generate "$CSV.tmp" "$ROWS"
  mv "$CSV.tmp" "$CSV"
fi
echo "== input: $CSV, $(du -h "$CSV" | cut -f1), $(($(wc -l <"$CSV") - 1)) rows"

echo "== dotnet publish src/StreamEntropy.Worker -c Release -o $WORK/publish"
dotnet publish "$ROOT/src/StreamEntropy.Worker" -c Release -o "$WORK/publish" --nologo -v quiet >"$WORK/publish.log" 2>&1 || {
  cat "$WORK/publish.log" >&2
  exit 2
}
EXE="$WORK/publish/stream-entropy"

profile_args=(profile "$CSV" --field user --field country --field device --field event)
for p in "${PAIRS[@]}"; do profile_args+=(--pair "$p"); done
profile_args+=(--base e --format json)

# time_runs OUT CMD...: runs CMD RUNS times with stdout to OUT (the last run's output stays there); prints one line
# per run: wall-clock seconds and CPU seconds (user + system, all threads). On a shared machine the CPU time is the
# steadier of the two: it does not count time spent waiting for a core.
time_runs() {
  local out="$1" i
  shift
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f '%e %U %S' -o "$WORK/time.txt" "$@" >"$out"
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$WORK/time.txt"
  done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== stream-entropy ${profile_args[*]}"
ours_times=$(time_runs "$WORK/profile.json" "$EXE" "${profile_args[@]}")
echo "$ours_times" | awk '{ printf "   run: %s s wall, %s s CPU\n", $1, $2 }'

echo "== pandas + scipy ($($PYTHON -c 'import pandas, scipy; print("pandas", pandas.__version__, "scipy", scipy.__version__)'))"
pandas_times=$(time_runs "$WORK/pandas.log" "$PYTHON" "$HELPER" pandas "$CSV" "$WORK/pandas.json" "${PAIRS[@]}")
echo "$pandas_times" | awk '{ printf "   run: %s s wall, %s s CPU\n", $1, $2 }'
echo "   last run's split: $(cat "$WORK/pandas.log")"

echo "== comparing every value"
status=0
"$PYTHON" "$HELPER" compare "$WORK/profile.json" "$WORK/pandas.json" || status=1

# stats COLUMN: best and median of that column of the run lines.
stats() { awk -v c="$1" '{ print $c }' | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f %.3f", v[1], v[int((NR + 1) / 2)] }'; }
read -r ours_best ours_median <<<"$(echo "$ours_times" | stats 1)"
read -r pandas_best pandas_median <<<"$(echo "$pandas_times" | stats 1)"
read -r ours_cpu_best ours_cpu_median <<<"$(echo "$ours_times" | stats 2)"
read -r pandas_cpu_best pandas_cpu_median <<<"$(echo "$pandas_times" | stats 2)"
echo "== results ($ROWS rows, $RUNS runs each; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '   %-24s %-22s %-22s\n' "" "wall best / median" "CPU best / median"
printf '   %-24s %8.3f / %8.3f s    %8.3f / %8.3f s\n' "stream-entropy profile" "$ours_best" "$ours_median" "$ours_cpu_best" "$ours_cpu_median"
printf '   %-24s %8.3f / %8.3f s    %8.3f / %8.3f s\n' "pandas + scipy" "$pandas_best" "$pandas_median" "$pandas_cpu_best" "$pandas_cpu_median"
awk -v a="$pandas_best" -v b="$ours_best" -v c="$pandas_median" -v d="$ours_median" -v e="$pandas_cpu_best" -v f="$ours_cpu_best" \
  'BEGIN { printf "   speed-up: %.2fx wall (best), %.2fx wall (median), %.2fx CPU (best)\n", a / b, c / d, e / f }'
exit $status
