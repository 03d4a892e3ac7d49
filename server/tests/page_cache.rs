//! Public pages kept for anonymous visitors (`server::page_cache`): answered
//! again without rendering until a project changes, each time with a fresh
//! CSP nonce, never for someone signed in, and coherent across processes.

mod common;

use app::domain::Role;
use common::{NewPost, TestApp, account, insert_post, insert_publisher};
use reqwest::{Method, header};
use serde_json::json;

/// A change no page knows about: written straight into the database, so it
/// shows only on a page rendered after it.
async fn rename_quietly(app: &TestApp, id: i64, title: &str) {
    sqlx::query("UPDATE posts SET title = $2 WHERE id = $1")
        .bind(id)
        .bind(title)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A change through Moa, which every cached list and page must follow.
async fn publish_through_moa(app: &TestApp, title: &str) {
    let publisher = account(app, &format!("studio_{}", title.len()), Role::Publisher, 0).await;
    let (status, body) = publisher
        .send(
            Method::POST,
            "/api/v1/posts",
            Some(json!({
                "title": title,
                "publisher_name": "Studio Han",
                "content": "Folded by hand.",
                "target_amount": 1_000_000,
                "price": 15_000,
                "final_date": "2026-12-31",
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

fn nonce_in_policy(response: &reqwest::Response) -> String {
    let policy = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let start = policy.find("'nonce-").map(|at| at + "'nonce-".len());
    start
        .and_then(|start| policy[start..].split('\'').next())
        .unwrap_or_default()
        .to_owned()
}

async fn page(app: &TestApp, path: &str) -> (String, String) {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let nonce = nonce_in_policy(&response);
    (nonce, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_page_is_answered_again_until_a_project_changes_through_moa() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let id = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Paper lamp",
            ..NewPost::default()
        },
    )
    .await;
    let (_, home) = page(&app, "/").await;
    let (_, project) = page(&app, &format!("/posts/{id}")).await;
    assert!(home.contains("Paper lamp") && project.contains("Paper lamp"));

    rename_quietly(&app, id, "Quietly renamed").await;
    let (_, home) = page(&app, "/").await;
    let (_, project) = page(&app, &format!("/posts/{id}")).await;
    assert!(
        home.contains("Paper lamp"),
        "the kept home page is answered"
    );
    assert!(
        project.contains("Paper lamp"),
        "the kept project page is answered"
    );
    let (_, newest) = page(&app, "/?sort=created").await;
    assert!(
        newest.contains("Quietly renamed"),
        "another address is its own page"
    );

    publish_through_moa(&app, "Brass bell").await;
    let (_, home) = page(&app, "/").await;
    let (_, project) = page(&app, &format!("/posts/{id}")).await;
    assert!(home.contains("Brass bell") && home.contains("Quietly renamed"));
    assert!(!home.contains("Paper lamp"));
    assert!(project.contains("Quietly renamed"));
}

#[tokio::test]
async fn every_answer_has_its_own_nonce_matching_its_policy() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    insert_post(&app.db, publisher, NewPost::default()).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (nonce, html) = page(&app, "/").await;
        assert!(nonce.len() >= 16, "a nonce in the policy: {nonce:?}");
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the page's scripts carry the policy's nonce"
        );
        assert!(!html.contains("__moa_csp_nonce"), "no placeholder leaks");
        assert!(!seen.contains(&nonce), "a nonce is never reused");
        seen.push(nonce);
    }
}

#[tokio::test]
async fn kept_pages_never_mix_languages() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let id = insert_post(&app.db, publisher, NewPost::default()).await;
    for _ in 0..2 {
        for (language, tag) in [("ko-KR", "lang=\"ko\""), ("en-US", "lang=\"en\"")] {
            let html = app
                .client
                .get(format!("{}/posts/{id}", app.base_url))
                .header(header::ACCEPT_LANGUAGE, language)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .text()
                .await
                .unwrap_or_default();
            assert!(html.contains(tag), "{language} gets {tag}");
        }
    }
}

#[tokio::test]
async fn someone_signed_in_never_gets_a_kept_page() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    insert_post(&app.db, publisher, NewPost::default()).await;
    let (_, anonymous) = page(&app, "/").await;
    assert!(!anonymous.contains("hana_backer"));

    let backer = account(&app, "hana_backer", Role::Backer, 0).await;
    let html = app
        .client
        .get(format!("{}/", app.base_url))
        .header(header::COOKIE, format!("moa_session={}", backer.token))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        html.contains("hana_backer"),
        "the header shows who is signed in"
    );

    let (_, anonymous_again) = page(&app, "/").await;
    assert!(
        !anonymous_again.contains("hana_backer"),
        "nor is their page kept for others"
    );
}

#[tokio::test]
async fn a_change_through_one_process_shows_at_once_through_another() {
    let app = TestApp::spawn().await;
    let other = app.another_process().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    insert_post(&app.db, publisher, NewPost::default()).await;
    let (_, before) = page(&other, "/").await;
    assert!(!before.contains("Brass bell"));

    publish_through_moa(&app, "Brass bell").await;
    let (_, after) = page(&other, "/").await;
    assert!(
        after.contains("Brass bell"),
        "the other process's kept page is dropped"
    );
}

#[tokio::test]
async fn without_redis_every_page_is_rendered() {
    let app = TestApp::spawn_with(common::Options {
        redis_url: "redis://127.0.0.1:1".into(),
        ..common::Options::default()
    })
    .await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let id = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Paper lamp",
            ..NewPost::default()
        },
    )
    .await;
    let (_, first) = page(&app, "/").await;
    assert!(first.contains("Paper lamp"));
    rename_quietly(&app, id, "Quietly renamed").await;
    let (_, second) = page(&app, "/").await;
    assert!(
        second.contains("Quietly renamed"),
        "nothing is kept without the generation"
    );
}

#[tokio::test]
async fn a_page_that_failed_to_render_is_not_kept() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let id = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Paper lamp",
            ..NewPost::default()
        },
    )
    .await;
    let path = format!("/posts/{id}");
    let break_reads = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query(sql)
                .execute(&db)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    };
    break_reads("ALTER TABLE posts RENAME TO posts_away").await;
    let failed = app.get(&path).await;
    let status = failed.status().as_u16();
    break_reads("ALTER TABLE posts_away RENAME TO posts").await;
    assert!(
        (500..600).contains(&status),
        "a page that could not read its project says so: {status}"
    );

    let (_, recovered) = page(&app, &path).await;
    assert!(
        recovered.contains("Paper lamp"),
        "the next visitor gets the project, not the kept failure"
    );
}

#[tokio::test]
async fn content_that_looks_like_the_placeholder_stays_text() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let id = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "__moa_csp_nonce_9f3c1b7e__",
            ..NewPost::default()
        },
    )
    .await;
    let mut places = Vec::new();
    for _ in 0..2 {
        let response = app.get(&format!("/posts/{id}")).await;
        let nonce = nonce_in_policy(&response);
        let html = response.text().await.unwrap_or_default();
        assert!(
            html.contains("__moa_csp_nonce_9f3c1b7e__"),
            "the title is shown as written"
        );
        places.push(html.matches(&nonce).count());
    }
    assert_eq!(
        places[0], places[1],
        "a kept page carries its nonce where a rendered one does, nowhere else"
    );
}

#[tokio::test]
async fn made_up_query_strings_are_rendered_not_kept() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "studio").await;
    let id = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Paper lamp",
            ..NewPost::default()
        },
    )
    .await;
    // (The home page's made-up spellings are refused by the same rule,
    // `page_cache::is_canonical`; its list comes from the JSON cache, so a
    // quiet rename cannot tell a kept home page from a rendered one.)
    for path in [format!("/posts/{id}?x=1"), format!("/posts/{id}?")] {
        let path = path.as_str();
        rename_quietly(&app, id, "Paper lamp").await;
        let (_, first) = page(&app, path).await;
        assert!(first.contains("Paper lamp"), "{path}");
        rename_quietly(&app, id, "Quietly renamed").await;
        let (_, second) = page(&app, path).await;
        assert!(
            second.contains("Quietly renamed"),
            "{path} is not the canonical URL of its page, so it is not kept"
        );
    }
}
