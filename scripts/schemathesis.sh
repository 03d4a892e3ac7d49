#!/usr/bin/env bash
# `make schemathesis`: fuzzes the REST API from its own OpenAPI document.
# Starts the release server (or $MOA_SERVER_BIN) on a free loopback port over
# a database of its own, makes a publisher and a backer through the API
# (scripts/schemathesis/accounts.py), and runs schemathesis three times: as
# the backer, as the publisher, and signed out. Every response must be no
# 5xx, have a documented status and content type, and match its documented
# schema (an error's `code` included: the document lists every code).
# Stops the server and drops the database however it ends; exits non-zero
# on any failure, with the server's errors from its log.
#
# Bounded in time (about 2 minutes on 2 cores): at most
# MOA_SCHEMATHESIS_EXAMPLES generated cases per operation (default 100);
# MOA_SCHEMATHESIS_SEED repeats a run (default: a new seed, printed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MOA_ROOT"

started=$(date +%s)
server_bin="${MOA_SERVER_BIN:-$MOA_ROOT/target/release/server}"
[ -x "$server_bin" ] || die "no server at $server_bin: build it first (make test does), or set MOA_SERVER_BIN"
install_schemathesis
"$MOA_ROOT/scripts/services.sh"

database="${MOA_TEST_DB_PREFIX:-moa_test_schemathesis}_st_$(date +%Y%m%d%H%M%S)_$$"
port="$(free_port)"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
server_pid=""

cleanup() {
  local status=$?
  log "stopping the server and dropping $database"
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  drop_databases_with_prefix "$database" >/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_database "$database"
log "starting $(basename "$server_bin") at $base over $database"
env DATABASE_URL="$PG_SERVER_URL/$database" REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT" \
  MOA_ADDR="127.0.0.1:$port" MOA_ENV=development RUST_LOG="${RUST_LOG:-warn}" NO_COLOR=1 \
  "$server_bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "the server stopped at start-up"; }
  curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break
  sleep 0.5
done
curl -fsS -o /dev/null "$base/readyz" || die "the server did not become ready at $base"

log "making a publisher and a backer through the API"
python3 scripts/schemathesis/accounts.py "$base" >"$work/accounts.env"
# shellcheck disable=SC1091
source "$work/accounts.env"

# Half of the cases that name a project name the real one, so they get past
# 404 to the rules behind it; the live figures stream is read for one event.
cat >"$work/schemathesis.toml" <<TOML
max-stream-events = 1

# Nothing kept between runs (and nothing written into the work tree).
[cache]
enabled = false

[dictionaries.posts]
values = [$POST_ID]

[parameters]
"path.id" = { dictionary = "posts", probability = 0.5 }
TOML

seed="${MOA_SCHEMATHESIS_SEED:-$RANDOM$RANDOM}"
# One worker: with two, hypothesis's source inspection raced on this Python
# ("AST constructor recursion depth mismatch").
run() {
  local who="$1"
  shift
  log "schemathesis as $who (seed $seed)"
  "$TOOLS_VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "${MOA_SCHEMATHESIS_EXAMPLES:-100}" \
    --seed "$seed" \
    --workers 1 \
    --request-timeout 10 \
    --generation-database none \
    --suppress-health-check all \
    --no-color \
    "$@"
}

failed=()
# The backer first, while the project funds; then its publisher, who may
# cancel and delete it; then nobody. Revoking the token would sign the rest
# of a run out (server/tests/access.rs covers it).
keep_token=(--exclude-operation-id revoke_token)
run backer -H "Authorization: Bearer $BACKER_TOKEN" "${keep_token[@]}" || failed+=(backer)
run publisher -H "Authorization: Bearer $PUBLISHER_TOKEN" "${keep_token[@]}" || failed+=(publisher)
run "a signed-out client" || failed+=(signed-out)

if [ "${#failed[@]}" -gt 0 ]; then
  if grep -qE 'ERROR|WARN' "$work/server.log"; then
    printf '\nThe server logged:\n' >&2
    grep -E 'ERROR|WARN' "$work/server.log" | tail -40 >&2
  fi
  die "schemathesis found failures (as ${failed[*]}) in $(( $(date +%s) - started ))s"
fi
log "schemathesis: no failures in $(( $(date +%s) - started ))s"
