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
//! who is signed in. Each answer gets a fresh CSP nonce: the kept page is
//! held in pieces cut where the first render's nonce was, so only those
//! places take the new one (never text that merely looks like a nonce).
//!
//! Only what every visitor of a URL would get is kept: a page that rendered
//! with a status other than 200 (a failed read answers 5xx) is not, and of
//! the URLs naming the same page only the canonical one is (a project page
//! without a query, a list as `ListQuery::to_url` writes it), so made-up
//! query strings cannot fill the cache. When full, the page answered least
//! recently makes room.

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use app::{security::CspNonce, state::AppState};
use axum::{
    body::{Body, to_bytes},
    extract::{Query, Request, State},
    http::{HeaderValue, Method, StatusCode, Uri, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// How long a kept page may be answered.
pub const TTL: Duration = Duration::from_secs(5);

/// Pages kept at most (a page is tens of kilobytes).
const CAPACITY: usize = 256;

/// Pages larger than this are not kept.
const MAX_PAGE_BYTES: usize = 512 * 1024;

/// The pages kept by this process.
#[derive(Clone, Default)]
pub struct PageCache {
    store: Arc<RwLock<Store>>,
}

#[derive(Default)]
struct Store {
    /// The list generation and day the kept pages belong to.
    era: Option<Era>,
    /// When `era` was taken up.
    era_since: Option<Instant>,
    pages: HashMap<String, Kept>,
    /// Counts answers, to find the page answered least recently.
    clock: AtomicU64,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Era {
    generation: u64,
    day: chrono::NaiveDate,
}

struct Kept {
    page: Arc<Template>,
    content_type: HeaderValue,
    kept_at: Instant,
    last_answered: AtomicU64,
}

/// A rendered page cut where its nonce was.
struct Template {
    pieces: Vec<Box<str>>,
}

impl Template {
    fn cut(html: &str, nonce: &str) -> Self {
        Template {
            pieces: html.split(nonce).map(Box::from).collect(),
        }
    }

    fn with_nonce(&self, nonce: &str) -> String {
        self.pieces.join(nonce)
    }
}

impl PageCache {
    fn get(&self, era: Era, key: &str) -> Option<(Arc<Template>, HeaderValue)> {
        let store = self.store.read().ok()?;
        if store.era != Some(era) {
            return None;
        }
        let kept = store.pages.get(key)?;
        if kept.kept_at.elapsed() >= TTL {
            return None;
        }
        let now = store.clock.fetch_add(1, Ordering::Relaxed);
        kept.last_answered.store(now, Ordering::Relaxed);
        Some((kept.page.clone(), kept.content_type.clone()))
    }

    fn keep(&self, era: Era, key: String, page: Template, content_type: HeaderValue) {
        let Ok(mut store) = self.store.write() else {
            return;
        };
        match store.era {
            // A render that read an older generation (or day) finished late:
            // its page is already out of date, and the newer ones stay. An
            // era older than a kept page may live is past, though: a lower
            // generation then means Redis lost the counter and began again.
            Some(current)
                if era < current && store.era_since.is_some_and(|since| since.elapsed() < TTL) =>
            {
                return;
            }
            Some(current) if era == current => {}
            _ => {
                store.era = Some(era);
                store.era_since = Some(Instant::now());
                store.pages.clear();
            }
        }
        store.pages.retain(|_, kept| kept.kept_at.elapsed() < TTL);
        if store.pages.len() >= CAPACITY && !store.pages.contains_key(&key) {
            let least_recent = store
                .pages
                .iter()
                .min_by_key(|(_, kept)| kept.last_answered.load(Ordering::Relaxed))
                .map(|(key, _)| key.clone());
            if let Some(least_recent) = least_recent {
                store.pages.remove(&least_recent);
            }
        }
        let now = store.clock.fetch_add(1, Ordering::Relaxed);
        store.pages.insert(
            key,
            Kept {
                page: Arc::new(page),
                content_type,
                kept_at: Instant::now(),
                last_answered: AtomicU64::new(now),
            },
        );
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
        && is_canonical(request.uri())
}

/// Whether this is the one URL of its page Moa itself links to: a project
/// page without a query, the list as `ListQuery::to_url` writes it. Any
/// other spelling (unknown parameters, defaults written out, a form refused
/// without JavaScript coming back with `__err` in its query) is rendered
/// each time, so it can neither fill the cache nor be answered a page whose
/// links were made for another URL.
fn is_canonical(uri: &Uri) -> bool {
    let Some(query) = uri.query() else {
        return true;
    };
    if uri.path() != "/" {
        return false;
    }
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(uri) else {
        return false;
    };
    let list = app::domain::ListQuery::parse_lenient(app::domain::listing::RawListQuery {
        search: params.get("q").map(String::as_str),
        sort: params.get("sort").map(String::as_str),
        page: params.get("page").map(String::as_str),
        per_page: params.get("per_page").map(String::as_str),
    });
    list.to_url().strip_prefix("/?") == Some(query)
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

    if let Some((page, content_type)) = cache.get(era, &key) {
        app::metrics::cache_hit(app::metrics::Cache::Page);
        if let Some(route) = public_page_route(request.uri().path()) {
            crate::observability::request_log::name_route(&request, route);
        }
        return answer(&page, &nonce, content_type);
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
        cache.keep(era, key, Template::cut(html, &nonce), content_type);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn answer(page: &Template, nonce: &str, content_type: HeaderValue) -> Response {
    let mut response = Response::new(Body::from(page.with_nonce(nonce)));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}

#[cfg(test)]
mod tests {
    use super::{
        CAPACITY, Era, HeaderValue, Instant, PageCache, TTL, Template, is_canonical, is_public_page,
    };
    use axum::http::Uri;

    fn canonical(uri: &'static str) -> bool {
        is_canonical(&Uri::from_static(uri))
    }

    #[test]
    fn only_the_links_moa_writes_are_canonical() {
        for uri in [
            "/",
            "/posts/1",
            "/?q=lamp",
            "/?sort=created&page=2",
            "/?q=paper+lamp",
        ] {
            assert!(canonical(uri), "{uri}");
        }
        for uri in [
            "/?junk=1",
            "/?q=lamp&junk=1",
            "/?sort=total",
            "/?page=1",
            "/?page=2&sort=created",
            "/?q=",
            "/?q=paper%20lamp",
            "/?__err=x&__path=y",
            "/posts/1?x=1",
            "/posts/1?",
        ] {
            assert!(!canonical(uri), "{uri}");
        }
    }

    fn era(generation: u64) -> Era {
        Era {
            generation,
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default(),
        }
    }

    fn keep(cache: &PageCache, era: Era, key: &str) {
        let html = HeaderValue::from_static("text/html");
        cache.keep(era, key.to_owned(), Template::cut(key, "-"), html);
    }

    #[test]
    fn when_full_the_page_answered_least_recently_makes_room() {
        let cache = PageCache::default();
        for page in 0..CAPACITY {
            keep(&cache, era(1), &format!("/?q={page}"));
        }
        assert!(cache.get(era(1), "/?q=0").is_some());
        keep(&cache, era(1), "/?q=new");
        assert!(cache.get(era(1), "/?q=new").is_some(), "a new page is kept");
        assert!(
            cache.get(era(1), "/?q=0").is_some(),
            "a page just answered stays"
        );
        assert!(
            cache.get(era(1), "/?q=1").is_none(),
            "the least recent went"
        );
    }

    #[test]
    fn a_page_rendered_in_an_older_era_changes_nothing() {
        let cache = PageCache::default();
        keep(&cache, era(2), "/");
        keep(&cache, era(1), "/posts/1");
        assert!(cache.get(era(2), "/").is_some(), "the newer pages stay");
        assert!(cache.get(era(1), "/posts/1").is_none());
        keep(&cache, era(3), "/posts/1");
        assert!(cache.get(era(3), "/").is_none(), "a newer era empties it");
    }

    #[test]
    fn after_the_generation_restarts_lower_pages_are_kept_again() {
        // Redis lost the counter (restarted, flushed): the generation starts
        // again below the era kept. Once that era is older than a kept page
        // may be, the lower one takes over instead of caching nothing.
        let cache = PageCache::default();
        keep(&cache, era(40), "/");
        if let Ok(mut store) = cache.store.write() {
            store.era_since = Instant::now().checked_sub(TTL);
        }
        keep(&cache, era(1), "/");
        assert!(cache.get(era(1), "/").is_some());
        assert!(cache.get(era(40), "/").is_none());
    }

    #[test]
    fn a_template_takes_the_new_nonce_only_where_the_old_one_was() {
        let page = Template::cut(
            r#"<script nonce="old1">x</script><p>old1 "new"</p>"#,
            "old1",
        );
        assert_eq!(
            page.with_nonce("new2"),
            r#"<script nonce="new2">x</script><p>new2 "new"</p>"#
        );
        let plain = Template::cut("<p>no nonce here</p>", "old1");
        assert_eq!(plain.with_nonce("new2"), "<p>no nonce here</p>");
    }

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
