#!/usr/bin/env bash
# `stream-entropy profile` against DuckDB (DuckDB.NET.Data.Full from NuGet) on the same 4-million-row CSV, side by side.
#
#   tests/StreamEntropy.Benchmarks/profile-vs-duckdb/run.sh                       # 4M rows, 5 interleaved runs of each
#   BASE_EXE=/tmp/old/stream-entropy RUNS=3 tests/StreamEntropy.Benchmarks/profile-vs-duckdb/run.sh
#   READY_TO_RUN=1 tests/StreamEntropy.Benchmarks/profile-vs-duckdb/run.sh         # publish for this runtime (ReadyToRun)
#
# The CSV is the one of ../profile-vs-pandas (same generator, same seed): user (~220 k distinct values), country (40),
# device (8), event (10); pairs country,device and user,event. Steps: (a) generate it unless WORK holds it; (b) publish
# the worker and the DuckDB harness in Release; (c) run `profile FILE --field … --pair … --base e --format json`, the
# DuckDB harness (one statement: read_csv(all_varchar) grouped by GROUPING SETS of every field and pair, H = ln N −
# Σ n ln n / N), and BASE_EXE's profile when given, in turn, RUNS times, so that all of them see the same machine load;
# (d) check that DuckDB's counts, distinct counts and entropies equal profile's (1e-9 relative) and, with BASE_EXE, that
# the two profiles' JSON documents agree to 1e-12; (e) print best and median wall and CPU seconds (user + system, all
# threads) per tool and the ratios. Exit status: 0 when every value agrees, 1 otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
ROWS="${ROWS:-4000000}"
RUNS="${RUNS:-5}"
WORK="${WORK:-${TMPDIR:-/tmp}/stream-entropy-profile-vs-pandas}"
PYTHON=/usr/bin/python3
CSV="$WORK/events-$ROWS.csv"
FIELDS=user,country,device,event
PAIRS=(country,device user,event)

mkdir -p "$WORK"
[[ -x /usr/bin/time ]] || { echo "error: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
if [[ ! -s "$CSV" ]]; then
  "$PYTHON" -c "import numpy" 2>/dev/null || { echo "error: $PYTHON cannot import numpy (apt-get install python3-numpy)" >&2; exit 2; }
  echo "== generating $CSV ($ROWS rows)"
  "$PYTHON" "$HERE/../profile-vs-pandas/profile_pandas.py" generate "$CSV.tmp" "$ROWS"
  mv "$CSV.tmp" "$CSV"
fi
echo "== input: $CSV, $(du -h "$CSV" | cut -f1)"

echo "== dotnet publish src/StreamEntropy.Worker and the DuckDB harness -c Release"
# A plain publish is portable and JIT-compiled (as the Dockerfile's); READY_TO_RUN=1 publishes for this runtime, which
# the Worker project precompiles (as end-to-end/run.sh does): less JIT and no tier-0 code in a run of a few seconds.
publish_args=(-c Release -o "$WORK/publish")
if [[ -n "${READY_TO_RUN:-}" ]]; then publish_args+=(--use-current-runtime --self-contained false); fi
dotnet publish "$ROOT/src/StreamEntropy.Worker" "${publish_args[@]}" >"$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log" >&2; exit 2; }
dotnet publish "$HERE/DuckDbHarness.csproj" -c Release -o "$WORK/duckdb" >"$WORK/duckdb-publish.log" 2>&1 || { cat "$WORK/duckdb-publish.log" >&2; exit 2; }
EXE="$WORK/publish/stream-entropy"

profile_args=(profile "$CSV")
for f in ${FIELDS//,/ }; do profile_args+=(--field "$f"); done
for p in "${PAIRS[@]}"; do profile_args+=(--pair "$p"); done
profile_args+=(--base e --format json)

# run NAME OUT CMD...: one timed run; appends "wall cpu" to $WORK/NAME.times.
run() {
  local name="$1" out="$2"
  shift 2
  /usr/bin/time -f '%e %U %S' -o "$WORK/time.txt" "$@" >"$out"
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$WORK/time.txt" >>"$WORK/$name.times"
}

rm -f "$WORK"/*.times
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== ${RUNS} rounds, each: stream-entropy ${profile_args[*]}; DuckDB harness${BASE_EXE:+; BASE_EXE profile}"
for ((i = 0; i < RUNS; i++)); do
  run profile "$WORK/profile.json" "$EXE" "${profile_args[@]}"
  run duckdb "$WORK/duckdb.log" "$WORK/duckdb/DuckDbHarness" "$CSV" "$WORK/duckdb.json" "$FIELDS" "${PAIRS[@]}"
  if [[ -n "${BASE_EXE:-}" ]]; then run base "$WORK/base.json" "$BASE_EXE" "${profile_args[@]}"; fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "== comparing"
status=0
"$PYTHON" - "$WORK/profile.json" "$WORK/duckdb.json" "${BASE_EXE:+$WORK/base.json}" <<'PY' || status=1
import json, sys
ours = json.load(open(sys.argv[1]))
duck = json.load(open(sys.argv[2]))
fails, checked = [], 0
def close(label, a, b, tol):
    global checked
    checked += 1
    if isinstance(b, int) and a != b or abs(a - b) > tol * max(abs(a), abs(b), 1e-300):
        fails.append(f"{label}: {a!r} vs {b!r}")
fields = {f["name"]: f for f in ours["fields"]}
for d in duck["fields"]:
    o = fields[d["name"]]
    for k in ("count", "distinct", "entropy"):
        close(f"field {d['name']}.{k}", o[k], d[k], 1e-9)
pairs = {(p["x"], p["y"]): p for p in ours["pairs"]}
for d in duck["pairs"]:
    o = pairs[(d["x"], d["y"])]
    for k in ("count", "distinctPairs", "joint"):
        close(f"pair {d['x']},{d['y']}.{k}", o[k], d[k], 1e-9)
print(f"   profile vs DuckDB: {checked} values compared, {len(fails)} differ by more than 1e-9 relative")
if len(sys.argv) > 3 and sys.argv[3]:
    base = json.load(open(sys.argv[3]))
    n, worst = 0, 0.0
    def walk(a, b, path):
        global n, worst
        if isinstance(a, dict):
            assert a.keys() == b.keys(), path
            for k in a: walk(a[k], b[k], path + "." + k)
        elif isinstance(a, list):
            assert len(a) == len(b), path
            for i, (x, y) in enumerate(zip(a, b)): walk(x, y, f"{path}[{i}]")
        elif isinstance(a, float) or isinstance(b, float):
            n += 1
            d = abs(a - b) / max(abs(a), abs(b), 1e-300) if a != b else 0.0
            worst = max(worst, d)
            if d > 1e-12: fails.append(f"base{path}: {a!r} vs {b!r}")
        elif a != b:
            fails.append(f"base{path}: {a!r} vs {b!r}")
    walk(ours, base, "")
    print(f"   profile vs BASE_EXE profile: {n} numbers, largest relative difference {worst:.1e} (limit 1e-12)")
for f in fails: print("   MISMATCH " + f)
sys.exit(1 if fails else 0)
PY

# stats FILE COLUMN: best and median.
stats() { awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f %.3f", v[1], v[int((NR + 1) / 2)] }'; }
echo "== results ($ROWS rows, $RUNS interleaved rounds; load average before: $load_before, after: $load_after)"
printf '   %-26s %22s %22s\n' "" "wall best / median" "CPU best / median"
for name in profile duckdb base; do
  [[ -s "$WORK/$name.times" ]] || continue
  read -r wb wm <<<"$(stats "$WORK/$name.times" 1)"
  read -r cb cm <<<"$(stats "$WORK/$name.times" 2)"
  printf '   %-26s %9s / %8s s %9s / %8s s\n' "$name" "$wb" "$wm" "$cb" "$cm"
done
read -r pw pwm <<<"$(stats "$WORK/profile.times" 1)"
read -r dw dwm <<<"$(stats "$WORK/duckdb.times" 1)"
read -r pc pcm <<<"$(stats "$WORK/profile.times" 2)"
read -r dc dcm <<<"$(stats "$WORK/duckdb.times" 2)"
awk -v pw="$pw" -v dw="$dw" -v pwm="$pwm" -v dwm="$dwm" -v pc="$pc" -v dc="$dc" \
  'BEGIN { printf "   profile / DuckDB: %.2fx wall (best), %.2fx wall (median), %.2fx CPU (best)\n", pw / dw, pwm / dwm, pc / dc }'
echo "exit $status"
exit "$status"
