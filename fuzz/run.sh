#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/fuzz_targets/ for SECONDS each, one
# after the other, one libFuzzer process each (bounded CPU), and prints a
# Markdown table of executions and crashes parsed from libFuzzer's final
# stats. With REPORT, also writes the table, with what was run on what, to
# that file. Exits non-zero if any target crashed (or failed to run); for a
# crash it prints the panic, the stack and the input in base64.
#
#   fuzz/run.sh SECONDS [REPORT.md]      (called by `make fuzz-ci` / `make fuzz-long`)
#
# Environment: FUZZ_TOOLCHAIN (default nightly), FUZZ_TARGETS (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: fuzz/run.sh SECONDS [REPORT.md]}
report=${2:-}
toolchain=${FUZZ_TOOLCHAIN:-nightly}
targets=${FUZZ_TARGETS:-$(for f in fuzz/fuzz_targets/*.rs; do basename "$f" .rs; done)}
# No sanitizer: the crate forbids unsafe code, so ASan would mostly slow the
# run (ring's C is not instrumented either). Debug assertions: integer
# overflow panics, so arithmetic bugs are found, not wrapped.
build_flags=(--sanitizer=none --debug-assertions)
libfuzzer_flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1)
logs=fuzz/target/logs
mkdir -p "$logs"

with_commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# What is fuzzed: recorded before the build, which is the only one. The
# binaries are then run directly, not through `cargo fuzz run`, which would
# rebuild if someone edits src/ during a long run.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src Cargo.toml Cargo.lock fuzz/Cargo.toml fuzz/Cargo.lock fuzz/src fuzz/fuzz_targets 2>/dev/null ||
  commit="$commit + uncommitted changes"
cargo "+$toolchain" fuzz build "${build_flags[@]}"
# A snapshot of the binaries, so that a build started elsewhere meanwhile
# (another `make fuzz-ci` in this checkout) cannot swap them mid-run.
built=fuzz/target/$(rustc "+$toolchain" -vV | sed -n 's/^host: //p')/release
bin_dir=$(mktemp -d fuzz/target/run.XXXXXX)
trap 'rm -rf "$bin_dir"' EXIT
for t in $targets; do cp "$built/$t" "$bin_dir/"; done
export RUST_BACKTRACE=1

rows=()
failed=0
for t in $targets; do
  mkdir -p "fuzz/artifacts/$t" "fuzz/corpus/$t"
  log="$logs/$t.log"
  marker=$(mktemp)
  start_corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  echo "fuzz: $t for ${seconds}s (corpus: $start_corpus files; log: $log)"
  start=$(date +%s)
  rc=0
  "$bin_dir/$t" -artifact_prefix="fuzz/artifacts/$t/" "${libfuzzer_flags[@]}" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  elapsed=$(( $(date +%s) - start ))
  final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n1; }
  execs=$(final_stat number_of_executed_units)
  rate=$(final_stat average_exec_per_sec)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  found=$(find "fuzz/artifacts/$t" -type f -newer "$marker" \
    \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | sort)
  rm -f "$marker"
  crashes=$(grep -c . <<<"$found" || true)
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    echo "fuzz: $t FAILED (exit $rc, $crashes crash input(s))" >&2
    if grep -qE 'panicked at|ERROR: libFuzzer' "$log"; then
      sed -n -E '/panicked at|ERROR: libFuzzer/,$p' "$log" | head -n 60 >&2 || true
    else
      tail -n 40 "$log" >&2
    fi
    for f in $found; do
      echo "fuzz: $f (base64): $(base64 -w0 "$f")" >&2
      echo "fuzz: replay: cargo +$toolchain fuzz run ${build_flags[*]} $t $f" >&2
    done
    [ "$crashes" -gt 0 ] || crashes="run failed"
  fi
  rows+=("| \`$t\` | $elapsed | $(with_commas <<<"${execs:-0}") | $(with_commas <<<"${rate:-0}") | ${cov:-?} | ${corp:-?} | $crashes |")
done

table=$(
  echo "| target | seconds | executions | exec/s | coverage (edges) | corpus | crashes |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
)
echo
echo "$table"

if [ -n "$report" ]; then
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)
  {
    echo "# Last long fuzzing run"
    echo
    echo "Written by \`make fuzz-long\` (\`fuzz/run.sh\`); docs/security.md quotes it."
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- tollgate: $commit"
    echo "- toolchain: $(rustc "+$toolchain" --version), $(cargo fuzz --version)"
    echo "- flags: \`cargo fuzz build ${build_flags[*]}\`, libFuzzer \`${libfuzzer_flags[*]}\`, one process per target"
    echo "- machine: $(nproc) CPU(s)${cpu:+, $cpu} (shared)"
    echo "- corpus: seeded from \`tests/vectors/\` by \`fuzz/examples/seed_corpus.rs\`, plus what earlier runs on this machine kept"
    echo
    echo "$table"
    echo
    echo "Executions and exec/s are libFuzzer's \`stat::number_of_executed_units\` and"
    echo "\`stat::average_exec_per_sec\`; coverage and corpus are from its last status line."
    echo "A crash stops that target's run; its input is kept in \`fuzz/artifacts/<target>/\`."
  } >"$report"
  echo
  echo "fuzz: wrote $report"
fi
exit "$failed"
