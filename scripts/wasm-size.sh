#!/usr/bin/env bash
# Sizes of the built browser files as they are sent: raw, and the gzip and
# brotli copies the release build writes beside them (`release_build`).
# Usage: scripts/wasm-size.sh [site-pkg-dir]   (default target/site/pkg)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
pkg="${1:-$MOA_ROOT/target/site/pkg}"
[ -d "$pkg" ] || die "no built site in $pkg: build first (release_build)"
python3 - "$pkg" <<'PY'
import os, sys
pkg = sys.argv[1]
rows = []
for name in sorted(os.listdir(pkg)):
    if name.endswith(('.br', '.gz')) or not name.endswith(('.wasm', '.js', '.css')):
        continue
    path = os.path.join(pkg, name)
    size = lambda p: os.path.getsize(p) if os.path.exists(p) else None
    rows.append((name, size(path), size(path + '.gz'), size(path + '.br')))
fmt = lambda n: f"{n:>10,}" if n is not None else f"{'-':>10}"
print(f"{'file':<48} {'raw':>10} {'gzip':>10} {'brotli':>10}")
for name, raw, gz, br in rows:
    print(f"{name:<48} {fmt(raw)} {fmt(gz)} {fmt(br)}")
wasm = [r for r in rows if r[0].endswith('.wasm')]
if wasm and all(r[3] is not None for r in wasm):
    print(f"{'all .wasm':<48} {fmt(sum(r[1] for r in wasm))} {fmt(sum(r[2] or 0 for r in wasm))} {fmt(sum(r[3] for r in wasm))}")

# The first load of each page: the main module, plus, for a page loaded on
# demand, its module and the shared chunks it needs (the split manifest).
by_stem = {r[0][:-len('.wasm')]: r for r in wasm}
main = [r for r in wasm if r[0].startswith('moa.')]
manifests = [n for n in os.listdir(pkg) if n.startswith('__wasm_split_manifest') and n.endswith('.json')]
if main and manifests:
    import json
    split = json.load(open(os.path.join(pkg, manifests[0])))
    print()
    print(f"{'first load (WASM)':<48} {'raw':>10} {'gzip':>10} {'brotli':>10}")
    print(f"{'home and project pages (main module)':<48} {fmt(main[0][1])} {fmt(main[0][2])} {fmt(main[0][3])}")
    for name, parts in sorted(split.items()):
        rows_ = main + [by_stem[p] for p in parts if p in by_stem]
        label = name.strip('_').split('_route_view')[0].replace('_', ' ') + ' page'
        print(f"{label:<48} {fmt(sum(r[1] for r in rows_))} {fmt(sum(r[2] or 0 for r in rows_))} {fmt(sum(r[3] or 0 for r in rows_))}")
PY
