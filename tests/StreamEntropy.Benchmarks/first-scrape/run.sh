#!/usr/bin/env bash
# The worker's first and second Prometheus scrape: wall time of the request and CPU seconds the worker spent on it
# (its process CPU from /proc just before the request and 0.3 s after, minus what it spends idle in 0.3 s). The worker
# counts one pre-filled topic (EVENTS, default 75 000) on the embedded broker; the scrapes come once its first output
# records are on the output topic, so they see real data. ROUNDS repeats; OTHER_APPS="dir ..." adds published builds
# (a directory holding a `stream-entropy` executable or launcher that execs one), run in the same rounds.
# Usage: tests/StreamEntropy.Benchmarks/first-scrape/run.sh   (needs kcat, curl, python3, the .NET SDK)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
events=${EVENTS:-75000}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. "$here/../end-to-end/common.sh" "$events"
produce_topic scrape
ticks=$(getconf CLK_TCK)
cpu_of() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }

scrape() { # $1: worker pid, $2: port; prints "wall-ms cpu-s"
  local a b s e
  a=$(cpu_of "$1"); s=$(date +%s%N)
  curl -sf "http://127.0.0.1:$2/metrics" > /dev/null
  e=$(date +%s%N); sleep 0.3; b=$(cpu_of "$1")
  echo "$(( (e - s) / 1000000 )) $(echo "$b - $a" | bc -l)"
}

run() { # $1: label, $2: published build, $3: run name
  local label=$1 app=$2 run=$3 port=18091 pid idle0 idle first second
  cat > "$work/$run.json" <<JSON
{"StreamEntropy": {
  "Kafka": {"BootstrapServers": "$bootstrap", "GroupId": "$run", "Topics": ["scrape"], "OutputTopic": "$run-out", "DeadLetterTopic": "$run-dead"},
  "Fields": [{"Name": "country", "Path": "user.country"}, {"Name": "device", "Path": "user.device"}, {"Name": "page"}, {"Name": "status"}],
  "Pairs": [{"X": "country", "Y": "device"}, {"X": "page", "Y": "status"}],
  "Windows": [{"Name": "all", "Kind": "Cumulative"}],
  "PublishInterval": "00:00:00.100",
  "Checkpoint": {"Directory": "$work/$run-state", "Interval": "00:00:30"}}}
JSON
  "$app/stream-entropy" run --config "$work/$run.json" --urls "http://127.0.0.1:$port" > "$work/$run.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do # until the first publication is on the output topic
    [ -n "$(kcat -C -b "$bootstrap" -t "$run-out" -o beginning -c 1 -e -q 2>/dev/null)" ] && break
    sleep 0.1
  done
  sleep 1 # the warm-ups and the count are over; what follows is the idle worker
  idle0=$(cpu_of "$pid"); sleep 0.3; idle=$(echo "$(cpu_of "$pid") - $idle0" | bc -l)
  first=$(scrape "$pid" "$port"); second=$(scrape "$pid" "$port")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  read -r w1 c1 <<< "$first"; read -r w2 c2 <<< "$second"
  printf '%-30s first scrape %4d ms, %.3f s CPU   second %4d ms, %.3f s CPU   (idle: %.3f s CPU per 0.3 s)\n' \
    "$label" "$w1" "$(echo "$c1 - $idle" | bc -l)" "$w2" "$(echo "$c2 - $idle" | bc -l)" "$idle"
}

for round in $(seq 1 "$rounds"); do
  run "worker (this build)" "$work/app" "s$round-0"
  j=0
  for other in ${OTHER_APPS:-}; do
    j=$((j + 1))
    run "worker $(basename "$other")" "$other" "s$round-app$j"
  done
done
