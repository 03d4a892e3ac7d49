//! The language of each request: chosen once, from the `moa_locale` cookie
//! or else `Accept-Language` (`app::locale::negotiate`), for everything the
//! request answers (pages choose it themselves from the same headers; the
//! REST API's error messages read it here). `GET /lang/{ko|en}?next=…`
//! is the language switch: it sets the cookie and goes back to `next`.

use app::{domain::account::return_path_or, locale, locale::Locale, state::AppState};
use axum::{
    extract::{Path, Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

/// How long the switch's choice is kept: a year.
const COOKIE_MAX_AGE_SECONDS: i64 = 365 * 24 * 3600;

tokio::task_local! {
    static REQUEST_LOCALE: Locale;
}

/// The locale of the request being answered (English outside one).
pub fn current() -> Locale {
    REQUEST_LOCALE
        .try_with(|locale| *locale)
        .unwrap_or(Locale::en)
}

/// Chooses the request's locale, and tells caches that pages and API
/// answers differ by the headers it was chosen from (and browsers which
/// language a page is in).
pub async fn choose(request: Request, next: Next) -> Response {
    let locale = locale::from_headers(request.headers());
    let mut response = REQUEST_LOCALE.scope(locale, next.run(request)).await;
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let html = kind.starts_with("text/html");
    if html || kind.starts_with("application/json") {
        let headers = response.headers_mut();
        headers.append(
            header::VARY,
            HeaderValue::from_static("Cookie, Accept-Language"),
        );
        if html {
            headers.insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(locale::tag(locale)),
            );
        }
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct SwitchQuery {
    next: Option<String>,
}

/// `GET /lang/{tag}`: remembers the language and returns to the page
/// (`next`, a path on this site; the home page otherwise). A link on
/// another site only goes there: it does not change anyone's language.
pub async fn switch(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    Query(query): Query<SwitchQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(chosen) = locale::negotiate::from_tag(&tag).filter(|l| locale::tag(*l) == tag) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let back = ascii_location(&return_path_or(query.next.as_deref(), "/"));
    let cookie = app::cookies::set(
        locale::negotiate::COOKIE_NAME,
        locale::tag(chosen),
        COOKIE_MAX_AGE_SECONDS,
        state.secure_cookies,
    );
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|site| site.as_bytes() == b"cross-site");
    let Ok(location) = HeaderValue::from_str(&back) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    if let (Some(cookie), false) = (cookie, cross_site) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// A local path as a `Location` header can carry it: bytes outside
/// visible ASCII (Hangul in `?q=캠핑`, spaces) percent-encoded.
fn ascii_location(path: &str) -> String {
    let mut location = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_graphic() {
            location.push(char::from(byte));
        } else {
            location.push_str(&format!("%{byte:02X}"));
        }
    }
    location
}

#[cfg(test)]
mod tests {
    use super::ascii_location;

    #[test]
    fn locations_carry_only_visible_ascii() {
        assert_eq!(
            ascii_location("/?q=캠핑&page=2"),
            "/?q=%EC%BA%A0%ED%95%91&page=2"
        );
        assert_eq!(ascii_location("/posts/7"), "/posts/7");
        assert_eq!(ascii_location("/?q=a b"), "/?q=a%20b");
    }
}
