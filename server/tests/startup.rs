//! The binary fails fast, with one line naming the cause.

mod common;

use std::process::{Command, Output};

fn run_server(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (key, value) in vars {
        command.env(key, value);
    }
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot start the server binary: {e}"))
}

fn single_stderr_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {stderr}");
    lines[0].to_owned()
}

#[test]
fn an_unreachable_database_stops_start_up() {
    let output = run_server(
        &["serve"],
        &[("DATABASE_URL", "postgres://postgres:secret@127.0.0.1:1/moa")],
    );
    assert!(!output.status.success());
    let line = single_stderr_line(&output);
    assert!(
        line.starts_with(
            "moa: cannot connect to PostgreSQL at postgres://postgres:***@127.0.0.1:1/moa"
        ),
        "{line}"
    );
    assert!(!line.contains("secret"), "the password leaked: {line}");
}

#[test]
fn missing_configuration_stops_start_up() {
    let output = run_server(&["serve"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(single_stderr_line(&output).contains("DATABASE_URL is not set"));
}

#[test]
fn production_without_a_jwt_secret_stops_start_up() {
    let output = run_server(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moa"),
            ("MOA_ENV", "production"),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(single_stderr_line(&output).contains("MOA_JWT_SECRET is required"));
}

#[test]
fn an_unknown_command_is_refused() {
    let output = run_server(&["explode"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(single_stderr_line(&output).contains("unknown command"));
}

#[tokio::test]
async fn demo_data_loads_once_with_every_status() {
    let database_url = common::create_database().await;
    let config = common::config_for(&database_url, &common::redis_url());
    let db = server::connect_database(&config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server::migrate(&db).await.unwrap_or_else(|e| panic!("{e}"));

    for _ in 0..2 {
        server::demo::load(&db, common::test_today())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM posts GROUP BY status ORDER BY status")
            .fetch_all(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    let count_of = |status: &str| {
        counts
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    assert!(count_of("FUNDING") >= 30, "{counts:?}");
    for status in ["SUCCESS", "CLOSE", "CANCEL"] {
        assert!(count_of(status) > 0, "no {status} project: {counts:?}");
    }
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 44, "loading twice must not duplicate: {counts:?}");

    // Totals agree with the backings they summarise.
    let mismatched: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM posts p \
          WHERE p.total_amount <> (SELECT coalesce(sum(amount), 0) FROM backings b WHERE b.post_id = p.id) \
             OR p.backer_count <> (SELECT count(*) FROM backings b WHERE b.post_id = p.id)",
    )
    .fetch_one(&db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mismatched, 0);

    // The demo logins can log in; the pockets agree with their ledgers.
    for username in server::demo::DEMO_LOGINS {
        let hash: String =
            sqlx::query_scalar("SELECT password_hash FROM accounts WHERE username = $1")
                .bind(username)
                .fetch_one(&db)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        let verified =
            app::service::auth::verify_password(server::demo::DEMO_PASSWORD.to_owned(), hash)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(verified, "{username} cannot log in");
    }
    // Every won in the demo came through the ledger: deposits, backings
    // and payouts, written by the same SQL function the app uses.
    common::assert_ledger_holds(&db).await;
    let backers_without_pockets: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT b.backer_id) FROM backings b \
          WHERE NOT EXISTS (SELECT 1 FROM pockets p WHERE p.account_id = b.backer_id)",
    )
    .fetch_one(&db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(backers_without_pockets, 0);
    let demo_backer_balance: i64 = sqlx::query_scalar(
        "SELECT p.balance FROM pockets p JOIN accounts a ON a.id = p.account_id \
          WHERE a.username = 'demo_backer_1'",
    )
    .fetch_one(&db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(demo_backer_balance, 300_000, "the README promises ₩300,000");

    // Funding projects are still open on the day the demo was loaded.
    let ended_but_funding: i64 =
        sqlx::query_scalar("SELECT count(*) FROM posts WHERE status = 'FUNDING' AND end_date < $1")
            .bind(common::test_today())
            .fetch_one(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ended_but_funding, 0);
}

/// Demo data has well-known passwords: it never goes into production.
#[tokio::test]
async fn seed_demo_refuses_production() {
    let database_url = common::create_database().await;
    let output = run_server(
        &["seed-demo"],
        &[
            ("DATABASE_URL", &database_url),
            ("MOA_ENV", "production"),
            ("MOA_JWT_SECRET", "production-secret-production-secret!"),
            ("MOA_PUBLIC_ORIGIN", "https://moa.example"),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(single_stderr_line(&output).contains("seed-demo"));
    let mut db = <sqlx::PgConnection as sqlx::Connection>::connect(&database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'accounts'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tables, 0, "it touched the database before refusing");
}

/// A runaway query or a transaction left open cannot hold a connection
/// forever: the pool's connections carry time limits.
#[tokio::test]
async fn database_connections_carry_time_limits() {
    let app = common::TestApp::spawn().await;
    for setting in ["statement_timeout", "idle_in_transaction_session_timeout"] {
        let value: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(value, "0", "{setting} is unlimited");
    }
    let slow = sqlx::query("SELECT pg_sleep(20)").execute(&app.db).await;
    let error = slow
        .err()
        .unwrap_or_else(|| panic!("a 20 s query ran to the end"));
    assert!(error.to_string().contains("statement timeout"), "{error}");
}

/// `server ledger-check` tells an operator where every won is, and fails
/// when the ledger does not hold.
#[tokio::test]
async fn ledger_check_reports_and_fails_on_a_broken_ledger() {
    let database_url = common::create_database().await;
    let config = common::config_for(&database_url, &common::redis_url());
    let db = server::connect_database(&config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server::migrate(&db).await.unwrap_or_else(|e| panic!("{e}"));
    server::demo::load(&db, common::test_today())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let vars = [("DATABASE_URL", database_url.as_str())];
    let sound = run_server(&["ledger-check"], &vars);
    let report = String::from_utf8_lossy(&sound.stdout);
    assert_eq!(sound.status.code(), Some(0), "{report}");
    assert!(
        report.contains("ledger holds") && report.contains("in escrow"),
        "{report}"
    );

    // Forge a balance behind the ledger's back (as a superuser could).
    sqlx::raw_sql(
        "ALTER TABLE pockets DISABLE TRIGGER pockets_balance_follows_ledger; \
         UPDATE pockets SET balance = balance + 1 WHERE account_id = (SELECT min(account_id) FROM pockets); \
         ALTER TABLE pockets ENABLE TRIGGER pockets_balance_follows_ledger;",
    )
    .execute(&db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let broken = run_server(&["ledger-check"], &vars);
    let report = String::from_utf8_lossy(&broken.stdout);
    assert_eq!(broken.status.code(), Some(1), "{report}");
    assert!(report.contains("BROKEN pocket_balance"), "{report}");
}

/// A second Moa on one machine (two `make run`s, say) finds the default
/// metrics port taken: it serves without metrics rather than not at all.
/// A metrics address set on purpose must be had, or start-up stops.
#[tokio::test]
async fn a_taken_default_metrics_port_costs_metrics_not_the_server() {
    let database_url = common::create_database().await;
    // Held by this test, or already by someone else: taken either way.
    let _held = std::net::TcpListener::bind("127.0.0.1:9464");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &database_url)
        .env("REDIS_URL", common::redis_url())
        .env("MOA_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the server binary: {e}"));
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let served = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Err(format!("the server exited: {status}"));
        }
        let answer = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await;
        if answer.is_ok_and(|answer| answer.status().is_success()) {
            break Ok(());
        }
        if std::time::Instant::now() > deadline {
            break Err("no answer within 30 s".to_owned());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    served.unwrap_or_else(|why| panic!("{why}"));

    // A port this test holds for the whole run: never free for the server.
    let chosen = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| Ok((listener.local_addr()?, listener)))
        .unwrap_or_else(|e| panic!("no free port: {e}"));
    let chosen_addr = chosen.0.to_string();
    let output = run_server(
        &["serve"],
        &[
            ("DATABASE_URL", database_url.as_str()),
            ("MOA_ADDR", "127.0.0.1:0"),
            ("MOA_METRICS_ADDR", chosen_addr.as_str()),
        ],
    );
    assert!(!output.status.success());
    assert!(single_stderr_line(&output).contains(&chosen_addr));
}
