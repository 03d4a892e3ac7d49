//! What operators see: a request id on every response (and every log line
//! of its request), one log line per request without secrets in it, and
//! Prometheus metrics on a listener of their own.
//!
//! Counters are per process, and the tests of this binary run at once, so
//! each test reads a counter before and after and expects at least its own
//! part of the change.

mod common;

use std::{
    io::Write,
    sync::{Mutex, OnceLock},
};

use app::domain::Role;
use common::{NewPost, TestApp, account, insert_post, insert_publisher, signed_up};
use reqwest::Method;
use serde_json::Value;

async fn metrics(app: &TestApp) -> String {
    let response = app
        .client
        .get(&app.metrics_url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET /metrics: {e}"));
    assert_eq!(response.status().as_u16(), 200);
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.unwrap_or_default()
}

/// The value of one series (`name{labels}` exactly as exposed); 0 if absent.
fn value(exposition: &str, series: &str) -> f64 {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|number| number.trim().parse().ok())
        .unwrap_or(0.0)
}

fn request_id(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn is_plain_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

async fn get_with_id(app: &TestApp, path: &str, id: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.base_url))
        .header("x-request-id", id)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

async fn project(app: &TestApp, name: &str) -> i64 {
    let publisher = insert_publisher(&app.db, &format!("{name}_studio")).await;
    insert_post(&app.db, publisher, NewPost::default()).await
}

#[tokio::test]
async fn every_response_carries_a_fresh_request_id() {
    let app = TestApp::spawn().await;
    let first = request_id(&app.get("/healthz").await);
    let second = request_id(&app.get("/no/such/page").await);
    assert!(is_plain_id(&first), "{first:?}");
    assert!(is_plain_id(&second), "{second:?}");
    assert_ne!(first, second);
}

#[tokio::test]
async fn a_trusted_proxys_plain_request_id_is_echoed() {
    let app = TestApp::spawn_with(common::Options {
        trusted_proxies: vec![std::net::Ipv4Addr::LOCALHOST.into()],
        ..common::Options::default()
    })
    .await;
    let id = format!("proxy-1.{}_Z", "x".repeat(50));
    let response = get_with_id(&app, "/healthz", &id).await;
    assert_eq!(request_id(&response), id);
}

/// Anyone else's id is not believed: it could name another request's id,
/// and make the logs of two requests look like one.
#[tokio::test]
async fn a_request_id_from_anyone_but_a_trusted_proxy_is_replaced() {
    let app = TestApp::spawn().await;
    let response = get_with_id(&app, "/healthz", "chosen-by-the-client").await;
    let id = request_id(&response);
    assert!(is_plain_id(&id), "{id:?}");
    assert_ne!(id, "chosen-by-the-client");
}

#[tokio::test]
async fn a_trusted_proxys_request_id_that_is_not_plain_and_short_is_replaced() {
    let app = TestApp::spawn_with(common::Options {
        trusted_proxies: vec![std::net::Ipv4Addr::LOCALHOST.into()],
        ..common::Options::default()
    })
    .await;
    let too_long = "a".repeat(65);
    for sent in ["has space", "semi;colon", "<script>", too_long.as_str()] {
        let answered = request_id(&get_with_id(&app, "/healthz", sent).await);
        assert_ne!(answered, sent);
        assert!(is_plain_id(&answered), "{answered:?} for {sent:?}");
    }
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status() {
    let app = TestApp::spawn().await;
    let post = project(&app, "counted").await;
    let missing =
        r#"moa_http_requests_total{route="/api/v1/posts/{id}",method="GET",status="404"}"#;
    let found = r#"moa_http_requests_total{route="/api/v1/posts/{id}",method="GET",status="200"}"#;
    let durations = r#"moa_http_request_duration_seconds_count{route="/api/v1/posts/{id}"}"#;
    let before = metrics(&app).await;

    assert_eq!(app.get("/api/v1/posts/987654321").await.status(), 404);
    assert_eq!(app.get("/api/v1/posts/987654321?q=x").await.status(), 404);
    assert_eq!(
        app.get(&format!("/api/v1/posts/{post}")).await.status(),
        200
    );

    let after = metrics(&app).await;
    assert!(
        value(&after, missing) >= value(&before, missing) + 2.0,
        "{after}"
    );
    assert!(
        value(&after, found) >= value(&before, found) + 1.0,
        "{after}"
    );
    assert!(value(&after, durations) >= value(&before, durations) + 3.0);
    assert!(after.contains(
        r#"moa_http_request_duration_seconds_bucket{route="/api/v1/posts/{id}",le="+Inf"}"#
    ));
    assert!(!after.contains("987654321"), "a raw path became a label");
    // Static files and unknown paths share one label.
    let unmatched = r#"moa_http_requests_total{route="fallback",method="GET",status="404"}"#;
    let before = value(&after, unmatched);
    assert_eq!(app.get("/no/such/file.txt").await.status(), 404);
    assert!(value(&metrics(&app).await, unmatched) > before);
}

#[tokio::test]
async fn page_and_redis_cache_hits_and_misses_are_counted() {
    let app = TestApp::spawn().await;
    let post = project(&app, "cached").await;
    let page_route = r#"moa_http_requests_total{route="/posts/{id}",method="GET",status="200"}"#;
    let series = |name: &str, cache: &str| format!("{name}{{cache=\"{cache}\"}}");
    let before = metrics(&app).await;

    // The first anonymous visit renders (and keeps) the page, the second is
    // answered from the page cache; both count under the page's route.
    let path = format!("/posts/{post}");
    assert_eq!(app.get(&path).await.status(), 200);
    assert_eq!(app.get(&path).await.status(), 200);
    // The list is read from PostgreSQL, then from Redis.
    assert_eq!(app.get("/api/v1/posts?sort=total").await.status(), 200);
    assert_eq!(app.get("/api/v1/posts?sort=total").await.status(), 200);

    let after = metrics(&app).await;
    for name in ["moa_cache_hits_total", "moa_cache_misses_total"] {
        for cache in ["page", "redis"] {
            let series = series(name, cache);
            assert!(
                value(&after, &series) > value(&before, &series),
                "{series} did not move:\n{after}"
            );
        }
    }
    assert!(value(&after, page_route) >= value(&before, page_route) + 2.0);
}

#[tokio::test]
async fn a_backing_through_the_api_is_counted() {
    let app = TestApp::spawn().await;
    let post = project(&app, "backed").await;
    let backer = account(&app, "obs_backer", Role::Backer, 50_000).await;
    let before = value(&metrics(&app).await, "moa_backings_total");

    let (status, body) = backer
        .send(
            Method::POST,
            &format!("/api/v1/posts/{post}/backings"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let after = value(&metrics(&app).await, "moa_backings_total");
    assert!(after >= before + 1.0, "{before} → {after}");
}

#[tokio::test]
async fn settlements_are_counted_by_outcome() {
    let app = TestApp::spawn().await;
    // Nobody backed it, so when its end date has passed it is cancelled.
    project(&app, "unfunded").await;
    let cancelled = r#"moa_settlements_total{outcome="cancel"}"#;
    let before = value(&metrics(&app).await, cancelled);

    let after_the_end = common::test_today() + chrono::Days::new(31);
    let settled = app::service::settlement::settle_due(&app.state, after_the_end, || false)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(settled.len(), 1);

    let after = value(&metrics(&app).await, cancelled);
    assert!(after >= before + 1.0, "{before} → {after}");
}

#[tokio::test]
async fn owners_ending_their_projects_are_counted() {
    let app = TestApp::spawn().await;
    let owner = account(&app, "ending_owner", Role::Publisher, 0).await;
    let (_, me) = owner.send(Method::GET, "/api/v1/me", None).await;
    let owner_id = me["id"].as_i64().unwrap_or_default();
    let post = insert_post(&app.db, owner_id, NewPost::default()).await;
    let cancels = r#"moa_owner_endings_total{to="cancel"}"#;
    let before = value(&metrics(&app).await, cancels);

    let (status, body) = owner
        .send(Method::POST, &format!("/api/v1/posts/{post}/cancel"), None)
        .await;
    assert_eq!(status, 200, "{body}");

    let after = value(&metrics(&app).await, cancels);
    assert!(after >= before + 1.0, "{before} → {after}");
}

#[tokio::test]
async fn the_pool_and_settlements_are_measured() {
    let app = TestApp::spawn().await;
    let exposition = metrics(&app).await;
    let max = value(&exposition, "moa_db_pool_max_connections");
    let idle = value(&exposition, r#"moa_db_pool_connections{state="idle"}"#);
    let in_use = value(&exposition, r#"moa_db_pool_connections{state="in_use"}"#);
    assert_eq!(max, f64::from(app.state.db.options().get_max_connections()));
    assert!(idle + in_use >= 1.0 && idle + in_use <= max, "{exposition}");
    for line in [
        "# TYPE moa_db_pool_connections gauge",
        "# TYPE moa_http_request_duration_seconds histogram",
        r#"moa_settlements_total{outcome="success"} "#,
        r#"moa_settlements_total{outcome="cancel"} "#,
        r#"moa_settlements_total{outcome="failed"} "#,
    ] {
        assert!(exposition.contains(line), "missing {line}\n{exposition}");
    }
}

#[tokio::test]
async fn metrics_are_not_served_on_the_public_listener() {
    let app = TestApp::spawn().await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status().as_u16(), 404);
    let body = response.text().await.unwrap_or_default();
    assert!(!body.contains("moa_http_requests_total"));
    // And the metrics listener serves nothing else.
    let elsewhere = app
        .client
        .get(app.metrics_url.replace("/metrics", "/healthz"))
        .send()
        .await
        .map(|response| response.status().as_u16())
        .unwrap_or_default();
    assert_eq!(elsewhere, 404);
}

/// Everything this test binary logs, as production writes it (JSON lines).
fn captured_logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    static INSTALLED: OnceLock<()> = OnceLock::new();
    struct Capture;
    impl Write for Capture {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut logs) = LOGS.lock() {
                logs.extend_from_slice(bytes);
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    INSTALLED.get_or_init(|| {
        // Moa's own code at debug: more than production logs.
        let filter = tracing_subscriber::EnvFilter::new("info,sqlx=warn,server=debug,app=debug");
        server::observability::logging::try_init(
            server::config::Environment::Production,
            filter,
            || Capture,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    });
    &LOGS
}

fn logs_text() -> String {
    let logs = captured_logs().lock().map(|logs| logs.clone());
    String::from_utf8_lossy(&logs.unwrap_or_default()).into_owned()
}

#[tokio::test]
async fn logs_carry_neither_passwords_nor_tokens_nor_queries() {
    captured_logs();
    let app = TestApp::spawn().await;
    let password = "correct horse battery"; // What `signed_up` uses.

    // Sign up and log in through the API: a bearer token.
    let client = signed_up(&app, "log_watcher", "backer").await;
    assert!(!client.token.is_empty());
    let (status, _) = client.send(Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 200);
    // A wrong password too.
    let wrong = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base_url))
        .json(&serde_json::json!({ "username": "log_watcher", "password": "hunter2-wrong-secret" }))
        .send()
        .await
        .map(|response| response.status().as_u16())
        .unwrap_or_default();
    assert_eq!(wrong, 401);
    // Log in as a browser does: a session cookie.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .post(format!("{}/api/log_in", app.base_url))
        .header("origin", &app.base_url)
        .header("referer", format!("{}/login", app.base_url))
        .header("accept", "text/html")
        .form(&[("username", "log_watcher"), ("password", password)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cookie = browser
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|cookie| cookie.split(';').next()?.split_once('='))
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default();
    assert!(cookie.len() > 20, "no session cookie");
    // A query string (which might carry `next=` and such).
    let search = app
        .client
        .get(format!("{}/?q=private-query-text", app.base_url))
        .bearer_auth(&client.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let search_id = request_id(&search);
    assert_eq!(search.status().as_u16(), 200);

    let logs = logs_text();
    for secret in [
        password,
        "hunter2-wrong-secret",
        client.token.as_str(),
        cookie.as_str(),
        "private-query-text",
    ] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}");
    }

    // The requests were logged, each as one JSON line with its request id.
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let logged = |route: &str, method: &str, status: u64| {
        lines.iter().any(|line| {
            line["message"] == "request"
                && line["level"] == "INFO"
                && line["route"] == route
                && line["method"] == method
                && line["status"] == status
                && line["latency_ms"].is_f64()
                && line["span"]["request_id"].as_str().is_some_and(is_plain_id)
        })
    };
    assert!(logged("/api/v1/auth/token", "POST", 200), "{logs}");
    assert!(logged("/api/v1/auth/token", "POST", 401), "{logs}");
    assert!(logged("/api/v1/me", "GET", 200), "{logs}");
    let search_line = lines.iter().find(|line| {
        line["span"]["request_id"] == search_id.as_str() && line["message"] == "request"
    });
    assert_eq!(
        search_line.map(|line| (line["route"].clone(), line["path"].clone())),
        Some(("/".into(), "/".into())),
        "{logs}"
    );
}
