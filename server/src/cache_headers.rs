//! What browsers and proxies may keep. Anything personal is `no-store`:
//! every response to a request that carries credentials (a page rendered
//! for a signed-in person shows their name and balance), every response
//! that sets a cookie, every server function's answer, and the personal
//! paths even when asked anonymously. Built files whose names carry their
//! content's hash (`/pkg/moa.<hash>.wasm`, written by the release build) never
//! change under that name, so browsers keep them for a year without asking.
//! Any other page is `private, no-cache`: a browser may keep it but asks
//! again each time, and no shared cache keeps it at all, since every page
//! carries its own CSP nonce (which a shared cache would hand to everyone).

use axum::{
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// Paths that are personal, with everything below them.
const PERSONAL: [&str; 4] = ["/api/v1/me", "/api/v1/auth", "/pocket", "/me"];

/// For HTML pages nobody signed in asked for.
const PAGE: &str = "private, no-cache";

/// For files named by their content's hash.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The folder of built files (`site-pkg-dir`).
const BUILT_FILES: &str = "/pkg/";

/// cargo-leptos names a hashed file `<stem>.<hash>.<extension>`, the hash
/// being an MD5 digest in unpadded base64url: 22 characters.
const HASH_LENGTH: usize = 22;

/// Whether `path` names a built file whose name carries its content's hash.
pub fn is_content_hashed(path: &str) -> bool {
    let Some(file) = path.strip_prefix(BUILT_FILES) else {
        return false;
    };
    if file.contains('/') {
        return false;
    }
    let mut parts = file.rsplit('.');
    let (Some(_extension), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !stem.is_empty()
        && hash.len() == HASH_LENGTH
        && hash
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|kind| kind.to_str().ok())
        .is_some_and(|kind| kind.starts_with("text/html"))
}

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
    let hashed = is_content_hashed(path);
    let mut response = next.run(request).await;
    if personal || response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if hashed && response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    } else if is_html(&response) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(PAGE));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn built_files_named_by_their_hash_are_recognised() {
        assert!(is_content_hashed("/pkg/moa.QmV4LzY1d0hJdGZ0bHp6bw.wasm"));
        assert!(is_content_hashed("/pkg/moa.Ab-_Cd0123456789abcdef.js"));
        assert!(is_content_hashed(
            "/pkg/__wasm_split.Ab-_Cd0123456789abcdef.js"
        ));
    }

    #[test]
    fn other_files_are_not() {
        for path in [
            "/pkg/moa.wasm",
            "/pkg/moa.css",
            "/pkg/moa_bg.wasm",
            "/pkg/.Ab-_Cd0123456789abcdef.js",
            "/pkg/moa.Ab-_Cd0123456789abcde.js",
            "/pkg/moa.Ab-_Cd0123456789abcdef!.js",
            "/pkg/sub/moa.Ab-_Cd0123456789abcdef.js",
            "/favicon.svg",
            "/moa.Ab-_Cd0123456789abcdef.js",
            "/api/v1/posts",
        ] {
            assert!(!is_content_hashed(path), "{path}");
        }
    }
}
