//! A request that takes too long to answer is cut off with 503
//! `REQUEST_TIMED_OUT` instead of holding its connection and whatever it
//! waits on. The limit covers producing the response (status and
//! headers); a streaming body, such as live figures, then runs on its own.

use std::time::Duration;

use app::error::{AppError, ErrorCode};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

pub async fn limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path, ?limit, "request timed out");
            crate::rest::answer(
                &path,
                AppError {
                    retry_after: Some(1),
                    ..AppError::new(ErrorCode::RequestTimedOut, app::error::Problem::TimedOut)
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::{Router, body::Body, http::Request, routing::get};
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_slow_request_is_cut_off_with_a_code() {
        let router = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "done"
                }),
            )
            .route("/quick", get(|| async { "done" }))
            .layer(axum::middleware::from_fn_with_state(
                Duration::from_millis(100),
                super::limit,
            ));
        let request = |path| Request::get(path).body(Body::empty()).unwrap_or_default();
        let quick = router.clone().oneshot(request("/quick")).await;
        assert_eq!(quick.map(|r| r.status().as_u16()).ok(), Some(200));
        let slow = router
            .oneshot(request("/slow"))
            .await
            .unwrap_or_else(|never| match never {});
        assert_eq!(slow.status().as_u16(), 503);
        let body = axum::body::to_bytes(slow.into_body(), 4096)
            .await
            .unwrap_or_default();
        assert!(String::from_utf8_lossy(&body).contains("REQUEST_TIMED_OUT"));
    }

    /// Server functions get their own error encoding, which the page reads.
    #[tokio::test]
    async fn a_slow_server_function_is_cut_off_in_its_own_encoding() {
        let router = Router::new()
            .route(
                "/api/slow_function",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "done"
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Duration::from_millis(100),
                super::limit,
            ));
        let request = Request::get("/api/slow_function")
            .body(Body::empty())
            .unwrap_or_default();
        let slow = router
            .oneshot(request)
            .await
            .unwrap_or_else(|never| match never {});
        assert_eq!(slow.status().as_u16(), 503);
        let body = axum::body::to_bytes(slow.into_body(), 4096)
            .await
            .unwrap_or_default();
        let error: app::error::AppError =
            serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(error.code, app::error::ErrorCode::RequestTimedOut);
    }
}
