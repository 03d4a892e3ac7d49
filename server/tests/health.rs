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
