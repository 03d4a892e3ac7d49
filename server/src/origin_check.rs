//! Cross-site request forgery: a state-changing request that carries the
//! session cookie must come from Moa's own pages. Browsers say where a
//! request comes from in `Origin` (and `Sec-Fetch-Site`); a form on another
//! site cannot forge either. Requests without the cookie (API clients with a
//! bearer token) are not at risk and pass.

use app::{
    error::{AppError, ErrorCode},
    service::session,
};
use axum::{
    extract::Request,
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::rest::ApiError;

pub async fn require_same_origin(request: Request, next: Next) -> Response {
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes_state
        && session::cookie_token(request.headers()).is_some()
        && !is_same_origin(request.headers())
    {
        tracing::warn!(path = %request.uri().path(), "cross-origin request with a session cookie refused");
        return ApiError(AppError::new(
            ErrorCode::CsrfRejected,
            "This request did not come from Moa's own pages.",
        ))
        .into_response();
    }
    next.run(request).await
}

fn is_same_origin(headers: &HeaderMap) -> bool {
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|value: &header::HeaderValue| value.to_str().ok())
    };
    if let Some(origin) = header_text(header::ORIGIN) {
        let host = header_text(header::HOST).unwrap_or_default();
        let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
        return !host.is_empty() && origin_host == host;
    }
    // Without Origin, trust only the browser's own statement.
    matches!(
        header_text(header::HeaderName::from_static("sec-fetch-site")),
        Some("same-origin" | "none")
    )
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::is_same_origin;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                header::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn same_origin_passes_and_others_do_not() {
        assert!(is_same_origin(&headers(&[
            ("host", "moa.example"),
            ("origin", "https://moa.example")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("host", "moa.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("host", "moa.example"),
            ("origin", "null")
        ])));
        assert!(is_same_origin(&headers(&[
            ("host", "moa.example"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("host", "moa.example"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!is_same_origin(&headers(&[("host", "moa.example")])));
    }
}
