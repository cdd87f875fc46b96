# Shared by run.sh and scale-out.sh (sourced): publishes the worker to $work/app, starts the embedded broker
# (sets $bootstrap) and writes $1 demo-like events of ~100 bytes to $work/events.jsonl. Needs $repo and $work.
# USERS=N adds a "user.id" of up to N distinct values (skewed to low ids; 200 000 gives ~138 k in 300 k events) to
# every event, for a field whose table outgrows the cache (the other values stay as they are: same seed).
# The publish is for this machine's runtime, so precompiled (ReadyToRun, see the Worker's project file). APP=/path/to/a
# published directory uses that build instead of publishing this checkout.
if [ -n "${APP:-}" ]; then cp -r "$APP" "$work/app"; else dotnet publish "$repo/src/StreamEntropy.Worker" -c Release --use-current-runtime --self-contained false -o "$work/app" >/dev/null; fi
"$work/app/stream-entropy" broker > "$work/broker.out" 2>/dev/null &
broker_pid=$!
for _ in $(seq 100); do grep -q BOOTSTRAP= "$work/broker.out" 2>/dev/null && break; sleep 0.1; done
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
echo "broker: $bootstrap"

python3 - "$1" "${USERS:-0}" > "$work/events.jsonl" <<'PY'
import random, sys
random.seed(7)
users = int(sys.argv[2])
ids = random.Random(8)
countries = ["US","GB","DE","FR","IN","BR","JP","CA","ES","IT","NL","SE"]
devices = ["ios","android","web","tv"]
for i in range(int(sys.argv[1])):
    c = countries[min(int(random.paretovariate(1.2)) - 1, 11)]
    user = ',"id":"u%07d"' % int(users * ids.random() ** 2) if users else ''
    print('{"user":{"country":"%s","device":"%s"%s},"page":"/p/%d","status":%d,"amount":%.2f}'
          % (c, random.choice(devices), user, random.randint(0, 29), 200 if random.random() < .95 else 404, random.random() * 300))
PY

# Produces $work/events.jsonl to topic $1, a quarter to each of its 4 partitions (the mock creates topics with 4): with
# kcat's default (sticky) partitioner one partition could get a third of the events, and the mock broker keeps only
# ~5 MiB per partition, silently dropping older records, so topics came out short (e.g. 552 k of 600 k events).
split -n l/4 -d "$work/events.jsonl" "$work/events.part"
produce_topic() {
  for p in 0 1 2 3; do kcat -P -b "$bootstrap" -t "$1" -p "$p" -l "$work/events.part0$p"; done
}
