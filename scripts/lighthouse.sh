#!/usr/bin/env bash
# `make lighthouse`: Lighthouse with its default mobile settings (emulated
# Moto G, 4x CPU slowdown, simulated slow 4G) on the home page and one project
# page of a release build serving the demo data, in Debian's Chromium.
# Each page is audited MOA_LIGHTHOUSE_RUNS times (3); the run with the median
# performance score gives the page's figures. Writes bench/lighthouse.json,
# keeps the full reports in target/lighthouse/, and prints a table and the
# audits that cost points. A score under target is reported, not a failure:
# performance >= 95, accessibility 100, best practices 100.
# Needs a release build (make run or make test builds one). Not part of make test.
#
# MOA_SERVER_BIN   the server binary (target/release/server); it is run from
#                  the checkout it was built in, two folders above it
# LEPTOS_SITE_ROOT that build's site (target/site beside it)
# MOA_LIGHTHOUSE_PORT (3978), MOA_LIGHTHOUSE_RUNS (3), MOA_LIGHTHOUSE_OUT (bench/lighthouse.json)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MOA_ROOT"

# 13.x declares Node >= 22.19 but runs on Debian's Node 20; npm only warns.
LIGHTHOUSE_VERSION="13.5.0"
CHROMIUM="/usr/bin/chromium"
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"

server_bin="$(realpath -m "${MOA_SERVER_BIN:-$MOA_ROOT/target/release/server}")"
[ -x "$server_bin" ] || die "no server binary at $server_bin; build first (release_build in scripts/lib.sh, or make run)"
# hash.txt beside the binary names the hashed bundle; the binary is run from
# the root of the checkout that built it.
server_root="$(cd "$(dirname "$server_bin")/../.." && pwd)"
site_root="$(realpath -m "${LEPTOS_SITE_ROOT:-$server_root/target/site}")"
[ -d "$site_root/pkg" ] || die "no site at $site_root (LEPTOS_SITE_ROOT); build first"
port="${MOA_LIGHTHOUSE_PORT:-3978}"
runs="${MOA_LIGHTHOUSE_RUNS:-3}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "MOA_LIGHTHOUSE_RUNS must be a positive number"
out="${MOA_LIGHTHOUSE_OUT:-$MOA_ROOT/bench/lighthouse.json}"
reports="$MOA_ROOT/target/lighthouse"
base="http://127.0.0.1:$port"

"$MOA_ROOT/scripts/services.sh"
[ -x "$CHROMIUM" ] || apt_install chromium
has node || die "Node.js is required; install it with: sudo apt-get install -y nodejs npm"
prefix="$MOA_ROOT/target/tools/lighthouse"
lighthouse="$prefix/node_modules/.bin/lighthouse"
if [ "$("$lighthouse" --version 2>/dev/null)" != "$LIGHTHOUSE_VERSION" ]; then
  log "installing lighthouse $LIGHTHOUSE_VERSION into $prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" "lighthouse@$LIGHTHOUSE_VERSION" --no-audit --no-fund --loglevel=error
fi

if curl -fs -o /dev/null "$base/healthz"; then
  die "something already answers on port $port; set MOA_LIGHTHOUSE_PORT"
fi

db="moa_lighthouse_$$_$(date +%s)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  # The server's cache keys start with moa:<database name>.
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "moa:$db*" 2>/dev/null \
    | xargs -r redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export DATABASE_URL="$PG_SERVER_URL/$db"
export REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT"
export MOA_ADDR="127.0.0.1:$port"
# A second Moa (make run) may hold the default metrics port.
export MOA_METRICS_ADDR=off
export LEPTOS_SITE_ROOT="$site_root"
export RUST_LOG=warn
psql_admin -c "CREATE DATABASE \"$db\"" >/dev/null
log "loading demo data into $db"
(cd "$server_root" && "$server_bin" seed-demo >/dev/null)
log "serving $server_bin on $base"
(cd "$server_root" && exec "$server_bin" serve >/dev/null) &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "$base/healthz" && break
  kill -0 "$server_pid" 2>/dev/null || die "the server exited at start-up"
  sleep 0.2
done
curl -fs -o /dev/null "$base/healthz" || die "the server did not answer /healthz"

post_id="$(curl -fs "$base/api/v1/posts" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const items = JSON.parse(s).items || [];
    if (items.length) console.log(items[0].id);
  });')"
[ -n "$post_id" ] || die "GET /api/v1/posts listed no project"

# Lighthouse simulates a slow phone from the CPU time it observes: other work
# on this machine (a build, a benchmark) inflates TBT and LCP.
cpu_busy() { # percent of CPU time busy over two seconds
  local a b
  a="$(head -n 1 /proc/stat)"; sleep 2; b="$(head -n 1 /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN {
    split(a, x); split(b, y); total = 0
    for (i = 2; i <= 9; i++) total += y[i] - x[i]
    idle = (y[5] - x[5]) + (y[6] - x[6])
    printf "%d", (total > 0 ? 100 * (total - idle) / total : 0) }'
}
busy="$(cpu_busy 2>/dev/null || echo 0)"
if [ "$busy" -gt 20 ]; then
  log "warning: the CPU is ${busy}% busy with other work, which lowers the performance scores"
fi

rm -rf "$reports"
mkdir -p "$reports"
pages=("home=/" "project=/posts/$post_id")
for page in "${pages[@]}"; do
  name="${page%%=*}"
  path="${page#*=}"
  for run in $(seq 1 "$runs"); do
    log "lighthouse $name ($path), run $run of $runs"
    CHROME_PATH="$CHROMIUM" "$lighthouse" "$base$path" --quiet \
      --chrome-flags="$CHROME_FLAGS" \
      --output=json --output-path="$reports/$name-$run.json" \
      || die "lighthouse failed on $path"
  done
done

mkdir -p "$(dirname "$out")"
browser="$("$CHROMIUM" --version 2>/dev/null || true)"
node - "$out" "$reports" "$runs" "$busy" "$browser" "${pages[@]}" <<'JS'
const fs = require("fs");
const [out, reports, runs, busy, browser, ...pages] = process.argv.slice(2);
const targets = { performance: 95, accessibility: 100, "best-practices": 100 };
const pct = (score) => (score == null ? null : Math.round(score * 100));
const metric = (r, id) => r.audits[id] && r.audits[id].numericValue;
const title = (a) => a.title.replace(/`/g, "");
// One line naming what an audit found: the element, the message or the URL.
function longestChain(chains, path = []) {
  for (const c of Object.values(chains || {})) {
    if (c.isLongest) return longestChain(c.children, [...path, c.url.replace(/^https?:\/\/[^/]+/, "")]);
  }
  return path;
}
const item = (i) => {
  if (i.type === "list-section") {
    return i.value && i.value.type === "network-tree" ? `longest chain: ${longestChain(i.value.chains).join(" -> ")}` : undefined;
  }
  const text = (i.node && (i.node.snippet || i.node.selector)) || i.description || i.url
    || (i.source && (i.source.url || i.source.snippet)) || i.label;
  return typeof text === "string" ? text.replace(/\s+/g, " ").slice(0, 200) : undefined;
};

// What cost points: the weighted audits of each category under a full score
// (performance weighs only its metrics), and the performance insights and
// diagnostics (weight 0) that Lighthouse flags, which say what slows them.
function lost(r) {
  const failed = (ref) => {
    const a = r.audits[ref.id];
    return a.score != null && a.score < 1
      && !["notApplicable", "manual", "informative"].includes(a.scoreDisplayMode);
  };
  const row = (ref) => {
    const a = r.audits[ref.id];
    const items = ((a.details && a.details.items) || []).slice(0, 5).map(item).filter(Boolean);
    return { id: ref.id, score: a.score, weight: ref.weight, title: title(a),
      ...(a.displayValue ? { value: a.displayValue } : {}), ...(items.length ? { items } : {}) };
  };
  const result = {};
  for (const cat of ["performance", "accessibility", "best-practices", "seo"]) {
    result[cat] = r.categories[cat].auditRefs.filter((ref) => ref.weight > 0 && failed(ref)).map(row);
  }
  result["performance-insights"] = r.categories.performance.auditRefs
    .filter((ref) => ref.weight === 0 && ["insights", "diagnostics"].includes(ref.group) && failed(ref))
    .map(row);
  return result;
}

function lcpElement(r) {
  const a = r.audits["lcp-breakdown-insight"];
  const node = a && a.details && (a.details.items || []).find((i) => i.type === "node");
  return node ? `${node.selector} "${(node.nodeLabel || "").slice(0, 60)}"` : undefined;
}

const summary = { pages: {} };
const missed = [];
const rows = [];
for (const page of pages) {
  const [name, path] = page.split(/=(.*)/s);
  const all = [];
  for (let i = 1; i <= Number(runs); i++) {
    all.push(JSON.parse(fs.readFileSync(`${reports}/${name}-${i}.json`, "utf8")));
  }
  for (const r of all) {
    if (r.runtimeError) throw new Error(`${name}: ${r.runtimeError.code} ${r.runtimeError.message}`);
  }
  const sorted = [...all].sort((a, b) => a.categories.performance.score - b.categories.performance.score);
  const r = sorted[Math.floor((sorted.length - 1) / 2)];
  summary.lighthouse = r.lighthouseVersion;
  summary.browser = browser.trim() || r.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0];
  summary.settings = `${r.configSettings.formFactor}, ${r.configSettings.throttlingMethod} throttling`;
  summary.fetchedAt = r.fetchTime;
  const p = {
    path,
    performance: pct(r.categories.performance.score),
    performanceRuns: all.map((x) => pct(x.categories.performance.score)),
    accessibility: pct(r.categories.accessibility.score),
    bestPractices: pct(r.categories["best-practices"].score),
    seo: pct(r.categories.seo.score),
    metrics: {
      fcpMs: Math.round(metric(r, "first-contentful-paint")),
      lcpMs: Math.round(metric(r, "largest-contentful-paint")),
      tbtMs: Math.round(metric(r, "total-blocking-time")),
      cls: Number(metric(r, "cumulative-layout-shift").toFixed(3)),
      speedIndexMs: Math.round(metric(r, "speed-index")),
    },
    lcpElement: lcpElement(r),
    lost: lost(r),
  };
  summary.pages[name] = p;
  for (const [cat, key, target] of [["performance", "performance", 95], ["accessibility", "accessibility", 100], ["best practices", "bestPractices", 100]]) {
    if (p[key] < target) missed.push(`${name}: ${cat} ${p[key]} < ${target}`);
  }
  const m = p.metrics;
  rows.push([name, `${p.performance} (${p.performanceRuns.join(" ")})`, p.accessibility, p.bestPractices, p.seo,
    `${(m.fcpMs / 1000).toFixed(1)} s`, `${(m.lcpMs / 1000).toFixed(1)} s`, `${m.tbtMs} ms`, m.cls.toFixed(3)]);
}
const { pages: measured, ...about } = summary;
fs.writeFileSync(out, JSON.stringify({ ...about, runsPerPage: Number(runs),
  cpuBusyPercentAtStart: Number(busy), targets, missed, pages: measured }, null, 2) + "\n");

const head = ["page", "perf (runs)", "a11y", "BP", "SEO", "FCP", "LCP", "TBT", "CLS"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
for (const row of [head, ...rows]) console.log(row.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd());
for (const [name, p] of Object.entries(summary.pages)) {
  if (p.lcpElement) console.log(`  ${name} LCP element: ${p.lcpElement}`);
  for (const [cat, audits] of Object.entries(p.lost)) {
    for (const a of audits) {
      console.log(`  ${name} ${cat}: ${a.id} (score ${a.score}, weight ${a.weight})${a.value ? ` ${a.value}` : ""}: ${a.title}`);
      for (const i of (a.items || []).slice(0, 3)) console.log(`      ${i}`);
    }
  }
}
console.log(missed.length ? `targets missed:\n  ${missed.join("\n  ")}` : "all targets met (perf >= 95, a11y 100, BP 100)");
JS
log "wrote ${out#"$MOA_ROOT"/}; full reports in ${reports#"$MOA_ROOT"/}/"
