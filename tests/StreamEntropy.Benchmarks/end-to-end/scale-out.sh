#!/usr/bin/env bash
# Scale-out throughput: 1, 2 and 3 worker instances in one consumer group (Scaling:Mode Group) consuming the same
# pre-filled topics (TOPICS, default 4, of 4 partitions each: the mock broker keeps only ~5 MiB per partition) on the
# embedded broker. Each run uses a fresh group, state and partials topic.
# The rate is taken between the first counted event and the last (summed over the instances' /metrics), so process
# start-up is excluded but the group's rebalances are not. Usage: tests/StreamEntropy.Benchmarks/end-to-end/scale-out.sh
# (needs kcat, curl, python3). On a 2-core machine the instances, the broker and the probes share two cores.
# session.timeout.ms is 6 s as in the tests: the mock broker's group coordinator otherwise holds a rebalance for up to
# the default 45 s session timeout while a second member joins.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
events=${EVENTS:-140000} # per topic
topics=${TOPICS:-4}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT

. "$here/common.sh" "$events"
got=0; names=""
for t in $(seq 1 "$topics"); do
  produce_topic "scale-in$t"
  got=$((got + $(kcat -C -b "$bootstrap" -t "scale-in$t" -o beginning -e -q | wc -l)))
  names="$names\"scale-in$t\","
done
echo "topics: $topics × 4 partitions, $got events kept by the broker"

consumed() { # sum of streamentropy_events_consumed_total over the instances
  local total=0 n
  for port in "$@"; do
    n=$( (curl -s "http://127.0.0.1:$port/metrics" || true) | sed -n 's/^streamentropy_events_consumed_total{[^}]*} \([0-9.e+]*\).*/\1/p' | head -1)
    total=$((total + $(printf '%.0f' "${n:-0}")))
  done
  echo "$total"
}

for instances in ${INSTANCES:-1 2 3}; do
  run="r$instances"
  # Create the run's state and partials topics (4 partitions each) with one throw-away record that no key matches.
  echo "x" | kcat -P -b "$bootstrap" -t "$run-state" -k none
  echo "x" | kcat -P -b "$bootstrap" -t "$run-partials" -k none
  cat > "$work/$run.json" <<JSON
{"StreamEntropy": {
  "Kafka": {"BootstrapServers": "$bootstrap", "GroupId": "$run", "Topics": [${names%,}], "OutputTopic": "$run-out", "DeadLetterTopic": "$run-dead", "AlertTopic": "",
            "Client": {"session.timeout.ms": "6000"}},
  "Fields": [{"Name": "country", "Path": "user.country"}, {"Name": "device", "Path": "user.device"}, {"Name": "page"}, {"Name": "status"}],
  "Pairs": [{"X": "country", "Y": "device"}, {"X": "page", "Y": "status"}],
  "Windows": [{"Name": "all", "Kind": "Cumulative"}],
  "PublishInterval": "00:00:00.500",
  "Checkpoint": {"Directory": "$work/$run-state", "Interval": "00:00:02"},
  "Drift": {"Enabled": false},
  "Scaling": {"Mode": "Group", "StateTopic": "$run-state", "PartialsTopic": "$run-partials"}}}
JSON
  ports=(); pids=()
  for i in $(seq 1 "$instances"); do
    port=$((18100 + 10 * instances + i))
    ports+=("$port")
    "$work/app/stream-entropy" run --config "$work/$run.json" --urls "http://127.0.0.1:$port" > "$work/$run-$i.log" 2>&1 &
    pids+=($!)
  done
  first=""; t0=""; deadline=$(( $(date +%s) + 300 ))
  while true; do
    n=$(consumed "${ports[@]}")
    now=$(date +%s.%N)
    if [ -z "$first" ] && [ "$n" -gt 0 ]; then first=$n; t0=$now; fi
    if [ "$n" -ge "$got" ] || [ "$(date +%s)" -gt "$deadline" ]; then break; fi
    sleep 0.5
  done
  # Too few events to see two probes apart gives no rate (use the default EVENTS).
  rate=$(if [ -n "$first" ] && [ "$n" -gt "$first" ]; then echo "($n - $first) / ($now - $t0)" | bc -l; else echo 0; fi)
  # The merged global record shows every event once the partials have gone round the partials topic.
  merged=0
  for _ in $(seq 120); do
    merged=$(kcat -C -b "$bootstrap" -t "$run-out" -o beginning -e -q -K '|' 2>/dev/null | grep '^all/country|' | tail -1 | sed -n 's/.*"windowEvents":\([0-9]*\).*/\1/p' || true)
    [ "${merged:-0}" -ge "$got" ] && break
    sleep 0.5
  done
  printf 'instances=%d  events/s=%.0f  counted=%d  merged windowEvents=%s\n' "$instances" "$rate" "$n" "${merged:-0}"
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
done
