#!/usr/bin/env bash
# Installs whatever Moa's build and tests need and is missing or at the wrong
# version. Safe to run again: each step checks before it installs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

has cargo || die "cargo not found; install the Rust toolchain with rustup first"
has node && has npm || die "Node.js and npm are required; install them with: sudo apt-get install -y nodejs npm"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 0.3.11 needs rustc 1.96; `no_downloads` makes a missing helper fail loudly
# instead of trying GitHub, which is unreachable here.
if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes ~13 min on 2 cores)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

# Must equal the wasm-bindgen crate in Cargo.lock. Not --locked: its own
# lockfile pins a webpki-roots release the registry does not serve.
wasm_bindgen_version="$(locked_wasm_bindgen_version)"
[ -n "$wasm_bindgen_version" ] || die "wasm-bindgen not found in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
  log "installing wasm-bindgen-cli $wasm_bindgen_version (takes ~7 min on 2 cores)"
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi

# Playwright and binaryen (wasm-opt) from npm; never a browser download.
stamp="$MOA_ROOT/end2end/node_modules/.moa-installed"
if [ ! -f "$stamp" ] || [ "$MOA_ROOT/end2end/package-lock.json" -nt "$stamp" ]; then
  log "installing npm packages"
  (cd "$MOA_ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
use_build_tools
wasm-opt --version | grep -q "version 132" || die "wasm-opt from npm binaryen 132 is not first on PATH"

install_schemathesis

if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# nginx in front of two Moa processes in the several-processes test
# (`make test-faults`), run by the test itself from a temporary directory.
if [ ! -x /usr/sbin/nginx ]; then
  if apt-cache show nginx-light >/dev/null 2>&1; then
    apt_install nginx-light
  else
    apt_install nginx
  fi
fi
# Hangul for the browser tests and their screenshots (a bare machine has no
# Korean font and draws empty boxes).
if ! fc-list :lang=ko 2>/dev/null | grep -q .; then
  apt_install fonts-noto-cjk
fi

# The API docs' assets, served by Moa itself (no CDN): copied from the npm
# packages into public/vendor/, which cargo-leptos copies into the site.
vendor="$MOA_ROOT/public/vendor"
modules="$MOA_ROOT/end2end/node_modules"
mkdir -p "$vendor/swagger-ui" "$vendor/redoc"
cp -u "$modules/swagger-ui-dist/swagger-ui.css" "$modules/swagger-ui-dist/swagger-ui-bundle.js" "$vendor/swagger-ui/"
# ReDoc's footer loads a logo from its CDN, which is unreachable offline (and
# would be a third-party request): point it at an empty inline image.
sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E#' \
  "$modules/redoc/bundles/redoc.standalone.js" > "$vendor/redoc/redoc.standalone.js"
if grep -q "cdn.redoc.ly" "$vendor/redoc/redoc.standalone.js"; then
  die "ReDoc still refers to its CDN"
fi
