#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and, when the sources are concurrent (or when
# asked), ThreadSanitizer. Exits non-zero if any run fails.
#
#   scripts/sanitize.sh                 address (+ thread if Sources/ uses threads or tasks)
#   scripts/sanitize.sh address|thread|all
#   scripts/sanitize.sh address --filter CustodyLedgerTests     extra args go to `swift test`
#
# Each sanitizer builds into its own scratch path (.build-asan, .build-tsan; git-ignored), so
# the normal .build is untouched. On 2 cores a cold ASan build and run takes ~15-25 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."

mode="${1:-auto}"
[ $# -gt 0 ] && shift
export SWIFT_BACKTRACE=enable=no
# Leak checking is off: the Swift runtime's metadata caches and Foundation's singletons are
# reported as leaks at exit. Override with ASAN_OPTIONS=detect_leaks=1 to look anyway.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:detect_stack_use_after_return=0}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1}"

concurrent() {
  grep -rlE 'TaskGroup|Task \{|Task\.detached|async let|DispatchQueue|concurrentPerform|pthread_create|Thread\(' Sources \
    --include='*.swift' >/dev/null 2>&1
}

run() {  # run <sanitizer> <scratch> [swift test args...]
  local sanitizer="$1" scratch="$2"
  shift 2
  echo "== swift test --sanitize=$sanitizer --scratch-path $scratch $*"
  local start=$SECONDS
  # Reuse the dependencies already checked out for the normal build (no network needed).
  if [ ! -d "$scratch/checkouts" ] && [ -d .build/checkouts ]; then
    mkdir -p "$scratch" && cp -r .build/repositories .build/checkouts .build/workspace-state.json "$scratch/" 2>/dev/null
  fi
  mkdir -p "$scratch"
  swift test --sanitize="$sanitizer" --scratch-path "$scratch" "$@" >"$scratch/test.log" 2>&1
  local rc=$?
  # The last summary lines of XCTest and Swift Testing, and any sanitizer report.
  grep -E "^(Test Suite 'All tests'|Executed|.*Test run with|.*tests? (passed|failed)|SUMMARY: |==[0-9]+==ERROR)" "$scratch/test.log" | tail -6
  echo "$sanitizer: exit $rc after $((SECONDS - start)) s (log: $scratch/test.log)"
  return $rc
}

status=0
case "$mode" in
  address) run address .build-asan "$@" || status=1 ;;
  thread) run thread .build-tsan "$@" || status=1 ;;
  all)
    run address .build-asan "$@" || status=1
    run thread .build-tsan "$@" || status=1 ;;
  auto)
    run address .build-asan "$@" || status=1
    if concurrent; then
      run thread .build-tsan "$@" || status=1
    else
      echo "thread: skipped (no threads or tasks in Sources/; run 'scripts/sanitize.sh thread' to force)"
    fi ;;
  *) echo "usage: $0 [address|thread|all|auto] [swift test args...]"; exit 64 ;;
esac
exit $status
