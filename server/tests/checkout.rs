//! Checkout: backing once, paying from the pocket into escrow, withdrawing
//! and cashing out, under concurrency, with the ledger checked after each.

mod common;

use app::domain::Role;
use common::{
    Client, NewPost, TestApp, account, assert_ledger_holds, insert_post, insert_publisher,
};
use reqwest::Method;
use serde_json::{Value, json};

async fn project(app: &TestApp, title: &str) -> i64 {
    let publisher = insert_publisher(&app.db, &format!("{}_studio", title.to_lowercase())).await;
    insert_post(
        &app.db,
        publisher,
        NewPost {
            title,
            ..NewPost::default()
        },
    )
    .await
}

fn code(body: &Value) -> &Value {
    &body["error"]["code"]
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

async fn balance(client: &Client<'_>) -> i64 {
    let (_, me) = client.send(Method::GET, "/api/v1/me", None).await;
    me["pocket"]["balance"].as_i64().unwrap_or(-1)
}

async fn totals(app: &TestApp, post: i64) -> (i64, i64) {
    sqlx::query_as("SELECT total_amount, backer_count FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_backer_backs_once_pays_once_and_may_withdraw() {
    let app = TestApp::spawn().await;
    let post = project(&app, "Lamp").await;
    let kim = account(&app, "kim_backs", Role::Backer, 50_000).await;

    let (status, eligible) = kim
        .send(
            Method::GET,
            &format!("/api/v1/posts/{post}/eligibility"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        eligible,
        json!({ "eligible": true, "reason": null, "price": 10_000, "balance": 50_000 })
    );

    let (status, body) = back(&kim, post).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (&body["amount"], &body["status"], &body["balance"]),
        (&json!(10_000), &json!("ACTIVE"), &json!(40_000))
    );
    assert_eq!(totals(&app, post).await, (10_000, 1));
    let (status, body) = back(&kim, post).await;
    assert_eq!((status, code(&body)), (409, &json!("ALREADY_BACKED")));
    let (_, eligible) = kim
        .send(
            Method::GET,
            &format!("/api/v1/posts/{post}/eligibility"),
            None,
        )
        .await;
    assert_eq!(eligible["reason"], "ALREADY_BACKED");
    let (_, list) = kim.send(Method::GET, "/api/v1/me/backings", None).await;
    assert_eq!(list[0]["status"], "ACTIVE");
    assert_ledger_holds(&app.db).await;

    let (status, body) = kim
        .send(
            Method::DELETE,
            &format!("/api/v1/posts/{post}/backings/mine"),
            None,
        )
        .await;
    assert_eq!(
        (status, &body),
        (200, &json!({ "refunded": 10_000, "balance": 50_000 }))
    );
    assert_eq!(totals(&app, post).await, (0, 0));
    let (status, body) = kim
        .send(
            Method::DELETE,
            &format!("/api/v1/posts/{post}/backings/mine"),
            None,
        )
        .await;
    assert_eq!((status, code(&body)), (404, &json!("BACKING_NOT_FOUND")));
    assert_ledger_holds(&app.db).await;

    // Withdrawn, then backed again.
    let (status, _) = back(&kim, post).await;
    assert_eq!(status, 201);
    assert_eq!(balance(&kim).await, 40_000);
    let (_, list) = kim.send(Method::GET, "/api/v1/me/backings", None).await;
    let statuses: Vec<&str> = list
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, ["ACTIVE", "WITHDRAWN"]);
    let (_, entries) = kim
        .send(Method::GET, "/api/v1/me/pocket/entries", None)
        .await;
    let kinds: Vec<&str> = entries["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["BACKING", "WITHDRAWAL", "BACKING", "DEPOSIT"]);
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn every_refusal_says_why() {
    let app = TestApp::spawn().await;
    let post = project(&app, "Kettle").await;
    let publisher = account(&app, "studio_says", Role::Publisher, 50_000).await;
    let poor = account(&app, "poor_backer", Role::Backer, 9_999).await;
    let pocketless = common::signed_up(&app, "no_pocket", "backer").await;
    let rich = account(&app, "rich_backer", Role::Backer, 100_000).await;

    for (client, expected) in [
        (&publisher, (403, "PUBLISHER_CANNOT_BACK")),
        (&poor, (409, "INSUFFICIENT_BALANCE")),
        (&pocketless, (409, "POCKET_NOT_REGISTERED")),
    ] {
        let (_, eligible) = client
            .send(
                Method::GET,
                &format!("/api/v1/posts/{post}/eligibility"),
                None,
            )
            .await;
        assert_eq!(eligible["reason"], expected.1);
        let (status, body) = back(client, post).await;
        assert_eq!((status, code(&body)), (expected.0, &json!(expected.1)));
    }
    let anonymous: Value = app
        .get(&format!("/api/v1/posts/{post}/eligibility"))
        .await
        .json()
        .await
        .unwrap_or(Value::Null);
    assert_eq!(anonymous["reason"], "UNAUTHENTICATED");

    // The price the backer saw must still be the price.
    let (status, body) = rich
        .send(
            Method::POST,
            &format!("/api/v1/posts/{post}/backings"),
            Some(json!({ "price": 9_000 })),
        )
        .await;
    assert_eq!((status, code(&body)), (409, &json!("PRICE_CHANGED")));
    // A project past its last day is not fundable, even before settlement.
    sqlx::query("UPDATE posts SET end_date = '2026-11-23' WHERE id = $1")
        .bind(post)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = back(&rich, post).await;
    assert_eq!((status, code(&body)), (409, &json!("POST_NOT_FUNDING")));
    let (status, body) = back(&rich, 999_999).await;
    assert_eq!((status, code(&body)), (404, &json!("POST_NOT_FOUND")));
    assert_eq!(balance(&rich).await, 100_000);
    assert_ledger_holds(&app.db).await;
}

/// The original server let one user back twice under concurrent clicks.
#[tokio::test]
async fn twenty_concurrent_backings_by_one_backer_charge_once() {
    let app = TestApp::spawn().await;
    let post = project(&app, "Mug").await;
    let lee = account(&app, "lee_clicks", Role::Backer, 100_000).await;
    let answers = common::join_all((0..20).map(|_| back(&lee, post))).await;
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    let refused = answers
        .iter()
        .filter(|(status, body)| *status == 409 && code(body) == "ALREADY_BACKED")
        .count();
    assert_eq!((created, refused), (1, 19), "{answers:?}");
    assert_eq!(balance(&lee).await, 90_000);
    assert_eq!(totals(&app, post).await, (10_000, 1));
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn two_hundred_backers_at_once_give_exact_totals() {
    let app = TestApp::spawn().await;
    let post = project(&app, "Crowd").await;
    let mut backers = Vec::new();
    for n in 0..200 {
        backers.push(account(&app, &format!("crowd_{n}"), Role::Backer, 10_000).await);
    }
    let answers = common::join_all(backers.iter().map(|backer| back(backer, post))).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 201),
        "{answers:?}"
    );
    assert_eq!(totals(&app, post).await, (2_000_000, 200));
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn backing_and_withdrawing_racing_never_lose_a_won() {
    let app = TestApp::spawn().await;
    let post = project(&app, "Race").await;
    let park = account(&app, "park_races", Role::Backer, 30_000).await;
    let path = format!("/api/v1/posts/{post}/backings/mine");
    for _ in 0..10 {
        let operations = (0..6).map(|n| {
            let (park, path) = (&park, &path);
            async move {
                if n % 2 == 0 {
                    back(park, post).await.0
                } else {
                    park.send(Method::DELETE, path, None).await.0
                }
            }
        });
        let statuses = common::join_all(operations).await;
        assert!(
            statuses.iter().all(|s| [200, 201, 404, 409].contains(s)),
            "{statuses:?}"
        );
        let (total, count) = totals(&app, post).await;
        assert_eq!(
            balance(&park).await + total,
            30_000,
            "money left pocket and escrow"
        );
        assert!(count <= 1);
    }
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn the_database_refuses_a_debit_the_pocket_cannot_pay() {
    let app = TestApp::spawn().await;
    let post = project(&app, "Guard").await;
    let choi = account(&app, "choi_guard", Role::Backer, 5_000).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE username = 'choi_guard'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // As if the code's own check had been skipped.
    let bypass = sqlx::query("SELECT ledger_append($1, 'BACKING', -10000, $2)")
        .bind(id)
        .bind(post)
        .execute(&app.db)
        .await
        .err()
        .unwrap_or_else(|| panic!("a debit beyond the balance was stored"));
    assert_eq!(
        bypass.as_database_error().and_then(|e| e.constraint()),
        Some("pockets_balance_check")
    );
    // Nor can money leave an escrow that does not hold it.
    let payout = sqlx::query("SELECT ledger_append($1, 'PAYOUT', 1000, $2)")
        .bind(id)
        .bind(post)
        .execute(&app.db)
        .await
        .err()
        .unwrap_or_else(|| panic!("money left an empty escrow"));
    assert_eq!(
        payout.as_database_error().and_then(|e| e.constraint()),
        Some("ledger_escrow_covers")
    );
    assert_eq!(balance(&choi).await, 5_000);
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn a_retried_backing_with_its_key_is_the_same_backing() {
    let app = TestApp::spawn().await;
    let first = project(&app, "Keyed").await;
    let second = project(&app, "Other").await;
    let yoon = account(&app, "yoon_keys", Role::Backer, 100_000).await;
    let keyed = |post: i64, key: &'static str| {
        let yoon = &yoon;
        async move {
            let response = yoon
                .app
                .client
                .post(format!(
                    "{}/api/v1/posts/{post}/backings",
                    yoon.app.base_url
                ))
                .bearer_auth(&yoon.token)
                .header("idempotency-key", key)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let replayed = response
                .headers()
                .get("idempotent-replayed")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let status = response.status().as_u16();
            (
                status,
                replayed,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, replayed, body) = keyed(first, "checkout-1").await;
    assert_eq!((status, replayed.as_str()), (201, "false"), "{body}");
    let (status, replayed, again) = keyed(first, "checkout-1").await;
    assert_eq!((status, replayed.as_str()), (201, "true"));
    assert_eq!(again, body, "the replay answers as the first did");
    let (status, _, body) = keyed(second, "checkout-1").await;
    assert_eq!(
        (status, code(&body)),
        (409, &json!("IDEMPOTENCY_KEY_REUSED"))
    );
    assert_eq!(balance(&yoon).await, 90_000);
    assert_ledger_holds(&app.db).await;
}

#[tokio::test]
async fn twenty_concurrent_cash_outs_of_everything_pay_once() {
    let app = TestApp::spawn().await;
    let han = account(&app, "han_cash", Role::Publisher, 70_000).await;
    let cash_out = |n: usize| {
        let han = &han;
        async move {
            let response = han
                .app
                .client
                .post(format!("{}/api/v1/me/pocket/cash-outs", han.app.base_url))
                .bearer_auth(&han.token)
                .header("idempotency-key", format!("all-{n}"))
                .json(&json!({ "amount": 70_000 }))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let answers = common::join_all((0..20).map(cash_out)).await;
    let paid = answers.iter().filter(|(status, _)| *status == 201).count();
    let refused = answers
        .iter()
        .filter(|(status, body)| *status == 409 && code(body) == "INSUFFICIENT_BALANCE")
        .count();
    assert_eq!((paid, refused), (1, 19), "{answers:?}");
    assert_eq!(balance(&han).await, 0);
    let (status, body) = han
        .send(
            Method::POST,
            "/api/v1/me/pocket/cash-outs",
            Some(json!({ "amount": 0 })),
        )
        .await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    // Keys are per kind: a top-up may reuse a cash-out's key.
    let top_up = han
        .app
        .client
        .post(format!("{}/api/v1/me/pocket/deposits", han.app.base_url))
        .bearer_auth(&han.token)
        .header("idempotency-key", "all-0")
        .json(&json!({ "amount": 1_000 }))
        .send()
        .await
        .map(|response| response.status().as_u16())
        .unwrap_or_default();
    assert_eq!(top_up, 201);
    assert_ledger_holds(&app.db).await;
}

async fn page(app: &TestApp, client: Option<&Client<'_>>, path: &str) -> String {
    let mut request = app.client.get(format!("{}{path}", app.base_url));
    if let Some(client) = client {
        request = request.header("cookie", format!("moa_session={}", client.token));
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default()
}

/// The project page answers "may I back?" on the server, with the way
/// forward, and the checkout's confirm is a plain form.
#[tokio::test]
async fn the_pages_offer_the_way_forward() {
    let app = TestApp::spawn().await;
    let post = project(&app, "Offer").await;
    let rich = account(&app, "rich_pages", Role::Backer, 50_000).await;
    let poor = account(&app, "poor_pages", Role::Backer, 4_000).await;
    let studio = account(&app, "studio_pages", Role::Publisher, 0).await;
    let path = format!("/posts/{post}");

    assert!(
        page(&app, None, &path)
            .await
            .contains(&format!("/login?next=/posts/{post}"))
    );
    assert!(
        page(&app, Some(&rich), &path)
            .await
            .contains("Back this project for ₩10,000")
    );
    assert!(
        page(&app, Some(&poor), &path)
            .await
            .contains("Your pocket needs ₩6,000 more")
    );
    assert!(
        page(&app, Some(&studio), &path)
            .await
            .contains("cannot back them")
    );
    let checkout = page(&app, Some(&rich), &format!("{path}/checkout")).await;
    assert!(checkout.contains("Confirm and pay ₩10,000") && checkout.contains("₩40,000"));

    let (status, _) = back(&rich, post).await;
    assert_eq!(status, 201);
    assert!(
        page(&app, Some(&rich), &path)
            .await
            .contains("You backed this for ₩10,000.")
    );
    assert_ledger_holds(&app.db).await;
}
