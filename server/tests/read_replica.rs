//! `DATABASE_READ_URL` against a real streaming replica: a private
//! PostgreSQL 15 cluster, a second one made from it with `pg_basebackup -R`,
//! each on its own loopback port (see `common::clusters`). Run by
//! `make test-faults`.
//!
//! The replica's replay is paused while the primary changes, so which
//! database answered shows in the answer itself: the replica still has the
//! old title.

#[path = "common/clusters.rs"]
mod clusters;
mod common;

use std::time::{Duration, Instant};

use app::{clock::Clock, domain::Role};
use clusters::{PrivatePostgres, PrivateRedis};
use common::{
    Client, NewPost, TestApp, account, assert_ledger_holds, insert_post, insert_publisher,
};
use serde_json::Value;
use sqlx::{Connection, PgConnection};

const MAX_LAG: Duration = Duration::from_secs(8);
const OLD_TITLE: &str = "Hanji lamps, as first announced";
const NEW_TITLE: &str = "Hanji lamps, renamed on the primary";

async fn execute(url: &str, sql: String) {
    let mut connection = PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach {url}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.as_str()))
        .execute(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// An answer's status and JSON body; `token` reads as that account.
async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = app
        .client
        .get(format!("{}{path}", app.base_url))
        .timeout(Duration::from_secs(10));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

/// The project's title as `token`'s account (or a visitor) reads it; empty
/// while it is not found (a replica may not have replayed it yet).
async fn title_seen(app: &TestApp, post: i64, token: Option<&str>) -> String {
    let (status, body) = get_json(app, &format!("/api/v1/posts/{post}"), token).await;
    assert!(matches!(status, 200 | 404), "{status} {body}");
    body["title"].as_str().unwrap_or_default().to_owned()
}

fn is_usable(app: &TestApp) -> bool {
    app.state
        .replica
        .as_ref()
        .is_some_and(|replica| replica.is_usable())
}

async fn wait_until(what: &str, within: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn metric(app: &TestApp, series: &str) -> Option<f64> {
    let text = app
        .client
        .get(&app.metrics_url)
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fault test: make test-faults"]
async fn public_reads_come_from_the_replica_writers_see_their_writes_and_a_stopped_replica_costs_nothing()
 {
    let primary = tokio::task::spawn_blocking(PrivatePostgres::start)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    execute(
        &format!("{}/postgres", primary.server_url()),
        "CREATE DATABASE moa_replica".to_owned(),
    )
    .await;
    let primary_url = format!("{}/moa_replica", primary.server_url());
    let redis = PrivateRedis::start();
    let mut config = common::config_for(&primary_url, &redis.url());
    let db = server::connect_database(&config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server::migrate(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let (primary, mut replica) = tokio::task::spawn_blocking(move || {
        let replica = primary.start_replica();
        (primary, replica)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let replica_url = format!("{}/moa_replica", replica.server_url());
    config.database_read_url = Some(replica_url.clone());
    config.read_replica_max_lag = MAX_LAG;
    let app = TestApp::serve(server::build_state(
        &config,
        db,
        Clock::Fixed(common::test_now()),
    ))
    .await;

    let publisher = insert_publisher(&app.db, "lamp_studio").await;
    let post = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: OLD_TITLE,
            ..NewPost::default()
        },
    )
    .await;
    let backer: Client<'_> = account(&app, "reader_backer", Role::Backer, 1_000_000).await;
    let onlooker: Client<'_> = account(&app, "reader_onlooker", Role::Backer, 1_000_000).await;
    wait_until(
        "the replica is in use and has the project",
        Duration::from_secs(20),
        async || is_usable(&app) && title_seen(&app, post, None).await == OLD_TITLE,
    )
    .await;
    assert_eq!(metric(&app, "moa_read_replica_usable").await, Some(1.0));

    // The replica stops replaying; the primary moves on.
    execute(&replica_url, "SELECT pg_wal_replay_pause()".to_owned()).await;
    execute(
        &primary_url,
        format!("UPDATE posts SET title = '{NEW_TITLE}' WHERE id = {post}"),
    )
    .await;
    let paused_at = Instant::now();
    let replica_reads_before = metric(&app, "moa_public_reads_total{database=\"replica\"}")
        .await
        .unwrap_or_default();

    // Public reads come from the replica: the old title, through the REST
    // API, the page (its server function) and for a signed-in onlooker.
    assert_eq!(title_seen(&app, post, None).await, OLD_TITLE);
    assert_eq!(
        title_seen(&app, post, Some(&onlooker.token)).await,
        OLD_TITLE
    );
    let (status, page) = app.get_text(&format!("/posts/{post}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(OLD_TITLE) && !page.contains(NEW_TITLE));
    assert!(
        metric(&app, "moa_public_reads_total{database=\"replica\"}")
            .await
            .unwrap_or_default()
            >= replica_reads_before + 3.0
    );

    // A backer who backs sees their backing at once: the primary answers
    // them, past the cached list and the stale replica.
    let (status, body) = backer
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/posts/{post}/backings"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, mine) =
        get_json(&app, &format!("/api/v1/posts/{post}"), Some(&backer.token)).await;
    assert_eq!(status, 200);
    assert_eq!(mine["title"], NEW_TITLE);
    assert_eq!(mine["backer_count"], 1, "{mine}");
    let (_, list) = get_json(&app, "/api/v1/posts", Some(&backer.token)).await;
    assert_eq!(list["items"][0]["backer_count"], 1, "{list}");
    // So does their browser's page, whose server function reads as the
    // session cookie's account.
    let page = app
        .client
        .get(format!("{}/posts/{post}", app.base_url))
        .header("cookie", format!("moa_session={}", backer.token))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains(NEW_TITLE) && !page.contains(OLD_TITLE));
    // Everyone else still reads the replica, which has not replayed it.
    let (_, theirs) = get_json(&app, &format!("/api/v1/posts/{post}"), None).await;
    assert_eq!(theirs["backer_count"], 0, "{theirs}");
    assert!(
        paused_at.elapsed() < MAX_LAG,
        "the steps above took {:?}, longer than the lag the test allows; what they saw proves nothing",
        paused_at.elapsed()
    );

    // A replica further behind than MAX_LAG is left for the primary.
    wait_until(
        "public reads leave the stalled replica",
        MAX_LAG + Duration::from_secs(5),
        async || title_seen(&app, post, None).await == NEW_TITLE,
    )
    .await;
    assert!(!is_usable(&app));
    assert_eq!(metric(&app, "moa_read_replica_usable").await, Some(0.0));

    // Replaying again, it catches up and is used again.
    execute(&replica_url, "SELECT pg_wal_replay_resume()".to_owned()).await;
    wait_until(
        "the replica is in use again",
        Duration::from_secs(10),
        async || is_usable(&app),
    )
    .await;

    // Frozen (accepts connections, answers nothing): reads wait for it at
    // most the replica read limit, once, then go to the primary.
    tokio::task::block_in_place(|| replica.freeze());
    let asked = Instant::now();
    let (status, body) = get_json(&app, &format!("/api/v1/posts/{post}"), None).await;
    let waited = asked.elapsed();
    tokio::task::block_in_place(|| replica.thaw());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["backer_count"], 1, "{body}");
    assert!(
        waited < Duration::from_secs(4),
        "a frozen replica held a read {waited:?}"
    );
    wait_until(
        "the thawed replica is in use again",
        Duration::from_secs(10),
        async || is_usable(&app),
    )
    .await;

    // Stopped: every read is still answered, from the primary.
    tokio::task::block_in_place(|| replica.stop());
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let asked = Instant::now();
        let (status, body) = get_json(&app, &format!("/api/v1/posts/{post}"), None).await;
        // At most one wait for the replica's connection (1 s), never a
        // request's whole time limit.
        assert!(
            asked.elapsed() < Duration::from_secs(3),
            "{:?}",
            asked.elapsed()
        );
        statuses.push(status);
        assert_eq!(body["backer_count"], 1, "{body}");
        statuses.push(get_json(&app, "/api/v1/posts?search=Hanji", None).await.0);
        statuses.push(app.get_text(&format!("/posts/{post}")).await.0);
    }
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    assert!(!is_usable(&app));
    assert_ledger_holds(&app.db).await;
    drop(primary);
}
