//! Cross-site request forgery. Browsers say where a request comes from in
//! `Origin` (and `Sec-Fetch-Site`); a page on another site cannot forge
//! either. A state-changing request is refused (403 `CSRF_REJECTED`) when
//! it comes from another site and either
//! - goes to a server function (`/api/<name>`), cookie or not: a foreign
//!   page must not be able to log a visitor in or sign them up, planting a
//!   session of its choosing in their browser; or
//! - carries the session cookie, wherever it goes.
//!
//! "Another site" is any `Origin` other than `MOA_PUBLIC_ORIGIN` (or, when
//! that is not configured, in development, other than the request's own
//! Host). A request carrying the cookie must say where it comes from; one
//! without the cookie and without either header is no browser's (an API
//! client with a bearer token, say) and is not at risk.

use app::{
    error::{AppError, ErrorCode},
    service::session,
    state::AppState,
};
use axum::{
    extract::{Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::Response,
};

use crate::rest;

#[derive(Debug, PartialEq, Eq)]
enum Source {
    SameOrigin,
    CrossOrigin,
    Unstated,
}

pub async fn require_same_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes_state {
        let path = request.uri().path();
        let server_function = rest::is_server_function(path);
        let has_cookie = session::cookie_token(request.headers()).is_some();
        let refused = match source(request.headers(), state.public_origin.as_deref()) {
            Source::SameOrigin => false,
            Source::CrossOrigin => server_function || has_cookie,
            Source::Unstated => has_cookie,
        };
        if refused {
            tracing::warn!(path, "cross-site state-changing request refused");
            return rest::answer(
                path,
                AppError::new(ErrorCode::CsrfRejected, app::error::Problem::NotFromMoa),
            );
        }
    }
    next.run(request).await
}

fn source(headers: &HeaderMap, public_origin: Option<&str>) -> Source {
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|value: &header::HeaderValue| value.to_str().ok())
    };
    if let Some(origin) = header_text(header::ORIGIN) {
        let same = match public_origin {
            Some(expected) => origin.eq_ignore_ascii_case(expected),
            None => {
                let host = header_text(header::HOST).unwrap_or_default();
                let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
                !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
            }
        };
        return if same {
            Source::SameOrigin
        } else {
            Source::CrossOrigin
        };
    }
    // Without Origin, believe only the browser's own statement.
    match header_text(header::HeaderName::from_static("sec-fetch-site")) {
        Some("same-origin" | "none") => Source::SameOrigin,
        Some(_) => Source::CrossOrigin,
        None => Source::Unstated,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::{Source, source};

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
    fn without_a_public_origin_the_host_decides() {
        let host = ("host", "moa.example");
        assert_eq!(
            source(&headers(&[host, ("origin", "https://moa.example")]), None),
            Source::SameOrigin
        );
        for other in ["https://evil.example", "null", "https://moa.example.evil"] {
            let pairs = [host, ("origin", other)];
            assert_eq!(
                source(&headers(&pairs), None),
                Source::CrossOrigin,
                "{other}"
            );
        }
        assert_eq!(
            source(&headers(&[host, ("sec-fetch-site", "same-origin")]), None),
            Source::SameOrigin
        );
        assert_eq!(
            source(&headers(&[host, ("sec-fetch-site", "cross-site")]), None),
            Source::CrossOrigin
        );
        assert_eq!(source(&headers(&[host]), None), Source::Unstated);
    }

    /// Behind a reverse proxy the Host header is the proxy's business; the
    /// configured public origin is what browsers send.
    #[test]
    fn a_public_origin_replaces_the_host() {
        let public = Some("https://moa.example");
        let behind_proxy = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://moa.example"),
        ]);
        assert_eq!(source(&behind_proxy, public), Source::SameOrigin);
        let forged_host = headers(&[("host", "evil.example"), ("origin", "https://evil.example")]);
        assert_eq!(source(&forged_host, public), Source::CrossOrigin);
        let plain_http = headers(&[("origin", "http://moa.example")]);
        assert_eq!(source(&plain_http, public), Source::CrossOrigin);
    }
}
