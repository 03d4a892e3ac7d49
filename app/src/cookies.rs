//! Cookies as requests carry them and as responses set them: one reading
//! and one writing for the session and the language alike.

use http::{HeaderMap, HeaderValue, header};

/// The value of cookie `name` in one `Cookie` header's text, if set and
/// not empty.
pub fn find<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, value)| *found == name && !value.is_empty())
        .map(|(_, value)| value)
}

/// The value of cookie `name` in a request (HTTP/2 may split `Cookie`
/// over several headers).
pub fn value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|text| find(text, name))
}

/// `Set-Cookie` for a site-wide, HttpOnly, SameSite=Lax cookie (Secure
/// when Moa is served over HTTPS); `None` if the value cannot be a header.
pub fn set(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    ))
    .ok()
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue, header};

    use super::{find, set, value};

    #[test]
    fn finds_a_cookie_among_others_and_across_headers() {
        assert_eq!(find("a=1; moa_locale=ko; b=2", "moa_locale"), Some("ko"));
        assert_eq!(find("moa_locale=; moa_locale=en", "moa_locale"), Some("en"));
        assert_eq!(find("xmoa_locale=en", "moa_locale"), None);
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("moa_session=t"));
        headers.append(header::COOKIE, HeaderValue::from_static("moa_locale=ko"));
        assert_eq!(value(&headers, "moa_locale"), Some("ko"));
        assert_eq!(value(&headers, "moa_session"), Some("t"));
    }

    #[test]
    fn sets_site_wide_http_only_lax_cookies() {
        let cookie = set("moa_locale", "ko", 60, true);
        assert_eq!(
            cookie.as_ref().and_then(|value| value.to_str().ok()),
            Some("moa_locale=ko; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure")
        );
        assert!(set("bad", "line\nbreak", 60, false).is_none());
    }
}
