//! The one router: Leptos pages and server functions, health checks, the
//! REST API, static files, and the middleware around them.

use std::{sync::OnceLock, time::Duration};

use app::{App, shell, state::AppState};
use axum::{Router, handler::Handler, routing::get};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::{compression::CompressionLayer, services::ServeDir};

use crate::{
    body_limit, cache_headers, health, language, load_shed, observability::request_log,
    origin_check, page_cache, request_timeout, rest, security_headers,
};

/// The app's routes, generated once per process. Generating them runs the
/// app with resource loading switched off process-wide (leptos#4773): a page
/// rendering meanwhile, on another router in this process (as in the
/// integration tests), would wait forever for its data.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// How much one process takes on.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Every request is cut off after this (see `request_timeout`).
    pub request_timeout: Duration,
    /// Requests worked on at once; one more is refused (see `load_shed`).
    pub requests_in_flight: usize,
}

impl Limits {
    pub fn of(config: &crate::config::Config) -> Self {
        Limits {
            request_timeout: config.request_timeout,
            requests_in_flight: config.max_requests_in_flight,
        }
    }
}

pub fn router(state: AppState, limits: Limits) -> Router {
    let Limits {
        request_timeout,
        requests_in_flight,
    } = limits;
    let routes = route_list();
    let options = state.leptos_options.clone();

    // Files from the site folder (WASM, JS, CSS, docs assets). ServeDir
    // answers conditional requests (304) itself; anything it does not have
    // becomes Moa's 404 page.
    let not_found = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
        app::security::provide_request_nonce,
        shell,
    )
    .with_state(state.clone());
    let static_files = ServeDir::new(options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip()
        .fallback(not_found);

    Router::new()
        .route("/hello", get(health::hello))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/lang/{tag}", get(language::switch))
        .merge(rest::router())
        // The state itself is provided to every page render and server
        // function as context (`use_context::<AppState>()`).
        .leptos_routes_with_context(
            &state,
            routes,
            app::security::provide_request_nonce,
            move || shell(options.clone()),
        )
        // Every route above notes its template for the request log and
        // metrics; what falls through to the files below has none.
        .route_layer(axum::middleware::from_fn(request_log::note_route))
        .fallback_service(static_files)
        // Inside the timeout (a slow body is cut off with the rest) and the
        // origin check (a refused request is not read).
        .layer(axum::middleware::from_fn_with_state(
            request_timeout / 2,
            body_limit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin_check::require_same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), page_cache::PageCache::default()),
            page_cache::serve,
        ))
        .layer(axum::middleware::from_fn(cache_headers::apply))
        .layer(axum::middleware::from_fn_with_state(
            request_timeout,
            request_timeout::limit,
        ))
        // Before any work (a kept page, a body read, a render) and after
        // the headers every answer carries.
        .layer(axum::middleware::from_fn_with_state(
            load_shed::InFlight::new(requests_in_flight),
            load_shed::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers::apply,
        ))
        .layer(axum::middleware::from_fn(language::choose))
        .layer(CompressionLayer::new())
        // Outermost: the request's id, log line and metrics cover all of
        // the above.
        .layer(axum::middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            request_log::track,
        ))
        .with_state(state)
}
