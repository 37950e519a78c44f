#!/usr/bin/env bash
# ThreadSanitizer on the engine and pipeline suites (issue 17), in its own scratch path and on a
# subset of the package (CUSTODY_TSAN_SUBSET in Package.swift: no service, CLI, fuzzers or
# benchmarks, so no Hummingbird, GRDB or swift-nio; it also defines CUSTODY_TSAN, which makes
# every `Locked` report its lock to ThreadSanitizer: Synchronization.Mutex waits on a futex
# ThreadSanitizer cannot see). Fails on any report, and first proves it can fail: a racy canary
# (scripts/tsan-canary.swift) must be reported.
# Usage: scripts/tsan.sh [TEST-FILTER]   (default: the engine and integration test targets)
set -eo pipefail
cd "$(dirname "$0")/.."
OUT="${TMPDIR:-/tmp}/custody-tsan-$$"
mkdir -p "$OUT"
LOG="$OUT/tests.log"

swiftc -sanitize=thread scripts/tsan-canary.swift -o "$OUT/canary" </dev/null
"$OUT/canary" >"$OUT/canary.log" 2>&1 || true  # ThreadSanitizer exits 66 after a report
if ! grep -q "WARNING: ThreadSanitizer: \(data\|Swift access\) race" "$OUT/canary.log"; then
  echo "tsan.sh: ThreadSanitizer did not report the canary's race; a clean run would prove nothing:" >&2
  cat "$OUT/canary.log" >&2
  exit 1
fi
echo "tsan.sh: the canary's race is reported; running the suites"

CUSTODY_TSAN_SUBSET=1 swift test --sanitize=thread --scratch-path .build-tsan \
  --filter "${1:-CustodyEngineTests|CustodyIntegrationTests}" 2>&1 </dev/null | tee "$LOG"
test "${PIPESTATUS[0]}" -eq 0
if grep -q "WARNING: ThreadSanitizer" "$LOG"; then
  echo "tsan.sh: $(grep -c "WARNING: ThreadSanitizer" "$LOG") ThreadSanitizer report(s); see $LOG" >&2
  exit 1
fi
echo "tsan.sh: no ThreadSanitizer report"
