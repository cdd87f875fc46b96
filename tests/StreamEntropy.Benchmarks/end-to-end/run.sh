#!/usr/bin/env bash
# End-to-end throughput: the published worker against kcat, both reading the same pre-filled topics on the embedded
# broker (TOPICS × EVENTS, default 4 × 75 000 = 300 k events of ~90 bytes, 4 partitions each). kcat runs as ONE process
# reading every topic (`kcat -G`, the only kcat mode that reads several topics), to /dev/null but for a line count:
# once with librdkafka's defaults and once with the worker's consumer defaults (queued.min.messages 10⁶, which spares
# kcat the same 1 s fetch pauses), and the worker's ratios are given against both.
# For each reader it prints:
#   steady   events/s between the first and the last observation before the end (kcat: chunks of its output as they
#            arrive; worker: its publications on the output topic, every 100 ms, the shortest allowed), so start-up and the group join are out;
#   exact    seconds from the process start to the exact count (kcat: its exit; worker: the first output record that
#            shows every event), start-up and the group join included;
#   first    seconds from the process start to the first event read (kcat) or the first publication showing one (worker);
#   CPU      CPU seconds (user + system) of the reader's process from its start to its end (kcat: its exit; worker: 0.2 s
#            after the exact count), start-up included, and of the broker's process over the same time: what each
#            reader costs the machine, in a form that varies less between rounds than the rates;
#   peak RSS the worker's peak resident memory (VmHWM) at the end of its run.
# After the rounds, a summary gives each reader's medians over the rounds (the ratios are taken round by round, against
# the kcat runs of the same round), then the same over the rounds in which kcat tuned read at least half its best rate
# of the run: on the embedded broker kcat now and then reads at a fraction of its usual rate, which flatters the worker.
# Each argument adds a worker run with those Kafka:Client settings (a JSON object), after the default run, so that
# settings are compared in one run on the same topics: run.sh '{"queued.min.messages":"100000"}'. ROUNDS repeats
# kcat and every worker run (interleaved). OTHER_APPS="dir ..." adds a run of each of those published builds (default
# settings), to compare builds or runtime settings (their *.runtimeconfig.json) in one run.
# Usage: tests/StreamEntropy.Benchmarks/end-to-end/run.sh [client-json ...]
# (needs kcat, curl, python3, the .NET SDK).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
events=${EVENTS:-75000} # per topic
topics=${TOPICS:-4}
rounds=${ROUNDS:-1}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT

. "$here/common.sh" "$events"
# With USERS (see common.sh), the user id is a fifth field, paired with page.
user_field=""; user_pair=""
if [ "${USERS:-0}" -gt 0 ]; then user_field=', {"Name": "user", "Path": "user.id"}'; user_pair=', {"X": "user", "Y": "page"}'; fi
names=""; kcat_topics=()
for t in $(seq 1 "$topics"); do
  produce_topic "bench$t"
  names="$names\"bench$t\","
  kcat_topics+=("bench$t")
done
echo "produced $topics × $events events ($(du -h "$work/events.jsonl" | cut -f1) each)"

# Reads kcat's output as it arrives: prints the line count, then "steady first" (see above) relative to $1 (start).
cat > "$work/stamp.py" <<'PY'
import os, sys, time
start = float(sys.argv[1]); n = 0; obs = []
while True:
    chunk = os.read(0, 1 << 16)
    if not chunk:
        break
    n += chunk.count(b"\n"); obs.append((time.time(), n))
(t1, n1), (tk, nk) = obs[0], obs[-2] if len(obs) > 2 else obs[-1]
print(n, (nk - n1) / (tk - t1) if tk > t1 else 0, obs[0][0] - start)
PY
# Reads the worker's output records ("key timestamp-ms json" lines of one window and field): prints "steady exact first".
# steady is 0 when fewer than two publications came before the one showing every event (a worker that counts the topic
# in about one publication interval): then only the hand-off span measures its rate.
cat > "$work/rates.py" <<'PY'
import json, sys
start, total = float(sys.argv[1]), int(sys.argv[2])
obs = [(int(t) / 1000, json.loads(v)["windowEvents"]) for _, t, v in (l.split(" ", 2) for l in sys.stdin if l.strip())]
counted = [o for o in obs if o[1] > 0]
done = next(o for o in counted if o[1] >= total)
before = [o for o in counted if o[1] < total]
(t1, n1), (tk, nk) = counted[0], before[-1] if before else counted[0]
print((nk - n1) / (tk - t1) if tk > t1 else 0, done[0] - start, counted[0][0] - start)
PY

# CPU seconds (user + system) of process $1 so far, from /proc.
ticks=$(getconf CLK_TCK)
cpu_of() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
# CPU seconds of the worker's event path by thread, from /proc: the consume thread, the counting thread, librdkafka's.
cat > "$work/threads.py" <<'PY'
import glob, os, sys
ticks = os.sysconf("SC_CLK_TCK"); cpu = {"consume": 0, "counting": 0, "librdkafka": 0}
for task in glob.glob("/proc/%s/task/*" % sys.argv[1]):
    name = open(task + "/comm").read().strip()
    fields = open(task + "/stat").read().rsplit(")", 1)[1].split()
    t = (int(fields[11]) + int(fields[12])) / ticks
    key = "consume" if name == "stream-entropy-" else "counting" if name == "stream-entropy" else "librdkafka" if name.startswith("rdk:") else None
    if key: cpu[key] += t
print("%.2f %.2f %.2f" % (cpu["consume"], cpu["counting"], cpu["librdkafka"]))
PY

results=()
rows="$work/rows.tsv" # label, round, steady, exact, first, reader CPU, broker CPU, kcat steady, kcat tuned steady, kcat tuned exact
: > "$rows"
run_kcat() { # $1: group, $2: label, then kcat options; sets got, steady and exact
  local group=$1 label=$2 start out end first broker0 cpu bcpu
  shift 2
  broker0=$(cpu_of "$broker_pid")
  start=$(date +%s.%N)
  out=$(/usr/bin/time -f '%U %S' -o "$work/kcat.time" kcat -b "$bootstrap" -G "$group" "$@" -o beginning -e -q "${kcat_topics[@]}" | python3 "$work/stamp.py" "$start")
  end=$(date +%s.%N)
  bcpu=$(echo "$(cpu_of "$broker_pid") - $broker0" | bc -l)
  cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$work/kcat.time")
  read -r got steady first <<< "$out"
  exact=$(echo "$end - $start" | bc -l)
  results+=("$(printf '%-45s %8d %12.0f %9.2f %9.2f %6.2f %6.2f' "$label" "$got" "$steady" "$exact" "$first" "$cpu" "$bcpu")")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$round" "$steady" "$exact" "$first" "$cpu" "$bcpu" >> "$rows"
}

run_worker() { # $1: run name, $2: Kafka:Client JSON object, $3: published build (default: this checkout's), $4: label
  local run=$1 client=$2 app=${3:-$work/app} label=${4:-worker $2} port=18089 n start pid deadline steady exact first broker0 cpu bcpu peak
  cat > "$work/$run.json" <<JSON
{"StreamEntropy": {
  "Kafka": {"BootstrapServers": "$bootstrap", "GroupId": "$run", "Topics": [${names%,}], "OutputTopic": "$run-out", "DeadLetterTopic": "$run-dead", "Client": $client},
  "Fields": [{"Name": "country", "Path": "user.country"}, {"Name": "device", "Path": "user.device"}, {"Name": "page"}, {"Name": "status"}$user_field],
  "Pairs": [{"X": "country", "Y": "device"}, {"X": "page", "Y": "status"}$user_pair],
  "Windows": [{"Name": "all", "Kind": "Cumulative"}],
  "PublishInterval": "00:00:00.100",
  "Checkpoint": {"Directory": "$work/$run-state", "Interval": "00:00:02"}}}
JSON
  broker0=$(cpu_of "$broker_pid")
  start=$(date +%s.%N)
  "$app/stream-entropy" run --config "$work/$run.json" --urls "http://127.0.0.1:$port" > "$work/$run.log" 2>&1 &
  pid=$!
  deadline=$(( $(date +%s) + 300 ))
  while true; do # few probes: each spawns processes that compete with the worker for the cores
    sleep 0.5
    n=$( (curl -s "http://127.0.0.1:$port/metrics" || true) | sed -n 's/^streamentropy_events_consumed_total{[^}]*} \([0-9.e+]*\).*/\1/p' | head -1)
    n=$(printf '%.0f' "${n:-0}")
    if [ "$n" -ge "$got" ] || [ "$(date +%s)" -gt "$deadline" ]; then break; fi
  done
  sleep 0.2 # the publication that shows the last event
  cpu=$(cpu_of "$pid") # an OTHER_APPS launcher script must exec the worker, as a published apphost is
  read -r consume_cpu counting_cpu rdk_cpu <<< "$(python3 "$work/threads.py" "$pid")"
  peak=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status") # peak resident memory, MiB
  bcpu=$(echo "$(cpu_of "$broker_pid") - $broker0" | bc -l)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ "$n" -ge "$got" ] || { echo "$run: counted $n of $got events in 300 s (log: $work/$run.log)" >&2; exit 1; }
  # The worker's own span from its first hand-off to its last counted batch (the Hand-off stop line), in records/s: a
  # finer first-to-last measure than the publications, which come only every 100 ms.
  handoff=$(sed -n 's/.*Hand-off: \([0-9]*\) records in [0-9]* batches over \([0-9]*\) ms.*/\1 \2/p' "$work/$run.log" | awk '$2 > 0 { printf "%.0f", $1 * 1000 / $2 }')
  read -r steady exact first <<< "$(kcat -C -b "$bootstrap" -t "$run-out" -o beginning -e -q -f '%k %T %s\n' | grep '^all/country ' | python3 "$work/rates.py" "$start" "$got")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$round" "$steady" "$exact" "$first" "$cpu" "$bcpu" "$kcat_steady" "$tuned_steady" "$tuned_exact" "${handoff:-0}" >> "$rows"
  local rate="rate n/a (under two publications before the end)"
  if [ "$(echo "$steady > 0" | bc -l)" = 1 ]; then
    rate=$(printf 'rate %.2f× / %.2f×' "$(echo "$steady / $kcat_steady" | bc -l)" "$(echo "$steady / $tuned_steady" | bc -l)")
  fi
  results+=("$(printf '%-45s %8d %12.0f %9.2f %9.2f %6.2f %6.2f   %s, time %.2f× / %.2f× kcat default / tuned; hand-off span %s ev/s = %.2f× tuned; CPU s: consume %s, counting %s, librdkafka %s; peak RSS %s MiB' "$label" "$n" "$steady" "$exact" "$first" "$cpu" "$bcpu" \
    "$rate" "$(echo "$exact / $kcat_exact" | bc -l)" "$(echo "$exact / $tuned_exact" | bc -l)" "${handoff:-0}" "$(echo "${handoff:-0} / $tuned_steady" | bc -l)" "$consume_cpu" "$counting_cpu" "$rdk_cpu" "$peak")")
}

for round in $(seq 1 "$rounds"); do
  run_kcat "kcat-$round" "kcat -G (one process)"
  kcat_steady=$steady; kcat_exact=$exact
  run_kcat "kcat-tuned-$round" "kcat -G -X queued.min.messages=1000000" -X queued.min.messages=1000000
  tuned_steady=$steady; tuned_exact=$exact
  run_worker "w$round-0" "{}"
  j=0
  for other in ${OTHER_APPS:-}; do
    j=$((j + 1))
    run_worker "w$round-app$j" "{}" "$other" "worker $(basename "$other")"
  done
  i=0
  for client in "$@"; do
    i=$((i + 1))
    run_worker "w$round-$i" "$client"
  done
done
printf '%-45s %8s %12s %9s %9s %6s %6s\n' "reader" "events" "steady ev/s" "exact s" "first s" "CPU s" "broker"
printf '%s\n' "${results[@]}"
echo
python3 - "$rows" <<'PY'
import statistics as st, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
order = list(dict.fromkeys(r[0] for r in rows))
tuned = {r[1]: float(r[2]) for r in rows if r[0].startswith("kcat -G -X")}
best = max(tuned.values(), default=0)
fast = {k for k, v in tuned.items() if v >= best / 2}

def table(rounds, title):
    print(title)
    print("%-45s %12s %9s %6s %6s %14s %14s %14s" % ("reader", "steady ev/s", "exact s", "CPU s", "broker", "rate / tuned", "time / tuned", "hand-off / tuned"))
    for label in order:
        rs = [r for r in rows if r[0] == label and r[1] in rounds]
        med = lambda i: st.median(float(r[i]) for r in rs)
        tail = ""
        if len(rs[0]) > 7:
            rated = [float(r[2]) / float(r[8]) for r in rs if float(r[8]) > 0 and float(r[2]) > 0] # steady 0: n/a
            rate = st.median(rated) if rated else float("nan")
            time = st.median(float(r[3]) / float(r[9]) for r in rs)
            span = st.median(float(r[10]) / float(r[8]) for r in rs if float(r[8]) > 0)
            tail = "%13.2f× %13.2f× %13.2f×" % (rate, time, span)
            if len(rated) < len(rs):
                tail += "  (rate / tuned over %d of %d rounds: the others had under two publications before the end)" % (len(rated), len(rs))
        steady = [float(r[2]) for r in rs if float(r[2]) > 0]
        print("%-45s %12.0f %9.2f %6.2f %6.2f %s" % (label, st.median(steady) if steady else 0, med(3), med(5), med(6), tail))

table(set(tuned), "medians over %d round(s); ratios taken within each round:" % len(tuned))
if len(fast) < len(tuned):
    # kcat on the embedded broker sometimes reads at a fraction of its usual rate; those rounds flatter the worker.
    print()
    table(fast, "the same over the %d round(s) in which kcat tuned read at least half its best rate (%.0f ev/s):" % (len(fast), best))
PY
