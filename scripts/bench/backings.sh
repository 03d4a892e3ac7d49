#!/usr/bin/env bash
# `make bench-backings`: checkout alone, with more backers and its own table.
# Backings per second through POST /api/v1/posts/{id}/backings (the confirm
# call) and its latency, with every request a distinct backer backing once:
# all on one project (every request contends for that project's row lock)
# and spread over every funding project. Runs on the data set (bench/dataset,
# 1,000 projects), then checks that every answer was 201, that the project
# totals match the backings, and that the ledger holds. `make bench` measures
# the same two rows beside the others. Needs a release build. Not part of
# make test. Settings: see scripts/bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$MOA_ROOT/scripts/bench/lib.sh"
cd "$MOA_ROOT"
bench_prepare

db="${BENCH_DB_PREFIX}_backings"
bench_load_db "$db" 1
fundable=$(bench_fundable_projects "$db")
[ -n "$fundable" ] || die "no funding project in the data set"
one_project=${fundable%%,*}
bench_create_backers "$db" one "$BENCH_BACKERS" "$BENCH_WORK/tokens.one"
bench_create_backers "$db" many "$BENCH_BACKERS" "$BENCH_WORK/tokens.many"
before=$(psql "$PG_SERVER_URL/$db" -Atq -c "SELECT total_amount || ' KRW, ' || backer_count || ' backers' \
  FROM posts WHERE id = $one_project")

echo "== backings, $BENCH_SECONDS s of wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS each" \
  "(project $one_project had $before)"
bench_start_server "$db" "$BENCH_REDIS_UP"
bench_backings backings_one_project "distinct backers, 1 project" "$BENCH_WORK/tokens.one" "$one_project"
bench_backings backings_many_projects "distinct backers, $(tr ',' '\n' <<<"$fundable" | wc -l) projects" \
  "$BENCH_WORK/tokens.many" "$fundable"
bench_stop_server
bench_check_backings "$db" "$one_project"
bench_report -
