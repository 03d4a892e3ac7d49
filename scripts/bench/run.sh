#!/usr/bin/env bash
# Benchmarks the list: EXPLAIN ANALYZE of its queries and requests per second
# of GET /api/v1/posts under wrk, at 1,000 and 100,000 projects, with Redis
# (the cache answers repeats) and without it (every request hits PostgreSQL).
# Needs a release build (make run or make test builds one). Not part of make test.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$MOA_ROOT"
"$MOA_ROOT/scripts/services.sh"
has wrk || apt_install wrk
[ -x target/release/server ] || die "build first: cargo leptos build --release"

datasets="${MOA_DATASETS:-$MOA_ROOT/../shared/datasets}"
[ -f "$datasets/posts.csv" ] || die "data set not found in $datasets (set MOA_DATASETS)"
shift_days=$(( ( $(date -u +%s) - $(date -u -d 2026-11-23 +%s) ) / 86400 ))
port="${MOA_BENCH_PORT:-3977}"
duration="${MOA_BENCH_SECONDS:-10}"

explain() {
  local db="$1" label="$2" sql="$3"
  local ms
  ms=$(psql "$PG_SERVER_URL/$db" -Atq -c "EXPLAIN (ANALYZE, FORMAT JSON) $sql" \
    | python3 -c 'import json,sys; p=json.load(sys.stdin)[0]; print(p["Execution Time"])')
  printf '  %-34s %8.3f ms\n' "$label" "$ms"
}

load() {
  local url="$1" label="$2"
  local rps
  rps=$(wrk -t2 -c32 -d"${duration}s" "$url" | awk '/Requests\/sec/ {print $2}')
  printf '  %-34s %10s req/s\n' "$label" "$rps"
}

for copies in 1 100; do
  projects=$(( copies * 1000 ))
  db="moa_bench_${projects}"
  psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  psql_admin -c "CREATE DATABASE $db" >/dev/null
  DATABASE_URL="$PG_SERVER_URL/$db" ./target/release/server migrate
  psql "$PG_SERVER_URL/$db" -q -v datasets="$datasets" -v copies="$copies" -v shift_days="$shift_days" \
    -f scripts/bench/load_dataset.sql >/dev/null

  echo "== $projects projects"
  explain "$db" "default first page" \
    "SELECT id FROM posts WHERE deleted_at IS NULL AND status <> 'CANCEL' ORDER BY status_rank, total_amount DESC, id DESC LIMIT 10 OFFSET 0"
  explain "$db" "default count (counter row)" "SELECT n FROM listed_post_count"
  explain "$db" "default count (count(*), before)" \
    "SELECT count(*) FROM posts WHERE deleted_at IS NULL AND status <> 'CANCEL'"
  explain "$db" "newest first page" \
    "SELECT id FROM posts WHERE deleted_at IS NULL AND status <> 'CANCEL' ORDER BY status_rank, created_at DESC, id DESC LIMIT 10 OFFSET 0"
  explain "$db" "search 'coffee' first page" \
    "SELECT id FROM posts WHERE deleted_at IS NULL AND status <> 'CANCEL' AND title ILIKE '%coffee%' ORDER BY status_rank, total_amount DESC, id DESC LIMIT 10 OFFSET 0"
  explain "$db" "search 'coffee' count" \
    "SELECT count(*) FROM posts WHERE deleted_at IS NULL AND status <> 'CANCEL' AND title ILIKE '%coffee%'"
  explain "$db" "search '캠핑' first page" \
    "SELECT id FROM posts WHERE deleted_at IS NULL AND status <> 'CANCEL' AND title ILIKE '%캠핑%' ORDER BY status_rank, total_amount DESC, id DESC LIMIT 10 OFFSET 0"

  for mode in cached uncached; do
    redis_url="redis://$REDIS_HOST:$REDIS_PORT"
    [ "$mode" = uncached ] && redis_url="redis://127.0.0.1:1"
    DATABASE_URL="$PG_SERVER_URL/$db" REDIS_URL="$redis_url" MOA_ADDR="127.0.0.1:$port" RUST_LOG=error \
      ./target/release/server serve >/dev/null 2>&1 &
    server_pid=$!
    for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
    load "http://127.0.0.1:$port/api/v1/posts" "GET /api/v1/posts ($mode)"
    load "http://127.0.0.1:$port/api/v1/posts?search=coffee" "GET ?search=coffee ($mode)"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  done
done
