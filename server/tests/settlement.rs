//! Settlement and the owner's cancel and close: every project ends exactly
//! once, backers are refunded or the publisher is paid, under concurrency
//! and after a pass dies midway, with the ledger checked after each.

mod common;

use app::{domain::Role, service::settlement};
use chrono::{Days, NaiveDate};
use common::{Client, NewPost, TestApp, account, assert_ledger_holds, insert_post, test_today};
use reqwest::Method;
use serde_json::{Value, json};

const PRICE: i64 = 10_000; // what `insert_post` charges per backing
/// What each of `backers` holds before backing anything.
const START: i64 = 1_000_000;

fn code(body: &Value) -> &Value {
    &body["error"]["code"]
}

async fn id_of(client: &Client<'_>) -> i64 {
    let (_, me) = client.send(Method::GET, "/api/v1/me", None).await;
    me["id"].as_i64().unwrap_or(-1)
}

async fn balance(client: &Client<'_>) -> i64 {
    let (_, me) = client.send(Method::GET, "/api/v1/me", None).await;
    me["pocket"]["balance"].as_i64().unwrap_or(-1)
}

/// A funding project of `publisher` ending on `end_date`.
async fn project(
    app: &TestApp,
    publisher: &Client<'_>,
    title: &str,
    target: i64,
    end_date: NaiveDate,
) -> i64 {
    insert_post(
        &app.db,
        id_of(publisher).await,
        NewPost {
            title,
            target_amount: target,
            end_date,
            ..NewPost::default()
        },
    )
    .await
}

async fn back(client: &Client<'_>, post: i64) -> (u16, Value) {
    client
        .send(
            Method::POST,
            &format!("/api/v1/posts/{post}/backings"),
            None,
        )
        .await
}

async fn status_of(app: &TestApp, post: i64) -> String {
    sqlx::query_scalar("SELECT status FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// How many times money of `kind` moved for `post` (each backing may be
/// refunded or paid out once).
async fn entries_of(app: &TestApp, post: i64, kind: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*), coalesce(sum(amount), 0)::bigint FROM ledger_entries \
          WHERE post_id = $1 AND kind = $2",
    )
    .bind(post)
    .bind(kind)
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn settle(app: &TestApp, today: NaiveDate) -> Vec<i64> {
    settlement::settle_due(&app.state, today, || false)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
        .into_iter()
        .map(|done| done.post_id)
        .collect()
}

async fn backers<'a>(app: &'a TestApp, prefix: &str, count: usize) -> Vec<Client<'a>> {
    let mut clients = Vec::new();
    for n in 0..count {
        clients.push(account(app, &format!("{prefix}_{n}"), Role::Backer, START).await);
    }
    clients
}

#[tokio::test]
async fn a_project_at_its_target_succeeds_and_one_won_short_is_cancelled() {
    let app = TestApp::spawn().await;
    let last_day = test_today() + Days::new(3);
    let han = account(&app, "han_settles", Role::Publisher, 0).await;
    let met = project(&app, &han, "Exactly met", 3 * PRICE, last_day).await;
    let short = project(&app, &han, "One won short", 3 * PRICE + 1, last_day).await;
    let people = backers(&app, "settle_backer", 3).await;
    for backer in &people {
        for post in [met, short] {
            let (status, body) = back(backer, post).await;
            assert_eq!(status, 201, "{body}");
        }
    }

    // On the last day nothing is due; a dry run the day after changes nothing.
    assert_eq!(settle(&app, last_day).await, Vec::<i64>::new());
    let after = last_day + Days::new(1);
    let foreseen = settlement::preview(&app.state, after)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let foreseen: Vec<_> = foreseen
        .iter()
        .map(|s| {
            (
                s.post_id,
                s.to.as_str(),
                s.amount_moved.as_won(),
                s.backings_moved,
            )
        })
        .collect();
    assert_eq!(
        foreseen,
        [
            (met, "SUCCESS", 3 * PRICE, 3),
            (short, "CANCEL", 3 * PRICE, 3)
        ]
    );
    assert_eq!(
        status_of(&app, met).await,
        "FUNDING",
        "a dry run changes nothing"
    );

    assert_eq!(settle(&app, after).await, [met, short]);
    assert_eq!(status_of(&app, met).await, "SUCCESS");
    assert_eq!(status_of(&app, short).await, "CANCEL");
    assert_eq!(balance(&han).await, 3 * PRICE, "the publisher was paid");
    for backer in &people {
        assert_eq!(balance(backer).await, START - PRICE, "refunded once");
        let (_, mine) = backer.send(Method::GET, "/api/v1/me/backings", None).await;
        let statuses: Vec<_> = mine
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| (item["post"]["id"].clone(), item["status"].clone()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            statuses,
            [
                (json!(short), json!("REFUNDED")),
                (json!(met), json!("PAID_OUT"))
            ]
        );
        let (_, entries) = backer
            .send(Method::GET, "/api/v1/me/pocket/entries", None)
            .await;
        assert_eq!(entries["items"][0]["kind"], "REFUND");
        assert_eq!(
            entries["items"][0]["post_title"], "One won short",
            "{entries}"
        );
    }
    assert_eq!(entries_of(&app, met, "PAYOUT").await, (1, 3 * PRICE));
    assert_eq!(entries_of(&app, short, "REFUND").await, (3, 3 * PRICE));

    let (status, history) = han
        .send(
            Method::GET,
            &format!("/api/v1/me/posts/{short}/transitions"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            &history[0]["from"],
            &history[0]["to"],
            &history[0]["by"],
            &history[0]["amount_moved"],
            &history[0]["backings_moved"]
        ),
        (
            &json!("FUNDING"),
            &json!("CANCEL"),
            &json!("SETTLEMENT"),
            &json!(3 * PRICE),
            &json!(3)
        )
    );

    // A second pass, or one on a later day, repeats nothing.
    assert_eq!(settle(&app, after + Days::new(5)).await, Vec::<i64>::new());
    assert_eq!(entries_of(&app, short, "REFUND").await, (3, 3 * PRICE));
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn passes_started_at_once_settle_each_project_once() {
    let app = TestApp::spawn().await;
    let last_day = test_today() + Days::new(1);
    let han = account(&app, "han_parallel", Role::Publisher, 0).await;
    let people = backers(&app, "parallel_backer", 4).await;
    let mut projects = Vec::new();
    for n in 0..24 {
        // Even projects reach their target of two backings, odd ones miss it.
        let target = if n % 2 == 0 { 2 * PRICE } else { 5 * PRICE };
        let post = project(&app, &han, &format!("Parallel {n}"), target, last_day).await;
        for backer in &people[..2] {
            assert_eq!(back(backer, post).await.0, 201);
        }
        projects.push(post);
    }
    let after = last_day + Days::new(1);
    let passes = common::join_all((0..4).map(|_| settle(&app, after))).await;
    let mut settled: Vec<i64> = passes.into_iter().flatten().collect();
    settled.sort_unstable();
    assert_eq!(settled, projects, "every project once, by one pass");
    let transitions: i64 = sqlx::query_scalar("SELECT count(*) FROM post_transitions")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(transitions, 24);
    assert_eq!(balance(&han).await, 12 * 2 * PRICE);
    for backer in &people[..2] {
        assert_eq!(balance(backer).await, START - 24 * PRICE + 12 * PRICE);
    }
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn a_pass_killed_midway_and_run_again_loses_and_repeats_nothing() {
    let app = TestApp::spawn().await;
    let last_day = test_today() + Days::new(1);
    let han = account(&app, "han_killed", Role::Publisher, 0).await;
    let people = backers(&app, "killed_backer", 8).await;
    let mut projects = Vec::new();
    for n in 0..40 {
        let post = project(&app, &han, &format!("Killed {n}"), 100 * PRICE, last_day).await;
        for backer in &people {
            assert_eq!(back(backer, post).await.0, 201);
        }
        projects.push(post);
    }
    let after = last_day + Days::new(1);
    // Abort a pass once it has settled a project: it dies inside the next
    // project's transaction (or between two), as a killed process would.
    let state = app.state.clone();
    let pass = tokio::spawn(async move {
        let _ = settlement::settle_due(&state, after, || false).await;
    });
    loop {
        let done: i64 = sqlx::query_scalar("SELECT count(*) FROM post_transitions")
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if done >= 1 || pass.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    pass.abort();
    let _ = pass.await;
    // A COMMIT already sent still completes on the server after the abort:
    // count only once no other session of this database is busy.
    loop {
        let busy: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        if busy == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let cancelled_first: i64 =
        sqlx::query_scalar("SELECT count(*) FROM posts WHERE status = 'CANCEL'")
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        (1..40).contains(&cancelled_first),
        "the pass died midway ({cancelled_first} of 40 done)"
    );
    assert_ledger_holds(&app.db).await;

    let rest = settle(&app, after).await;
    assert_eq!(rest.len() as i64, 40 - cancelled_first, "the rest, once");
    for post in projects {
        assert_eq!(status_of(&app, post).await, "CANCEL");
        assert_eq!(entries_of(&app, post, "REFUND").await, (8, 8 * PRICE));
    }
    for backer in &people {
        assert_eq!(balance(backer).await, START);
    }
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn an_owner_cancels_and_fifty_backers_are_refunded_exactly() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_cancels", Role::Publisher, 0).await;
    let rival = account(&app, "rival_cancels", Role::Publisher, 0).await;
    let post = project(
        &app,
        &han,
        "Called off",
        1_000 * PRICE,
        test_today() + Days::new(9),
    )
    .await;
    let people = backers(&app, "refunded", 50).await;
    for backer in &people {
        assert_eq!(back(backer, post).await.0, 201);
    }
    let cancel_path = format!("/api/v1/posts/{post}/cancel");
    let (status, body) = rival.send(Method::POST, &cancel_path, None).await;
    assert_eq!((status, code(&body)), (403, &json!("FORBIDDEN")));
    let (status, body) = people[0].send(Method::POST, &cancel_path, None).await;
    assert_eq!((status, code(&body)), (403, &json!("FORBIDDEN")));

    let (status, detail) = han.send(Method::POST, &cancel_path, None).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["status"], "CANCEL");
    for backer in &people {
        assert_eq!(balance(backer).await, START);
    }
    assert_eq!(entries_of(&app, post, "REFUND").await, (50, 50 * PRICE));
    let (status, body) = han.send(Method::POST, &cancel_path, None).await;
    assert_eq!((status, code(&body)), (409, &json!("INVALID_TRANSITION")));
    let (status, body) = han
        .send(Method::POST, &format!("/api/v1/posts/{post}/close"), None)
        .await;
    assert_eq!((status, code(&body)), (409, &json!("INVALID_TRANSITION")));
    let (status, body) = back(&people[1], post).await;
    assert_eq!((status, code(&body)), (409, &json!("POST_NOT_FUNDING")));
    let (_, history) = han
        .send(
            Method::GET,
            &format!("/api/v1/me/posts/{post}/transitions"),
            None,
        )
        .await;
    assert_eq!(history[0]["by"], "OWNER");
    assert_eq!(history[0]["amount_moved"], 50 * PRICE);
    assert_eq!(history[0]["backings_moved"], 50);
    // Its page stays, saying so.
    let (status, html) = app.get_text(&format!("/posts/{post}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Cancelled: every backer was refunded."));
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn a_cancel_racing_new_backings_never_leaves_one_charged() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_races", Role::Publisher, 0).await;
    let people = backers(&app, "racer", 30).await;
    for round in 0..3 {
        let post = project(
            &app,
            &han,
            &format!("Race {round}"),
            1_000 * PRICE,
            test_today() + Days::new(9),
        )
        .await;
        let path = format!("/api/v1/posts/{post}/cancel");
        let cancel = han.send(Method::POST, &path, None);
        let backings = common::join_all(people.iter().map(|backer| back(backer, post)));
        let ((status, _), answers) = tokio::join!(cancel, backings);
        assert_eq!(status, 200);
        for (status, body) in answers {
            assert!(
                status == 201 || (status == 409 && code(&body) == "POST_NOT_FUNDING"),
                "{status} {body}"
            );
        }
        let active: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM backings WHERE post_id = $1 AND status = 'ACTIVE'",
        )
        .bind(post)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(active, 0, "round {round}");
        for backer in &people {
            assert_eq!(balance(backer).await, START, "round {round}");
        }
        assert_ledger_holds(&app.db).await;
    }
}

#[tokio::test]
async fn only_a_successful_project_closes() {
    let app = TestApp::spawn().await;
    let last_day = test_today() + Days::new(2);
    let han = account(&app, "han_closes", Role::Publisher, 0).await;
    let post = project(&app, &han, "Closes later", PRICE, last_day).await;
    let kim = account(&app, "kim_closes", Role::Backer, 50_000).await;
    assert_eq!(back(&kim, post).await.0, 201);
    let close_path = format!("/api/v1/posts/{post}/close");
    let close = || han.send(Method::POST, &close_path, None);
    let (status, body) = close().await;
    assert_eq!((status, code(&body)), (409, &json!("INVALID_TRANSITION")));
    assert_eq!(settle(&app, last_day + Days::new(1)).await, [post]);
    let (status, detail) = close().await;
    assert_eq!((status, &detail["status"]), (200, &json!("CLOSE")));
    let (_, history) = han
        .send(
            Method::GET,
            &format!("/api/v1/me/posts/{post}/transitions"),
            None,
        )
        .await;
    let moves: Vec<_> = history
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|t| (t["from"].clone(), t["to"].clone(), t["by"].clone()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        moves,
        [
            (json!("FUNDING"), json!("SUCCESS"), json!("SETTLEMENT")),
            (json!("SUCCESS"), json!("CLOSE"), json!("OWNER"))
        ]
    );
    let (status, body) = close().await;
    assert_eq!((status, code(&body)), (409, &json!("INVALID_TRANSITION")));
    assert_eq!(balance(&han).await, PRICE);

    // Past its last day, the total decides: the owner can no longer cancel.
    let ended = project(&app, &han, "Ended", PRICE, test_today() - Days::new(1)).await;
    let (status, body) = han
        .send(Method::POST, &format!("/api/v1/posts/{ended}/cancel"), None)
        .await;
    assert_eq!((status, code(&body)), (409, &json!("INVALID_TRANSITION")));
    assert_eq!(status_of(&app, ended).await, "FUNDING");
    assert_ledger_holds(&app.db).await;
}

/// The database holds the rules even when the code is bypassed.
#[tokio::test]
async fn the_database_refuses_any_other_ending() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_db", Role::Publisher, 0).await;
    let post = project(
        &app,
        &han,
        "Guarded",
        5 * PRICE,
        test_today() + Days::new(4),
    )
    .await;
    let kim = account(&app, "kim_db", Role::Backer, 50_000).await;
    assert_eq!(back(&kim, post).await.0, 201);
    let kim_id = id_of(&kim).await;
    let han_id = id_of(&han).await;

    let refused = |sql: String, constraint: &'static str| {
        let db = app.db.clone();
        async move {
            let error = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&db)
                .await
                .err()
                .unwrap_or_else(|| panic!("{sql} was allowed"));
            let named = error
                .as_database_error()
                .and_then(|e| e.constraint().map(str::to_owned));
            assert_eq!(named.as_deref(), Some(constraint), "{sql}: {error}");
        }
    };
    // Straight to CLOSE is no transition.
    refused(
        format!("UPDATE posts SET status = 'CLOSE' WHERE id = {post}"),
        "posts_status_transition",
    )
    .await;
    // Ending without the log row, or without paying the backers back (each
    // string below is one implicit transaction: its statements commit or
    // fail together).
    refused(
        format!("UPDATE posts SET status = 'CANCEL' WHERE id = {post}"),
        "posts_status_logged",
    )
    .await;
    refused(
        format!(
            "UPDATE posts SET status = 'CANCEL' WHERE id = {post}; \
             INSERT INTO post_transitions (post_id, from_status, to_status, actor, happened_at, \
                                           amount_moved, backings_moved) \
             VALUES ({post}, 'FUNDING', 'CANCEL', 'SETTLEMENT', now(), 0, 0);"
        ),
        "posts_settled_completely",
    )
    .await;
    // An owner's move is the publisher's, nobody else's.
    refused(
        format!(
            "UPDATE posts SET status = 'CANCEL' WHERE id = {post}; \
             INSERT INTO post_transitions (post_id, from_status, to_status, actor, actor_account_id, \
                                           happened_at, amount_moved, backings_moved) \
             VALUES ({post}, 'FUNDING', 'CANCEL', 'OWNER', {kim_id}, now(), 0, 0);"
        ),
        "post_transitions_owner_is_publisher",
    )
    .await;
    // Money out of the escrow only to whom it belongs.
    refused(
        format!("SELECT ledger_append({kim_id}, 'REFUND', 10000, {post})"),
        "ledger_return_for_backing",
    )
    .await;
    refused(
        format!("SELECT ledger_append({han_id}, 'PAYOUT', 10000, {post})"),
        "ledger_payout_to_publisher",
    )
    .await;
    // The escrow kept beside the project moves only with the ledger.
    let error = sqlx::query("UPDATE posts SET escrow_held = 0 WHERE id = $1")
        .bind(post)
        .execute(&app.db)
        .await
        .err()
        .and_then(|e| {
            e.as_database_error()
                .and_then(|e| e.code().map(|c| c.into_owned()))
        });
    assert_eq!(error.as_deref(), Some("23001"), "restrict_violation");
    assert_eq!(status_of(&app, post).await, "FUNDING");
    assert_ledger_holds(&app.db).await;

    // Once cancelled, nobody backs it, even past the code's check.
    let empty = project(
        &app,
        &han,
        "Nobody came",
        5 * PRICE,
        test_today() + Days::new(4),
    )
    .await;
    common::end_project(&app.db, empty, "CANCEL").await;
    let error =
        sqlx::query("INSERT INTO backings (post_id, backer_id, amount) VALUES ($1, $2, 10000)")
            .bind(empty)
            .bind(kim_id)
            .execute(&app.db)
            .await
            .err()
            .and_then(|e| {
                e.as_database_error()
                    .and_then(|e| e.constraint().map(str::to_owned))
            });
    assert_eq!(error.as_deref(), Some("backings_project_funding"));
}

fn run_server(args: &[&str], database_url: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", common::redis_url())
        .env("RUST_LOG", "error")
        .output()
        .unwrap_or_else(|e| panic!("cannot start the server binary: {e}"))
}

/// `server settle --dry-run --date D` answers without changing anything;
/// `server settle` runs one pass now (on the real date).
#[tokio::test]
async fn operators_dry_run_then_settle_from_the_command_line() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_cli", Role::Publisher, 0).await;
    let post = project(&app, &han, "Long ago", PRICE, test_today() + Days::new(1)).await;
    let kim = account(&app, "kim_cli", Role::Backer, 50_000).await;
    assert_eq!(back(&kim, post).await.0, 201);
    // Moved into the past behind the app's back, so the real date is after it.
    sqlx::query("UPDATE posts SET end_date = '2020-01-01' WHERE id = $1")
        .bind(post)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = app.database_url();

    let dry = run_server(&["settle", "--dry-run", "--date", "2020-01-02"], &url);
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(out.contains("nothing changes"), "{out}");
    let line = out
        .lines()
        .find(|line| line.contains("Long ago"))
        .unwrap_or_else(|| panic!("{out}"));
    let columns: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        columns[..4],
        [post.to_string().as_str(), "SUCCESS", "10000", "1"]
    );
    let on_the_last_day = run_server(&["settle", "--dry-run", "--date", "2020-01-01"], &url);
    assert!(String::from_utf8_lossy(&on_the_last_day.stdout).contains("0 projects"));
    assert_eq!(status_of(&app, post).await, "FUNDING");

    let refused = run_server(&["settle", "--date", "2020-01-02"], &url);
    assert_eq!(refused.status.code(), Some(2), "a real pass on another day");
    assert_eq!(status_of(&app, post).await, "FUNDING");

    let real = run_server(&["settle"], &url);
    let out = String::from_utf8_lossy(&real.stdout);
    assert!(real.status.success(), "{out}");
    assert!(
        out.contains("1 projects: 10000 KRW paid to publishers"),
        "{out}"
    );
    assert_eq!(status_of(&app, post).await, "SUCCESS");
    assert_eq!(balance(&han).await, PRICE);
    assert_ledger_holds(&app.db).await;
}

/// The server's own task settles what is due, and stops when asked.
#[tokio::test]
async fn the_settlement_task_settles_by_itself_and_stops_when_asked() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_task", Role::Publisher, 0).await;
    // Due for the app's clock (its last day was yesterday).
    let due = project(&app, &han, "Due", PRICE, test_today() - Days::new(1)).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = server::settlement_task::spawn(
        app.state.clone(),
        std::time::Duration::from_millis(50),
        stopped,
    );
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while status_of(&app, due).await == "FUNDING" {
        assert!(tokio::time::Instant::now() < deadline, "not settled in 5 s");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        status_of(&app, due).await,
        "CANCEL",
        "no backers, below target"
    );
    let _ = stop.send(true);
    tokio::time::timeout(std::time::Duration::from_secs(2), task)
        .await
        .unwrap_or_else(|_| panic!("the task did not stop"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ledger_holds(&app.db).await;
}

/// A project's log of status changes is history: once written, no row of
/// it changes or goes away, whoever asks.
#[tokio::test]
async fn the_transition_log_is_append_only() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_log", Role::Publisher, 0).await;
    let post = project(&app, &han, "Logged", 5 * PRICE, test_today() + Days::new(4)).await;
    let kim = account(&app, "kim_log", Role::Backer, 50_000).await;
    assert_eq!(back(&kim, post).await.0, 201);
    let (status, detail) = han
        .send(Method::POST, &format!("/api/v1/posts/{post}/cancel"), None)
        .await;
    assert_eq!(status, 200, "{detail}");
    let logged = || async {
        sqlx::query_as::<_, (String, String, i64, i32)>(
            "SELECT from_status, to_status, amount_moved, backings_moved FROM post_transitions \
              WHERE post_id = $1",
        )
        .bind(post)
        .fetch_all(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let before = logged().await;
    assert_eq!(before, [("FUNDING".into(), "CANCEL".into(), PRICE, 1)]);
    for sql in [
        format!("UPDATE post_transitions SET amount_moved = 0 WHERE post_id = {post}"),
        format!("UPDATE post_transitions SET to_status = 'SUCCESS' WHERE post_id = {post}"),
        format!("DELETE FROM post_transitions WHERE post_id = {post}"),
        "TRUNCATE post_transitions".to_owned(),
    ] {
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&app.db)
            .await
            .err()
            .unwrap_or_else(|| panic!("{sql} was allowed"));
        let named = error
            .as_database_error()
            .and_then(|e| e.constraint().map(str::to_owned));
        assert_eq!(
            named.as_deref(),
            Some("post_transitions_append_only"),
            "{sql}: {error}"
        );
    }
    assert_eq!(logged().await, before);
}

/// The page's confirmation says how many backers will be refunded (and how
/// much); if that changed before the owner confirms, nothing happens and
/// they are asked again. A form that does not say is not the page's.
#[tokio::test]
async fn an_owner_confirming_an_outdated_count_is_asked_again() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_confirms", Role::Publisher, 0).await;
    let post = project(
        &app,
        &han,
        "Recount",
        100 * PRICE,
        test_today() + Days::new(5),
    )
    .await;
    let people = backers(&app, "recounted", 2).await;
    assert_eq!(back(&people[0], post).await.0, 201);
    let end_project = |seen: &[(&'static str, &'static str)]| {
        let mut form = vec![("id", post.to_string()), ("to", "CANCEL".to_owned())];
        form.extend(seen.iter().map(|(k, v)| (*k, (*v).to_owned())));
        app.client
            .post(format!("{}/api/end_project", app.base_url))
            .header("accept", "application/json")
            .header("origin", &app.base_url)
            .header("cookie", format!("moa_session={}", han.token))
            .form(&form)
            .send()
    };
    // The owner saw one backer; a second backs before they confirm.
    assert_eq!(back(&people[1], post).await.0, 201);
    let response = end_project(&[("backers", "1"), ("total", "10000")])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(body["code"], "INVALID_TRANSITION");
    assert_eq!(
        body["problem"]["TRANSITION"]["BACKERS_CHANGED"],
        serde_json::json!({"backers": 2, "total": 20000})
    );
    let error: app::error::AppError =
        serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        error.message(app::locale::Locale::en),
        "Its backers changed since you looked: cancelling now refunds ₩20,000 to 2 backers. Check and confirm again."
    );
    assert_eq!(status_of(&app, post).await, "FUNDING");
    for unsaid in [&[("backers", "2")][..], &[("total", "20000")], &[]] {
        let response = end_project(unsaid).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 400, "{unsaid:?}");
    }
    assert_eq!(status_of(&app, post).await, "FUNDING");

    let response = end_project(&[("backers", "2"), ("total", "20000")])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200);
    assert_eq!(status_of(&app, post).await, "CANCEL");
    assert_eq!(entries_of(&app, post, "REFUND").await, (2, 2 * PRICE));
    assert_ledger_holds(&app.db).await;
}

/// The same number of backers is not the same refund: the confirmation
/// also carries the total the owner was told would be refunded, and a
/// total that moved since asks again (in the app and, when sent, through
/// the REST API, which still cancels without one).
#[tokio::test]
async fn an_owner_confirming_an_outdated_total_is_asked_again() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_totals", Role::Publisher, 0).await;
    let post = project(
        &app,
        &han,
        "Repriced",
        100 * PRICE,
        test_today() + Days::new(5),
    )
    .await;
    let people = backers(&app, "retotalled", 2).await;
    // The owner sees one backer and ₩10,000. That backer leaves, the
    // price (free again) doubles, and someone else backs at it.
    assert_eq!(back(&people[0], post).await.0, 201);
    let (status, body) = people[0]
        .send(
            Method::DELETE,
            &format!("/api/v1/posts/{post}/backings/mine"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = han
        .send(
            Method::PATCH,
            &format!("/api/v1/posts/{post}"),
            Some(json!({ "price": 2 * PRICE })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(back(&people[1], post).await.0, 201);
    // The page's confirmation carries both, as it shows them.
    let html = app
        .client
        .get(format!("{}/me/projects", app.base_url))
        .header("cookie", format!("moa_session={}", han.token))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        html.contains(r#"name="backers" value="1""#)
            && html.contains(r#"name="total" value="20000""#),
        "{html}"
    );

    let end_project = |total: &'static str| {
        app.client
            .post(format!("{}/api/end_project", app.base_url))
            .header("accept", "application/json")
            .header("origin", &app.base_url)
            .header("cookie", format!("moa_session={}", han.token))
            .form(&[
                ("id", post.to_string().as_str()),
                ("to", "CANCEL"),
                ("backers", "1"),
                ("total", total),
            ])
            .send()
    };
    let response = end_project("10000").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(body["code"], "INVALID_TRANSITION");
    assert_eq!(
        body["problem"]["TRANSITION"]["BACKERS_CHANGED"],
        serde_json::json!({"backers": 1, "total": 20000})
    );
    let error: app::error::AppError =
        serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        error.message(app::locale::Locale::en),
        "Its backers changed since you looked: cancelling now refunds ₩20,000 to 1 backer. Check and confirm again."
    );
    assert_eq!(status_of(&app, post).await, "FUNDING");

    // Through the API: an outdated total (or count) is refused; a body
    // that cannot be read is 422; the right one cancels.
    let cancel_path = format!("/api/v1/posts/{post}/cancel");
    for outdated in [
        json!({ "backers": 1, "total_amount": PRICE }),
        json!({ "backers": 2 }),
        json!({ "total_amount": PRICE }),
    ] {
        let (status, body) = han
            .send(Method::POST, &cancel_path, Some(outdated.clone()))
            .await;
        assert_eq!(
            (status, code(&body)),
            (409, &json!("INVALID_TRANSITION")),
            "{outdated}"
        );
    }
    let (status, body) = han
        .send(Method::POST, &cancel_path, Some(json!({ "backers": "1" })))
        .await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    assert_eq!(status_of(&app, post).await, "FUNDING");
    let (status, detail) = han
        .send(
            Method::POST,
            &cancel_path,
            Some(json!({ "backers": 1, "total_amount": 2 * PRICE })),
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["status"], "CANCEL");
    assert_eq!(entries_of(&app, post, "REFUND").await, (1, 2 * PRICE));
    assert_ledger_holds(&app.db).await;
}
