//! Rights: one guard decides who reaches what. Backers cannot reach
//! publisher-only endpoints, publishers cannot reach backer-only ones, and
//! nobody reaches either without a valid session.

mod common;

use common::{Client, NewPost, TestApp, insert_post, signed_up};
use reqwest::{Method, header};
use serde_json::{Value, json};

async fn account_id(client: &Client<'_>) -> i64 {
    let (_, me) = client.send(Method::GET, "/api/v1/me", None).await;
    me["id"].as_i64().unwrap_or_else(|| panic!("no id in {me}"))
}

fn titles(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.pointer(field).and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_backer_cannot_reach_publisher_only_endpoints() {
    let app = TestApp::spawn().await;
    let backer = signed_up(&app, "backer_kim", "backer").await;

    let (status, body) = backer.send(Method::GET, "/api/v1/me/posts", None).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("FORBIDDEN"))
    );
    let (status, body) = backer.send(Method::GET, "/api/v1/me/backings", None).await;
    assert_eq!((status, body), (200, json!([])));
}

#[tokio::test]
async fn a_publisher_cannot_reach_backer_only_endpoints() {
    let app = TestApp::spawn().await;
    let publisher = signed_up(&app, "studio_lee", "publisher").await;

    let (status, body) = publisher
        .send(Method::GET, "/api/v1/me/backings", None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("FORBIDDEN"))
    );
    let (status, body) = publisher.send(Method::GET, "/api/v1/me/posts", None).await;
    assert_eq!((status, body), (200, json!([])));
}

#[tokio::test]
async fn nobody_reaches_either_without_a_valid_session() {
    let app = TestApp::spawn().await;
    for token in ["", "not-a-token"] {
        let client = Client {
            app: &app,
            token: token.to_owned(),
        };
        for path in ["/api/v1/me/posts", "/api/v1/me/backings"] {
            let (status, body) = client.send(Method::GET, path, None).await;
            assert_eq!(
                (status, body["error"]["code"].clone()),
                (401, json!("UNAUTHENTICATED")),
                "{path} with {token:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_browser_cookie_passes_the_same_guard() {
    let app = TestApp::spawn().await;
    let backer = signed_up(&app, "cookie_kim", "backer").await;
    let cookie = format!("moa_session={}", backer.token);
    for (path, expected) in [("/api/v1/me/backings", 200), ("/api/v1/me/posts", 403)] {
        let status = app
            .client
            .get(format!("{}{path}", app.base_url))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .map(|response| response.status().as_u16())
            .unwrap_or_default();
        assert_eq!(status, expected, "{path}");
    }
}

#[tokio::test]
async fn each_account_sees_only_its_own_side() {
    let app = TestApp::spawn().await;
    let publisher = signed_up(&app, "studio_park", "publisher").await;
    let rival = signed_up(&app, "studio_choi", "publisher").await;
    let backer = signed_up(&app, "backer_jung", "backer").await;
    let (publisher_id, rival_id, backer_id) = (
        account_id(&publisher).await,
        account_id(&rival).await,
        account_id(&backer).await,
    );
    let lamp = insert_post(
        &app.db,
        publisher_id,
        NewPost {
            title: "Lamp",
            ..NewPost::default()
        },
    )
    .await;
    insert_post(
        &app.db,
        publisher_id,
        NewPost {
            title: "Cancelled kettle",
            status: "CANCEL",
            created_at: common::test_now() + chrono::Duration::hours(1),
            ..NewPost::default()
        },
    )
    .await;
    insert_post(
        &app.db,
        publisher_id,
        NewPost {
            title: "Deleted draft",
            status: "CLOSE",
            deleted: true,
            ..NewPost::default()
        },
    )
    .await;
    insert_post(
        &app.db,
        rival_id,
        NewPost {
            title: "Rival's mug",
            ..NewPost::default()
        },
    )
    .await;
    sqlx::query("INSERT INTO backings (post_id, backer_id, amount) VALUES ($1, $2, 10000)")
        .bind(lamp)
        .bind(backer_id)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let (_, posts) = publisher.send(Method::GET, "/api/v1/me/posts", None).await;
    assert_eq!(titles(&posts, "/title"), ["Cancelled kettle", "Lamp"]);
    assert_eq!(posts[0]["status"], "CANCEL");

    let (_, backings) = backer.send(Method::GET, "/api/v1/me/backings", None).await;
    assert_eq!(titles(&backings, "/post/title"), ["Lamp"]);
    assert_eq!(backings[0]["amount"], 10_000);
}

async fn page_as(app: &TestApp, path: &str, client: Option<&Client<'_>>) -> String {
    let mut request = app
        .client
        .get(format!("{}{path}", app.base_url))
        .header(header::ACCEPT, "text/html");
    if let Some(client) = client {
        request = request.header(header::COOKIE, format!("moa_session={}", client.token));
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .text()
        .await
        .unwrap_or_default()
}

/// A server function's status and, for a refusal, its error code.
async fn server_fn_status(app: &TestApp, name: &str, client: &Client<'_>) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/{name}", app.base_url))
        .header(header::COOKIE, format!("moa_session={}", client.token))
        .header(header::ORIGIN, &app.base_url)
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let code = if status >= 400 {
        body["code"].clone()
    } else {
        Value::Null
    };
    (status, code)
}

#[tokio::test]
async fn the_pages_and_their_server_functions_pass_the_same_guard() {
    let app = TestApp::spawn().await;
    let publisher = signed_up(&app, "studio_han", "publisher").await;
    let backer = signed_up(&app, "backer_seo", "backer").await;
    insert_post(
        &app.db,
        account_id(&publisher).await,
        NewPost {
            title: "Paper lantern",
            ..NewPost::default()
        },
    )
    .await;

    assert!(
        page_as(&app, "/me/projects", Some(&publisher))
            .await
            .contains("Paper lantern")
    );
    let refused = page_as(&app, "/me/projects", Some(&backer)).await;
    assert!(
        refused.contains("Only publisher accounts can do this.")
            && !refused.contains("Paper lantern")
    );
    assert!(
        page_as(&app, "/me/backings", Some(&publisher))
            .await
            .contains("Only backer accounts can do this.")
    );
    assert!(
        page_as(&app, "/me/backings", Some(&backer))
            .await
            .contains("You have not backed a project yet.")
    );
    assert!(
        page_as(&app, "/me/projects", None)
            .await
            .contains("Log in to see your projects.")
    );

    let forbidden = (403, json!("FORBIDDEN"));
    assert_eq!(
        server_fn_status(&app, "my_projects", &backer).await,
        forbidden
    );
    assert_eq!(
        server_fn_status(&app, "my_backings", &publisher).await,
        forbidden
    );
    assert_eq!(
        server_fn_status(&app, "my_projects", &publisher).await,
        (200, Value::Null)
    );
    assert_eq!(
        server_fn_status(&app, "my_backings", &backer).await,
        (200, Value::Null)
    );
}

#[tokio::test]
async fn only_a_projects_publisher_deletes_it_and_never_while_funding() {
    let app = TestApp::spawn().await;
    let owner = signed_up(&app, "studio_owner", "publisher").await;
    let rival = signed_up(&app, "studio_rival", "publisher").await;
    let backer = signed_up(&app, "backer_nosy", "backer").await;
    let owner_id = account_id(&owner).await;
    let closed = insert_post(
        &app.db,
        owner_id,
        NewPost {
            title: "Finished bowl",
            status: "CLOSE",
            ..NewPost::default()
        },
    )
    .await;
    let funding = insert_post(
        &app.db,
        owner_id,
        NewPost {
            title: "Open kettle",
            ..NewPost::default()
        },
    )
    .await;
    let delete = |client: &Client<'_>, id: i64| {
        let path = format!("/api/v1/posts/{id}");
        let client = Client {
            app: &app,
            token: client.token.clone(),
        };
        async move { client.send(Method::DELETE, &path, None).await }
    };
    let nobody = Client {
        app: &app,
        token: String::new(),
    };

    for (client, status, code) in [
        (&nobody, 401, "UNAUTHENTICATED"),
        (&backer, 403, "FORBIDDEN"),
        (&rival, 403, "FORBIDDEN"),
    ] {
        let (got, body) = delete(client, closed).await;
        assert_eq!((got, body["error"]["code"].clone()), (status, json!(code)));
    }
    let (status, body) = delete(&owner, funding).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("POST_STILL_FUNDING"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/posts/{closed}")).await.status(),
        200
    );

    let (status, _) = delete(&owner, closed).await;
    assert_eq!(status, 204);
    assert_eq!(
        app.get(&format!("/api/v1/posts/{closed}")).await.status(),
        404
    );
    let (status, body) = delete(&owner, closed).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("POST_NOT_FOUND"))
    );
    let (_, mine) = owner.send(Method::GET, "/api/v1/me/posts", None).await;
    assert_eq!(titles(&mine, "/title"), ["Open kettle"]);

    // The database refuses it too, whatever the code does.
    let forced = sqlx::query("UPDATE posts SET deleted_at = now() WHERE id = $1")
        .bind(funding)
        .execute(&app.db)
        .await;
    let refused = forced
        .err()
        .unwrap_or_else(|| panic!("a funding project was deleted"));
    assert_eq!(
        refused.as_database_error().and_then(|e| e.constraint()),
        Some("posts_not_deleted_while_funding")
    );
}

#[tokio::test]
async fn the_my_projects_page_deletes_through_its_server_function() {
    let app = TestApp::spawn().await;
    let owner = signed_up(&app, "studio_kang", "publisher").await;
    let rival = signed_up(&app, "studio_moon", "publisher").await;
    let owner_id = account_id(&owner).await;
    let closed = insert_post(
        &app.db,
        owner_id,
        NewPost {
            title: "Closed clock",
            status: "CLOSE",
            ..NewPost::default()
        },
    )
    .await;
    insert_post(
        &app.db,
        owner_id,
        NewPost {
            title: "Funding fan",
            ..NewPost::default()
        },
    )
    .await;
    let page = page_as(&app, "/me/projects", Some(&owner)).await;
    assert!(page.contains("Delete Closed clock") && !page.contains("Delete Funding fan"));

    let delete = |client: &Client<'_>| {
        app.client
            .post(format!("{}/api/delete_project", app.base_url))
            .header(header::COOKIE, format!("moa_session={}", client.token))
            .header(header::ORIGIN, &app.base_url)
            .header(header::ACCEPT, "application/json")
            .form(&[("id", closed.to_string())])
            .send()
    };
    let refused = delete(&rival).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status().as_u16(), 403);
    let body: Value = refused.json().await.unwrap_or(Value::Null);
    assert_eq!(body["code"], "FORBIDDEN");
    let done = delete(&owner)
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or_default();
    assert_eq!(done, 200);
    let page = page_as(&app, "/me/projects", Some(&owner)).await;
    assert!(!page.contains("Closed clock") && page.contains("Funding fan"));
}

#[tokio::test]
async fn a_deleted_project_leaves_cached_lists_at_once() {
    let app = TestApp::spawn().await;
    let owner = signed_up(&app, "studio_seo", "publisher").await;
    let gone = insert_post(
        &app.db,
        account_id(&owner).await,
        NewPost {
            title: "Soon gone",
            status: "SUCCESS",
            ..NewPost::default()
        },
    )
    .await;
    let list_titles = || async {
        let list: Value = app
            .get("/api/v1/posts")
            .await
            .json()
            .await
            .unwrap_or(Value::Null);
        titles(&list["items"], "/title")
    };
    // The first read fills the cache (Redis is up in tests). A project
    // written behind the app's back stays unseen: the next read is the cache's.
    assert_eq!(list_titles().await, ["Soon gone"]);
    insert_post(
        &app.db,
        account_id(&owner).await,
        NewPost {
            title: "Written behind the cache",
            status: "CLOSE",
            ..NewPost::default()
        },
    )
    .await;
    assert_eq!(
        list_titles().await,
        ["Soon gone"],
        "the list was not cached"
    );

    let (status, _) = owner
        .send(Method::DELETE, &format!("/api/v1/posts/{gone}"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(list_titles().await, ["Written behind the cache"]);
}

/// Posts a form to a server function as a browser would, from `origin`.
async fn form_post_from(
    app: &TestApp,
    name: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/{name}", app.base_url))
        .header(header::ACCEPT, "application/json")
        .form(form);
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Log-in CSRF: a page on another site must not be able to log a visitor
/// into an account of its choosing (or create one), cookie or not.
#[tokio::test]
async fn other_sites_cannot_plant_a_session() {
    let app = TestApp::spawn().await;
    signed_up(&app, "planted", "backer").await;
    let log_in = [
        ("username", "planted"),
        ("password", "correct horse battery"),
    ];
    let sign_up = [
        ("username", "planted_two"),
        ("email", "planted_two@example.com"),
        ("password", "correct horse battery"),
        ("role", "backer"),
    ];
    for (name, form) in [("log_in", &log_in[..]), ("sign_up", &sign_up[..])] {
        let response = form_post_from(&app, name, Some("https://evil.example"), None, form).await;
        assert_eq!(response.status().as_u16(), 403, "{name}");
        assert!(
            response.headers().get(header::SET_COOKIE).is_none(),
            "{name}"
        );
        // A server function's own error encoding, which the page decodes.
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(body["code"], "CSRF_REJECTED", "{name}");
        assert_eq!(body["problem"], "NOT_FROM_MOA", "{name}");
    }
    let created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE username = 'planted_two'")
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created, 0);
    // From Moa's own pages the same log-in works.
    let own = form_post_from(&app, "log_in", Some(&app.base_url), None, &log_in).await;
    assert_eq!(own.status().as_u16(), 200);
}

/// Logging out ends the session on the server: a copy of the token taken
/// before stops working at once, for pages, server functions and REST.
#[tokio::test]
async fn logging_out_revokes_the_session() {
    let app = TestApp::spawn().await;
    let kim = signed_up(&app, "kim_out", "backer").await;
    let cookie = format!("moa_session={}", kim.token);
    assert_eq!(kim.send(Method::GET, "/api/v1/me", None).await.0, 200);

    let out = form_post_from(&app, "log_out", Some(&app.base_url), Some(&cookie), &[]).await;
    assert!(out.status().is_success(), "{}", out.status());

    let (status, body) = kim.send(Method::GET, "/api/v1/me", None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (401, &json!("UNAUTHENTICATED"))
    );
    let current = form_post_from(
        &app,
        "current_account",
        Some(&app.base_url),
        Some(&cookie),
        &[],
    )
    .await;
    let current: Value = current.json().await.unwrap_or(Value::Null);
    assert_eq!(current, Value::Null, "the cookie still names an account");
}

/// An API client ends its own token the same way.
#[tokio::test]
async fn an_api_client_can_revoke_its_token() {
    let app = TestApp::spawn().await;
    let lee = signed_up(&app, "lee_out", "backer").await;
    let other_device = signed_up_again(&app, "lee_out").await;
    let (status, _) = lee.send(Method::DELETE, "/api/v1/auth/token", None).await;
    assert_eq!(status, 204);
    let (status, body) = lee.send(Method::GET, "/api/v1/me", None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (401, &json!("UNAUTHENTICATED"))
    );
    // Only that session ended: the same account elsewhere stays signed in.
    assert_eq!(
        other_device.send(Method::GET, "/api/v1/me", None).await.0,
        200
    );
}

async fn signed_up_again<'a>(app: &'a TestApp, username: &str) -> Client<'a> {
    let token: Value = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base_url))
        .json(&json!({ "username": username, "password": "correct horse battery" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or(Value::Null);
    Client {
        app,
        token: token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// The token is not trusted alone: the account it names is read on every
/// request, so a changed role counts at once, and a deleted account's
/// token is no session.
#[tokio::test]
async fn each_request_sees_the_account_as_it_is_now() {
    let app = TestApp::spawn().await;
    let shin = signed_up(&app, "shin_role", "backer").await;
    let id = account_id(&shin).await;
    assert_eq!(
        shin.send(Method::GET, "/api/v1/me/posts", None).await.0,
        403
    );
    sqlx::query("UPDATE accounts SET role = 'publisher' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app::service::sessions::forget_cached_account(&app.state, id).await;
    assert_eq!(
        shin.send(Method::GET, "/api/v1/me/posts", None).await.0,
        200
    );
}

/// Personal answers are never kept by a browser or a proxy cache.
#[tokio::test]
async fn personal_responses_are_not_stored() {
    let app = TestApp::spawn().await;
    let han = signed_up(&app, "han_store", "backer").await;
    let cookie = format!("moa_session={}", han.token);
    let cache_control = |response: &reqwest::Response| {
        response
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let me = app
        .client
        .get(format!("{}/api/v1/me", app.base_url))
        .bearer_auth(&han.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cache_control(&me), "no-store");
    for path in ["/pocket", "/me/backings", "/"] {
        let page = app
            .client
            .get(format!("{}{path}", app.base_url))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cache_control(&page), "no-store", "{path} with a session");
    }
    let anonymous_pocket = app.get("/pocket").await;
    assert_eq!(cache_control(&anonymous_pocket), "no-store");
    let current = form_post_from(
        &app,
        "current_account",
        Some(&app.base_url),
        Some(&cookie),
        &[],
    )
    .await;
    assert_eq!(cache_control(&current), "no-store");
    let log_in = form_post_from(
        &app,
        "log_in",
        Some(&app.base_url),
        None,
        &[
            ("username", "han_store"),
            ("password", "correct horse battery"),
        ],
    )
    .await;
    assert_eq!(
        cache_control(&log_in),
        "no-store",
        "a response setting a session"
    );
    // Public, anonymous reads stay cacheable by the usual rules.
    assert_ne!(cache_control(&app.get("/api/v1/posts").await), "no-store");
    // A public page is the browser's alone, and asked for again each time:
    // it carries that answer's CSP nonce, which a shared cache would hand
    // to everyone.
    for path in ["/", "/posts/999999"] {
        assert_eq!(
            cache_control(&app.get(path).await),
            "private, no-cache",
            "{path} anonymously"
        );
    }
}

/// Behind a TLS-terminating proxy: the public origin is https, so the
/// session cookie is `Secure` and every response asks for HTTPS from now
/// on; the origin check compares `Origin` with the public origin, not with
/// the Host header the proxy rewrote.
#[tokio::test]
async fn an_https_public_origin_secures_the_session() {
    let app = TestApp::spawn_with(common::Options {
        public_origin: Some("https://moa.example"),
        ..common::Options::default()
    })
    .await;
    signed_up(&app, "secure_kim", "backer").await;
    let form = [
        ("username", "secure_kim"),
        ("password", "correct horse battery"),
    ];
    let from_public =
        form_post_from(&app, "log_in", Some("https://moa.example"), None, &form).await;
    assert_eq!(from_public.status().as_u16(), 200);
    let cookie = from_public
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.ends_with("; Secure"),
        "{cookie}"
    );
    assert_eq!(
        from_public
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000; includeSubDomains")
    );
    // The Host the proxy sent matches, but the browser was elsewhere.
    let from_host = form_post_from(&app, "log_in", Some(&app.base_url), None, &form).await;
    assert_eq!(from_host.status().as_u16(), 403);
    let body: Value = from_host.json().await.unwrap_or(Value::Null);
    assert_eq!(body["code"], "CSRF_REJECTED");

    // Plain development (no public origin): no HSTS, no Secure.
    let plain = TestApp::spawn().await;
    let response = plain.get("/").await;
    assert!(
        response
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
}
