//! One log line per request, a request id on every line logged while it is
//! answered and on its response, and its count and duration in the
//! metrics.
//!
//! The id comes from `x-request-id` when a trusted proxy
//! (`MOA_TRUSTED_PROXIES`) sent it short and plain, so the proxy's id
//! follows the request through; otherwise it is made here (anyone else
//! could name another request's id and tangle the logs).
//! The line names the matched route's template (`/posts/{id}`), which is
//! also the metrics' `route` label, and the path without its query: queries
//! can carry what does not belong in logs. Headers, cookies and bodies are
//! never logged.

use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use app::service::client_address::TrustedProxies;
use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

use super::metrics;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id accepted from a client.
const MAX_REQUEST_ID_LEN: usize = 64;

/// The longest path logged (the rest is cut).
const MAX_LOGGED_PATH: usize = 256;

/// The route of requests no route matched: static files and unknown paths.
pub const UNMATCHED_ROUTE: &str = "fallback";

/// This request's id, in its extensions, for anyone who needs to name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The route that answered, filled in during routing and read once the
/// response is made: a middleware outside the router (the timeout, say) may
/// have made the response itself, and the route still counts.
#[derive(Clone, Default)]
struct RouteSlot(Arc<OnceLock<Route>>);

enum Route {
    Matched(MatchedPath),
    Named(&'static str),
}

impl Route {
    fn as_str(&self) -> &str {
        match self {
            Route::Matched(matched) => matched.as_str(),
            Route::Named(name) => name,
        }
    }
}

/// The outermost middleware: ids, times, logs and counts every request.
pub async fn track(
    State(proxies): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let id = proxies
        .trusts_peer(peer)
        .then(|| accepted_id(request.headers().get(&REQUEST_ID)))
        .flatten()
        .unwrap_or_else(new_id);
    // Made of safe characters only, so always a valid header value.
    let id_header = HeaderValue::from_str(&id).ok();
    let method = request.method().clone();
    let path = loggable_path(request.uri().path()).to_owned();
    let slot = RouteSlot::default();
    let extensions = request.extensions_mut();
    extensions.insert(slot.clone());
    extensions.insert(RequestId(id.clone()));
    if let Some(value) = &id_header {
        request.headers_mut().insert(REQUEST_ID, value.clone());
    }

    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(request).instrument(span.clone()).await;

    let latency = started.elapsed();
    let route = slot.0.get().map_or(UNMATCHED_ROUTE, Route::as_str);
    let status = response.status().as_u16();
    metrics::record_request(route, &method, status, latency);
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            route,
            path,
            status,
            latency_ms = milliseconds(latency),
            "request"
        );
    });
    if let Some(value) = id_header {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// A route layer: notes the template of the route that matched.
pub async fn note_route(request: Request, next: Next) -> Response {
    if let (Some(matched), Some(slot)) = (
        request.extensions().get::<MatchedPath>(),
        request.extensions().get::<RouteSlot>(),
    ) {
        let _ = slot.0.set(Route::Matched(matched.clone()));
    }
    next.run(request).await
}

/// For middleware that answers before routing (the page cache): the route
/// the answer stands for.
pub fn name_route(request: &Request, template: &'static str) {
    if let Some(slot) = request.extensions().get::<RouteSlot>() {
        let _ = slot.0.set(Route::Named(template));
    }
}

/// The client's id, if it is one we can log and send back safely.
fn accepted_id(value: Option<&HeaderValue>) -> Option<String> {
    let text = value?.to_str().ok()?;
    let plain = (1..=MAX_REQUEST_ID_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'));
    plain.then(|| text.to_owned())
}

/// 128 random bits, URL-safe base64 (the generator of CSP nonces).
fn new_id() -> String {
    leptos::nonce::Nonce::new().to_string()
}

fn loggable_path(path: &str) -> &str {
    if path.len() <= MAX_LOGGED_PATH {
        return path;
    }
    let mut end = MAX_LOGGED_PATH;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}

/// Milliseconds to the microsecond (`12.345`, not `12.345000000000001`).
fn milliseconds(latency: Duration) -> f64 {
    u32::try_from(latency.as_micros()).map_or(f64::MAX, f64::from) / 1000.0
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use std::time::Duration;

    use super::{MAX_LOGGED_PATH, accepted_id, loggable_path, milliseconds, new_id};

    #[test]
    fn plain_short_ids_are_accepted() {
        for id in ["abc", "req-1.2_3", &"a".repeat(64)] {
            let value = HeaderValue::from_str(id).ok();
            assert_eq!(accepted_id(value.as_ref()).as_deref(), Some(id));
        }
    }

    #[test]
    fn anything_else_is_replaced() {
        for id in [
            "",
            "has space",
            "semi;colon",
            "quote\"",
            "ünï",
            &"a".repeat(65),
        ] {
            let value = HeaderValue::from_bytes(id.as_bytes()).ok();
            assert_eq!(accepted_id(value.as_ref()), None, "{id:?}");
        }
        assert_eq!(accepted_id(None), None);
    }

    #[test]
    fn made_ids_would_be_accepted_and_differ() {
        let (one, two) = (new_id(), new_id());
        assert_ne!(one, two);
        let value = HeaderValue::from_str(&one).ok();
        assert_eq!(accepted_id(value.as_ref()), Some(one));
    }

    #[test]
    fn latency_is_in_milliseconds_to_the_microsecond() {
        assert_eq!(
            milliseconds(Duration::from_nanos(29_163_317)).to_string(),
            "29.163"
        );
        assert_eq!(milliseconds(Duration::from_secs(2)).to_string(), "2000");
    }

    #[test]
    fn long_paths_are_cut() {
        let long = format!("/{}", "é".repeat(300));
        let logged = loggable_path(&long);
        assert!(logged.len() <= MAX_LOGGED_PATH && long.starts_with(logged));
        assert_eq!(loggable_path("/posts/1"), "/posts/1");
    }
}
