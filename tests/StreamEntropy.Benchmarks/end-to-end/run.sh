#!/usr/bin/env bash
# End-to-end throughput: one worker consuming a pre-filled topic on the embedded broker, side by side with kcat
# reading the same topic to /dev/null. The mock broker keeps only ~5 MiB per partition, so the topic holds
# about 4 partitions × ~30k events of ~100 bytes; the worker is timed on what kcat could read back.
# Usage: tests/StreamEntropy.Benchmarks/end-to-end/run.sh   (needs kcat, curl, python3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
events=${EVENTS:-140000} # per topic
topics=${TOPICS:-4}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

. "$here/common.sh" "$events"
names=""
for t in $(seq 1 "$topics"); do
  kcat -P -b "$bootstrap" -t "bench$t" -l "$work/events.jsonl"
  names="$names\"bench$t\","
done
echo "produced $topics × $events events ($(du -h "$work/events.jsonl" | cut -f1) each)"

got=0
start=$(date +%s.%N)
for t in $(seq 1 "$topics"); do
  got=$((got + $(kcat -C -b "$bootstrap" -t "bench$t" -o beginning -e -q | wc -l)))
done
kcat_s=$(echo "$(date +%s.%N) - $start" | bc -l)
echo "kcat: $got events in ${kcat_s}s"

cat > "$work/config.json" <<JSON
{"StreamEntropy": {
  "Kafka": {"BootstrapServers": "$bootstrap", "GroupId": "bench", "Topics": [${names%,}], "OutputTopic": "bench-out", "DeadLetterTopic": "bench-dead"},
  "Fields": [{"Name": "country", "Path": "user.country"}, {"Name": "device", "Path": "user.device"}, {"Name": "page"}, {"Name": "status"}],
  "Pairs": [{"X": "country", "Y": "device"}, {"X": "page", "Y": "status"}],
  "Windows": [{"Name": "all", "Kind": "Cumulative"}],
  "PublishInterval": "00:00:00.100",
  "Checkpoint": {"Directory": "$work/state", "Interval": "00:00:02"}}}
JSON
"$work/app/stream-entropy" run --config "$work/config.json" --urls http://127.0.0.1:18089 > "$work/worker.log" 2>&1 &
# Rate between the first counted event and the last: excludes process start-up and the group join.
first=""; t0=""
while true; do
  n=$( (curl -s http://127.0.0.1:18089/metrics || true) | sed -n 's/^streamentropy_events_consumed_total{[^}]*} \([0-9.e+]*\).*/\1/p' | head -1)
  n=${n:-0}; n=$(printf '%.0f' "$n")
  now=$(date +%s.%N)
  if [ -z "$first" ] && [ "$n" -gt 0 ]; then first=$n; t0=$now; fi
  if [ "$n" -ge "$got" ]; then break; fi  # what the broker kept (it drops the oldest beyond ~5 MiB per partition)
  sleep 0.5 # few probes: each spawns processes that compete with the worker for the 2 cores
done
worker_s=$(echo "$now - $t0" | bc -l)
worker_rate=$(echo "($n - $first) / $worker_s" | bc -l)
kcat_rate=$(echo "$got / $kcat_s" | bc -l)
printf 'worker: %d events, %.0f events/s (after the first publication)\nkcat:   %.0f events/s\nratio:  %.2f\n' "$n" "$worker_rate" "$kcat_rate" "$(echo "$worker_rate / $kcat_rate" | bc -l)"
