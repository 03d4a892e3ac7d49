//! Faults (issue #14): Redis stopped and restarted, Redis hung, PostgreSQL
//! restarted and the settlement binary killed, each under load, with the
//! ledger checked after each (in SQL and with `server ledger-check`).
//! Each test runs its own PostgreSQL cluster or Redis on other loopback
//! ports (`common/clusters.rs`); the shared servers are never stopped.
//! Slow: `make test-faults` runs them (`-- --ignored --test-threads=1`).

#[path = "common/clusters.rs"]
mod clusters;
mod common;

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use app::{clock::Clock, domain::Role, metrics};
use clusters::{PrivatePostgres, PrivateRedis};
use common::{
    Client, NewPost, Options, TestApp, account, assert_ledger_holds, insert_post, insert_publisher,
    join_all,
};
use reqwest::Method;
use serde_json::Value;
use sqlx::{Connection, PgConnection};

const PRICE: i64 = 10_000; // what `insert_post` charges per backing
const START: i64 = 10_000_000;

/// One request's answer (0 when no HTTP answer came) and how long it took.
async fn request(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
) -> (u16, Value, Duration) {
    let started = Instant::now();
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.base_url))
        .timeout(Duration::from_secs(20));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.json().await.unwrap_or(Value::Null);
            (status, body, started.elapsed())
        }
        Err(_) => (0, Value::Null, started.elapsed()),
    }
}

async fn back(client: &Client<'_>, post: i64) -> (u16, Value, Duration) {
    request(
        client.app,
        Method::POST,
        &format!("/api/v1/posts/{post}/backings"),
        Some(&client.token),
    )
    .await
}

async fn projects(app: &TestApp, name: &str, count: usize) -> Vec<i64> {
    let publisher = insert_publisher(&app.db, &name.to_lowercase().replace(' ', "_")).await;
    let mut posts = Vec::new();
    for n in 0..count {
        posts.push(
            insert_post(
                &app.db,
                publisher,
                NewPost {
                    title: &format!("{name} {n}"),
                    ..NewPost::default()
                },
            )
            .await,
        );
    }
    posts
}

async fn backers<'a>(app: &'a TestApp, prefix: &str, count: usize) -> Vec<Client<'a>> {
    let mut clients = Vec::new();
    for n in 0..count {
        clients.push(account(app, &format!("{prefix}_{n}"), Role::Backer, START).await);
    }
    clients
}

/// `server ledger-check` against `database_url` exits 0.
fn ledger_check_cli(database_url: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("ledger-check")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap_or_else(|e| panic!("cannot start the server binary: {e}"));
    assert!(
        out.status.success(),
        "server ledger-check failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reads (list, detail) and backings by every backer, one after another
/// per backer until `until`; every answer as (what, status, elapsed).
async fn load(
    app: &TestApp,
    people: &[Client<'_>],
    posts: &[i64],
    until: Instant,
) -> Vec<(String, u16, Duration)> {
    let runs = people.iter().enumerate().map(|(n, backer)| async move {
        let mut answers = Vec::new();
        let mut next = n % posts.len();
        let mut backed = 0;
        while Instant::now() < until {
            let post = posts[next];
            let (status, _, took) = request(app, Method::GET, "/api/v1/posts", None).await;
            answers.push(("list".to_owned(), status, took));
            let (status, _, took) = request(
                app,
                Method::GET,
                &format!("/api/v1/posts/{post}"),
                Some(&backer.token),
            )
            .await;
            answers.push((format!("detail {post}"), status, took));
            if backed < posts.len() {
                let (status, body, took) = back(backer, post).await;
                answers.push((format!("backing {n} {post}: {body}"), status, took));
                backed += 1;
                next = (next + 1) % posts.len();
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        answers
    });
    join_all(runs).await.into_iter().flatten().collect()
}

fn failures(answers: &[(String, u16, Duration)]) -> Vec<&(String, u16, Duration)> {
    answers
        .iter()
        .filter(|(_, status, _)| !(200..300).contains(status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fault test: make test-faults"]
async fn redis_stopped_and_restarted_under_load_fails_nothing_and_caching_resumes() {
    let mut redis = PrivateRedis::start();
    let app = TestApp::spawn_with(Options {
        redis_url: redis.url(),
        ..Options::default()
    })
    .await;
    let posts = projects(&app, "Redis fault", 60).await;
    let people = backers(&app, "redis_fault_backer", 8).await;

    let started = Instant::now();
    let until = started + Duration::from_secs(7);
    let chaos = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        tokio::task::block_in_place(|| redis.stop());
        let stopped_at = started.elapsed();
        tokio::time::sleep(Duration::from_secs(3)).await;
        tokio::task::block_in_place(|| redis.restart());
        (stopped_at, started.elapsed())
    };
    let (answers, (stopped_at, restarted_at)) =
        tokio::join!(load(&app, &people, &posts, until), chaos);
    let failed = failures(&answers);
    let backings = answers
        .iter()
        .filter(|(what, status, _)| what.starts_with("backing") && *status == 201)
        .count();
    println!(
        "redis stopped at {stopped_at:?}, restarted at {restarted_at:?}: {} requests, {backings} backings, {} failed",
        answers.len(),
        failed.len()
    );
    assert!(
        failed.is_empty(),
        "failed while Redis was away: {failed:#?}"
    );
    assert!(backings > 0);

    // After the back-off, the restarted Redis is used again: cached reads hit.
    let hits_before = metrics::cache_hits(metrics::Cache::Redis);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut resumed = false;
    while Instant::now() < deadline && !resumed {
        for backer in &people {
            let (status, _, _) =
                request(&app, Method::GET, "/api/v1/me", Some(&backer.token)).await;
            assert_eq!(status, 200);
        }
        let (status, _, _) = request(&app, Method::GET, "/api/v1/posts?page=2", None).await;
        assert_eq!(status, 200);
        resumed = metrics::cache_hits(metrics::Cache::Redis) > hits_before;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(resumed, "no Redis cache hit after Redis came back");
    assert_ledger_holds(&app.db).await;
    ledger_check_cli(&app.database_url());
}

/// A "Redis" that accepts connections and never answers.
async fn hung_redis() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("redis://127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fault test: make test-faults"]
async fn a_hung_redis_slows_no_read_or_backing_past_its_bound() {
    let app = TestApp::spawn_with(Options {
        redis_url: hung_redis().await,
        ..Options::default()
    })
    .await;
    let posts = projects(&app, "Hung Redis", 30).await;
    let people = backers(&app, "hung_redis_backer", 6).await;
    let until = Instant::now() + Duration::from_secs(6);
    let answers = load(&app, &people, &posts, until).await;
    let failed = failures(&answers);
    let slowest = answers
        .iter()
        .map(|(_, _, took)| *took)
        .max()
        .unwrap_or_default();
    let slow: Vec<_> = answers
        .iter()
        .filter(|(_, _, took)| *took >= Duration::from_secs(3))
        .collect();
    println!(
        "hung redis: {} requests, {} failed, slowest {slowest:?}",
        answers.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failed with Redis hung: {failed:#?}");
    assert!(
        slow.is_empty(),
        "slower than 3 s with Redis hung: {slow:#?}"
    );
    assert!(
        answers
            .iter()
            .any(|(what, status, _)| what.starts_with("backing") && *status == 201)
    );
    assert_ledger_holds(&app.db).await;
    ledger_check_cli(&app.database_url());
}

/// When the PostgreSQL server (re)started.
async fn postmaster_started(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT pg_postmaster_start_time()::text")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fault test: make test-faults"]
async fn postgres_restarted_under_backing_load_loses_no_money_and_the_pool_recovers() {
    let cluster = tokio::task::spawn_blocking(PrivatePostgres::start)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut admin = PgConnection::connect(&format!("{}/postgres", cluster.server_url()))
        .await
        .unwrap_or_else(|e| panic!("cannot reach the private cluster: {e}"));
    sqlx::raw_sql("CREATE DATABASE moa_faults")
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    drop(admin);
    let database_url = format!("{}/moa_faults", cluster.server_url());
    let redis = PrivateRedis::start();
    let config = common::config_for(&database_url, &redis.url());
    let db = server::connect_database(&config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server::migrate(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let app = TestApp::serve(server::build_state(
        &config,
        db,
        Clock::Fixed(common::test_now()),
    ))
    .await;
    let posts = projects(&app, "Restart", 80).await;
    let people = backers(&app, "restart_backer", 10).await;

    let booted_before = postmaster_started(&app).await;
    let started = Instant::now();
    let until = started + Duration::from_secs(8);
    let cluster_ref = &cluster;
    let chaos = async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let at = started.elapsed();
        tokio::task::block_in_place(|| cluster_ref.restart_fast());
        (at, started.elapsed())
    };
    let (answers, (restart_began, restart_ended)) =
        tokio::join!(load(&app, &people, &posts, until), chaos);
    let backings: Vec<_> = answers
        .iter()
        .filter(|(what, _, _)| what.starts_with("backing"))
        .collect();
    let failed = failures(&answers);
    println!(
        "postgres restarted from {restart_began:?} to {restart_ended:?}: {} requests, {} backings tried, {} failed",
        answers.len(),
        backings.len(),
        failed.len()
    );
    for (what, status, took) in &failed {
        println!("  answered {status} after {took:?}: {what}");
    }
    // What failed while PostgreSQL was away said so: 503, to try again,
    // never a 500 that reads as a bug.
    assert!(
        failed.iter().all(|(_, status, _)| *status == 503),
        "answers other than 503 while PostgreSQL restarted: {failed:?}"
    );

    // The pool recovers by itself: within a bound, everything works again.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, _, _) = request(&app, Method::GET, "/api/v1/posts", None).await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "reads did not recover: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_ne!(
        postmaster_started(&app).await,
        booted_before,
        "PostgreSQL was not restarted"
    );
    let fresh = projects(&app, "After restart", 1).await;
    for backer in &people {
        let (status, body, _) = back(backer, fresh[0]).await;
        assert_eq!(status, 201, "a backing after the restart failed: {body}");
    }

    // Every backing the API confirmed exists with its payment, every one it
    // refused left nothing, and each pocket paid for exactly its backings.
    for n in 0..people.len() {
        let account_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
            .bind(format!("restart_backer_{n}"))
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mine: Vec<(i64, bool)> = sqlx::query_as(
            "SELECT b.post_id, e.id IS NOT NULL FROM backings b \
               LEFT JOIN ledger_entries e ON e.id = b.payment_entry_id AND e.kind = 'BACKING' \
              WHERE b.backer_id = $1 AND b.status = 'ACTIVE'",
        )
        .bind(account_id)
        .fetch_all(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            mine.iter().all(|(_, paid)| *paid),
            "backer {n}: a backing without its payment"
        );
        let stored: BTreeSet<i64> = mine.iter().map(|(post, _)| *post).collect();
        let mut confirmed: BTreeSet<i64> = answers
            .iter()
            .filter(|(_, status, _)| *status == 201)
            .filter_map(|(what, _, _)| {
                let rest = what.strip_prefix(&format!("backing {n} "))?;
                rest.split(':').next()?.parse().ok()
            })
            .collect();
        confirmed.insert(fresh[0]);
        assert_eq!(
            stored, confirmed,
            "backer {n}: the backings stored are not the ones the API confirmed"
        );
        let balance: i64 = sqlx::query_scalar("SELECT balance FROM pockets WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            balance,
            START - PRICE * i64::try_from(stored.len()).unwrap_or_default(),
            "backer {n} paid for other than their backings"
        );
    }
    assert_ledger_holds(&app.db).await;
    ledger_check_cli(&database_url);
}

/// Loads `projects` due projects (their last day was yesterday, real date,
/// Seoul) with `per_project` backings each, paid through the ledger; even
/// ones reach their target, odd ones miss it.
async fn due_projects(app: &TestApp, projects: i64, per_project: i64, backers: i64) {
    let mut tx = app.db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let steps = [
        "SET LOCAL statement_timeout = 0",
        "INSERT INTO accounts (username, email, password_hash, role) \
         SELECT 'kill_publisher_' || g, 'kill_publisher_' || g || '@example.com', '!', 'publisher' \
           FROM generate_series(1, 10) g",
        "INSERT INTO accounts (username, email, password_hash, role) \
         SELECT 'kill_backer_' || g, 'kill_backer_' || g || '@example.com', '!', 'backer' \
           FROM generate_series(1, $3) g",
        "INSERT INTO pockets (account_id, bank, account_number) \
         SELECT id, 'KB', '1101234567' FROM accounts WHERE username LIKE 'kill\\_%'",
        "SELECT count(ledger_append(id, 'DEPOSIT', 5000000)) FROM accounts \
          WHERE username LIKE 'kill\\_backer\\_%'",
        "INSERT INTO posts (publisher_id, title, publisher_name, description, target_amount, price, end_date, status) \
         SELECT (SELECT id FROM accounts WHERE username = 'kill_publisher_' || (1 + g % 10)), \
                'Due project ' || g, 'Kill Studio', 'A due project.', \
                CASE WHEN g % 2 = 0 THEN $2 * 10000 ELSE $2 * 10000 * 10 END, \
                10000, (now() AT TIME ZONE 'Asia/Seoul')::date - 1, 'FUNDING' \
           FROM generate_series(1, $1) g",
        "INSERT INTO backings (post_id, backer_id, amount, created_at) \
         SELECT p.id, b.id, 10000, now() - interval '2 days' \
           FROM posts p CROSS JOIN generate_series(0, $2 - 1) k \
           JOIN accounts b ON b.username = 'kill_backer_' || (1 + (p.id * 7 + k * 13) % $3) \
         ON CONFLICT DO NOTHING",
        "SELECT count(ledger_append(b.backer_id, 'BACKING', -b.amount, b.post_id, NULL, b.created_at)) \
           FROM (SELECT * FROM backings ORDER BY backer_id, id) b",
        "UPDATE backings b SET payment_entry_id = e.id FROM ledger_entries e \
          WHERE e.kind = 'BACKING' AND e.account_id = b.backer_id AND e.post_id = b.post_id",
        "UPDATE posts p SET total_amount = s.total, backer_count = s.n \
           FROM (SELECT post_id, sum(amount)::bigint AS total, count(*) AS n FROM backings GROUP BY post_id) s \
          WHERE s.post_id = p.id",
    ];
    for step in steps {
        let mut query = sqlx::query(step);
        if step.contains('$') {
            query = query.bind(projects).bind(per_project).bind(backers);
        }
        query
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("loading due projects ({step}): {e}"));
    }
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
}

fn settle_command(database_url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .arg("settle")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", common::redis_url())
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fault test: make test-faults"]
async fn settlement_killed_with_sigkill_and_run_again_settles_every_project_once() {
    const PROJECTS: i64 = 300;
    const PER_PROJECT: i64 = 8;
    let app = TestApp::spawn().await;
    due_projects(&app, PROJECTS, PER_PROJECT, 500).await;
    let backings = count(&app, "SELECT count(*) FROM backings").await;
    assert_ledger_holds(&app.db).await;

    let database_url = app.database_url();
    let mut first = settle_command(&database_url)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the server binary: {e}"));
    // Killed once it has settled some, well before all.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = count(&app, "SELECT count(*) FROM post_transitions").await;
        if done >= 20 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "settlement never started ({done} settled)"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first
        .kill()
        .unwrap_or_else(|e| panic!("cannot kill the settlement pass: {e}"));
    let _ = first.wait();
    let at_kill = count(&app, "SELECT count(*) FROM post_transitions").await;
    println!("settlement killed (SIGKILL) after {at_kill} of {PROJECTS} projects");
    assert!(at_kill < PROJECTS, "the pass finished before it was killed");
    assert_ledger_holds(&app.db).await;

    let again = tokio::task::spawn_blocking(move || settle_command(&database_url).status())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("cannot run the server binary: {e}"));
    assert!(again.success(), "the second pass failed: {again}");

    assert_eq!(
        count(&app, "SELECT count(*) FROM posts WHERE status = 'FUNDING'").await,
        0,
        "a project was left funding"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM (SELECT post_id FROM post_transitions GROUP BY post_id \
              HAVING count(*) = 1) once"
        )
        .await,
        PROJECTS,
        "every project has exactly one transition"
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM post_transitions").await,
        PROJECTS
    );
    // A successful project paid its publisher once; a cancelled one
    // refunded each of its backings once, and paid nobody.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM posts p WHERE p.status = 'SUCCESS' AND \
               (SELECT count(*) FROM ledger_entries e WHERE e.post_id = p.id AND e.kind = 'PAYOUT') <> 1"
        )
        .await,
        0,
        "a successful project paid out other than once"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM posts p WHERE p.status = 'CANCEL' AND \
               ((SELECT count(*) FROM ledger_entries e WHERE e.post_id = p.id AND e.kind = 'REFUND') \
                  <> p.backer_count \
                OR EXISTS (SELECT 1 FROM ledger_entries e WHERE e.post_id = p.id AND e.kind = 'PAYOUT'))"
        )
        .await,
        0,
        "a cancelled project refunded other than once per backing"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM backings WHERE status NOT IN ('PAID_OUT', 'REFUNDED')"
        )
        .await,
        0
    );
    assert_eq!(count(&app, "SELECT count(*) FROM backings").await, backings);
    assert_ledger_holds(&app.db).await;
    ledger_check_cli(&app.database_url());
}
