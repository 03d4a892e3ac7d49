//! The home page, rendered by the server from PostgreSQL.

mod common;

use chrono::{Days, Duration};
use common::{NewPost, TestApp, insert_post, insert_publisher, test_now, test_today};

fn position(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on the page"))
}

#[tokio::test]
async fn lists_projects_by_status_priority_then_total() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let post = |title, status, total| NewPost {
        title,
        status,
        total_amount: total,
        ..NewPost::default()
    };
    insert_post(
        &app.db,
        publisher,
        post("Closed but rich", "CLOSE", 9_000_000),
    )
    .await;
    insert_post(&app.db, publisher, post("Succeeded", "SUCCESS", 5_000_000)).await;
    insert_post(&app.db, publisher, post("Funding small", "FUNDING", 10_000)).await;
    insert_post(&app.db, publisher, post("Funding big", "FUNDING", 800_000)).await;
    insert_post(
        &app.db,
        publisher,
        post("Cancelled one", "CANCEL", 7_000_000),
    )
    .await;
    insert_post(
        &app.db,
        publisher,
        NewPost {
            deleted: true,
            ..post("Deleted one", "CLOSE", 1)
        },
    )
    .await;

    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    let order = [
        "Funding big",
        "Funding small",
        "Succeeded",
        "Closed but rich",
    ]
    .map(|t| position(&html, t));
    assert!(
        order.windows(2).all(|pair| pair[0] < pair[1]),
        "wrong order: {order:?}"
    );
    assert!(
        !html.contains("Cancelled one"),
        "a cancelled project was listed"
    );
    assert!(
        !html.contains("Deleted one"),
        "a deleted project was listed"
    );
}

#[tokio::test]
async fn newest_sort_keeps_status_priority() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let at = |hours_ago| test_now() - Duration::hours(hours_ago);
    let post = |title, status, hours_ago| NewPost {
        title,
        status,
        created_at: at(hours_ago),
        ..NewPost::default()
    };
    insert_post(&app.db, publisher, post("Newest but closed", "CLOSE", 1)).await;
    insert_post(&app.db, publisher, post("Old funding", "FUNDING", 48)).await;
    insert_post(&app.db, publisher, post("New funding", "FUNDING", 2)).await;

    let (_, html) = app.get_text("/?sort=created").await;
    let order = ["New funding", "Old funding", "Newest but closed"].map(|t| position(&html, t));
    assert!(
        order.windows(2).all(|pair| pair[0] < pair[1]),
        "wrong order: {order:?}"
    );
}

#[tokio::test]
async fn cards_show_money_rate_dday_and_backers() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Overfunded lamp",
            target_amount: 1_000_000,
            total_amount: 5_000_000,
            backer_count: 77,
            end_date: test_today() + Days::new(12),
            ..NewPost::default()
        },
    )
    .await;
    insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Last day",
            end_date: test_today(),
            ..NewPost::default()
        },
    )
    .await;

    let (_, html) = app.get_text("/").await;
    for expected in ["₩5,000,000", "500%", "D-12", "D-Day", ">77<", "Studio"] {
        assert!(
            html.contains(expected),
            "{expected:?} missing from the page"
        );
    }
}

#[tokio::test]
async fn an_empty_site_says_so() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("No projects yet"));
}

#[tokio::test]
async fn unknown_paths_render_a_404_page() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_text("/definitely/not/here").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
}

#[tokio::test]
async fn the_list_server_function_answers_json() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Via server fn",
            ..NewPost::default()
        },
    )
    .await;

    let response = app
        .client
        .post(format!("{}/api/list_projects", app.base_url))
        .form(&[("sort", "created"), ("page", "1"), ("per_page", "10")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert_eq!(body["items"][0]["title"], "Via server fn");
    assert_eq!(body["items"][0]["status"], "FUNDING");
    assert_eq!(body["items"][0]["days_left"], 30);
    assert_eq!(body["total_items"], 1);
}

/// The list's server function is a public door like `/api/v1/posts`: it
/// parses what it is sent by the same rules, so nobody can ask it for the
/// whole table or an offset that overflows.
#[tokio::test]
async fn the_list_server_function_refuses_what_rest_refuses() {
    let app = TestApp::spawn().await;
    for (field, value) in [
        ("per_page", "1000000"),
        ("per_page", "0"),
        ("page", "4294967295"),
        ("sort", "price"),
        ("search", &"x".repeat(101)),
    ] {
        let response = app
            .client
            .post(format!("{}/api/list_projects", app.base_url))
            .header("accept", "application/json")
            .form(&[(field, value)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status().as_u16(), 422, "{field}={value:.20}");
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        assert_eq!(body["code"], "VALIDATION_FAILED");
        // The server function answers with codes and parameters (the page
        // words them in its language): `{"WHOLE_NUMBER_BETWEEN": {…}}` or
        // `"SORT_UNKNOWN"`.
        assert!(!body["details"][field].is_null(), "{field}: {body}");
        let problem: app::error::Problem = serde_json::from_value(body["details"][field].clone())
            .unwrap_or_else(|e| panic!("{field}: {e}: {body}"));
        assert!(!problem.to_string().is_empty());
    }
}
