#!/usr/bin/env bash
# Benchmarks checkout: backings per second through POST
# /api/v1/posts/{id}/backings (the confirm call) and its latency, with every
# request a distinct backer backing once: all on one project (every request
# contends for that project's row lock) and spread over every funding
# project. Runs on the shared data set (1,000 projects), then checks that
# every answer was 201, that the project totals match the backings, and that
# the ledger holds. Needs a release build. Not part of make test.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$MOA_ROOT"
"$MOA_ROOT/scripts/services.sh"
has wrk || apt_install wrk
[ -x target/release/server ] || die "build first: cargo leptos build --release"

datasets="${MOA_DATASETS:-$MOA_ROOT/../shared/datasets}"
[ -f "$datasets/posts.csv" ] || die "data set not found in $datasets (set MOA_DATASETS)"
shift_days=$(( ( $(date -u +%s) - $(date -u -d 2026-11-23 +%s) ) / 86400 ))
port="${MOA_BENCH_PORT:-3978}"
duration="${MOA_BENCH_SECONDS:-10}"
connections="${MOA_BENCH_CONNECTIONS:-32}"
threads=2
# More backers than the fastest run could use, so no token backs twice.
backers="${MOA_BENCH_BACKERS:-60000}"
db=moa_bench_backings
db_url="$PG_SERVER_URL/$db"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export MOA_JWT_SECRET="bench-only-secret-bench-only-secret-0123"

psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
psql_admin -c "CREATE DATABASE $db" >/dev/null
DATABASE_URL="$db_url" ./target/release/server migrate
psql "$db_url" -q -v datasets="$datasets" -v copies=1 -v shift_days="$shift_days" \
  -f scripts/bench/load_dataset.sql >/dev/null

log "creating $((2 * backers)) backers with pockets and sessions"
psql "$db_url" -q -v ON_ERROR_STOP=1 -v n=$((2 * backers)) >/dev/null <<'SQL'
INSERT INTO accounts (username, email, password_hash, role)
SELECT 'bench_' || g, 'bench_' || g || '@example.com', '!', 'backer' FROM generate_series(1, :n) g;
INSERT INTO pockets (account_id, bank, account_number)
SELECT id, 'KB', '1101234567' FROM accounts WHERE username LIKE 'bench\_%';
SELECT count(ledger_append(account_id, 'DEPOSIT', 5000000))
  FROM pockets WHERE account_id IN (SELECT id FROM accounts WHERE username LIKE 'bench\_%');
INSERT INTO sessions (id, account_id, created_at, expires_at)
SELECT md5(id::text || random()::text), id, now(), now() + interval '1 day'
  FROM accounts WHERE username LIKE 'bench\_%';
SQL
psql "$db_url" -Atq -F ' ' -c "SELECT s.account_id, s.id FROM sessions s JOIN accounts a ON a.id = s.account_id \
  WHERE a.username LIKE 'bench\_%' ORDER BY s.account_id" | python3 scripts/bench/mint_tokens.py >"$work/tokens"
head -n "$backers" "$work/tokens" >"$work/tokens.one"
tail -n +"$((backers + 1))" "$work/tokens" >"$work/tokens.many"

fundable="status = 'FUNDING' AND end_date >= (now() AT TIME ZONE 'Asia/Seoul')::date AND price <= 5000000"
one_project=$(psql "$db_url" -Atq -c "SELECT id FROM posts WHERE $fundable ORDER BY id LIMIT 1")
many_projects=$(psql "$db_url" -Atq -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM posts WHERE $fundable")
[ -n "$one_project" ] || die "no funding project in the data set"

DATABASE_URL="$db_url" REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT" MOA_ADDR="127.0.0.1:$port" RUST_LOG=error \
  ./target/release/server serve >/dev/null 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

before_one=$(psql "$db_url" -Atq -c "SELECT total_amount || ' ' || backer_count FROM posts WHERE id = $one_project")

run() {
  local label="$1" tokens="$2" projects="$3" out="$work/$4"
  MOA_BENCH_TOKENS="$tokens" MOA_BENCH_PROJECTS="$projects" MOA_BENCH_THREADS=$threads \
    wrk -t$threads -c"$connections" -d"${duration}s" -s scripts/bench/backings.lua \
    "http://127.0.0.1:$port" >"$out"
  local rps p50 p99 created total
  rps=$(awk '$1 == "rps" {print $2}' "$out")
  p50=$(awk '$1 == "p50_ms" {print $2}' "$out")
  p99=$(awk '$1 == "p99_ms" {print $2}' "$out")
  created=$(awk '$1 == "status" && $2 == 201 {print $3}' "$out")
  total=$(awk '$1 == "status" {sum += $3} END {print sum}' "$out")
  printf '  %-36s %8s backings/s   p50 %6s ms   p99 %6s ms   (%s of %s answers 201)\n' \
    "$label" "$rps" "$p50" "$p99" "${created:-0}" "$total"
  [ "${created:-0}" = "$total" ] || { cat "$out"; die "$label: some backings were refused"; }
}

echo "== backings, $connections connections, ${duration}s each"
run "distinct backers, one project" "$work/tokens.one" "$one_project" one
run "distinct backers, $(tr ',' '\n' <<<"$many_projects" | wc -l) projects" "$work/tokens.many" "$many_projects" many

kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
read -r total count < <(psql "$db_url" -Atq -F ' ' -c \
  "SELECT p.total_amount, p.backer_count FROM posts p WHERE p.id = $one_project")
read -r sum active < <(psql "$db_url" -Atq -F ' ' -c \
  "SELECT coalesce(sum(amount), 0), count(*) FROM backings WHERE post_id = $one_project AND status = 'ACTIVE'")
echo "  project $one_project: total $total, backers $count (before: $before_one; backings: $sum, $active)"
[ "$total $count" = "$sum $active" ] || die "the project's totals do not match its backings"
DATABASE_URL="$db_url" ./target/release/server ledger-check
