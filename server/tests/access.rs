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

async fn server_fn_status(app: &TestApp, name: &str, client: &Client<'_>) -> u16 {
    app.client
        .post(format!("{}/api/{name}", app.base_url))
        .header(header::COOKIE, format!("moa_session={}", client.token))
        .header(header::ORIGIN, &app.base_url)
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .map(|response| response.status().as_u16())
        .unwrap_or_default()
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

    assert_eq!(server_fn_status(&app, "my_projects", &backer).await, 403);
    assert_eq!(server_fn_status(&app, "my_backings", &publisher).await, 403);
    assert_eq!(server_fn_status(&app, "my_projects", &publisher).await, 200);
    assert_eq!(server_fn_status(&app, "my_backings", &backer).await, 200);
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
    assert!(forced.is_err(), "a funding project was deleted");
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
    let refused = delete(&rival)
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or_default();
    assert_eq!(refused, 403);
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
    // The first read fills the cache (Redis is up in tests), the second hits it.
    assert_eq!(list_titles().await, ["Soon gone"]);
    assert_eq!(list_titles().await, ["Soon gone"]);

    let (status, _) = owner
        .send(Method::DELETE, &format!("/api/v1/posts/{gone}"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(list_titles().await, Vec::<String>::new());
}
