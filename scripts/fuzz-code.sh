#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz / libFuzzer) of the webhook signature check and money
# parsing, SECONDS_PER_TARGET seconds each, with overflow checks and debug assertions on. The
# toolchain is stable, so RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags; no sanitizer is
# needed for safe Rust. A crash leaves its input under fuzz/artifacts/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-60}
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-/var/tmp/madeinpk-fuzz-target}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in webhook_signature money_parse; do
    echo "== $target, $SECONDS_PER_TARGET s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run --debug-assertions --sanitizer none "$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" 2>&1 | grep -E '^(Done|==|.*panicked)|SUMMARY|artifact' || true
    if ls "artifacts/$target"/crash-* >/dev/null 2>&1; then
        echo "crash inputs in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
