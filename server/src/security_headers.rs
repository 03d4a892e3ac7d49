//! Security headers on every response. HTML pages get a Content-Security-
//! Policy naming a fresh nonce, which the page render puts on its inline
//! scripts (`app::security::provide_request_nonce`); everything else gets the
//! default policy. Served over HTTPS (`MOA_PUBLIC_ORIGIN` is https), every
//! response also carries Strict-Transport-Security.

use app::{
    security::{CspNonce, DEFAULT_POLICY, page_policy},
    state::AppState,
};
use axum::{
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// Browsers that reached Moa over HTTPS once keep to HTTPS for a year.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn apply(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;

    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let policy = if is_html {
        HeaderValue::from_str(&page_policy(&nonce)).ok()
    } else {
        None
    };
    let headers = response.headers_mut();
    match policy {
        // The API docs are HTML too, but static: they keep their own rules.
        Some(policy) if !headers.contains_key(header::CONTENT_SECURITY_POLICY) => {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        _ => {
            headers
                .entry(header::CONTENT_SECURITY_POLICY)
                .or_insert(HeaderValue::from_static(DEFAULT_POLICY));
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if state.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    response
}
