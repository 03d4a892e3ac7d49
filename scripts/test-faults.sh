#!/usr/bin/env bash
# `make test-faults`: the slow fault tests (server/tests/faults.rs, ignored
# by `make test`). Each test runs its own PostgreSQL 15 cluster or Redis
# on other loopback ports and stops, kills or restarts only those; the
# shared PostgreSQL and Redis hold the run's own databases (dropped at the
# end) and are never stopped. Then the several-processes tests
# (server/tests/multi_process.rs): two real Moa processes over one database
# with nginx (`make setup` installs it) in front, on loopback ports. And
# the read replica (server/tests/read_replica.rs): a private cluster and a
# streaming replica made from it with pg_basebackup.
# Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MOA_ROOT"

started=$(date +%s)
"$MOA_ROOT/scripts/services.sh"
for tool in /usr/lib/postgresql/15/bin/initdb /usr/lib/postgresql/15/bin/pg_ctl \
  /usr/lib/postgresql/15/bin/pg_basebackup /usr/bin/redis-server; do
  [ -x "$tool" ] || die "the fault tests need $tool (PostgreSQL 15 server and redis-server packages)"
done
[ -x /usr/sbin/nginx ] || die "the several-processes tests need nginx: run make setup"

run_id="moa_test_faults_$(date +%Y%m%d%H%M%S)_$$"
export MOA_TEST_DB_PREFIX="$run_id"
export MOA_TEST_PG_URL="$PG_SERVER_URL"
export MOA_TEST_REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT"
cleanup() { drop_databases_with_prefix "$run_id"; }
trap cleanup EXIT

log "fault tests (Redis stopped and hung, PostgreSQL restarted, settlement killed; two processes behind nginx; a read replica)"
cargo test --locked -p app -p server --features app/ssr --test faults --test multi_process --test read_replica -- \
  --ignored --test-threads=1 --nocapture

log "fault tests passed in $(( $(date +%s) - started ))s"
