#!/usr/bin/env bash
# ThreadSanitizer on the engine and pipeline suites (issue 17), in its own scratch path and on a
# subset of the package (CUSTODY_TSAN_SUBSET in Package.swift: no service, CLI, fuzzers or
# benchmarks, so no Hummingbird, GRDB or swift-nio). Not yet in .ci/run: TSan cannot see
# Synchronization.Mutex on Linux (see docs/engine.md, "ThreadSanitizer"), so it reports the
# accesses every Mutex guards. Fails on any report.
# Measured 2026-12-03 on the 2-core VM at load average 8-10: build 722 s, then 112 tests in
# about 410 s without finishing the integration suites.
set -eo pipefail
cd "$(dirname "$0")/.."
LOG="${TMPDIR:-/tmp}/custody-tsan-$$.log"
CUSTODY_TSAN_SUBSET=1 swift test --sanitize=thread --scratch-path .build-tsan \
  --filter "${1:-CustodyEngineTests|CustodyIntegrationTests}" 2>&1 </dev/null | tee "$LOG"
test "${PIPESTATUS[0]}" -eq 0
! grep -q "WARNING: ThreadSanitizer" "$LOG"
