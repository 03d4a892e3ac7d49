//! Spawns the real router on a random port against a fresh database.
//! Databases are named after the run (`MOA_TEST_DB_PREFIX`, set by
//! `make test`), which drops them all when the run ends.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::sync::atomic::{AtomicUsize, Ordering};

use app::{clock::Clock, state::AppState};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use server::config::Config;
use sqlx::{Connection, PgConnection, PgPool};

static DATABASE_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// 2026-11-24 12:00 in Seoul.
pub fn test_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn test_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
}

pub fn pg_server_url() -> String {
    std::env::var("MOA_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub fn redis_url() -> String {
    std::env::var("MOA_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Creates an empty database that belongs to this test run.
pub async fn create_database() -> String {
    let prefix = std::env::var("MOA_TEST_DB_PREFIX").unwrap_or_else(|_| "moa_test_manual".into());
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        DATABASE_COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = PgConnection::connect(&format!("{}/postgres", pg_server_url()))
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL for tests: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    format!("{}/{name}", pg_server_url())
}

pub struct TestApp {
    pub base_url: String,
    /// `/metrics` on this app's own metrics listener.
    pub metrics_url: String,
    pub db: PgPool,
    pub state: AppState,
    pub client: reqwest::Client,
}

pub struct Options {
    pub redis_url: String,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `MOA_PUBLIC_ORIGIN`, e.g. `https://moa.example` (unset by default).
    pub public_origin: Option<&'static str>,
    /// What the app's clock says (`test_now()` by default).
    pub now: DateTime<Utc>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            redis_url: redis_url(),
            trusted_proxies: Vec::new(),
            public_origin: None,
            now: test_now(),
        }
    }
}

pub fn config_for(database_url: &str, redis_url: &str) -> Config {
    let vars = [
        ("DATABASE_URL", database_url.to_owned()),
        ("REDIS_URL", redis_url.to_owned()),
        ("MOA_ADDR", "127.0.0.1:0".to_owned()),
        (
            "MOA_JWT_SECRET",
            "test-secret-test-secret-test-secret!".to_owned(),
        ),
        ("MOA_DB_STATEMENT_TIMEOUT_MS", "3000".to_owned()),
    ];
    Config::from_lookup(|key| vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()))
        .unwrap_or_else(|e| panic!("test configuration: {e}"))
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> TestApp {
        let database_url = create_database().await;
        let mut config = config_for(&database_url, &options.redis_url);
        config.trusted_proxies = options.trusted_proxies;
        config.public_origin = options
            .public_origin
            .and_then(server::config::PublicOrigin::parse);
        let db = server::connect_database(&config)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        server::migrate(&db).await.unwrap_or_else(|e| panic!("{e}"));
        let state = server::build_state(&config, db.clone(), Clock::Fixed(options.now));
        Self::serve(state).await
    }

    /// This app's database, for another process (or the binary) to use.
    pub fn database_url(&self) -> String {
        let options = self.state.db.connect_options();
        format!(
            "{}/{}",
            pg_server_url(),
            options.get_database().unwrap_or_default()
        )
    }

    /// A second server process over this one's database (and Redis), as a
    /// deployment with several processes has.
    pub async fn another_process(&self) -> TestApp {
        let config = config_for(&self.database_url(), &redis_url());
        let db = server::connect_database(&config)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        Self::serve(server::build_state(&config, db, self.state.clock.clone())).await
    }

    /// Serves an already-built state (e.g. one whose database is unreachable).
    pub async fn serve(state: AppState) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let router = server::router(
            state.clone(),
            server::Limits {
                request_timeout: std::time::Duration::from_secs(30),
                requests_in_flight: 1024,
            },
        );
        server::live::spawn_listener(state.clone());
        tokio::spawn(app::service::replica::watch(state.clone()));
        tokio::spawn(async move {
            let _ = server::serve(
                listener,
                router,
                std::time::Duration::from_secs(2),
                std::future::pending(),
            )
            .await;
        });
        let metrics_addr = server::observability::metrics::start(
            ([127, 0, 0, 1], 0).into(),
            state.clone(),
            std::time::Duration::from_secs(2),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        TestApp {
            base_url: format!("http://{addr}"),
            metrics_url: format!("http://{metrics_addr}/metrics"),
            db: state.db.clone(),
            state,
            client: reqwest::Client::new(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }
}

/// A publisher account to own test projects.
pub async fn insert_publisher(db: &PgPool, username: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO accounts (username, email, password_hash, role) \
         VALUES ($1, $1 || '@test.moa', '!', 'publisher') RETURNING id",
    )
    .bind(username)
    .fetch_one(db)
    .await
    .unwrap_or_else(|e| panic!("insert publisher: {e}"))
}

pub struct NewPost<'a> {
    pub title: &'a str,
    pub status: &'a str,
    pub target_amount: i64,
    pub total_amount: i64,
    pub backer_count: i64,
    pub end_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub deleted: bool,
}

impl Default for NewPost<'_> {
    fn default() -> Self {
        NewPost {
            title: "A project",
            status: "FUNDING",
            target_amount: 1_000_000,
            total_amount: 0,
            backer_count: 0,
            end_date: test_today() + chrono::Days::new(30),
            created_at: test_now(),
            deleted: false,
        }
    }
}

pub async fn insert_post(db: &PgPool, publisher_id: i64, post: NewPost<'_>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO posts (publisher_id, title, publisher_name, description, target_amount, price, \
                            end_date, status, total_amount, backer_count, created_at, deleted_at) \
         VALUES ($1, $2, 'Test Studio', 'About it', $3, 10000, $4, $5, $6, $7, $8, \
                 CASE WHEN $9 THEN now() END) \
         RETURNING id",
    )
    .bind(publisher_id)
    .bind(post.title)
    .bind(post.target_amount)
    .bind(post.end_date)
    .bind(post.status)
    .bind(post.total_amount)
    .bind(post.backer_count)
    .bind(post.created_at)
    .bind(post.deleted)
    .fetch_one(db)
    .await
    .unwrap_or_else(|e| panic!("insert post {}: {e}", post.title))
}

/// Ends a funding project the way the database allows (along the
/// transitions, logged), for tests that need a project in another status
/// without the money settlement would move: its active backings (written
/// without ledger rows by such tests) are marked paid out or refunded.
/// `CLOSE` goes through `SUCCESS`.
pub async fn end_project(db: &PgPool, post_id: i64, status: &str) {
    let steps: &[(&str, &str, &str)] = match status {
        "SUCCESS" => &[("FUNDING", "SUCCESS", "PAID_OUT")],
        "CLOSE" => &[
            ("FUNDING", "SUCCESS", "PAID_OUT"),
            ("SUCCESS", "CLOSE", "PAID_OUT"),
        ],
        "CANCEL" => &[("FUNDING", "CANCEL", "REFUNDED")],
        other => panic!("cannot end a project as {other}"),
    };
    let mut tx = db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    for (from, to, backings) in steps {
        sqlx::query(
            "UPDATE backings SET status = $2, ended_at = now() WHERE post_id = $1 AND status = 'ACTIVE'",
        )
        .bind(post_id)
        .bind(backings)
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("end the backings of {post_id}: {e}"));
        sqlx::query("UPDATE posts SET status = $2 WHERE id = $1")
            .bind(post_id)
            .bind(to)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("move {post_id} to {to}: {e}"));
        sqlx::query(
            "INSERT INTO post_transitions (post_id, from_status, to_status, actor, happened_at, \
                                           amount_moved, backings_moved) \
             VALUES ($1, $2, $3, 'SETTLEMENT', now(), 0, 0)",
        )
        .bind(post_id)
        .bind(from)
        .bind(to)
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("log {from}→{to}: {e}"));
    }
    tx.commit()
        .await
        .unwrap_or_else(|e| panic!("end project {post_id} as {status}: {e}"));
}

/// An account with a pocket holding `balance`, signed in without a
/// password (accounts made here in bulk would otherwise cost a hash each).
pub async fn account<'a>(
    app: &'a TestApp,
    username: &str,
    role: app::domain::Role,
    balance: i64,
) -> Client<'a> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, email, password_hash, role) \
         VALUES ($1, $1 || '@example.com', '!', $2) RETURNING id",
    )
    .bind(username)
    .bind(role.as_str())
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query(
        "INSERT INTO pockets (account_id, bank, account_number) VALUES ($1, 'KB', '1234567890')",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    if balance > 0 {
        sqlx::query("SELECT ledger_append($1, 'DEPOSIT', $2)")
            .bind(id)
            .bind(balance)
            .execute(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let token = app::service::sessions::start(
        &app.state,
        &app::model::Account {
            id,
            username: username.to_owned(),
            email: format!("{username}@example.com"),
            role,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    Client { app, token }
}

/// An API client with a bearer token.
pub struct Client<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl Client<'_> {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .app
            .client
            .request(method, format!("{}{path}", self.app.base_url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }
}

/// Signs up through the API and logs in: a client carrying the token.
pub async fn signed_up<'a>(app: &'a TestApp, username: &str, role: &str) -> Client<'a> {
    let account = serde_json::json!({ "username": username, "email": format!("{username}@example.com"), "password": "correct horse battery", "role": role });
    let response = app
        .client
        .post(format!("{}/api/v1/accounts", app.base_url))
        .json(&account)
        .send()
        .await;
    assert_eq!(
        response.map(|r| r.status().as_u16()).unwrap_or_default(),
        201
    );
    let credentials =
        serde_json::json!({ "username": username, "password": "correct horse battery" });
    let token: serde_json::Value = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base_url))
        .json(&credentials)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or(serde_json::Value::Null);
    Client {
        app,
        token: token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Fails with the list of broken ledger invariants, if any (see the SQL
/// function `ledger_violations`): running sums, pocket balances, escrow,
/// project totals and conservation of money.
pub async fn assert_ledger_holds(db: &PgPool) {
    #[derive(Debug, sqlx::FromRow)]
    #[allow(dead_code)] // Read through Debug when the assertion fails.
    struct Violation {
        problem: String,
        account_id: Option<i64>,
        post_id: Option<i64>,
        detail: Option<String>,
    }
    let broken: Vec<Violation> =
        sqlx::query_as("SELECT problem, account_id, post_id, detail FROM ledger_violations()")
            .fetch_all(db)
            .await
            .unwrap_or_else(|e| panic!("ledger check: {e}"));
    assert!(broken.is_empty(), "the ledger does not hold: {broken:#?}");
}

/// Runs futures concurrently on this task (no extra dependency), results
/// in the order given.
pub async fn join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pending: Vec<(usize, std::pin::Pin<Box<F>>)> =
        futures.into_iter().map(Box::pin).enumerate().collect();
    let mut results: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        pending.retain_mut(|(index, future)| match future.as_mut().poll(cx) {
            std::task::Poll::Ready(output) => {
                results[*index] = Some(output);
                false
            }
            std::task::Poll::Pending => true,
        });
        if pending.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    results.into_iter().flatten().collect()
}
