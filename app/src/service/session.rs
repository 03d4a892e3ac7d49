//! The browser's session: the same JWT as API clients use, carried in an
//! HttpOnly, SameSite=Lax cookie (Secure when served over HTTPS).

use http::{HeaderMap, HeaderValue, header};

use crate::service::auth::TOKEN_LIFETIME_SECONDS;

pub const COOKIE_NAME: &str = "moa_session";

pub fn set_cookie(token: &str, secure: bool) -> Option<HeaderValue> {
    crate::cookies::set(COOKIE_NAME, token, TOKEN_LIFETIME_SECONDS, secure)
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static("moa_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure")
    } else {
        HeaderValue::from_static("moa_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

/// The session cookie's value, if the request has one.
pub fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    crate::cookies::value(headers, COOKIE_NAME)
}

/// The token a request presents: its bearer token (API clients), else its
/// session cookie (browsers).
pub fn presented_token(headers: &HeaderMap) -> Option<&str> {
    bearer_token(headers).or_else(|| cookie_token(headers))
}

/// The bearer token, if the request has one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; moa_session=abc.def.ghi; x=1"),
        );
        assert_eq!(cookie_token(&headers), Some("abc.def.ghi"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("moa_session=; other=1"),
        );
        assert_eq!(cookie_token(&headers), None);
    }

    #[test]
    fn cookies_are_http_only_and_lax() {
        let cookie = set_cookie("t", false)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && !cookie.contains("Secure")
        );
        let secure = set_cookie("t", true)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        assert!(secure.ends_with("; Secure"));
    }
}
