# Shared helpers for Moa's scripts. Source it; do not run it.
# shellcheck shell=bash

MOA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MOA_ROOT

CARGO_LEPTOS_VERSION="0.3.10"
# The API fuzzer (scripts/schemathesis.sh), from PyPI into a virtualenv of
# the project's own, so no system Python package is touched; versions in
# scripts/schemathesis/requirements.txt.
TOOLS_VENV="$MOA_ROOT/.venv-tools"
PG_SERVER_URL="${MOA_PG_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"
REDIS_HOST="${MOA_REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${MOA_REDIS_PORT:-6379}"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf 'moa: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = "0" ]; }
has() { command -v "$1" >/dev/null 2>&1; }

export PATH="$HOME/.cargo/bin:$PATH"

apt_install() {
  is_root || die "$* is not installed; install it with: sudo apt-get install -y $*"
  has apt-get || die "$* is not installed and apt-get is not available; install $* by hand"
  log "installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; } \
    || die "apt-get could not install $*"
}

# The wasm-bindgen version the app is locked to; the CLI must match it exactly.
locked_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$MOA_ROOT/Cargo.lock"
}

# Build tools only we use go first on PATH: the npm binaryen's wasm-opt works,
# Debian's binaryen 108 silently breaks the WASM module (see README).
use_build_tools() {
  local bin="$MOA_ROOT/target/tools/bin"
  mkdir -p "$bin"
  ln -sf "$MOA_ROOT/end2end/node_modules/.bin/wasm-opt" "$bin/wasm-opt"
  export PATH="$bin:$PATH"
}

# Installs scripts/schemathesis/requirements.txt into $TOOLS_VENV unless
# that very list is installed there already.
install_schemathesis() {
  local requirements="$MOA_ROOT/scripts/schemathesis/requirements.txt"
  local stamp="$TOOLS_VENV/.moa-requirements"
  if [ -x "$TOOLS_VENV/bin/schemathesis" ] && cmp -s "$requirements" "$stamp"; then
    return 0
  fi
  has python3 || apt_install python3
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  log "installing $(grep -m1 '^schemathesis==' "$requirements") into ${TOOLS_VENV#"$MOA_ROOT"/}"
  [ -x "$TOOLS_VENV/bin/pip" ] || python3 -m venv "$TOOLS_VENV"
  "$TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
}

# A TCP port on the loopback interface that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The release build that `make run`, `make test` and the benchmarks serve:
# content-hashed file names (Cargo.toml's hash-files), brotli and gzip copies
# of every built file for the server to send as they are, and the WASM split
# into the first download and the pages loaded on demand
# (app/src/pages/on_demand.rs).
release_build() {
  cargo leptos build --release --precompress --split
}

# psql against the server's maintenance database.
psql_admin() {
  psql "$PG_SERVER_URL/postgres" -v ON_ERROR_STOP=1 -Atq "$@"
}

ensure_database() {
  local name="$1"
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
    log "creating database $name"
    psql_admin -c "CREATE DATABASE \"$name\""
  fi
}

# Drops the database named exactly "$1" and every one named "$1_…": a test
# run's databases, and no other run's ("moa_test_1_…" is not "moa_test_12_…").
# Compared as text, not with LIKE, where "_" would match any character.
drop_databases_with_prefix() {
  local prefix="$1"
  [ -n "$prefix" ] || die "drop_databases_with_prefix needs a prefix"
  psql_admin -v prefix="$prefix" <<'SQL'
\set ON_ERROR_STOP off
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname)
  FROM pg_database
 WHERE datname = :'prefix' OR starts_with(datname, :'prefix' || '_')
\gexec
SQL
}
