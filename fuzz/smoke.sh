#!/usr/bin/env bash
# Builds every fuzz target and runs each one briefly on stable Rust
# (cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 unlocks them).
# Usage: fuzz/smoke.sh [SECONDS_PER_TARGET]   (default 20)
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-20}"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cargo fuzz build
failed=0
for target in $(cargo fuzz list); do
    # Run on a scratch copy so the committed seed corpus stays small.
    work="$(mktemp -d)"
    log="$work.log"
    cp corpus/"$target"/seed-* "$work"/ 2>/dev/null || true
    status=0
    cargo fuzz run "$target" "$work" -- -max_total_time="$secs" -max_len=4096 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    runs=$(grep -oE 'number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
    if [ "$status" -ne 0 ]; then
        echo "fuzz: $target FAILED after $runs runs (artifacts in fuzz/artifacts/$target):" >&2
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" >&2 || tail -20 "$log" >&2
        failed=1
    else
        echo "fuzz: $target: $runs runs in ${secs}s, clean"
    fi
    rm -rf "$work" "$log"
done
exit "$failed"
