# Moa: the two commands are `make run` and `make test` (see README.md).
.PHONY: run test test-faults setup services fmt clean-test-dbs schemathesis bench bench-backings bench-settlement lighthouse

run: ## Set up, build (release), load demo data and serve at http://127.0.0.1:3000
	@bash scripts/run.sh

test: ## Everything CI checks: fmt, clippy (ssr + hydrate), unit/integration, release build, schemathesis, Playwright
	@bash scripts/test.sh

test-faults: ## Slow fault tests on private PostgreSQL and Redis (Redis down or hung, PostgreSQL restarted, settlement killed), ledger checked; two Moa processes behind nginx; a streaming read replica
	@bash scripts/test-faults.sh

setup: ## Install the build tools (wasm target, cargo-leptos, wasm-bindgen-cli, npm packages, Chromium)
	@bash scripts/setup-tools.sh

services: ## Start PostgreSQL and Redis if they are stopped
	@bash scripts/services.sh

fmt:
	cargo fmt --all

schemathesis: ## Fuzz the REST API from its OpenAPI document (needs a release build; MOA_SERVER_BIN=path for another)
	@bash scripts/schemathesis.sh

clean-test-dbs: ## Drop databases left behind by interrupted test runs
	@bash -c 'source scripts/lib.sh && drop_databases_with_prefix moa_test'

bench: ## Every route in one run (hello, list, search, detail, HTML, backings); table and bench/results.json
	@bash scripts/bench/run.sh

bench-backings: ## Backings per second and confirm latency on bench/dataset, with the ledger check
	@bash scripts/bench/backings.sh

bench-settlement: ## One settlement pass over 10,000 projects and 200,000 backings
	@bash scripts/bench/settlement.sh

lighthouse: ## Lighthouse (mobile) on the home page and a project page, 3 runs each; writes bench/lighthouse.json (needs a release build)
	@bash scripts/lighthouse.sh
