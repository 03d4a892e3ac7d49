//! Server functions: thin doors from the UI into `service`. Each one finds
//! the shared state, makes one service call and returns a DTO.

pub mod accounts;
pub mod backings;
pub mod endings;
pub mod mine;
pub mod pockets;
pub mod posts;
pub mod publishing;

pub use accounts::{CurrentAccount, LogIn, LogOut, SignUp, current_account};
pub use backings::{BackProject, WithdrawBacking, backing_eligibility};
pub use endings::{EndProject, project_history};
pub use mine::{DeleteProject, my_backings, my_projects};
pub use pockets::{CashOut, RegisterPocket, TopUp, pocket_overview};
pub use posts::{get_project, list_projects, list_projects_for};
pub use publishing::{
    CreatePost, EditPost, load_editable_project, load_publishing_context, preview_description,
    project_backers,
};

#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<crate::state::AppState, crate::error::AppError> {
    leptos::prelude::use_context::<crate::state::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        crate::error::AppError::internal()
    })
}

/// The calling request's head (headers, connection), which leptos_axum
/// provides to every server function and page render.
#[cfg(feature = "ssr")]
pub(crate) fn request_parts() -> Result<http::request::Parts, crate::error::AppError> {
    leptos::prelude::use_context::<http::request::Parts>().ok_or_else(|| {
        tracing::error!("request Parts missing from the server function context");
        crate::error::AppError::internal()
    })
}

/// The session of the calling browser, if the policy admits its account:
/// the same guard as the REST API's `Signed<P>` extractor.
#[cfg(feature = "ssr")]
pub(crate) async fn authorize<P: crate::service::access::Policy>()
-> Result<crate::service::auth::Session, crate::error::AppError> {
    let state = state()?;
    let parts = request_parts()?;
    crate::service::access::authorize::<P>(&state, &parts.headers).await
}

/// Whose public read this is (see `service::replica`).
#[cfg(feature = "ssr")]
pub(crate) async fn reader(
    state: &crate::state::AppState,
) -> Result<crate::service::replica::Reader, crate::error::AppError> {
    let parts = request_parts()?;
    Ok(crate::service::replica::reader(state, &parts.headers).await)
}

/// The client address of the calling browser, as the per-client limits
/// count it (see `service::client_address`).
#[cfg(feature = "ssr")]
pub(crate) fn client_address() -> Result<Option<std::net::IpAddr>, crate::error::AppError> {
    let state = state()?;
    let parts = request_parts()?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    Ok(state.trusted_proxies.client(peer, &parts.headers))
}

/// Gives a failed server function the HTTP status of its error code (a
/// validation error is a 422, not a 500). Left alone are plain form posts
/// (no JavaScript), which Leptos answers with a redirect back to the form
/// carrying the error in the URL. In a page render the server function runs
/// inside the page's request and the page shows the error; the page takes
/// the error's status only when the server failed (5xx), so no browser,
/// proxy or page cache takes a failed read for the page.
#[cfg(feature = "ssr")]
pub(crate) async fn with_status<T>(
    work: impl Future<Output = Result<T, crate::error::AppError>>,
) -> Result<T, crate::error::AppError> {
    let result = work.await;
    if let Err(error) = &result {
        give_status(error);
    }
    result
}

/// Sets the response's status to `error`'s, by `with_status`'s rules, when
/// called inside a request (its `Parts` and `ResponseOptions` in context).
/// Also called for arguments that do not decode, which fail before the
/// function's body (and `with_status`) runs: a 400, not Leptos's 500.
#[cfg(feature = "ssr")]
pub(crate) fn give_status(error: &crate::error::AppError) {
    use leptos::prelude::use_context;
    let Some(parts) = use_context::<http::request::Parts>() else {
        return;
    };
    let page_render = !parts.uri.path().starts_with("/api/");
    let plain_form_post = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let Ok(status) = http::StatusCode::from_u16(error.code.http_status()) else {
        return;
    };
    let applies = if page_render {
        status.is_server_error()
    } else {
        !plain_form_post
    };
    if let (true, Some(response)) = (applies, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(status);
    }
}
