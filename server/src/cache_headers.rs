//! What browsers and proxies may keep. Anything personal is `no-store`:
//! every response to a request that carries credentials (a page rendered
//! for a signed-in person shows their name and balance), every response
//! that sets a cookie, every server function's answer, and the personal
//! paths even when asked anonymously.

use axum::{
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// Paths that are personal, with everything below them.
const PERSONAL: [&str; 4] = ["/api/v1/me", "/api/v1/auth", "/pocket", "/me"];

pub async fn apply(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let path = request.uri().path();
    let carries_credentials = headers.contains_key(header::AUTHORIZATION)
        || app::service::session::cookie_token(headers).is_some();
    let server_function = crate::rest::is_server_function(path);
    let personal_path = PERSONAL.iter().any(|personal| {
        path.strip_prefix(personal)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    let personal = carries_credentials || server_function || personal_path;
    let mut response = next.run(request).await;
    if personal || response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
