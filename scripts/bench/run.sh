#!/usr/bin/env bash
# `make bench`: in one run, on this machine, requests per second and p50/p99
# latency under wrk of
# - GET /hello, the plain answer every other figure is also a ratio to;
# - the list (GET /api/v1/posts) and search (?search=coffee) at 1,000 and
#   100,000 projects, with Redis (cached) and with Redis unreachable (every
#   request reaches PostgreSQL);
# - a project as JSON (GET /api/v1/posts/{id});
# - the HTML home page and a project's page, anonymous and signed in;
# - backings confirmed per second, every request a distinct backer, on one
#   project and spread over every funding project (then the ledger check).
# The data set is bench/dataset (loaded once, and 100 times over for
# 100,000 projects) in databases of its own, dropped at the end. Prints the
# table and writes bench/results.json. Needs a release build (builds one when
# target/release/server is missing). Not part of make test. Settings: see
# scripts/bench/lib.sh (MOA_BENCH_SECONDS=3 for a quick run).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$MOA_ROOT/scripts/bench/lib.sh"
cd "$MOA_ROOT"
bench_prepare
results="${MOA_BENCH_RESULTS:-$MOA_ROOT/bench/results.json}"

explain() {
  local db="$1" projects="$2" label="$3" sql="$4" ms
  ms=$(psql "$PG_SERVER_URL/$db" -Atq -c "EXPLAIN (ANALYZE, FORMAT JSON) $sql" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')
  printf '%s\t%s\t%s\n' "$projects" "$label" "$ms" >>"$BENCH_WORK/explain.tsv"
}

explain_lists() {
  local db="$1" projects="$2"
  local listed="deleted_at IS NULL AND status <> 'CANCEL'"
  local by_amount="ORDER BY status_rank, total_amount DESC, id DESC LIMIT 10 OFFSET 0"
  explain "$db" "$projects" "default first page" "SELECT id FROM posts WHERE $listed $by_amount"
  explain "$db" "$projects" "default count (counter row)" "SELECT n FROM listed_post_count"
  explain "$db" "$projects" "default count (count(*))" "SELECT count(*) FROM posts WHERE $listed"
  explain "$db" "$projects" "newest first page" \
    "SELECT id FROM posts WHERE $listed ORDER BY status_rank, created_at DESC, id DESC LIMIT 10 OFFSET 0"
  explain "$db" "$projects" "search 'coffee' first page" \
    "SELECT id FROM posts WHERE $listed AND title ILIKE '%coffee%' $by_amount"
  explain "$db" "$projects" "search 'coffee' count" \
    "SELECT count(*) FROM (SELECT 1 FROM posts WHERE $listed AND title ILIKE '%coffee%' LIMIT 1001) AS matched"
  explain "$db" "$projects" "search '캠핑' first page" \
    "SELECT id FROM posts WHERE $listed AND title ILIKE '%캠핑%' $by_amount"
}

small="${BENCH_DB_PREFIX}_1000"
large="${BENCH_DB_PREFIX}_100000"
bench_load_db "$small" 1
explain_lists "$small" 1000
bench_load_db "$large" 100
explain_lists "$large" 100000

# The funding project most backed, and the backer who backed most, signed in
# with a session of their own.
project=$(psql "$PG_SERVER_URL/$small" -Atq -c \
  "SELECT id FROM posts WHERE status = 'FUNDING' ORDER BY backer_count DESC, id LIMIT 1")
backer=$(psql "$PG_SERVER_URL/$small" -Atq -c \
  "SELECT backer_id FROM backings GROUP BY backer_id ORDER BY count(*) DESC, backer_id LIMIT 1")
cookie="Cookie: moa_session=$(bench_session_token "$small" "$backer")"

echo "== $BENCH_SECONDS s of wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS per row" \
  "(after ${BENCH_WARMUP}s of warm-up); project $project, signed in as account $backer"
bench_start_server "$small" "$BENCH_REDIS_UP"
curl -fs "$BENCH_URL/hello" | grep -qx hello ||
  die "$BENCH_SERVER has no GET /hello; rebuild it (cargo leptos build --release)"
bench_measure hello "GET /hello" /hello anonymous
bench_measure list_cached_1k "GET /api/v1/posts" /api/v1/posts anonymous
bench_measure search_cached_1k "GET /api/v1/posts?search=coffee" "/api/v1/posts?search=coffee" anonymous
bench_measure detail_json_1k "GET /api/v1/posts/{id}" "/api/v1/posts/$project" anonymous
bench_measure html_home_anonymous "GET / (HTML)" / anonymous list_cached_1k
bench_measure html_detail_anonymous "GET /posts/{id} (HTML)" "/posts/$project" anonymous list_cached_1k
bench_measure html_home_signed_in "GET / (HTML)" / "signed in" list_cached_1k "$cookie"
bench_measure html_detail_signed_in "GET /posts/{id} (HTML)" "/posts/$project" "signed in" \
  list_cached_1k "$cookie"

bench_start_server "$small" "$BENCH_REDIS_DOWN"
bench_measure list_uncached_1k "GET /api/v1/posts" /api/v1/posts anonymous
bench_measure search_uncached_1k "GET /api/v1/posts?search=coffee" "/api/v1/posts?search=coffee" anonymous
bench_measure detail_json_uncached_1k "GET /api/v1/posts/{id}" "/api/v1/posts/$project" anonymous

bench_start_server "$large" "$BENCH_REDIS_UP"
bench_measure list_cached_100k "GET /api/v1/posts" /api/v1/posts anonymous
bench_measure search_cached_100k "GET /api/v1/posts?search=coffee" "/api/v1/posts?search=coffee" anonymous
bench_measure html_home_anonymous_100k "GET / (HTML)" / anonymous list_cached_100k

bench_start_server "$large" "$BENCH_REDIS_DOWN"
bench_measure list_uncached_100k "GET /api/v1/posts" /api/v1/posts anonymous
bench_measure search_uncached_100k "GET /api/v1/posts?search=coffee" "/api/v1/posts?search=coffee" anonymous
bench_stop_server

# Checkout last: it changes the 1,000-project database the rows above read.
fundable=$(bench_fundable_projects "$small")
[ -n "$fundable" ] || die "no funding project in the data set"
one_project=${fundable%%,*}
bench_create_backers "$small" one "$BENCH_BACKERS" "$BENCH_WORK/tokens.one"
bench_create_backers "$small" many "$BENCH_BACKERS" "$BENCH_WORK/tokens.many"
bench_start_server "$small" "$BENCH_REDIS_UP"
bench_backings backings_one_project "distinct backers, 1 project" "$BENCH_WORK/tokens.one" "$one_project"
bench_backings backings_many_projects "distinct backers, $(tr ',' '\n' <<<"$fundable" | wc -l) projects" \
  "$BENCH_WORK/tokens.many" "$fundable"
bench_stop_server
bench_check_backings "$small" "$one_project"

bench_report "$results"
