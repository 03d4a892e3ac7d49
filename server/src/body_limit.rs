//! How much a request may send. A body is read here, before any handler or
//! server function sees it, and only up to its route's limit: 64 KiB,
//! except where a project's description travels, which takes what any
//! encoding of a valid project needs. A longer body is refused with 413
//! `PAYLOAD_TOO_LARGE` in the caller's error encoding, unread when its
//! `Content-Length` says so, and as soon as it passes the limit otherwise
//! (server functions would otherwise read any length into memory).
//!
//! A body must also arrive within a deadline (half the request time limit):
//! one trickled in slower is the client's doing, refused with 408
//! `REQUEST_BODY_TIMED_OUT` before the request's own limit would blame Moa
//! with a 503.

use app::{
    domain::post::{CONTENT_MAX_CHARS, PUBLISHER_NAME_MAX_CHARS, TITLE_MAX_CHARS},
    error::{AppError, ErrorCode, Problem},
};
use axum::{
    body::{Body, HttpBody},
    extract::{Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::Response,
};

use crate::rest;
use std::time::Duration;

/// What any request may send.
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// The longest encoding of one character: a form-encoded 4-byte UTF-8
/// character (`%F0%9F%8F%AE`), or a JSON surrogate pair (`\ud83c\udfee`).
const MAX_BYTES_PER_CHAR: usize = 12;

/// A project's longest valid create or edit: its text fields at their
/// longest in their longest encoding, and room for the rest (names,
/// amounts, date, punctuation). About 252 KiB.
pub const PROJECT_LIMIT: usize = (CONTENT_MAX_CHARS + TITLE_MAX_CHARS + PUBLISHER_NAME_MAX_CHARS)
    * MAX_BYTES_PER_CHAR
    + 16 * 1024;

/// The limit of the route a request goes to.
pub fn limit_for(method: &Method, path: &str) -> usize {
    let project_edit = path
        .strip_prefix("/api/v1/posts/")
        .is_some_and(|id| !id.contains('/'));
    let carries_a_project = match *method {
        Method::POST => matches!(
            path,
            "/api/v1/posts" | "/api/create_post" | "/api/edit_post" | "/api/preview_description"
        ),
        Method::PATCH => project_edit,
        _ => false,
    };
    if carries_a_project {
        PROJECT_LIMIT
    } else {
        DEFAULT_LIMIT
    }
}

/// `body_deadline`: how long the whole body may take to arrive.
pub async fn limit(
    State(body_deadline): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let limit = limit_for(request.method(), request.uri().path());
    let path = request.uri().path().to_owned();
    if declared_length(request.headers()).is_some_and(|length| length > limit) {
        return too_large(&path, limit);
    }
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(read) = tokio::time::timeout(body_deadline, axum::body::to_bytes(body, limit)).await
    else {
        tracing::debug!(path, ?body_deadline, "a request body arrived too slowly");
        return rest::answer(
            &path,
            AppError::new(ErrorCode::RequestBodyTimedOut, Problem::BodyTooSlow),
        );
    };
    match read {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(error) if is_over_limit(&error) => too_large(&path, limit),
        Err(error) => {
            tracing::debug!(%error, path, "a request body broke off");
            rest::answer(
                &path,
                AppError::new(
                    ErrorCode::BadRequest,
                    Problem::Unreadable {
                        reason: String::new(),
                    },
                ),
            )
        }
    }
}

fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn is_over_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = cause.source();
    }
    false
}

fn too_large(path: &str, limit: usize) -> Response {
    tracing::debug!(path, limit, "request body over the limit");
    rest::answer(
        path,
        AppError::on_field(
            ErrorCode::PayloadTooLarge,
            "body",
            Problem::BodyTooLarge {
                max_kib: limit / 1024,
            },
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::{
        Router,
        body::Body,
        http::{Method, Request},
        routing::post,
    };
    use futures_util::StreamExt;
    use tower::ServiceExt;

    use super::{DEFAULT_LIMIT, PROJECT_LIMIT, limit_for};

    #[test]
    fn only_a_project_s_routes_take_more() {
        for (method, path) in [
            (Method::POST, "/api/v1/posts"),
            (Method::PATCH, "/api/v1/posts/42"),
            (Method::POST, "/api/create_post"),
            (Method::POST, "/api/edit_post"),
            (Method::POST, "/api/preview_description"),
        ] {
            assert_eq!(limit_for(&method, path), PROJECT_LIMIT, "{method} {path}");
        }
        for (method, path) in [
            (Method::POST, "/api/v1/posts/42/backings"),
            (Method::POST, "/api/v1/posts/42/cancel"),
            (Method::PATCH, "/api/v1/posts/42/x"),
            (Method::POST, "/api/v1/accounts"),
            (Method::PUT, "/api/v1/posts"),
            (Method::POST, "/api/top_up"),
        ] {
            assert_eq!(limit_for(&method, path), DEFAULT_LIMIT, "{method} {path}");
        }
    }

    /// A body that sends its first bytes and then nothing more.
    fn trickled_body() -> Body {
        let first = futures_util::stream::once(async {
            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{\"a\":"))
        });
        Body::from_stream(first.chain(futures_util::stream::pending()))
    }

    #[tokio::test]
    async fn a_body_that_arrives_too_slowly_is_the_client_s_408() {
        let router = Router::new()
            .route("/api/v1/accounts", post(|body: String| async move { body }))
            .layer(axum::middleware::from_fn_with_state(
                Duration::from_millis(100),
                super::limit,
            ));
        let request = Request::post("/api/v1/accounts")
            .header("content-type", "application/json")
            .body(trickled_body())
            .unwrap_or_default();
        let answer = tokio::time::timeout(Duration::from_secs(5), router.clone().oneshot(request))
            .await
            .unwrap_or_else(|_| panic!("no answer while the body trickles"))
            .unwrap_or_else(|never| match never {});
        assert_eq!(answer.status().as_u16(), 408);
        let body = axum::body::to_bytes(answer.into_body(), 4096)
            .await
            .unwrap_or_default();
        assert!(String::from_utf8_lossy(&body).contains("REQUEST_BODY_TIMED_OUT"));

        let whole = Request::post("/api/v1/accounts")
            .body(Body::from("{}"))
            .unwrap_or_default();
        let answer = router.oneshot(whole).await;
        assert_eq!(answer.map(|a| a.status().as_u16()).ok(), Some(200));
    }

    #[test]
    fn a_project_s_limit_fits_its_longest_encoding() {
        assert!((240 * 1024..=256 * 1024).contains(&PROJECT_LIMIT));
    }
}
