#!/usr/bin/env bash
# `make test`: the whole suite, as CI runs it. Every run gets its own
# databases (dropped at the end) and its own Redis key prefix, so runs on one
# machine never collide. Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MOA_ROOT"

started=$(date +%s)
"$MOA_ROOT/scripts/setup-tools.sh"
"$MOA_ROOT/scripts/services.sh"
use_build_tools

run_id="moa_test_$(date +%Y%m%d%H%M%S)_$$"
export MOA_TEST_DB_PREFIX="$run_id"
export MOA_TEST_PG_URL="$PG_SERVER_URL"
export MOA_TEST_REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT"
cleanup() { drop_databases_with_prefix "$run_id"; }
trap cleanup EXIT

step() { log "$1"; shift; "$@"; }

step "format" cargo fmt --all --check
step "script tests" bash scripts/tests/drop_databases.sh
# Docker cannot run here: the Dockerfile, compose.yaml and deploy/nginx.conf
# are checked statically against Moa's configuration and build tools.
step "deployment files" bash scripts/tests/deploy_files.sh
step "clippy (server build)" cargo clippy --locked -p app -p server --features app/ssr --all-targets -- -D warnings
step "clippy (browser build)" cargo clippy --locked -p app -p frontend --features app/hydrate \
  --target wasm32-unknown-unknown -- -D warnings
step "unit and integration tests" cargo test --locked -p app -p server --features app/ssr

step "release build" release_build
step "API fuzzing (schemathesis, against the release server)" bash scripts/schemathesis.sh

# Two servers with the demo data: one that browser tests only read (so its
# lists stay as the demo made them), one for tests that publish or pay.
# A third, over its own database, for journeys that run settlement with the
# clock moved past end dates.
e2e_db="${run_id}_e2e"
writes_db="${run_id}_e2e_writes"
settle_db="${run_id}_e2e_settle"
ensure_database "$e2e_db"
ensure_database "$writes_db"
ensure_database "$settle_db"
export MOA_E2E_DATABASE_URL="$PG_SERVER_URL/$e2e_db"
export MOA_E2E_WRITES_DATABASE_URL="$PG_SERVER_URL/$writes_db"
export MOA_E2E_SETTLE_DATABASE_URL="$PG_SERVER_URL/$settle_db"
export MOA_E2E_PORT="${MOA_E2E_PORT:-$(free_port)}"
export MOA_E2E_WRITES_PORT="${MOA_E2E_WRITES_PORT:-$(free_port)}"
while [ "$MOA_E2E_WRITES_PORT" = "$MOA_E2E_PORT" ]; do MOA_E2E_WRITES_PORT="$(free_port)"; done
export MOA_E2E_SETTLE_PORT="${MOA_E2E_SETTLE_PORT:-$(free_port)}"
while [ "$MOA_E2E_SETTLE_PORT" = "$MOA_E2E_PORT" ] || [ "$MOA_E2E_SETTLE_PORT" = "$MOA_E2E_WRITES_PORT" ]; do
  MOA_E2E_SETTLE_PORT="$(free_port)"
done
step "demo data for the browser tests" env DATABASE_URL="$MOA_E2E_DATABASE_URL" ./target/release/server seed-demo
step "demo data for the browser tests that write" \
  env DATABASE_URL="$MOA_E2E_WRITES_DATABASE_URL" ./target/release/server seed-demo
step "demo data for the browser tests that settle" \
  env DATABASE_URL="$MOA_E2E_SETTLE_DATABASE_URL" ./target/release/server seed-demo
step "browser tests (Playwright, Chromium)" bash -c 'cd end2end && npx playwright test'

log "all checks passed in $(( $(date +%s) - started ))s"
