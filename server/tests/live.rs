//! Live figures: `GET /api/v1/posts/{id}/events` sends a project's figures
//! now and after every change, whichever server process made it.

mod common;

use std::time::Duration;

use app::{
    domain::Role,
    live::{BACKLOG, Change},
};
use chrono::Days;
use common::{NewPost, TestApp, account, insert_post, insert_publisher, test_today};
use reqwest::Method;
use serde_json::Value;

/// Reads a server-sent event stream one `figures` event at a time.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(app: &TestApp, post: i64) -> Events {
        let response = app
            .client
            .get(format!("{}/api/v1/posts/{post}/events", app.base_url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 200);
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream")
        );
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// Whether the server ends the stream within a few seconds (after any
    /// events still on their way).
    async fn ends(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return false,
                Ok(Ok(None)) | Ok(Err(_)) => return true,
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
            }
        }
    }

    /// The next `figures` event's data, within a few seconds.
    async fn next(&mut self) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                if event.lines().any(|line| line == "event: figures") {
                    let data = event
                        .lines()
                        .find_map(|line| line.strip_prefix("data: "))
                        .unwrap_or_default();
                    return serde_json::from_str(data).unwrap_or_else(|e| panic!("{data}: {e}"));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no event within 5 s; got {:?}", self.buffer))
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("the stream ended"));
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test]
async fn figures_stream_changes_made_through_any_process() {
    let app = TestApp::spawn().await;
    let other = app.another_process().await;
    let publisher = insert_publisher(&app.db, "live_studio").await;
    let post = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Live",
            end_date: test_today() + Days::new(5),
            ..NewPost::default()
        },
    )
    .await;
    let mut events = Events::open(&app, post).await;
    let now = events.next().await;
    assert_eq!(
        (&now["total_amount"], &now["backer_count"], &now["status"]),
        (&Value::from(0), &Value::from(0), &Value::from("FUNDING"))
    );

    // A backing through the other process reaches this one's stream.
    let kim = account(&other, "kim_live", Role::Backer, 50_000).await;
    let (status, body) = kim
        .send(
            Method::POST,
            &format!("/api/v1/posts/{post}/backings"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let backed = events.next().await;
    assert_eq!(
        (&backed["total_amount"], &backed["backer_count"]),
        (&Value::from(10_000), &Value::from(1))
    );
    let (status, _) = kim
        .send(
            Method::DELETE,
            &format!("/api/v1/posts/{post}/backings/mine"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let withdrawn = events.next().await;
    assert_eq!(withdrawn["backer_count"], 0);

    // Unknown projects have no stream.
    let response = app
        .client
        .get(format!("{}/api/v1/posts/999999/events", app.base_url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn streams_end_with_the_project_and_at_shutdown_and_are_capped() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "capped_studio").await;
    let post = |title: &'static str| {
        insert_post(
            &app.db,
            publisher,
            NewPost {
                title,
                end_date: test_today() + Days::new(5),
                ..NewPost::default()
            },
        )
    };
    let ending = post("Ending").await;
    let staying = post("Staying").await;

    // A cancelled project never changes again: its last event, then the end.
    let mut events = Events::open(&app, ending).await;
    events.next().await;
    common::end_project(&app.db, ending, "CANCEL").await;
    assert_eq!(events.next().await["status"], "CANCEL");
    assert!(
        events.ends().await,
        "the stream of a cancelled project ends"
    );
    // Asked again (as a browser's EventSource does), a project that ended
    // for good answers 204 No Content, which stops the reconnecting.
    let closed = post("Closed").await;
    common::end_project(&app.db, closed, "CLOSE").await;
    for ended in [ending, closed] {
        let response = app
            .client
            .get(format!("{}/api/v1/posts/{ended}/events", app.base_url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 204, "project {ended}");
    }

    // One client may hold a bounded number of streams (the rest: 503).
    let mut open = Vec::new();
    for _ in 0..app::live::MAX_STREAMS_PER_CLIENT {
        open.push(Events::open(&app, staying).await);
    }
    let refused = app
        .client
        .get(format!("{}/api/v1/posts/{staying}/events", app.base_url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status(), 503);
    open.pop();
    // The dropped stream's place comes back once the server notices.
    let mut reopened = None;
    for _ in 0..50 {
        let response = app
            .client
            .get(format!("{}/api/v1/posts/{staying}/events", app.base_url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if response.status() == 200 {
            reopened = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "a closed stream gives its place back");

    // At shutdown every open stream ends, so the drain need not wait.
    app.state.live.close();
    for mut stream in open {
        assert!(stream.ends().await, "open streams end at shutdown");
    }
}

/// Changes the listener never hears of (the notification trigger is off),
/// as when notifications are lost.
async fn notifications_off(app: &TestApp) {
    sqlx::query("ALTER TABLE posts DISABLE TRIGGER posts_notify_figures")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A stream that falls too far behind rereads its project, so it cannot
/// miss the project's end among the changes it skipped.
#[tokio::test]
async fn a_stream_that_falls_behind_rereads_its_project() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "lagging_studio").await;
    let post = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Lagging",
            end_date: test_today() + Days::new(5),
            ..NewPost::default()
        },
    )
    .await;
    let mut events = Events::open(&app, post).await;
    assert_eq!(events.next().await["status"], "FUNDING");
    notifications_off(&app).await;
    common::end_project(&app.db, post, "CANCEL").await;
    // More changes of other projects than a stream may fall behind by,
    // sent while it cannot read any (the test runs on one thread).
    for other in 0..2 * BACKLOG {
        app.state
            .live
            .changed(Change::Figures(-1 - other as i64, None));
    }
    assert_eq!(events.next().await["status"], "CANCEL");
    assert!(events.ends().await, "and then it ends");
}

/// Each time the listener starts listening (again), every open stream
/// rereads its project: what changed while nobody listened reaches it.
#[tokio::test]
async fn streams_reread_when_the_listener_listens_again() {
    let app = TestApp::spawn().await;
    let publisher = insert_publisher(&app.db, "resync_studio").await;
    let post = insert_post(
        &app.db,
        publisher,
        NewPost {
            title: "Resynced",
            end_date: test_today() + Days::new(5),
            ..NewPost::default()
        },
    )
    .await;
    let mut events = Events::open(&app, post).await;
    assert_eq!(events.next().await["status"], "FUNDING");
    notifications_off(&app).await;
    common::end_project(&app.db, post, "CLOSE").await;
    let mut changes = app.state.live.subscribe();

    // PostgreSQL drops the listener's connection; it connects again.
    let dropped: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
          WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dropped, [true], "one listener");
    let resync = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match changes.recv().await {
                Ok(Change::Resync) => return true,
                Ok(_) => continue,
                Err(_) => return false,
            }
        }
    })
    .await;
    assert_eq!(resync.ok(), Some(true), "a resync after reconnecting");
    assert_eq!(events.next().await["status"], "CLOSE");
    assert!(events.ends().await, "and then it ends");
}
