//! Publishing: publishers create and change their projects, through REST,
//! server functions and pages, under the same rules.

mod common;

use chrono::{TimeZone, Utc};
use common::{Client, TestApp, signed_up};
use reqwest::{Method, header};
use serde_json::{Value, json};

/// A publisher with a registered pocket, ready to publish.
async fn publisher<'a>(app: &'a TestApp, username: &str) -> Client<'a> {
    let client = signed_up(app, username, "publisher").await;
    let (status, _) = client
        .send(
            Method::PUT,
            "/api/v1/me/pocket",
            Some(json!({ "bank": "SHINHAN", "account_number": "110123456789" })),
        )
        .await;
    assert_eq!(status, 200);
    client
}

/// A valid project, ending on 2026-12-31 (the test clock says 2026-11-24).
fn project(title: &str) -> Value {
    json!({
        "title": title,
        "publisher_name": "Studio Han",
        "content": "## Light\n\nFolded by hand.",
        "target_amount": 1_000_000,
        "price": 15_000,
        "final_date": "2026-12-31",
    })
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

async fn create(client: &Client<'_>, body: Value) -> (u16, Value) {
    client.send(Method::POST, "/api/v1/posts", Some(body)).await
}

fn code(body: &Value) -> &Value {
    &body["error"]["code"]
}

async fn list_titles(app: &TestApp, query: &str) -> Vec<String> {
    let list: Value = app
        .get(&format!("/api/v1/posts{query}"))
        .await
        .json()
        .await
        .unwrap_or(Value::Null);
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_publisher_publishes_and_everyone_sees_it_at_once() {
    let app = TestApp::spawn().await;
    let han = publisher(&app, "studio_han").await;
    // Fill the list cache first: the new project must not wait for it.
    assert_eq!(list_titles(&app, "").await, Vec::<String>::new());

    let response = app
        .client
        .post(format!("{}/api/v1/posts", app.base_url))
        .bearer_auth(&han.token)
        .json(&project("  Paper lantern  "))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 201);
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(location, format!("/api/v1/posts/{}", body["id"]));
    assert_eq!(body["title"], "Paper lantern");
    assert_eq!(body["status"], "FUNDING");
    assert_eq!(body["target_amount"], 1_000_000);
    assert_eq!(body["price"], 15_000);
    assert_eq!(body["final_date"], "2026-12-31");
    assert_eq!(body["total_amount"], 0);

    let (status, detail) = json_get(&app, &location).await;
    assert_eq!(
        (status, &detail["content"]),
        (200, &json!("## Light\n\nFolded by hand."))
    );
    assert_eq!(list_titles(&app, "").await, ["Paper lantern"]);
    assert_eq!(
        list_titles(&app, "?search=lantern").await,
        ["Paper lantern"]
    );
}

async fn json_get(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn only_publishers_with_a_pocket_publish() {
    let app = TestApp::spawn().await;
    let backer = signed_up(&app, "backer_kim", "backer").await;
    let (status, body) = create(&backer, project("Nope")).await;
    assert_eq!((status, code(&body)), (403, &json!("FORBIDDEN")));

    let pocketless = signed_up(&app, "studio_new", "publisher").await;
    let (status, body) = create(&pocketless, project("Nope")).await;
    assert_eq!(
        (status, code(&body)),
        (409, &json!("POCKET_NOT_REGISTERED"))
    );

    let anonymous = app
        .client
        .post(format!("{}/api/v1/posts", app.base_url))
        .json(&project("Nope"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or_default();
    assert_eq!(anonymous, 401);
    let posts: i64 = sqlx::query_scalar("SELECT count(*) FROM posts")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(posts, 0);
}

#[tokio::test]
async fn the_rules_hold_with_clear_codes() {
    let app = TestApp::spawn().await;
    let han = publisher(&app, "studio_rules").await;

    let (status, body) = create(&han, with(project("Small"), "target_amount", json!(9_999))).await;
    assert_eq!(
        (status, code(&body)),
        (422, &json!("TARGET_AMOUNT_OUT_OF_BOUND"))
    );
    assert!(body["error"]["details"]["target_amount"].is_string());
    let (status, _) = create(
        &han,
        with(
            with(project("Smallest"), "target_amount", json!(10_000)),
            "price",
            json!(10_000),
        ),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = create(
        &han,
        with(project("Huge"), "target_amount", json!(10_000_000_000_i64)),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, &json!("TARGET_AMOUNT_OUT_OF_BOUND"))
    );

    let (status, body) = create(&han, with(project("Dear"), "price", json!(1_000_001))).await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    assert!(body["error"]["details"]["price"].is_string());
    let (status, body) = create(&han, with(project("Cheap"), "price", json!(999))).await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));

    let (status, body) = create(
        &han,
        with(project("Past"), "final_date", json!("2026-11-24")),
    )
    .await;
    assert_eq!((status, code(&body)), (422, &json!("INVALID_FINAL_DATE")));
    let (status, body) = create(
        &han,
        with(project("Far"), "final_date", json!("2027-11-25")),
    )
    .await;
    assert_eq!((status, code(&body)), (422, &json!("INVALID_FINAL_DATE")));

    let (status, body) = create(
        &han,
        with(project("Float"), "target_amount", json!(10_000.5)),
    )
    .await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    let (status, body) = create(&han, with(project(""), "title", json!(" "))).await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    assert!(body["error"]["details"]["title"].is_string());
    let (status, body) = create(
        &han,
        with(project("Long"), "content", json!("x".repeat(20_001))),
    )
    .await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    assert!(body["error"]["details"]["content"].is_string());

    // Several problems at once: every field named.
    let (status, body) = create(&han, json!({ "title": "Only a title" })).await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    for field in ["publisher_name", "target_amount", "price", "final_date"] {
        assert!(
            body["error"]["details"][field].is_string(),
            "{field}: {body}"
        );
    }

    // Unknown fields are refused, not ignored.
    let (status, body) = create(&han, with(project("Extra"), "status", json!("SUCCESS"))).await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM posts")
        .fetch_all(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(titles, ["Smallest"]);
}

/// 00:30 in Seoul is still yesterday in UTC: "today" is Seoul's.
#[tokio::test]
async fn the_end_date_counts_days_in_seoul() {
    let app = TestApp::spawn_with(common::Options {
        now: Utc
            .with_ymd_and_hms(2026, 11, 24, 15, 30, 0)
            .single()
            .unwrap_or_default(),
        ..common::Options::default()
    })
    .await;
    let han = publisher(&app, "studio_midnight").await;
    // It is 2026-11-25 in Seoul.
    let (status, body) = create(
        &han,
        with(project("Today"), "final_date", json!("2026-11-25")),
    )
    .await;
    assert_eq!((status, code(&body)), (422, &json!("INVALID_FINAL_DATE")));
    let (status, body) = create(
        &han,
        with(project("Tomorrow"), "final_date", json!("2026-11-26")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

async fn published(client: &Client<'_>, title: &str) -> i64 {
    let (status, body) = create(client, project(title)).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap_or_default()
}

async fn patch(client: &Client<'_>, id: i64, body: Value) -> (u16, Value) {
    client
        .send(Method::PATCH, &format!("/api/v1/posts/{id}"), Some(body))
        .await
}

#[tokio::test]
async fn the_owner_edits_while_funding_and_never_the_target() {
    let app = TestApp::spawn().await;
    let han = publisher(&app, "studio_edit").await;
    let id = published(&han, "Paper lantern").await;
    assert_eq!(list_titles(&app, "").await, ["Paper lantern"]);

    let (status, body) = patch(&han, id, json!({ "title": "Paper lantern, large" })).await;
    assert_eq!(
        (status, &body["title"]),
        (200, &json!("Paper lantern, large"))
    );
    assert_eq!(body["price"], 15_000, "untouched fields stay");
    assert_eq!(list_titles(&app, "").await, ["Paper lantern, large"]);

    for target in [json!(2_000_000), json!(1_000_000)] {
        let (status, body) =
            patch(&han, id, json!({ "target_amount": target, "title": "x" })).await;
        assert_eq!(
            (status, code(&body)),
            (422, &json!("TARGET_AMOUNT_IMMUTABLE"))
        );
    }
    let (status, body) = patch(
        &han,
        id,
        json!({ "price": 20_000, "final_date": "2027-01-15" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["price"], &body["final_date"]),
        (&json!(20_000), &json!("2027-01-15"))
    );
    let (status, body) = patch(&han, id, json!({ "price": 1_000_001 })).await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    let (status, body) = patch(&han, id, json!({ "final_date": "2026-11-24" })).await;
    assert_eq!((status, code(&body)), (422, &json!("INVALID_FINAL_DATE")));
    let (status, body) = patch(&han, id, json!({ "colour": "red" })).await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));

    let target: i64 = sqlx::query_scalar("SELECT target_amount FROM posts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(target, 1_000_000);
}

#[tokio::test]
async fn backed_terms_are_locked_and_others_cannot_edit() {
    let app = TestApp::spawn().await;
    let han = publisher(&app, "studio_terms").await;
    let rival = publisher(&app, "studio_rival").await;
    let id = published(&han, "Tea cups").await;
    // Backing arrives with the checkout issue: written directly for now.
    let backer: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, email, password_hash, role) \
         VALUES ('early_bird', 'early@example.com', '!', 'backer') RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("INSERT INTO backings (post_id, backer_id, amount) VALUES ($1, $2, 15000)")
        .bind(id)
        .bind(backer)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    for terms in [
        json!({ "price": 16_000 }),
        json!({ "final_date": "2027-01-01" }),
    ] {
        let (status, body) = patch(&han, id, terms.clone()).await;
        assert_eq!(
            (status, code(&body)),
            (409, &json!("POST_TERMS_LOCKED")),
            "{terms}"
        );
    }
    let (status, _) = patch(&han, id, json!({ "content": "Now with saucers." })).await;
    assert_eq!(status, 200, "words may still change");

    let (status, body) = patch(&rival, id, json!({ "title": "Mine now" })).await;
    assert_eq!((status, code(&body)), (403, &json!("FORBIDDEN")));
    let (status, body) = patch(&han, 999_999, json!({ "title": "Ghost" })).await;
    assert_eq!((status, code(&body)), (404, &json!("POST_NOT_FOUND")));

    // The owner sees who backed; nobody else does.
    let (status, backers) = han
        .send(Method::GET, &format!("/api/v1/me/posts/{id}/backers"), None)
        .await;
    assert_eq!(status, 200, "{backers}");
    assert_eq!(backers["items"][0]["username"], "early_bird");
    assert_eq!(backers["items"][0]["amount"], 15_000);
    assert_eq!(backers["total_items"], 1);
    let (status, body) = rival
        .send(Method::GET, &format!("/api/v1/me/posts/{id}/backers"), None)
        .await;
    assert_eq!((status, code(&body)), (403, &json!("FORBIDDEN")));

    common::end_project(&app.db, id, "SUCCESS").await;
    let (status, body) = patch(&han, id, json!({ "title": "Too late" })).await;
    assert_eq!((status, code(&body)), (409, &json!("POST_NOT_FUNDING")));
}

#[tokio::test]
async fn the_database_holds_the_bounds_too() {
    let app = TestApp::spawn().await;
    let han = publisher(&app, "studio_db").await;
    let id = published(&han, "Bounded").await;
    for (sql, constraint) in [
        (
            "UPDATE posts SET price = target_amount + 1 WHERE id = $1",
            "posts_price_within_target",
        ),
        (
            "UPDATE posts SET price = 999 WHERE id = $1",
            "posts_price_within_target",
        ),
        (
            "UPDATE posts SET target_amount = 10000000000, price = 1000 WHERE id = $1",
            "posts_target_amount_max",
        ),
    ] {
        let error = sqlx::query(sql)
            .bind(id)
            .execute(&app.db)
            .await
            .err()
            .unwrap_or_else(|| panic!("{sql} was allowed"));
        assert_eq!(
            error.as_database_error().and_then(|e| e.constraint()),
            Some(constraint),
            "{sql}"
        );
    }
}

/// Posts a form to a server function from Moa's own page.
async fn server_fn(
    app: &TestApp,
    client: &Client<'_>,
    name: &str,
    form: &[(&str, &str)],
    accept: &str,
) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .post(format!("{}/api/{name}", app.base_url))
        .header(header::COOKIE, format!("moa_session={}", client.token))
        .header(header::ORIGIN, &app.base_url)
        .header(header::ACCEPT, accept)
        .form(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

const FORM: [(&str, &str); 6] = [
    ("title", "Wool scarf"),
    ("publisher_name", "Studio Knit"),
    ("content", "Warm **and** soft.<script>alert(1)</script>"),
    ("target_amount", "₩500,000"),
    ("price", "25,000원"),
    ("final_date", "2026-12-20"),
];

#[tokio::test]
async fn the_form_publishes_by_the_same_rules_with_and_without_javascript() {
    let app = TestApp::spawn().await;
    let knit = publisher(&app, "studio_knit").await;

    // Hydrated: JSON in, JSON out, the same codes as REST.
    let mut small = FORM;
    small[3] = ("target_amount", "9,999");
    let refused = server_fn(&app, &knit, "create_post", &small, "application/json").await;
    assert_eq!(refused.status().as_u16(), 422);
    let body: Value = refused.json().await.unwrap_or(Value::Null);
    assert_eq!(body["code"], "TARGET_AMOUNT_OUT_OF_BOUND");
    assert_eq!(
        body["details"]["target_amount"]["POST"]["TARGET_AMOUNT_OUT_OF_BOUND"],
        json!({"min": 10_000, "max": 9_999_999_999_i64})
    );

    // Without JavaScript: a plain form post, answered with the new page.
    let created = server_fn(&app, &knit, "create_post", &FORM, "text/html").await;
    assert_eq!(created.status().as_u16(), 302);
    let location = created
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(location.starts_with("/posts/"), "{location}");
    let (status, page) = app.get_text(&location).await;
    assert_eq!(status, 200);
    assert!(page.contains("Wool scarf") && page.contains("<strong>and</strong>"));
    assert!(
        !page.contains("<script>alert"),
        "the description was not sanitised"
    );

    // The preview uses the same sanitiser.
    let preview = server_fn(
        &app,
        &knit,
        "preview_description",
        &[("content", "**bold**<img src=x onerror=alert(1)>")],
        "application/json",
    )
    .await;
    let html: String = preview.json().await.unwrap_or_default();
    assert!(
        html.contains("<strong>bold</strong>") && !html.contains("onerror"),
        "{html}"
    );

    // Editing from the form: the target is refused even unchanged.
    let id = location.trim_start_matches("/posts/").to_owned();
    let refused = server_fn(
        &app,
        &knit,
        "edit_post",
        &[
            ("id", &id),
            ("title", "Wool scarf"),
            ("publisher_name", "Studio Knit"),
            ("content", "Warm."),
            ("target_amount", "500000"),
        ],
        "application/json",
    )
    .await;
    let body: Value = refused.json().await.unwrap_or(Value::Null);
    assert_eq!(body["code"], "TARGET_AMOUNT_IMMUTABLE");
    let renamed = server_fn(
        &app,
        &knit,
        "edit_post",
        &[
            ("id", &id),
            ("title", "Wool scarf, long"),
            ("publisher_name", "Studio Knit"),
            ("content", "Warm."),
        ],
        "application/json",
    )
    .await;
    assert_eq!(renamed.status().as_u16(), 200);
    assert_eq!(list_titles(&app, "").await, ["Wool scarf, long"]);
}

async fn page_for(app: &TestApp, client: Option<&Client<'_>>, path: &str) -> String {
    let mut request = app.client.get(format!("{}{path}", app.base_url));
    if let Some(client) = client {
        request = request.header(header::COOKIE, format!("moa_session={}", client.token));
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default()
}

#[tokio::test]
async fn the_pages_guide_each_visitor() {
    let app = TestApp::spawn().await;
    let pocketless = signed_up(&app, "studio_bare", "publisher").await;
    let ready = publisher(&app, "studio_ready").await;
    let backer = signed_up(&app, "just_backing", "backer").await;

    let page = page_for(&app, Some(&pocketless), "/posts/new").await;
    assert!(
        page.contains("/pocket?next=/posts/new"),
        "no way to a pocket"
    );
    assert!(!page.contains("name=\"target_amount\""));
    let page = page_for(&app, Some(&ready), "/posts/new").await;
    assert!(page.contains("name=\"target_amount\"") && page.contains("Publish project"));
    let page = page_for(&app, Some(&backer), "/posts/new").await;
    assert!(page.contains("Only publisher accounts can do this."));
    let page = page_for(&app, None, "/posts/new").await;
    assert!(page.contains("/login?next=/posts/new"));

    let id = published(&ready, "Edit me").await;
    let page = page_for(&app, Some(&ready), &format!("/posts/{id}/edit")).await;
    assert!(page.contains("value=\"Edit me\"") && page.contains("₩1,000,000"));
    assert!(
        !page.contains("name=\"target_amount\""),
        "the target is read-only"
    );
    let page = page_for(&app, Some(&ready), "/me/projects").await;
    assert!(page.contains(&format!("/posts/{id}/edit")) && page.contains("/posts/new"));
}

/// What the review of the first version found: the form's empty fields,
/// an unchanged end date on the last day, `null` as a target, invisible
/// titles, and edits after the last day.
#[tokio::test]
async fn edits_mean_what_they_say() {
    let app = TestApp::spawn().await;
    let han = publisher(&app, "studio_exact").await;
    let id = published(&han, "Exact").await;
    let id_text = id.to_string();

    // An emptied title is refused, not ignored.
    let cleared = server_fn(
        &app,
        &han,
        "edit_post",
        &[
            ("id", &id_text),
            ("title", ""),
            ("publisher_name", "Studio"),
            ("content", ""),
        ],
        "application/json",
    )
    .await;
    assert_eq!(cleared.status().as_u16(), 422);
    // Sending the unchanged terms changes nothing, so it is no edit of them.
    let same_terms = server_fn(
        &app,
        &han,
        "edit_post",
        &[
            ("id", &id_text),
            ("title", "Exact, again"),
            ("publisher_name", "Studio"),
            ("content", ""),
            ("price", "15,000"),
            ("final_date", "2026-12-31"),
        ],
        "application/json",
    )
    .await;
    assert_eq!(same_terms.status().as_u16(), 200);

    let (status, body) = patch(&han, id, json!({ "target_amount": null })).await;
    assert_eq!(
        (status, code(&body)),
        (422, &json!("TARGET_AMOUNT_IMMUTABLE"))
    );
    let (status, body) = patch(&han, id, json!({ "title": "\u{200B}" })).await;
    assert_eq!((status, code(&body)), (422, &json!("VALIDATION_FAILED")));
    let (status, body) = create(
        &han,
        with(
            project("Huge"),
            "target_amount",
            json!("99999999999999999999"),
        ),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, &json!("TARGET_AMOUNT_OUT_OF_BOUND"))
    );

    // After its last day a project is over, even before settlement marks it.
    sqlx::query("UPDATE posts SET end_date = '2026-11-23' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = patch(&han, id, json!({ "title": "Revived" })).await;
    assert_eq!((status, code(&body)), (409, &json!("POST_NOT_FUNDING")));
}
