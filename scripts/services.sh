#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on their standard local ports:
# starts them when installed but stopped, installs them (as root) when absent.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

postgres_ready() { psql "$PG_SERVER_URL/postgres" -Atqc 'SELECT 1' >/dev/null 2>&1; }
redis_ready() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

wait_for() {
  local what="$1" check="$2"
  for _ in $(seq 1 60); do
    "$check" && return 0
    sleep 0.5
  done
  die "$what did not become ready on its local port"
}

ensure_postgres() {
  postgres_ready && return 0
  local fresh_install=0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
    fresh_install=1
  fi
  has psql || apt_install postgresql-client
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  if [ "$fresh_install" = 1 ]; then
    # Local development trust, as on Moa's developer and CI machines.
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  log "starting PostgreSQL $version"
  if is_root; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  else
    pg_ctlcluster "$version" main start 2>/dev/null \
      || die "PostgreSQL is stopped; start it with: sudo pg_ctlcluster $version main start"
  fi
  wait_for PostgreSQL postgres_ready
}

ensure_redis() {
  has redis-cli || apt_install redis-server
  redis_ready && return 0
  has redis-server || apt_install redis-server
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp --logfile "" >/dev/null
  wait_for Redis redis_ready
}

ensure_postgres
ensure_redis
