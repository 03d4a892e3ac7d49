//! Server-rendered public pages, kept for the next anonymous visitor. The
//! home page and a project page are what shared links open, and for anyone
//! not signed in they are the same for everybody who asks in the same
//! language on the same day, until a project changes. So the first render is
//! kept in this process and answered again, without rendering, until
//!
//! - the list generation moves (every change that a list or a project page
//!   shows bumps it in Redis: publishing, editing, backing, withdrawing,
//!   settling, ending, deleting; every process reads the same counter, so a
//!   write through one process is seen by the next request to any process),
//! - the day changes (D-day), or
//! - [`TTL`] passes (the same bound on staleness as the cached JSON lists, for
//!   a bump that was lost while Redis was unreachable).
//!
//! Without Redis there is no generation, so nothing is kept: every page is
//! rendered, correct as ever. Requests with credentials (a session cookie or
//! a bearer token) are never answered from here nor kept: their pages show
//! who is signed in. Each answer gets a fresh CSP nonce: the kept page holds
//! a placeholder where the first render's nonce was.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use app::{security::CspNonce, state::AppState};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// How long a kept page may be answered.
pub const TTL: Duration = Duration::from_secs(5);

/// Pages kept at most (a page is tens of kilobytes); searches beyond it are
/// rendered each time until the generation moves.
const CAPACITY: usize = 256;

/// Pages larger than this are not kept.
const MAX_PAGE_BYTES: usize = 512 * 1024;

/// Stands in for the first render's nonce in a kept page.
const NONCE_PLACEHOLDER: &str = "__moa_csp_nonce_9f3c1b7e__";

/// The pages kept by this process.
#[derive(Clone, Default)]
pub struct PageCache {
    store: Arc<RwLock<Store>>,
}

#[derive(Default)]
struct Store {
    /// The list generation and day the kept pages belong to.
    era: Option<Era>,
    pages: HashMap<String, Kept>,
}

#[derive(Clone, PartialEq, Eq)]
struct Era {
    generation: u64,
    day: chrono::NaiveDate,
}

struct Kept {
    html: Arc<str>,
    content_type: HeaderValue,
    kept_at: Instant,
}

impl PageCache {
    fn get(&self, era: &Era, key: &str) -> Option<(Arc<str>, HeaderValue)> {
        let store = self.store.read().ok()?;
        if store.era.as_ref() != Some(era) {
            return None;
        }
        let kept = store.pages.get(key)?;
        (kept.kept_at.elapsed() < TTL).then(|| (kept.html.clone(), kept.content_type.clone()))
    }

    fn keep(&self, era: Era, key: String, html: Arc<str>, content_type: HeaderValue) {
        let Ok(mut store) = self.store.write() else {
            return;
        };
        if store.era.as_ref() != Some(&era) {
            store.era = Some(era);
            store.pages.clear();
        }
        store.pages.retain(|_, kept| kept.kept_at.elapsed() < TTL);
        if store.pages.len() < CAPACITY || store.pages.contains_key(&key) {
            store.pages.insert(
                key,
                Kept {
                    html,
                    content_type,
                    kept_at: Instant::now(),
                },
            );
        }
    }
}

/// Whether a request may be answered from, and kept in, the page cache.
fn cacheable(request: &Request) -> bool {
    let path = request.uri().path();
    let headers = request.headers();
    request.method() == Method::GET
        && is_public_page(path)
        && !headers.contains_key(header::AUTHORIZATION)
        && app::service::session::cookie_token(headers).is_none()
        // A form refused without JavaScript comes back with its error in
        // the query; such a page is for one person.
        && !request
            .uri()
            .query()
            .is_some_and(|query| query.contains("__err") || query.contains("__path"))
}

/// The home page and project pages.
pub fn is_public_page(path: &str) -> bool {
    public_page_route(path).is_some()
}

/// The route template of a public page (what the router would have
/// matched, for the request log and metrics of a page answered from here).
fn public_page_route(path: &str) -> Option<&'static str> {
    if path == "/" {
        return Some("/");
    }
    path.strip_prefix("/posts/")
        .is_some_and(|id| {
            !id.is_empty() && id.len() <= 19 && id.bytes().all(|byte| byte.is_ascii_digit())
        })
        .then_some("/posts/{id}")
}

pub async fn serve(
    State((state, cache)): State<(AppState, PageCache)>,
    request: Request,
    next: Next,
) -> Response {
    if !cacheable(&request) {
        return next.run(request).await;
    }
    let Some(generation) = app::service::posts::list_generation(&state).await else {
        app::metrics::cache_miss(app::metrics::Cache::Page);
        return next.run(request).await;
    };
    let era = Era {
        generation,
        day: state.today(),
    };
    let nonce = request
        .extensions()
        .get::<CspNonce>()
        .map(|nonce| nonce.0.clone())
        .unwrap_or_default();
    let key = format!(
        "{}|{}",
        app::locale::tag(crate::language::current()),
        request
            .uri()
            .path_and_query()
            .map(|path| path.as_str())
            .unwrap_or("/")
    );

    if let Some((html, content_type)) = cache.get(&era, &key) {
        app::metrics::cache_hit(app::metrics::Cache::Page);
        if let Some(route) = public_page_route(request.uri().path()) {
            crate::observability::request_log::name_route(&request, route);
        }
        return answer(&html, &nonce, content_type);
    }
    app::metrics::cache_miss(app::metrics::Cache::Page);

    let response = next.run(request).await;
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !nonce.is_empty();
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let Some(content_type) = content_type.filter(|kind| {
        keepable
            && kind
                .to_str()
                .is_ok_and(|kind| kind.starts_with("text/html"))
    }) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        // The render failed midway, as it would have without the cache.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if bytes.len() <= MAX_PAGE_BYTES
        && let Ok(html) = std::str::from_utf8(&bytes)
    {
        let template: Arc<str> = html.replace(&nonce, NONCE_PLACEHOLDER).into();
        cache.keep(era, key, template, content_type);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn answer(template: &str, nonce: &str, content_type: HeaderValue) -> Response {
    let html = template.replace(NONCE_PLACEHOLDER, nonce);
    let mut response = Response::new(Body::from(html));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}

#[cfg(test)]
mod tests {
    use super::is_public_page;

    #[test]
    fn the_home_page_and_project_pages_are_public() {
        assert!(is_public_page("/"));
        assert!(is_public_page("/posts/1"));
        assert!(is_public_page("/posts/9223372036854775807"));
    }

    #[test]
    fn other_pages_are_not() {
        for path in [
            "/posts/new",
            "/posts/1/edit",
            "/posts/1/checkout",
            "/posts/",
            "/posts/1a",
            "/posts/12345678901234567890",
            "/pocket",
            "/login",
            "/me/projects",
            "/api/v1/posts",
            "//",
        ] {
            assert!(!is_public_page(path), "{path}");
        }
    }
}
