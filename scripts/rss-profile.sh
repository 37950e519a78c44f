#!/usr/bin/env bash
# Samples a command's resident memory every 0.1 s (docs/performance.md, "Memory"):
#   scripts/rss-profile.sh custody validate --standard S --ledger L --format json --output /dev/null
# Prints seconds since start, RSS in MB and MB read so far, then the peak. The first rows show
# the reference tables being read and indexed; the rest the streamed tables.
set -euo pipefail
"$@" >/dev/null 2>&1 &
pid=$!
start=$(date +%s%N)
peak=0
printf "%6s %8s %8s\n" s rss_MB read_MB
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  read=$(awk '/rchar/ {print $2}' "/proc/$pid/io" 2>/dev/null || echo 0)
  [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
  now=$(date +%s%N)
  printf "%6.1f %8d %8d\n" "$(echo "($now - $start) / 1000000000" | bc -l)" $((${rss:-0} / 1024)) $((${read:-0} / 1048576))
  sleep 0.1
done
wait "$pid" || true
echo "peak RSS sampled: $((peak / 1024)) MB"
