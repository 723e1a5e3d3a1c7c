# Everyday recipes. `just --list` shows them.

# Serve the API on 127.0.0.1:8000 (creates, migrates and seeds the database first).
run:
    cargo run

# Every test (needs PostgreSQL on 127.0.0.1:5432).
test:
    cargo test --workspace

# Lints exactly as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Format the code.
fmt:
    cargo fmt --all

# Load figures: catalogue reads and the flash sale (see docs/benchmarks.md).
bench:
    scripts/bench.sh

# Everything CI does.
ci:
    bash .ci/run

# Schema fuzzing with schemathesis against a debug build (see scripts/fuzz.sh).
fuzz:
    scripts/fuzz.sh

# Browser smoke run: a two-seller cart checked out and paid in Chromium (see scripts/smoke.sh).
smoke:
    scripts/smoke.sh

# Browser run of the operator console: sign in, dashboard, block a user, end an auction, CSV (see scripts/console.sh).
console:
    scripts/console.sh

# Coverage-guided fuzzing of the webhook signature check and money parsing (see scripts/fuzz-code.sh).
fuzz-code:
    scripts/fuzz-code.sh

# Kill -9 the server during checkouts and payouts, then check every order (see scripts/faults.sh).
faults:
    scripts/faults.sh
