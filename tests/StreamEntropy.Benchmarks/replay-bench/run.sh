#!/usr/bin/env bash
# The replay bench of issue 16: `stream-entropy replay` on a stationary synthetic stream, then on the same stream with
# a 10% -> 30% shift injected into 5 fields, under the default rules and under a lenient gate-only rule, each with and
# without false-discovery control.
#
#   tests/StreamEntropy.Benchmarks/replay-bench/run.sh                       # 200 fields x 200 scored windows
#   FIELDS=20 WINDOWS=40 APP=out WORK=/tmp/rb tests/StreamEntropy.Benchmarks/replay-bench/run.sh
#
# Steps: (a) generate.py writes WORK/stream.csv ((WINDOWS + 1) x 1000 rows, FIELDS fields of ten equally likely
# values) and the six configurations (defaults.json, defaults-nofdr.json, gate-fdr.json, gate-nofdr.json,
# auto-gated.json, auto.json; see generate.py; CONFIGS="auto-gated auto" runs only those); (b) unless APP names a
# directory holding a published `stream-entropy`, `dotnet publish` the worker in
# Release; (c) replay the stream with each configuration, without and with `--inject fK=v0:10%->30%@ROW` for f0..f4,
# ROW the first row of scored window WINDOWS/2 + 1 (at 1000 rows/s and 1 s windows, window w holds rows
# [1000 w, 1000 (w + 1))); (d) print one line per run from the JSON documents (kept in WORK as CONFIG.RUN.json).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
FIELDS="${FIELDS:-200}"
WINDOWS="${WINDOWS:-200}"
WORK="${WORK:-${TMPDIR:-/tmp}/stream-entropy-replay-bench}"
APP="${APP:-}"

mkdir -p "$WORK"
python3 "$HERE/generate.py" "$WORK" --fields "$FIELDS" --windows "$WINDOWS"
if [[ -z "$APP" ]]; then
  APP="$WORK/app"
  dotnet publish "$ROOT/src/StreamEntropy.Worker" -c Release -o "$APP" > "$WORK/publish.log"
fi

ROW=$(( (WINDOWS / 2 + 1) * 1000 ))
INJECT=()
for f in f0 f1 f2 f3 f4; do
  INJECT+=(--inject "$f=v0:10%->30%@$ROW")
done

for config in ${CONFIGS:-defaults defaults-nofdr gate-fdr gate-nofdr auto-gated auto}; do
  for run in stationary shift; do
    args=()
    [[ "$run" == shift ]] && args=("${INJECT[@]}")
    start=$(date +%s.%N)
    "$APP/stream-entropy" replay "$WORK/stream.csv" --config "$WORK/$config.json" --format json "${args[@]}" > "$WORK/$config.$run.json"
    end=$(date +%s.%N)
    python3 - "$WORK/$config.$run.json" "$config" "$run" "$start" "$end" <<'PY'
import collections, json, sys
path, config, run, start, end = sys.argv[1:]
d = json.load(open(path))
raised = collections.Counter(a.get("field") or "{x},{y}".format(**a["pair"]) for a in d["alerts"] if a["state"] == "raised")
for r in d["rules"]:
    print(f"{config:10} {run:10} windows {d['windows']:4}  {r['rule']:9} raised {r['raised']:4}  false before injection "
          f"{r['falseBeforeInjection']:4}  false on other subjects {r['falseOtherSubjects']:4}  detection delay "
          f"{r['detectionDelayWindows']}  ({float(end) - float(start):.0f} s)")
print(f"{'':21} raised on: {', '.join(f'{s} x{n}' for s, n in sorted(raised.items())[:12]) or 'nothing'}"
      + (" ..." if len(raised) > 12 else ""))
PY
  done
done
