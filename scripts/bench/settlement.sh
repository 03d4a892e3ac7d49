#!/usr/bin/env bash
# Benchmarks settlement: how long one `server settle` pass takes to end
# 10,000 projects with 200,000 backings (half reach their target and pay
# their publisher, half are cancelled and refund every backer), then prints
# the ledger check's figures. Needs a release build (builds one when missing).
# Not part of make test. The database is dropped at the end (MOA_BENCH_KEEP=1
# keeps it).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$MOA_ROOT/scripts/bench/lib.sh"
cd "$MOA_ROOT"
bench_prepare

projects="${MOA_BENCH_PROJECTS:-10000}"
per_project="${MOA_BENCH_BACKINGS_PER_PROJECT:-20}"
backers="${MOA_BENCH_BACKERS:-20000}"
db="${BENCH_DB_PREFIX}_settlement"
db_url="$PG_SERVER_URL/$db"

psql_admin -c "CREATE DATABASE \"$db\"" >/dev/null
DATABASE_URL="$db_url" RUST_LOG=warn "$BENCH_SERVER" migrate >/dev/null

log "loading $projects due projects with $((projects * per_project)) backings (through the ledger)"
started=$(date +%s)
psql "$db_url" -q -v ON_ERROR_STOP=1 -v projects="$projects" -v per_project="$per_project" \
  -v backers="$backers" >/dev/null <<'SQL'
SET statement_timeout = 0;
INSERT INTO accounts (username, email, password_hash, role)
SELECT 'bench_publisher_' || g, 'bench_publisher_' || g || '@example.com', '!', 'publisher'
  FROM generate_series(1, 100) g;
INSERT INTO accounts (username, email, password_hash, role)
SELECT 'bench_backer_' || g, 'bench_backer_' || g || '@example.com', '!', 'backer'
  FROM generate_series(1, :backers) g;
INSERT INTO pockets (account_id, bank, account_number) SELECT id, 'KB', '1101234567' FROM accounts;
SELECT count(ledger_append(id, 'DEPOSIT', 5000000)) FROM accounts WHERE role = 'backer';
-- Every project ended yesterday (Seoul); even ones are priced to reach
-- their target with their backings, odd ones to miss it by far.
INSERT INTO posts (publisher_id, title, publisher_name, description, target_amount, price, end_date, status)
SELECT (SELECT id FROM accounts WHERE username = 'bench_publisher_' || (1 + g % 100)),
       'Bench project ' || g, 'Bench Studio', 'A benchmark project.',
       CASE WHEN g % 2 = 0 THEN :per_project * 10000 ELSE :per_project * 10000 * 10 END,
       10000, (now() AT TIME ZONE 'Asia/Seoul')::date - 1, 'FUNDING'
  FROM generate_series(1, :projects) g;
CREATE TEMP TABLE planned AS
SELECT p.id AS post_id, b.id AS backer_id,
       row_number() OVER (ORDER BY p.id, k) AS n
  FROM posts p
 CROSS JOIN generate_series(0, :per_project - 1) k
  JOIN accounts b ON b.username = 'bench_backer_' || (1 + (p.id * 7 + k * 997) % :backers);
INSERT INTO backings (post_id, backer_id, amount, created_at)
SELECT post_id, backer_id, 10000, now() - interval '2 days' FROM planned
ON CONFLICT DO NOTHING;
SELECT count(ledger_append(b.backer_id, 'BACKING', -b.amount, b.post_id, NULL, b.created_at))
  FROM (SELECT * FROM backings ORDER BY backer_id, id) b;
UPDATE backings b SET payment_entry_id = e.id
  FROM ledger_entries e
 WHERE e.kind = 'BACKING' AND e.account_id = b.backer_id AND e.post_id = b.post_id;
UPDATE posts p SET total_amount = s.total, backer_count = s.n
  FROM (SELECT post_id, sum(amount)::bigint AS total, count(*) AS n FROM backings GROUP BY post_id) s
 WHERE s.post_id = p.id;
VACUUM ANALYZE;
SQL
read -r loaded_backings < <(psql "$db_url" -Atq -c "SELECT count(*) FROM backings")
log "loaded $loaded_backings backings in $(( $(date +%s) - started ))s"

log "one settlement pass"
start_ns=$(date +%s%N)
DATABASE_URL="$db_url" RUST_LOG=warn "$BENCH_SERVER" settle | tail -n 1
end_ns=$(date +%s%N)
elapsed_ms=$(( (end_ns - start_ns) / 1000000 ))
printf '  settled %s projects with %s backings in %d.%03d s\n' "$projects" "$loaded_backings" \
  $((elapsed_ms / 1000)) $((elapsed_ms % 1000))
psql "$db_url" -Atq -F ' ' -c \
  "SELECT to_status, count(*), sum(amount_moved), sum(backings_moved) FROM post_transitions GROUP BY to_status ORDER BY 1" |
  while read -r status count amount moved; do
    printf '  %-8s %6s projects  %14s KRW  %7s backings\n' "$status" "$count" "$amount" "$moved"
  done
DATABASE_URL="$db_url" RUST_LOG=warn "$BENCH_SERVER" ledger-check
