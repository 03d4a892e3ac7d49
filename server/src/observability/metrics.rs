//! `GET /metrics` in the Prometheus text format (version 0.0.4), served by
//! its own router on its own listener (`MOA_METRICS_ADDR`, loopback by
//! default), never on the public one.
//!
//! Written by hand: a dozen series do not need a metrics crate. Requests
//! are counted here (by `request_log`); what the app does is counted in
//! `app::metrics`; the pool's gauges are read when asked.

use std::{collections::BTreeMap, fmt::Write as _, net::SocketAddr, sync::Mutex, time::Duration};

use app::{
    metrics::{self as app_metrics, Cache, OwnerEnding, ReadSource, SettlementOutcome},
    state::AppState,
};
use axum::{
    Router,
    extract::State,
    http::{Method, header},
    response::IntoResponse,
    routing::get,
};
use tokio::net::TcpListener;

use crate::startup::StartupError;

/// Upper bounds of the duration buckets, in seconds: pages render in
/// milliseconds, and the request timeout is 30 s by default.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What was answered for one route.
#[derive(Default)]
struct RouteStats {
    /// Requests whose duration fell in each bucket (not cumulative; the
    /// last holds those above every bound).
    durations: [u64; BUCKETS.len() + 1],
    seconds: f64,
    count: u64,
    /// By method and status.
    answers: BTreeMap<(&'static str, u16), u64>,
}

/// Keyed by route template: as many entries as there are routes.
static HTTP: Mutex<BTreeMap<String, RouteStats>> = Mutex::new(BTreeMap::new());

/// Counts one answered request.
pub fn record_request(route: &str, method: &Method, status: u16, latency: Duration) {
    let Ok(mut routes) = HTTP.lock() else {
        return;
    };
    if !routes.contains_key(route) {
        routes.insert(route.to_owned(), RouteStats::default());
    }
    let Some(stats) = routes.get_mut(route) else {
        return;
    };
    let seconds = latency.as_secs_f64();
    let bucket = BUCKETS
        .iter()
        .position(|bound| seconds <= *bound)
        .unwrap_or(BUCKETS.len());
    stats.durations[bucket] += 1;
    stats.seconds += seconds;
    stats.count += 1;
    *stats
        .answers
        .entry((method_label(method), status))
        .or_default() += 1;
}

/// Standard methods by name; anything else is one label, so a client
/// cannot add series by inventing methods.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Listens on `addr` and serves [`router`] there for as long as the process
/// runs. Returns the address bound (the port chosen, for port 0).
pub async fn start(
    addr: SocketAddr,
    state: AppState,
    header_read_timeout: Duration,
) -> Result<SocketAddr, StartupError> {
    let bind_failed = |source| StartupError::Bind { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(bind_failed)?;
    let bound = listener.local_addr().map_err(bind_failed)?;
    if !bound.ip().is_loopback() {
        tracing::warn!(%bound, "metrics are served beyond this machine (MOA_METRICS_ADDR); keep that port off the public network");
    }
    tokio::spawn(async move {
        let served = crate::serve(
            listener,
            router(state),
            header_read_timeout,
            std::future::pending(),
        )
        .await;
        if let Err(error) = served {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    Ok(bound)
}

/// The metrics listener's router: `/metrics` and nothing else.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(exposition))
        .with_state(state)
}

async fn exposition(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&state))
}

/// Every series, as Prometheus scrapes them.
pub fn render(state: &AppState) -> String {
    let db = &state.db;
    let mut out = String::with_capacity(4096);
    render_http(&mut out);

    counters(
        &mut out,
        "moa_cache_hits_total",
        "Reads answered from a cache, by cache (page: rendered public pages; redis: JSON in Redis).",
        Cache::ALL.map(|cache| (("cache", cache.label()), app_metrics::cache_hits(cache))),
    );
    counters(
        &mut out,
        "moa_cache_misses_total",
        "Reads a cache could not answer, by cache.",
        Cache::ALL.map(|cache| (("cache", cache.label()), app_metrics::cache_misses(cache))),
    );
    family(
        &mut out,
        "moa_backings_total",
        "counter",
        "Backings committed (retries with the same idempotency key not counted).",
    );
    sample(&mut out, "moa_backings_total", &[], app_metrics::backings());
    counters(
        &mut out,
        "moa_settlements_total",
        "Projects ended by the settlement pass, by outcome.",
        SettlementOutcome::ALL.map(|outcome| {
            (
                ("outcome", outcome.label()),
                app_metrics::settlements(outcome),
            )
        }),
    );
    counters(
        &mut out,
        "moa_owner_endings_total",
        "Projects their owners ended, by what they became (cancel refunds every backer).",
        OwnerEnding::ALL.map(|ending| (("to", ending.label()), app_metrics::owner_endings(ending))),
    );
    counters(
        &mut out,
        "moa_public_reads_total",
        "Public reads (list, search, a project's page) answered by a database, by database.",
        ReadSource::ALL.map(|source| {
            (
                ("database", source.label()),
                app_metrics::public_reads(source),
            )
        }),
    );
    if let Some(replica) = &state.replica {
        family(
            &mut out,
            "moa_read_replica_usable",
            "gauge",
            "1 while public reads may use the read replica (reachable, within its lag).",
        );
        sample(
            &mut out,
            "moa_read_replica_usable",
            &[],
            u8::from(replica.is_usable()),
        );
    }

    let open = db.size();
    let idle = u32::try_from(db.num_idle()).unwrap_or(u32::MAX).min(open);
    family(
        &mut out,
        "moa_db_pool_connections",
        "gauge",
        "PostgreSQL connections open in the pool, by state.",
    );
    sample(
        &mut out,
        "moa_db_pool_connections",
        &[("state", "idle")],
        idle,
    );
    sample(
        &mut out,
        "moa_db_pool_connections",
        &[("state", "in_use")],
        open - idle,
    );
    family(
        &mut out,
        "moa_db_pool_max_connections",
        "gauge",
        "The most connections the pool opens (MOA_DB_POOL_SIZE).",
    );
    sample(
        &mut out,
        "moa_db_pool_max_connections",
        &[],
        db.options().get_max_connections(),
    );
    out
}

fn render_http(out: &mut String) {
    let Ok(routes) = HTTP.lock() else {
        return;
    };
    family(
        out,
        "moa_http_requests_total",
        "counter",
        "Requests answered, by route template, method and status.",
    );
    for (route, stats) in routes.iter() {
        for (&(method, status), count) in &stats.answers {
            let status = status.to_string();
            let labels = [
                ("route", route.as_str()),
                ("method", method),
                ("status", &status),
            ];
            sample(out, "moa_http_requests_total", &labels, count);
        }
    }
    family(
        out,
        "moa_http_request_duration_seconds",
        "histogram",
        "Time to produce a response (a streamed body not included), by route template.",
    );
    for (route, stats) in routes.iter() {
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(stats.durations) {
            cumulative += count;
            let le = bound.to_string();
            let labels = [("route", route.as_str()), ("le", le.as_str())];
            sample(
                out,
                "moa_http_request_duration_seconds_bucket",
                &labels,
                cumulative,
            );
        }
        let labels = [("route", route.as_str()), ("le", "+Inf")];
        sample(
            out,
            "moa_http_request_duration_seconds_bucket",
            &labels,
            stats.count,
        );
        let labels = [("route", route.as_str())];
        sample(
            out,
            "moa_http_request_duration_seconds_sum",
            &labels,
            stats.seconds,
        );
        sample(
            out,
            "moa_http_request_duration_seconds_count",
            &labels,
            stats.count,
        );
    }
}

/// A counter family with one label: its help, type and one sample a value.
fn counters<const N: usize>(
    out: &mut String,
    name: &str,
    help: &str,
    samples: [((&str, &str), u64); N],
) {
    family(out, name, "counter", help);
    for (label, value) in samples {
        sample(out, name, &[label], value);
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (index, (label, text)) in labels.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            let _ = write!(out, "{label}=\"");
            escape_into(out, text);
            out.push('"');
        }
        out.push('}');
    }
    let _ = writeln!(out, " {value}");
}

/// Label values escape backslash, double quote and line feed.
fn escape_into(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::http::Method;

    use super::{method_label, record_request, render_http, sample};

    #[test]
    fn samples_escape_their_labels() {
        let mut out = String::new();
        sample(&mut out, "m", &[("a", "x\"y\\z\n"), ("b", "2")], 3);
        sample(&mut out, "n", &[], 1.5);
        assert_eq!(out, "m{a=\"x\\\"y\\\\z\\n\",b=\"2\"} 3\nn 1.5\n");
    }

    #[test]
    fn requests_fill_counters_and_cumulative_buckets() {
        let route = "/unit-test/{id}";
        record_request(route, &Method::GET, 200, Duration::from_millis(3));
        record_request(route, &Method::GET, 200, Duration::from_millis(70));
        record_request(route, &Method::POST, 503, Duration::from_secs(40));
        let mut out = String::new();
        render_http(&mut out);
        for line in [
            "moa_http_requests_total{route=\"/unit-test/{id}\",method=\"GET\",status=\"200\"} 2",
            "moa_http_requests_total{route=\"/unit-test/{id}\",method=\"POST\",status=\"503\"} 1",
            "moa_http_request_duration_seconds_bucket{route=\"/unit-test/{id}\",le=\"0.005\"} 1",
            "moa_http_request_duration_seconds_bucket{route=\"/unit-test/{id}\",le=\"0.1\"} 2",
            "moa_http_request_duration_seconds_bucket{route=\"/unit-test/{id}\",le=\"30\"} 2",
            "moa_http_request_duration_seconds_bucket{route=\"/unit-test/{id}\",le=\"+Inf\"} 3",
            "moa_http_request_duration_seconds_count{route=\"/unit-test/{id}\"} 3",
        ] {
            assert!(out.lines().any(|l| l == line), "missing {line}\n{out}");
        }
    }

    #[test]
    fn invented_methods_share_one_label() {
        let invented = Method::from_bytes(b"BREW").unwrap_or_default();
        assert_eq!(method_label(&invented), "OTHER");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
    }
}
