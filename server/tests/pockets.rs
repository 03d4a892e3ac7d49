//! Pockets: registration, deposits, the ledger, and concurrency.

mod common;

use common::{Client, TestApp, signed_up};
use serde_json::{Value, json};

/// Every ledger invariant the database can check (running sums, pocket
/// balances, escrow, conservation): none may be broken.
async fn ledger_matches_balances(app: &TestApp) {
    common::assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn register_top_up_and_read_the_history() {
    let app = TestApp::spawn().await;
    let kim = signed_up(&app, "kim", "backer").await;
    use reqwest::Method;

    let (status, body) = kim
        .send(
            Method::POST,
            "/api/v1/me/pocket/deposits",
            Some(json!({ "amount": 5000 })),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("POCKET_NOT_REGISTERED"))
    );

    let (status, pocket) = kim
        .send(
            Method::PUT,
            "/api/v1/me/pocket",
            Some(json!({ "bank": "KB", "account_number": "110-123-456789" })),
        )
        .await;
    assert_eq!(status, 200, "{pocket}");
    assert_eq!(
        pocket,
        json!({ "bank": "KB", "account_number_masked": "********6789", "balance": 0 })
    );

    for amount in [10_000, 1_000, 10_000_000] {
        let (status, _) = kim
            .send(
                Method::POST,
                "/api/v1/me/pocket/deposits",
                Some(json!({ "amount": amount })),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (_, me) = kim.send(Method::GET, "/api/v1/me", None).await;
    assert_eq!(me["pocket"]["balance"], 10_011_000);

    let (status, entries) = kim
        .send(Method::GET, "/api/v1/me/pocket/entries", None)
        .await;
    assert_eq!(status, 200);
    let entries = &entries["items"];
    let amounts: Vec<i64> = entries
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["amount"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(amounts, [10_000_000, 1_000, 10_000], "newest first");
    assert_eq!(entries[0]["balance_after"], 10_011_000);
    assert_eq!(entries[0]["kind"], "DEPOSIT");

    // Changing the bank account keeps the money.
    let (_, pocket) = kim
        .send(
            Method::PUT,
            "/api/v1/me/pocket",
            Some(json!({ "bank": "TOSS", "account_number": "98765432109" })),
        )
        .await;
    assert_eq!(pocket["balance"], 10_011_000);
    assert_eq!(pocket["bank"], "TOSS");
    ledger_matches_balances(&app).await;
}

#[tokio::test]
async fn bad_pockets_and_amounts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let lee = signed_up(&app, "lee", "publisher").await;
    use reqwest::Method;
    let (status, body) = lee
        .send(
            Method::PUT,
            "/api/v1/me/pocket",
            Some(json!({ "bank": "MOON", "account_number": "12" })),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["error"]["details"]["bank"].is_string()
            && body["error"]["details"]["account_number"].is_string()
    );

    lee.send(
        Method::PUT,
        "/api/v1/me/pocket",
        Some(json!({ "bank": "NH", "account_number": "1234567890" })),
    )
    .await;
    for amount in [
        json!(999),
        json!(10_000_001),
        json!(-1000),
        json!(1500.5),
        json!("5000"),
    ] {
        let (status, body) = lee
            .send(
                Method::POST,
                "/api/v1/me/pocket/deposits",
                Some(json!({ "amount": amount })),
            )
            .await;
        assert_eq!(status, 422, "{amount}: {body}");
        assert_eq!(body["error"]["code"], "VALIDATION_FAILED");
    }
    let (_, me) = lee.send(Method::GET, "/api/v1/me", None).await;
    assert_eq!(me["pocket"]["balance"], 0);
    let (_, entries) = lee
        .send(Method::GET, "/api/v1/me/pocket/entries", None)
        .await;
    assert_eq!(entries["items"], json!([]));
    assert_eq!(entries["total_items"], 0);
    ledger_matches_balances(&app).await;
}

#[tokio::test]
async fn pockets_need_a_session() {
    let app = TestApp::spawn().await;
    let nobody = Client {
        app: &app,
        token: "nope".into(),
    };
    for (method, path) in [
        (reqwest::Method::PUT, "/api/v1/me/pocket"),
        (reqwest::Method::POST, "/api/v1/me/pocket/deposits"),
        (reqwest::Method::GET, "/api/v1/me/pocket/entries"),
    ] {
        let (status, body) = nobody.send(method, path, Some(json!({}))).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn concurrent_deposits_all_land() {
    let app = TestApp::spawn().await;
    let park = signed_up(&app, "park", "backer").await;
    park.send(
        reqwest::Method::PUT,
        "/api/v1/me/pocket",
        Some(json!({ "bank": "WOORI", "account_number": "1002123456789" })),
    )
    .await;

    let deposits = (1..=40).map(|n| {
        let park = &park;
        async move {
            park.send(
                reqwest::Method::POST,
                "/api/v1/me/pocket/deposits",
                Some(json!({ "amount": 1000 * n })),
            )
            .await
            .0
        }
    });
    let statuses = common::join_all(deposits).await;
    assert!(statuses.iter().all(|status| *status == 201), "{statuses:?}");

    let expected: i64 = (1..=40).map(|n| 1000 * n).sum();
    let (_, me) = park.send(reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(me["pocket"]["balance"], expected);
    let (_, entries) = park
        .send(
            reqwest::Method::GET,
            "/api/v1/me/pocket/entries?per_page=50",
            None,
        )
        .await;
    let entries = &entries["items"];
    assert_eq!(entries.as_array().map(Vec::len), Some(40));
    // Each row recorded the balance it produced: no two rows saw the same one.
    let mut after: Vec<i64> = entries
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|x| x["balance_after"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    after.sort_unstable();
    after.dedup();
    assert_eq!(after.len(), 40);
    assert_eq!(after.last().copied(), Some(expected));
    ledger_matches_balances(&app).await;
}

#[tokio::test]
async fn the_ledger_is_append_only_and_balances_cannot_go_negative() {
    let app = TestApp::spawn().await;
    let choi = signed_up(&app, "choi", "backer").await;
    choi.send(
        reqwest::Method::PUT,
        "/api/v1/me/pocket",
        Some(json!({ "bank": "KB", "account_number": "1234567890" })),
    )
    .await;
    choi.send(
        reqwest::Method::POST,
        "/api/v1/me/pocket/deposits",
        Some(json!({ "amount": 5000 })),
    )
    .await;

    // Statements no CHECK would stop: only the database's guards do.
    for (sql, refusal) in [
        (
            "UPDATE ledger_entries SET created_at = now()",
            "ledger entries are append-only",
        ),
        (
            "DELETE FROM ledger_entries",
            "ledger entries are append-only",
        ),
        (
            "TRUNCATE ledger_entries CASCADE",
            "ledger entries are append-only",
        ),
        (
            "UPDATE pockets SET balance = balance + 1000",
            "a pocket balance changes only through ledger_entries",
        ),
        (
            "UPDATE pockets SET balance = 0",
            "a pocket balance changes only through ledger_entries",
        ),
    ] {
        let error = sqlx::query(sql)
            .execute(&app.db)
            .await
            .err()
            .unwrap_or_else(|| panic!("{sql} was allowed"));
        assert!(error.to_string().contains(refusal), "{sql}: {error}");
    }
    // A row that is skipped moves no money: `ON CONFLICT DO NOTHING` runs
    // BEFORE triggers for a row it then drops.
    let before: i64 = sqlx::query_scalar("SELECT balance FROM pockets")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let skipped = sqlx::query(
        "INSERT INTO ledger_entries (id, account_id, kind, amount) OVERRIDING SYSTEM VALUE \
         SELECT e.id, e.account_id, 'DEPOSIT', 1000000 FROM ledger_entries e ON CONFLICT DO NOTHING",
    )
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(skipped.rows_affected(), 0);
    let after: i64 = sqlx::query_scalar("SELECT balance FROM pockets")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after, before, "a skipped ledger row moved money");
    // A ledger row must follow from the one before it.
    let forged = sqlx::query(
        "INSERT INTO ledger_entries (account_id, kind, amount, balance_after) \
         SELECT account_id, 'DEPOSIT', 1000, 999999 FROM pockets",
    )
    .execute(&app.db)
    .await
    .err()
    .unwrap_or_else(|| panic!("a ledger row with a made-up balance was stored"));
    assert_eq!(
        forged.as_database_error().and_then(|e| e.constraint()),
        Some("ledger_balance_after_follows"),
        "{forged}"
    );
    // Money cannot leave a pocket that does not hold it.
    let overdrawn = sqlx::query(
        "INSERT INTO ledger_entries (account_id, kind, amount, post_id) \
         SELECT account_id, 'REFUND', -100000, NULL FROM pockets",
    )
    .execute(&app.db)
    .await;
    assert!(overdrawn.is_err_and(|e| e.as_database_error().and_then(|e| e.constraint()).is_some()));
    ledger_matches_balances(&app).await;
}

#[tokio::test]
async fn cookie_sessions_only_change_things_from_our_own_origin() {
    let app = TestApp::spawn().await;
    let kim = signed_up(&app, "kim", "backer").await;
    let cookie = format!("moa_session={}", kim.token);
    let own_origin = app.base_url.clone();
    let url = format!("{}/api/v1/me/pocket", app.base_url);
    let pocket = json!({ "bank": "KB", "account_number": "1234567890" });

    // A form on another site, riding on the browser's cookie.
    let forged = app
        .client
        .post(format!("{}/api/v1/me/pocket/deposits", app.base_url))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&[("amount", "5000")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status().as_u16(), 403);
    let body: Value = forged.json().await.unwrap_or(Value::Null);
    assert_eq!(body["error"]["code"], "CSRF_REJECTED");

    let cross_site = app
        .client
        .put(&url)
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .json(&pocket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cross_site.status().as_u16(), 403);
    let body: Value = cross_site.json().await.unwrap_or(Value::Null);
    assert_eq!(body["error"]["code"], "CSRF_REJECTED");
    assert_eq!(
        kim.send(reqwest::Method::GET, "/api/v1/me", None).await.1["pocket"],
        Value::Null
    );

    // The same request from Moa's own page works, cookie alone authenticating it.
    let own = app
        .client
        .put(&url)
        .header("cookie", &cookie)
        .header("origin", &own_origin)
        .json(&pocket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(own.status().as_u16(), 200);

    // Bearer clients carry no ambient credential and need no origin.
    let (status, _) = kim
        .send(
            reqwest::Method::POST,
            "/api/v1/me/pocket/deposits",
            Some(json!({ "amount": 5000 })),
        )
        .await;
    assert_eq!(status, 201);
    ledger_matches_balances(&app).await;
}

/// Posts a form to a server function the way the hydrated page does.
async fn call_server_fn(
    app: &TestApp,
    name: &str,
    cookie: Option<&str>,
    origin: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = app
        .client
        .post(format!("{}/api/{name}", app.base_url))
        .header("accept", "application/json")
        .header("origin", origin)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_pocket_pages_server_functions_pass_the_same_guard_and_rules() {
    let app = TestApp::spawn().await;
    let yoon = signed_up(&app, "yoon", "publisher").await;
    let cookie = format!("moa_session={}", yoon.token);
    let own = app.base_url.clone();
    let registration = [("bank", "HANA"), ("account_number", "123-456789-01")];

    let (status, body) = call_server_fn(&app, "register_pocket", None, &own, &registration).await;
    assert_eq!((status, &body["code"]), (401, &json!("UNAUTHENTICATED")));
    let (status, body) = call_server_fn(
        &app,
        "register_pocket",
        Some(&cookie),
        "https://evil.example",
        &registration,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "CSRF_REJECTED");
    let (_, me) = yoon.send(reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(me["pocket"], Value::Null, "a refused call changed nothing");

    let (status, pocket) =
        call_server_fn(&app, "register_pocket", Some(&cookie), &own, &registration).await;
    assert_eq!(status, 200, "{pocket}");
    assert_eq!(pocket["account_number_masked"], "*******8901");

    let (status, body) = call_server_fn(
        &app,
        "top_up",
        Some(&cookie),
        &own,
        &[("amount", "9,999,999원")],
    )
    .await;
    assert_eq!((status, body), (200, json!(9_999_999)));
    let (status, body) =
        call_server_fn(&app, "top_up", Some(&cookie), &own, &[("amount", "1e4")]).await;
    assert_eq!(status, 422);
    // Server functions answer with codes (the page words them).
    assert_eq!(body["details"]["amount"], json!("AMOUNT_NOT_DIGITS"));

    let (status, statement) =
        call_server_fn(&app, "pocket_overview", Some(&cookie), &own, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(statement["pocket"]["balance"], 9_999_999);
    assert_eq!(
        statement["entries"]["items"].as_array().map(Vec::len),
        Some(1)
    );

    // The form carries the statement's key: sent twice, it deposits once.
    let key = statement["deposit_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(key.len() >= 16, "{statement}");
    for _ in 0..2 {
        let (status, body) = call_server_fn(
            &app,
            "top_up",
            Some(&cookie),
            &own,
            &[("amount", "1000"), ("key", &key)],
        )
        .await;
        assert_eq!((status, body), (200, json!(10_000_999)));
    }
    let (_, statement) = call_server_fn(&app, "pocket_overview", Some(&cookie), &own, &[]).await;
    assert_eq!(
        statement["entries"]["items"].as_array().map(Vec::len),
        Some(2)
    );
    assert_ne!(
        statement["deposit_key"],
        json!(key),
        "each form gets a new key"
    );

    // Cashing out: typed amounts, at most the balance (a field error that
    // says so), and the form's own key pays out once when sent twice.
    let cash_out_key = statement["cash_out_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        cash_out_key.len() >= 16 && cash_out_key != key,
        "{statement}"
    );
    let (status, body) = call_server_fn(
        &app,
        "cash_out",
        Some(&cookie),
        &own,
        &[("amount", "10,001,000"), ("key", &cash_out_key)],
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("INSUFFICIENT_BALANCE"))
    );
    assert_eq!(body["details"]["amount"], json!("MORE_THAN_POCKET_HOLDS"));
    let (status, body) =
        call_server_fn(&app, "cash_out", Some(&cookie), &own, &[("amount", "0")]).await;
    assert_eq!(
        (status, &body["details"]["amount"]),
        (422, &json!({"CASH_OUT_BELOW_MINIMUM": {"min": 1}}))
    );
    for _ in 0..2 {
        let (status, body) = call_server_fn(
            &app,
            "cash_out",
            Some(&cookie),
            &own,
            &[("amount", "1,000,999원"), ("key", &cash_out_key)],
        )
        .await;
        assert_eq!((status, body), (200, json!(9_000_000)));
    }
    let (status, body) = call_server_fn(
        &app,
        "cash_out",
        Some(&cookie),
        &own,
        &[("amount", "1,000"), ("key", &cash_out_key)],
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("IDEMPOTENCY_KEY_REUSED"))
    );
    let (status, body) = call_server_fn(
        &app,
        "cash_out",
        Some(&cookie),
        "https://evil.example",
        &[("amount", "1000")],
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("CSRF_REJECTED")));
    let (_, statement) = call_server_fn(&app, "pocket_overview", Some(&cookie), &own, &[]).await;
    assert_eq!(statement["pocket"]["balance"], 9_000_000);
    assert_eq!(statement["entries"]["items"][0]["kind"], "CASH_OUT");
    assert_eq!(statement["entries"]["items"][0]["amount"], -1_000_999);
    ledger_matches_balances(&app).await;
}

#[tokio::test]
async fn the_pocket_page_renders_the_pocket_on_the_server() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_text("/pocket").await;
    assert_eq!(status, 200);
    assert!(html.contains("Log in to see your pocket."));

    let han = signed_up(&app, "han", "backer").await;
    han.send(
        reqwest::Method::PUT,
        "/api/v1/me/pocket",
        Some(json!({ "bank": "KBANK", "account_number": "10012345678" })),
    )
    .await;
    han.send(
        reqwest::Method::POST,
        "/api/v1/me/pocket/deposits",
        Some(json!({ "amount": 123_000 })),
    )
    .await;
    let html = app
        .client
        .get(format!("{}/pocket", app.base_url))
        .header("cookie", format!("moa_session={}", han.token))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    for expected in ["케이뱅크", "*******5678", "₩123,000", "+₩123,000", "Top-up"] {
        assert!(html.contains(expected), "{expected} missing from the page");
    }
    assert!(
        !html.contains("10012345678"),
        "the full account number leaked"
    );

    // Before registering, each account type is told what the pocket is for.
    for (username, role, purpose) in [
        ("page_backer", "backer", "pays from when you back a project"),
        (
            "page_publisher",
            "publisher",
            "pays into when one of your projects",
        ),
    ] {
        let client = signed_up(&app, username, role).await;
        let html = app
            .client
            .get(format!("{}/pocket", app.base_url))
            .header("cookie", format!("moa_session={}", client.token))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_default();
        assert!(html.contains(purpose), "{role}: {purpose}");
    }
    ledger_matches_balances(&app).await;
}

async fn deposit_with_key(
    client: &Client<'_>,
    key: &str,
    amount: i64,
) -> (u16, Option<String>, Value) {
    let response = client
        .app
        .client
        .post(format!("{}/api/v1/me/pocket/deposits", client.app.base_url))
        .bearer_auth(&client.token)
        .header("idempotency-key", key)
        .json(&json!({ "amount": amount }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (
        status,
        replayed,
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn entry_count(client: &Client<'_>) -> usize {
    let (_, entries) = client
        .send(reqwest::Method::GET, "/api/v1/me/pocket/entries", None)
        .await;
    entries["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_retried_deposit_with_the_same_key_deposits_once() {
    let app = TestApp::spawn().await;
    let oh = signed_up(&app, "ohmi", "backer").await;
    let other = signed_up(&app, "ohs_friend", "backer").await;
    for client in [&oh, &other] {
        client
            .send(
                reqwest::Method::PUT,
                "/api/v1/me/pocket",
                Some(json!({ "bank": "IBK", "account_number": "01012345678" })),
            )
            .await;
    }

    let first = deposit_with_key(&oh, "retry-me-1", 30_000).await;
    assert_eq!(
        first,
        (201, Some("false".into()), json!({ "balance": 30_000 }))
    );
    let again = deposit_with_key(&oh, "retry-me-1", 30_000).await;
    assert_eq!(
        again,
        (201, Some("true".into()), json!({ "balance": 30_000 }))
    );
    assert_eq!(entry_count(&oh).await, 1);

    let (status, _, body) = deposit_with_key(&oh, "retry-me-1", 40_000).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("IDEMPOTENCY_KEY_REUSED"))
    );
    let (status, _, body) = deposit_with_key(&oh, "two words", 40_000).await;
    assert_eq!(status, 422);
    assert!(body["error"]["details"]["Idempotency-Key"].is_string());

    // Keys belong to one account: another account's same key is its own deposit.
    let theirs = deposit_with_key(&other, "retry-me-1", 5_000).await;
    assert_eq!(theirs.0, 201);
    assert_eq!(theirs.2, json!({ "balance": 5_000 }));

    // A client retrying in a hurry: twenty copies at once, one deposit.
    let copies = (0..20).map(|_| deposit_with_key(&oh, "burst-2", 1_000));
    let mut outcomes = Vec::new();
    for outcome in common::join_all(copies).await {
        assert_eq!(
            (outcome.0, &outcome.2),
            (201, &json!({ "balance": 31_000 }))
        );
        outcomes.push(outcome.1);
    }
    assert_eq!(
        outcomes
            .iter()
            .filter(|r| r.as_deref() == Some("false"))
            .count(),
        1,
        "exactly one copy deposited: {outcomes:?}"
    );
    assert_eq!(entry_count(&oh).await, 2);
    let (_, me) = oh.send(reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(me["pocket"]["balance"], 31_000);
    ledger_matches_balances(&app).await;

    // The database itself refuses a second row under one key.
    let duplicate = sqlx::query(
        "INSERT INTO ledger_entries (account_id, kind, amount, balance_after, idempotency_key) \
         SELECT account_id, 'DEPOSIT', 1000, 32000, 'burst-2' FROM ledger_entries WHERE idempotency_key = 'burst-2'",
    )
    .execute(&app.db)
    .await;
    let refused = duplicate
        .err()
        .unwrap_or_else(|| panic!("a duplicate key was stored"));
    assert_eq!(
        refused.as_database_error().and_then(|e| e.constraint()),
        Some("ledger_entries_idempotency_key")
    );
}

/// The history is paged like the project list.
#[tokio::test]
async fn the_history_is_paged() {
    let app = TestApp::spawn().await;
    let jung = signed_up(&app, "jung_pages", "backer").await;
    jung.send(
        reqwest::Method::PUT,
        "/api/v1/me/pocket",
        Some(json!({ "bank": "KB", "account_number": "1234567890" })),
    )
    .await;
    for n in 1..=12 {
        let (status, _) = jung
            .send(
                reqwest::Method::POST,
                "/api/v1/me/pocket/deposits",
                Some(json!({ "amount": 1000 * n })),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, first) = jung
        .send(reqwest::Method::GET, "/api/v1/me/pocket/entries", None)
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        (
            &first["page"],
            &first["per_page"],
            &first["total_items"],
            &first["total_pages"]
        ),
        (&json!(1), &json!(10), &json!(12), &json!(2))
    );
    assert_eq!(first["items"][0]["amount"], 12000, "newest first");
    let (_, second) = jung
        .send(
            reqwest::Method::GET,
            "/api/v1/me/pocket/entries?page=2&per_page=10",
            None,
        )
        .await;
    let amounts: Vec<i64> = second["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["amount"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(amounts, [2000, 1000]);
    let (status, body) = jung
        .send(
            reqwest::Method::GET,
            "/api/v1/me/pocket/entries?per_page=1000",
            None,
        )
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("VALIDATION_FAILED"))
    );
    ledger_matches_balances(&app).await;
}
