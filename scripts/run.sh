#!/usr/bin/env bash
# `make run`: set everything up, build in release mode, load the demo data
# and serve Moa (http://127.0.0.1:3000 unless MOA_ADDR says otherwise).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MOA_ROOT"

"$MOA_ROOT/scripts/setup-tools.sh"
"$MOA_ROOT/scripts/services.sh"
use_build_tools

if [ -f .env ]; then
  log "reading .env"
  set -a; source .env; set +a
fi
export DATABASE_URL="${DATABASE_URL:-$PG_SERVER_URL/moa}"
export REDIS_URL="${REDIS_URL:-redis://$REDIS_HOST:$REDIS_PORT}"
export MOA_ADDR="${MOA_ADDR:-127.0.0.1:3000}"
database_name="${DATABASE_URL##*/}"
database_name="${database_name%%\?*}"
if [ "${DATABASE_URL%/*}" = "$PG_SERVER_URL" ]; then
  ensure_database "$database_name"
fi

log "building Moa (release)"
release_build

log "migrating and loading demo data into $database_name"
./target/release/server seed-demo

log "serving; stop with Ctrl-C"
exec ./target/release/server serve
