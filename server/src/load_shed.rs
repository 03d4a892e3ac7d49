//! At most so many requests are worked on at once (`MOA_MAX_REQUESTS_IN_FLIGHT`);
//! one more is refused at once with 503 `OVERLOADED` and `Retry-After`,
//! instead of waiting in a queue that only grows. Each request in work may
//! hold a buffered body (`body_limit`), database connections and a render,
//! so this also bounds the memory a flood of requests can take, before
//! anyone's credentials are looked at. A request counts until its response
//! starts: a live stream then runs on without holding a place. Health
//! checks are never refused: an overloaded process is still alive.

use std::sync::Arc;

use app::error::{AppError, ErrorCode, Problem};
use axum::{
    body::HttpBody,
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::Response,
};
use tokio::sync::Semaphore;

use crate::rest;

/// The places for requests in work, shared by every connection.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(places: usize) -> Self {
        InFlight(Arc::new(Semaphore::new(
            places.clamp(1, Semaphore::MAX_PERMITS),
        )))
    }
}

pub async fn limit(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    if is_health_check(&request) {
        return next.run(request).await;
    }
    let Ok(_place) = in_flight.0.clone().try_acquire_owned() else {
        tracing::debug!(path = request.uri().path(), "overloaded: request refused");
        return rest::answer(
            request.uri().path(),
            AppError {
                retry_after: Some(1),
                ..AppError::new(ErrorCode::Overloaded, Problem::Busy)
            },
        );
    };
    next.run(request).await
}

/// A plain `GET` or `HEAD` of `/healthz` or `/readyz`: nothing to read,
/// little to do. Anything else on those paths waits its turn like the rest.
fn is_health_check(request: &Request) -> bool {
    matches!(request.uri().path(), "/healthz" | "/readyz")
        && matches!(*request.method(), Method::GET | Method::HEAD)
        && request.body().is_end_stream()
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use axum::{Router, body::Body, http::Request, routing::get};
    use tokio::sync::Notify;
    use tower::ServiceExt;

    use super::InFlight;

    fn request(path: &str) -> Request<Body> {
        Request::get(path).body(Body::empty()).unwrap_or_default()
    }

    #[tokio::test]
    async fn one_request_past_the_places_is_refused_at_once_and_a_freed_place_is_taken() {
        let release = Arc::new(Notify::new());
        let held = release.clone();
        let router = Router::new()
            .route(
                "/api/v1/slow",
                get(move || {
                    let held = held.clone();
                    async move {
                        held.notified().await;
                        "done"
                    }
                }),
            )
            .route("/api/v1/quick", get(|| async { "done" }))
            .route("/healthz", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(
                InFlight::new(1),
                super::limit,
            ));

        let first = tokio::spawn(router.clone().oneshot(request("/api/v1/slow")));
        // Until the first holds the one place.
        let mut refused = None;
        for _ in 0..100 {
            let answer = router
                .clone()
                .oneshot(request("/api/v1/quick"))
                .await
                .unwrap_or_else(|never| match never {});
            if answer.status().as_u16() == 503 {
                refused = Some(answer);
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let refused = refused.unwrap_or_else(|| panic!("a second request was never refused"));
        assert_eq!(
            refused
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("1")
        );
        let body = axum::body::to_bytes(refused.into_body(), 4096)
            .await
            .unwrap_or_default();
        assert!(String::from_utf8_lossy(&body).contains("OVERLOADED"));
        let health = router.clone().oneshot(request("/healthz")).await;
        assert_eq!(health.map(|a| a.status().as_u16()).ok(), Some(200));
        let health_with_a_body = Request::get("/healthz")
            .body(Body::from("padding"))
            .unwrap_or_default();
        let refused = router.clone().oneshot(health_with_a_body).await;
        assert_eq!(refused.map(|a| a.status().as_u16()).ok(), Some(503));

        release.notify_one();
        let first = first.await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.map(|a| a.status().as_u16()).ok(), Some(200));
        let after = router.oneshot(request("/api/v1/quick")).await;
        assert_eq!(after.map(|a| a.status().as_u16()).ok(), Some(200));
    }
}
