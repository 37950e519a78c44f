#!/usr/bin/env bash
# Builds the libFuzzer harnesses (Fuzz/) with AddressSanitizer and runs each for a given time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      default: 600 s, all targets
#   scripts/fuzz.sh 180 FuzzCSV                            one target for 3 minutes
#   FUZZ_BUILD_ONLY=1 scripts/fuzz.sh                      build, do not run
#   FUZZ_ARGS="-detect_leaks=0" scripts/fuzz.sh            extra libFuzzer flags
#
# Targets run one after another (the machine may be shared). Each has a persistent corpus in
# .build-fuzz/corpus/<target> (git-ignored), seeded from committed samples on every run; crash,
# timeout and leak reproducers land in .build-fuzz/artifacts/<target>/. The script exits 1 if
# any target found a problem, after printing one summary line per target:
#   <target>: <seconds> s, <execs> execs (<execs/s> /s), corpus <files> files, <verdict>
# Replay a reproducer with a plain build: swift build --product <target>; .build/debug/<target> FILE
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${1:-600}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(FuzzYAML FuzzExpression FuzzCSV FuzzDates FuzzVerify FuzzRulesWalk)
SCRATCH=.build-fuzz
CONFIG="${FUZZ_CONFIG:-release}"

# Swift's crash reporter would keep libFuzzer's pipes open after a crash; libFuzzer reports.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
# Harness fixtures live in globals for the whole run; see Fuzz/lsan.supp.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$(pwd)/Fuzz/lsan.supp}"

mkdir -p "$SCRATCH"
if [ ! -d "$SCRATCH/checkouts" ] && [ -d .build/checkouts ]; then
  mkdir -p "$SCRATCH" && cp -r .build/repositories .build/checkouts .build/workspace-state.json "$SCRATCH/" 2>/dev/null
fi
for target in "${TARGETS[@]}"; do
  echo "== building $target ($CONFIG, -sanitize=fuzzer,address)"
  swift build -c "$CONFIG" --product "$target" --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >"$SCRATCH/build-$target.log" 2>&1 \
    || { tail -40 "$SCRATCH/build-$target.log"; echo "build of $target failed"; exit 2; }
done
[ -n "${FUZZ_BUILD_ONLY:-}" ] && exit 0
BIN="$(swift build -c "$CONFIG" --scratch-path "$SCRATCH" --show-bin-path)"

# Seeds: committed samples; the harnesses read the first byte as a mode, so each seed is
# added with a few mode bytes in front.
seed() {  # seed <corpus dir> <mode bytes (octal escapes)> <files...>
  local dir="$1" modes="$2"
  shift 2
  local f m i=0
  for f in "$@"; do
    [ -f "$f" ] || continue
    i=$((i + 1))
    if [ -z "$modes" ]; then
      cp "$f" "$dir/seed-$i"
    else
      for m in $modes; do { printf "$m"; head -c 65536 "$f"; } >"$dir/seed-$i-${m//\\/}"; done
    fi
  done
}

# Expressions from YAML files: the values of where/assert/amount/date/... keys, one per seed.
expression_seeds() {  # expression_seeds <corpus dir> <yaml files...>
  local dir="$1"
  shift
  grep -hoE '^\s*-?\s*(where|assert|amount|date|at|group|start|end):\s*.+$' "$@" 2>/dev/null \
    | sed -E 's/^\s*-?\s*[a-z_]+:\s*//; s/^"(.*)"$/\1/' | sort -u | head -500 \
    | { i=0; while IFS= read -r line; do i=$((i + 1)); for m in '\000' '\001' '\002'; do
          { printf "$m"; printf '%s' "$line"; } >"$dir/yamlexpr-$i-${m//\\/}"; done; done; }
}

TMPROOT="$(mktemp -d "${TMPDIR:-/dev/shm}/custody-fuzz.XXXXXX" 2>/dev/null || mktemp -d)"
trap 'rm -rf "$TMPROOT"' EXIT
export CUSTODY_FUZZ_TMP="$TMPROOT"

status=0
SUMMARY=()
for target in "${TARGETS[@]}"; do
  corpus="$SCRATCH/corpus/$target"
  artifacts="$SCRATCH/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  yaml_files=$(find Tests standards rules fixtures -name '*.yaml' 2>/dev/null | head -400)
  case "$target" in
    FuzzYAML)
      seed "$corpus" "" $yaml_files Tests/CustodyRobustnessTests/Corpus/yaml/*
      dict=Fuzz/dictionaries/yaml.dict ;;
    FuzzExpression)
      expression_seeds "$corpus" $yaml_files
      seed "$corpus" '\000 \001 \002 \003' Tests/CustodyRobustnessTests/Corpus/expression/*
      dict=Fuzz/dictionaries/expression.dict ;;
    FuzzCSV)
      seed "$corpus" '\000 \001 \005 \006 \010' $(find fixtures Tests -name '*.csv' -size -64k 2>/dev/null | head -200) \
        Tests/CustodyRobustnessTests/Corpus/csv/*
      dict=Fuzz/dictionaries/csv.dict ;;
    FuzzDates)
      # mode byte, then two big-endian 64-bit numbers: a day and an offset (edges of Int64,
      # of the calendar, and small ones).
      for m in '\000' '\001' '\002' '\003'; do
        for v in '\000\000\000\000\000\000\000\000' '\177\377\377\377\377\377\377\377' \
          '\200\000\000\000\000\000\000\000' '\377\377\377\377\377\377\377\377' \
          '\000\000\000\000\000\000\000\014' '\000\000\000\000\000\055\306\300'; do
          printf "$m\000\000\000\000\000\000\113\000$v" >"$corpus/seed-${m//\\/}-$(printf '%s' "$v" | md5sum | head -c 8)"
        done
      done
      dict="" ;;
    FuzzVerify)
      # A report signed with the harness key, as is (mode 0) and with the forged verdict
      # spliced in (mode 1); golden JSON reports signed with other keys; small strict cases.
      seed "$corpus" '\000 \001' Fuzz/FuzzVerify/seeds/* \
        $(find Tests/CustodyReportsTests/Golden -name '*.json' -size -64k 2>/dev/null | head -20)
      printf '\000{"a":1,"a":2}' >"$corpus/dup-top"
      printf '\000{"x":{"b":[{"k":1,"\\u006b":2}]}}' >"$corpus/dup-escaped"
      printf '\000{"a":1.0}' >"$corpus/float"
      printf '\000{"a":1} x' >"$corpus/trailing"
      dict=Fuzz/dictionaries/json.dict ;;
    FuzzRulesWalk)
      # Two-byte operations (Fuzz/FuzzRulesWalk/main.swift): the issue's two links to `..`,
      # a link to /proc, a folder linked to itself, files.
      printf '\000\000\004\001\004\001\002\000' >"$corpus/two-dotdot-links"
      printf '\006\000\002\000' >"$corpus/proc-link"
      printf '\000\000\010\001\011\001\002\001\012\000' >"$corpus/self-and-root"
      printf '\000\000\000\001\000\002\005\003\002\003\013\000' >"$corpus/deep"
      dict="" ;;
    *) dict="" ;;
  esac
  echo "== fuzzing $target for $SECONDS_PER_TARGET s (corpus $(ls "$corpus" | wc -l) files before)"
  log="$SCRATCH/$target.log"
  "$BIN/$target" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" ${dict:+-dict=$dict} ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  secs=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  files=$(ls "$corpus" | wc -l)
  if [ $rc -eq 0 ]; then
    verdict="no crash"
  else
    status=1
    verdict="FAILED (exit $rc): $(grep -m1 -E 'ERROR:|property violated|Fatal error|deadly signal|timeout' "$log" | head -c 200); reproducer in $artifacts/ ; log $log"
  fi
  line="$target: ${SECONDS_PER_TARGET} s, ${execs:-0} execs (${secs:-0} /s), corpus $files files, $verdict"
  echo "$line"
  SUMMARY+=("$line")
done
echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
exit $status
