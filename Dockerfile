# syntax=docker/dockerfile:1
#
# Moa's production image: the server binary, the hash.txt beside it and the
# built site (content-hashed, precompressed files), on Debian slim, as a
# non-root user. Build with BuildKit (the default since Docker 23):
#
#   docker build -t moa:local .
#
# The tool versions are those of scripts/setup-tools.sh (cargo-leptos from
# scripts/lib.sh, wasm-bindgen-cli from Cargo.lock, binaryen's wasm-opt from
# end2end/package-lock.json); the build checks them, and so does
# scripts/tests/deploy_files.sh in `make test`.

# Cargo.toml's rust-version.
ARG RUST_VERSION=1.95

# ---------------------------------------------------------------------------
# npm packages of the build: binaryen's wasm-opt (Debian's binaryen 108 breaks
# hydration, see the README's build notes) and the Swagger UI / ReDoc assets
# that Moa serves itself. Node 20, as on the development machines.
FROM node:20-bookworm-slim AS npm
WORKDIR /src/end2end
COPY end2end/package.json end2end/package-lock.json ./
RUN --mount=type=cache,id=moa-npm,target=/root/.npm \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
# public/vendor, exactly as scripts/setup-tools.sh makes it: ReDoc's footer
# logo points at an empty inline image instead of its CDN.
RUN set -eu; \
    mkdir -p /vendor/swagger-ui /vendor/redoc; \
    cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js /vendor/swagger-ui/; \
    sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E#' \
      node_modules/redoc/bundles/redoc.standalone.js > /vendor/redoc/redoc.standalone.js; \
    if grep -q "cdn.redoc.ly" /vendor/redoc/redoc.standalone.js; then echo "ReDoc still refers to its CDN" >&2; exit 1; fi

# ---------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-bookworm AS builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# scripts/lib.sh's CARGO_LEPTOS_VERSION, and the wasm-bindgen crate's version
# in Cargo.lock (the CLI must equal it; checked below once Cargo.lock is in).
ARG CARGO_LEPTOS_VERSION=0.3.10
ARG WASM_BINDGEN_VERSION=0.2.130

# The tools first, in layers of their own: about 20 minutes of compiling that
# a source change does not repeat. Flags as in scripts/setup-tools.sh:
# cargo-leptos --locked with no_downloads (a missing helper fails loudly
# instead of being fetched), wasm-bindgen-cli without --locked.
RUN rustup target add wasm32-unknown-unknown
RUN --mount=type=cache,id=moa-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=moa-cargo-git,target=/usr/local/cargo/git,sharing=locked \
    cargo install cargo-leptos --locked --version "${CARGO_LEPTOS_VERSION}" --features no_downloads \
 && cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"

# wasm-opt from npm is a Node script.
COPY --from=npm /usr/local/bin/node /usr/local/bin/node

WORKDIR /src
COPY . .
COPY --from=npm /src/end2end/node_modules end2end/node_modules
COPY --from=npm /vendor public/vendor

# The release build of `make run` and `make test` (release_build in
# scripts/lib.sh: cargo leptos build --release --precompress --split), with
# the npm wasm-opt first on PATH (use_build_tools). target/ is a cache mount,
# so what the image needs is copied out of it to /out.
RUN --mount=type=cache,id=moa-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=moa-cargo-git,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,id=moa-target,target=/src/target,sharing=locked \
    source scripts/lib.sh \
 && locked="$(locked_wasm_bindgen_version)" \
 && { [ "$locked" = "${WASM_BINDGEN_VERSION}" ] \
      || die "WASM_BINDGEN_VERSION ${WASM_BINDGEN_VERSION} is not Cargo.lock's wasm-bindgen $locked"; } \
 && { [ "$CARGO_LEPTOS_VERSION" = "$(cargo leptos --version | awk '{print $2}')" ] \
      || die "cargo-leptos is not scripts/lib.sh's $CARGO_LEPTOS_VERSION"; } \
 && use_build_tools \
 && { [[ "$(wasm-opt --version)" == *"version 132"* ]] || die "wasm-opt is not binaryen 132"; } \
 && release_build \
 && test -s target/release/hash.txt \
 && rm -rf /out && mkdir -p /out \
 && cp target/release/server target/release/hash.txt /out/ \
 && cp -r target/site /out/site

# ---------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates for any TLS the operator turns on; curl for HEALTHCHECK.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 moa \
 && useradd --system --uid 10001 --gid moa --home-dir /app --no-create-home --shell /usr/sbin/nologin moa

# Leptos reads hash.txt beside the running binary (std::env::current_exe),
# so the two stay together in /app. Owned by root: the server writes nothing.
COPY --from=builder /out/server /out/hash.txt /app/
COPY --from=builder /out/site /app/site

# What server/src/startup.rs reads (the LEPTOS_* variables; its defaults fit
# `target/`, not this image) and what every container needs. The rest,
# secrets included, comes from the environment: see the README's "Running in
# production". MOA_ENV=production refuses to start without MOA_JWT_SECRET
# and an https MOA_PUBLIC_ORIGIN, and refuses seed-demo.
ENV PATH=/app:$PATH \
    LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_OUTPUT_NAME=moa \
    LEPTOS_HASH_FILES=true \
    LEPTOS_ENV=PROD \
    MOA_ENV=production \
    MOA_ADDR=0.0.0.0:3000

WORKDIR /app
USER 10001:10001
EXPOSE 3000

# Liveness: /healthz answers 200 while the process serves. The port is
# MOA_ADDR's, so overriding it keeps the check right.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${MOA_ADDR##*:}/healthz" || exit 1

# SIGTERM: stop accepting, let requests in flight finish for up to 10 s,
# stop settlement between projects (up to 10 s more), exit 0. Give it a
# stop timeout of 30 s (compose: stop_grace_period), not Docker's 10 s.
STOPSIGNAL SIGTERM
CMD ["server", "serve"]
