//! Browsing: search, order, pages and the detail page, in HTML and REST.

mod common;

use chrono::{Days, Duration};
use common::{NewPost, TestApp, insert_post, insert_publisher, test_now, test_today};
use serde_json::Value;

async fn api(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn titles(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn app_with_titles(titles: &[&str]) -> TestApp {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    for (index, title) in titles.iter().enumerate() {
        let total = 10_000 * (index as i64 + 1);
        insert_post(
            &app.db,
            publisher,
            NewPost {
                title,
                total_amount: total,
                ..NewPost::default()
            },
        )
        .await;
    }
    app
}

#[tokio::test]
async fn search_is_case_insensitive_and_matches_anywhere() {
    let app = app_with_titles(&[
        "Eco Tumbler",
        "mini TUMBLER set",
        "Camping chair",
        "캠핑 의자",
        "겨울 캠핑 랜턴",
    ])
    .await;
    let (status, body) = api(&app, "/api/v1/posts?search=tumbler").await;
    assert_eq!(status, 200);
    assert_eq!(titles(&body), ["mini TUMBLER set", "Eco Tumbler"]);
    let (_, body) = api(&app, "/api/v1/posts?search=%EC%BA%A0%ED%95%91").await; // 캠핑
    assert_eq!(titles(&body), ["겨울 캠핑 랜턴", "캠핑 의자"]);
    assert_eq!(body["total_items"], 2);
}

#[tokio::test]
async fn search_takes_like_metacharacters_literally() {
    let app = app_with_titles(&[
        "100% cotton",
        "1000 cups",
        "snake_case",
        "snakeXcase",
        r"back\slash",
        "backslash",
    ])
    .await;
    let (_, body) = api(&app, "/api/v1/posts?search=100%25").await;
    assert_eq!(titles(&body), ["100% cotton"]);
    let (_, body) = api(&app, "/api/v1/posts?search=e_c").await;
    assert_eq!(titles(&body), ["snake_case"]);
    let (_, body) = api(&app, "/api/v1/posts?search=k%5Cs").await; // k\s
    assert_eq!(titles(&body), [r"back\slash"]);
    let (_, body) = api(&app, "/api/v1/posts?search=%25").await;
    assert_eq!(titles(&body), ["100% cotton"]);
}

#[tokio::test]
async fn pages_split_the_list_and_report_totals() {
    let names: Vec<String> = (1..=23).map(|n| format!("Project {n:02}")).collect();
    let app = app_with_titles(&names.iter().map(String::as_str).collect::<Vec<_>>()).await;

    let (_, first) = api(&app, "/api/v1/posts").await;
    assert_eq!(
        (first["page"].clone(), first["per_page"].clone()),
        (1.into(), 10.into())
    );
    assert_eq!(
        (first["total_items"].clone(), first["total_pages"].clone()),
        (23.into(), 3.into())
    );
    assert_eq!(titles(&first)[0], "Project 23");

    let (_, last) = api(&app, "/api/v1/posts?page=3").await;
    assert_eq!(titles(&last), ["Project 03", "Project 02", "Project 01"]);

    let (status, past_end) = api(&app, "/api/v1/posts?page=4").await;
    assert_eq!(status, 200);
    assert_eq!(titles(&past_end), Vec::<String>::new());
    assert_eq!(past_end["total_pages"], 3);

    let (_, wide) = api(&app, "/api/v1/posts?per_page=50").await;
    assert_eq!(titles(&wide).len(), 23);

    // Pages never overlap and together hold every project once.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let (_, body) = api(&app, &format!("/api/v1/posts?page={page}&sort=created")).await;
        seen.extend(titles(&body));
    }
    seen.sort();
    assert_eq!(seen, names);
}

#[tokio::test]
async fn bad_parameters_are_refused_with_the_field() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("sort=price", "sort"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=0", "per_page"),
        ("per_page=51", "per_page"),
    ] {
        let (status, body) = api(&app, &format!("/api/v1/posts?{query}")).await;
        assert_eq!(status, 422, "{query}");
        assert_eq!(body["error"]["code"], "VALIDATION_FAILED", "{query}");
        assert!(
            body["error"]["details"][field].is_string(),
            "{query}: {body}"
        );
        assert!(body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn list_items_have_the_documented_shape() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let id = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Shaped",
            target_amount: 1_000_000,
            total_amount: 5_000_000,
            backer_count: 500,
            end_date: test_today() + Days::new(12),
            ..NewPost::default()
        },
    )
    .await;
    let (_, body) = api(&app, "/api/v1/posts").await;
    let item = &body["items"][0];
    let mut keys: Vec<&str> = item
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "achievement_rate",
            "backer_count",
            "created_at",
            "d_day",
            "final_date",
            "id",
            "price",
            "publisher_name",
            "status",
            "target_amount",
            "title",
            "total_amount"
        ]
    );
    assert_eq!(item["id"], id);
    assert_eq!(item["achievement_rate"], 500);
    assert_eq!(item["d_day"], 12);
    assert_eq!(item["final_date"], "2026-12-06");
    assert_eq!(item["total_amount"], 5_000_000);
    assert_eq!(item["status"], "FUNDING");

    let (status, detail) = api(&app, &format!("/api/v1/posts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(detail["content"], "About it");
    assert_eq!(detail["publisher_id"], publisher);
    assert_eq!(detail["title"], "Shaped");
    assert_eq!(detail["d_day"], 12);
}

#[tokio::test]
async fn ended_projects_have_negative_d_day() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let end_date = test_today() - Days::new(3);
    let id = insert_post(
        &app.db,
        publisher,
        NewPost {
            status: "SUCCESS",
            end_date,
            ..NewPost::default()
        },
    )
    .await;
    let (_, detail) = api(&app, &format!("/api/v1/posts/{id}")).await;
    assert_eq!(detail["d_day"], -3);
    let (_, html) = app.get_text(&format!("/posts/{id}")).await;
    assert!(html.contains("Ended"));
}

#[tokio::test]
async fn deleted_and_unknown_projects_are_not_found() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let deleted = insert_post(
        &app.db,
        publisher,
        NewPost {
            deleted: true,
            status: "CLOSE",
            ..NewPost::default()
        },
    )
    .await;

    for id in [
        deleted.to_string(),
        "999999".into(),
        "abc".into(),
        "-1".into(),
    ] {
        let (status, body) = api(&app, &format!("/api/v1/posts/{id}")).await;
        assert_eq!(status, 404, "api {id}");
        assert_eq!(body["error"]["code"], "POST_NOT_FOUND", "api {id}");

        let (status, html) = app.get_text(&format!("/posts/{id}")).await;
        assert_eq!(status, 404, "page {id}");
        assert!(html.contains("Page not found"), "page {id}");
    }
}

/// As Kickstarter keeps unsuccessful projects: unlisted, but their link
/// still answers and says what happened.
#[tokio::test]
async fn a_cancelled_project_is_unlisted_but_its_page_says_what_happened() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let cancelled = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Quiet kettle",
            ..NewPost::default()
        },
    )
    .await;
    common::end_project(&app.db, cancelled, "CANCEL").await;

    let (status, detail) = api(&app, &format!("/api/v1/posts/{cancelled}")).await;
    assert_eq!((status, &detail["status"]), (200, &Value::from("CANCEL")));
    let (status, html) = app.get_text(&format!("/posts/{cancelled}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Quiet kettle"));
    assert!(html.contains("Cancelled: every backer was refunded."));
    let (_, list) = api(&app, "/api/v1/posts?search=kettle").await;
    assert_eq!(list["total_items"], 0, "{list}");
}

#[tokio::test]
async fn the_detail_page_renders_everything_and_sanitises_markdown() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let id = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Lamp </title><script>alert(9)</script> <b>bold</b>",
            total_amount: 2_500_000,
            ..NewPost::default()
        },
    )
    .await;
    sqlx::query("UPDATE posts SET description = $1 WHERE id = $2")
        .bind("## Why\n\n**Light** for all.<script>alert('x')</script><img src=x onerror=alert(1)>")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let (status, html) = app.get_text(&format!("/posts/{id}")).await;
    assert_eq!(status, 200);
    for expected in [
        "<h2>Why</h2>",
        "<strong>Light</strong>",
        "₩2,500,000",
        "₩1,000,000",
        "₩10,000",
        "250%",
        "D-30",
        "2026-11-24",
        "Test Studio",
    ] {
        assert!(html.contains(expected), "{expected:?} missing");
    }
    // The title is text: it can neither close <title> nor open a tag.
    assert!(
        html.contains("<title>Lamp &lt;/title&gt;&lt;script&gt;alert(9)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; · Moa 모아</title>"),
        "title tag missing or unescaped"
    );
    assert!(
        html.contains("<meta name=\"description\" content=\"## Why"),
        "description meta missing"
    );
    // No executable markup anywhere; the raw description travels to the
    // browser only as escaped JSON (`\u003cscript`).
    let lower = html.to_lowercase();
    for forbidden in ["<script>alert", "<img src=x onerror"] {
        assert!(!lower.contains(forbidden), "{forbidden} survived");
    }
    let start = lower
        .find("about this project")
        .unwrap_or_else(|| panic!("no description section"));
    let section = &lower[start..start + lower[start..].find("</section>").unwrap_or(0)];
    assert!(
        !section.contains("onerror") && !section.contains("<script"),
        "{section}"
    );
}

#[tokio::test]
async fn the_html_list_follows_the_url() {
    let names: Vec<String> = (1..=12).map(|n| format!("Item {n:02}")).collect();
    let app = app_with_titles(&names.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let (_, page_two) = app.get_text("/?page=2").await;
    assert!(page_two.contains("Item 02") && !page_two.contains("Item 12"));
    assert!(page_two.contains("page 2 of 2"));
    let (_, past_end) = app.get_text("/?page=9").await;
    assert!(past_end.contains("No projects on this page"));
    let (_, searched) = app.get_text("/?q=item+1").await;
    assert!(
        searched.contains("Item 12")
            && searched.contains("Item 10")
            && !searched.contains("Item 09")
    );
    let (status, bogus) = app.get_text("/?sort=bogus&page=-4").await;
    assert_eq!(status, 200);
    assert!(bogus.contains("Item 12"));
    let (_, none) = app.get_text("/?q=zzz").await;
    assert!(none.contains("No projects match"));
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let app = TestApp::spawn().await;
    let (status, doc) = api(&app, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for (path, method) in [
        ("/api/v1/posts", "get"),
        ("/api/v1/posts/{id}", "get"),
        ("/api/v1/posts/{id}", "delete"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/auth/token", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/posts", "get"),
        ("/api/v1/me/backings", "get"),
        ("/api/v1/me/pocket", "put"),
        ("/api/v1/me/pocket/deposits", "post"),
        ("/api/v1/me/pocket/entries", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    assert!(doc["components"]["schemas"]["PostItem"].is_object());
    for page in ["/swagger", "/redoc"] {
        let (status, html) = app.get_text(page).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("/vendor/") && !html.contains("cdn"),
            "{page} must not load from a CDN"
        );
    }
    let (status, body) = api(&app, "/api/v1/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn newest_sort_orders_by_creation_time() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    for (title, hours) in [("Old", 30), ("Newer", 3), ("Middle", 10)] {
        insert_post(
            &app.db,
            publisher,
            NewPost {
                title,
                created_at: test_now() - Duration::hours(hours),
                ..NewPost::default()
            },
        )
        .await;
    }
    let (_, body) = api(&app, "/api/v1/posts?sort=created").await;
    assert_eq!(titles(&body), ["Newer", "Middle", "Old"]);
}

#[tokio::test]
async fn the_list_count_follows_every_change_of_listed_projects() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let mut ids = Vec::new();
    for title in ["A", "B", "C", "D"] {
        ids.push(
            insert_post(
                &app.db,
                publisher,
                NewPost {
                    title,
                    ..NewPost::default()
                },
            )
            .await,
        );
    }
    insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Born cancelled",
            status: "CANCEL",
            ..NewPost::default()
        },
    )
    .await;
    let total = |query: &'static str| {
        let app = &app;
        async move { api(app, query).await.1["total_items"].clone() }
    };
    assert_eq!(total("/api/v1/posts").await, 4);

    let exec = |sql: &'static str, id: i64| {
        let db = app.db.clone();
        async move {
            sqlx::query(sql)
                .bind(id)
                .execute(&db)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    };
    common::end_project(&app.db, ids[0], "CANCEL").await;
    common::end_project(&app.db, ids[1], "CLOSE").await;
    exec("UPDATE posts SET deleted_at = now() WHERE id = $1", ids[1]).await;
    common::end_project(&app.db, ids[2], "SUCCESS").await;
    exec(
        "UPDATE posts SET total_amount = 50000, backer_count = 5 WHERE id = $1",
        ids[3],
    )
    .await;
    // Another page, so the answer cannot come from the list cache.
    assert_eq!(total("/api/v1/posts?page=2").await, 2);
    let listed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM posts WHERE deleted_at IS NULL AND status <> 'CANCEL'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let counted: i64 = sqlx::query_scalar("SELECT n FROM listed_post_count")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((listed, counted), (2, 2));
}

/// `count` funding projects titled "Paper lamp 1", "Paper lamp 2", … at once.
async fn insert_lamps(app: &TestApp, count: i64) {
    let publisher = insert_publisher(&app.db, "lamp_studio").await;
    sqlx::query(
        "INSERT INTO posts (publisher_id, title, publisher_name, description, target_amount, price, \
                            end_date, status, total_amount, backer_count, created_at) \
         SELECT $1, 'Paper lamp ' || g, 'Test Studio', 'About it', 1000000, 10000, $3, 'FUNDING', g, 0, $4 \
         FROM generate_series(1, $2) g",
    )
    .bind(publisher)
    .bind(count)
    .bind(test_today() + Days::new(30))
    .bind(test_now())
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_search_counts_its_matches_up_to_a_thousand_and_says_at_least() {
    let app = TestApp::spawn().await;
    insert_lamps(&app, 1_005).await;

    let (status, body) = api(&app, "/api/v1/posts?search=lamp").await;
    assert_eq!(status, 200);
    assert_eq!(body["total_items"], 1_000);
    assert_eq!(body["total_capped"], true);
    assert_eq!(body["total_pages"], 100);
    assert_eq!(
        body["items"][0]["title"], "Paper lamp 1005",
        "the most funded first"
    );

    // Past the cap the pager keeps one page ahead, and the rows go on.
    let (_, page_101) = api(&app, "/api/v1/posts?search=lamp&page=101").await;
    assert_eq!(page_101["total_pages"], 102);
    assert_eq!(page_101["items"].as_array().map(Vec::len), Some(5));

    let (_, html) = app.get_text("/?q=lamp").await;
    assert!(
        html.contains("1,000+ projects · page 1"),
        "the page says at least"
    );
}

#[tokio::test]
async fn a_search_below_the_cap_is_counted_exactly() {
    let app = TestApp::spawn().await;
    insert_lamps(&app, 1_000).await;
    let (_, body) = api(&app, "/api/v1/posts?search=lamp").await;
    assert_eq!(body["total_items"], 1_000);
    assert_eq!(body["total_capped"], false);
    assert_eq!(body["total_pages"], 100);
    // The list without a search keeps its exact count.
    let (_, all) = api(&app, "/api/v1/posts").await;
    assert_eq!(all["total_items"], 1_000);
    assert_eq!(all["total_capped"], false);
}
