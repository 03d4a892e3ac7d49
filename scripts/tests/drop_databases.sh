#!/usr/bin/env bash
# drop_databases_with_prefix drops the database named exactly the prefix and
# those named "<prefix>_…", and no other: not "<prefix>4_…" (another run whose
# id merely starts the same), and not a name that differs where LIKE's "_"
# wildcard would match. Exits non-zero on failure.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

# Run-unique, and under moa_test_ so `make clean-test-dbs` drops leftovers.
p="${MOA_DROP_TEST_PREFIX:-moa_test_dropcheck_$$}"
case "$p" in *_*) ;; *) die "the prefix needs an underscore: $p" ;; esac
# The prefix with its last "_" replaced: LIKE '<prefix>%' matches it too.
wildcard_twin="${p%_*}X${p##*_}_a"

doomed=("$p" "${p}_a")
spared=("${p}4_a" "$wildcard_twin")

cleanup() {
  local name
  for name in "${doomed[@]}" "${spared[@]}"; do
    psql_admin -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

exists() { [ "$(psql_admin -c "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = "1" ]; }

for name in "${doomed[@]}" "${spared[@]}"; do
  psql_admin -c "CREATE DATABASE \"$name\""
done

drop_databases_with_prefix "$p"

failed=0
for name in "${doomed[@]}"; do
  if exists "$name"; then echo "FAIL: $name should have been dropped" >&2; failed=1; fi
done
for name in "${spared[@]}"; do
  if ! exists "$name"; then echo "FAIL: $name was dropped, but it does not belong to $p" >&2; failed=1; fi
done
[ "$failed" = 0 ] && echo "ok: drop_databases_with_prefix $p dropped exactly ${doomed[*]}"
exit "$failed"
