//! Liveness, readiness and what happens when a dependency is missing.

mod common;

use app::clock::Clock;
use common::{NewPost, Options, TestApp, config_for, insert_post, insert_publisher};
use serde_json::{Value, json};

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn healthz_answers_while_the_process_is_up() {
    let app = TestApp::spawn().await;
    let (status, body) = json_of(app.get("/healthz").await).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "status": "ok" }));
}

#[tokio::test]
async fn hello_is_plain_text_through_the_usual_middleware() {
    let app = TestApp::spawn().await;
    let response = app.get("/hello").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers().contains_key("x-content-type-options"));
    assert_eq!(response.text().await.unwrap_or_default(), "hello");
}

#[tokio::test]
async fn readyz_is_ok_with_postgres_and_redis_up() {
    let app = TestApp::spawn().await;
    let (status, body) = json_of(app.get("/readyz").await).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "status": "ok", "checks": { "postgres": "up", "redis": "up" } })
    );
}

#[tokio::test]
async fn without_redis_moa_is_degraded_but_serves_pages() {
    // Nothing listens on port 1: Redis is "down".
    let app = TestApp::spawn_with(Options {
        redis_url: "redis://127.0.0.1:1".into(),
        ..Options::default()
    })
    .await;
    let publisher = insert_publisher(&app.db, "studio").await;
    insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Still visible",
            ..NewPost::default()
        },
    )
    .await;

    let (status, body) = json_of(app.get("/readyz").await).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "status": "degraded", "checks": { "postgres": "up", "redis": "down" } })
    );

    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("Still visible"));
}

#[tokio::test]
async fn without_postgres_moa_is_unavailable() {
    let config = config_for(
        "postgres://postgres@127.0.0.1:1/nowhere",
        &common::redis_url(),
    );
    let db = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy(&config.database_url)
        .unwrap_or_else(|e| panic!("{e}"));
    let app = TestApp::serve(server::build_state(&config, db, Clock::System)).await;

    let (status, body) = json_of(app.get("/readyz").await).await;
    assert_eq!(status, 503);
    assert_eq!(
        body,
        json!({ "status": "unavailable", "checks": { "postgres": "down", "redis": "up" } })
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/no/such/page",
        "/api/v1/posts",
        "/healthz",
        "/swagger",
    ] {
        let response = app.get(path).await;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(
            header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(policy.contains("default-src 'self'"), "{path}: {policy}");
    }
}

/// The page's policy and HTML, and the nonce the policy names.
async fn policy_and_page(app: &TestApp, path: &str) -> (String, String, String) {
    let response = app.get(path).await;
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let html = response.text().await.unwrap_or_default();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"))
        .to_owned();
    (policy, html, nonce)
}

#[tokio::test]
async fn pages_allow_exactly_their_own_scripts() {
    let app = TestApp::spawn().await;
    for path in ["/", "/no/such/page", "/login"] {
        let (policy, html, nonce) = policy_and_page(&app, path).await;
        assert!(policy.contains("'wasm-unsafe-eval'"), "{path}: {policy}");
        assert!(
            html.contains(&format!("<script type=\"module\" nonce=\"{nonce}\">")),
            "{path}: the hydration script lacks the policy's nonce"
        );
    }
    // A fresh nonce per response.
    let (_, _, first) = policy_and_page(&app, "/").await;
    let (_, _, second) = policy_and_page(&app, "/").await;
    assert_ne!(first, second);
}

/// A "Redis" that accepts connections and never answers. Counts the
/// connections it was offered.
async fn hung_redis() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(socket);
        }
    });
    (format!("redis://127.0.0.1:{port}"), accepted)
}

/// Readiness probes come often and from anyone: against a hung Redis they
/// must not knock the cache out of its back-off, or every cached read would
/// wait for Redis again.
#[tokio::test]
async fn readiness_probes_respect_the_redis_back_off() {
    let (redis_url, accepted) = hung_redis().await;
    let app = TestApp::spawn_with(Options {
        redis_url,
        ..Options::default()
    })
    .await;
    // A read tries Redis once, times out, and backs off.
    assert_eq!(app.get("/api/v1/posts").await.status().as_u16(), 200);
    let tried = accepted.load(std::sync::atomic::Ordering::SeqCst);
    assert!(tried >= 1, "the read never tried Redis");
    for _ in 0..10 {
        let (status, body) = json_of(app.get("/readyz").await).await;
        assert_eq!((status, &body["checks"]["redis"]), (200, &json!("down")));
    }
    assert_eq!(app.get("/api/v1/posts").await.status().as_u16(), 200);
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        tried,
        "probes or reads reconnected during the back-off"
    );
}

/// A client that trickles its headers (slowloris), sends nothing at all,
/// or speaks cleartext HTTP/2 is cut off instead of holding a connection
/// for ever. The test server allows 2 s.
#[tokio::test]
async fn slow_request_headers_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let address = app.base_url.trim_start_matches("http://").to_owned();
    for opening in [
        &b"GET /healthz HTTP/1.1\r\nHost: moa\r\n"[..],
        b"",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ] {
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        stream
            .write_all(opening)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut answer = Vec::new();
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut answer),
        )
        .await;
        let shown = String::from_utf8_lossy(opening);
        assert!(closed.is_ok(), "{shown:?}: still open after 10 s");
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            !answer.starts_with("HTTP/1.1 200") && !answer.starts_with("HTTP/2"),
            "{shown:?}: {answer}"
        );
    }
}
