# Helpers shared by the benchmarks (make bench, bench-backings,
# bench-settlement). Source it after scripts/lib.sh; do not run it.
# shellcheck shell=bash
#
# Settings (environment):
#   MOA_BENCH_SECONDS      length of each measurement (default 10)
#   MOA_BENCH_WARMUP       seconds of load before each measurement, not counted (default 2)
#   MOA_BENCH_CONNECTIONS  wrk connections (default 32)
#   MOA_BENCH_THREADS      wrk threads (default 2)
#   MOA_BENCH_BACKERS      distinct backers per backings measurement (default 6,000 per second)
#   MOA_BENCH_SERVER       the server binary (default target/release/server, built if missing)
#   MOA_BENCH_PORT         the port the server listens on (default: a free one)
#   MOA_DATASETS           the data set's folder (default bench/dataset)
#   MOA_BENCH_KEEP=1       keep the benchmark databases after the run

BENCH_DIR="$MOA_ROOT/scripts/bench"
BENCH_DATASET="${MOA_DATASETS:-$MOA_ROOT/bench/dataset}"
BENCH_SECONDS="${MOA_BENCH_SECONDS:-10}"
BENCH_WARMUP="${MOA_BENCH_WARMUP:-2}"
BENCH_CONNECTIONS="${MOA_BENCH_CONNECTIONS:-32}"
BENCH_THREADS="${MOA_BENCH_THREADS:-2}"
# shellcheck disable=SC2034 # used by the scripts that source this
BENCH_BACKERS="${MOA_BENCH_BACKERS:-$((6000 * BENCH_SECONDS))}"
BENCH_SERVER="${MOA_BENCH_SERVER:-$MOA_ROOT/target/release/server}"
# Every database (and so every Redis key prefix) of one run starts with this.
BENCH_DB_PREFIX="moa_bench_$$"
# shellcheck disable=SC2034
BENCH_REDIS_UP="redis://$REDIS_HOST:$REDIS_PORT"
BENCH_REDIS_DOWN="redis://127.0.0.1:1"
BENCH_SERVER_PID=""
BENCH_WORK=""
export BENCH_SECONDS BENCH_WARMUP BENCH_CONNECTIONS BENCH_THREADS BENCH_SERVER
# Bench-only: mint_tokens.py signs sessions with it, the servers check them.
export MOA_JWT_SECRET="bench-only-secret-bench-only-secret-0123"

# Services, load generator, data set and server binary; a scratch folder
# ($BENCH_WORK) and a trap that cleans everything up on exit.
bench_prepare() {
  [[ "$BENCH_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "MOA_BENCH_SECONDS must be a whole number of seconds"
  [[ "$BENCH_WARMUP" =~ ^[0-9]+$ ]] || die "MOA_BENCH_WARMUP must be a whole number of seconds"
  "$MOA_ROOT/scripts/services.sh"
  has wrk || apt_install wrk
  has curl || apt_install curl
  has python3 || apt_install python3
  bench_check_dataset
  bench_ensure_server
  BENCH_WORK="$(mktemp -d)"
  trap bench_cleanup EXIT
  # Figures from a busy machine are low: say so (and results.json keeps it).
  read -r BENCH_LOAD_BEFORE _ </proc/loadavg || BENCH_LOAD_BEFORE=""
  export BENCH_LOAD_BEFORE
  if [ -n "$BENCH_LOAD_BEFORE" ] && [ "${BENCH_LOAD_BEFORE%%.*}" -ge 1 ]; then
    log "warning: load average $BENCH_LOAD_BEFORE before the run; other work will lower the figures"
  fi
}

bench_cleanup() {
  local status=$?
  bench_stop_server
  if [ "${MOA_BENCH_KEEP:-0}" = 1 ]; then
    log "keeping the databases ${BENCH_DB_PREFIX}_* (drop them with: psql -c 'DROP DATABASE …')"
  else
    drop_databases_with_prefix "$BENCH_DB_PREFIX" >/dev/null 2>&1 || true
  fi
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "moa:${BENCH_DB_PREFIX}_*" 2>/dev/null |
    xargs -r redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DEL >/dev/null 2>&1 || true
  [ -z "$BENCH_WORK" ] || rm -rf "$BENCH_WORK"
  return "$status"
}

# The data set is in the repository; params.json holds each file's SHA-256.
bench_check_dataset() {
  local file
  for file in users.csv posts.csv participations.csv; do
    [ -f "$BENCH_DATASET/$file" ] || die "data set file $BENCH_DATASET/$file not found (set MOA_DATASETS)"
  done
  [ -f "$BENCH_DATASET/params.json" ] || return 0
  python3 - "$BENCH_DATASET" <<'PY' || die "the data set in $BENCH_DATASET does not match its params.json"
import hashlib, json, pathlib, sys
folder = pathlib.Path(sys.argv[1])
expected = json.loads((folder / "params.json").read_text()).get("files", {})
bad = [name for name, digest in expected.items()
       if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest]
if bad:
    print("moa: changed since params.json was written: " + ", ".join(bad), file=sys.stderr)
    sys.exit(1)
PY
}

# The release build, built when missing (unless MOA_BENCH_SERVER names another
# binary); LEPTOS_SITE_ROOT points at the static files built beside it.
bench_ensure_server() {
  if [ ! -x "$BENCH_SERVER" ]; then
    [ -z "${MOA_BENCH_SERVER:-}" ] || die "MOA_BENCH_SERVER=$BENCH_SERVER is not an executable"
    log "no release build at target/release/server: building one (cargo leptos build --release)"
    "$MOA_ROOT/scripts/setup-tools.sh"
    use_build_tools
    (cd "$MOA_ROOT" && cargo leptos build --release)
    [ -x "$BENCH_SERVER" ] || die "the release build did not produce $BENCH_SERVER"
  fi
  LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$(cd "$(dirname "$BENCH_SERVER")/.." && pwd)/site}"
  export LEPTOS_SITE_ROOT
  local built changed
  built=$(stat -c %Y "$BENCH_SERVER")
  BENCH_SERVER_MTIME="$built"
  changed=$(git -C "$MOA_ROOT" log -1 --format=%ct -- app server frontend migrations Cargo.lock 2>/dev/null || true)
  if [ -n "$changed" ] && [ "$changed" -gt "$built" ]; then
    log "warning: $BENCH_SERVER is older than the last commit to the code;" \
      "rebuild (cargo leptos build --release) to measure the code as it is"
  fi
}

bench_shift_days() {
  echo $(( ( $(date -u +%s) - $(date -u -d 2026-11-23 +%s) ) / 86400 ))
}

# bench_load_db NAME COPIES: a fresh, migrated database with the data set
# loaded COPIES times (1: 1,000 projects; 100: 100,000).
bench_load_db() {
  local db="$1" copies="$2"
  local url="$PG_SERVER_URL/$db" started
  started=$(date +%s)
  PGOPTIONS="-c client_min_messages=warning" psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
  psql_admin -c "CREATE DATABASE \"$db\"" >/dev/null
  DATABASE_URL="$url" RUST_LOG=warn "$BENCH_SERVER" migrate >/dev/null
  (cd "$BENCH_DATASET" &&
    psql "$url" -q -v copies="$copies" -v shift_days="$(bench_shift_days)" \
      -f "$BENCH_DIR/load_dataset.sql" >/dev/null)
  log "loaded $((copies * 1000)) projects into $db in $(( $(date +%s) - started ))s"
}

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_start_server DB REDIS_URL: serves DB at $BENCH_URL. $BENCH_PROJECTS and
# $BENCH_REDIS ("up" or "unreachable") describe what the next rows measure.
bench_start_server() {
  local db="$1" redis_url="$2" port
  bench_stop_server
  port="${MOA_BENCH_PORT:-$(bench_free_port)}"
  BENCH_URL="http://127.0.0.1:$port"
  BENCH_PROJECTS=$(psql "$PG_SERVER_URL/$db" -Atq -c "SELECT count(*) FROM posts")
  if [ "$redis_url" = "$BENCH_REDIS_DOWN" ]; then BENCH_REDIS=unreachable; else BENCH_REDIS=up; fi
  DATABASE_URL="$PG_SERVER_URL/$db" REDIS_URL="$redis_url" MOA_ADDR="127.0.0.1:$port" MOA_METRICS_ADDR=off RUST_LOG=error \
    "$BENCH_SERVER" serve >>"$BENCH_WORK/server.log" 2>&1 &
  BENCH_SERVER_PID=$!
  local _
  for _ in $(seq 1 100); do
    curl -fs "$BENCH_URL/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$BENCH_SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$BENCH_WORK/server.log" >&2
  die "the server did not answer $BENCH_URL/healthz"
}

bench_stop_server() {
  [ -n "$BENCH_SERVER_PID" ] || return 0
  kill "$BENCH_SERVER_PID" 2>/dev/null || true
  wait "$BENCH_SERVER_PID" 2>/dev/null || true
  BENCH_SERVER_PID=""
}

# bench_record KEY ROUTE VISITOR COMPARE WRK_OUTPUT: one row of the table,
# appended to $BENCH_WORK/rows.tsv and printed as it is measured.
bench_record() {
  local key="$1" route="$2" visitor="$3" compare="$4" out="$5"
  local requests rps p50 p99 errors
  figure() { awk -v name="$1" '$1 == "moa_bench" && $2 == name { print $3 }' "$out"; }
  requests=$(figure requests); rps=$(figure rps); p50=$(figure p50_ms); p99=$(figure p99_ms)
  errors=$(figure errors)
  if [ -z "$rps" ] || [ -z "$p99" ]; then cat "$out" >&2; die "$route: wrk printed no figures"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$route" "$BENCH_PROJECTS" "$BENCH_REDIS" \
    "$visitor" "$rps" "$p50" "$p99" "$requests" "$errors" "$compare" >>"$BENCH_WORK/rows.tsv"
  printf '  %-34s %-30s %7s projects, Redis %-11s %9s req/s  p50 %8s ms  p99 %8s ms' \
    "$route" "$visitor" "$BENCH_PROJECTS" "$BENCH_REDIS" "$rps" "$p50" "$p99"
  if [ "$errors" != 0 ]; then printf '  (%s errors)\n' "$errors"; else printf '\n'; fi
}

# bench_measure KEY ROUTE PATH VISITOR [COMPARE_KEY [HEADER]]: GET PATH under
# wrk for $BENCH_SECONDS after $BENCH_WARMUP seconds of warm-up, once it has
# answered 200. COMPARE_KEY names the row this one is also a ratio to.
bench_measure() {
  local key="$1" route="$2" path="$3" visitor="$4" compare="${5:-}" header="${6:-}"
  local url="$BENCH_URL$path" out="$BENCH_WORK/$key.out" status
  local -a headers=()
  [ -z "$header" ] || headers=(-H "$header")
  status=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "$url")
  [ "$status" = 200 ] || die "$route ($visitor): GET $path answered $status, not 200"
  local -a wrk_args=(-t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" --timeout 10s "${headers[@]}")
  if [ "$BENCH_WARMUP" -gt 0 ]; then
    wrk "${wrk_args[@]}" -d"${BENCH_WARMUP}s" "$url" >/dev/null
  fi
  wrk "${wrk_args[@]}" -d"${BENCH_SECONDS}s" -s "$BENCH_DIR/figures.lua" "$url" >"$out"
  bench_record "$key" "$route" "$visitor" "$compare" "$out"
}

# bench_session_token DB ACCOUNT_ID: a bearer token (and session cookie
# value) of a new session of the account.
bench_session_token() {
  psql "$PG_SERVER_URL/$1" -Atq -F ' ' -v ON_ERROR_STOP=1 -c \
    "INSERT INTO sessions (id, account_id, created_at, expires_at)
     VALUES (md5(random()::text), $2, now(), now() + interval '1 day') RETURNING account_id, id" |
    python3 "$BENCH_DIR/mint_tokens.py"
}

# bench_create_backers DB TAG N FILE: N new backers (bench_TAG_1 …), each
# with a topped-up pocket and a session; their bearer tokens, one a line,
# in FILE.
bench_create_backers() {
  local db="$1" tag="$2" n="$3" file="$4" started
  started=$(date +%s)
  psql "$PG_SERVER_URL/$db" -q -v ON_ERROR_STOP=1 -v n="$n" -v prefix="bench_${tag}_" >/dev/null <<'SQL'
CREATE TEMP TABLE new_backers AS
WITH created AS (
  INSERT INTO accounts (username, email, password_hash, role)
  SELECT :'prefix' || g, :'prefix' || g || '@example.com', '!', 'backer' FROM generate_series(1, :n) g
  RETURNING id)
SELECT id FROM created;
INSERT INTO pockets (account_id, bank, account_number) SELECT id, 'KB', '1101234567' FROM new_backers;
SELECT count(ledger_append(id, 'DEPOSIT', 5000000)) FROM (SELECT id FROM new_backers ORDER BY id) b;
INSERT INTO sessions (id, account_id, created_at, expires_at)
SELECT md5(id::text || random()::text), id, now(), now() + interval '1 day' FROM new_backers;
SQL
  psql "$PG_SERVER_URL/$db" -Atq -F ' ' -v ON_ERROR_STOP=1 -v prefix="bench_${tag}_" <<'SQL' |
SELECT s.account_id, s.id FROM sessions s JOIN accounts a ON a.id = s.account_id
 WHERE starts_with(a.username, :'prefix') ORDER BY s.account_id;
SQL
    python3 "$BENCH_DIR/mint_tokens.py" >"$file"
  [ "$(wc -l <"$file")" = "$n" ] || die "minted $(wc -l <"$file") tokens for $n backers"
  log "created $n backers ($tag) with pockets and sessions in $(( $(date +%s) - started ))s"
}

# The projects a backer can back now, with money to spare for it.
bench_fundable_projects() {
  psql "$PG_SERVER_URL/$1" -Atq -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM posts
    WHERE status = 'FUNDING' AND end_date >= (now() AT TIME ZONE 'Asia/Seoul')::date
      AND price <= 5000000 AND id <= 1000"
}

# bench_backings KEY ROUTE-NOTE TOKENS PROJECTS: backings per second through
# POST /api/v1/posts/{id}/backings, each request a backer who never backed,
# of PROJECTS (comma-separated ids) round robin. No warm-up: every token
# backs once.
bench_backings() {
  local key="$1" visitor="$2" tokens="$3" projects="$4" out="$BENCH_WORK/$1.out"
  MOA_BENCH_TOKENS="$tokens" MOA_BENCH_PROJECTS="$projects" MOA_BENCH_THREADS="$BENCH_THREADS" \
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${BENCH_SECONDS}s" --timeout 10s \
    -s "$BENCH_DIR/backings.lua" "$BENCH_URL" >"$out"
  bench_record "$key" "POST /api/v1/posts/{id}/backings" "$visitor" "" "$out"
  local refused
  refused=$(awk '$1 == "status" && $2 != 201 { printf "%s%s × %s", sep, $3, $2; sep = ", " }' "$out")
  if [ -n "$refused" ]; then
    log "$key: answers other than 201: $refused" \
      "(401 when the $(wc -l <"$tokens") backers run out: raise MOA_BENCH_BACKERS)"
  fi
}

# bench_check_backings DB PROJECT: the project's totals match its active
# backings, and the ledger holds (server ledger-check).
bench_check_backings() {
  local db="$1" project="$2" total count sum active
  read -r total count < <(psql "$PG_SERVER_URL/$db" -Atq -F ' ' -c \
    "SELECT total_amount, backer_count FROM posts WHERE id = $project")
  read -r sum active < <(psql "$PG_SERVER_URL/$db" -Atq -F ' ' -c \
    "SELECT coalesce(sum(amount), 0), count(*) FROM backings WHERE post_id = $project AND status = 'ACTIVE'")
  [ "$total $count" = "$sum $active" ] ||
    die "project $project: totals $total / $count backers do not match its backings $sum / $active"
  log "project $project: total $total KRW from $count backers, as its backings say"
  DATABASE_URL="$PG_SERVER_URL/$db" RUST_LOG=warn "$BENCH_SERVER" ledger-check
}

# bench_report JSON_FILE|-: the table of every row measured, and (unless
# "-") the figures with the machine's description in JSON_FILE.
bench_report() {
  [ "$(stat -c %Y "$BENCH_SERVER")" = "$BENCH_SERVER_MTIME" ] ||
    log "warning: $BENCH_SERVER was rebuilt during the run; its figures mix two builds"
  local -a json=()
  [ "$1" = - ] || json=(--json "$1")
  local pg_version redis_version
  pg_version=$(psql_admin -c "SHOW server_version" 2>/dev/null || true)
  redis_version=$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" INFO server 2>/dev/null |
    awk -F: '$1 == "redis_version" { sub(/\r$/, "", $2); print $2 }' || true)
  BENCH_PG_VERSION="$pg_version" BENCH_REDIS_VERSION="$redis_version" MOA_ROOT="$MOA_ROOT" \
    python3 "$BENCH_DIR/report.py" --rows "$BENCH_WORK/rows.tsv" --explain "$BENCH_WORK/explain.tsv" "${json[@]}"
}
