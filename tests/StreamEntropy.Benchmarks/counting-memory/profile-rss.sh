#!/usr/bin/env bash
# Max RSS of `stream-entropy profile --field a` on 10⁶ distinct 8-byte values ("u0000000" …) against 10⁶ copies of one
# value, read from the file (≥ 8 MiB: split over the cores) and from a pipe (one pass), for two builds in turn.
#
#   EXE=src/StreamEntropy.Worker/bin/Release/net10.0/stream-entropy BASE_EXE=/path/to/older/stream-entropy \
#     tests/StreamEntropy.Benchmarks/counting-memory/profile-rss.sh
#
# Bytes per distinct value = (max RSS with distinct values − max RSS with one value) / 10⁶. Exit status 1 when the two
# builds' JSON differs.
set -euo pipefail

EXE="${EXE:?the stream-entropy executable to measure}"
BASE_EXE="${BASE_EXE:?the stream-entropy executable to compare with}"
ROUNDS="${ROUNDS:-3}"
WORK="${WORK:-${TMPDIR:-/tmp}/stream-entropy-profile-rss}"
mkdir -p "$WORK"
[[ -x /usr/bin/time ]] || { echo "error: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
[[ -s "$WORK/distinct.csv" ]] || awk 'BEGIN { print "a"; for (i = 0; i < 1000000; i++) printf "u%07d\n", i }' >"$WORK/distinct.csv"
[[ -s "$WORK/one.csv" ]] || awk 'BEGIN { print "a"; for (i = 0; i < 1000000; i++) print "u0000000" }' >"$WORK/one.csv"

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round load $(cut -d' ' -f1 /proc/loadavg)"
  for build in base new; do
    exe="$EXE"; [[ $build == base ]] && exe="$BASE_EXE"
    for input in one distinct; do
      file=$(/usr/bin/time -f "%M" "$exe" profile "$WORK/$input.csv" --field a --format json 2>&1 >"$WORK/$build-$input-file.json" | tail -1)
      pipe=$(/usr/bin/time -f "%M" "$exe" profile - --field a --format json <"$WORK/$input.csv" 2>&1 >"$WORK/$build-$input-pipe.json" | tail -1)
      echo "$build $input file_kB=$file pipe_kB=$pipe"
    done
  done
done

status=0
for input in one distinct; do
  for mode in file pipe; do
    if cmp -s "$WORK/base-$input-$mode.json" "$WORK/new-$input-$mode.json"; then
      echo "$input $mode: JSON identical"
    else
      echo "$input $mode: JSON DIFFERS"; status=1
    fi
  done
done
exit $status
